/** nfreplay's library API. */
export * from './rules/index.js';
export * from './capture/index.js';
export * from './decode/index.js';
export * from './netfilter/index.js';
