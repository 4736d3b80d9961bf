/** The camera agent's media pipeline: sources of FLV tags, the GOP cache and the viewer fan-out. */
export * from './media-source.js';
export * from './flv-file-loop-source.js';
export * from './ffmpeg-args.js';
export * from './ffmpeg-source.js';
export * from './gop-cache.js';
export * from './live-hub.js';
export * from './sample.js';
export * from './reopening-source.js';
