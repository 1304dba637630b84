import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { EksInsight } from '../../../generator/index.js';
import type { ReadinessDataSource } from '../../../plugin/adapters/eks/eks-readiness-source.js';
import { estimateBytes, registerCacheGauges, type CacheStats } from '../../../plugin/cache-stats.js';
import { cachedReadinessData } from '../../../plugin/pairs/inputs.js';
import { aCluster } from '../../support/builders.js';

const never = new AbortController().signal;

describe('cache gauges', () => {
  it('shows entries, bytes and the bound of every named cache, read on scrape', async () => {
    const registry = new Registry();
    let answers: CacheStats = { entries: 1, bytes: 100, maxBytes: 1000 };
    registerCacheGauges(registry, { answers: { stats: () => answers }, facts: { stats: () => ({ entries: 3, bytes: 3000, maxBytes: 64_000 }) }, readiness: undefined });
    answers = { entries: 2, bytes: 250, maxBytes: 1000 };
    const text = await registry.metrics();
    expect(text).toContain('greenlight_cache_entries{cache="answers"} 2');
    expect(text).toContain('greenlight_cache_bytes{cache="answers"} 250');
    expect(text).toContain('greenlight_cache_max_bytes{cache="answers"} 1000');
    expect(text).toContain('greenlight_cache_bytes{cache="facts"} 3000');
    expect(text).not.toContain('cache="readiness"');
  });

  it('estimates bytes from JSON, twice its length', () => {
    expect(estimateBytes({ a: 'xyz' })).toBe(2 * '{"a":"xyz"}'.length);
    expect(estimateBytes(undefined)).toBe(0);
  });
});

describe('cachedReadinessData', () => {
  function source(insightBytes: number): ReadinessDataSource & { asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      appliesTo: () => true,
      addonCompatibility: async () => ({}),
      insights: async (c): Promise<EksInsight[]> => {
        asked.push(c.name);
        return [{ id: c.name, name: 'x', category: 'UPGRADE_READINESS', insightStatus: { status: 'PASSING' }, description: 'd'.repeat(insightBytes) }];
      },
    };
  }

  it('keeps answers under its byte bound, the oldest going first, and sweeps expired ones', async () => {
    let now = 0;
    const eks = source(10_000);
    const cache = cachedReadinessData(eks, 60_000, () => now, 50_000);
    for (const name of ['a', 'b', 'c']) await cache.insights(aCluster({ name }), never);
    expect(cache.stats().entries).toBe(2); // three of ~20 kB do not fit in 50 kB
    expect(cache.stats().bytes).toBeLessThanOrEqual(50_000);
    await cache.insights(aCluster({ name: 'c' }), never);
    await cache.insights(aCluster({ name: 'a' }), never);
    expect(eks.asked).toEqual(['a', 'b', 'c', 'a']);
    now = 60_000;
    await cache.insights(aCluster({ name: 'z' }), never);
    expect(cache.stats().entries).toBe(1);
  });

  it('shares one read per key and keeps no failure', async () => {
    let fail = true;
    let calls = 0;
    const cache = cachedReadinessData(
      {
        appliesTo: () => true,
        addonCompatibility: async () => ({}),
        insights: async () => {
          calls += 1;
          await new Promise((r) => setTimeout(r, 5));
          if (fail) throw new Error('EKS is down');
          return [];
        },
      },
      60_000,
      () => 0,
    );
    const c = aCluster({ name: 'a' });
    const both = await Promise.allSettled([cache.insights(c, never), cache.insights(c, never)]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    fail = false;
    await expect(cache.insights(c, never)).resolves.toEqual([]);
    expect(cache.stats().entries).toBe(1);
  });
});
