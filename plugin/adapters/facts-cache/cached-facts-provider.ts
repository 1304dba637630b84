/**
 * @module The facts cache: a `ClusterFactsProvider` over several `FactSource`s (EKS, the
 * cluster's own API, SSM). The controller calls on every reconcile and webhook, up to ten
 * ApplicationSets at once, so upstream load must not follow request load: each cluster × source
 * entry has a TTL, a refresh ahead of expiry, one shared fetch at a time, a global bound on
 * concurrent fetches, a rate budget per source and retries with backoff. When a refresh fails,
 * last-known-good facts are served (marked stale) up to a max staleness; past it the lookup
 * fails closed, naming the cluster, the source and the cause. A refresh that hangs (no answer,
 * no error) is treated the same way once it has run for an attempt timeout: slow is not failed,
 * but nobody waits for it past that. The cache is bounded in entries and in bytes, and entries
 * nothing can be served from any more are swept.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { Registry } from 'prom-client';
import {
  TimeoutError,
  UpstreamError,
  type CancelSignal,
  type ClusterFacts,
  type ClusterFactsProvider,
  type ClusterRecord,
  type FactsOrigin,
  type FactsResult,
  type FactSource,
  type FactSourceName,
} from '../../../generator/index.js';
import { ENTRY_OVERHEAD_BYTES, estimateBytes, type CacheStats, type StatsSource } from '../../cache-stats.js';
import { createLogger, type Logger } from '../../logger.js';
import { FactsCacheMetrics, type LookupResult } from './facts-cache-metrics.js';
import { RateBudget, type RateBudgetOptions } from './rate-budget.js';
import { systemClock, systemSleep, type Clock, type Sleep } from './timing.js';
import { classifyUpstreamError, describeUpstreamError, isRetryable, type UpstreamErrorClass } from './upstream-errors.js';

/** Retries of one fetch, on throttling, 5xx, network errors and timeouts only. */
export interface RetryOptions {
  /** Attempts per fetch, the first one included; `1` turns retries off. Default 4. */
  readonly maxAttempts?: number;
  /** Backoff before the first retry; it doubles with each further retry. Default 200 ms. */
  readonly baseDelayMs?: number;
  /** Cap on one backoff. Default 3 000 ms. */
  readonly maxDelayMs?: number;
}

/** Options of {@link CachedFactsProvider}; only `sources` is required. */
export interface CachedFactsProviderOptions {
  /** The fact sources, at most one per source name. Facts are merged in this order. */
  readonly sources: readonly FactSource[];
  /** How long fetched facts are served without asking the source again. Default 5 min. */
  readonly ttlMs?: number;
  /**
   * The last part of the TTL in which a lookup still gets the cached facts at once but also
   * starts one background refresh, so that busy entries never expire in front of a caller.
   * `0` turns it off; must be less than `ttlMs`. Default 1 min, or a fifth of `ttlMs` if that is less.
   */
  readonly refreshAheadMs?: number;
  /**
   * How old last-known-good facts may be and still be served (marked `stale: true`) when a
   * refresh fails. Past it, the lookup fails closed. `0` never serves stale facts. Default 1 h.
   */
  readonly maxStalenessMs?: number;
  /**
   * After a fetch failed for good, how long that failure answers lookups (last-known-good or
   * the error) without calling the source again, so a down upstream is not hammered by every
   * reconcile. `0` turns it off. Default 15 s.
   */
  readonly failureCooldownMs?: number;
  /** Cut-off of one fetch attempt, so a hung upstream cannot hold a shared fetch forever. Default 10 s. */
  readonly attemptTimeoutMs?: number;
  /** Most upstream fetches running at once, all sources together. Default 16. */
  readonly concurrency?: number;
  /**
   * Rate budget per source name: fetches wait for a token rather than fail. A source's entry
   * replaces its default; `null` means unlimited. One token is one fetch (one `FactSource.fetch`
   * call). Defaults: `eks` 20/s, `ssm` 40/s (SSM's per-account GetParametersByPath
   * throughput), `kubernetes` and `fleet` unlimited.
   */
  readonly rateBudgets?: Partial<Record<FactSourceName, RateBudgetOptions | null>>;
  /** Retry policy; see {@link RetryOptions}. */
  readonly retry?: RetryOptions;
  /** Most cluster × source entries kept; the least recently used go first. Default 10 000. */
  readonly maxEntries?: number;
  /**
   * Most bytes held, estimated per entry when its facts land (see `estimateBytes`): facts, key
   * and identity. The least recently used entries go first. Default 64 MiB.
   */
  readonly maxBytes?: number;
  /**
   * The cluster's identity: what of its registration its facts depend on. When it changes (say,
   * a new server URL, role or EKS cluster name), cached facts of the cluster are dropped rather
   * than served, even stale. Default: {@link clusterIdentity}.
   */
  readonly fingerprint?: (cluster: ClusterRecord, source: FactSourceName) => string;
  /** The setting operators change to allow older facts, named in error messages. Default `GREENLIGHT_FACTS_MAX_STALENESS_MS`. */
  readonly maxStalenessSetting?: string;
  /** Current time in epoch milliseconds. Default `Date.now`. */
  readonly clock?: Clock;
  /** Waits for backoffs, rate budget and attempt timeouts. Default: `setTimeout`, unref'd. */
  readonly sleep?: Sleep;
  /** Jitter source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** The prom-client registry the cache's metrics are registered on. Default: a private registry. */
  readonly metrics?: Registry;
  /** Where refresh failures are logged. Default: a silent logger. */
  readonly logger?: Logger;
}

