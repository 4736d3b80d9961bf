/** The camera's storage: recording segments, their index, and the recorder that writes them. */
export * from './recordings-store.js';
export * from './segment-recorder.js';
export * from './segment-name.js';
export { readFlvTags, summarizeFlvFile, type FlvFileSummary } from './flv-file.js';
