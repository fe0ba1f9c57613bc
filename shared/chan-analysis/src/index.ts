// Public API of the chan-analysis engine. (The lead assembles this file; helpers: do not edit.)
export * from './types.js';
export * from './config.js';
export type * from './result.js';