/** The defaults of {@link CachedFactsProviderOptions}. */
export const FACTS_CACHE_DEFAULTS = Object.freeze({
  ttlMs: 5 * 60_000,
  refreshAheadMs: 60_000,
  maxStalenessMs: 60 * 60_000,
  failureCooldownMs: 15_000,
  attemptTimeoutMs: 10_000,
  concurrency: 16,
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxStalenessSetting: 'GREENLIGHT_FACTS_MAX_STALENESS_MS',
  retry: Object.freeze({ maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 3_000 }),
  rateBudgets: Object.freeze({
    eks: Object.freeze({ ratePerSecond: 20 }),
    ssm: Object.freeze({ ratePerSecond: 40 }),
    kubernetes: null,
    fleet: null,
  }) satisfies Record<FactSourceName, RateBudgetOptions | null>,
});

interface Good {
  readonly facts: ClusterFacts;
  readonly fetchedAt: number;
  /** Estimated bytes of `facts`, computed once when they landed. */
  readonly bytes: number;
}

interface Failure {
  readonly error: unknown;
  readonly errorClass: UpstreamErrorClass;
  readonly attempts: number;
  readonly at: number;
}

interface Entry {
  readonly key: string;
  readonly clusterName: string;
  readonly source: FactSourceName;
  readonly fingerprint: string;
  value: Good | undefined;
  failure: Failure | undefined;
  flight: Flight | undefined;
}

type FlightOutcome = { readonly kind: 'ok' } | { readonly kind: 'failed'; readonly failure: Failure } | { readonly kind: 'abandoned' };

type AttemptResult = { readonly ok: true; readonly facts: ClusterFacts } | { readonly ok: false; readonly error: unknown };

interface Served {
  readonly facts: ClusterFacts;
  readonly origin: FactsOrigin;
}

/**
 * One upstream fetch (with its retries) shared by every lookup that needs it. It retries only
 * while someone still waits for it (or it is a background refresh), so no retry outlives the
 * deadlines of all its callers; an attempt already under way is never cut short by a caller
 * leaving, and its result still lands in the cache.
 */
class Flight {
  private waiters = 0;
  private idle = new AbortController();
  promise: Promise<FlightOutcome> = Promise.resolve({ kind: 'abandoned' });
  /** Aborts when the flight has settled: ends the wait for it to be overdue. */
  readonly finished = new AbortController();
  /** Resolves once the flight has run for an attempt timeout (or has settled); made on first need. */
  overdue: Promise<void> | undefined;
  /** Whether a caller was already served stale facts because this flight hung (logged once). */
  reportedOverdue = false;
  /** False once callers were served stale facts instead: a hung upstream is not retried for nobody. */
  retries = true;
  /** The outcome, once settled. */
  outcome: FlightOutcome | undefined;

  /** `background`: runs without waiters (a refresh ahead, or one that callers stopped waiting for). */
  constructor(
    public background: boolean,
    readonly startedAt: number,
  ) {}

  get alive(): boolean {
    return this.background || this.waiters > 0;
  }

  /** Aborts when the last waiter leaves: wakes backoff and rate-budget waits so the flight can stop. */
  get idleSignal(): AbortSignal {
    return this.idle.signal;
  }

  join(): void {
    this.waiters += 1;
    if (this.idle.signal.aborted) this.idle = new AbortController();
  }

