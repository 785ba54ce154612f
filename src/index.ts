/** nfreplay's library API. */
export * from './rules/index.js';
