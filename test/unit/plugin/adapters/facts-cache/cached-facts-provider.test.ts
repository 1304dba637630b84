import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  TimeoutError,
  UpstreamError,
  type CancelSignal,
  type ClusterFacts,
  type ClusterRecord,
} from '../../../../../generator/index.js';
import {
  CachedFactsProvider,
  formatDuration,
  type CachedFactsProviderOptions,
} from '../../../../../plugin/adapters/facts-cache/cached-facts-provider.js';
import { createLogger } from '../../../../../plugin/logger.js';
import { aCluster, eksFactsFor, fullFacts } from '../../../../support/builders.js';
import { awsError, InMemoryFactSource, networkError, wrapped } from '../../../../support/in-memory-fact-source.js';
import { FakeClock, flush } from './fake-clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const never = (): CancelSignal => new AbortController().signal;

const green = aCluster({ name: 'green', annotations: { 'greenlight.io/ssm-prefix': '/clusters/green/' } });
const blue = aCluster({ name: 'blue' });

function eksOnly(name: string): ClusterFacts {
  return { eks: eksFactsFor(name) };
}

async function sample(registry: Registry, name: string, labels: Record<string, string>, series = name): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  // Histograms answer `_bucket`, `_sum` and `_count` series, each named in `metricName`.
  const seriesOf = (v: object): string => ('metricName' in v && typeof v.metricName === 'string' ? v.metricName : name);
  const found = values.find((v) => seriesOf(v) === series && Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return found?.value ?? 0;
}

let clock: FakeClock;
let registry: Registry;
let eks: InMemoryFactSource;

function provider(options: Partial<CachedFactsProviderOptions> = {}): CachedFactsProvider {
  return new CachedFactsProvider({
    sources: [eks],
    clock: clock.clock,
    sleep: clock.sleep,
    random: () => 0,
    metrics: registry,
    ...options,
  });
}

beforeEach(() => {
  clock = new FakeClock();
  registry = new Registry();
  eks = new InMemoryFactSource({ source: 'eks', facts: { green: eksOnly('green'), blue: eksOnly('blue') }, sleep: clock.sleep });
});

