/**
 * Faults of SSM and of the clusters' own API (each refused, reset, slow past the deadline, 5xx, garbage,
 * JSON of the wrong shape, throttling) against greenlight in live mode: no 2xx lacks a selected cluster, and it
 * recovers.
 */
import { defineFaultSuite } from './support/fault-suite.js';

defineFaultSuite(['ssm', 'cluster-api']);
