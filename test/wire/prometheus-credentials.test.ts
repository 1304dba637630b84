/**
 * The Prometheus client with credentials, against real parts: Debian's Prometheus serving https
 * with basic auth (`--web.config.file`, bcrypt), and 127.0.0.1 https gateways in front of it that
 * check a bearer token and a Mimir tenant, or a SigV4 signature for service `aps` (fake-aws's
 * verifier, obviously fake keys). Right credentials give numbers; wrong ones give the message
 * that names the setting to check, never the value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIGNALS, fillQuery } from '../../generator/index.js';
import { basicAuth, bearerAuth, sigv4Auth } from '../../plugin/adapters/prometheus/prometheus-auth.js';
import { PrometheusClient } from '../../plugin/adapters/prometheus/prometheus-client.js';
import { FileTokenSource } from '../../plugin/auth/token-source.js';
import { createLogger } from '../../plugin/logger.js';
import { makeTestPki, type TestPki } from '../support/fake-kube-apiserver.js';
import { FAKE_CREDENTIALS } from '../support/fake-aws.js';
import { eventually } from '../support/patience.js';
import { bearerCheck, PrometheusAuthProxy, sigv4Check } from '../support/prometheus-auth-proxy.js';
import { ClusterExporter, startPrometheus, type PrometheusProcess } from '../support/prometheus-process.js';

const USER = 'greenlight';
const PASSWORD = 'fake-prometheus-password-0001';
const TOKEN = 'fake-gateway-bearer-token-0001';
const TENANT = 'team-shop';
const REGION = 'eu-west-1';

let pki: TestPki;
let exporter: ClusterExporter;
let prometheus: PrometheusProcess;
let dir: string;
const never = new AbortController().signal;
const silent = createLogger('silent');
const query = fillQuery(DEFAULT_SIGNALS['error-ratio'].query, { clusterLabel: 'cluster', cluster: 'cred-green', window: '1m' });

/** A secret file under the test's directory. */
function secretFile(name: string, value: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${value}\n`);
  return path;
}

const basicHeader = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gl-prom-cred-'));
  pki = makeTestPki();
  exporter = await ClusterExporter.start([{ cluster: 'cred-green', namespace: 'shop', requestsPerSecond: 10, errorRatio: 0.2, latencySeconds: 0.08, restartsPerMinute: 0 }]);
  prometheus = await startPrometheus([exporter.target], { tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert }, basicAuth: { user: USER, password: PASSWORD } });
  await prometheus.waitForSeries('count_over_time(http_requests_total{cluster="cred-green",code="503"}[1m]) > 2');
});

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('basic auth, against Prometheus itself (--web.config.file)', () => {
  it('gives the number with the right password, read from its file', async () => {
    const password = new FileTokenSource(secretFile('password', PASSWORD), 60_000, silent, 'GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE');
    const client = new PrometheusClient({ url: prometheus.url, auth: basicAuth(USER, password), ca: pki.caCert });
    try {
      expect(await client.queryNumber(query, never)).toBeCloseTo(0.2, 3);
    } finally {
      client.close();
    }
  });

  it('says which setting to check on a 401, never the password, and takes a corrected file without a restart', async () => {
    const path = secretFile('rotated', 'fake-wrong-password-000001');
    const client = new PrometheusClient({ url: prometheus.url, auth: basicAuth(USER, new FileTokenSource(path, 100, silent, 'GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE')), ca: pki.caCert });
    try {
      const err = (await client.queryNumber(query, never).catch((e: unknown) => e)) as Error;
      expect(err.message).toBe(
        `Prometheus at ${prometheus.url}/api/v1/query refused greenlight's credentials (HTTP 401: Unauthorized); ` +
          `check GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER ("${USER}") and the password in the file ${path} (GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE); ` +
          'Mimir and Cortex also need GREENLIGHT_PROMETHEUS_TENANT (X-Scope-OrgID)',
      );
      expect(err.message).not.toContain('fake-wrong-password');
      writeFileSync(path, `${PASSWORD}\n`);
      await eventually(async () => expect(await client.queryNumber(query, never)).toBeCloseTo(0.2, 3));
    } finally {
      client.close();
    }
  });

  it('says how to give credentials when none are configured', async () => {
    const client = new PrometheusClient({ url: prometheus.url, ca: pki.caCert });
    try {
      await expect(client.queryNumber(query, never)).rejects.toThrow(
        `Prometheus at ${prometheus.url}/api/v1/query asks for credentials (HTTP 401: Unauthorized); give greenlight GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE, ` +
          'GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER with GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE, or GREENLIGHT_PROMETHEUS_SIGV4_REGION (Amazon Managed Prometheus); ' +
          'Mimir and Cortex also need GREENLIGHT_PROMETHEUS_TENANT (X-Scope-OrgID)',
      );
    } finally {
      client.close();
    }
  });

  it('does not trust a certificate of a CA it was not given, and says where to give it', async () => {
    const password = new FileTokenSource(secretFile('password-2', PASSWORD), 60_000, silent, 'GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE');
    const client = new PrometheusClient({ url: prometheus.url, auth: basicAuth(USER, password) });
    try {
      const err = (await client.queryNumber(query, never).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(
        /^Prometheus at https:\/\/127\.0\.0\.1:\d+\/api\/v1\/query could not be reached \([A-Z_]+\); check GREENLIGHT_PROMETHEUS_URL and the network path from greenlight \(a certificate greenlight does not trust: give the CA that signs the server's certificate in GREENLIGHT_PROMETHEUS_CA_FILE\)$/,
      );
    } finally {
      client.close();
    }
  });

  it('refuses to send credentials over plain http://, even to a loopback address', () => {
    const password = new FileTokenSource(secretFile('password-3', PASSWORD), 60_000, silent, 'GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE');
    try {
      expect(() => new PrometheusClient({ url: 'http://127.0.0.1:9', auth: basicAuth(USER, password) })).toThrow(
        "GREENLIGHT_PROMETHEUS_URL is plain http:// (http://127.0.0.1:9), but the client was given credentials, which greenlight never sends unencrypted: set GREENLIGHT_PROMETHEUS_URL to the server's https:// endpoint (with GREENLIGHT_PROMETHEUS_CA_FILE for a private CA)",
      );
    } finally {
      password.close();
    }
  });
});