describe('CachedFactsProvider: merge', () => {
  it('merges the facts of every source that applies, with one origin per source in source order', async () => {
    const all = fullFacts('green');
    eks.set('green', { eks: all.eks, podIdentity: all.podIdentity, addons: all.addons });
    const kubernetes = new InMemoryFactSource({ source: 'kubernetes', facts: { green: { kubernetes: all.kubernetes }, blue: { kubernetes: all.kubernetes } } });
    const ssm = new InMemoryFactSource({
      source: 'ssm',
      facts: { green: { secrets: all.secrets } },
      appliesTo: (c) => c.annotations['greenlight.io/ssm-prefix'] !== undefined,
    });
    const facts = provider({ sources: [eks, kubernetes, ssm] });

    const result = await facts.factsFor(green, never());
    expect(result.facts).toEqual(all);
    const at = new Date(clock.now).toISOString();
    expect(result.origins).toEqual([
      { source: 'eks', fetchedAt: at, stale: false },
      { source: 'kubernetes', fetchedAt: at, stale: false },
      { source: 'ssm', fetchedAt: at, stale: false },
    ]);

    const other = await facts.factsFor(blue, never());
    expect(other.origins.map((o) => o.source)).toEqual(['eks', 'kubernetes']);
    expect(other.facts.secrets).toBeUndefined();
    expect(ssm.calls).toBe(1);
  });

  it('answers empty facts without origins for a cluster no source applies to', async () => {
    await expect(provider().factsFor(aCluster({ name: 'on-prem' }), never())).resolves.toEqual({ facts: {}, origins: [] });
    expect(eks.calls).toBe(0);
  });

  it('fails closed when one source fails, naming that source', async () => {
    const ssm = new InMemoryFactSource({ source: 'ssm', facts: { green: { secrets: { prefix: '/clusters/green/', names: [] } } } });
    ssm.failNext(wrapped(awsError('AccessDeniedException', 400), 'GetParametersByPath under /clusters/green/ was denied'));
    const err: unknown = await provider({ sources: [eks, ssm] }).factsFor(green, never()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe('GL_FACTS_UNAVAILABLE');
    expect((err as UpstreamError).message).toBe(
      'facts of cluster "green" from ssm are unavailable: GetParametersByPath under /clusters/green/ was denied: AccessDeniedException from the fake upstream; there are no earlier facts to fall back on',
    );
  });

  it('hands out frozen facts, so one request cannot change what the next is served', async () => {
    const result = await provider().factsFor(green, never());
    expect(Object.isFrozen(result.facts.eks)).toBe(true);
  });
});

describe('CachedFactsProvider: TTL and refresh ahead', () => {
  it('serves cached facts within the TTL and fetches again after it', async () => {
    const facts = provider({ ttlMs: 5 * MINUTE, refreshAheadMs: 0 });
    const first = await facts.factsFor(green, never());
    await clock.advance(5 * MINUTE - 1);
    expect(await facts.factsFor(green, never())).toEqual(first);
    expect(eks.calls).toBe(1);

    await clock.advance(1);
    const third = await facts.factsFor(green, never());
    expect(eks.calls).toBe(2);
    expect(third.origins[0]?.fetchedAt).toBe(new Date(clock.now).toISOString());
  });

  it('in the last part of the TTL, answers from the cache at once and starts exactly one background refresh', async () => {
    const facts = provider({ ttlMs: 5 * MINUTE, refreshAheadMs: MINUTE });
    const fetchedAt = new Date(clock.now).toISOString();
    await facts.factsFor(green, never());
    await clock.advance(4 * MINUTE + 30_000);

    eks.hold(); // the refresh cannot finish: callers must still be answered
    const during = await Promise.all([facts.factsFor(green, never()), facts.factsFor(green, never()), facts.factsFor(green, never())]);
    await flush();
    expect(during.map((r) => r.origins[0])).toEqual(Array(3).fill({ source: 'eks', fetchedAt, stale: false }));
    expect(eks.calls).toBe(2);
    expect(eks.inFlight).toBe(1);

    eks.release();
    await flush();
    const after = await facts.factsFor(green, never());
    expect(after.origins[0]?.fetchedAt).toBe(new Date(clock.now).toISOString());
    expect(eks.calls).toBe(2);
    expect(await sample(registry, 'greenlight_facts_background_refreshes_total', { source: 'eks' })).toBe(1);
    expect(await sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result: 'hit' })).toBe(4);
  });

  it('keeps serving fresh facts (not stale) when a background refresh fails, and does not retry it on every call', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const facts = provider({ ttlMs: 5 * MINUTE, refreshAheadMs: MINUTE, failureCooldownMs: 15_000, logger });
    await facts.factsFor(green, never());
    await clock.advance(4 * MINUTE + 30_000);
    eks.failAlways(wrapped(awsError('AccessDeniedException', 403)));

    const during = await facts.factsFor(green, never());
    await flush();
    expect(during.origins[0]?.stale).toBe(false);
    expect(eks.calls).toBe(2);
    await facts.factsFor(green, never());
    await flush();
    expect(eks.calls).toBe(2);
    expect(lines.join('')).toContain('serving last-known-good facts');

    await clock.advance(15_000);
    await facts.factsFor(green, never());
    await flush();
    expect(eks.calls).toBe(3);
  });
});

describe('CachedFactsProvider: single-flight and concurrency', () => {
  it('ten concurrent lookups of one cluster and source cause one upstream fetch', async () => {
    const facts = provider();
    eks.hold();
    const calls = Array.from({ length: 10 }, () => facts.factsFor(green, never()));
    await flush();
    expect(eks.calls).toBe(1);
    eks.release();
    const results = await Promise.all(calls);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(eks.calls).toBe(1);
    expect(await sample(registry, 'greenlight_facts_singleflight_joins_total', { source: 'eks' })).toBe(9);
    expect(await sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result: 'miss' })).toBe(10);
  });

  it('runs at most `concurrency` upstream fetches at once', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const kubernetes = new InMemoryFactSource({
      source: 'kubernetes',
      facts: Object.fromEntries(names.map((n) => [n, { kubernetes: fullFacts(n).kubernetes }])),
      latencyMs: 100,
      sleep: clock.sleep,
    });
    const facts = provider({ sources: [kubernetes], concurrency: 3 });
    const start = clock.now;
    const all = Promise.all(names.map((name) => facts.factsFor(aCluster({ name }), never())));
    await flush();
    expect(kubernetes.inFlight).toBe(3);
    await clock.until(all);
    expect(kubernetes.calls).toBe(10);
    expect(kubernetes.maxInFlight).toBe(3);
    expect(clock.now - start).toBeGreaterThanOrEqual(400); // four waves of 100 ms
  });
});

