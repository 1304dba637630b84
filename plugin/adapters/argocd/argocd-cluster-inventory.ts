/**
 * @module The cluster inventory Argo CD itself uses: its cluster Secrets, listed and then watched
 * in one namespace. Answers from memory; refuses to answer (UnavailableError) before the first
 * complete list and when the watch has been failing for longer than `maxStaleMs`.
 */
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import {
  UnavailableError,
  type ClusterInventory,
  type InventoryProblem,
  type InventorySnapshot,
} from '../../../generator/index.js';
import type { Logger } from '../../logger.js';
import { abortable, describeKubeFailure, kubeStatusSchema, raceAbort, type KubeFailure } from '../kubernetes/kube-request.js';
import { quoteUpstream } from '../upstream-text.js';
import type { ClusterConnection, ClusterConnections } from './cluster-connection.js';
import { buildInventoryView, CLUSTER_SECRET_SELECTOR, clusterSecretSchema, parseClusterSecret, type InventoryView, type SecretEntry } from './cluster-secret.js';

/** Counts unreadable registrations. A prom-client `Counter<'inventory'>` fits (`Metrics.inventoryProblems`). */
export interface ProblemCounter {
  inc(labels: { inventory: string }): void;
}

/**
 * Why an answer of the API server was ignored or refused: a watch event that is no Secret
 * (`event-*`), or a list whose `continue` tokens do not end (`list-*`).
 */
export type AnomalyReason =
  | 'event-no-object'
  | 'event-no-name'
  | 'event-wrong-shape'
  | 'event-unknown-type'
  | 'list-item-no-name'
  | 'list-item-wrong-shape'
  | 'list-token-repeated'
  | 'list-page-cap';

/** Counts anomalies. A prom-client `Counter<'inventory' | 'reason'>` fits (`Metrics.inventoryAnomalies`). */
export interface AnomalyCounter {
  inc(labels: { inventory: string; reason: AnomalyReason }): void;
}

