/**
 * Template budget: the real service (demo fleet file, a real token) gets templates whose loops
 * multiply (`#each @root` nested twelve deep: 10^12 iterations per cluster, which Handlebars
 * ran until the process was killed). Each such request must end with a 400
 * GL_TEMPLATE_BUDGET_EXCEEDED naming the var, and while clients keep sending them, `/healthz`
 * and an ordinary getparams request must go on being answered, exactly as before.
 *
 * No timing assertions: the test waits until each client has been answered a number of times
 * (conditions), under a generous overall timeout, so it passes on a busy 2-core machine.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startService, type ServiceProcess } from '../support/service-process.js';
import { GETPARAMS, VALID_BODY } from './support/bad-input.js';
import { RawClient, type RawOutcome } from './support/raw-http.js';

const TOKEN = 'reliability-template-budget-token';
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
/** Hostile clients sending at once, and how many answers each side must have seen. */
const HOSTILE_CLIENTS = 2;
const ROUNDS = 15;

/** A different template each time (so that nothing is answered from a cache), same cost. */
function hostileBody(n: number): string {
  const loop = `${'{{#each @root}}'.repeat(12)}{{! ${n} }}${'{{/each}}'.repeat(12)}`;
  const quiet = `${'{{#each @root}}'.repeat(12)}{{#if (eq @key "${n}")}}x{{/if}}${'{{/each}}'.repeat(12)}`;
  return `${JSON.stringify({ applicationSetName: 'hostile', input: { parameters: { vars: { host: 'web.{{cluster.nameNormalized}}', [n % 2 === 0 ? 'loop' : 'quiet']: n % 2 === 0 ? loop : quiet } } } })}\n`;
}

let service: ServiceProcess;
let reference: string;
const clients: RawClient[] = [];

function client(): RawClient {
  const c = new RawClient(service.url, { maxSockets: 1 });
  clients.push(c);
  return c;
}

function describeOutcome(o: RawOutcome): string {
  return o.ok ? `${o.answer.status} ${o.answer.body.slice(0, 400)}` : `no answer: ${o.error}`;
}

beforeAll(async () => {
  service = await startService({
    env: { GREENLIGHT_INVENTORY: join(REPO_ROOT, 'demo', 'fleet.yaml'), GREENLIGHT_TOKEN: TOKEN },
  });
  const first = await client().send({ path: GETPARAMS, headers: HEADERS, body: VALID_BODY });
  if (!first.ok || first.answer.status !== 200) throw new Error(`the ordinary request failed before any hostile one: ${describeOutcome(first)}`);
  reference = first.answer.body;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await service?.stop('SIGTERM');
});

describe('template budget', { timeout: 600_000 }, () => {
  it('answers a template whose loops multiply with 400 GL_TEMPLATE_BUDGET_EXCEEDED naming the var', async () => {
    for (const n of [0, 1]) {
      const outcome = await client().send({ path: GETPARAMS, headers: HEADERS, body: hostileBody(n) });
      expect(outcome.ok && outcome.answer.status, describeOutcome(outcome)).toBe(400);
      const body = JSON.parse(outcome.ok ? outcome.answer.body : '{}') as { code?: string; message?: string };
      expect(body.code).toBe('GL_TEMPLATE_BUDGET_EXCEEDED');
      expect(body.message).toMatch(new RegExp(`^input\\.parameters\\.vars\\.${n === 0 ? 'loop' : 'quiet'} for cluster "[^"]+" \\(cluster 1 of \\d+\\): rendering took more than`));
      expect(body.message).toContain('GREENLIGHT_RENDER_BUDGET_MS');
    }
  });

  it('keeps answering /healthz and ordinary requests, exactly, while hostile requests keep coming', async () => {
    let stop = false;
    const hostile = { answers: 0, wrong: [] as string[] };
    const probes = { health: 0, ordinary: 0, wrong: [] as string[] };

    const hostileLoop = async (id: number) => {
      const c = client();
      for (let n = id; !stop; n += HOSTILE_CLIENTS) {
        const outcome = await c.send({ path: GETPARAMS, headers: HEADERS, body: hostileBody(n + 2) });
        hostile.answers++;
        if (!outcome.ok || outcome.answer.status !== 400 || !outcome.answer.body.includes('"GL_TEMPLATE_BUDGET_EXCEEDED"')) hostile.wrong.push(describeOutcome(outcome));
      }
    };
    const probeLoop = async () => {
      const c = client();
      // Go on until enough hostile requests have been answered around the probes, too.
      while (probes.ordinary < ROUNDS || hostile.answers < ROUNDS * HOSTILE_CLIENTS) {
        const health = await c.send({ method: 'GET', path: '/healthz' });
        if (health.ok && health.answer.status === 200) probes.health++;
        else probes.wrong.push(`/healthz: ${describeOutcome(health)}`);
        const ordinary = await c.send({ path: GETPARAMS, headers: HEADERS, body: VALID_BODY });
        if (ordinary.ok && ordinary.answer.status === 200 && ordinary.answer.body === reference) probes.ordinary++;
        else probes.wrong.push(`getparams: ${describeOutcome(ordinary)}`);
        if (probes.wrong.length > 0) break;
      }
      stop = true;
    };

    const loops = [...Array.from({ length: HOSTILE_CLIENTS }, (_, i) => hostileLoop(i)), probeLoop()];
    await Promise.all(loops);

    expect(probes.wrong).toEqual([]);
    expect(hostile.wrong).toEqual([]);
    expect(probes.health).toBeGreaterThanOrEqual(ROUNDS);
    expect(probes.ordinary).toBeGreaterThanOrEqual(ROUNDS);
    expect(hostile.answers).toBeGreaterThanOrEqual(ROUNDS * HOSTILE_CLIENTS);

    const exited = await Promise.race([service.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20))]);
    expect(exited, service.stderr()).toBe(false);
  });
});