describe('CachedFactsProvider: rate budget', () => {
  class TimedSource extends InMemoryFactSource {
    readonly startedAt: number[] = [];
    override fetch(cluster: ClusterRecord, signal: CancelSignal): Promise<ClusterFacts> {
      this.startedAt.push(clock.now);
      return super.fetch(cluster, signal);
    }
  }

  it('spaces fetches of one source by its rate, waiting rather than failing', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    const timed = new TimedSource({ source: 'eks', facts: Object.fromEntries(names.map((n) => [n, eksOnly(n)])) });
    const facts = provider({ sources: [timed], rateBudgets: { eks: { ratePerSecond: 20, burst: 1 } } });
    const start = clock.now;
    await clock.until(Promise.all(names.map((name) => facts.factsFor(aCluster({ name }), never()))), 1);
    expect(timed.startedAt.map((t) => t - start)).toEqual([0, 50, 100, 150, 200]);
    expect(await sample(registry, 'greenlight_facts_rate_limited_waits_total', { source: 'eks' })).toBe(4);
  });

  it('gives SSM 40 requests/s and EKS 20/s by default, each its own bucket', async () => {
    const names = Array.from({ length: 45 }, (_, i) => `c${i}`);
    const ssm = new TimedSource({ source: 'ssm', facts: Object.fromEntries(names.map((n) => [n, { secrets: { prefix: `/${n}/`, names: [] } }])) });
    const facts = provider({ sources: [ssm] });
    const start = clock.now;
    await clock.until(Promise.all(names.map((name) => facts.factsFor(aCluster({ name }), never()))), 1);
    // A full bucket of 40 at once, then one every 25 ms.
    expect(ssm.startedAt.filter((t) => t === start)).toHaveLength(40);
    expect(ssm.startedAt.slice(40).map((t) => t - start)).toEqual([25, 50, 75, 100, 125]);
  });
});

