/**
 * `greenlight drift` as a process, live (`--inventory argocd`): Argo CD's cluster Secrets and
 * argocd-cm on a stand-in for Argo CD's cluster, each cluster's own API on a fake API server
 * holding a realistic EKS cluster. Blue carries the issue's seeds (a CronJob made with kubectl,
 * a hotfixed ConfigMap, a hand-made ServiceAccount with RBAC, a leftover Ingress, a Secret
 * applied with kubectl) and an EBS-backed StatefulSet; each is found with its class and marked
 * missing on green, nothing else is (the EKS baseline and the Argo CD-managed apps are clean),
 * and the Secret's canary value appears in no output. A clean pair exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFT_EXIT_CODES, driftReportSchema } from '../../generator/index.js';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { DRIFT_TOKEN, eksStore } from '../support/drift-clusters.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { FakeKubeObjects } from '../support/fake-kube-objects.js';
import { runGreenlight } from '../support/cli-process.js';
import { startService, untilReady, type ServiceProcess } from '../support/service-process.js';
import { eventually } from '../support/patience.js';
import { writeFileSync } from 'node:fs';
import { factsResponseSchema } from '../../generator/index.js';
import { eksBaseline } from '../fixtures/drift/eks-baseline.js';
import { blueSeeds, bothSeeds, CANARY, postgres } from '../fixtures/drift/seeds.js';

const CANARY_B64 = Buffer.from(CANARY).toString('base64');
let argocd: FakeKubeApiServer;
const clusters: FakeKubeApiServer[] = [];
let dir: string;
let env: Record<string, string>;

async function cluster(objects: ReturnType<typeof eksBaseline>): Promise<FakeKubeApiServer> {
  const api = await FakeKubeApiServer.start({ tls: clusterTls(), auth: { bearerTokens: { [DRIFT_TOKEN]: 'system:serviceaccount:argocd:argocd-manager' } }, objects: eksStore(objects) });
  clusters.push(api);
  return api;
}

function clusterSecret(name: string, pair: string, role: string, server: string) {
  return {
    name: `cluster-${name}`,
    namespace: 'argocd',
    labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': pair, 'greenlight.io/role': role },
    stringData: { name, server, config: JSON.stringify({ bearerToken: DRIFT_TOKEN, tlsClientConfig: { caData: clusterCaData() } }) },
  };
}

const drift = (...args: string[]) => runGreenlight(['drift', ...args], env);

beforeAll(async () => {
  const blue = await cluster([...eksBaseline(), ...postgres('blue'), ...blueSeeds()]);
  const green = await cluster([...eksBaseline(), ...postgres('green'), ...bothSeeds()]);
  const cleanBlue = await cluster(eksBaseline());
  const cleanGreen = await cluster(eksBaseline());
  const settings = new FakeKubeObjects()
    .define({ group: '', versions: ['v1'], resource: 'configmaps', kind: 'ConfigMap', namespaced: true })
    .put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data: { 'application.resourceTrackingMethod': 'annotation' } });
  argocd = await FakeKubeApiServer.start({ objects: settings });
  argocd.putSecret(clusterSecret('prod-eu-blue', 'prod-eu', 'blue', blue.url));
  argocd.putSecret(clusterSecret('prod-eu-green', 'prod-eu', 'green', green.url));
  argocd.putSecret(clusterSecret('prod-us-blue', 'prod-us', 'blue', cleanBlue.url));
  argocd.putSecret(clusterSecret('prod-us-green', 'prod-us', 'green', cleanGreen.url));
  // A green whose API does not answer (nothing listens on port 1).
  argocd.putSecret(clusterSecret('prod-ap-blue', 'prod-ap', 'blue', cleanBlue.url));
  argocd.putSecret(clusterSecret('prod-ap-green', 'prod-ap', 'green', 'https://127.0.0.1:1'));
  dir = mkdtempSync(join(tmpdir(), 'gl-drift-'));
  writeKubeconfig(dir, argocd.url);
  env = { PATH: process.env['PATH'] ?? '', HOME: dir, GREENLIGHT_INVENTORY: 'argocd', ARGOCD_NAMESPACE: 'argocd', KUBECONFIG: join(dir, 'kubeconfig'), AWS_REGION: 'eu-west-1' };
});

afterAll(async () => {
  await Promise.all([argocd?.close(), ...clusters.map((c) => c.close())]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('greenlight drift', () => {
  it('finds each seed on blue with its class, missing on green, and nothing else (-o json)', async () => {
    const res = await drift('--pair', 'prod-eu', '-o', 'json');
    expect(res.code, res.stderr).toBe(DRIFT_EXIT_CODES.drift);
    const report = driftReportSchema.parse(JSON.parse(res.stdout));
    expect(report).toMatchObject({ pair: 'prod-eu', blue: 'prod-eu-blue', green: 'prod-eu-green', trackingMethod: 'annotation', gaps: [] });
    expect(report.findings.map((f) => [f.class, f.kind, f.namespace, f.name, f.missingOnGreen, f.accepted])).toEqual([
      ['unmanaged', 'ClusterRoleBinding', null, 'debug-admin', true, false],
      ['unmanaged', 'Namespace', null, 'ops', true, false],
      ['unmanaged', 'ConfigMap', 'checkout', 'runbook-notes', true, true],
      ['unmanaged', 'CronJob', 'checkout', 'nightly-report', true, false],
      ['unmanaged', 'Ingress', 'checkout', 'checkout-debug', true, false],
      ['unmanaged', 'Secret', 'checkout', 'legacy-api-key', true, false],
      ['unmanaged', 'ConfigMap', 'default', 'oncall-contacts', false, false],
      ['unmanaged', 'Role', 'ops', 'debug-pods', true, false],
      ['unmanaged', 'RoleBinding', 'ops', 'debug-pods', true, false],
      ['unmanaged', 'ServiceAccount', 'ops', 'debug-admin', true, false],
      ['hotfix', 'ConfigMap', 'checkout', 'checkout-config', true, false],
      ['stateful', 'PersistentVolumeClaim', 'data', 'data-postgres-0', true, false],
    ]);
    expect(report.findings.find((f) => f.name === 'nightly-report')?.managers[0]).toEqual({ manager: 'kubectl-create', operation: 'Update', time: '2025-06-14T21:20:00Z', subresource: null });
    expect(report.findings.find((f) => f.class === 'stateful')?.volume).toMatchObject({ volumeId: 'vol-0a1b2c3d4e5f60718', size: '50Gi', zone: 'eu-west-1a', storageClass: 'gp3', workloads: ['StatefulSet/postgres'], apps: ['postgres'] });
    expect(report.scans.map((s) => [s.cluster, s.classes.unmanaged])).toEqual([
      ['prod-eu-blue', 10],
      ['prod-eu-green', 1],
    ]);
    expect(`${res.stdout}${res.stderr}`).not.toContain(CANARY);
    expect(`${res.stdout}${res.stderr}`).not.toContain(CANARY_B64);
  });

  it('says it for people, with who made each object and what to do', async () => {
    const res = await drift('--pair', 'prod-eu');
    expect(res.code, res.stderr).toBe(DRIFT_EXIT_CODES.drift);
    const out = res.stdout;
    expect(out).toContain('Pair prod-eu: blue prod-eu-blue has 10 thing(s) green prod-eu-green lacks (12 finding(s), 1 accepted)');
    expect(out).toMatch(/ {2}! checkout\/CronJob nightly-report {2}missing on green\n {6}by kubectl-create at 2025-06-14T21:20:00Z; created 2025-06-14T21:20:00Z \(\d+ days ago\)\n {6}lost at cutover: put it in Git \(greenlight drift -o manifests prints it\), or delete it\n/);
    expect(out).toContain('  ✓ checkout/ConfigMap runbook-notes  accepted (annotation greenlight.io/drift: ignore)');
    expect(out).toContain('  · default/ConfigMap oncall-contacts  green has it too');
    expect(out).toContain('  ! checkout/ConfigMap checkout-config  missing on green\n      Application checkout; fields data.LOG_LEVEL by kubectl-edit at 2025-06-21T20:00:00Z');
    expect(out).toContain(
      '  ✗ data/PersistentVolumeClaim data-postgres-0  missing on green\n      ebs.csi.aws.com volume vol-0a1b2c3d4e5f60718, 50Gi in eu-west-1a, StorageClass gp3\n      used by StatefulSet/postgres (Application postgres)\n',
    );
    expect(out).toContain('Coverage gaps (0)\n  none: every listable resource type was scanned');
    expect(`${out}${res.stderr}`).not.toContain(CANARY);
  });

  it('prints blue’s unmanaged objects as clean YAML to commit to Git, Secrets by name only (-o manifests)', async () => {
    const res = await drift('--pair', 'prod-eu', '-o', 'manifests');
    expect(res.code, res.stderr).toBe(DRIFT_EXIT_CODES.drift);
    expect(`${res.stdout}${res.stderr}`).not.toContain(CANARY);
    expect(`${res.stdout}${res.stderr}`).not.toContain(CANARY_B64);
    const docs = parseAllDocuments(res.stdout).map((d) => d.toJS() as Record<string, unknown> | null);
    const objects = docs.filter((d): d is Record<string, unknown> => d !== null);
    expect(objects.map((o) => `${o['kind']}/${(o['metadata'] as { name: string }).name}`)).toEqual([
      'ClusterRoleBinding/debug-admin',
      'Namespace/ops',
      'CronJob/nightly-report',
      'Ingress/checkout-debug',
      'ConfigMap/oncall-contacts',
      'Role/debug-pods',
      'RoleBinding/debug-pods',
      'ServiceAccount/debug-admin',
    ]);
    expect(res.stdout).toContain('# v1 Secret checkout/legacy-api-key: a Secret, shown by name only (greenlight never reads Secret values)');
    for (const o of objects) {
      const meta = o['metadata'] as Record<string, unknown>;
      expect(Object.keys(o)).not.toContain('status');
      for (const k of ['managedFields', 'uid', 'resourceVersion', 'creationTimestamp', 'ownerReferences']) expect(Object.keys(meta)).not.toContain(k);
    }
    const ingress = objects.find((o) => o['kind'] === 'Ingress');
    expect(ingress).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'checkout-debug', namespace: 'checkout' },
      spec: { rules: [{ host: 'debug.checkout.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'checkout', port: { number: 80 } } } }] } }] },
    });
    // Read in full only the objects it printed, never a Secret.
    const blue = clusters[0];
    expect(blue?.requests.some((r) => /\/secrets\/./.test(r.path))).toBe(false);
  });

  it('a clean pair (EKS baseline and Argo CD-managed apps only) exits 0', async () => {
    const res = await drift('--pair', 'prod-us');
    expect(res.code, res.stderr).toBe(DRIFT_EXIT_CODES.clean);
    expect(res.stdout).toContain('Pair prod-us: blue prod-us-blue has nothing green prod-us-green lacks (0 finding(s), 0 accepted)');
    const json = await drift('--pair', 'prod-us', '-o', 'json');
    expect(driftReportSchema.parse(JSON.parse(json.stdout)).findings).toEqual([]);
  });

  it('exits 1 naming the cluster it could not reach, and refuses bad flags', async () => {
    const res = await drift('--pair', 'prod-ap');
    expect(res.code).toBe(DRIFT_EXIT_CODES.error);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^greenlight drift: drift of pair prod-ap could not be evaluated: kubernetes API https:\/\/127\.0\.0\.1:1 of cluster "prod-ap-green" could not be reached while reading API discovery: .*ECONNREFUSED.*Check the server URL in Secret argocd\/cluster-prod-ap-green and that greenlight's pod can reach it\.\n$/);

    const bad = await drift('--pair', 'prod-eu', '-o', 'xml');
    expect(bad.code).toBe(DRIFT_EXIT_CODES.error);
    expect(bad.stderr).toContain('greenlight drift: --output is one of text, json, yaml, manifests; got "xml"');
  });

  it('audits the demo fleet\'s built-in cluster objects with the same rules, and prints them for Git without a Secret\'s data', async () => {
    const demoEnv = { PATH: env['PATH'] ?? '', HOME: dir };
    const demo = await runGreenlight(['drift', '--pair', 'prod-eu', '-o', 'json'], demoEnv);
    expect(demo.code, demo.stderr).toBe(DRIFT_EXIT_CODES.drift);
    const report = driftReportSchema.parse(JSON.parse(demo.stdout));
    expect(report.findings.map((f) => `${f.class} ${f.kind} ${f.namespace ?? ''}/${f.name} missing=${f.missingOnGreen} accepted=${f.accepted}`)).toEqual([
      'unmanaged ClusterRole /debug-admin missing=true accepted=false',
      'unmanaged ServiceAccount checkout/ci-deployer missing=true accepted=true',
      'unmanaged CronJob payments/db-cleanup-manual missing=true accepted=false',
      'unmanaged Ingress web/web-debug missing=false accepted=false',
      'hotfix ConfigMap web/web-config missing=true accepted=false',
      'stateful PersistentVolumeClaim reports/data-reports-db-0 missing=true accepted=false',
    ]);
    const manifests = await runGreenlight(['drift', '--pair', 'prod-eu', '-o', 'manifests'], demoEnv);
    expect(manifests.code).toBe(DRIFT_EXIT_CODES.drift);
    expect(manifests.stdout).toContain('kind: CronJob');
    expect(manifests.stdout).toContain('schedule: 17 3 * * *');
    expect(manifests.stdout).not.toContain('managedFields');
    expect(manifests.stdout).not.toContain('uid:');
  });
});

describe('the service audits drift itself (live mode)', () => {
  const PROXY_SECRET = 'drift-e2e-proxy-secret-not-a-secret';
  let service: ServiceProcess;
  beforeAll(async () => {
    const secretFile = join(dir, 'proxy-secret');
    writeFileSync(secretFile, `${PROXY_SECRET}\n`);
    service = await startService({ env: { ...env, HOME: dir, GREENLIGHT_TOKEN: 'drift-e2e-token-not-a-secret', GREENLIGHT_PROXY_SECRET_FILE: secretFile } });
    await untilReady(service);
  });
  afterAll(async () => {
    await service?.stop('SIGTERM');
  });

  it("scans every pair's clusters in the background and shows the audit in /metrics and the facts answer, never a Secret's data", async () => {
    // The first round starts at launch; readers never wait for it.
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      if (!/^greenlight_drift_objects\{pair="prod-eu"/m.test(text)) throw new Error('no drift audit of prod-eu yet');
      return text;
    });
    expect(metrics).toMatch(/^greenlight_drift_objects\{pair="prod-eu",cluster="prod-eu-blue",class="unmanaged"\} 9$/m);
    expect(metrics).toMatch(/^greenlight_drift_objects\{pair="prod-eu",cluster="prod-eu-blue",class="stateful"\} 1$/m);
    expect(metrics).toMatch(/^greenlight_drift_objects\{pair="prod-eu",cluster="prod-eu-blue",class="accepted"\} 1$/m);
    expect(metrics).toMatch(/^greenlight_cache_entries\{cache="drift"\} [1-9]\d*$/m);

    const blue = clusters[0];
    const res = await fetch(`${service.url}/api/v1/facts`, {
      headers: { 'Greenlight-Proxy-Secret': PROXY_SECRET, 'Argocd-Application-Name': 'argocd:checkout-prod-eu-blue', 'Argocd-Project-Name': 'default', 'Argocd-Target-Cluster-URL': blue?.url ?? '' },
    });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const drift = factsResponseSchema.parse(JSON.parse(text)).drift;
    if (drift?.state !== 'audited') throw new Error(`not audited: ${JSON.stringify(drift)}`);
    expect(drift.counts).toEqual({ unmanaged: 9, hotfix: 1, stateful: 1, accepted: 1, missingOnGreen: 10 });
    expect(drift.scans.map((s) => s.cluster)).toEqual(['prod-eu-blue', 'prod-eu-green']);
    // The fake Argo CD lists no Application: every namespace is the pair's, so every finding is served in full.
    expect(drift.pairWide.map((f) => f.name)).toContain('legacy-api-key');
    for (const out of [text, metrics, service.stdoutLines.join('\n'), service.stderr()]) {
      expect(out).not.toContain(CANARY);
      expect(out).not.toContain(CANARY_B64);
    }
  });
});
