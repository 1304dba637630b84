/**
 * Memory under a flood of distinct valid requests: greenlight as a process, on a fleet file of
 * 100 clusters, asked by a few concurrent clients for about a minute with requests that never
 * repeat: (a) thousands of ~200 KiB bodies (distinct echo values), each an answer of its own to
 * cache; (b) requests each carrying the most vars the schema allows (64 templates of 4 KiB),
 * none of them seen before. Its resident memory (VmRSS, sampled all along) must stay below
 * 400 MiB, and every answer checked must be right. The bound is the assertion, not throughput:
 * the loops stop at a count or a time, whichever comes first. The process runs with the Node
 * flags the manifest gives it (its V8 heap bound, which in a pod also follows from the memory
 * limit; on a test machine with gigabytes free, V8 would otherwise let garbage pile up).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { benchClusterName, fleetDocument } from '../../bench/support/fleet.js';
import { MAX_TEMPLATE_LENGTH, MAX_VARS } from '../../generator/index.js';
import { REPO_ROOT, startService, type ServiceProcess } from '../support/service-process.js';
import { GETPARAMS } from './support/bad-input.js';
import { rss } from './support/process-memory.js';
import { RawClient } from './support/raw-http.js';

const TOKEN = 'reliability-memory-token-not-secret';
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'argocd-applicationset' };
const CLUSTERS = 100;
const PAIRS = CLUSTERS / 2;
const CLIENTS = 4;
const RSS_BOUND = 400 * 2 ** 20;
/** Each phase stops at its count or its time, whichever comes first. */
const PHASE_A = { requests: 4000, ms: 30_000 };
const PHASE_B = { requests: 1500, ms: 30_000 };
/** Every how many answers one is checked in full. */
const CHECK_EVERY = 7;

let dir: string;
let service: ServiceProcess;
let client: RawClient;


/** The Node flags of the shipped Deployment (the container's args before the entry point). */
function manifestNodeFlags(): string[] {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'manifests', 'base', 'deployment.yaml'), 'utf8')).map((d) => d.toJS() as { kind?: string });
  const deploy = docs.find((d) => d.kind === 'Deployment') as { spec: { template: { spec: { containers: { args?: string[] }[] } } } } | undefined;
  const args = deploy?.spec.template.spec.containers[0]?.args ?? [];
  const flags = args.slice(0, args.indexOf('dist/plugin/main.js'));
  if (!flags.some((f) => f.startsWith('--max-old-space-size='))) throw new Error(`the Deployment's args ${JSON.stringify(args)} set no V8 heap bound`);
  return flags;
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Samples the service's RSS until stopped; keeps the maximum. */
function sampleRss(pid: number): { stop(): number; max(): number } {
  let max = rss(pid);
  const timer = setInterval(() => {
    max = Math.max(max, rss(pid));
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      max = Math.max(max, rss(pid));
      return max;
    },
    max: () => max,
  };
}

interface Sent {
  readonly body: string;
  /** Checks a complete answer; returns what is wrong, or undefined. */
  readonly check: (answer: string) => string | undefined;
}

type Sets = { cluster?: Record<string, string>; input?: Record<string, string>; vars?: Record<string, string> }[];

function pairOf(i: number): { pair: string; names: string[] } {
  const p = i % PAIRS;
  const names = [benchClusterName(2 * p), benchClusterName(2 * p + 1)];
  return { pair: (names[0] as string).replace(/-blue$/, ''), names };
}

function setsOf(answer: string, names: readonly string[]): { sets: Sets } | { wrong: string } {
  const sets = (JSON.parse(answer) as { output?: { parameters?: Sets } }).output?.parameters;
  if (!Array.isArray(sets)) return { wrong: 'no output.parameters' };
  const got = sets.map((s) => s.cluster?.['name'] ?? '?').sort();
  if (JSON.stringify(got) !== JSON.stringify([...names].sort())) return { wrong: `clusters ${got.join(',')} instead of ${names.join(',')}` };
  return { sets };
}

