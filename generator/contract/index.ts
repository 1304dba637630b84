/** @module The contract: zod schemas for everything that crosses a process boundary. Safe for the browser. */
export * from './plugin-request.js';
export * from './input-parameters.js';
export * from './label-selector.js';
export * from './cluster-facts.js';
export * from './plugin-response.js';
export * from './json-schema.js';
export * from './ui-api.js';
export * from './readiness.js';
export * from './facts-api.js';
export * from './gate.js';
export * from './drift.js';
