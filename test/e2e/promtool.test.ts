/**
 * The live /metrics of the real service, as Prometheus' own linter judges it: `promtool check
 * metrics` (Debian's `prometheus` package), in demo mode and in argocd mode with live facts (the
 * facts cache, readiness and parity gauges as a real install has them). A missing promtool
 * fails the tests with the way to install it; they are never skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { FAKE_ACCESS_KEY_ID, FAKE_REGION, FAKE_SECRET_ACCESS_KEY, fakeAwsEnv, startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

const DEMO_TOKEN = 'greenlight-demo-token';
const LIVE_TOKEN = 'test-token-promtool-not-secret';

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

function getparams(service: ServiceProcess, token: string, parameters: object): Promise<Response> {
  return fetch(`${service.url}/api/v1/getparams.execute`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ applicationSetName: 'web', input: { parameters } }),
  });
}

async function scrape(service: ServiceProcess): Promise<string> {
  const res = await fetch(`${service.url}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

describe('promtool check metrics on the live /metrics', () => {
  describe('demo mode', () => {
    let service: ServiceProcess;
    beforeAll(async () => {
      service = await startService({ env: { GREENLIGHT_INVENTORY: 'demo' } });
    });
    afterAll(async () => {
      await service?.stop();
    });

    it('finds no problem once every kind of request has been counted', async () => {
      // In the test, not in a hook: without promtool this test fails (a failed hook reads as skipped).
      requirePromtool();
      // Requests that fill the labelled series: an answer, a wrong token, an unknown pair.
      expect((await getparams(service, DEMO_TOKEN, { pair: 'prod-eu', role: 'green' })).status).toBe(200);
      expect((await getparams(service, 'not-the-token-0000', { pair: 'prod-eu' })).status).toBe(403);
      expect((await getparams(service, DEMO_TOKEN, { pair: 'no-such-pair' })).status).toBe(404);
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

      const exposition = await scrape(service);
      // The families promtool used to refuse are gone; their per-type gauges stay.
      expect(exposition).not.toMatch(/^# TYPE greenlight_nodejs_active_\w+_total /m);
      expect(exposition).toMatch(/^# TYPE greenlight_nodejs_active_handles gauge$/m);
      expect(exposition).toMatch(/^greenlight_http_requests_total\{route="getparams",method="POST",status="403"\} 1$/m);
      // The service's own drift audit of the demo pair (started at launch) and its gate.
      expect(exposition).toMatch(/^greenlight_drift_objects\{pair="prod-eu",cluster="prod-eu-blue",class="unmanaged"\} 3$/m);
      expect(exposition).toMatch(/^greenlight_drift_objects\{pair="prod-eu",cluster="prod-eu-blue",class="stateful"\} 1$/m);
      expect(exposition).toMatch(/^greenlight_drift_objects\{pair="prod-eu",cluster="prod-eu-blue",class="accepted"\} 1$/m);
      expect(exposition).toMatch(/^greenlight_cache_max_bytes\{cache="drift"\} 0$/m);
      expect(exposition).toMatch(/^greenlight_pair_gate\{pair="prod-eu"\} 0$/m);

      const { code, output } = await promtoolCheck(exposition);
      expect(output).toBe('');
      expect(code).toBe(0);
    });
  });

  describe('argocd mode with live facts', () => {
    let aws: FakeAws;
    let argocd: FakeKubeApiServer;
    let green: FakeKubeApiServer;
    let service: ServiceProcess;
    let dir: string;

    beforeAll(async () => {
      aws = await startFakeAws();
      aws.addCluster({ name: 'prod-eu-green', region: FAKE_REGION, version: '1.32', caData: clusterCaData() });
      green = await FakeKubeApiServer.start({
        tls: clusterTls(),
        auth: { eks: { clusterName: 'prod-eu-green', credentials: { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY }, extraStsHosts: [new URL(aws.endpoint).host] } },
        version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' },
      });
      argocd = await FakeKubeApiServer.start();
      argocd.putSecret({
        name: 'cluster-prod-eu-green',
        namespace: 'argocd',
        labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' },
        annotations: { 'greenlight.io/weight': '0' },
        stringData: {
          name: 'prod-eu-green',
          server: green.url,
          project: 'platform',
          config: JSON.stringify({ awsAuthConfig: { clusterName: 'prod-eu-green' }, tlsClientConfig: { caData: clusterCaData() } }),
        },
      });
      dir = mkdtempSync(join(tmpdir(), 'gl-promtool-'));
      service = await startService({
        env: {
          GREENLIGHT_INVENTORY: 'argocd',
          ARGOCD_NAMESPACE: 'argocd',
          GREENLIGHT_TOKEN: LIVE_TOKEN,
          KUBECONFIG: writeKubeconfig(dir, argocd.url),
          ...fakeAwsEnv(aws.endpoint),
          AWS_SESSION_TOKEN: undefined,
          AWS_PROFILE: undefined,
          GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS: '1',
        },
      });
    });

    afterAll(async () => {
      await service?.stop();
      await Promise.all([argocd?.close(), green?.close(), aws?.close()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('finds no problem with the facts cache, readiness and parity series filled', async () => {
      requirePromtool();
      const answered = await getparams(service, LIVE_TOKEN, { pair: 'prod-eu' });
      expect(answered.status, await answered.clone().text()).toBe(200);
      expect((await getparams(service, LIVE_TOKEN, { pair: 'no-such-pair' })).status).toBe(404);

      const exposition = await scrape(service);
      for (const family of ['greenlight_facts_upstream_calls_total', 'greenlight_facts_cache_lookups_total', 'greenlight_pair_ready', 'greenlight_cache_bytes']) {
        expect(exposition, family).toMatch(new RegExp(`^# TYPE ${family} `, 'm'));
      }
      const { code, output } = await promtoolCheck(exposition);
      expect(output).toBe('');
      expect(code).toBe(0);
    });
  });
});