export interface ArgoCdClusterInventoryOptions {
  /** The namespace of Argo CD's cluster Secrets (where Argo CD runs, usually `argocd`). */
  readonly namespace: string;
  readonly logger: Logger;
  /** Counted once for each Secret version that cannot be read (label `inventory="argocd"`). */
  readonly problemCounter?: ProblemCounter | undefined;
  /** Counted for each malformed watch event ignored and each list given up for endless paging. */
  readonly anomalyCounter?: AnomalyCounter | undefined;
  /** Add Argo CD's in-cluster entry; false where argocd-cm sets `cluster.inClusterEnabled: "false"`. Default true. */
  readonly inClusterEntry?: boolean | undefined;
  /** How long the list/watch may keep failing before `snapshot()` refuses to answer from memory. Default 5 min. */
  readonly maxStaleMs?: number | undefined;
  /** Period of a full relist, a safety net against lost events. Default 10 min. */
  readonly resyncIntervalMs?: number | undefined;
  /** Secrets per list page (`limit`, following `continue` to the end), as client-go's informers do. Default 500. */
  readonly listPageSize?: number | undefined;
  /**
   * Pages one list may take (default 200: 100,000 Secrets at 500 a page). A list that still has
   * a `continue` token after that, or that is handed a token it was handed before, is given up,
   * reported, and started over after the backoff: the server is not called in a loop.
   */
  readonly maxListPages?: number | undefined;
  /**
   * `timeoutSeconds` asked of each watch. A watch silent for this long plus `watchGraceMs` (no
   * event, no bookmark, no server close) is presumed dead and replaced. Default 300 s.
   */
  readonly watchTimeoutSeconds?: number | undefined;
  /** Default 30 s. */
  readonly watchGraceMs?: number | undefined;
  /** Reconnect delay: doubles from `initialMs` to `maxMs`, with jitter. Default 250 ms to 30 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number } | undefined;
  /** A watch that lived this long is healthy: the next reconnect is immediate. Default 1 s. */
  readonly healthyWatchMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** `fromConfig` options: the inventory options plus where the Kubernetes credentials come from. */
export interface ArgoCdClusterInventoryConfig extends ArgoCdClusterInventoryOptions {
  /** A kubeconfig context to use instead of the current one (laptop use). */
  readonly context?: string | undefined;
}

interface WatchEnd {
  /** Why it ended: the server closed it, it failed, the data is too old (410), or we stopped it. */
  readonly reason: 'closed' | 'failed' | 'gone' | 'resync' | 'idle' | 'stopped';
  readonly failure?: KubeFailure;
  readonly livedMs: number;
}

const INVENTORY_LABEL = 'argocd';

/**
 * Argo CD cluster Secrets (label `argocd.argoproj.io/secret-type=cluster`) as a `ClusterInventory`,
 * and the connection details of each cluster as `ClusterConnections`.
 *
 * How it keeps up: one list, then a watch from the list's resourceVersion (with bookmarks and a
 * server-side timeout), resuming from the last resourceVersion seen whenever the watch ends. A 410
 * Gone (expired resourceVersion) or the periodic resync triggers a fresh list. Failures reconnect
 * with capped exponential backoff.
 *
 * When it refuses to answer (the staleness rule): `snapshot()` throws `UnavailableError`
 * (`GL_INVENTORY_UNAVAILABLE`)
 * - until the first complete list has loaded, and
 * - while the list or watch has been failing without interruption for longer than `maxStaleMs`.
 * "Failing" starts at the first failed list or watch attempt and ends as soon as a list succeeds
 * or a watch is established again; a watch the server closes normally is not a failure. Below
 * `maxStaleMs` the last known Secrets are served, since Argo CD's own cache would serve them too.
 *
 * Unreadable Secrets are kept as `InventoryProblem`s (with name and labels when readable), logged
 * without their data and counted; they are never dropped. What is no Secret at all (a watch event
 * without an object or a name, of the wrong shape or of an unknown type) is logged with its
 * shape, counted as an anomaly and ignored. A list is at most `maxListPages` pages, and is given
 * up (an anomaly, then a failure that the backoff and the staleness rule handle) when its
 * `continue` tokens repeat or do not end.
 *
 * @example
 * const inventory = ArgoCdClusterInventory.fromConfig({ namespace: 'argocd', logger, problemCounter: metrics.inventoryProblems });
 * inventory.start();
 * await inventory.whenReady(10_000);
 */
export class ArgoCdClusterInventory implements ClusterInventory, ClusterConnections {
  private readonly api: CoreV1Api;
  private readonly watcher: Watch;
  private readonly namespace: string;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly settings: {
    inClusterEntry: boolean;
    maxStaleMs: number;
    resyncIntervalMs: number;
    listPageSize: number;
    maxListPages: number;
    watchTimeoutSeconds: number;
    watchGraceMs: number;
    backoffInitialMs: number;
    backoffMaxMs: number;
    healthyWatchMs: number;
  };

  private entries = new Map<string, SecretEntry>();
  private view: InventoryView | undefined;
  private reportedProblems = new Set<string>();
  private resourceVersion: string | undefined;
  private failingSince: number | undefined;
  private lastFailure: string | undefined;