describe('CachedFactsProvider: retries', () => {
  it('retries throttling with capped exponential backoff, then succeeds', async () => {
    eks.failNext(wrapped(awsError('ThrottlingException', 400)), 2);
    const facts = provider({ retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 3_000 } });
    const result = facts.factsFor(green, never());
    await flush();
    expect(eks.calls).toBe(1);
    await clock.advance(99); // equal jitter with random 0: half of 200 ms
    expect(eks.calls).toBe(1);
    await clock.advance(1);
    expect(eks.calls).toBe(2);
    await clock.advance(199); // then half of 400 ms
    expect(eks.calls).toBe(2);
    await clock.advance(1);
    expect(eks.calls).toBe(3);
    await expect(result).resolves.toMatchObject({ origins: [{ source: 'eks', stale: false }] });
    expect(await sample(registry, 'greenlight_facts_upstream_errors_total', { source: 'eks', class: 'throttled' })).toBe(2);
    expect(await sample(registry, 'greenlight_facts_upstream_calls_total', { source: 'eks' })).toBe(3);
  });

  it('caps the backoff and applies jitter from the injected random', async () => {
    eks.failNext(wrapped(networkError('ECONNRESET')), 3);
    const facts = provider({ random: () => 0.999_999, retry: { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 1_500 } });
    const result = facts.factsFor(green, never());
    await flush();
    await clock.advance(999); // full step of 1 000 ms
    expect(eks.calls).toBe(1);
    await clock.advance(1);
    expect(eks.calls).toBe(2);
    await clock.advance(1_499); // 2 000 ms capped to 1 500
    expect(eks.calls).toBe(2);
    await clock.advance(1);
    expect(eks.calls).toBe(3);
    await clock.advance(1_500);
    expect(eks.calls).toBe(4);
    await expect(result).resolves.toBeDefined();
  });

  it('does not retry AccessDenied-like errors', async () => {
    eks.failNext(wrapped(awsError('AccessDeniedException', 403), 'DescribeCluster of "green" was denied'));
    const err: unknown = await provider().factsFor(green, never()).catch((e: unknown) => e);
    expect(eks.calls).toBe(1);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).message).toBe(
      'facts of cluster "green" from eks are unavailable: DescribeCluster of "green" was denied: AccessDeniedException from the fake upstream; there are no earlier facts to fall back on',
    );
    expect(await sample(registry, 'greenlight_facts_upstream_errors_total', { source: 'eks', class: 'permanent' })).toBe(1);
  });

  it("keeps an adapter's more precise upstream code", async () => {
    eks.failNext(new UpstreamError('GL_CLUSTER_INVALID', 'Secret argocd/cluster-green: EKS facts need awsAuthConfig.clusterName'));
    await expect(provider().factsFor(green, never())).rejects.toMatchObject({
      code: 'GL_CLUSTER_INVALID',
      message:
        'facts of cluster "green" from eks are unavailable: Secret argocd/cluster-green: EKS facts need awsAuthConfig.clusterName; there are no earlier facts to fall back on',
    });
  });

  it('gives up after maxAttempts and says so', async () => {
    eks.failAlways(wrapped(awsError('ThrottlingException', 400), 'DescribeCluster of "green" was throttled'));
    const err: unknown = await clock.until(provider().factsFor(green, never())).catch((e: unknown) => e);
    expect(eks.calls).toBe(4);
    expect((err as UpstreamError).message).toBe(
      'facts of cluster "green" from eks are unavailable: DescribeCluster of "green" was throttled: ThrottlingException from the fake upstream (gave up after 4 attempts); there are no earlier facts to fall back on',
    );
  });

  it('never retries past the deadline of the request', async () => {
    eks.failAlways(wrapped(awsError('ServiceUnavailableException', 503)));
    const deadline = new AbortController();
    const result = provider().factsFor(green, deadline.signal);
    await flush();
    expect(eks.calls).toBe(1);
    deadline.abort();
    await expect(result).rejects.toBeInstanceOf(TimeoutError);
    await flush();
    expect(clock.pending).toBe(0); // the backoff was woken up and the fetch stopped, leaving no timer behind
    await clock.advance(10 * MINUTE);
    expect(eks.calls).toBe(1);
  });

  it('keeps retrying for the callers still waiting when one of them gives up', async () => {
    eks.failNext(wrapped(awsError('InternalFailure', 500)), 2);
    const facts = provider();
    const impatient = new AbortController();
    const a = facts.factsFor(green, impatient.signal);
    const b = facts.factsFor(green, never());
    await flush();
    expect(eks.calls).toBe(1);
    impatient.abort(); // during the first backoff
    await expect(a).rejects.toBeInstanceOf(TimeoutError);
    await expect(clock.until(b)).resolves.toMatchObject({ origins: [{ source: 'eks', stale: false }] });
    expect(eks.calls).toBe(3);
  });

  it('cuts off an attempt that hangs, aborting its upstream call', async () => {
    const kubernetes = new InMemoryFactSource({ source: 'kubernetes', facts: { green: { kubernetes: fullFacts('green').kubernetes } }, latencyMs: 60_000, sleep: clock.sleep });
    const facts = provider({ sources: [kubernetes], attemptTimeoutMs: 10_000, retry: { maxAttempts: 1 } });
    const err: unknown = await clock.until(facts.factsFor(green, never()), 1_000).catch((e: unknown) => e);
    expect((err as UpstreamError).message).toBe(
      'facts of cluster "green" from kubernetes are unavailable: kubernetes gave no answer within 10s; there are no earlier facts to fall back on',
    );
    expect(kubernetes.aborted).toBe(1);
    expect(await sample(registry, 'greenlight_facts_upstream_errors_total', { source: 'kubernetes', class: 'timeout' })).toBe(1);
  });
});

