/**
 * Slow is not failed: greenlight in live mode while EKS hangs (requests taken, never answered,
 * no error). Facts expire every second, so every request needs a refresh that never comes.
 * - For a cluster whose identity (server, awsAuthConfig role and cluster name) is unchanged,
 *   greenlight answers 2xx with the last good facts marked `facts.stale: "true"`, up to
 *   GREENLIGHT_FACTS_MAX_STALENESS_MS, instead of 504 on every request.
 * - For a cluster whose Secret now names another role (another identity under the same name),
 *   it fails closed: its old facts are never served.
 * - Past the staleness bound, it fails closed too.
 * Once EKS answers again, fresh facts come back. Every answer on the way is either complete
 * (every selected cluster, every source) or a JSON error: never a 2xx that lacks a cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_ACCOUNT_ID } from '../support/fake-aws.js';
import { GETPARAMS } from './support/bad-input.js';
import { judge } from './support/fault-suite.js';
import { groupRequest, LiveWorld, REQUEST_HEADERS, TIMINGS } from './support/live-world.js';
import type { RawOutcome } from './support/raw-http.js';
import { PATIENCE_MS } from '../support/patience.js';

/** Long enough that asking through phases 1 and 2 leaves answers inside the bound on a busy machine. */
const STALENESS_MS = 30_000;
/** Bounds on waiting for a state (conditions, not timing claims). */
const WAIT_MS = PATIENCE_MS;

let world: LiveWorld;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  // One process, with last good facts allowed for STALENESS_MS. Four attempts of 450 ms make a
  // hung refresh last more than twice the 900 ms deadline (the defaults: 4 × 10 s against 20 s).
  world = await LiveWorld.start(
    ['steady', 'moved'],
    { GREENLIGHT_FACTS_MAX_STALENESS_MS: String(STALENESS_MS), GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS: '4' },
    { lastKnownGood: false },
  );
  for (const group of ['steady', 'moved']) await world.firstAnswer(world.services.failClosed, groupRequest(group));
});

afterAll(async () => {
  await world?.close();
});

function ask(group: string): Promise<RawOutcome> {
  return world.client(world.services.failClosed).send({ path: GETPARAMS, headers: REQUEST_HEADERS, body: groupRequest(group) });
}

interface Seen {
  readonly status: number;
  readonly stale: boolean;
  readonly code?: string;
  readonly message?: string;
  /** facts.fetchedAt of the first parameter set (its oldest source), for 2xx answers. */
  readonly fetchedAt?: number;
  /** When the answer came. */
  readonly at: number;
}

/** Asks for `group`; throws if the answer breaks the rules (a 2xx lacking a cluster or facts, a non-JSON error). */
async function askJudged(group: string): Promise<Seen> {
  const outcome = await ask(group);
  const j = judge(outcome, [`${group}-a`, `${group}-b`], { allowStale: true, label: `${group}` });
  if (!outcome.ok) throw new Error('unreachable');
  const body = JSON.parse(outcome.answer.body) as { message?: string; output?: { parameters?: { facts?: { fetchedAt?: string } }[] } };
  const fetchedAt = body.output?.parameters?.[0]?.facts?.fetchedAt;
  return {
    status: j.status,
    stale: j.stale,
    at: Date.now(),
    ...(j.code !== undefined ? { code: j.code } : {}),
    ...(body.message !== undefined ? { message: body.message } : {}),
    ...(fetchedAt !== undefined ? { fetchedAt: Date.parse(fetchedAt) } : {}),
  };
}

/** Asks until `done` holds for an answer (each answer judged on the way); bounded. */
async function askUntil(group: string, done: (s: Seen) => boolean, what: string, log: Seen[]): Promise<Seen> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const seen = await askJudged(group);
    log.push(seen);
    if (done(seen)) return seen;
    if (Date.now() > until) throw new Error(`${group}: never ${what} within ${WAIT_MS} ms; last answers: ${JSON.stringify(log.slice(-3))}`);
    await sleep(100);
  }
}

const summary = (log: readonly Seen[]) => {
  const counts = new Map<string, number>();
  for (const s of log) {
    const key = s.status === 200 ? `200${s.stale ? ' stale' : ''}` : `${s.status} ${s.code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(', ');
};

describe('a hung upstream: slow is not failed', () => {
  it('serves last good facts marked stale while EKS hangs, fails closed for a changed identity and past the staleness bound, and recovers', async () => {
    const service = world.services.failClosed;
    const steady: Seen[] = [];
    const moved: Seen[] = [];
    // Facts live a second: from now on every request needs a refresh.
    await sleep(TIMINGS.ttlMs + 100);
    await world.hang('eks');
    try {
      // 1. Same identity: 2xx with the last good facts, marked stale.
      const stale = await askUntil('steady', (s) => s.status === 200 && s.stale, 'answered 2xx with stale facts', steady);
      expect(stale.fetchedAt).toBeDefined();
      await askUntil('moved', (s) => s.status === 200 && s.stale, 'answered 2xx with stale facts', moved);
      await service.waitForLog((l) => String(l['msg']).startsWith('facts refresh has not answered within the attempt timeout') && l['source'] === 'eks', WAIT_MS);

      // 2. Another identity under the same name: fail closed, never its old facts.
      world.changeRole('moved', 'moved-a', `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/greenlight-moved-v2`);
      const failed = await askUntil('moved', (s) => s.status >= 400, 'failed closed after the identity change', moved);
      expect(failed.message).toContain('"moved-a"');
      for (let i = 0; i < 3; i++) {
        const again = await askJudged('moved');
        moved.push(again);
        expect(again.status, JSON.stringify(again)).toBeGreaterThanOrEqual(400);
      }

      // 3. Until the staleness bound, the unchanged group is answered, from stale facts (a 504
      // now and then on a busy machine is no failure; most answers must be 2xx); past it, fail closed.
      const bound = (stale.fetchedAt ?? 0) + STALENESS_MS;
      while (Date.now() < bound + TIMINGS.deadlineMs) {
        const s = await askJudged('steady');
        steady.push(s);
        if (s.status === 200) expect(s.stale, JSON.stringify(s)).toBe(true);
        await sleep(100);
      }
      // Every answer for the unchanged group since EKS hung, well inside the bound (phase 1's included).
      const window = steady.filter((s) => s.at < bound - TIMINGS.deadlineMs);
      const answered = window.filter((s) => s.status === 200).length;
      process.stdout.write(`stale facts: within the bound, ${answered} of ${window.length} answers were 2xx with stale facts\n`);
      expect(answered, summary(window)).toBeGreaterThan(window.length / 2);
      for (let i = 0; i < 3; i++) {
        const past = await askJudged('steady');
        steady.push(past);
        expect(past.status, JSON.stringify(past)).toBeGreaterThanOrEqual(400);
      }
    } finally {
      await world.heal('eks');
    }

    // 4. EKS is back: fresh facts for both, the moved cluster under its new role.
    await askUntil('steady', (s) => s.status === 200 && !s.stale, 'answered fresh facts after EKS returned', steady);
    await askUntil('moved', (s) => s.status === 200 && !s.stale, 'answered fresh facts after EKS returned', moved);
    process.stdout.write(`stale facts: steady [${summary(steady)}]; moved [${summary(moved)}]\n`);
    expect(service.stderr()).not.toMatch(/Uncaught|FATAL/);
    expect(service.logs().filter((l) => l['level'] === 'fatal' || l['code'] === 'GL_INTERNAL')).toEqual([]);
  });
});
