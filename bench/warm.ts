/**
 * @module Benchmark 1, warm answers: getparams with every fact already in memory, for 10, 100
 * and 1,000 clusters, at several concurrencies, side by side with the physical limit (a bare
 * `node:http` server answering the same bytes). greenlight runs as a process from a fleet file
 * (its facts are in memory, as a warm facts cache holds them), and once more in live `argocd`
 * mode with the facts cache warmed from the fakes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allClustersRequest, BENCH_TOKEN, controllerHeaders, FleetFiles, GETPARAMS_PATH } from './support/fleet.js';
import { LiveFleet } from './support/live.js';
import { combineRuns, runLoad, type LoadResult, type LoadRun } from './support/load.js';
import { startBareServer, startGreenlight, type RunningServer } from './support/processes.js';

export interface WarmRow {
  readonly mode: 'fleet-file' | 'live (argocd, cache warm)';
  readonly clusters: number;
  readonly connections: number;
  readonly answerBytes: number;
  readonly greenlight: LoadResult;
  readonly bare: LoadResult;
  /** greenlight's requests/s over the bare server's, over all rounds. */
  readonly ratio: number;
  /** The same ratio in each round (how much the machine drifted). */
  readonly roundRatios: readonly number[];
}

export interface WarmOptions {
  readonly sizes: readonly number[];
  readonly connections: readonly number[];
  /** Seconds of each round; each server gets `rounds` rounds per concurrency. */
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  /** Cluster count of the live-mode row (0 skips it). */
  readonly liveClusters: number;
  readonly liveConnections: readonly number[];
  readonly workDir: string;
  readonly log: (line: string) => void;
}

async function answerOnce(server: RunningServer, body: string): Promise<Buffer> {
  const res = await fetch(`${server.url}${GETPARAMS_PATH}`, { method: 'POST', headers: controllerHeaders(), body });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) throw new Error(`greenlight answered ${res.status}: ${bytes.toString('utf8').slice(0, 500)}`);
  return bytes;
}

function countSets(bytes: Buffer): number {
  return (JSON.parse(bytes.toString('utf8')) as { output: { parameters: unknown[] } }).output.parameters.length;
}

/** Measures greenlight and the bare server at each concurrency, alternately, on the same answer. */
async function measurePair(
  mode: WarmRow['mode'],
  clusters: number,
  greenlight: RunningServer,
  body: string,
  options: WarmOptions,
  connections: readonly number[],
): Promise<WarmRow[]> {
  const answer = await answerOnce(greenlight, body);
  if (countSets(answer) !== clusters) throw new Error(`expected ${clusters} parameter sets, got ${countSets(answer)}`);
  const bodyPath = join(options.workDir, `answer-${mode.replace(/\W+/g, '-')}-${clusters}.json`);
  writeFileSync(bodyPath, answer);
  const bare = await startBareServer(bodyPath, join(options.workDir, `bare-${clusters}.log`));
  const rows: WarmRow[] = [];
  try {
    const headers = controllerHeaders();
    const load = (server: RunningServer, c: number, seconds: number) =>
      runLoad({ url: `${server.url}${GETPARAMS_PATH}`, body, headers, connections: c, durationSeconds: seconds });
    // JIT and connection warm-up, not measured.
    await load(greenlight, 10, options.warmupSeconds);
    await load(bare, 10, options.warmupSeconds);
    for (const c of connections) {
      // Short rounds, alternating which server goes first, so that drift in the machine's speed
      // (it is shared, and the load generator runs on it too) falls on both sides of the ratio.
      const gRuns: LoadRun[] = [];
      const bRuns: LoadRun[] = [];
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? ([greenlight, bare] as const) : ([bare, greenlight] as const);
        for (const server of order) (server === greenlight ? gRuns : bRuns).push(await load(server, c, options.durationSeconds));
      }
      const g = combineRuns(gRuns);
      const b = combineRuns(bRuns);
      if (g.non2xx > 0 || g.errors > 0) throw new Error(`greenlight answered ${g.non2xx} non-2xx and ${g.errors} errors at ${c} connections`);
      const roundRatios = gRuns.map((r, i) => r.requestsPerSecond / (bRuns[i]?.requestsPerSecond ?? Number.NaN));
      const row: WarmRow = {
        mode,
        clusters,
        connections: c,
        answerBytes: answer.length,
        greenlight: g,
        bare: b,
        ratio: g.requestsPerSecond / b.requestsPerSecond,
        roundRatios,
      };
      options.log(
        `  warm ${mode} ${clusters} clusters c=${c}: greenlight ${g.requestsPerSecond.toFixed(0)} req/s p50 ${g.p50Ms.toFixed(2)} p99 ${g.p99Ms.toFixed(2)} ms | ` +
          `bare ${b.requestsPerSecond.toFixed(0)} req/s p50 ${b.p50Ms.toFixed(2)} p99 ${b.p99Ms.toFixed(2)} ms | ratio ${row.ratio.toFixed(2)} ` +
          `(rounds ${roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
      );
      rows.push(row);
    }
  } finally {
    await bare.stop();
  }
  return rows;
}

export async function runWarm(options: WarmOptions): Promise<WarmRow[]> {
  const files = new FleetFiles();
  const rows: WarmRow[] = [];
  const body = allClustersRequest();
  try {
    for (const size of options.sizes) {
      const greenlight = await startGreenlight(
        { GREENLIGHT_INVENTORY: files.write(size), GREENLIGHT_TOKEN: BENCH_TOKEN },
        { logPath: join(options.workDir, `greenlight-warm-${size}.log`) },
      );
      try {
        rows.push(...(await measurePair('fleet-file', size, greenlight, body, options, options.connections)));
      } finally {
        await greenlight.stop();
      }
    }
  } finally {
    files.remove();
  }

  if (options.liveClusters > 0) {
    const fleet = await LiveFleet.start({ clusters: options.liveClusters, associations: 5, addons: 5, parameters: 3 });
    const greenlight = await startGreenlight(
      fleet.env(BENCH_TOKEN, {
        // Warm means warm: no expiry or background refresh during the measurement.
        GREENLIGHT_FACTS_TTL_MS: '3600000',
        GREENLIGHT_FACTS_REFRESH_AHEAD_MS: '0',
        GREENLIGHT_EKS_RATE_PER_SECOND: '10000',
        GREENLIGHT_SSM_RATE_PER_SECOND: '10000',
        GREENLIGHT_FACTS_CONCURRENCY: '64',
      }),
      { logPath: join(options.workDir, 'greenlight-warm-live.log') },
    );
    try {
      await answerOnce(greenlight, body); // fills the facts cache
      rows.push(...(await measurePair('live (argocd, cache warm)', options.liveClusters, greenlight, body, options, options.liveConnections)));
    } finally {
      await greenlight.stop();
      await fleet.close();
    }
  }
  return rows;
}