  private started = false;
  private closed = false;
  private loop: Promise<void> | undefined;
  /** Aborts whatever the loop is waiting on: the list, the watch, or a backoff pause. */
  private interrupt: ((reason: WatchEnd['reason']) => void) | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private resyncDue = false;
  private readonly readyWaiters: (() => void)[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly options: ArgoCdClusterInventoryOptions,
    kubeConfig: KubeConfig,
  ) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kubeConfig);
    this.namespace = options.namespace;
    this.logger = options.logger.child({ inventory: 'argocd', namespace: options.namespace });
    this.now = options.now ?? Date.now;
    this.settings = {
      inClusterEntry: options.inClusterEntry ?? true,
      maxStaleMs: options.maxStaleMs ?? 5 * 60_000,
      resyncIntervalMs: options.resyncIntervalMs ?? 10 * 60_000,
      listPageSize: Math.max(1, options.listPageSize ?? 500),
      maxListPages: Math.max(1, options.maxListPages ?? 200),
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
      watchGraceMs: options.watchGraceMs ?? 30_000,
      backoffInitialMs: options.backoff?.initialMs ?? 250,
      backoffMaxMs: options.backoff?.maxMs ?? 30_000,
      healthyWatchMs: options.healthyWatchMs ?? 1000,
    };
  }

  /**
   * Uses the pod's ServiceAccount in a cluster, or KUBECONFIG / ~/.kube/config on a laptop
   * (`KubeConfig.loadFromDefault`). The identity needs get, list and watch on Secrets in `namespace`.
   */
  static fromConfig(config: ArgoCdClusterInventoryConfig): ArgoCdClusterInventory {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    if (config.context !== undefined) kubeConfig.setCurrentContext(config.context);
    return new ArgoCdClusterInventory(config, kubeConfig);
  }

  /** Starts listing and watching in the background. Idempotent. */
  start(): this {
    if (this.started || this.closed) return this;
    this.started = true;
    this.scheduleResync();
    this.loop = this.run().catch((err: unknown) => {
      // A bug, not an upstream failure: keep the process up but make the inventory refuse to answer.
      this.logger.error({ err }, 'the Argo CD cluster Secret watch stopped on an unexpected error');
      this.failingSince ??= this.now() - this.settings.maxStaleMs - 1;
      this.lastFailure = 'the watch stopped on an internal error (see logs)';
    });
    return this;
  }

  /** Stops the watch and every timer; resolves once the background loop has ended. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.interrupt?.('stopped');
    await this.loop;
  }

  /** Resolves once the first list has loaded; rejects with `UnavailableError` after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.view) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.readyWaiters.indexOf(done);
        if (index >= 0) this.readyWaiters.splice(index, 1);
        reject(this.unavailable());
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.readyWaiters.push(done);
    });
  }

  isReady(): boolean {
    return this.view !== undefined;
  }

  /** The clusters and problems as last seen; throws `UnavailableError` by the staleness rule above. */
  snapshot(): InventorySnapshot {
    if (!this.view) throw this.unavailable();
    if (this.failingSince !== undefined && this.now() - this.failingSince > this.settings.maxStaleMs) {
      const seconds = Math.round((this.now() - this.failingSince) / 1000);
      throw new UnavailableError(
        'GL_INVENTORY_UNAVAILABLE',
        `Argo CD cluster Secrets in namespace "${this.namespace}" could not be watched for ${seconds} s (last error: ${this.lastFailure ?? 'unknown'}); ` +
          'greenlight does not answer from a list that old. Check that greenlight can reach the Kubernetes API and may list and watch Secrets there.',
      );
    }
    return this.view.snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connectionFor(clusterName: string): ClusterConnection | undefined {
    return this.view?.connections.get(clusterName);
  }

  private unavailable(): UnavailableError {
    const why = this.lastFailure ? ` (last error: ${this.lastFailure})` : '';
    return new UnavailableError(
      'GL_INVENTORY_UNAVAILABLE',
      `Argo CD cluster Secrets in namespace "${this.namespace}" are not loaded yet${why}; retry shortly`,
    );
  }

  private scheduleResync(): void {
    this.resyncTimer = setTimeout(() => {
      this.resyncDue = true;
      this.interrupt?.('resync');
      this.scheduleResync();
    }, this.settings.resyncIntervalMs);
    this.resyncTimer.unref();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    const pause = async () => {
      const base = Math.min(this.settings.backoffMaxMs, this.settings.backoffInitialMs * 2 ** attempt);
      attempt++;
      const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
      this.logger.debug({ delayMs, attempt }, 'reading Argo CD cluster Secrets again after a pause');
      await this.sleep(delayMs);
    };
    while (!this.closed) {
      if (this.resourceVersion === undefined || this.resyncDue) {
        this.resyncDue = false;
        const failure = await this.list();
        if (this.closed) return;
        if (failure) {
          this.recordFailure('list', failure);
          await pause();
          continue;
        }
      }
      const end = await this.watchOnce();
      if (this.closed || end.reason === 'stopped') return;
      if (end.reason === 'gone' || end.reason === 'resync') this.resourceVersion = undefined;
      if (end.failure) this.recordFailure('watch', end.failure);
      else if (end.reason === 'idle') this.recordFailure('watch', { kind: 'network', detail: 'the watch went silent' });
      // A watch that was healthy for a while starts the backoff over, even if it ended in an
      // error: the next reconnect waits the initial delay, not a delay grown by old failures.
      if (end.livedMs >= this.settings.healthyWatchMs) {
        attempt = 0;
        if (end.reason === 'failed') await pause();
      } else await pause();
    }
  }

  /** Lists every cluster Secret and replaces what is known. Returns the failure, if any. */
  private async list(): Promise<KubeFailure | undefined> {
    const controller = new AbortController();
    // A resync due during a list needs nothing more: this list is the fresh one.
    this.interrupt = (reason) => {
      if (reason !== 'resync') controller.abort();
    };
    try {
      // Pages of one consistent snapshot: the API server serves every page of a list from the
      // first page's resourceVersion, which the watch then starts from. An expired continue
      // token (410) fails this list; the loop lists again from the start.
      const next = new Map<string, SecretEntry>();
      let resourceVersion = '';
      let token: string | undefined;
      const tokens = new Set<string>();
      let pages = 0;
      do {
        if (pages >= this.settings.maxListPages) {
          return this.endlessList('list-page-cap', `the list of cluster Secrets still had more pages after ${this.settings.maxListPages} pages of ${this.settings.listPageSize}`);
        }
        pages++;
        const page = await raceAbort(
          this.api.listNamespacedSecret(
            { namespace: this.namespace, labelSelector: CLUSTER_SECRET_SELECTOR, limit: this.settings.listPageSize, ...(token ? { _continue: token } : {}) },
            abortable(controller.signal),
          ),
          controller.signal,
        );
        for (const item of page.items) {
          const name = metadataString(item, 'name');
          if (name === undefined) {
            this.anomaly('list-item-no-name', 'a listed object has no metadata.name; ignored', item);
            continue;
          }
          if (!clusterSecretSchema.safeParse(item).success) {
            this.anomaly('list-item-wrong-shape', `listed object "${name.slice(0, 253)}" is not shaped like a Secret (metadata labels/annotations or data not string maps); ignored`, item);
            continue;
          }
          const entry = this.read(item);
          next.set(entry.secretName, entry);
        }
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        token = page.metadata?._continue || undefined;
        if (token !== undefined) {
          if (tokens.has(token)) {
            return this.endlessList('list-token-repeated', `the API server handed the same continue token twice (page ${pages})`);
          }
          tokens.add(token);
        }
      } while (token !== undefined);
      this.entries = next;
      this.resourceVersion = resourceVersion;
      this.healthy();
      this.publish();
      this.logger.info({ clusters: this.view?.snapshot.clusters.length, problems: this.view?.snapshot.problems.length }, 'Argo CD cluster Secrets listed');
      return undefined;
    } catch (err) {
      return describeKubeFailure(err);
    } finally {
      this.interrupt = undefined;
    }
  }

  /** Watches from `resourceVersion` until the watch ends; never rejects. */
  private watchOnce(): Promise<WatchEnd> {
    const startedAt = this.now();
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      let controller: AbortController | undefined;
      let stopReason: WatchEnd['reason'] | undefined;
      let gone = false;
      let failure: KubeFailure | undefined;
      let idleTimer: NodeJS.Timeout | undefined;
      const idleMs = this.settings.watchTimeoutSeconds * 1000 + this.settings.watchGraceMs;

      const settle = (reason: WatchEnd['reason'], why?: KubeFailure) => {
        if (settled) return;
        settled = true;
        if (idleTimer) clearTimeout(idleTimer);
        this.interrupt = undefined;
        controller?.abort();
        resolve({ reason, livedMs: this.now() - startedAt, ...(why ? { failure: why } : {}) });
      };
      const stop = (reason: WatchEnd['reason']) => {
        stopReason = reason;
        settle(reason);
      };
      const armIdle = () => {
        if (idleTimer) clearTimeout(idleTimer);
        idleTimer = setTimeout(() => stop('idle'), idleMs);
        idleTimer.unref();
      };
      this.interrupt = stop;

      const onEvent = (type: string, object: unknown) => {
        if (settled) return;
        armIdle();
        if (type === 'ERROR') {
          const status = kubeStatusSchema.safeParse(object);
          const code = status.success ? status.data.code : undefined;
          if (code === 410) {
            gone = true;
            this.logger.info('the watch resourceVersion expired (410 Gone); listing again');
          } else {
            const message = status.success ? status.data.message : undefined;
            failure = { kind: 'http', ...(code !== undefined ? { status: code } : {}), detail: message !== undefined ? quoteUpstream(message) : 'the watch sent an ERROR event' };
          }
          settle(gone ? 'gone' : 'failed', failure);
          return;
        }
        const rv = metadataString(object, 'resourceVersion');
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
          // An event that names no Secret cannot be applied: applied, it would become a nameless
          // problem that fails every selection by labels until the next relist. Log, count, skip.
          if (typeof object !== 'object' || object === null || Array.isArray(object)) {
            this.anomaly('event-no-object', `a watch ${type} event carries no object; ignored`, object, type);
            return;
          }
          const name = metadataString(object, 'name');
          if (name === undefined) {
            this.anomaly('event-no-name', `a watch ${type} event carries an object without metadata.name; ignored`, object, type);
            return;
          }
          // The API server only sends Secrets: string maps for labels, annotations and data. Bad
          // *values* (data that is not a cluster registration) are a problem of that Secret; a
          // wrong shape is no Secret at all, and would be a problem without a cluster name.
          if (!clusterSecretSchema.safeParse(object).success) {
            this.anomaly('event-wrong-shape', `a watch ${type} event for "${name.slice(0, 253)}" carries an object not shaped like a Secret; ignored`, object, type);
            return;
          }
        } else if (type !== 'BOOKMARK') {
          this.anomaly('event-unknown-type', 'a watch event of an unknown type; ignored', object, type);
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED') {
          const entry = this.read(object);
          this.entries.set(entry.secretName, entry);
          this.publish();
        } else if (type === 'DELETED') {
          const entry = this.read(object);
          if (this.entries.delete(entry.secretName)) this.publish();
        }
        // BOOKMARK carries only a newer resourceVersion to resume from.
        if (rv) this.resourceVersion = rv;
      };

      const onDone = (err: unknown) => {
        if (settled) return;
        if (stopReason) return settle(stopReason);
        if (err === null || err === undefined) return settle(gone ? 'gone' : 'closed');
        const why = describeKubeFailure(err);
        if (why.status === 410) return settle('gone');
        settle('failed', why);
      };

      const query = {
        labelSelector: CLUSTER_SECRET_SELECTOR,
        resourceVersion: this.resourceVersion ?? '',
        allowWatchBookmarks: true,
        timeoutSeconds: this.settings.watchTimeoutSeconds,
      };
      armIdle();
      this.watcher.watch(`/api/v1/namespaces/${encodeURIComponent(this.namespace)}/secrets`, query, onEvent, onDone).then(
        (c) => {
          controller = c;
          if (settled) {
            c.abort();
            return;
          }
          // The watch is established (the server answered 200): the data is current again.
          this.healthy();
        },
        (err: unknown) => onDone(err ?? new Error('the watch could not start')),
      );
    });
  }

  /** Parses a Secret, reusing the previous result when its resourceVersion has not changed. */
  private read(object: unknown): SecretEntry {
    const entry = parseClusterSecret(object, this.namespace);
    const previous = this.entries.get(entry.secretName);
    if (previous && entry.resourceVersion !== undefined && previous.resourceVersion === entry.resourceVersion) return previous;
    return entry;
  }

  /** Rebuilds the view; logs and counts problems that were not there before. */
  private publish(): void {
    const view = buildInventoryView(this.entries.values(), { inClusterEntry: this.settings.inClusterEntry });
    const keys = new Set<string>();
    for (const problem of view.snapshot.problems) {
      const key = problemKey(problem);
      keys.add(key);
      if (this.reportedProblems.has(key)) continue;
      // Origin, name, labels and reason only: the reason names keys, never the Secret's data.
      this.logger.warn(
        { origin: problem.origin, cluster: problem.name, labels: problem.labels, reason: problem.reason },
        'an Argo CD cluster Secret cannot be used; requests that select it fail until it is fixed',
      );
      this.options.problemCounter?.inc({ inventory: INVENTORY_LABEL });
    }
    this.reportedProblems = keys;
    const firstView = this.view === undefined;
    this.view = view;
    if (firstView) this.readyWaiters.splice(0).forEach((wake) => wake());
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.logger.error({ err }, 'an inventory listener failed');
      }
    }
  }

  /** Logs (with what the object was, never its data) and counts something the API server sent that cannot be used. */
  private anomaly(reason: AnomalyReason, message: string, object: unknown, eventType?: string): void {
    this.options.anomalyCounter?.inc({ inventory: INVENTORY_LABEL, reason });
    this.logger.warn(
      { reason, ...(eventType !== undefined ? { eventType: String(eventType).slice(0, 40) } : {}), ...(object !== undefined ? { object: describeShape(object) } : {}) },
      message,
    );
  }

  /** Gives up a list whose paging does not end: reported, then the loop starts over after its backoff. */
  private endlessList(reason: 'list-page-cap' | 'list-token-repeated', detail: string): KubeFailure {
    this.anomaly(
      reason,
      `${detail}: greenlight gave up this list rather than call the API server in a loop, keeps serving the Secrets it last read, and lists again after a backoff. ` +
        'If it keeps happening, check the Kubernetes API server (or a proxy in front of it) that serves the Secret list',
      undefined,
    );
    return { kind: 'other', detail: `${detail}; the list was given up` };
  }

  private healthy(): void {
    if (this.failingSince !== undefined) this.logger.info('the Argo CD cluster Secret watch is healthy again');
    this.failingSince = undefined;
    this.lastFailure = undefined;
  }

  private recordFailure(step: 'list' | 'watch', failure: KubeFailure): void {
    this.failingSince ??= this.now();
    this.lastFailure = `${step}: ${failureText(failure)}`;
    const advice =
      failure.status === 401 || failure.status === 403
        ? `greenlight's identity must be allowed to get, list and watch secrets in namespace "${this.namespace}" (a Role bound to its ServiceAccount)`
        : 'retrying with backoff';
    this.logger.warn({ step, status: failure.status, error: failure.detail }, `Argo CD cluster Secrets could not be read: ${advice}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interrupt = () => {
        this.interrupt = undefined;
        done();
      };
    });
  }
}

function failureText(failure: KubeFailure): string {
  return failure.status !== undefined ? `HTTP ${failure.status}: ${failure.detail}` : failure.detail;
}

function problemKey(problem: InventoryProblem): string {
  return `${problem.origin}\n${problem.reason}`;
}

/** `metadata.<key>` of an object as the API sent it, when it is a non-empty string. */
function metadataString(object: unknown, key: 'name' | 'resourceVersion'): string | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const metadata: unknown = (object as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const value: unknown = (metadata as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What an unusable object looked like, for a log line: its type and top-level keys, never values (a Secret's data is credentials). */
function describeShape(object: unknown): string {
  if (object === undefined) return 'none';
  if (object === null) return 'null';
  if (Array.isArray(object)) return `an array of ${object.length}`;
  if (typeof object !== 'object') return `a ${typeof object}`;
  const keys = Object.keys(object).slice(0, 10).map((k) => k.slice(0, 40));
  return `an object with keys [${keys.join(', ')}]`;
}