describe('a bearer token and a Mimir tenant, through a gateway', () => {
  let gateway: PrometheusAuthProxy;
  beforeAll(async () => {
    gateway = await PrometheusAuthProxy.start({
      tls: { cert: pki.serverCert, key: pki.serverKey },
      upstream: { url: prometheus.url, ca: pki.caCert, headers: { authorization: basicHeader } },
      prefix: '/prometheus',
      check: bearerCheck(TOKEN, TENANT),
    });
  });
  afterAll(async () => gateway?.close());

  it('sends the token and X-Scope-OrgID, and gets the number', async () => {
    const token = new FileTokenSource(secretFile('token', TOKEN), 60_000, silent, 'GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE');
    const client = new PrometheusClient({ url: gateway.url, auth: bearerAuth(token), tenant: TENANT, ca: pki.caCert });
    try {
      expect(await client.queryNumber(query, never)).toBeCloseTo(0.2, 3);
      expect(gateway.passed.at(-1)).toEqual({ tenant: TENANT });
    } finally {
      client.close();
    }
  });

  it('names the token file and the tenant on a refused token', async () => {
    const path = secretFile('wrong-token', 'fake-stale-bearer-token-0002');
    const client = new PrometheusClient({ url: gateway.url, auth: bearerAuth(new FileTokenSource(path, 60_000, silent, 'GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE')), tenant: TENANT, ca: pki.caCert });
    try {
      const err = (await client.queryNumber(query, never).catch((e: unknown) => e)) as Error;
      expect(err.message).toBe(
        `Prometheus at ${gateway.url}/api/v1/query refused greenlight's credentials (HTTP 401: Unauthorized); ` +
          `check the token in the file ${path} (GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE): it must be one Prometheus (or the proxy in front of it) accepts, ` +
          `and GREENLIGHT_PROMETHEUS_TENANT ("${TENANT}"): the tenant must be one these credentials may read`,
      );
      expect(err.message).not.toContain('fake-stale-bearer-token');
    } finally {
      client.close();
    }
  });

  it('never sends (or quotes) a token that a rotation left on two lines', async () => {
    const path = secretFile('token-rotating', TOKEN);
    const client = new PrometheusClient({ url: gateway.url, auth: bearerAuth(new FileTokenSource(path, 100, silent, 'GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE')), tenant: TENANT, ca: pki.caCert });
    try {
      writeFileSync(path, 'fake-broken-token-part-one\nfake-broken-token-part-two\n');
      const err = await eventually(async () => {
        const e = (await client.queryNumber(query, never).catch((x: unknown) => x)) as Error;
        expect(e).toBeInstanceOf(Error);
        return e;
      });
      expect(err.message).toBe(
        `Prometheus at ${gateway.url}/api/v1/query: the token in the file ${path} (GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE) holds a line break or a control character, which no HTTP header carries: put the token on one line`,
      );
      expect(err.message).not.toContain('fake-broken-token');
    } finally {
      client.close();
    }
  });

  it('points at GREENLIGHT_PROMETHEUS_TENANT when Mimir asks for an org id', async () => {
    const token = new FileTokenSource(secretFile('token-2', TOKEN), 60_000, silent, 'GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE');
    const client = new PrometheusClient({ url: gateway.url, auth: bearerAuth(token), ca: pki.caCert });
    try {
      const err = (await client.queryNumber(query, never).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/\(HTTP 401: no org id\); check the token in the file .*; Mimir and Cortex also need GREENLIGHT_PROMETHEUS_TENANT \(X-Scope-OrgID\)$/);
    } finally {
      client.close();
    }
  });
});

