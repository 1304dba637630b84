import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SIGNALS } from '../../../generator/index.js';
import { ConfigError, loadConfig } from '../../../plugin/config.js';

const dir = mkdtempSync(join(tmpdir(), 'gl-gate-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('gate configuration', () => {
  it('reads Prometheus, its cluster label, the Route 53 zones and a gate config file', () => {
    const file = join(dir, 'gate.yaml');
    writeFileSync(file, "plan: [[100, 0], [90, 10], [0, 100]]\nwindow: 15m\nsignals:\n  restarts: { margin: 3 }\n");
    const config = loadConfig({
      GREENLIGHT_PROMETHEUS_URL: 'http://prometheus.monitoring:9090',
      GREENLIGHT_PROMETHEUS_CLUSTER_LABEL: 'k8s_cluster',
      GREENLIGHT_ROUTE53_ZONES: 'Z0123456789ABCDEFGHIJ, /hostedzone/Z2',
      GREENLIGHT_GATE_CONFIG: file,
    });
    expect(config.gate).toEqual({
      prometheusUrl: 'http://prometheus.monitoring:9090',
      prometheusTimeoutMs: 10_000,
      clusterLabel: 'k8s_cluster',
      route53Zones: ['Z0123456789ABCDEFGHIJ', '/hostedzone/Z2'],
      settings: {
        plan: [{ blue: 100, green: 0 }, { blue: 90, green: 10 }, { blue: 0, green: 100 }],
        window: '15m',
        signals: { ...DEFAULT_SIGNALS, restarts: { ...DEFAULT_SIGNALS.restarts, margin: 3 } },
      },
    });
  });

  it('lists every gate problem at once', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'plan: [[0, 100], [100, 0]]\nwindow: forever\n');
    expect(
      problems({
        GREENLIGHT_PROMETHEUS_URL: 'http://user:not-a-real-password@prometheus:9090',
        GREENLIGHT_PROMETHEUS_CLUSTER_LABEL: 'k8s-cluster',
        GREENLIGHT_ROUTE53_ZONES: 'example.com',
        GREENLIGHT_GATE_CONFIG: bad,
      }),
    ).toEqual([
      'GREENLIGHT_PROMETHEUS_URL must not carry a user name or password',
      'GREENLIGHT_PROMETHEUS_CLUSTER_LABEL must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*), got "k8s-cluster"',
      'GREENLIGHT_ROUTE53_ZONES takes hosted zone ids separated by commas (such as Z0123456789ABCDEFGHIJ), got "example.com"',
      `GREENLIGHT_GATE_CONFIG ${bad}: window: must be a duration such as 30s, 10m, 1h or 1d; plan: step 2 (100/0) does not give green a larger share than step 1 does`,
    ]);
    expect(problems({ GREENLIGHT_GATE_CONFIG: join(dir, 'missing.yaml') })).toEqual([`GREENLIGHT_GATE_CONFIG: cannot read ${join(dir, 'missing.yaml')} (it does not exist); mount the ConfigMap there or fix the path`]);
  });
});