describe('CachedFactsProvider: last-known-good', () => {
  it('serves the previous facts, marked stale, when a refresh fails within the max staleness', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const facts = provider({ ttlMs: 5 * MINUTE, maxStalenessMs: HOUR, logger });
    const fetchedAt = new Date(clock.now).toISOString();
    const first = await facts.factsFor(green, never());
    await clock.advance(30 * MINUTE);
    eks.failAlways(wrapped(networkError('ECONNRESET')));

    const stale = await clock.until(facts.factsFor(green, never()));
    expect(eks.calls).toBe(5); // the first fetch, then four attempts
    expect(stale.facts).toEqual(first.facts);
    expect(stale.origins).toEqual([{ source: 'eks', fetchedAt, stale: true }]);
    expect(await sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result: 'stale' })).toBe(1);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toContainEqual(expect.objectContaining({ level: 'warn', cluster: 'green', source: 'eks', errorClass: 'transient', attempts: 4 }));
  });

  it('fails closed past the max staleness, with a message written for an operator', async () => {
    const facts = provider({ maxStalenessMs: HOUR });
    await facts.factsFor(green, never());
    await clock.advance(2 * HOUR);
    const denied = wrapped(awsError('AccessDeniedException', 403), 'DescribeCluster of "green" was denied');
    eks.failAlways(denied);

    const err: unknown = await facts.factsFor(green, never()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'GL_FACTS_UNAVAILABLE', cause: denied });
    expect((err as UpstreamError).message).toBe(
      'facts of cluster "green" from eks are unavailable: DescribeCluster of "green" was denied: AccessDeniedException from the fake upstream; last good facts are 2h old, older than GREENLIGHT_FACTS_MAX_STALENESS_MS (1h)',
    );
    expect(await sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result: 'unavailable' })).toBe(1);
  });

  it('names the setting it is given in that message', async () => {
    const facts = provider({ maxStalenessMs: HOUR, maxStalenessSetting: 'GREENLIGHT_FACTS_MAX_STALENESS' });
    await facts.factsFor(green, never());
    await clock.advance(2 * HOUR);
    eks.failAlways(new UpstreamError('GL_FACTS_UNAVAILABLE', 'cause'));
    await expect(facts.factsFor(green, never())).rejects.toThrow(
      'facts of cluster "green" from eks are unavailable: cause; last good facts are 2h old, older than GREENLIGHT_FACTS_MAX_STALENESS (1h)',
    );
  });

  it('answers from a recent failure without calling the upstream again until the cooldown ends', async () => {
    eks.failAlways(wrapped(awsError('AccessDeniedException', 403)));
    const facts = provider({ failureCooldownMs: 15_000 });
    await expect(facts.factsFor(green, never())).rejects.toBeInstanceOf(UpstreamError);
    await clock.advance(14_999);
    await expect(facts.factsFor(green, never())).rejects.toBeInstanceOf(UpstreamError);
    expect(eks.calls).toBe(1);
    await clock.advance(1);
    eks.recover();
    await expect(facts.factsFor(green, never())).resolves.toBeDefined();
    expect(eks.calls).toBe(2);
  });
});

describe('CachedFactsProvider: deadlines', () => {
  it('rejects a cancelled caller promptly, naming cluster and source, while the shared fetch goes on for the others', async () => {
    const facts = provider();
    eks.hold();
    const first = new AbortController();
    const a = facts.factsFor(green, first.signal);
    const b = facts.factsFor(green, never());
    await flush();
    first.abort();
    const err: unknown = await a.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({
      code: 'GL_DEADLINE_EXCEEDED',
      message: 'facts of cluster "green" from eks were not ready within the request deadline; the fetch goes on and its result will serve the next request',
    });
    expect(eks.aborted).toBe(0);

    eks.release();
    await expect(b).resolves.toMatchObject({ origins: [{ source: 'eks', stale: false }] });
    expect(eks.calls).toBe(1);
  });

  it('lets a fetch whose only caller gave up land in the cache for the next request', async () => {
    const facts = provider();
    eks.hold();
    const deadline = new AbortController();
    const a = facts.factsFor(green, deadline.signal);
    await flush();
    deadline.abort();
    await expect(a).rejects.toBeInstanceOf(TimeoutError);
    eks.release();
    await flush();
    await facts.factsFor(green, never());
    expect(eks.calls).toBe(1);
    expect(await sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result: 'cancelled' })).toBe(1);
    expect(await sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result: 'hit' })).toBe(1);
  });

  it('names only the sources still pending', async () => {
    const ssm = new InMemoryFactSource({ source: 'ssm', facts: { green: { secrets: { prefix: '/clusters/green/', names: [] } } } });
    const kubernetes = new InMemoryFactSource({ source: 'kubernetes', facts: { green: { kubernetes: fullFacts('green').kubernetes } } });
    const facts = provider({ sources: [eks, kubernetes, ssm] });
    ssm.hold();
    kubernetes.hold();
    const deadline = new AbortController();
    const result = facts.factsFor(green, deadline.signal);
    await flush();
    deadline.abort();
    await expect(result).rejects.toThrow('facts of cluster "green" from kubernetes and ssm were not ready within the request deadline');
  });

  it('rejects at once, without fetching, when the signal is already aborted', async () => {
    await expect(provider().factsFor(green, AbortSignal.abort())).rejects.toBeInstanceOf(TimeoutError);
    expect(eks.calls).toBe(0);
  });
});

