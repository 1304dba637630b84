/**
 * @module The fault suite, defined once and run per upstream: for each upstream and each way it
 * fails (refused, reset, slow past the deadline, 5xx, throttling, garbage), greenlight in live
 * mode is asked for a group of clusters while the fault lasts, by a fail-closed and a
 * last-known-good process. Every 2xx must hold every selected cluster with the facts of every
 * source (fresh, or marked stale where allowed); every other answer must be a JSON error. Once
 * the upstream returns, both processes must answer fresh facts again within a bound (and, when
 * the Argo CD watch was the one failing, know of the cluster registered meanwhile).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATIENCE_MS } from '../../support/patience.js';
import type { ServiceProcess } from '../../support/service-process.js';
import { GETPARAMS } from './bad-input.js';
import { FAULTS, groupRequest, LiveWorld, REQUEST_HEADERS, type Fault, type Upstream } from './live-world.js';
import type { RawOutcome } from './raw-http.js';

/**
 * How long an upstream may take to be used again once it is back: a hang guard, not a timing
 * assertion (the time it took is printed with the outcomes).
 */
const RECOVERY_BOUND_MS = PATIENCE_MS;
/** Requests per process while the fault lasts. */
const ROUNDS = 2;

interface Case {
  readonly upstream: Upstream;
  readonly fault: Fault;
  readonly group: string;
}

interface Judged {
  readonly status: number;
  readonly names: readonly string[];
  readonly stale: boolean;
  readonly code?: string;
}

/** Reads an answer; throws if it breaks the rules for a request that selected `expected` (plus, maybe, `optional`). */
export function judge(outcome: RawOutcome, expected: readonly string[], options: { optional?: readonly string[]; allowStale: boolean; label: string }): Judged {
  if (!outcome.ok) throw new Error(`${options.label}: no answer (${outcome.error})`);
  const { status, body } = outcome.answer;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error(`${options.label}: status ${status} with a body that is not JSON: ${body.slice(0, 300)}`);
  }
  if (status < 200 || status > 299) {
    const e = parsed as { message?: unknown; code?: unknown };
    if (status < 400 || typeof e.message !== 'string' || typeof e.code !== 'string') throw new Error(`${options.label}: a ${status} that is not a JSON error: ${body.slice(0, 300)}`);
    return { status, names: [], stale: false, code: e.code };
  }
  const sets = (parsed as { output?: { parameters?: Record<string, Record<string, string> | undefined>[] } }).output?.parameters;
  if (!Array.isArray(sets)) throw new Error(`${options.label}: a ${status} without output.parameters: ${body.slice(0, 300)}`);
  const names = sets.map((s) => s['cluster']?.['name'] ?? '?');
  const missing = expected.filter((n) => !names.includes(n));
  const unexpected = names.filter((n) => !expected.includes(n) && !(options.optional ?? []).includes(n));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new Error(`${options.label}: a ${status} that lacks selected clusters [${missing.join(', ')}] or has others [${unexpected.join(', ')}]: ${names.join(', ')}`);
  }
  let stale = false;
  for (const set of sets) {
    const name = set['cluster']?.['name'] ?? '?';
    const facts = set['facts'];
    const lacks = [
      facts?.['sources'] !== 'eks,kubernetes,ssm' ? `facts.sources is "${facts?.['sources']}"` : '',
      set['aws']?.['clusterName'] !== name ? 'aws.clusterName' : '',
      set['kubernetes']?.['version'] === undefined ? 'kubernetes.version' : '',
      set['secrets']?.['count'] !== '1' ? `secrets.count is "${set['secrets']?.['count']}"` : '',
    ].filter((l) => l !== '');
    if (lacks.length > 0) throw new Error(`${options.label}: a ${status} whose cluster "${name}" lacks facts: ${lacks.join('; ')}`);
    if (facts?.['stale'] === 'true') stale = true;
  }
  if (stale && !options.allowStale) throw new Error(`${options.label}: a ${status} with stale facts from a process that may not serve them`);
  return { status, names, stale };
}

async function ask(world: LiveWorld, service: ServiceProcess, group: string): Promise<RawOutcome> {
  return world.client(service).send({ path: GETPARAMS, headers: REQUEST_HEADERS, body: groupRequest(group) });
}

/** Fills both caches and assumes every role once, then lets facts and role sessions expire. */
async function prewarm(world: LiveWorld, groups: readonly string[]): Promise<void> {
  for (const service of [world.services.failClosed, world.services.lastKnownGood]) {
    for (const group of groups) await world.firstAnswer(service, groupRequest(group));
  }
  await new Promise((r) => setTimeout(r, 2100));
}

/**
 * Runs one case: the fault while `ROUNDS` requests per process are judged, then recovery.
 * Returns a line for the outcome log.
 */
