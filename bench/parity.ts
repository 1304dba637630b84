/**
 * @module Benchmark 3a, parity: the pure parity computation (`buildFleet` of generator/parity.ts)
 * over 10,000 Applications on 2 and on 4 clusters, in process, after warm-up; and, beside it, the
 * zod parse of the same Application list that the UI does before (applicationListSchema).
 */
import { applicationListSchema, buildFleet } from '../generator/index.js';
import { fleetOfApps } from './support/applications.js';
import { percentile } from './support/load.js';

export interface ParityRow {
  readonly applications: number;
  readonly clusters: number;
  readonly families: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  /** Parsing the list JSON text and validating it with the shared zod schema. */
  readonly parseMedianMs: number;
}

function time(fn: () => void, runs: number, warmups: number): number[] {
  for (let i = 0; i < warmups; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

export function runParity(options: { applications: number; clusterCounts: readonly number[]; runs: number; log: (line: string) => void }): ParityRow[] {
  return options.clusterCounts.map((clusters) => {
    const input = fleetOfApps({ clusters, applications: options.applications });
    let families = 0;
    const build = time(() => {
      families = buildFleet(input).counts.families;
    }, options.runs, 5);
    const text = JSON.stringify({ items: input.applications });
    const parse = time(() => {
      applicationListSchema.parse(JSON.parse(text));
    }, Math.max(3, Math.floor(options.runs / 3)), 2);
    const row: ParityRow = {
      applications: input.applications.length,
      clusters,
      families,
      medianMs: percentile(build, 50),
      p95Ms: percentile(build, 95),
      parseMedianMs: percentile(parse, 50),
    };
    options.log(`  parity ${row.applications} apps / ${clusters} clusters (${families} families): median ${row.medianMs.toFixed(1)} ms, p95 ${row.p95Ms.toFixed(1)} ms; list parse ${row.parseMedianMs.toFixed(1)} ms`);
    return row;
  });
}
