/** @module Upgrade readiness of blue/green pairs: pure rules over facts, Applications and EKS data, and one verdict per pair. */
export * from './versions.js';
export * from './removed-apis.js';
export { finding, type ReadinessMember, type ReadinessPair, type RuleResult } from './pair.js';
export * from './version-skew-rule.js';
export * from './removed-api-rule.js';
export * from './addon-rules.js';
export * from './secret-rules.js';
export * from './insight-rule.js';
export * from './drift-rule.js';
export * from './verdict.js';
export * from './concerns.js';
export * from './served.js';
