/** Resumable, hash-checked downloads of files in the camera's store. */
export * from './download-handler.js';
export * from './file-hash-cache.js';
export * from './store-file.js';
