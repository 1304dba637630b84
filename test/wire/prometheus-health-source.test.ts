/**
 * The Prometheus adapter against Debian's Prometheus, started here and scraping a test exporter
 * of per-cluster series: real PromQL over real HTTP, no mock of the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_SIGNALS, fillQuery } from '../../generator/index.js';
import { PrometheusClient } from '../../plugin/adapters/prometheus/prometheus-client.js';
import { PrometheusHealthSource } from '../../plugin/adapters/prometheus/prometheus-health-source.js';
import { ClusterExporter, startPrometheus, type PrometheusProcess } from '../support/prometheus-process.js';

let exporter: ClusterExporter;
let prometheus: PrometheusProcess;
const never = new AbortController().signal;
const EVIL = 'wire-"quoted"\\ } or vector(1)';

beforeAll(async () => {
  exporter = await ClusterExporter.start([
    { cluster: 'wire-blue', namespace: 'shop', requestsPerSecond: 50, errorRatio: 0.001, latencySeconds: 0.08, restartsPerMinute: 0 },
    { cluster: 'wire-green', namespace: 'shop', requestsPerSecond: 10, errorRatio: 0.2, latencySeconds: 0.08, restartsPerMinute: 0 },
    { cluster: EVIL, namespace: 'shop', requestsPerSecond: 10, errorRatio: 0.5, latencySeconds: 0.08, restartsPerMinute: 0 },
  ]);
  prometheus = await startPrometheus([exporter.target]);
  // rate() needs two samples of each series.
  await prometheus.waitForSeries('count_over_time(http_requests_total{cluster="wire-green",code="503"}[1m]) > 2');
  await prometheus.waitForSeries(`count_over_time(http_requests_total{cluster=${JSON.stringify(EVIL)},code="503"}[1m]) > 2`);
});

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.close();
});

describe('PrometheusHealthSource', () => {
  it('holds green on its raised 5xx ratio, beside blue, with both numbers and the queries', async () => {
    const source = new PrometheusHealthSource({ signals: DEFAULT_SIGNALS }, new PrometheusClient({ url: prometheus.url }));
    const results = await source.health({ blue: { name: 'wire-blue' }, green: { name: 'wire-green', weight: 20 }, window: '1m' }, never);
    const byName = Object.fromEntries(results.map((r) => [r.signal, r]));
    expect(byName['error-ratio']?.outcome).toBe('hold');
    expect(byName['error-ratio']?.blue).toBeCloseTo(0.001, 3);
    expect(byName['error-ratio']?.green).toBeCloseTo(0.2, 3);
    expect(byName['error-ratio']?.query.green).toBe(fillQuery(DEFAULT_SIGNALS['error-ratio'].query, { clusterLabel: 'cluster', cluster: 'wire-green', window: '1m' }));
    expect(byName['p99-latency']?.outcome).toBe('ok');
    expect(byName['p99-latency']?.green).toBeCloseTo(0.0995, 3);
    expect(byName.restarts?.outcome).toBe('ok');
    expect(byName.restarts?.green).toBe(0);
  });

  it('matches a cluster name with quotes and braces literally (escaped), and filters by namespace', async () => {
    const client = new PrometheusClient({ url: prometheus.url });
    const q = (cluster: string, namespace?: string) => fillQuery(DEFAULT_SIGNALS['error-ratio'].query, { clusterLabel: 'cluster', cluster, namespace, window: '1m' });
    expect(await client.queryNumber(q(EVIL), never)).toBeCloseTo(0.5, 3);
    expect(await client.queryNumber(q('wire-green', 'shop'), never)).toBeCloseTo(0.2, 3);
    expect(await client.queryNumber(q('wire-green', 'other'), never)).toBeNull();
    expect(await client.queryNumber(q('no-such-cluster'), never)).toBeNull();
  });

  it('says no live evidence for green at weight 0 without series, and holds a green with weight but no series', async () => {
    const source = new PrometheusHealthSource({ signals: DEFAULT_SIGNALS }, new PrometheusClient({ url: prometheus.url }));
    const quiet = await source.health({ blue: { name: 'wire-blue' }, green: { name: 'wire-none', weight: 0 }, window: '1m' }, never);
    expect(quiet.map((r) => [r.signal, r.outcome])).toEqual([['error-ratio', 'no-evidence'], ['p99-latency', 'no-evidence'], ['restarts', 'hold']]);
    const weighted = await source.health({ blue: { name: 'wire-blue' }, green: { name: 'wire-none', weight: 20 }, window: '1m' }, never);
    expect(weighted[0]?.message).toBe('no live evidence on wire-none yet although it has weight 20: its 5xx ratio query has no series in the window; wait for traffic, or check that its series carry the cluster label');
  });

  it('refuses answers of many series, and answers past the size bound', async () => {
    await expect(new PrometheusClient({ url: prometheus.url }).queryNumber('http_requests_total', never)).rejects.toThrow(
      new RegExp(`^Prometheus at ${prometheus.url}/api/v1/query answered \\d+ series where one number was expected \\(aggregate the query with sum\\); query: http_requests_total$`),
    );
    await expect(new PrometheusClient({ url: prometheus.url, maxResponseBytes: 100 }).queryNumber('http_requests_total', never)).rejects.toThrow(
      `Prometheus at ${prometheus.url}/api/v1/query answered with more than 100 bytes; the query must return one number per cluster (aggregate it with sum)`,
    );
  });

  it("quotes Prometheus's own reason for a bad query", async () => {
    await expect(new PrometheusClient({ url: prometheus.url }).queryNumber('sum(', never)).rejects.toThrow(
      `Prometheus at ${prometheus.url}/api/v1/query refused the query (HTTP 400, bad_data: invalid parameter "query": 1:5: parse error: unclosed left parenthesis); query: sum(`,
    );
  });

  it('says unknown, with where and what to do, when Prometheus cannot be reached or does not answer in time', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const source = new PrometheusHealthSource({ signals: DEFAULT_SIGNALS }, new PrometheusClient({ url: `http://127.0.0.1:${port}` }));
    const results = await source.health({ blue: { name: 'wire-blue' }, green: { name: 'wire-green', weight: 20 }, window: '1m' }, never);
    expect(results.every((r) => r.outcome === 'unknown')).toBe(true);
    expect(results[0]?.message).toBe(
      `5xx ratio could not be evaluated: wire-blue: Prometheus at http://127.0.0.1:${port}/api/v1/query could not be reached (ECONNREFUSED); check GREENLIGHT_PROMETHEUS_URL and the network path from greenlight; wire-green: Prometheus at http://127.0.0.1:${port}/api/v1/query could not be reached (ECONNREFUSED); check GREENLIGHT_PROMETHEUS_URL and the network path from greenlight`,
    );

    // A server that accepts and never answers: the client's own timeout ends the wait.
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      await expect(new PrometheusClient({ url, timeoutMs: 200 }).queryNumber('up', never)).rejects.toThrow(`Prometheus at ${url}/api/v1/query did not answer within 0.2 s; check its load, or narrow the window`);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('refuses URLs with credentials, queries or other schemes', () => {
    expect(() => new PrometheusClient({ url: 'http://user:not-a-real-password@prom:9090' })).toThrow('GREENLIGHT_PROMETHEUS_URL must not carry a user name or password');
    expect(() => new PrometheusClient({ url: 'ftp://prom' })).toThrow('GREENLIGHT_PROMETHEUS_URL must be http or https, got ftp:');
    expect(new PrometheusClient({ url: 'http://mimir.monitoring/prometheus' }).endpoint).toBe('http://mimir.monitoring/prometheus/api/v1/query');
  });
});