/** (a) ~200 KiB: 50 echo values of 4 000 characters, distinct in every request. */
function echoRequest(i: number): Sent {
  const { pair, names } = pairOf(i);
  const echo: Record<string, string> = {};
  for (let k = 0; k < 50; k++) echo[`e${k}`] = `${i}.${k}:`.padEnd(4000, String.fromCharCode(97 + ((i + k) % 26)));
  const body = `${JSON.stringify({ applicationSetName: `flood-${i % 10}`, input: { parameters: { pair, echo } } })}\n`;
  return {
    body,
    check: (answer) => {
      const r = setsOf(answer, names);
      if ('wrong' in r) return r.wrong;
      for (const set of r.sets) for (const [k, v] of Object.entries(echo)) if (set.input?.[k] !== v) return `input.${k} of ${set.cluster?.['name']} is not what was sent`;
      return undefined;
    },
  };
}

/**
 * (b) 64 vars of 4 KiB templates, each with a part no other request has and a few expressions:
 * the most bytes of templates the schema allows, at a render cost each request can afford.
 */
function varsRequest(i: number): Sent {
  const { pair, names } = pairOf(i);
  const tail = '{{cluster.name}}/{{aws.region}};'.repeat(4);
  const vars: Record<string, string> = {};
  for (let k = 0; k < MAX_VARS; k++) {
    const head = `${i}.${k}:`;
    vars[`v${k}`] = head.padEnd(MAX_TEMPLATE_LENGTH - tail.length, String.fromCharCode(97 + ((i + k) % 26))) + tail;
  }
  const body = `${JSON.stringify({ applicationSetName: `templates-${i % 10}`, input: { parameters: { pair, vars } } })}\n`;
  return {
    body,
    check: (answer) => {
      const r = setsOf(answer, names);
      if ('wrong' in r) return r.wrong;
      for (const set of r.sets) {
        const name = set.cluster?.['name'] ?? '?';
        for (const [k, template] of Object.entries(vars)) {
          const expected = template.replaceAll('{{cluster.name}}', name).replaceAll('{{aws.region}}', 'eu-west-1');
          if (set.vars?.[k] !== expected) return `vars.${k} of ${name} is ${JSON.stringify(set.vars?.[k]?.slice(0, 80))}…, not the template rendered`;
        }
      }
      return undefined;
    },
  };
}

/**
 * A request over the render budget (64 large templates cost some CPU on a busy machine) may get
 * a clean 4xx naming the var instead of an answer; never a malformed or other error.
 */
function overBudget(status: number, body: string): string | undefined {
  if (status < 400 || status > 499) return undefined;
  try {
    const e = JSON.parse(body) as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    if (typeof e.message === 'string' && /vars\.v\d+/.test(e.message) && !['GL_TEMPLATE_INVALID', 'GL_INPUT_INVALID', 'GL_REQUEST_INVALID'].includes(code)) return code;
  } catch {
    // not JSON: not a clean error
  }
  return undefined;
}

interface Phase {
  answers: number;
  /** Clean 4xx answers over the render budget, by code (phase b only). */
  overBudget: Record<string, number>;
  checked: number;
  bad: string[];
  ms: number;
}

