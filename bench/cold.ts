/**
 * @module Benchmark 2, cold fan-out: greenlight (as a process, default settings) starts with an
 * empty facts cache in front of 500 clusters, the fake EKS, SSM and cluster APIs answering 50 ms
 * late and throttling beyond EKS 20 requests/s (each API) and SSM 40 requests/s. Ten
 * ApplicationSets ask for all 500 clusters at once and ask again whenever they get an error, as
 * reconciles and webhooks keep coming. Measured: the time to the first complete answer against
 * the lower bound the rate limits set, the upstream calls per cluster and source, and the
 * throttling errors that reached an answer.
 */
import { join } from 'node:path';
import { BENCH_TOKEN, controllerHeaders, GETPARAMS_PATH } from './support/fleet.js';
import { EKS_APIS, LiveFleet } from './support/live.js';
import { scrape, sumBy } from './support/metrics.js';
import { startGreenlight } from './support/processes.js';

export interface ColdOptions {
  readonly clusters: number;
  readonly applicationSets: number;
  readonly latencyMs: number;
  readonly eksPerSecond: number;
  readonly ssmPerSecond: number;
  /** Gives up after this long (the benchmark must end by itself). */
  readonly maxSeconds: number;
  readonly workDir: string;
  readonly log: (line: string) => void;
}

export interface ColdResult {
  readonly clusters: number;
  readonly applicationSets: number;
  /** Seconds from the first request to the first 200 with every cluster. */
  readonly firstCompleteSeconds: number;
  /** Seconds until all ApplicationSets had a complete answer. */
  readonly allCompleteSeconds: number;
  /** The least time the rate limits allow: EKS calls beyond one burst at the EKS rate. */
  readonly lowerBoundSeconds: number;
  /** Errors answered before the first complete answer, by code. */
  readonly errorsBeforeComplete: Readonly<Record<string, number>>;
  /** Error answers whose message speaks of throttling (target 0). */
  readonly throttlingErrorsSurfaced: number;
  /** Throttling answers the fakes gave greenlight (retried inside greenlight). */
  readonly throttledUpstreamCalls: number;
  /** Failed upstream attempts by greenlight's error class (each retried or reported). */
  readonly upstreamErrorsByClass: Readonly<Record<string, number>>;
  /** Upstream calls per cluster: by fake API and cluster-API path, and greenlight's fetches by source. */
  readonly callsPerCluster: Readonly<Record<string, number>>;
  readonly fetchesPerClusterBySource: Readonly<Record<string, number>>;
  /** A second wave of ten ApplicationSets within the TTL: seconds, and upstream calls it made. */
  readonly secondWaveSeconds: number;
  readonly secondWaveUpstreamCalls: number;
  /** Upstream calls one Prometheus scrape of /metrics made (readiness gauges). */
  readonly scrapeUpstreamCalls: number;
  /** The same, by fake API and cluster-API path (empty when it made none). */
  readonly secondWaveCallsByApi: Readonly<Record<string, number>>;
  /** greenlight's resident memory after the fan-out, with every cluster's facts cached. */
  readonly rssBytes: number;
}

interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
  readonly sets?: number;
  readonly complete?: boolean;
}

async function ask(url: string, body: string): Promise<Answer> {
  const res = await fetch(`${url}${GETPARAMS_PATH}`, { method: 'POST', headers: controllerHeaders(), body, signal: AbortSignal.timeout(35_000) });
  const text = await res.text();
  if (res.status !== 200) {
    const parsed = JSON.parse(text) as { code?: string; message?: string };
    return { status: res.status, ...(parsed.code !== undefined ? { code: parsed.code } : {}), ...(parsed.message !== undefined ? { message: parsed.message } : {}) };
  }
  const sets = (JSON.parse(text) as { output: { parameters: { aws?: object; kubernetes?: object; secrets?: object; facts?: { sources?: string } }[] } }).output.parameters;
  const complete = sets.every((s) => s.aws !== undefined && s.kubernetes !== undefined && s.secrets !== undefined && s.facts?.sources === 'eks,kubernetes,ssm');
  return { status: 200, sets: sets.length, complete };
}

function requestFor(i: number): string {
  return `${JSON.stringify({
    applicationSetName: `appset-${i}`,
    input: { parameters: { selector: { matchLabels: { environment: 'prod' } }, vars: { host: `app-${i}.{{cluster.nameNormalized}}.example.com` } } },
  })}\n`;
}