  leave(): void {
    this.waiters -= 1;
    if (!this.alive) this.idle.abort();
  }
}

/** A caller stopped waiting (its deadline passed); `factsFor` turns it into a `TimeoutError`. */
const CANCELLED: unique symbol = Symbol('cancelled');
/** A flight ran for an attempt timeout without an answer; a caller with last-known-good facts stops waiting. */
const OVERDUE: unique symbol = Symbol('overdue');
const ABANDONED: unique symbol = Symbol('abandoned');

function problemsOf(o: Required<Omit<CachedFactsProviderOptions, 'rateBudgets' | 'retry' | 'fingerprint' | 'metrics' | 'logger'>>, retry: Required<RetryOptions>): string[] {
  const problems: string[] = [];
  const whole = (n: number) => Number.isInteger(n);
  if (!(o.ttlMs > 0)) problems.push(`ttlMs must be greater than 0, got ${o.ttlMs}`);
  if (!(o.refreshAheadMs >= 0 && o.refreshAheadMs < o.ttlMs)) problems.push(`refreshAheadMs must be at least 0 and less than ttlMs (${o.ttlMs}), got ${o.refreshAheadMs}`);
  if (!(o.maxStalenessMs >= 0)) problems.push(`maxStalenessMs must be at least 0, got ${o.maxStalenessMs}`);
  if (!(o.failureCooldownMs >= 0)) problems.push(`failureCooldownMs must be at least 0, got ${o.failureCooldownMs}`);
  if (!(o.attemptTimeoutMs > 0)) problems.push(`attemptTimeoutMs must be greater than 0, got ${o.attemptTimeoutMs}`);
  if (!(whole(o.concurrency) && o.concurrency >= 1)) problems.push(`concurrency must be a whole number of at least 1, got ${o.concurrency}`);
  if (!(whole(o.maxEntries) && o.maxEntries >= 1)) problems.push(`maxEntries must be a whole number of at least 1, got ${o.maxEntries}`);
  if (!(whole(o.maxBytes) && o.maxBytes >= 1)) problems.push(`maxBytes must be a whole number of at least 1, got ${o.maxBytes}`);
  if (!(whole(retry.maxAttempts) && retry.maxAttempts >= 1)) problems.push(`retry.maxAttempts must be a whole number of at least 1, got ${retry.maxAttempts}`);
  if (!(retry.baseDelayMs >= 0)) problems.push(`retry.baseDelayMs must be at least 0, got ${retry.baseDelayMs}`);
  if (!(retry.maxDelayMs >= retry.baseDelayMs)) problems.push(`retry.maxDelayMs must be at least retry.baseDelayMs (${retry.baseDelayMs}), got ${retry.maxDelayMs}`);
  const names = o.sources.map((s) => s.source);
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) problems.push(`sources must have distinct names; given twice: ${[...new Set(duplicates)].join(', ')}`);
  return problems;
}

/**
 * The default identity of a cluster, which its cached facts are bound to: the server URL
 * (without trailing slashes), and `awsAuthConfig`'s EKS cluster name, role (its ARN names the
 * account) and profile. Neither the Secret's uid nor its resourceVersion is part of it: a
 * Secret re-created with the same identity is the same cluster, and a new bearer token or
 * label is not a new cluster. A cluster re-created in EKS under the same name gets a new
 * endpoint (so a new `server`) unless the Secret names it through an alias; that is why stale
 * facts are marked `facts.stale` and bounded by the max staleness.
 */
export function clusterIdentity(cluster: ClusterRecord): string {
  return JSON.stringify([cluster.server.replace(/\/+$/, ''), cluster.aws?.clusterName ?? null, cluster.aws?.roleArn ?? null, cluster.aws?.profile ?? null]);
}

/** `90_000` → `1m30s`, `7_200_000` → `2h`: durations the way operators read them. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (totalMinutes < 60) return seconds === 0 || totalMinutes >= 10 ? `${totalMinutes}m` : `${totalMinutes}m${seconds}s`;
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return minutes === 0 ? `${hours}h` : `${hours}h${minutes}m`;
}

function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function mergeFacts(parts: readonly ClusterFacts[]): ClusterFacts {
  const merged: ClusterFacts = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      // Each source owns its own groups (eks/podIdentity/addons, kubernetes, secrets); a group a
      // source leaves undefined must not erase what another source gave.
      if (value !== undefined) Object.assign(merged, { [key]: value });
    }
  }
  return merged;
}

/**
 * The facts cache. Implements `ClusterFactsProvider` for the core over any number of
 * `FactSource`s; see the module comment for the rules it keeps.
 *
 * @example
 * const facts = new CachedFactsProvider({
 *   sources: [eksSource, kubernetesSource, ssmSource],
 *   ttlMs: config.factsTtlMs,
 *   maxStalenessMs: config.factsMaxStalenessMs,
 *   metrics: metrics.registry,
 *   logger,
 * });
 * inventoryChanged((clusters) => facts.retainOnly(clusters.map((c) => c.name)));
 */
