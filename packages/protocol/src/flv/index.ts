/** FLV demux/mux, tag inspection, AMF0 script data and timestamp rewriting (pure, no I/O). */
export * from './tag.js';
export * from './mux.js';
export * from './demux.js';
export * from './inspect.js';
export * from './amf0.js';
export * from './timestamps.js';
export * from './splicer.js';
