/**
 * @module `npm run bench`: every benchmark of greenlight in one run, printed as ONE table (and
 * written with the raw figures to bench/results.json). Servers run as their own processes; the
 * load generator, the fakes and the pure computations run in this one.
 *
 *   npx tsc -b && npx tsx bench/run.ts [--quick] [--only core,warm,cold,parity,page,memory,drift]
 *
 * `--quick` shrinks every benchmark (a smoke run of the harness, not figures to publish).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCold, type ColdResult } from './cold.js';
import { runDriftBench, type DriftBenchResult } from './drift.js';
import { runCore, runRenderBudget, type CoreRow } from './core.js';
import { runFleetPage, type FleetPageResult } from './fleet-page.js';
import { runAppsMemory, runServiceMemory, type AppsMemoryRow, type ServiceMemoryRow } from './memory.js';
import { runParity, type ParityRow } from './parity.js';
import { REPO_ROOT } from './support/processes.js';
import { runWarm, type WarmRow } from './warm.js';

const SECTIONS = ['core', 'warm', 'cold', 'parity', 'page', 'memory', 'drift'] as const;
type Section = (typeof SECTIONS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a, i) => args[i - 1] === '--only') ?? args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set<Section>(onlyArg ? (onlyArg.split(',') as Section[]) : SECTIONS);
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section "${s}"; sections: ${SECTIONS.join(', ')}`);

const log = (line: string) => process.stderr.write(`${line}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'greenlight-bench-run-'));

function machine() {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return { cpus: availableParallelism(), model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${process.arch}`, commit };
}

const rps = (n: number) => `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} req/s`;
const ms = (n: number) => (n >= 100 ? `${n.toFixed(0)} ms` : n >= 10 ? `${n.toFixed(1)} ms` : `${n.toFixed(2)} ms`);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const yesNo = (ok: boolean) => (ok ? 'yes' : '**no**');

type Row = [string, string, string, string, string, string, string];

function warmRows(rows: readonly WarmRow[]): Row[] {
  return rows.map((r) => {
    // The issue's target is at 100 clusters. p99 is judged at 1 and 10 connections: with 100 in
    // flight, queueing alone puts the bare server's own p99 far above 5 ms on this machine.
    const targeted = r.clusters === 100 && r.mode === 'fleet-file';
    const p99Judged = targeted && r.connections <= 10;
    const target = !targeted ? '(reported)' : p99Judged ? '≥ 0.8; p99 < 5 ms' : '≥ 0.8';
    const met = !targeted ? '' : yesNo(r.ratio >= 0.8 && (!p99Judged || r.greenlight.p99Ms < 5));
    return [
      '1 warm',
      `${r.mode === 'fleet-file' ? '' : 'live, cache warm, '}${r.clusters} clusters (${(r.answerBytes / 1024).toFixed(0)} KiB), ${r.connections} conn.`,
      `${rps(r.greenlight.requestsPerSecond)}, p50 ${ms(r.greenlight.p50Ms)}, p99 ${ms(r.greenlight.p99Ms)}`,
      `${rps(r.bare.requestsPerSecond)}, p50 ${ms(r.bare.p50Ms)}, p99 ${ms(r.bare.p99Ms)}`,
      r.roundRatios.length > 1 ? `${r.ratio.toFixed(2)} (rounds ${Math.min(...r.roundRatios).toFixed(2)}–${Math.max(...r.roundRatios).toFixed(2)})` : r.ratio.toFixed(2),
      target,
      met,
    ];
  });
}

function coreRows(rows: readonly CoreRow[]): Row[] {
  return rows.map((r) => [
    '1 warm (core)',
    `${r.clusters} clusters, in process, no HTTP`,
    `generateParameters ${ms(r.generateMs)} + JSON.stringify ${ms(r.stringifyMs)}`,
    `${rps(1000 / (r.generateMs + r.stringifyMs))} per core at most`,
    '',
    '',
    '',
  ]);
}

function coldRows(r: ColdResult): Row[] {
  const fetches = Object.entries(r.fetchesPerClusterBySource).map(([s, n]) => `${s} ${n.toFixed(3)}`).join(', ');
  const calls = Object.entries(r.callsPerCluster)
    .map(([api, n]) => `${api.startsWith('kube ') ? `kube ${api.split('/').pop() ?? api}` : api} ${n.toFixed(3)}`)
    .join(', ');
  const exact = Object.values(r.fetchesPerClusterBySource).every((n) => n === 1) && Object.values(r.callsPerCluster).every((n) => n === 1);
  const errors = Object.entries(r.errorsBeforeComplete).map(([k, n]) => `${n}× ${k}`).join(', ') || 'none';
  return [
    [
      '2 cold',
      `${r.clusters} clusters, ${r.applicationSets} ApplicationSets at once, 50 ms upstream latency`,
      `first complete answer ${r.firstCompleteSeconds.toFixed(1)} s (all ${r.applicationSets}: ${r.allCompleteSeconds.toFixed(1)} s); errors before it: ${errors}`,
      `${r.lowerBoundSeconds.toFixed(1)} s (EKS calls at 20/s)`,
      (r.firstCompleteSeconds / r.lowerBoundSeconds).toFixed(2),
      '',
      '',
    ],
    ['2 cold', 'throttling errors in answers', `${r.throttlingErrorsSurfaced} (throttled upstream calls: ${r.throttledUpstreamCalls}; failed attempts by class: ${JSON.stringify(r.upstreamErrorsByClass)})`, '', '', '0', yesNo(r.throttlingErrorsSurfaced === 0)],
    ['2 cold', 'upstream fetches per cluster and source', fetches, '1 per TTL', '', 'exactly 1', yesNo(exact)],
    ['2 cold', 'upstream calls per cluster (fake counters)', calls, '1 per TTL', '', 'exactly 1', yesNo(exact)],
    ['2 cold', 'one Prometheus scrape of /metrics afterwards (readiness gauges)', `${r.scrapeUpstreamCalls} upstream calls`, '', '', '', ''],
    ['2 cold', `second wave, ${r.applicationSets} ApplicationSets, within the TTL`, `${r.secondWaveSeconds.toFixed(2)} s, ${r.secondWaveUpstreamCalls} upstream calls${r.secondWaveUpstreamCalls > 0 ? ` (${Object.entries(r.secondWaveCallsByApi).map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`, '0 calls', '', '0 calls', yesNo(r.secondWaveUpstreamCalls === 0)],
  ];
}

function parityRows(rows: readonly ParityRow[]): Row[] {
  return rows.map((r) => [
    '3 parity',
    `buildFleet, ${r.applications} Applications on ${r.clusters} clusters (${r.families} families)`,
    `median ${ms(r.medianMs)}, p95 ${ms(r.p95Ms)} (list parse with zod: ${ms(r.parseMedianMs)})`,
    '',
    '',
    '≤ 50 ms',
    yesNo(r.medianMs <= 50),
  ]);
}

function pageRows(r: FleetPageResult): Row[] {
  return [['3 fleet page', `${r.families} families (${r.applications} Applications), headless Chromium`, `time to content median ${r.medianMs} ms (max ${r.maxMs} ms, ${r.runs} runs)`, '', '', '', '']];
}

function memoryRows(service: readonly ServiceMemoryRow[], apps: AppsMemoryRow | undefined): Row[] {
  const rows: Row[] = service.map((r) => [
    '4 memory',
    `greenlight, ${r.clusters} clusters, ${r.mode}`,
    `RSS ${mib(r.rssAfterBytes)} after full GC (heap ${mib(r.heapUsedAfterBytes)}); ${mib(r.rssLoadedBytes)} right after answering; idle before ${mib(r.rssIdleBytes)}`,
    '',
    '',
    '',
    '',
  ]);
  if (apps) {
    rows.push([
      '4 memory',
      `${apps.applications} Applications (${(apps.listJsonBytes / 2 ** 20).toFixed(1)} MiB of list JSON) + fleet view`,
      `heap ${mib(apps.heapApplications)} for the parsed list + ${mib(apps.heapFleetView)} for the view; process RSS ${mib(apps.rss)}`,
      '',
      '',
      '',
      '',
    ]);
  }
  return rows;
}

function driftRows(r: DriftBenchResult): Row[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const scanMs = median(r.rounds.map((x) => x.scanMs));
  const bareMs = median(r.rounds.map((x) => x.bareMs));
  const scanCpuMs = median(r.rounds.map((x) => x.scanCpuMs));
  const bareCpuMs = median(r.rounds.map((x) => x.bareCpuMs));
  return [
    [
      '5 drift',
      `scan of ${r.objects} objects over ${r.resourceTypes} listable types (metadata-only, pages of 500, 4 at once)`,
      `${s(scanMs)} (${(r.objects / (scanMs / 1000)).toFixed(0)} objects/s; ${r.candidates} kept; client CPU ${s(scanCpuMs)})`,
      `${s(bareMs)}: bare client, same paged lists (client CPU ${s(bareCpuMs)})`,
      `${r.ratio.toFixed(2)} (rounds ${r.rounds.map((x) => (x.bareMs / x.scanMs).toFixed(2)).join(', ')})`,
      '≥ 0.8',
      yesNo(r.ratio >= 0.8),
    ],
    ['5 drift', `RSS growth of the scan at ${r.objects} objects`, mib(r.rssGrowthBytes), '', '', '< 100 MiB', yesNo(r.rssGrowthBytes < 100 * 2 ** 20)],
    [
      '5 drift',
      `rate budget of ${r.rate.configured} requests/s (${r.rate.requests} requests)`,
      `${r.rate.observed.toFixed(1)} requests/s beyond the first burst of ${r.rate.configured}`,
      '',
      '',
      `≤ ${r.rate.configured} (within 2%: timer granularity)`,
      yesNo(r.rate.observed <= r.rate.configured * 1.02),
    ],
  ];
}

function table(rows: readonly Row[]): string {
  const head: Row = ['benchmark', 'case', 'greenlight', 'physical limit / baseline', 'ratio', 'target', 'met'];
  const line = (r: readonly string[]) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const info = machine();
  log(`greenlight benchmarks on ${info.cpus} × ${info.model}, ${info.memoryGiB} GiB, Node ${info.node}${quick ? ' (quick)' : ''}`);
  const results: Record<string, unknown> = { machine: info, quick, startedAt: new Date(started).toISOString() };
  const bySection: Partial<Record<Section, Row[]>> = {};
  try {
    if (only.has('core')) {
      log('core: the pure answer, in process');
      const core = await runCore({ sizes: quick ? [10, 100] : [10, 100, 1000], log });
      results['core'] = core;
      bySection.core = coreRows(core);
      results['renderBudget'] = await runRenderBudget({ clusters: quick ? 100 : 1000, runs: quick ? 5 : 15, log });
    }
    if (only.has('parity')) {
      log('parity: buildFleet over 10,000 Applications');
      const parity = runParity({ applications: quick ? 2000 : 10_000, clusterCounts: [2, 4], runs: quick ? 5 : 15, log });
      results['parity'] = parity;
      bySection.parity = parityRows(parity);
    }
    if (only.has('warm')) {
      log('warm: greenlight and the bare node:http server, side by side');
      const warm = await runWarm({
        sizes: quick ? [10, 100] : [10, 100, 1000],
        connections: quick ? [1, 10] : [1, 10, 100],
        durationSeconds: quick ? 1 : 2,
        rounds: quick ? 1 : 3,
        warmupSeconds: quick ? 1 : 2,
        liveClusters: quick ? 10 : 100,
        liveConnections: quick ? [10] : [1, 10],
        workDir,
        log,
      });
      results['warm'] = warm;
      bySection.warm = warmRows(warm);
    }
    if (only.has('cold')) {
      log('cold: 500 clusters behind slow, throttling upstreams, ten ApplicationSets at once');
      const cold = await runCold({ clusters: quick ? 40 : 500, applicationSets: 10, latencyMs: 50, eksPerSecond: 20, ssmPerSecond: 40, maxSeconds: 240, workDir, log });
      results['cold'] = cold;
      bySection.cold = coldRows(cold);
    }
    if (only.has('page')) {
      log('page: the fleet page in headless Chromium');
      const page = await runFleetPage({ families: quick ? 200 : 2000, runs: quick ? 2 : 5, log });
      results['page'] = page;
      bySection.page = pageRows(page);
    }
    if (only.has('memory')) {
      log('memory: greenlight with 1,000 clusters of facts; 10,000 Applications');
      const service = await runServiceMemory({ clusters: quick ? 100 : 1000, requests: 5, workDir, live: true });
      const apps = runAppsMemory(quick ? 1000 : 10_000, 4);
      results['memory'] = { service, apps };
      bySection.memory = memoryRows(service, apps);
    }
    if (only.has('drift')) {
      log('drift: a scan of 100,000 objects over about 200 resource types');
      const drift = await runDriftBench({ objects: quick ? 10_000 : 100_000, rounds: quick ? 1 : 5, ratePerSecond: 20, log });
      results['drift'] = drift;
      bySection.drift = driftRows(drift);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  results['seconds'] = Math.round((Date.now() - started) / 1000);
  const rows = (['warm', 'core', 'cold', 'parity', 'page', 'memory', 'drift'] as const).flatMap((section) => bySection[section] ?? []);
  const text = table(rows);
  results['table'] = text;
  // Only a full run replaces the published figures.
  if (!quick && only.size === SECTIONS.length) writeFileSync(join(REPO_ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${text}\n\nMachine: ${info.cpus} × ${info.model}, ${info.memoryGiB} GiB RAM, Node ${info.node}, ${info.platform}, commit ${info.commit}; ${results['seconds']} s.\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
