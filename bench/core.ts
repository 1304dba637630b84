/**
 * @module Where a warm answer's time goes: the pure core (`generateParameters` over facts in
 * memory) and the JSON serialization of its answer, in process, without HTTP. Beside benchmark
 * 1, it tells how much of greenlight's gap to the bare server is the work of building the answer.
 */
import { setMaxListeners } from 'node:events';
import { generateParameters, TemplateCache, type ClusterRecord } from '../generator/index.js';
import { InMemoryFleet } from '../test/support/in-memory-fleet.js';
import { benchClusterName, realisticFacts } from './support/fleet.js';
import { percentile } from './support/load.js';

export interface CoreRow {
  readonly clusters: number;
  /** Median milliseconds of one `generateParameters` call. */
  readonly generateMs: number;
  /** Median milliseconds of `JSON.stringify` of its answer. */
  readonly stringifyMs: number;
  readonly answerBytes: number;
}

async function median(fn: () => Promise<void> | void, runs: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

export async function runCore(options: { sizes: readonly number[]; log: (line: string) => void }): Promise<CoreRow[]> {
  const rows: CoreRow[] = [];
  for (const size of options.sizes) {
    const fleet = new InMemoryFleet();
    for (let i = 0; i < size; i++) {
      const name = benchClusterName(i);
      const cluster: ClusterRecord = {
        name,
        server: `https://${name}.gr7.eu-west-1.eks.amazonaws.com`,
        project: 'platform',
        labels: { environment: 'prod', 'greenlight.io/pair': name.replace(/-(blue|green)$/, ''), 'greenlight.io/role': i % 2 === 0 ? 'blue' : 'green' },
        annotations: { 'greenlight.io/weight': i % 2 === 0 ? '100' : '0', 'greenlight.io/domain': 'eu.example.com' },
        origin: `bench fleet (cluster ${name})`,
        aws: { clusterName: name },
      };
      fleet.add(cluster, realisticFacts(name, i));
    }
    const templates = new TemplateCache();
    const request = {
      applicationSetName: 'bench',
      parameters: { selector: { matchLabels: { environment: 'prod' } }, vars: { host: 'web.{{cluster.nameNormalized}}.{{ingress.domain}}' } },
    };
    // One listener per cluster on the request's signal, as in the service.
    const signal = new AbortController().signal;
    setMaxListeners(0, signal);
    const generate = () => generateParameters(request, { inventory: fleet, facts: fleet, templates }, signal);
    let answer = await generate();
    const runs = size >= 1000 ? 30 : 300;
    for (let i = 0; i < runs / 3; i++) await generate(); // warm-up
    fleet.calls.length = 0;
    const generateMs = await median(async () => {
      answer = await generate();
      fleet.calls.length = 0;
    }, runs);
    let text = '';
    const stringifyMs = await median(() => {
      text = JSON.stringify({ output: { parameters: answer } });
    }, runs);
    const row = { clusters: size, generateMs, stringifyMs, answerBytes: Buffer.byteLength(text) };
    options.log(`  core ${size} clusters: generateParameters ${generateMs.toFixed(3)} ms, JSON.stringify ${stringifyMs.toFixed(3)} ms (${row.answerBytes} bytes)`);
    rows.push(row);
  }
  return rows;
}