export class CachedFactsProvider implements ClusterFactsProvider, StatsSource {
  readonly metrics: FactsCacheMetrics;
  private readonly sources: readonly FactSource[];
  private readonly ttlMs: number;
  private readonly refreshAheadMs: number;
  private readonly maxStalenessMs: number;
  private readonly failureCooldownMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxStalenessSetting: string;
  private readonly retry: Required<RetryOptions>;
  private readonly budgets = new Map<FactSourceName, RateBudget>();
  private readonly fingerprint: (cluster: ClusterRecord, source: FactSourceName) => string;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly limit: LimitFunction;
  /** Insertion order is recency order: a lookup moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  /** Estimated bytes of the entries held (see `entryBytes`). */
  private bytes = 0;

  /** @throws RangeError listing every invalid option at once. */
  constructor(options: CachedFactsProviderOptions) {
    const d = FACTS_CACHE_DEFAULTS;
    const base = {
      sources: options.sources,
      ttlMs: options.ttlMs ?? d.ttlMs,
      refreshAheadMs: options.refreshAheadMs ?? Math.min(d.refreshAheadMs, Math.floor((options.ttlMs ?? d.ttlMs) / 5)),
      maxStalenessMs: options.maxStalenessMs ?? d.maxStalenessMs,
      failureCooldownMs: options.failureCooldownMs ?? d.failureCooldownMs,
      attemptTimeoutMs: options.attemptTimeoutMs ?? d.attemptTimeoutMs,
      concurrency: options.concurrency ?? d.concurrency,
      maxEntries: options.maxEntries ?? d.maxEntries,
      maxBytes: options.maxBytes ?? d.maxBytes,
      maxStalenessSetting: options.maxStalenessSetting ?? d.maxStalenessSetting,
      clock: options.clock ?? systemClock,
      sleep: options.sleep ?? systemSleep,
      random: options.random ?? Math.random,
    };
    const retry = { ...d.retry, ...options.retry };
    const problems = problemsOf(base, retry);
    if (problems.length > 0) throw new RangeError(`invalid facts cache options: ${problems.join('; ')}`);

    this.sources = [...base.sources];
    this.ttlMs = base.ttlMs;
    this.refreshAheadMs = base.refreshAheadMs;
    this.maxStalenessMs = base.maxStalenessMs;
    this.failureCooldownMs = base.failureCooldownMs;
    this.attemptTimeoutMs = base.attemptTimeoutMs;
    this.maxEntries = base.maxEntries;
    this.maxBytes = base.maxBytes;
    this.maxStalenessSetting = base.maxStalenessSetting;
    this.retry = retry;
    this.clock = base.clock;
    this.sleep = base.sleep;
    this.random = base.random;
    this.fingerprint = options.fingerprint ?? clusterIdentity;
    this.logger = options.logger ?? createLogger('silent');
    this.limit = pLimit(base.concurrency);
    const budgets = { ...d.rateBudgets, ...options.rateBudgets };
    for (const source of this.sources) {
      const budget = budgets[source.source];
      if (budget) this.budgets.set(source.source, new RateBudget(budget, this.clock, this.sleep));
    }
    this.metrics = new FactsCacheMetrics(options.metrics ?? new Registry());
    this.metrics.observe({
      entriesBySource: () => this.countBySource(),
      oldestAgeBySource: () => this.oldestAgeBySource(),
    });
  }

