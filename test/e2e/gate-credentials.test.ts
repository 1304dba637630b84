/**
 * The gate against a Prometheus that needs credentials, as processes: `greenlight gate` with
 * basic auth against Debian's Prometheus itself (https, `--web.config.file`) and with SigV4
 * against an Amazon Managed Prometheus stand-in; the service with a bearer token and a Mimir
 * tenant through a gateway. The credentials never appear in the output, the errors, the logs
 * or /metrics. The CA reaches greenlight through GREENLIGHT_PROMETHEUS_CA_FILE.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATE_EXIT_CODES, type GateAnswer } from '../../generator/index.js';
import { runGreenlight } from '../support/cli-process.js';
import { makeTestPki, type TestPki } from '../support/fake-kube-apiserver.js';
import { FAKE_CREDENTIALS } from '../support/fake-aws.js';
import { eventually } from '../support/patience.js';
import { bearerCheck, PrometheusAuthProxy, sigv4Check } from '../support/prometheus-auth-proxy.js';
import { ClusterExporter, startPrometheus, type PrometheusProcess } from '../support/prometheus-process.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

const USER = 'greenlight';
const PASSWORD = 'fake-prometheus-password-e2e-0001';
const WRONG_PASSWORD = 'fake-wrong-password-e2e-0002';
const TOKEN = 'fake-gateway-bearer-token-e2e-0003';
const TENANT = 'team-shop';
const REGION = 'eu-west-1';
/** Every value that must never be printed, logged or served. */
const SECRETS = [PASSWORD, WRONG_PASSWORD, TOKEN, FAKE_CREDENTIALS.secretAccessKey, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];

let pki: TestPki;
let exporter: ClusterExporter;
let prometheus: PrometheusProcess;
let gateway: PrometheusAuthProxy;
let amp: PrometheusAuthProxy;
let svc: ServiceProcess | undefined;
let dir: string;
let env: Record<string, string>;

