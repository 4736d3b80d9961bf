/** Camera test helpers: a fake response writer, requests through a router, recordings of the sample. */
export * from './fake-response-writer.js';
export * from './route.js';
export * from './recordings-fixture.js';