  /**
   * The facts of `cluster` from every source that applies to it, merged, with one origin per
   * source. Rejects with `UpstreamError` (GL_FACTS_UNAVAILABLE) when a source has neither fresh
   * nor acceptable last-known-good facts, and with `TimeoutError` (GL_DEADLINE_EXCEEDED) as
   * soon as `signal` aborts; fetches under way go on and fill the cache for the next request.
   */
  factsFor(cluster: ClusterRecord, signal: CancelSignal): Promise<FactsResult> {
    let applicable: FactSource[];
    try {
      applicable = this.sources.filter((s) => s.appliesTo(cluster));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    if (applicable.length === 0) return Promise.resolve({ facts: {}, origins: [] });
    if (signal.aborted) return Promise.reject(this.deadlineError(cluster, applicable.map((s) => s.source)));

    return new Promise<FactsResult>((resolve, reject) => {
      const pending = new Set<FactSourceName>(applicable.map((s) => s.source));
      const served = new Map<FactSourceName, Served>();
      // Lookups wait on this, not on the caller's signal, so that they also stop holding shared
      // fetches alive once this call has failed for another reason.
      const local = new AbortController();
      let settled = false;
      const finish = () => {
        settled = true;
        signal.removeEventListener('abort', onAbort);
        // Only lookups still waiting need releasing; on success none are (and abort() would build
        // a DOMException on every warm request for nothing).
        if (pending.size > 0) local.abort();
      };
      const onAbort = () => {
        if (settled) return;
        const stillPending = [...pending];
        finish();
        reject(this.deadlineError(cluster, stillPending));
      };
      signal.addEventListener('abort', onAbort, { once: true });

      for (const source of applicable) {
        this.lookup(cluster, source, local.signal).then(
          (result) => {
            pending.delete(source.source);
            served.set(source.source, result);
            if (settled || pending.size > 0) return;
            finish();
            const parts = applicable.flatMap((s) => served.get(s.source) ?? []);
            resolve({ facts: mergeFacts(parts.map((p) => p.facts)), origins: parts.map((p) => p.origin) });
          },
          (err: unknown) => {
            if (settled) return;
            if (err === CANCELLED || signal.aborted) return onAbort();
            finish();
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
      }
    });
  }

  /** Drops every cached fact of a cluster, e.g. when it leaves the inventory. */
  forget(clusterName: string): void {
    for (const source of this.sources) {
      const entry = this.entries.get(this.key(clusterName, source.source));
      if (entry) this.remove(entry);
    }
  }

  /** Drops the facts of every cluster not named: call it with each new inventory snapshot. */
  retainOnly(clusterNames: Iterable<string>): void {
    const keep = new Set(clusterNames);
    for (const entry of this.entries.values()) if (!keep.has(entry.clusterName)) this.remove(entry);
  }

  /**
   * Drops the entries nothing can be served from any more: facts older than both the TTL and
   * the max staleness, failures past their cooldown, with no fetch under way. Call it now and
   * then (the live fleet does, every minute); lookups never depend on it.
   */
  sweep(): void {
    const now = this.clock();
    const keepFor = Math.max(this.ttlMs, this.maxStalenessMs);
    for (const entry of this.entries.values()) {
      if (entry.flight !== undefined || this.coolingDown(entry, now)) continue;
      if (entry.value === undefined || now - entry.value.fetchedAt > keepFor) this.remove(entry);
    }
  }

  /** Cluster × source entries held. */
  get size(): number {
    return this.entries.size;
  }

  stats(): CacheStats {
    return { entries: this.entries.size, bytes: this.bytes, maxBytes: this.maxBytes };
  }

  private key(clusterName: string, source: FactSourceName): string {
    // Source names are a fixed set without NUL, so the key is unambiguous whatever the cluster name holds.
    return `${source}\u0000${clusterName}`;
  }

  /** What an entry holds besides its facts: key, names, identity and the entry itself. */
  private static baseBytes(entry: Entry): number {
    return (entry.key.length + entry.clusterName.length + entry.fingerprint.length) * 2 + ENTRY_OVERHEAD_BYTES;
  }

  private remove(entry: Entry): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    this.bytes -= CachedFactsProvider.baseBytes(entry) + (entry.value?.bytes ?? 0);
  }

  /** Stores fetched facts; the byte count follows only while the entry is still held (it may have been evicted meanwhile). */
  private store(entry: Entry, facts: ClusterFacts): void {
    const value: Good = { facts: deepFreeze(facts), fetchedAt: this.clock(), bytes: estimateBytes(facts) };
    const held = this.entries.get(entry.key) === entry;
    if (held) this.bytes += value.bytes - (entry.value?.bytes ?? 0);
    entry.value = value;
    if (held) this.evict();
  }

  private entryFor(cluster: ClusterRecord, source: FactSourceName): Entry {
    const key = this.key(cluster.name, source);
    const fingerprint = this.fingerprint(cluster, source);
    const existing = this.entries.get(key);
    if (existing && existing.fingerprint === fingerprint) {
      // Most recently used goes last.
      this.entries.delete(key);
      this.entries.set(key, existing);
      return existing;
    }
    if (existing) {
      this.logger.info({ cluster: cluster.name, source }, 'cluster identity changed (server, awsAuthConfig); its cached facts are dropped and never served, even stale');
      this.remove(existing);
    }
    const entry: Entry = { key, clusterName: cluster.name, source, fingerprint, value: undefined, failure: undefined, flight: undefined };
    this.entries.set(key, entry);
    this.bytes += CachedFactsProvider.baseBytes(entry);
    this.evict();
    return entry;
  }

  private evict(): void {
    while (this.entries.size > this.maxEntries || (this.bytes > this.maxBytes && this.entries.size > 1)) {
      // Least recently used first, sparing entries whose fetch is under way so a burst of new
      // clusters cannot break single-flight for those being fetched.
      let victim: Entry | undefined;
      for (const entry of this.entries.values()) {
        if (entry.flight === undefined) {
          victim = entry;
          break;
        }
      }
      victim ??= this.entries.values().next().value;
      if (victim === undefined) return;
      this.remove(victim);
    }
  }

  private coolingDown(entry: Entry, now: number): boolean {
    return entry.failure !== undefined && now - entry.failure.at < this.failureCooldownMs;
  }

  private async lookup(cluster: ClusterRecord, source: FactSource, signal: AbortSignal): Promise<Served> {
    const name = source.source;
    const entry = this.entryFor(cluster, name);
    const now = this.clock();
    const value = entry.value;
    if (value && now - value.fetchedAt < this.ttlMs) {
      const age = now - value.fetchedAt;
      if (age >= this.ttlMs - this.refreshAheadMs && entry.flight === undefined && !this.coolingDown(entry, now)) {
        this.metrics.backgroundRefreshes.inc({ source: name });
        this.startFlight(entry, source, cluster, true);
      }
      return this.serve(entry, value, false, 'hit', now);
    }
    if (entry.flight === undefined && entry.failure && this.coolingDown(entry, now)) {
      return this.fallBack(entry, entry.failure, now);
    }

    let flight = entry.flight;
    if (flight) {
      flight.join();
      this.metrics.singleFlightJoins.inc({ source: name });
    } else {
      flight = this.startFlight(entry, source, cluster, false);
    }
    // Slow is not failed: with last good facts of this same cluster identity (the entry is bound
    // to it) within the max staleness, wait for the refresh only until it has run for an attempt
    // timeout; then serve those facts, marked stale, and let the refresh go on in the background.
    const staleUntil = value ? value.fetchedAt + this.maxStalenessMs : undefined;
    const overdue = staleUntil !== undefined && now <= staleUntil ? this.overdue(flight) : undefined;
    let outcome = await this.waitFor(flight, signal, overdue);
    if (outcome === OVERDUE) {
      const after = this.clock();
      if (entry.value && staleUntil !== undefined && after <= staleUntil) {
        // Nobody may be left waiting: the attempt under way goes on by itself (no retry after
        // it), and its result (fresh facts, or the failure and its cooldown) serves the next lookups.
        flight.background = true;
        flight.retries = false;
        flight.leave();
        this.reportOverdue(entry, flight, after);
        return this.serve(entry, entry.value, true, 'stale', after);
      }
      // Past the max staleness meanwhile: wait like a caller without facts.
      outcome = await this.waitFor(flight, signal, undefined);
    }
    flight.leave();
    if (outcome === CANCELLED || outcome === OVERDUE) {
      this.metrics.recordLookup(name, 'cancelled');
      throw CANCELLED;
    }
    const after = this.clock();
    if (outcome.kind === 'ok' && entry.value) return this.serve(entry, entry.value, false, 'miss', after);
    if (outcome.kind === 'failed') return this.fallBack(entry, outcome.failure, after);
    // Abandoned while this caller still waited cannot happen (a waiter keeps a flight alive);
    // looking up again is the safe answer if it ever does.
    return this.lookup(cluster, source, signal);
  }

  /** Resolves once `flight` has run for an attempt timeout, or has settled (one timer per flight). */
  private overdue(flight: Flight): Promise<void> {
    flight.overdue ??= this.sleep(Math.max(0, flight.startedAt + this.attemptTimeoutMs - this.clock()), flight.finished.signal);
    return flight.overdue;
  }

  private reportOverdue(entry: Entry, flight: Flight, now: number): void {
    if (flight.reportedOverdue) return;
    flight.reportedOverdue = true;
    this.logger.warn(
      {
        cluster: entry.clusterName,
        source: entry.source,
        waitedMs: now - flight.startedAt,
        ...(entry.value ? { lastGoodAgeSeconds: Math.round((now - entry.value.fetchedAt) / 1000) } : {}),
      },
      'facts refresh has not answered within the attempt timeout; serving last-known-good facts (marked stale) while it goes on',
    );
  }

  /**
   * The flight's outcome, `CANCELLED` when `signal` aborts first, or `OVERDUE` when `overdue`
   * resolves first.
   */
  private waitFor(flight: Flight, signal: AbortSignal, overdue: Promise<void> | undefined): Promise<FlightOutcome | typeof CANCELLED | typeof OVERDUE> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(CANCELLED);
      const onAbort = () => resolve(CANCELLED);
      signal.addEventListener('abort', onAbort, { once: true });
      void flight.promise.then((outcome) => {
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      });
      void overdue?.then(() => {
        signal.removeEventListener('abort', onAbort);
        // Settling ends `overdue` as well: the outcome, when there is one, wins.
        resolve(flight.outcome ?? OVERDUE);
      });
    });
  }

  private serve(entry: Entry, value: Good, stale: boolean, result: LookupResult, now: number): Served {
    this.metrics.recordLookup(entry.source, result, now - value.fetchedAt);
    return { facts: value.facts, origin: { source: entry.source, fetchedAt: new Date(value.fetchedAt).toISOString(), stale } };
  }

  /** Last-known-good within the max staleness, else the operator-facing error. */
  private fallBack(entry: Entry, failure: Failure, now: number): Served {
    const value = entry.value;
    if (value && now - value.fetchedAt <= this.maxStalenessMs) return this.serve(entry, value, true, 'stale', now);
    this.metrics.recordLookup(entry.source, 'unavailable');
    const retried = failure.attempts > 1 ? ` (gave up after ${failure.attempts} attempts)` : '';
    const cause = `${describeUpstreamError(failure.error)}${retried}`;
    const fallback = value
      ? `last good facts are ${formatDuration(now - value.fetchedAt)} old, older than ${this.maxStalenessSetting} (${formatDuration(this.maxStalenessMs)})`
      : 'there are no earlier facts to fall back on';
    // An adapter's own upstream code (say GL_CLUSTER_INVALID: a Secret lacks what EKS needs) is more precise than ours.
    const code = failure.error instanceof UpstreamError ? failure.error.code : 'GL_FACTS_UNAVAILABLE';
    throw new UpstreamError(code, `facts of cluster "${entry.clusterName}" from ${entry.source} are unavailable: ${cause}; ${fallback}`, {
      cause: failure.error,
    });
  }

  private deadlineError(cluster: ClusterRecord, pending: readonly FactSourceName[]): TimeoutError {
    return new TimeoutError(
      'GL_DEADLINE_EXCEEDED',
      `facts of cluster "${cluster.name}" from ${listNames(pending)} were not ready within the request deadline; the fetch goes on and its result will serve the next request`,
    );
  }

  private startFlight(entry: Entry, source: FactSource, cluster: ClusterRecord, background: boolean): Flight {
    const flight = new Flight(background, this.clock());
    // Join before the first await of run(): a flight nobody waits for stops at once.
    if (!background) flight.join();
    entry.flight = flight;
    flight.promise = this.run(entry, source, cluster, flight)
      .catch((err: unknown): FlightOutcome => {
        // run() handles upstream errors itself; reaching here is a bug, reported like a permanent failure.
        const failure: Failure = { error: err, errorClass: 'permanent', attempts: 1, at: this.clock() };
        if (entry.flight === flight) entry.flight = undefined;
        entry.failure = failure;
        return { kind: 'failed', failure };
      })
      .then((outcome) => {
        flight.outcome = outcome;
        // Ends the overdue wait, if any, so no timer outlives the flight.
        if (flight.overdue) flight.finished.abort();
        return outcome;
      });
    return flight;
  }

  private settle(entry: Entry, flight: Flight): void {
    if (entry.flight === flight) entry.flight = undefined;
  }

  private async run(entry: Entry, source: FactSource, cluster: ClusterRecord, flight: Flight): Promise<FlightOutcome> {
    const name = source.source;
    const budget = this.budgets.get(name);
    let attempts = 0;
    for (;;) {
      if (budget) {
        if (budget.waitMs() > 0) this.metrics.rateLimitedWaits.inc({ source: name });
        // A wait cut short by the last caller leaving, while a new one joined: queue again for a token.
        if (!(await budget.acquire(flight.idleSignal)) && flight.alive) continue;
      }
      // Checked and settled in one synchronous step, so no new caller can join a flight that is stopping.
      if (!flight.alive) {
        this.settle(entry, flight);
        return { kind: 'abandoned' };
      }
      attempts += 1;
      const result = await this.limit<[], AttemptResult | typeof ABANDONED>(() => (flight.alive ? this.attempt(source, cluster) : ABANDONED));
      if (result === ABANDONED) {
        this.settle(entry, flight);
        return { kind: 'abandoned' };
      }
      if (result.ok) {
        this.store(entry, result.facts);
        entry.failure = undefined;
        this.settle(entry, flight);
        return { kind: 'ok' };
      }
      const errorClass = classifyUpstreamError(result.error);
      this.metrics.recordError(name, errorClass);
      if (!isRetryable(errorClass) || attempts >= this.retry.maxAttempts || !flight.retries) {
        const failure: Failure = { error: result.error, errorClass, attempts, at: this.clock() };
        entry.failure = failure;
        this.settle(entry, flight);
        this.logFailure(entry, failure);
        return { kind: 'failed', failure };
      }
      await this.sleep(this.backoffMs(attempts), flight.idleSignal);
    }
  }

  /** Capped exponential backoff with equal jitter: never less than half the step, so retries stay spaced. */
  private backoffMs(attempt: number): number {
    const step = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(step / 2 + this.random() * (step / 2));
  }

  /** One call to the source, cut off after `attemptTimeoutMs`. Never rejects. */
  private attempt(source: FactSource, cluster: ClusterRecord): Promise<AttemptResult> {
    const name = source.source;
    this.metrics.upstreamCalls.inc({ source: name });
    const started = this.clock();
    const upstream = new AbortController();
    const timer = new AbortController();
    return new Promise<AttemptResult>((resolve) => {
      let done = false;
      const finish = (result: AttemptResult) => {
        if (done) return;
        done = true;
        timer.abort();
        this.metrics.upstreamDuration.observe({ source: name }, Math.max(0, this.clock() - started) / 1000);
        resolve(result);
      };
      void this.sleep(this.attemptTimeoutMs, timer.signal).then(() => {
        if (done || timer.signal.aborted) return;
        const error = new TimeoutError('GL_DEADLINE_EXCEEDED', `${name} gave no answer within ${formatDuration(this.attemptTimeoutMs)}`);
        upstream.abort(error);
        finish({ ok: false, error });
      });
      let fetching: Promise<ClusterFacts>;
      try {
        fetching = source.fetch(cluster, upstream.signal);
      } catch (err) {
        fetching = Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      fetching.then(
        (facts) => finish({ ok: true, facts }),
        (error: unknown) => finish({ ok: false, error }),
      );
    });
  }

  private logFailure(entry: Entry, failure: Failure): void {
    const value = entry.value;
    const ageMs = value ? failure.at - value.fetchedAt : undefined;
    const fields = {
      cluster: entry.clusterName,
      source: entry.source,
      errorClass: failure.errorClass,
      attempts: failure.attempts,
      err: describeUpstreamError(failure.error),
      ...(ageMs !== undefined ? { lastGoodAgeSeconds: Math.round(ageMs / 1000) } : {}),
    };
    if (ageMs !== undefined && ageMs <= this.maxStalenessMs) this.logger.warn(fields, 'facts refresh failed; serving last-known-good facts');
    else this.logger.error(fields, 'facts refresh failed and no usable last-known-good facts exist; requests for this cluster fail');
  }

  private countBySource(): Map<FactSourceName, number> {
    const counts = new Map<FactSourceName, number>();
    for (const entry of this.entries.values()) counts.set(entry.source, (counts.get(entry.source) ?? 0) + 1);
    return counts;
  }

  private oldestAgeBySource(): Map<FactSourceName, number> {
    const now = this.clock();
    const ages = new Map<FactSourceName, number>();
    for (const entry of this.entries.values()) {
      if (!entry.value) continue;
      const age = Math.max(0, now - entry.value.fetchedAt) / 1000;
      if (age > (ages.get(entry.source) ?? -1)) ages.set(entry.source, age);
    }
    return ages;
  }
}