describe('CachedFactsProvider: memory', () => {
  it('forget() drops a cluster and retainOnly() keeps only the clusters named', async () => {
    const facts = provider();
    await facts.factsFor(green, never());
    await facts.factsFor(blue, never());
    expect(facts.size).toBe(2);
    facts.forget('green');
    expect(facts.size).toBe(1);
    await facts.factsFor(green, never());
    expect(eks.callsFor('green')).toBe(2);
    facts.retainOnly(['blue']);
    expect(facts.size).toBe(1);
    await facts.factsFor(blue, never());
    expect(eks.callsFor('blue')).toBe(1);
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    for (const name of ['a', 'b', 'c']) eks.set(name, eksOnly(name));
    const facts = provider({ maxEntries: 2 });
    const [a, b, c] = ['a', 'b', 'c'].map((name) => aCluster({ name })) as [ClusterRecord, ClusterRecord, ClusterRecord];
    await facts.factsFor(a, never());
    await facts.factsFor(b, never());
    await facts.factsFor(a, never()); // a is now the most recent
    await facts.factsFor(c, never()); // b goes
    expect(facts.size).toBe(2);
    await facts.factsFor(a, never());
    expect(eks.callsFor('a')).toBe(1);
    await facts.factsFor(b, never());
    expect(eks.callsFor('b')).toBe(2);
  });

  it('drops cached facts when the way to reach the cluster changes', async () => {
    const facts = provider();
    await facts.factsFor(green, never());
    await facts.factsFor({ ...green, server: 'https://elsewhere.example' }, never());
    expect(eks.calls).toBe(2);
    // Labels and annotations are not part of the default fingerprint: a weight change keeps the cache.
    await facts.factsFor({ ...green, server: 'https://elsewhere.example', labels: { 'greenlight.io/role': 'blue' } }, never());
    expect(eks.calls).toBe(2);
  });
});

