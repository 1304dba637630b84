/** An in-memory inventory and facts provider for core tests, with programmable failures and latency. */
import {
  TimeoutError,
  UnavailableError,
  type CancelSignal,
  type ClusterFacts,
  type ClusterFactsProvider,
  type ClusterInventory,
  type ClusterRecord,
  type FactsResult,
  type InventoryProblem,
  type InventorySnapshot,
} from '../../generator/index.js';
import { fanOutSignal } from '../../plugin/fan-out-signal.js';

export const FIXED_TIME = '2026-11-26T08:00:00.000Z';

export class InMemoryFleet implements ClusterInventory, ClusterFactsProvider {
  ready = true;
  problems: InventoryProblem[] = [];
  readonly facts = new Map<string, ClusterFacts>();
  readonly failures = new Map<string, Error>();
  /** Clusters whose facts never arrive; the provider gives up when the signal aborts. */
  readonly hanging = new Set<string>();
  /** Clusters whose facts never arrive and whose provider ignores the signal. */
  readonly deaf = new Set<string>();
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
    if (this.deaf.has(cluster.name)) return new Promise(() => {});
    if (this.hanging.has(cluster.name)) {
      return new Promise((_resolve, reject) =>
        signal.addEventListener(
          'abort',
          () => reject(new TimeoutError('GL_DEADLINE_EXCEEDED', `facts of cluster "${cluster.name}" from fleet were still pending at the request deadline`)),
          { once: true },
        ),
      );
    }
    return Promise.resolve({
      facts: this.facts.get(cluster.name) ?? {},
      origins: [{ source: 'fleet', fetchedAt: FIXED_TIME, stale: this.stale }],
    });
  }
}

/** A request signal that never aborts, marked for fan-out as the service marks its request signals. */
export const neverAborted: CancelSignal = fanOutSignal(new AbortController().signal);
