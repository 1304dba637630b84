/**
 * @module The removal grace, once for every inventory (Argo CD Secrets, fleet files, the demo):
 * a decorator that diffs what the inventory shows against what it showed before, and keeps each
 * cluster that disappeared as *leaving* for `graceMs`. Selection (generator/leaving.ts) then
 * refuses to answer without it until it is back or the grace is over.
 */
import type { ClusterInventory, InventorySnapshot, LeavingCluster } from '../generator/index.js';
import type { Logger } from './logger.js';

/** What the decorator reports; prom-client Counter/Gauge fit (`Metrics.inventoryDepartures`, `Metrics.inventoryLeaving`). */
export interface RemovalGraceMetrics {
  readonly departures?: { inc(labels: { outcome: 'left' | 'returned' | 'dropped' }): void };
  readonly leaving?: { set(value: number): void };
}

export interface RemovalGraceOptions {
  /** How long a cluster that left stays *leaving*; 0 turns the grace off. */
  readonly graceMs: number;
  readonly logger: Logger;
  readonly metrics?: RemovalGraceMetrics | undefined;
  readonly now?: (() => number) | undefined;
}

/** What is remembered of a cluster seen present: enough to decide whether a selection included it. */
type Seen = Omit<LeavingCluster, 'leftAt' | 'dropAt'>;

/**
 * Wraps an inventory; `snapshot()` answers the inner snapshot plus `leaving`.
 *
 * A cluster is present when the inner snapshot has it as a cluster or as a named problem (a
 * broken Secret already fails every request that may select it). It becomes leaving when a
 * snapshot no longer has it, whether the change is seen through `subscribe` or at the next
 * `snapshot()`; it stops leaving when it is present again (a Secret re-created under the same
 * cluster name is seamless) or `graceMs` after it left (then answers shrink, deliberately). A
 * cluster renamed in place is its old name leaving and its new name arriving.
 *
 * Nothing is tracked before the first snapshot that can be read: a fresh process has no history,
 * and an inventory that cannot be read answers `UnavailableError` anyway.
 */
export class RemovalGrace implements ClusterInventory {
  private readonly now: () => number;
  private seen: Map<string, Seen> | undefined;
  private readonly leaving = new Map<string, LeavingCluster>();
  private lastInner: InventorySnapshot | undefined;
  private readonly unsubscribe: (() => void) | undefined;

  constructor(
    private readonly inner: ClusterInventory,
    private readonly options: RemovalGraceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.unsubscribe = inner.subscribe?.(() => this.observe());
    if (inner.isReady()) this.observe();
  }

  isReady(): boolean {
    return this.inner.isReady();
  }

  /** The inner snapshot plus the clusters leaving now; throws what the inner inventory throws. */
  snapshot(): InventorySnapshot {
    const current = this.inner.snapshot();
    this.update(current);
    const leaving = [...this.leaving.values()];
    return leaving.length === 0 ? current : { ...current, leaving };
  }

  subscribe(listener: () => void): () => void {
    return this.inner.subscribe?.(listener) ?? (() => {});
  }

  /** Stops listening to the inner inventory (it is closed separately). */
  close(): void {
    this.unsubscribe?.();
  }

  private observe(): void {
    let current: InventorySnapshot;
    try {
      current = this.inner.snapshot();
    } catch {
      // Unavailable: requests fail anyway; the next readable snapshot is diffed against the last one.
      return;
    }
    this.update(current);
  }

  private update(current: InventorySnapshot): void {
    const now = this.now();
    if (current !== this.lastInner) {
      this.lastInner = current;
      const present = presentIn(current, this.seen);
      if (this.seen !== undefined && this.options.graceMs > 0) {
        for (const [name, was] of this.seen) {
          if (present.has(name) || this.leaving.has(name)) continue;
          const cluster: LeavingCluster = { ...was, leftAt: now, dropAt: now + this.options.graceMs };
          this.leaving.set(name, cluster);
          this.options.metrics?.departures?.inc({ outcome: 'left' });
          this.options.logger.warn(
            { cluster: name, origin: was.origin, dropAt: new Date(cluster.dropAt).toISOString() },
            'a cluster left the inventory: requests that may select it answer 503 GL_CLUSTER_LEAVING until it is back or the removal grace (GREENLIGHT_REMOVAL_GRACE_MS) is over',
          );
        }
      }
      for (const name of [...this.leaving.keys()]) {
        if (!present.has(name)) continue;
        this.leaving.delete(name);
        this.options.metrics?.departures?.inc({ outcome: 'returned' });
        this.options.logger.info({ cluster: name }, 'a leaving cluster is back in the inventory within the removal grace; nothing was dropped');
      }
      this.seen = present;
    }
    this.expire(now);
  }

  private expire(now: number): void {
    for (const [name, cluster] of this.leaving) {
      if (cluster.dropAt > now) continue;
      this.leaving.delete(name);
      this.options.metrics?.departures?.inc({ outcome: 'dropped' });
      this.options.logger.warn(
        { cluster: name, origin: cluster.origin, leftAt: new Date(cluster.leftAt).toISOString() },
        'a cluster that left the inventory was not back within the removal grace: answers no longer include it (Argo CD removes its Applications where an ApplicationSet selected it)',
      );
    }
    this.options.metrics?.leaving?.set(this.leaving.size);
  }
}

/** The clusters present in a snapshot, by name; a named problem keeps what was known of its cluster. */
function presentIn(snapshot: InventorySnapshot, before: ReadonlyMap<string, Seen> | undefined): Map<string, Seen> {
  const present = new Map<string, Seen>();
  for (const problem of snapshot.problems) {
    if (problem.name === undefined) continue;
    const known = before?.get(problem.name);
    // What a broken registration says of itself is not to be trusted to rule a selection out.
    present.set(problem.name, { name: problem.name, server: known?.server, origin: problem.origin, labels: { ...known?.labels, ...problem.labels }, eksTags: true });
  }
  for (const c of snapshot.clusters) {
    present.set(c.name, { name: c.name, server: c.server, origin: c.origin, labels: c.labels, eksTags: c.aws !== undefined });
  }
  return present;
}
