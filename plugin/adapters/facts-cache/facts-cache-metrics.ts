/**
 * @module Prometheus metrics of the facts cache. Labels are the source name, the error class
 * and the lookup result: a handful of values each. Cluster names are never labels, so the
 * number of series does not grow with the fleet.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { FACT_SOURCES, type FactSourceName } from '../../../generator/index.js';
import type { UpstreamErrorClass } from './upstream-errors.js';

/**
 * What one lookup (one cluster, one source, one `factsFor` call) ended with:
 * - `hit`: fresh facts from the cache, no waiting;
 * - `miss`: waited for an upstream fetch, got fresh facts;
 * - `stale`: the upstream failed, last-known-good facts were served;
 * - `unavailable`: the upstream failed and no usable last-known-good existed;
 * - `cancelled`: the caller stopped waiting: its deadline passed, or another source of the same
 *   call failed first.
 */
export type LookupResult = 'hit' | 'miss' | 'stale' | 'unavailable' | 'cancelled';

/** Ages up to past the default max staleness (1 h), in seconds. */
const AGE_BUCKETS = [1, 5, 15, 30, 60, 120, 240, 300, 600, 1800, 3600, 7200];
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20];

/** Answers for the gauges, computed from the cache when Prometheus scrapes. */
export interface FactsCacheGaugeSource {
  /** Entries held, by source. */
  entriesBySource(): ReadonlyMap<FactSourceName, number>;
  /** Age in seconds of the oldest last-known-good facts, by source. */
  oldestAgeBySource(): ReadonlyMap<FactSourceName, number>;
}

/**
 * The facts cache's metrics, registered on the registry given (the service's, so that
 * `/metrics` shows them). Register one cache per registry: prom-client refuses a metric name
 * twice.
 */
export class FactsCacheMetrics {
  readonly upstreamCalls: Counter<'source'>;
  readonly upstreamErrors: Counter<'source' | 'class'>;
  readonly upstreamDuration: Histogram<'source'>;
  readonly lookups: Counter<'source' | 'result'>;
  readonly singleFlightJoins: Counter<'source'>;
  readonly backgroundRefreshes: Counter<'source'>;
  readonly rateLimitedWaits: Counter<'source'>;
  readonly factsAge: Histogram<'source'>;
  readonly entries: Gauge<'source'>;
  readonly oldestAge: Gauge<'source'>;
  private gaugeSource: FactsCacheGaugeSource | undefined;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.upstreamCalls = new Counter({
      name: 'greenlight_facts_upstream_calls_total',
      help: 'Fetches from a fact source (each attempt, retries included), by source.',
      labelNames: ['source'] as const,
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'greenlight_facts_upstream_errors_total',
      help: 'Failed fetches from a fact source, by source and error class (throttled, transient, timeout, permanent).',
      labelNames: ['source', 'class'] as const,
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'greenlight_facts_upstream_duration_seconds',
      help: 'Duration of one fetch from a fact source, by source.',
      labelNames: ['source'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.lookups = new Counter({
      name: 'greenlight_facts_cache_lookups_total',
      help: 'Facts lookups by source and result (hit, miss, stale, unavailable, cancelled).',
      labelNames: ['source', 'result'] as const,
      registers,
    });
    this.singleFlightJoins = new Counter({
      name: 'greenlight_facts_singleflight_joins_total',
      help: 'Lookups that waited on a fetch another lookup had already started, by source.',
      labelNames: ['source'] as const,
      registers,
    });
    this.backgroundRefreshes = new Counter({
      name: 'greenlight_facts_background_refreshes_total',
      help: 'Refreshes started ahead of expiry, while callers were served the cached facts, by source.',
      labelNames: ['source'] as const,
      registers,
    });
    this.rateLimitedWaits = new Counter({
      name: 'greenlight_facts_rate_limited_waits_total',
      help: 'Fetches that had to wait for the source rate budget, by source.',
      labelNames: ['source'] as const,
      registers,
    });
    this.factsAge = new Histogram({
      name: 'greenlight_facts_age_seconds',
      help: 'Age of the facts served to callers, by source.',
      labelNames: ['source'] as const,
      buckets: AGE_BUCKETS,
      registers,
    });
    this.entries = new Gauge({
      name: 'greenlight_facts_cache_entries',
      help: 'Cluster × source entries held by the facts cache, by source.',
      labelNames: ['source'] as const,
      registers,
      // Computed at scrape time from the cache itself, so it can never drift from it.
      collect: () => {
        const counts = this.gaugeSource?.entriesBySource();
        for (const source of FACT_SOURCES) this.entries.set({ source }, counts?.get(source) ?? 0);
      },
    });
    this.oldestAge = new Gauge({
      name: 'greenlight_facts_oldest_age_seconds',
      help: 'Age of the oldest last-known-good facts held, by source (0 when none): alert when it nears the max staleness.',
      labelNames: ['source'] as const,
      registers,
      collect: () => {
        const ages = this.gaugeSource?.oldestAgeBySource();
        for (const source of FACT_SOURCES) this.oldestAge.set({ source }, ages?.get(source) ?? 0);
      },
    });
  }

  /** Connects the scrape-time gauges to the cache they describe. */
  observe(source: FactsCacheGaugeSource): void {
    this.gaugeSource = source;
  }

  recordLookup(source: FactSourceName, result: LookupResult, ageMs?: number): void {
    this.lookups.inc({ source, result });
    if (ageMs !== undefined) this.factsAge.observe({ source }, Math.max(0, ageMs) / 1000);
  }

  recordError(source: FactSourceName, errorClass: UpstreamErrorClass): void {
    this.upstreamErrors.inc({ source, class: errorClass });
  }
}
