/**
 * @module Benchmark 4, memory: greenlight's resident memory with the facts of 1,000 clusters held
 * (from a fleet file, and in live mode in the facts cache after one fan-out), measured from
 * /proc after answering; and, in a child process with exposed GC, the heap 10,000 Applications
 * and their fleet view take where parity runs.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { allClustersRequest, BENCH_TOKEN, controllerHeaders, FleetFiles, GETPARAMS_PATH } from './support/fleet.js';
import { LiveFleet } from './support/live.js';
import { scrape, sumBy } from './support/metrics.js';
import { GC_ON_SIGNAL, REPO_ROOT, startGreenlight, type RunningServer } from './support/processes.js';

export interface ServiceMemoryRow {
  readonly mode: string;
  readonly clusters: number;
  /** Resident set size once started and ready, before any request (after a full GC). */
  readonly rssIdleBytes: number;
  /** Right after answering for every cluster `requests` times, garbage included. */
  readonly rssLoadedBytes: number;
  /** The same after a full GC: what holding the facts costs. */
  readonly rssAfterBytes: number;
  readonly heapUsedAfterBytes: number;
  readonly requests: number;
  /** Seconds the first answer took (reading every cluster's facts in live mode). */
  readonly firstAnswerSeconds: number;
}

export interface AppsMemoryRow {
  readonly applications: number;
  readonly families: number;
  readonly listJsonBytes: number;
  readonly heapApplications: number;
  readonly heapFleetView: number;
  readonly rss: number;
}

async function answerAll(server: RunningServer, times: number, clusters: number): Promise<number> {
  let first = 0;
  for (let i = 0; i < times; i++) {
    const started = Date.now();
    const res = await fetch(`${server.url}${GETPARAMS_PATH}`, { method: 'POST', headers: controllerHeaders(), body: allClustersRequest(), signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`greenlight answered ${res.status}: ${text.slice(0, 300)}`);
    const sets = (JSON.parse(text) as { output: { parameters: unknown[] } }).output.parameters.length;
    if (sets !== clusters) throw new Error(`expected ${clusters} parameter sets, got ${sets}`);
    if (i === 0) first = (Date.now() - started) / 1000;
  }
  return first;
}

/** Full GC in the server (it was started with GC_ON_SIGNAL), then a moment for it to finish. */
async function collect(server: RunningServer): Promise<void> {
  server.signal('SIGUSR2');
  await new Promise((r) => setTimeout(r, 500));
}

async function measure(mode: string, server: RunningServer, clusters: number, requests: number): Promise<ServiceMemoryRow> {
  await collect(server);
  const rssIdleBytes = server.rssBytes();
  const firstAnswerSeconds = await answerAll(server, requests, clusters);
  const rssLoadedBytes = server.rssBytes();
  await collect(server);
  const heap = sumBy(await scrape(server.url), 'greenlight_nodejs_heap_size_used_bytes', '');
  return { mode, clusters, rssIdleBytes, rssLoadedBytes, rssAfterBytes: server.rssBytes(), heapUsedAfterBytes: heap[''] ?? Number.NaN, requests, firstAnswerSeconds };
}

export async function runServiceMemory(options: { clusters: number; requests: number; workDir: string; live: boolean }): Promise<ServiceMemoryRow[]> {
  const rows: ServiceMemoryRow[] = [];
  const files = new FleetFiles();
  try {
    const server = await startGreenlight({ GREENLIGHT_INVENTORY: files.write(options.clusters), GREENLIGHT_TOKEN: BENCH_TOKEN }, {
      logPath: join(options.workDir, 'greenlight-memory-file.log'),
      nodeArgs: GC_ON_SIGNAL,
    });
    try {
      rows.push(await measure('fleet-file (realistic facts)', server, options.clusters, options.requests));
    } finally {
      await server.stop();
    }
  } finally {
    files.remove();
  }
  if (options.live) {
    const fleet = await LiveFleet.start({ clusters: options.clusters, parameters: 2 });
    const server = await startGreenlight(
      fleet.env(BENCH_TOKEN, {
        GREENLIGHT_EKS_RATE_PER_SECOND: '10000',
        GREENLIGHT_SSM_RATE_PER_SECOND: '10000',
        GREENLIGHT_FACTS_CONCURRENCY: '64',
        GREENLIGHT_REQUEST_DEADLINE_MS: '28000',
        GREENLIGHT_FACTS_TTL_MS: '3600000',
      }),
      { logPath: join(options.workDir, 'greenlight-memory-live.log'), readyTimeoutMs: 30_000, nodeArgs: GC_ON_SIGNAL },
    );
    try {
      rows.push(await measure('live argocd (facts cache filled)', server, options.clusters, options.requests));
    } finally {
      await server.stop();
      await fleet.close();
    }
  }
  return rows;
}

/** Runs bench/apps-memory-child.ts in a fresh process with exposed GC. */
export function runAppsMemory(applications: number, clusters: number): AppsMemoryRow {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'bench', 'apps-memory-child.ts'), String(applications), String(clusters)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as AppsMemoryRow;
}
