/** @module The drift audit's pure rules: classification, hotfixes, EBS-bound data, sign-offs, the pair's report. */
export * from './rules.js';
export * from './objects.js';
export * from './object-keys.js';
export * from './classify.js';
export * from './stateful.js';
export * from './accept.js';
export * from './audit.js';
export * from './scan-builder.js';
export * from './ports.js';
export * from './served.js';
