/**
 * @module Where a warm answer's time goes: the pure core (`generateParameters` over facts in
 * memory) and the JSON serialization of its answer, in process, without HTTP. Beside benchmark
 * 1, it tells how much of greenlight's gap to the bare server is the work of building the answer.
 */
import { setMaxListeners } from 'node:events';
import { generateParameters, GreenlightError, TemplateCache, type ClusterRecord } from '../generator/index.js';
import { bindGenerate, cpuClockMs } from '../plugin/compose.js';
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

export interface RenderBudgetRow {
  readonly clusters: number;
  /** Median CPU milliseconds of a request with five ordinary vars, and its answer. */
  readonly ordinaryCpuMs: number;
  /** Median CPU milliseconds until a template of loops nested in loops gets GL_TEMPLATE_BUDGET_EXCEEDED. */
  readonly hostileCpuMs: number;
  readonly hostileMessage: string;
}

const ORDINARY_VARS = {
  host: 'web.{{cluster.nameNormalized}}.{{ingress.domain}}',
  region: '{{aws.region}}-{{lower cluster.name}}',
  dns: '{{join "." "api" (dnsLabel cluster.name) aws.region}}',
  tier: '{{#if (eq cluster.role "green")}}canary{{else}}stable{{/if}}',
  aws: '{{#each aws}}{{@key}}={{this}},{{/each}}',
};

/** The render budget as the server applies it (bindGenerate, default budget, CPU clock). */
export async function runRenderBudget(options: { clusters: number; runs: number; log: (line: string) => void }): Promise<RenderBudgetRow> {
  const fleet = new InMemoryFleet();
  for (let i = 0; i < options.clusters; i++) {
    const name = benchClusterName(i);
    fleet.add({ name, server: `https://${name}.example.com`, project: 'platform', labels: { environment: 'prod', 'greenlight.io/pair': name.replace(/-(blue|green)$/, ''), 'greenlight.io/role': i % 2 === 0 ? 'blue' : 'green' }, annotations: { 'greenlight.io/weight': i % 2 === 0 ? '100' : '0', 'greenlight.io/domain': 'eu.example.com' }, origin: name, aws: { clusterName: name } }, realisticFacts(name, i));
  }
  const generate = bindGenerate({ inventory: fleet, facts: fleet, description: 'bench', whenReady: async () => {}, close: async () => {} });
  const signal = new AbortController().signal;
  setMaxListeners(0, signal);
  const ask = (vars: Record<string, string>) => generate({ applicationSetName: 'bench', parameters: { selector: { matchLabels: { environment: 'prod' } }, vars } }, signal);
  const cpu = async (fn: () => Promise<void>) => {
    const times: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const start = cpuClockMs();
      await fn();
      times.push(cpuClockMs() - start);
    }
    return percentile(times.sort((a, b) => a - b), 50);
  };
  const ordinaryCpuMs = await cpu(async () => {
    JSON.stringify(await ask(ORDINARY_VARS));
  });
  let hostileMessage = '';
  let n = 0;
  const hostileCpuMs = await cpu(async () => {
    try {
      await ask({ loop: `${'{{#each @root}}'.repeat(12)}{{! ${n++} }}${'{{/each}}'.repeat(12)}` });
    } catch (err) {
      if (!(err instanceof GreenlightError) || err.code !== 'GL_TEMPLATE_BUDGET_EXCEEDED') throw err;
      hostileMessage = err.message.slice(0, err.message.indexOf(', over'));
      return;
    }
    throw new Error('the hostile template was answered');
  });
  options.log(`  render budget, ${options.clusters} clusters: five ordinary vars ${ordinaryCpuMs.toFixed(1)} ms CPU; #each @root nested 12 deep stopped after ${hostileCpuMs.toFixed(1)} ms CPU (${hostileMessage})`);
  return { clusters: options.clusters, ordinaryCpuMs, hostileCpuMs, hostileMessage };
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