const cluster = (name: string, role: string, weight: string, minor: string) => `  - name: ${name}
    server: https://${name}.example.com
    labels: { greenlight.io/pair: cred, greenlight.io/role: ${role} }
    annotations: { greenlight.io/weight: "${weight}" }
    facts: { kubernetes: { version: "1.${minor}", major: "1", minor: "${minor}", gitVersion: v1.${minor}.1 } }
`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function expectNoSecret(...texts: readonly string[]): void {
  for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

async function gate(extraEnv: Record<string, string>): Promise<{ code: number; answer: GateAnswer; stdout: string; stderr: string }> {
  const res = await runGreenlight(['gate', '--pair', 'cred', '-o', 'json', '--window', '1m'], { ...env, ...extraEnv });
  return { code: res.code, answer: JSON.parse(res.stdout) as GateAnswer, stdout: res.stdout, stderr: res.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gl-gate-cred-'));
  pki = makeTestPki();
  const load = { namespace: 'shop', requestsPerSecond: 20, errorRatio: 0.001, latencySeconds: 0.08, restartsPerMinute: 0 };
  exporter = await ClusterExporter.start(['cred-blue', 'cred-green'].map((c) => ({ ...load, cluster: c })));
  prometheus = await startPrometheus([exporter.target], { tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert }, basicAuth: { user: USER, password: PASSWORD } });
  await prometheus.waitForSeries('count_over_time(http_requests_total{cluster="cred-green",code="503"}[1m]) > 2');
  const upstream = { url: prometheus.url, ca: pki.caCert, headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` } };
  gateway = await PrometheusAuthProxy.start({ tls: { cert: pki.serverCert, key: pki.serverKey }, upstream, prefix: '/prometheus', check: bearerCheck(TOKEN, TENANT) });
  amp = await PrometheusAuthProxy.start({ tls: { cert: pki.serverCert, key: pki.serverKey }, upstream, prefix: '/workspaces/ws-00000000-fake', check: sigv4Check(FAKE_CREDENTIALS, REGION) });
  env = {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    GREENLIGHT_INVENTORY: file('fleet.yaml', `apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters:\n${cluster('cred-blue', 'blue', '80', '31')}${cluster('cred-green', 'green', '20', '32')}`),
    GREENLIGHT_PROMETHEUS_CA_FILE: file('ca.pem', pki.caCert),
    GREENLIGHT_LOG_LEVEL: 'debug',
  };
});

afterAll(async () => {
  await svc?.stop();
  await Promise.all([gateway?.close(), amp?.close()]);
  await prometheus?.stop();
  await exporter?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('greenlight gate with Prometheus credentials', () => {
  it('basic auth: the numbers with the right password; with a wrong one, could not evaluate, naming the setting and never the password', async () => {
    const right = await gate({ GREENLIGHT_PROMETHEUS_URL: prometheus.url, GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER: USER, GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: file('password', `${PASSWORD}\n`) });
    const errorRatio = right.answer.health.find((h) => h.signal === 'error-ratio');
    expect(errorRatio?.blue).toBeCloseTo(0.001, 3);
    expect(errorRatio?.green).toBeCloseTo(0.001, 3);
    expect(right.answer.reasons.filter((r) => r.check === 'health')).toEqual([]);
    expectNoSecret(right.stdout, right.stderr);

    const wrongFile = file('wrong-password', `${WRONG_PASSWORD}\n`);
    const wrong = await gate({ GREENLIGHT_PROMETHEUS_URL: prometheus.url, GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER: USER, GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: wrongFile });
    expect(wrong.code).toBe(GATE_EXIT_CODES.unknown);
    expect(wrong.answer.decision).toBe('unknown');
    const health = wrong.answer.reasons.filter((r) => r.check === 'health');
    expect(health.map((r) => r.outcome)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(health[0]?.message).toContain(
      `Prometheus at ${prometheus.url}/api/v1/query refused greenlight's credentials (HTTP 401: Unauthorized); check GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER ("${USER}") and the password in the file ${wrongFile} (GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE)`,
    );
    expectNoSecret(wrong.stdout, wrong.stderr);
  });

  it('SigV4: signs for aps with its own AWS identity, and gets the numbers from the workspace', async () => {
    const res = await gate({
      GREENLIGHT_PROMETHEUS_URL: amp.url,
      GREENLIGHT_PROMETHEUS_SIGV4_REGION: REGION,
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
    });
    expect(res.answer.health.find((h) => h.signal === 'error-ratio')?.green).toBeCloseTo(0.001, 3);
    expect(res.answer.reasons.filter((r) => r.check === 'health')).toEqual([]);
    expect(amp.passed.at(-1)?.claim).toEqual({ accessKeyId: FAKE_CREDENTIALS.accessKeyId, region: REGION, service: 'aps' });
    expectNoSecret(res.stdout, res.stderr);
  });

  it('refuses credentials for a plain http:// Prometheus before sending anything', async () => {
    const res = await runGreenlight(['gate', '--pair', 'cred'], { ...env, GREENLIGHT_PROMETHEUS_URL: 'http://127.0.0.1:9', GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: file('token-http', `${TOKEN}\n`) });
    expect(res.code).toBe(GATE_EXIT_CODES.unknown);
    expect(res.stderr).toContain(
      "GREENLIGHT_PROMETHEUS_URL is plain http:// (http://127.0.0.1:9), but GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE (bearer) gives credentials, which greenlight never sends unencrypted: set GREENLIGHT_PROMETHEUS_URL to the server's https:// endpoint (with GREENLIGHT_PROMETHEUS_CA_FILE for a private CA)",
    );
    expectNoSecret(res.stdout, res.stderr);
  });
});

describe('the service with a bearer token and a tenant', () => {
  it('scores the gate through the gateway; the token is in no log line and not in /metrics', async () => {
    const { GREENLIGHT_LOG_LEVEL, GREENLIGHT_INVENTORY, GREENLIGHT_PROMETHEUS_CA_FILE } = env;
    svc = await startService({
      env: {
        GREENLIGHT_INVENTORY,
        GREENLIGHT_PROMETHEUS_CA_FILE,
        GREENLIGHT_LOG_LEVEL,
        GREENLIGHT_TOKEN: 'gate-credentials-test-token-not-a-secret',
        GREENLIGHT_PROMETHEUS_URL: gateway.url,
        GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: file('token', `${TOKEN}\n`),
        GREENLIGHT_PROMETHEUS_TENANT: TENANT,
      },
    });
    const running = svc;
    // The gauge is computed on scrape: a query through the gateway with the tenant proves the token went out.
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${running.url}/metrics`)).text();
      expect(text).toMatch(/^greenlight_pair_gate\{pair="cred"\} [01]$/m);
      expect(gateway.passed.some((p) => p.tenant === TENANT)).toBe(true);
      return text;
    });
    expect(gateway.refused).toEqual([]);
    expectNoSecret(metrics, running.stdoutLines.join('\n'), running.stderr());
  });
});
