/** Server test helpers: a started server with test apps and cameras, signed clients, 1vN fixtures. */
export * from './harness.js';
export * from './live.js';
