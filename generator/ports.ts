/** @module Ports: what the core needs from the outside world, named for their role. */
import type { ClusterFacts, FactSourceName } from './contract/cluster-facts.js';
import type { CancelSignal, ClusterRecord, FactsResult, InventorySnapshot } from './model.js';

/**
 * Where clusters are registered: Argo CD cluster Secrets, or a fleet file.
 * `snapshot()` answers from memory; it throws `UnavailableError` while nothing trustworthy is
 * loaded, so that an unready inventory can never look like an empty fleet.
 */
export interface ClusterInventory {
  snapshot(): InventorySnapshot;
  /** True once a first complete list is loaded. */
  isReady(): boolean;
  /**
   * Calls `listener` after each change of what `snapshot()` answers (a Secret added or removed, a
   * file reloaded), so that a change is seen when it happens, not at the next request. Returns
   * the way to stop listening. Optional: inventories that never change need not offer it.
   */
  subscribe?(listener: () => void): () => void;
}

/**
 * Gives the facts of one cluster from all of its sources. Rejects (with `UpstreamError` or
 * `TimeoutError` naming cluster and source) rather than answering with a part missing.
 */
export interface ClusterFactsProvider {
  factsFor(cluster: ClusterRecord, signal: CancelSignal): Promise<FactsResult>;
}

/** One source of facts (EKS, the cluster's own API, SSM, a fleet file). */
export interface FactSource {
  readonly source: FactSourceName;
  /** Whether this source knows anything about the cluster (e.g. EKS only for EKS clusters). */
  appliesTo(cluster: ClusterRecord): boolean;
  fetch(cluster: ClusterRecord, signal: CancelSignal): Promise<ClusterFacts>;
}
