/**
 * `greenlight_pair_gate{pair}` scraped from the running service: a pair whose Route 53 records
 * follow its weights and whose green is healthy reads 1; a pair whose records lag reads 0.
 * Prometheus (Debian's) scrapes a test exporter; Route 53 is moto's server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../support/moto-process.js';
import { eventually } from '../support/patience.js';
import { ClusterExporter, startPrometheus, type PrometheusProcess } from '../support/prometheus-process.js';
import { change, createZone, externalDnsChanges, MOTO_CREDENTIALS, route53Client } from '../support/route53-records.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { factsResponseSchema } from '../../generator/index.js';

let moto: Moto;
let r53: Route53Client;
let exporter: ClusterExporter;
let prometheus: PrometheusProcess;
let svc: ServiceProcess;
let dir: string;
const PROXY_SECRET = 'gate-metrics-proxy-secret-not-a-secret';

const cluster = (name: string, pair: string, role: string, weight: string, minor: string) => `  - name: ${name}
    server: https://${name}.example.com
    labels: { greenlight.io/pair: ${pair}, greenlight.io/role: ${role} }
    annotations: { greenlight.io/weight: "${weight}" }
    facts: { kubernetes: { version: "1.${minor}", major: "1", minor: "${minor}", gitVersion: v1.${minor}.1 } }
`;

beforeAll(async () => {
  moto = await startMoto();
  r53 = route53Client(moto.endpoint);
  const zone = await createZone(r53, 'example.com');
  await change(r53, zone, [
    ...externalDnsChanges('steady.example.com', 'steady-blue', 80, 'default'),
    ...externalDnsChanges('steady.example.com', 'steady-green', 20, 'default'),
    // ExternalDNS has not applied the last step of this pair yet.
    ...externalDnsChanges('lagging.example.com', 'lagging-blue', 100, 'default'),
    ...externalDnsChanges('lagging.example.com', 'lagging-green', 0, 'default'),
  ]);
  const load = { namespace: 'shop', requestsPerSecond: 20, errorRatio: 0.001, latencySeconds: 0.08, restartsPerMinute: 0 };
  exporter = await ClusterExporter.start(['steady-blue', 'steady-green', 'lagging-blue', 'lagging-green'].map((c) => ({ ...load, cluster: c })));
  prometheus = await startPrometheus([exporter.target]);
  await prometheus.waitForSeries('count_over_time(http_requests_total{cluster="lagging-green",code="503"}[1m]) > 2');

  dir = mkdtempSync(join(tmpdir(), 'gl-gate-metrics-'));
  const fleet = join(dir, 'fleet.yaml');
  writeFileSync(
    fleet,
    `apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters:\n${cluster('steady-blue', 'steady', 'blue', '80', '31')}${cluster('steady-green', 'steady', 'green', '20', '32')}${cluster('lagging-blue', 'lagging', 'blue', '80', '31')}${cluster('lagging-green', 'lagging', 'green', '20', '32')}`,
  );
  writeFileSync(join(dir, 'proxy-secret'), `${PROXY_SECRET}\n`);
  svc = await startService({
    env: {
      GREENLIGHT_PROXY_SECRET_FILE: join(dir, 'proxy-secret'),
      GREENLIGHT_INVENTORY: fleet,
      GREENLIGHT_TOKEN: 'gate-metrics-test-token-not-a-secret',
      GREENLIGHT_PROMETHEUS_URL: prometheus.url,
      GREENLIGHT_ROUTE53_ZONES: zone,
      AWS_ENDPOINT_URL_ROUTE_53: moto.endpoint,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'eu-west-1',
    },
  });
});

afterAll(async () => {
  await svc?.stop();
  r53?.destroy();
  await Promise.all([prometheus?.stop(), moto?.stop()]);
  await exporter?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('greenlight_pair_gate', () => {
  it('is 1 for the pair whose gate says go and 0 for the pair whose records lag', async () => {
    const values = await eventually(async () => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      const read = (pair: string) => new RegExp(`^greenlight_pair_gate\\{pair="${pair}"\\} (\\d+)$`, 'm').exec(text)?.[1];
      const v = { steady: read('steady'), lagging: read('lagging') };
      expect(v.steady).toBe('1');
      return { ...v, help: text.includes('# HELP greenlight_pair_gate ') };
    });
    expect(values).toEqual({ steady: '1', lagging: '0', help: true });
  });
});

describe("the facts answer's gate", () => {
  it('is the same evaluation, with its numbers from Prometheus and its records from Route 53', async () => {
    const ask = async (cluster: string) => {
      const res = await fetch(`${svc.url}/api/v1/facts`, {
        headers: { 'Greenlight-Proxy-Secret': PROXY_SECRET, 'Argocd-Application-Name': `argocd:shop-${cluster}`, 'Argocd-Project-Name': 'default', 'Argocd-Target-Cluster-Name': cluster },
      });
      expect(res.status).toBe(200);
      const gate = factsResponseSchema.parse(await res.json()).gate;
      if (gate?.state !== 'evaluated') throw new Error(`not evaluated yet: ${JSON.stringify(gate)}`);
      return gate.answer;
    };
    const steady = await eventually(async () => {
      const answer = await ask('steady-green');
      expect(answer.decision).toBe('go');
      return answer;
    });
    expect(steady.step).toMatchObject({ current: { blue: 80, green: 20 }, next: { blue: 50, green: 50 } });
    const errors = steady.health.find((h) => h.signal === 'error-ratio');
    expect(errors?.outcome).toBe('ok');
    expect(errors?.blue).toBeGreaterThan(0);
    expect(errors?.green).toBeGreaterThan(0);
    const lagging = await ask('lagging-blue');
    expect(lagging.decision).toBe('hold');
    expect(lagging.split.filter((r) => r.outcome === 'mismatch').map((r) => `${r.cluster} ${r.desired}/${r.actual}`)).toEqual(['lagging-blue 80/100', 'lagging-green 20/0']);
  });
});