function totalAws(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export async function runCold(options: ColdOptions): Promise<ColdResult> {
  const fleet = await LiveFleet.start({ clusters: options.clusters, parameters: 2 });
  fleet.injectLatency(options.latencyMs);
  fleet.limitRates({ eksPerApi: options.eksPerSecond, ssm: options.ssmPerSecond });
  const greenlight = await startGreenlight(fleet.env(BENCH_TOKEN), { logPath: join(options.workDir, 'greenlight-cold.log'), readyTimeoutMs: 30_000 });
  try {
    const started = Date.now();
    const giveUpAt = started + options.maxSeconds * 1000;
    const errors: Record<string, number> = {};
    let throttlingSurfaced = 0;
    let firstComplete: number | undefined;
    const client = async (i: number): Promise<number> => {
      for (;;) {
        if (Date.now() > giveUpAt) throw new Error(`no complete answer within ${options.maxSeconds} s: ${JSON.stringify(errors)}`);
        const answer = await ask(greenlight.url, requestFor(i));
        if (answer.status === 200) {
          if (answer.sets !== options.clusters || !answer.complete) throw new Error(`a 200 with ${answer.sets} parameter sets (complete: ${answer.complete}); expected ${options.clusters} complete sets`);
          const at = (Date.now() - started) / 1000;
          firstComplete ??= at;
          return at;
        }
        const key = `${answer.status} ${answer.code ?? '?'}`;
        errors[key] = (errors[key] ?? 0) + 1;
        if (/throttl|rate exceeded|too many requests/i.test(answer.message ?? '')) throttlingSurfaced++;
      }
    };
    const done = await Promise.all(Array.from({ length: options.applicationSets }, (_, i) => client(i)));
    const allComplete = Math.max(...done);
    options.log(`  cold: first complete answer after ${firstComplete?.toFixed(1)} s, all ${options.applicationSets} after ${allComplete.toFixed(1)} s; errors before: ${JSON.stringify(errors)}`);

    const upstream = fleet.upstreamCalls();
    const metrics = await scrape(greenlight.url);
    // A scrape computes the readiness gauges, which read EKS upgrade insights: counted apart.
    const scraped = fleet.upstreamCalls();
    const scrapeCalls = totalAws(scraped.aws) + totalAws(scraped.kube) - totalAws(upstream.aws) - totalAws(upstream.kube);
    const fetches = sumBy(metrics, 'greenlight_facts_upstream_calls_total', 'source');
    const upstreamErrors = sumBy(metrics, 'greenlight_facts_upstream_errors_total', 'class');
    const perCluster: Record<string, number> = {};
    for (const [api, n] of Object.entries(upstream.aws)) if (n > 0) perCluster[api] = n / options.clusters;
    for (const [path, n] of Object.entries(upstream.kube)) perCluster[`kube ${path}`] = n / options.clusters;

    const before = { aws: totalAws(scraped.aws), kube: totalAws(scraped.kube) };
    const waveStart = Date.now();
    const wave = await Promise.all(Array.from({ length: options.applicationSets }, (_, i) => ask(greenlight.url, requestFor(i))));
    const secondWaveSeconds = (Date.now() - waveStart) / 1000;
    if (wave.some((a) => a.status !== 200 || a.sets !== options.clusters)) throw new Error(`the second wave was not all complete: ${JSON.stringify(wave.map((a) => a.status))}`);
    const after = fleet.upstreamCalls();
    const delta: Record<string, number> = {};
    for (const [api, n] of Object.entries(after.aws)) if (n !== (scraped.aws[api as keyof typeof scraped.aws] ?? 0)) delta[api] = n - (scraped.aws[api as keyof typeof scraped.aws] ?? 0);
    for (const [path, n] of Object.entries(after.kube)) if (n !== (scraped.kube[path] ?? 0)) delta[`kube ${path}`] = n - (scraped.kube[path] ?? 0);
    const eksCalls = EKS_APIS.reduce((sum, api) => sum + (upstream.aws[api] ?? 0), 0);
    return {
      clusters: options.clusters,
      applicationSets: options.applicationSets,
      firstCompleteSeconds: firstComplete ?? Number.NaN,
      allCompleteSeconds: allComplete,
      lowerBoundSeconds: Math.max(0, eksCalls - options.eksPerSecond) / options.eksPerSecond,
      errorsBeforeComplete: errors,
      throttlingErrorsSurfaced: throttlingSurfaced,
      throttledUpstreamCalls: upstreamErrors['throttled'] ?? 0,
      upstreamErrorsByClass: upstreamErrors,
      callsPerCluster: perCluster,
      fetchesPerClusterBySource: Object.fromEntries(Object.entries(fetches).map(([s, n]) => [s, n / options.clusters])),
      secondWaveSeconds,
      secondWaveUpstreamCalls: totalAws(after.aws) + totalAws(after.kube) - before.aws - before.kube,
      secondWaveCallsByApi: delta,
      scrapeUpstreamCalls: scrapeCalls,
      rssBytes: greenlight.rssBytes(),
    };
  } finally {
    await greenlight.stop();
    await fleet.close();
  }
}
