/**
 * Bad input, at least 10,000 generated requests against the real service as a process (demo
 * fleet file, a real token): wrong types, deep nesting, huge strings, `__proto__`/`constructor`
 * keys, invalid UTF-8, wrong content types and encodings, truncated JSON, hostile templates,
 * wrong auth, methods and paths. Never a 5xx, never a crash, always a JSON error (or a 200 that
 * keeps the contract), and the next valid request still gets exactly the reference answer.
 *
 * fast-check runs with a fixed seed (GREENLIGHT_FUZZ_SEED overrides it); a failure prints the
 * seed, the path and the shrunk counterexample, so `{ seed, path }` reproduces it.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startService, type ServiceProcess } from '../support/service-process.js';
import { bodyArb, GETPARAMS, headerVariantArb, problemWith, requestLineArb, VALID_BODY, type BadRequest } from './support/bad-input.js';
import { RawClient, type RawOutcome } from './support/raw-http.js';

const TOKEN = 'reliability-token-not-a-secret-01';
const SEED = Number(process.env['GREENLIGHT_FUZZ_SEED'] ?? 20261126);
/** Runs per property; they add up to 10,000. */
const RUNS = { bodies: 6000, headers: 1500, malformedEncoding: 500, requestLine: 2000 } as const;
/** A valid request is checked after every this many bad ones (and after any 200, or prototype keys past the JSON guard). */
const VALID_EVERY = 50;

let service: ServiceProcess;
let client: RawClient;
let reference: string;
let sent = 0;

const validRequest = { path: GETPARAMS, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: VALID_BODY };

/** The next valid request must get exactly the answer it got before any bad input. */
async function expectStillRight(after: BadRequest): Promise<void> {
  const outcome = await client.send(validRequest);
  if (!outcome.ok) throw new Error(`after ${String(after)}, a valid request failed: ${outcome.error}`);
  if (outcome.answer.status !== 200 || outcome.answer.body !== reference) {
    throw new Error(`after ${String(after)}, a valid request got ${outcome.answer.status}: ${outcome.answer.body.slice(0, 500)}`);
  }
}

function check(request: BadRequest, outcome: RawOutcome): void {
  if (!outcome.ok) {
    // A server may close the connection after answering 413 to a body it will not read.
    if (request.body.length > 256 * 1024 && /ECONNRESET|EPIPE/.test(outcome.error)) return;
    throw new Error(`no answer: ${outcome.error}`);
  }
  const problem = problemWith(outcome.answer);
  if (problem) throw new Error(problem);
  if (outcome.answer.status === 200) {
    const sets = (JSON.parse(outcome.answer.body) as { output: { parameters: unknown[] } }).output.parameters;
    if (sets.length === 0 && !request.body.toString('latin1').includes('allowEmpty')) throw new Error('an empty 200 without allowEmpty');
  }
}

function property(arb: fc.Arbitrary<BadRequest>) {
  return fc.asyncProperty(arb, async (request) => {
    const outcome = await client.send({ method: request.method, path: request.path, headers: request.headers, body: request.body });
    sent++;
    check(request, outcome);
    const answered200 = outcome.ok && outcome.answer.status === 200;
    // A body with prototype keys that got past the JSON guard could have polluted the process.
    const pastTheGuard = outcome.ok && !outcome.answer.body.includes('"GL_REQUEST_INVALID"');
    if (answered200 || (request.prototypeKeys && pastTheGuard) || sent % VALID_EVERY === 0) await expectStillRight(request);
  });
}

async function assertAlive(): Promise<void> {
  const exited = await Promise.race([service.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20))]);
  expect(exited, `greenlight exited\n${service.stderr()}`).toBe(false);
  const health = await client.send({ method: 'GET', path: '/healthz' });
  expect(health.ok && health.answer.status).toBe(200);
}

beforeAll(async () => {
  service = await startService({
    env: { GREENLIGHT_INVENTORY: join(REPO_ROOT, 'demo', 'fleet.yaml'), GREENLIGHT_TOKEN: TOKEN },
  });
  client = new RawClient(service.url, { maxSockets: 1 });
  const first = await client.send(validRequest);
  if (!first.ok || first.answer.status !== 200) throw new Error(`the valid request failed before any bad input: ${JSON.stringify(first)}`);
  reference = first.answer.body;
});

afterAll(async () => {
  client?.close();
  await service?.stop('SIGTERM');
});

describe(`bad input (fast-check seed ${SEED})`, () => {
  it(`${RUNS.bodies} generated bodies: wrong types, nesting, huge strings, prototype keys, invalid UTF-8, truncation, templates`, async () => {
    await fc.assert(property(bodyArb(TOKEN)), { seed: SEED, numRuns: RUNS.bodies });
    await assertAlive();
  });

  it(`${RUNS.headers} requests with wrong content types, and encodings their bodies really have`, async () => {
    await fc.assert(property(headerVariantArb(TOKEN, { malformedEncoding: false })), { seed: SEED + 1, numRuns: RUNS.headers });
    await assertAlive();
  });

  // Fails today: plugin/http/error-handler.ts maps body-parser errors by `type` only, and a zlib
  // error (raw JSON declared `deflate`, a truncated gzip stream) has none, so it becomes a 500.
  it(`${RUNS.malformedEncoding} requests whose body is not encoded as their Content-Encoding says`, async () => {
    await fc.assert(property(headerVariantArb(TOKEN, { malformedEncoding: true })), { seed: SEED + 3, numRuns: RUNS.malformedEncoding });
    await assertAlive();
  });

  it(`${RUNS.requestLine} requests with wrong authorization, methods and paths`, async () => {
    await fc.assert(property(requestLineArb(TOKEN)), { seed: SEED + 2, numRuns: RUNS.requestLine });
    await assertAlive();
  });

  it('did not crash or log a fatal error, and still answers a valid request exactly as before', async () => {
    await assertAlive();
    await expectStillRight({ toString: () => 'the whole run' } as BadRequest);
    expect(service.stderr()).not.toMatch(/Uncaught|FATAL|RangeError|Maximum call stack/);
    const fatal = service.logs().filter((l) => l['level'] === 'fatal');
    expect(fatal.length, `fatal log lines: ${JSON.stringify(fatal.slice(0, 2))}`).toBe(0);
  });
});
