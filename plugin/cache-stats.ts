/**
 * @module What every cache of the service reports, and the gauges that show it. Each cache is
 * bounded in bytes (DESIGN.md: "every cost a caller controls is bounded"), and counts those
 * bytes the same way: an estimate of what an entry holds, made once when it is stored.
 */
import { Gauge, type Registry } from 'prom-client';

/** A cache's size now and its bound. */
export interface CacheStats {
  readonly entries: number;
  /** Estimated bytes held: values and keys (see {@link estimateBytes}). */
  readonly bytes: number;
  readonly maxBytes: number;
}

/** Anything that reports {@link CacheStats}. */
export interface StatsSource {
  stats(): CacheStats;
}

/**
 * Bytes a JavaScript value takes on the heap, estimated from its JSON: the length × 2. V8 keeps
 * objects of short strings (facts, EKS answers) in about 1.4× their JSON length (measured on
 * realistic facts), long one-byte strings in about 1×; strings outside Latin-1 take two bytes a
 * character. Compute it once, on insert: it costs a `JSON.stringify`.
 */
export function estimateBytes(value: unknown): number {
  if (value === undefined) return 0;
  return (JSON.stringify(value)?.length ?? 0) * 2;
}

/** Bytes of a string kept as a Map key (two per character at worst) plus the Map slot. */
export function keyBytes(key: string): number {
  return key.length * 2 + ENTRY_OVERHEAD_BYTES;
}

/** What a Map slot and an entry object cost besides their contents, about. */
export const ENTRY_OVERHEAD_BYTES = 96;

/**
 * Registers `greenlight_cache_entries{cache}`, `greenlight_cache_bytes{cache}` and
 * `greenlight_cache_max_bytes{cache}` on `registry`, read from each named cache on scrape.
 * Caches given as `undefined` (not used in this configuration) are left out.
 *
 * @example
 * registerCacheGauges(metrics.registry, { answers, facts: fleet.cache, templates });
 */
export function registerCacheGauges(registry: Registry, caches: Readonly<Record<string, StatsSource | undefined>>): void {
  const named = Object.entries(caches).filter((e): e is [string, StatsSource] => e[1] !== undefined);
  const gauge = (name: string, help: string, pick: (s: CacheStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['cache'] as const,
      registers: [registry],
      collect() {
        for (const [cache, source] of named) this.set({ cache }, pick(source.stats()));
      },
    });
  gauge('greenlight_cache_entries', 'Entries held by each cache.', (s) => s.entries);
  gauge('greenlight_cache_bytes', 'Estimated bytes held by each cache (values and keys).', (s) => s.bytes);
  gauge('greenlight_cache_max_bytes', 'The byte bound of each cache (GREENLIGHT_*_CACHE_BYTES).', (s) => s.maxBytes);
}
