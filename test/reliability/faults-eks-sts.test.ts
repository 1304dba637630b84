/**
 * Faults of EKS and STS (each refused, reset, slow past the deadline, 5xx, throttling, garbage, JSON of the wrong shape)
 * against greenlight in live mode: no 2xx lacks a selected cluster, and it recovers.
 */
import { defineFaultSuite } from './support/fault-suite.js';

defineFaultSuite(['eks', 'sts']);
