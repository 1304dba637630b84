/** @module The ports the drift audit reads through. */
import type { CancelSignal, ClusterRecord } from '../model.js';
import type { ClusterScan } from './audit.js';
import type { DriftRules } from './rules.js';

/** An object to read in full, as a finding names it. */
export interface ObjectRef {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace: string | null;
  readonly name: string;
}

/**
 * Scans every object of a cluster (metadata only) and reads single objects in full when a
 * finding needs them. `KubeDriftScanner` (plugin/adapters/kubernetes) implements it.
 */
export interface ClusterScanner {
  /** Rejects with a `GreenlightError` naming the cluster, the read and what to do when the scan cannot finish. */
  scan(cluster: ClusterRecord, rules: DriftRules, signal: CancelSignal): Promise<ClusterScan>;
  /** The object in full, or undefined when it is gone. Never reads a Secret (throws). */
  readObject(cluster: ClusterRecord, ref: ObjectRef, signal: CancelSignal): Promise<Record<string, unknown> | undefined>;
}
