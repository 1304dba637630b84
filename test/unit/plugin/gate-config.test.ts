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
