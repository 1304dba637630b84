/**
 * The traffic gate's scenarios, `greenlight gate` and `weight --step` as processes, live
 * (`--inventory argocd`) against: the local stand-ins for Argo CD's cluster (cluster Secrets,
 * Applications), EKS/STS/SSM and each cluster's own API (with its ExternalDNS Deployment);
 * Debian's Prometheus scraping a test exporter; moto's Route 53. Each live-health scenario is a
 * view of the same two clusters exported under its own cluster label, chosen with
 * GREENLIGHT_PROMETHEUS_CLUSTER_LABEL, so that no scenario waits for another's rates to fade.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATE_EXIT_CODES, gateAnswerSchema, type GateAnswer } from '../../generator/index.js';
import { runGreenlight } from '../support/cli-process.js';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, fakeAwsEnv, startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { startMoto, type Moto } from '../support/moto-process.js';
import { eventually } from '../support/patience.js';
import { ClusterExporter, startPrometheus, type ClusterLoad, type PrometheusProcess } from '../support/prometheus-process.js';
import { change, createZone, externalDnsChanges, route53Client } from '../support/route53-records.js';

const BLUE = 'prod-eu-blue';
const GREEN = 'prod-eu-green';
let aws: FakeAws;
let argocd: FakeKubeApiServer;
let blueApi: FakeKubeApiServer;
let greenApi: FakeKubeApiServer;
let moto: Moto;
let r53: Route53Client;
let zone: string;
let exporter: ClusterExporter;
let prometheus: PrometheusProcess;
let dir: string;
let env: Record<string, string>;

const healthy = { namespace: 'shop', requestsPerSecond: 20, errorRatio: 0.001, latencySeconds: 0.08, restartsPerMinute: 0 };
/** Per view (cluster label): blue's and green's load. */
const VIEWS: Record<string, { blue: Partial<ClusterLoad>; green: Partial<ClusterLoad> }> = {
  healthy: { blue: {}, green: {} },
  raised_5xx: { blue: {}, green: { errorRatio: 0.25 } },
  climbing_restarts: { blue: {}, green: { restartsPerMinute: 60 } },
  high_p99: { blue: {}, green: { latencySeconds: 2 } },
};

function clusterSecret(name: string, role: string, server: string, weight: string) {
  return {
    name: `cluster-${name}`,
    namespace: 'argocd',
    labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': role },
    annotations: { 'greenlight.io/weight': weight },
    stringData: { name, server, project: 'platform', config: JSON.stringify({ awsAuthConfig: { clusterName: name }, tlsClientConfig: { caData: clusterCaData() } }) },
  };
}

function externalDns(api: FakeKubeApiServer, owner: string, image: string): void {
  api.putDeployment({
    name: 'external-dns',
    namespace: 'external-dns',
    labels: { 'app.kubernetes.io/name': 'external-dns' },
    containers: [{ name: 'external-dns', image, args: ['--source=ingress', '--provider=aws', '--registry=txt', `--txt-owner-id=${owner}`, '--policy=upsert-only'] }],
  });
}

/** Sets the pair's Route 53 records as ExternalDNS would after applying these weights. */
async function route53Weights(blue: number, green: number): Promise<void> {
  await change(r53, zone, [...externalDnsChanges('shop.example.com', BLUE, blue, BLUE), ...externalDnsChanges('shop.example.com', GREEN, green, GREEN)]);
}

const weights = () => [BLUE, GREEN].map((n) => argocd.getSecret('argocd', `cluster-${n}`)?.metadata.annotations?.['greenlight.io/weight']);

async function gate(view: string, extraEnv: Record<string, string> = {}): Promise<{ code: number; answer: GateAnswer; stderr: string }> {
  const res = await runGreenlight(['gate', '--pair', 'prod-eu', '-o', 'json', '--window', '1m'], { ...env, GREENLIGHT_PROMETHEUS_CLUSTER_LABEL: view, ...extraEnv });
  if (res.stdout.trim() === '') throw new Error(`no answer (exit ${res.code}): ${res.stderr}`);
  return { code: res.code, answer: gateAnswerSchema.parse(JSON.parse(res.stdout)), stderr: res.stderr };
}