describe('SigV4 for Amazon Managed Prometheus, verified at a stand-in', () => {
  let amp: PrometheusAuthProxy;
  beforeAll(async () => {
    amp = await PrometheusAuthProxy.start({
      tls: { cert: pki.serverCert, key: pki.serverKey },
      upstream: { url: prometheus.url, ca: pki.caCert, headers: { authorization: basicHeader } },
      prefix: '/workspaces/ws-00000000-fake',
      check: sigv4Check(FAKE_CREDENTIALS, REGION),
    });
  });
  afterAll(async () => amp?.close());

  it('signs each query for service aps in the workspace region with greenlight\'s AWS identity', async () => {
    const client = new PrometheusClient({ url: amp.url, auth: sigv4Auth(REGION, () => Promise.resolve(FAKE_CREDENTIALS)), ca: pki.caCert });
    try {
      expect(await client.queryNumber(query, never)).toBeCloseTo(0.2, 3);
      expect(amp.passed.at(-1)?.claim).toEqual({ accessKeyId: FAKE_CREDENTIALS.accessKeyId, region: REGION, service: 'aps' });
    } finally {
      client.close();
    }
  });

  it('sends the session token of temporary credentials (IRSA, Pod Identity) inside the signature', async () => {
    const session = { accessKeyId: 'ASIAFAKEGREENLIGHT01', secretAccessKey: 'fake-session-secret-0004', sessionToken: 'fake-session-token-0004' };
    const irsa = await PrometheusAuthProxy.start({
      tls: { cert: pki.serverCert, key: pki.serverKey },
      upstream: { url: prometheus.url, ca: pki.caCert, headers: { authorization: basicHeader } },
      prefix: '/workspaces/ws-00000000-fake',
      check: sigv4Check(session, REGION),
    });
    const client = new PrometheusClient({ url: irsa.url, auth: sigv4Auth(REGION, () => Promise.resolve(session)), ca: pki.caCert });
    try {
      expect(await client.queryNumber(query, never)).toBeCloseTo(0.2, 3);
      expect(irsa.refused).toEqual([]);
    } finally {
      client.close();
      await irsa.close();
    }
  });

  it('says it cannot sign when greenlight has no AWS credentials, and sends nothing', async () => {
    const before = amp.passed.length + amp.refused.length;
    const client = new PrometheusClient({ url: amp.url, auth: sigv4Auth(REGION, () => Promise.reject(new Error('greenlight found no AWS credentials of its own'))), ca: pki.caCert });
    try {
      await expect(client.queryNumber(query, never)).rejects.toThrow(
        `Prometheus at ${amp.url}/api/v1/query: greenlight cannot sign its Prometheus queries (SigV4, GREENLIGHT_PROMETHEUS_SIGV4_REGION): greenlight found no AWS credentials of its own`,
      );
      expect(amp.passed.length + amp.refused.length).toBe(before);
    } finally {
      client.close();
    }
  });

  it('says what to check when AMP refuses the signature, quoting its message without the key', async () => {
    const wrongSecret = { accessKeyId: FAKE_CREDENTIALS.accessKeyId, secretAccessKey: 'fake-wrong-secret-key-0003' };
    const client = new PrometheusClient({ url: amp.url, auth: sigv4Auth(REGION, () => Promise.resolve(wrongSecret)), ca: pki.caCert });
    try {
      const err = (await client.queryNumber(query, never).catch((e: unknown) => e)) as Error;
      expect(err.message).toBe(
        `Prometheus at ${amp.url}/api/v1/query refused greenlight's credentials (HTTP 403: {"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."}); ` +
          `check GREENLIGHT_PROMETHEUS_SIGV4_REGION ("${REGION}", the workspace's region) and greenlight's own AWS identity (its IRSA or Pod Identity role; on a laptop, your AWS profile): it needs aps:QueryMetrics on the workspace; ` +
          'Mimir and Cortex also need GREENLIGHT_PROMETHEUS_TENANT (X-Scope-OrgID)',
      );
      expect(err.message).not.toContain('fake-wrong-secret');
    } finally {
      client.close();
    }
  });
});