describe('Prometheus credentials', () => {
  const AMP = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-00000000-fake';
  const secret = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads one way to authenticate, the tenant and the CA', () => {
    const token = secret('token', 'fake-bearer-token-for-config-0001\n');
    const ca = secret('ca.pem', '-----BEGIN CERTIFICATE-----\nnot-really-a-cert\n-----END CERTIFICATE-----\n');
    const bearer = loadConfig({ GREENLIGHT_PROMETHEUS_URL: 'https://thanos.monitoring:10902', GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: token, GREENLIGHT_PROMETHEUS_TENANT: 'team-a|team-b', GREENLIGHT_PROMETHEUS_CA_FILE: ca, GREENLIGHT_TOKEN_RELOAD_MS: '500' });
    expect(bearer.gate.prometheusAuth).toEqual({ kind: 'bearer', tokenFile: token, reloadMs: 500 });
    expect(bearer.gate.prometheusTenant).toBe('team-a|team-b');
    expect(bearer.gate.prometheusCa).toContain('-----BEGIN CERTIFICATE-----');
    const password = secret('password', 'fake-basic-password-0001\n');
    expect(loadConfig({ GREENLIGHT_PROMETHEUS_URL: 'https://mimir.example.com/prometheus', GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER: '12345', GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: password }).gate.prometheusAuth).toEqual({ kind: 'basic', user: '12345', passwordFile: password, reloadMs: 2_000 });
    expect(loadConfig({ GREENLIGHT_PROMETHEUS_URL: AMP, GREENLIGHT_PROMETHEUS_SIGV4_REGION: 'eu-west-1' }).gate.prometheusAuth).toEqual({ kind: 'sigv4', region: 'eu-west-1' });
    // A tenant alone is no credential: plain http stays allowed, as for a Mimir inside the cluster.
    expect(loadConfig({ GREENLIGHT_PROMETHEUS_URL: 'http://mimir-nginx.mimir/prometheus', GREENLIGHT_PROMETHEUS_TENANT: 'shop' }).gate).toMatchObject({ prometheusAuth: undefined, prometheusTenant: 'shop' });
  });

  it('lists every conflict and problem at once, never quoting a file', () => {
    const empty = secret('empty', '\n');
    const short = secret('short', 'fake-short\n');
    expect(
      problems({
        GREENLIGHT_PROMETHEUS_URL: 'http://prometheus.monitoring:9090',
        GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: empty,
        GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER: 'a:b',
        GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: short,
        GREENLIGHT_PROMETHEUS_SIGV4_REGION: 'Ireland',
        GREENLIGHT_PROMETHEUS_TENANT: 'team shop',
        GREENLIGHT_PROMETHEUS_CA_FILE: join(dir, 'no-ca.pem'),
      }),
    ).toEqual([
      'set only one way to authenticate to Prometheus; got GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE (bearer) and GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER/_PASSWORD_FILE (basic) and GREENLIGHT_PROMETHEUS_SIGV4_REGION (SigV4)',
      `GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: the token file ${empty} is empty; put the credential Prometheus (or the proxy in front of it) accepts in it, on one line`,
      "GREENLIGHT_PROMETHEUS_URL is plain http:// (http://prometheus.monitoring:9090), but GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE (bearer) and GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER/_PASSWORD_FILE (basic) and GREENLIGHT_PROMETHEUS_SIGV4_REGION (SigV4) give credentials, which greenlight never sends unencrypted: set GREENLIGHT_PROMETHEUS_URL to the server's https:// endpoint (with GREENLIGHT_PROMETHEUS_CA_FILE for a private CA)",
      'GREENLIGHT_PROMETHEUS_TENANT must be a Mimir tenant id (letters, digits and !-_.*\'(), at most 150, several joined by |), got "team shop"',
      `GREENLIGHT_PROMETHEUS_CA_FILE: cannot read ${join(dir, 'no-ca.pem')} (it does not exist); mount the CA bundle there or fix the path`,
    ]);
    expect(
      problems({ GREENLIGHT_PROMETHEUS_URL: 'https://mimir.example.com', GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER: 'a:b', GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: short }),
    ).toEqual([
      'GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER must not contain ":" or control characters (basic auth, RFC 7617)',
      `GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: the token in the file ${short} is shorter than 16 characters; put the credential Prometheus (or the proxy in front of it) accepts in it, on one line`,
    ]);
    expect(problems({ GREENLIGHT_PROMETHEUS_URL: 'https://mimir.example.com', GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER: 'greenlight' })).toEqual([
      'GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER is set without GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: basic auth needs both (the password from a mounted Secret file)',
    ]);
    expect(problems({ GREENLIGHT_PROMETHEUS_SIGV4_REGION: 'eu-west-1' })).toEqual(["Prometheus credentials, tenant or CA are set but GREENLIGHT_PROMETHEUS_URL is not: set the server's root too"]);
    expect(problems({ GREENLIGHT_PROMETHEUS_URL: AMP, GREENLIGHT_PROMETHEUS_SIGV4_REGION: 'us-east-1' })).toEqual([
      'GREENLIGHT_PROMETHEUS_SIGV4_REGION is "us-east-1" but GREENLIGHT_PROMETHEUS_URL is a workspace in eu-west-1: sign for the workspace\'s region',
    ]);
    expect(problems({ GREENLIGHT_PROMETHEUS_URL: AMP, GREENLIGHT_PROMETHEUS_SIGV4_REGION: 'Ireland' })).toEqual([
      'GREENLIGHT_PROMETHEUS_SIGV4_REGION must be an AWS region such as eu-west-1 (the workspace\'s), got "Ireland"',
    ]);
    const twoLines = secret('two-lines', 'fake-bearer-token-line-one\nfake-bearer-token-line-two\n');
    expect(problems({ GREENLIGHT_PROMETHEUS_URL: AMP, GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: twoLines })).toEqual([
      `GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: the token in the file ${twoLines} holds a line break or a control character, which no HTTP header carries; put the token on one line`,
    ]);
    const notPem = secret('not-pem', 'just text\n');
    expect(problems({ GREENLIGHT_PROMETHEUS_URL: AMP, GREENLIGHT_PROMETHEUS_CA_FILE: notPem })).toEqual([
      `GREENLIGHT_PROMETHEUS_CA_FILE: ${notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----); mount the CA bundle there`,
    ]);
  });
});