describe('CachedFactsProvider: a refresh that hangs (slow is not failed)', () => {
  const options = { ttlMs: 5 * MINUTE, refreshAheadMs: 0, attemptTimeoutMs: 10_000, maxStalenessMs: HOUR, retry: { maxAttempts: 2 } } as const;

  it('serves the last good facts, marked stale, once the refresh has run for an attempt timeout, and at once to later callers', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const facts = provider({ ...options, logger });
    const fetchedAt = new Date(clock.now).toISOString();
    const first = await facts.factsFor(green, never());
    await clock.advance(10 * MINUTE);
    eks.hold(); // no answer, no error

    const waiting = facts.factsFor(green, never());
    await clock.advance(9_999);
    let settled = false;
    void waiting.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false); // it waits for the refresh, up to the attempt timeout
    await clock.advance(1);
    const stale = await waiting;
    expect(stale.facts).toEqual(first.facts);
    expect(stale.origins).toEqual([{ source: 'eks', fetchedAt, stale: true }]);

    // The refresh goes on; later callers do not wait for it.
    const later = await facts.factsFor(green, never());
    expect(later.origins).toEqual([{ source: 'eks', fetchedAt, stale: true }]);
    expect(eks.calls).toBe(2);
    // Its attempt is cut off, and not retried for nobody: the failure (and its cooldown) answers now.
    await clock.advance(10_000 + 3_000);
    expect(eks.calls).toBe(2);
    expect((await facts.factsFor(green, never())).origins).toEqual([{ source: 'eks', fetchedAt, stale: true }]);
    expect(eks.calls).toBe(2);
    expect(await sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result: 'stale' })).toBe(3);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.filter((l) => String(l['msg']).startsWith('facts refresh has not answered'))).toEqual([
      expect.objectContaining({ level: 'warn', cluster: 'green', source: 'eks', waitedMs: 10_000, lastGoodAgeSeconds: 610 }),
    ]);

    eks.release();
    await clock.advance(options.ttlMs); // past the failure's cooldown
    const fresh = await clock.until(facts.factsFor(green, never()));
    expect(fresh.origins).toEqual([{ source: 'eks', fetchedAt: new Date(clock.now).toISOString(), stale: false }]);
    expect(clock.pending).toBe(0); // no overdue timer outlives its flight
  });

  it('answers fresh facts, not stale ones, when the refresh lands within the attempt timeout', async () => {
    const facts = provider(options);
    await facts.factsFor(green, never());
    await clock.advance(10 * MINUTE);
    eks.setLatency(9_000);
    const result = await clock.until(facts.factsFor(green, never()), 1_000);
    expect(result.origins).toEqual([{ source: 'eks', fetchedAt: new Date(clock.now).toISOString(), stale: false }]);
    expect(clock.pending).toBe(0);
  });

  it("fails closed when the cluster's identity changed: facts of another server or role are never served, even stale", async () => {
    const facts = provider(options);
    await facts.factsFor(green, never());
    await clock.advance(10 * MINUTE);
    eks.hold();
    for (const changed of [{ ...green, server: 'https://elsewhere.example' }, { ...green, aws: { clusterName: 'green', roleArn: 'arn:aws:iam::222222222222:role/other' } }]) {
      const deadline = new AbortController();
      const result = facts.factsFor(changed, deadline.signal).catch((e: unknown) => e);
      await clock.advance(15_000);
      deadline.abort();
      expect(await result).toBeInstanceOf(TimeoutError);
    }
    // The same identity again: its facts were dropped with the change.
    const deadline = new AbortController();
    const again = facts.factsFor(green, deadline.signal).catch((e: unknown) => e);
    await clock.advance(15_000);
    deadline.abort();
    expect(await again).toBeInstanceOf(TimeoutError);
  });

  it('keeps the identity when only what is not identity changes: labels, a re-created Secret, a trailing slash', async () => {
    const facts = provider(options);
    const fetchedAt = new Date(clock.now).toISOString();
    await facts.factsFor(green, never());
    await clock.advance(10 * MINUTE);
    eks.hold();
    const same = { ...green, server: `${green.server}/`, labels: { 'greenlight.io/role': 'blue' }, origin: 'Secret argocd/cluster-green-recreated' };
    const result = await clock.until(facts.factsFor(same, never()), 1_000);
    expect(result.origins).toEqual([{ source: 'eks', fetchedAt, stale: true }]);
  });

  it('fails closed past the max staleness, hung or not', async () => {
    const facts = provider(options);
    await facts.factsFor(green, never());
    await clock.advance(HOUR + 1);
    eks.hold();
    const deadline = new AbortController();
    const result = facts.factsFor(green, deadline.signal).catch((e: unknown) => e);
    await clock.advance(15_000);
    deadline.abort();
    expect(await result).toBeInstanceOf(TimeoutError);
    expect(await sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result: 'stale' })).toBe(0);
  });
});

