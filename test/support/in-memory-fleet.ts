/** An in-memory inventory and facts provider for core tests, with programmable failures and latency. */
import {
  UnavailableError,
  UpstreamError,
  type CancelSignal,
  type ClusterFacts,
  type ClusterFactsProvider,
  type ClusterInventory,
  type ClusterRecord,
  type FactsResult,
  type InventoryProblem,
  type InventorySnapshot,
} from '../../generator/index.js';

export const FIXED_TIME = '2026-11-26T08:00:00.000Z';

export class InMemoryFleet implements ClusterInventory, ClusterFactsProvider {
  ready = true;
  problems: InventoryProblem[] = [];
  readonly facts = new Map<string, ClusterFacts>();
  readonly failures = new Map<string, Error>();
  /** Clusters whose facts never arrive (until the signal aborts). */
  readonly hanging = new Set<string>();
  readonly calls: string[] = [];
  stale = false;

  constructor(public clusters: ClusterRecord[] = []) {}

  add(cluster: ClusterRecord, facts: ClusterFacts = {}): this {
    this.clusters.push(cluster);
    this.facts.set(cluster.name, facts);
    return this;
  }

  isReady(): boolean {
    return this.ready;
  }

  snapshot(): InventorySnapshot {
    if (!this.ready) throw new UnavailableError('GL_INVENTORY_UNAVAILABLE', 'the in-memory fleet is not ready');
    return { clusters: this.clusters, problems: this.problems };
  }

  factsFor(cluster: ClusterRecord, signal: CancelSignal): Promise<FactsResult> {
    this.calls.push(cluster.name);
    const failure = this.failures.get(cluster.name);
    if (failure) return Promise.reject(failure);
    if (this.hanging.has(cluster.name)) {
      return new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(new UpstreamError('GL_FACTS_UNAVAILABLE', `cluster "${cluster.name}": in-memory source aborted`)), { once: true }),
      );
    }
    return Promise.resolve({
      facts: this.facts.get(cluster.name) ?? {},
      origins: [{ source: 'fleet', fetchedAt: FIXED_TIME, stale: this.stale }],
    });
  }
}

export const neverAborted: CancelSignal = new AbortController().signal;
