/**
 * @module Benchmark 5, drift: the scan of a cluster of 100,000 objects over about 200 resource
 * types (served by the fake API server in its own process), against the physical limit: a bare
 * client fetching the same paged metadata-only lists in the same run, doing nothing with them.
 * The scan runs in a child process so that its RSS growth is its own. Then the rate budget: a
 * scan with a budget of N requests/s, measured at the server.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { driftRules } from '../generator/index.js';
import { clusterConfigSchema } from '../plugin/adapters/argocd/cluster-connection.js';
import { KubeDriftScanner } from '../plugin/adapters/kubernetes/drift-scanner.js';
import { KubeClientFactory } from '../plugin/adapters/kubernetes/kube-client-factory.js';
import { createLogger } from '../plugin/logger.js';
import { FakeKubeApiServer } from '../test/support/fake-kube-apiserver.js';
import { eksStore } from '../test/support/drift-clusters.js';
import { eksBaseline } from '../test/fixtures/drift/eks-baseline.js';
import { postgres, blueSeeds } from '../test/fixtures/drift/seeds.js';
import { REPO_ROOT } from './support/processes.js';

const run = promisify(execFile);

export interface DriftBenchResult {
  readonly objects: number;
  readonly resourceTypes: number;
  readonly candidates: number;
  /** Each round's wall time of the bare client and of the scan, and the CPU time the client process spent on each. */
  readonly rounds: readonly { readonly bareMs: number; readonly scanMs: number; readonly bareCpuMs: number; readonly scanCpuMs: number }[];
  /** Median of the rounds' bare / scan time ratios. */
  readonly ratio: number;
  readonly rssGrowthBytes: number;
  readonly rate: { readonly configured: number; readonly observed: number; readonly requests: number };
}

async function startServer(objects: number): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'drift-server.ts'), String(objects)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the drift cluster server exited with ${code}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return { url, stop: () => child.kill('SIGTERM') };
}

/** The scan under a budget of `ratePerSecond`: requests the server saw per second past the first burst. */
async function rateBudget(ratePerSecond: number): Promise<DriftBenchResult['rate']> {
  const store = eksStore([...eksBaseline(), ...postgres('blue'), ...blueSeeds()]);
  const server = await FakeKubeApiServer.start({ objects: store });
  try {
    const connection = { name: 'bench', server: server.url, inCluster: false, config: clusterConfigSchema.parse({ tlsClientConfig: { insecure: true } }) };
    const scanner = new KubeDriftScanner({ logger: createLogger('silent'), ratePerSecond, pageSize: 2 }, { connectionFor: () => connection }, new KubeClientFactory());
    await scanner.scan({ name: 'bench', server: server.url, project: 'default', labels: {}, annotations: {}, origin: 'the benchmark' }, driftRules(), AbortSignal.timeout(600_000));
    scanner.close();
    const times = store.requests.map((r) => r.at).sort((a, b) => a - b);
    // A token bucket lets `burst` requests go at once, then `rate` per second: over the whole scan,
    // requests beyond the burst divided by the time from the first request to the last.
    const burst = Math.max(1, Math.floor(ratePerSecond));
    const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    return { configured: ratePerSecond, observed: span > 0 ? (times.length - burst) / span : Number.POSITIVE_INFINITY, requests: times.length };
  } finally {
    await server.close();
  }
}

export async function runDriftBench(options: { objects: number; rounds: number; ratePerSecond: number; log: (line: string) => void }): Promise<DriftBenchResult> {
  options.log(`drift: serving ${options.objects} objects`);
  const server = await startServer(options.objects);
  let measured: { objects: number; resourceTypes: number; candidates: number; rssBefore: number; rssPeak: number; rounds: { bareMs: number; scanMs: number; bareCpuMs: number; scanCpuMs: number }[] };
  try {
    options.log('drift: the scan and the bare client, in a child process');
    const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'bench', 'drift-child.ts'), server.url, String(options.rounds)], {
      cwd: REPO_ROOT,
      timeout: 1_800_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    measured = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as typeof measured;
  } finally {
    server.stop();
  }
  const ratios = measured.rounds.map((r) => r.bareMs / r.scanMs).sort((a, b) => a - b);
  options.log(`drift: the rate budget at ${options.ratePerSecond} requests/s`);
  const rate = await rateBudget(options.ratePerSecond);
  return {
    objects: measured.objects,
    resourceTypes: measured.resourceTypes,
    candidates: measured.candidates,
    rounds: measured.rounds,
    ratio: ratios[Math.floor(ratios.length / 2)] ?? 0,
    rssGrowthBytes: measured.rssPeak - measured.rssBefore,
    rate,
  };
}
