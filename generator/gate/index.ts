/** @module The traffic gate: pure rules over live health, the Route 53 split, ExternalDNS prefixes and the step plan. */
export * from './plan.js';
export * from './promql.js';
export * from './health.js';
export * from './split.js';
export * from './external-dns.js';
export * from './decision.js';
export * from './config.js';