function step(view: string, ...args: string[]) {
  return runGreenlight(['weight', '--pair', 'prod-eu', '--step', '--window', '1m', ...args], { ...env, GREENLIGHT_PROMETHEUS_CLUSTER_LABEL: view });
}

beforeAll(async () => {
  aws = await startFakeAws();
  const credentials = { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY };
  const extraStsHosts = [new URL(aws.endpoint).host];
  blueApi = await FakeKubeApiServer.start({ tls: clusterTls(), auth: { eks: { clusterName: BLUE, credentials, extraStsHosts } }, version: { major: '1', minor: '31+', gitVersion: 'v1.31.4-eks-2d5f260' } });
  greenApi = await FakeKubeApiServer.start({ tls: clusterTls(), auth: { eks: { clusterName: GREEN, credentials, extraStsHosts } }, version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' } });
  externalDns(blueApi, BLUE, 'registry.k8s.io/external-dns/external-dns:v0.21.0');
  externalDns(greenApi, GREEN, 'registry.k8s.io/external-dns/external-dns:v0.21.0');
  aws.addCluster({ name: BLUE, version: '1.31', caData: clusterCaData() });
  aws.addCluster({ name: GREEN, version: '1.32', caData: clusterCaData() });
  for (const [cluster, kubeProxy] of [[BLUE, 'v1.31.3-eksbuild.2'], [GREEN, 'v1.32.0-eksbuild.2']] as const) {
    aws.addAddon({ clusterName: cluster, name: 'kube-proxy', version: kubeProxy });
  }
  aws.addAddonVersion({ addonName: 'kube-proxy', addonVersion: 'v1.31.3-eksbuild.2', clusterVersions: ['1.31'] });
  aws.addAddonVersion({ addonName: 'kube-proxy', addonVersion: 'v1.32.0-eksbuild.2', clusterVersions: ['1.32'] });

  argocd = await FakeKubeApiServer.start();
  argocd.putSecret(clusterSecret(BLUE, 'blue', blueApi.url, '80'));
  argocd.putSecret(clusterSecret(GREEN, 'green', greenApi.url, '20'));

  moto = await startMoto();
  r53 = route53Client(moto.endpoint);
  zone = await createZone(r53, 'example.com');
  await route53Weights(80, 20);

  const loads: ClusterLoad[] = Object.entries(VIEWS).flatMap(([label, v]) => [
    { ...healthy, ...v.blue, cluster: BLUE, label },
    { ...healthy, ...v.green, cluster: GREEN, label },
  ]);
  exporter = await ClusterExporter.start(loads);
  prometheus = await startPrometheus([exporter.target]);
  for (const label of Object.keys(VIEWS)) {
    await prometheus.waitForSeries(`count_over_time(http_requests_total{${label}="${GREEN}",code="503"}[1m]) > 2`);
  }

  dir = mkdtempSync(join(tmpdir(), 'gl-gate-'));
  writeKubeconfig(dir, argocd.url);
  env = {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    GREENLIGHT_INVENTORY: 'argocd',
    ARGOCD_NAMESPACE: 'argocd',
    KUBECONFIG: join(dir, 'kubeconfig'),
    ...fakeAwsEnv(aws.endpoint),
    AWS_ENDPOINT_URL_ROUTE_53: moto.endpoint,
    GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS: '1',
    GREENLIGHT_PROMETHEUS_URL: prometheus.url,
    GREENLIGHT_ROUTE53_ZONES: zone,
  };
});

afterAll(async () => {
  r53?.destroy();
  await Promise.all([prometheus?.stop(), moto?.stop()]);
  await Promise.all([exporter?.close(), argocd?.close(), blueApi?.close(), greenApi?.close(), aws?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the traffic gate, scenario by scenario', () => {
  it('Prometheus down: could not evaluate (1), never go; the step is held (3)', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    const { code, answer } = await gate('healthy', { GREENLIGHT_PROMETHEUS_URL: url });
    expect(code).toBe(GATE_EXIT_CODES.unknown);
    expect(answer.decision).toBe('unknown');
    expect(answer.reasons.map((r) => [r.check, r.outcome])).toEqual([['health', 'unknown'], ['health', 'unknown'], ['health', 'unknown']]);
    expect(answer.reasons[0]?.message).toContain(`Prometheus at ${url}/api/v1/query could not be reached (ECONNREFUSED)`);
    const held = await runGreenlight(['weight', '--pair', 'prod-eu', '--step', '--apply'], { ...env, GREENLIGHT_PROMETHEUS_URL: url });
    expect(held.code).toBe(GATE_EXIT_CODES.held);
    expect(held.stderr).toContain('greenlight weight: held by the gate (could not evaluate): nothing changed');
    expect(weights()).toEqual(['80', '20']);
  });

  for (const [view, signal, words] of [
    ['raised_5xx', 'error-ratio', `${GREEN}'s 5xx ratio is 25.00% against 0.10% on ${BLUE}, above the threshold of 1.10%`],
    ['climbing_restarts', 'restarts', `${GREEN}'s container restarts are`],
    ['high_p99', 'p99-latency', `${GREEN}'s p99 latency is 2485 ms against 100 ms on ${BLUE}, above the threshold of 169 ms`],
  ] as const) {
    it(`green with ${view.replace('_', ' ')} alone: hold (2), and --step is held (3) with the weights unchanged`, async () => {
      const { code, answer } = await gate(view);
      expect(code).toBe(GATE_EXIT_CODES.hold);
      expect(answer.reasons.map((r) => [r.check, r.outcome, r.evidence['signal']])).toEqual([['health', 'hold', signal]]);
      expect(answer.reasons[0]?.message).toContain(words);
      expect(answer.health.filter((h) => h.outcome !== 'ok').map((h) => h.signal)).toEqual([signal]);

      const held = await step(view, '--apply');
      expect(held.code, held.stderr).toBe(GATE_EXIT_CODES.held);
      expect(held.stderr).toContain('greenlight weight: held by the gate (hold): nothing changed. Fix what the reasons say, or step anyway with --force --reason TEXT');
      expect(held.stdout).toContain(words);
      expect(weights()).toEqual(['80', '20']);
    });
  }

  it('a prefix skew between blue and green (ExternalDNS v0.21 and v0.22): hold', async () => {
    externalDns(greenApi, GREEN, 'registry.k8s.io/external-dns/external-dns:v0.22.0');
    try {
      const { code, answer } = await gate('healthy');
      expect(code).toBe(GATE_EXIT_CODES.hold);
      expect(answer.reasons.map((r) => [r.check, r.outcome])).toEqual([['prefix', 'hold']]);
      expect(answer.reasons[0]?.message).toContain(`ExternalDNS reads "external-dns.alpha.kubernetes.io/" annotations on ${BLUE} (v0.21.0) but "external-dns.kubernetes.io/" on ${GREEN} (v0.22.0)`);
      expect(answer.externalDns.map((d) => [d.cluster, d.version, d.prefix, d.ownerId])).toEqual([
        [BLUE, 'v0.21.0', 'external-dns.alpha.kubernetes.io/', BLUE],
        [GREEN, 'v0.22.0', 'external-dns.kubernetes.io/', GREEN],
      ]);
    } finally {
      externalDns(greenApi, GREEN, 'registry.k8s.io/external-dns/external-dns:v0.21.0');
    }
  });

  it('green healthy: go (0) and one step taken; Route 53 still at the old weights holds (2), naming the mismatch, then go once the records follow', async () => {
    const first = await gate('healthy');
    expect(first.answer.reasons, first.stderr).toEqual([]);
    expect(first.code).toBe(GATE_EXIT_CODES.go);
    expect(first.answer.step).toMatchObject({ index: 1, current: { blue: 80, green: 20 }, next: { blue: 50, green: 50 } });
    expect(first.answer.split.map((s) => [s.cluster, s.desired, s.actual, s.outcome])).toEqual([[BLUE, 80, 80, 'ok'], [GREEN, 20, 20, 'ok']]);

    const stepped = await step('healthy', '--apply');
    expect(stepped.code, stepped.stderr).toBe(0);
    expect(stepped.stdout).toContain('80 → 50');
    expect(weights()).toEqual(['50', '50']);

    const lagging = await gate('healthy');
    expect(lagging.code).toBe(GATE_EXIT_CODES.hold);
    expect(lagging.answer.reasons.map((r) => r.message)).toEqual([
      `shop.example.com. CNAME (zone ${zone}): Route 53 gives ${BLUE} weight 80, but greenlight.io/weight asks for 50: ExternalDNS on ${BLUE} has not applied the last step yet (wait for its next sync, or read its logs)`,
      `shop.example.com. CNAME (zone ${zone}): Route 53 gives ${GREEN} weight 20, but greenlight.io/weight asks for 50: ExternalDNS on ${GREEN} has not applied the last step yet (wait for its next sync, or read its logs)`,
    ]);
    const text = await runGreenlight(['gate', '--pair', 'prod-eu', '--window', '1m'], { ...env, GREENLIGHT_PROMETHEUS_CLUSTER_LABEL: 'healthy' });
    expect(text.code).toBe(GATE_EXIT_CODES.hold);
    expect(text.stdout).toContain('Pair prod-eu: HOLD for the next step 50/50 → 20/80 (blue/green Route 53 weights)');

    await route53Weights(50, 50);
    const followed = await eventually(async () => {
      const g = await gate('healthy');
      expect(g.code).toBe(GATE_EXIT_CODES.go);
      return g;
    });
    expect(followed.answer.step.next).toEqual({ blue: 20, green: 80 });
  });

  it('--force --reason steps past a held gate and records the reason on both Secrets; --rollback goes back one step, --all to the first', async () => {
    const forced = await step('raised_5xx', '--force', '--reason', 'CHANGE-1234: known 5xx from a retired endpoint', '--apply');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('greenlight weight: forced past the gate (hold): CHANGE-1234: known 5xx from a retired endpoint');
    expect(weights()).toEqual(['20', '80']);
    for (const name of [BLUE, GREEN]) {
      expect(argocd.getSecret('argocd', `cluster-${name}`)?.metadata.annotations?.['greenlight.io/forced-step']).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z 50\/50 -> 20\/80 over gate hold: CHANGE-1234: known 5xx from a retired endpoint$/);
    }

    const back = await runGreenlight(['weight', '--pair', 'prod-eu', '--rollback', '--apply'], env);
    expect(back.code, back.stderr).toBe(0);
    expect(weights()).toEqual(['50', '50']);
    const all = await runGreenlight(['weight', '--pair', 'prod-eu', '--rollback', '--all', '--apply'], env);
    expect(all.code, all.stderr).toBe(0);
    expect(weights()).toEqual(['100', '0']);
  });

  it('--freeze blue refuses while blue has traffic, then sets skip-reconcile once it has none; --unfreeze removes it', async () => {
    const refused = await runGreenlight(['role', '--pair', 'prod-eu', '--freeze', 'blue', '--apply'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`greenlight role: refused: ${BLUE} (blue) still has greenlight.io/weight=100; drain it first (greenlight weight --pair prod-eu --step until blue's weight is 0, and Route 53 follows), then freeze it\n`);
    const drained = await runGreenlight(['weight', '--pair', 'prod-eu', '--set', `${BLUE}=0`, '--set', `${GREEN}=100`, '--apply'], env);
    expect(drained.code, drained.stderr).toBe(0);
    const frozen = await runGreenlight(['role', '--pair', 'prod-eu', '--freeze', 'blue', '--apply'], env);
    expect(frozen.code, frozen.stderr).toBe(0);
    expect(argocd.getSecret('argocd', `cluster-${BLUE}`)?.metadata.annotations?.['argocd.argoproj.io/skip-reconcile']).toBe('true');
    expect(argocd.getSecret('argocd', `cluster-${GREEN}`)?.metadata.annotations?.['argocd.argoproj.io/skip-reconcile']).toBeUndefined();
    const thawed = await runGreenlight(['role', '--pair', 'prod-eu', '--unfreeze', '--apply'], env);
    expect(thawed.code, thawed.stderr).toBe(0);
    expect(argocd.getSecret('argocd', `cluster-${BLUE}`)?.metadata.annotations?.['argocd.argoproj.io/skip-reconcile']).toBeUndefined();
  });
});