describe('CachedFactsProvider: bytes', () => {
  const bigFacts = (name: string): ClusterFacts => ({ eks: { ...eksFactsFor(name), tags: { note: 'x'.repeat(10_000) } } });

  it('counts the bytes of what it holds and keeps them under maxBytes, dropping the least recently used', async () => {
    for (const name of ['a', 'b', 'c']) eks.set(name, bigFacts(name));
    const facts = provider({ maxBytes: 50_000 });
    const [a, b, c] = ['a', 'b', 'c'].map((name) => aCluster({ name })) as [ClusterRecord, ClusterRecord, ClusterRecord];
    await facts.factsFor(a, never());
    const one = facts.stats();
    expect(one.entries).toBe(1);
    expect(one.bytes).toBeGreaterThan(2 * JSON.stringify(bigFacts('a')).length);
    expect(one.maxBytes).toBe(50_000);
    await facts.factsFor(b, never());
    await facts.factsFor(a, never()); // a is now the most recent
    await facts.factsFor(c, never()); // b goes: three do not fit in 50 000 bytes
    expect(facts.stats().entries).toBe(2);
    expect(facts.stats().bytes).toBeLessThanOrEqual(50_000);
    await facts.factsFor(a, never());
    expect(eks.callsFor('a')).toBe(1);
    await facts.factsFor(b, never());
    expect(eks.callsFor('b')).toBe(2);
  });

  it('gives the bytes back as entries go (forget, retainOnly, a changed identity)', async () => {
    const facts = provider();
    await facts.factsFor(green, never());
    await facts.factsFor(blue, never());
    const both = facts.stats().bytes;
    facts.forget('green');
    expect(facts.stats().bytes).toBeLessThan(both);
    facts.retainOnly([]);
    expect(facts.stats()).toEqual({ entries: 0, bytes: 0, maxBytes: 64 * 1024 * 1024 });
    await facts.factsFor(green, never());
    const once = facts.stats().bytes;
    await facts.factsFor({ ...green, server: 'https://elsewhere.example' }, never());
    expect(facts.stats().entries).toBe(1);
    expect(facts.stats().bytes).toBeGreaterThan(once - 100);
    expect(facts.stats().bytes).toBeLessThan(once + 100);
  });

  it('sweeps entries nothing can be served from: facts past the TTL and the max staleness, failures past their cooldown', async () => {
    const facts = provider({ ttlMs: 5 * MINUTE, maxStalenessMs: HOUR, failureCooldownMs: 15_000 });
    await facts.factsFor(green, never());
    eks.failNext(wrapped(awsError('AccessDeniedException', 403)));
    await expect(facts.factsFor(blue, never())).rejects.toBeInstanceOf(UpstreamError);
    facts.sweep();
    expect(facts.size).toBe(2); // a failure within its cooldown still answers
    await clock.advance(15_000);
    facts.sweep();
    expect(facts.size).toBe(1);
    await clock.advance(HOUR - 15_000);
    facts.sweep();
    expect(facts.size).toBe(1); // last-known-good up to the max staleness
    await clock.advance(1);
    facts.sweep();
    expect(facts.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});

describe('CachedFactsProvider: metrics', () => {
  it('counts calls, errors, lookups and joins by source, and reports ages without cluster labels', async () => {
    const facts = provider();
    eks.hold();
    const both = Promise.all([facts.factsFor(green, never()), facts.factsFor(green, never())]);
    await flush();
    eks.release();
    await both;
    await clock.advance(2 * MINUTE);
    await facts.factsFor(green, never());
    eks.failNext(wrapped(awsError('AccessDeniedException', 403)));
    await expect(facts.factsFor(blue, never())).rejects.toBeInstanceOf(UpstreamError);

    const lookup = (result: string) => sample(registry, 'greenlight_facts_cache_lookups_total', { source: 'eks', result });
    expect(await lookup('miss')).toBe(2);
    expect(await lookup('hit')).toBe(1);
    expect(await lookup('unavailable')).toBe(1);
    expect(await sample(registry, 'greenlight_facts_upstream_calls_total', { source: 'eks' })).toBe(2);
    expect(await sample(registry, 'greenlight_facts_upstream_errors_total', { source: 'eks', class: 'permanent' })).toBe(1);
    expect(await sample(registry, 'greenlight_facts_singleflight_joins_total', { source: 'eks' })).toBe(1);
    expect(await sample(registry, 'greenlight_facts_age_seconds', { source: 'eks' }, 'greenlight_facts_age_seconds_count')).toBe(3);
    expect(await sample(registry, 'greenlight_facts_age_seconds', { source: 'eks' }, 'greenlight_facts_age_seconds_sum')).toBe(120);
    expect(await sample(registry, 'greenlight_facts_cache_entries', { source: 'eks' })).toBe(2);
    expect(await sample(registry, 'greenlight_facts_oldest_age_seconds', { source: 'eks' })).toBe(120);

    const text = await registry.metrics();
    expect(text).not.toContain('cluster=');
  });
});

describe('CachedFactsProvider: options', () => {
  it('lists every invalid option at once', () => {
    const twin = new InMemoryFactSource({ source: 'eks' });
    expect(() => provider({ sources: [eks, twin], ttlMs: 1_000, refreshAheadMs: 1_000, concurrency: 0, retry: { maxAttempts: 0 } })).toThrow(
      /refreshAheadMs must be at least 0 and less than ttlMs \(1000\).*concurrency must be a whole number of at least 1.*retry\.maxAttempts.*given twice: eks/,
    );
  });

  it('works with its defaults', async () => {
    const facts = new CachedFactsProvider({ sources: [eks] });
    await expect(facts.factsFor(green, never())).resolves.toMatchObject({ origins: [{ source: 'eks', stale: false }] });
  });

  it('formats durations the way operators read them', () => {
    expect([500, 45_000, 90_000, 15 * MINUTE, HOUR, 2 * HOUR, 90 * MINUTE].map(formatDuration)).toEqual([
      '500ms',
      '45s',
      '1m30s',
      '15m',
      '1h',
      '2h',
      '1h30m',
    ]);
  });
});
