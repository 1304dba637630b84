/**
 * The live /metrics of the real service, as Prometheus' own linter judges it: `promtool check
 * metrics` (Debian's `prometheus` package). A missing promtool fails the test with the way to
 * install it; it is never skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type ServiceProcess } from '../support/service-process.js';

const DEMO_TOKEN = 'greenlight-demo-token';

/** Fails with how to install promtool when it is not on PATH. */
function requirePromtool(): void {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'promtool is not installed: this test pipes the live /metrics into `promtool check metrics`. ' +
        'Install it with `apt-get install -y prometheus` (Debian/Ubuntu, as root; .ci/run does this) ' +
        'or put the promtool binary from https://prometheus.io/download/ on PATH.',
    );
  }
  if (probe.status !== 0) throw new Error(`promtool --version failed (exit ${probe.status}): ${probe.stderr}`);
}

function promtoolCheck(exposition: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(exposition);
  });
}

let service: ServiceProcess;

beforeAll(async () => {
  service = await startService({ env: { GREENLIGHT_INVENTORY: 'demo' } });
});

afterAll(async () => {
  await service?.stop();
});

describe('promtool check metrics on the live /metrics', () => {
  it('finds no problem once every kind of request has been counted', async () => {
    // In the test, not in a hook: without promtool this test fails (a failed hook reads as skipped).
    requirePromtool();
    // Requests that fill the labelled series: an answer, a wrong token, an unknown pair.
    const getparams = (token: string, parameters: object) =>
      fetch(`${service.url}/api/v1/getparams.execute`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ applicationSetName: 'demo', input: { parameters } }),
      });
    expect((await getparams(DEMO_TOKEN, { pair: 'prod-eu', role: 'green' })).status).toBe(200);
    expect((await getparams('not-the-token-0000', { pair: 'prod-eu' })).status).toBe(403);
    expect((await getparams(DEMO_TOKEN, { pair: 'no-such-pair' })).status).toBe(404);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

    const res = await fetch(`${service.url}/metrics`);
    expect(res.status).toBe(200);
    const exposition = await res.text();
    // The families promtool used to refuse are gone; their per-type gauges stay.
    expect(exposition).not.toMatch(/^# TYPE greenlight_nodejs_active_\w+_total /m);
    expect(exposition).toMatch(/^# TYPE greenlight_nodejs_active_handles gauge$/m);
    expect(exposition).toMatch(/^greenlight_http_requests_total\{route="getparams",method="POST",status="403"\} 1$/m);

    const { code, output } = await promtoolCheck(exposition);
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});