async function runCase(world: LiveWorld, { upstream, fault, group }: Case): Promise<string> {
  const expected = [`${group}-a`, `${group}-b`];
  const services = [
    { service: world.services.failClosed, allowStale: false, label: 'fail-closed' },
    { service: world.services.lastKnownGood, allowStale: true, label: 'last-known-good' },
  ];
  const started = Date.now();
  await world.inject(upstream, fault);
  // A cluster registered while the Argo CD watch fails must show up once it is back.
  const late = upstream === 'kube-watch' ? world.addCluster(group) : undefined;
  const seen: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(services.map((s) => ask(world, s.service, group)));
      answers.forEach((outcome, i) => {
        const s = services[i] as (typeof services)[number];
        const j = judge(outcome, expected, { optional: late ? [late] : [], allowStale: s.allowStale, label: `${upstream} ${fault}, ${s.label}, round ${round + 1}` });
        seen.push(`${s.label} ${j.status}${j.code ? ` ${j.code}` : ''}${j.stale ? ' stale' : ''}`);
      });
    }
  } finally {
    await world.heal(upstream);
  }

  const healed = Date.now();
  const mustHave = late ? [...expected, late] : expected;
  const recoveredBy = Date.now() + RECOVERY_BOUND_MS;
  for (const s of services) {
    let last = '';
    for (;;) {
      const outcome = await ask(world, s.service, group);
      try {
        const j = judge(outcome, mustHave, { allowStale: s.allowStale, label: `${upstream} ${fault}, ${s.label}, recovery` });
        if (j.status === 200 && !j.stale) break;
        last = `${j.status} ${j.code ?? ''}${j.stale ? ' stale' : ''}`;
      } catch (err) {
        // Until the watch is back, a 2xx may lack the cluster registered meanwhile; nothing else.
        if (!late || !/lacks selected clusters \[[^\]]*\] or has others \[\]/.test((err as Error).message)) throw err;
        last = (err as Error).message;
      }
      if (Date.now() > recoveredBy) throw new Error(`${upstream} ${fault}: ${s.label} did not recover within ${RECOVERY_BOUND_MS} ms of the upstream's return; last answer: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  expect(seen.length).toBe(ROUNDS * services.length);
  return `${upstream} ${fault}: ${seen.join(', ')}; fault ${healed - started} ms, back to fresh facts ${Date.now() - healed} ms after the upstream returned`;
}

function expectNoCrash(world: LiveWorld): void {
  for (const s of [world.services.failClosed, world.services.lastKnownGood]) {
    expect(s.stderr()).not.toMatch(/Uncaught|FATAL|Maximum call stack/);
    expect(s.logs().filter((l) => l['level'] === 'fatal' || l['code'] === 'GL_INTERNAL')).toEqual([]);
  }
}

/**
 * Defines the cases of `upstreams` × every fault. With `worldPerCase`, each case gets its own
 * processes (the Argo CD watch's reconnect backoff carries from one outage to the next; see
 * faults-kube-watch.test.ts), else all cases share one world, each on its own group of clusters.
 */
export function defineFaultSuite(upstreams: readonly Upstream[], options: { worldPerCase?: boolean } = {}): void {
  const cases: Case[] = upstreams.flatMap((upstream) => FAULTS.map((fault) => ({ upstream, fault, group: `${upstream}-${fault}`.replace(/[^a-z0-9-]/g, '') })));
  const outcomes: string[] = [];
  let shared: LiveWorld | undefined;

  if (!options.worldPerCase) {
    beforeAll(async () => {
      shared = await LiveWorld.start(cases.map((c) => c.group));
      await prewarm(shared, cases.map((c) => c.group));
    });
  }

  afterAll(async () => {
    if (outcomes.length > 0) process.stdout.write(`fault outcomes (${upstreams.join(', ')}):\n  ${outcomes.join('\n  ')}\n`);
    await shared?.close();
  });

  describe(`faults of ${upstreams.join(', ')}`, () => {
    it.each(cases)('$upstream $fault: no 2xx lacks a selected cluster, and it recovers', async (c) => {
      if (shared) {
        outcomes.push(await runCase(shared, c));
        return;
      }
      // The inventory does not depend on facts: one (fail-closed) process is enough.
      const world = await LiveWorld.start([c.group], {}, { lastKnownGood: false });
      try {
        await world.firstAnswer(world.services.failClosed, groupRequest(c.group));
        outcomes.push(await runCase(world, c));
        expectNoCrash(world);
      } finally {
        await world.close();
      }
    });

    if (!options.worldPerCase) {
      it('never crashed', () => {
        if (shared) expectNoCrash(shared);
      });
    }
  });
}