/** `CLIENTS` loops sending distinct requests until `limit.requests` are sent or `limit.ms` have passed. */
async function flood(make: (i: number) => Sent, limit: { requests: number; ms: number }, budgeted = false): Promise<Phase> {
  const started = Date.now();
  const until = started + limit.ms;
  const phase: Phase = { answers: 0, overBudget: {}, checked: 0, bad: [], ms: 0 };
  let next = 0;
  const loop = async () => {
    while (Date.now() < until && next < limit.requests) {
      const i = next++;
      const sent = make(i);
      const outcome = await client.send({ path: GETPARAMS, headers: HEADERS, body: sent.body });
      phase.answers++;
      if (!outcome.ok) {
        phase.bad.push(`request ${i}: no answer (${outcome.error})`);
        continue;
      }
      const budgetCode = budgeted ? overBudget(outcome.answer.status, outcome.answer.body) : undefined;
      if (budgetCode !== undefined) {
        phase.overBudget[budgetCode] = (phase.overBudget[budgetCode] ?? 0) + 1;
        continue;
      }
      if (outcome.answer.status !== 200) {
        phase.bad.push(`request ${i}: ${outcome.answer.status} ${outcome.answer.body.slice(0, 300)}`);
        continue;
      }
      if (i % CHECK_EVERY === 0) {
        phase.checked++;
        const wrong = sent.check(outcome.answer.body);
        if (wrong) phase.bad.push(`request ${i}: ${wrong}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, loop));
  phase.ms = Date.now() - started;
  return phase;
}

/** The cache gauges, as `name{cache="x"}` → value. */
async function cacheGauges(): Promise<Map<string, number>> {
  const metrics = await client.send({ method: 'GET', path: '/metrics' });
  if (!metrics.ok) throw new Error(`no metrics: ${metrics.error}`);
  const lines = metrics.answer.body.split('\n').filter((l) => l.startsWith('greenlight_cache_'));
  return new Map(lines.map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
}

const shown = (gauges: Map<string, number>) => [...gauges].map(([k, v]) => `${k} ${v}`).join('; ');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'greenlight-memory-'));
  const fleet = join(dir, 'fleet.yaml');
  writeFileSync(fleet, JSON.stringify(fleetDocument(CLUSTERS)));
  service = await startService({
    env: {
      GREENLIGHT_INVENTORY: fleet,
      GREENLIGHT_TOKEN: TOKEN,
      NODE_OPTIONS: manifestNodeFlags().join(' '),
      // 64 vars of 4 KiB are more than the default 256 KiB.
      GREENLIGHT_MAX_BODY_BYTES: String(512 * 1024),
      // Answers kept for a minute: the flood fills the answer cache to its byte bound (64 MiB by default).
      GREENLIGHT_ANSWER_CACHE_MS: '60000',
    },
    startTimeoutMs: 60_000,
  });
  client = new RawClient(service.url, { maxSockets: CLIENTS, timeoutMs: 60_000 });
}, 90_000);

afterAll(async () => {
  client?.close();
  await service?.stop('SIGTERM', 30_000);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('memory under a flood of distinct valid requests', () => {
  it(`keeps RSS below ${mib(RSS_BOUND)} for about a minute, and every answer checked is right`, { timeout: 240_000 }, async () => {
    const idle = rss(service.pid);
    const sampler = sampleRss(service.pid);
    const a = await flood(echoRequest, PHASE_A);
    const afterA = sampler.max();
    const gaugesA = await cacheGauges();
    const b = await flood(varsRequest, PHASE_B, true);
    const max = sampler.stop();
    const gaugesB = await cacheGauges();
    const report =
      `idle RSS ${mib(idle)}; (a) ${a.answers} distinct ~200 KiB bodies in ${(a.ms / 1000).toFixed(1)} s, max RSS ${mib(afterA)} [${shown(gaugesA)}]; ` +
      `(b) ${b.answers} requests of ${MAX_VARS} distinct 4 KiB templates in ${(b.ms / 1000).toFixed(1)} s (over the render budget: ${JSON.stringify(b.overBudget)}), max RSS over both ${mib(max)} [${shown(gaugesB)}]`;
    process.stdout.write(`memory: ${report}\n`);
    expect([...a.bad, ...b.bad].slice(0, 5), report).toEqual([]);
    // Enough of each kind to matter, whatever the machine's speed.
    expect(a.answers, report).toBeGreaterThanOrEqual(Math.min(PHASE_A.requests, 300));
    expect(b.answers, report).toBeGreaterThanOrEqual(Math.min(PHASE_B.requests, 60));
    expect(a.checked, report).toBeGreaterThan(0);
    expect(max, report).toBeLessThan(RSS_BOUND);
    // The answer cache held what its byte bound allows, not every answer of the minute.
    const answers = (g: Map<string, number>, what: string) => g.get(`greenlight_cache_${what}{cache="answers"}`) ?? Number.NaN;
    for (const g of [gaugesA, gaugesB]) expect(answers(g, 'bytes'), report).toBeLessThanOrEqual(answers(g, 'max_bytes'));
    expect(answers(gaugesA, 'entries'), report).toBeGreaterThan(0);
    expect(service.stderr()).not.toMatch(/Uncaught|FATAL|heap out of memory/);
  });
});
