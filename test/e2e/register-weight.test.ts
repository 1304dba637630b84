/**
 * `greenlight register`, `weight` and `role` as processes, against the local stand-ins for EKS,
 * STS, the Argo CD cluster's API and the target cluster's API (over TLS with the CA EKS reports).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseClusterSecret } from '../../plugin/adapters/argocd/cluster-secret.js';
import { FAKE_REGION, startFakeAws, type FakeAws, fakeAwsEnv } from '../support/fake-aws.js';
import { b64, FakeKubeApiServer, hasOpenssl, makeTestPki, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { runGreenlight } from '../support/cli-process.js';
import { eventually } from '../support/patience.js';

const ROLE = 'arn:aws:iam::111111111111:role/argocd-deployer';
let aws: FakeAws;
let argocd: FakeKubeApiServer;
let green: FakeKubeApiServer;
let dir: string;
let env: Record<string, string>;
/** Identities with an access entry on green: the role's sessions only. */
const accessEntries = new Set<string>();

function greenlight(...args: string[]) {
  return runGreenlight(args, env);
}

beforeAll(async () => {
  if (!hasOpenssl()) throw new Error('these tests make throwaway TLS certificates with the openssl command: install openssl');
  const pki = makeTestPki();
  aws = await startFakeAws();
  aws.allowRole(ROLE);
  green = await FakeKubeApiServer.start({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    auth: {
      eks: {
        clusterName: 'prod-eu-green',
        // Verified against the fake's own identities, including AssumeRole sessions.
        credentials: new Proxy({}, { get: (_t, key) => aws.secretFor(String(key)) }) as Record<string, string>,
        extraStsHosts: [new URL(aws.endpoint).host],
        hasAccessEntry: (akid) => accessEntries.has(aws.roleOf(akid) ?? akid),
      },
    },
    version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' },
  });
  aws.addCluster({ name: 'prod-eu-green', region: FAKE_REGION, version: '1.32', endpoint: green.url, caData: b64(pki.caCert) });
  aws.addCluster({ name: 'unreachable', region: FAKE_REGION, version: '1.32', endpoint: 'https://127.0.0.1:9', caData: b64(pki.caCert) });
  argocd = await FakeKubeApiServer.start();
  for (const [name, role, weight] of [['prod-eu-blue', 'blue', '100'], ['prod-eu-green', 'green', '0']] as const) {
    argocd.putSecret({
      name: `cluster-${name}`,
      namespace: 'argocd',
      labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': role },
      annotations: { 'greenlight.io/weight': weight },
      stringData: { name, server: `https://${name}.example.com`, config: '{}' },
    });
  }
  dir = mkdtempSync(join(tmpdir(), 'gl-register-'));
  writeKubeconfig(dir, argocd.url);
  env = {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    KUBECONFIG: join(dir, 'kubeconfig'),
    ...fakeAwsEnv(aws.endpoint),
  };
});

afterAll(async () => {
  await Promise.all([argocd?.close(), green?.close(), aws?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('greenlight register', () => {
  it('reports the missing access entry and refuses to apply a Secret that would not work', async () => {
    accessEntries.clear();
    const res = await greenlight('register', 'prod-eu-green', '--role-arn', ROLE, '--pair', 'prod-eu', '--role', 'green', '--weight', '0', '--apply');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`✓ role ${ROLE} can be assumed`);
    expect(res.stderr).toContain(`✗ the API server does not accept ${ROLE}: give it an access entry, e.g. aws eks create-access-entry --cluster-name prod-eu-green --principal-arn ${ROLE}`);
    expect(res.stderr).toContain('not applied: 1 check(s) failed');
    expect(argocd.created).toEqual([]);
  });

  it('reports a role that cannot be assumed', async () => {
    const res = await greenlight('register', 'prod-eu-green', '--role-arn', 'arn:aws:iam::111111111111:role/nobody');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/✗ role arn:aws:iam::111111111111:role\/nobody cannot be assumed \(.+\)\. Its trust policy must allow sts:AssumeRole/);
  });

  it('reports an endpoint it cannot reach, and an unknown cluster', async () => {
    accessEntries.add(ROLE);
    const unreachable = await greenlight('register', 'unreachable', '--role-arn', ROLE);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/✗ the API server cannot be reached from here \(.*ECONNREFUSED.*\): is its endpoint private\?/);
    const unknown = await greenlight('register', 'no-such-cluster');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('There is no EKS cluster "no-such-cluster" in eu-west-1: check the name and --region');
  });

  it('prints a Secret that round-trips through the inventory into the right cluster, with no token in it', async () => {
    accessEntries.add(ROLE);
    const res = await greenlight('register', 'prod-eu-green', '--role-arn', ROLE, '--pair', 'prod-eu', '--role', 'green', '--weight', '0', '--domain', 'eu.example.com', '--name', 'prod-eu-green');
    expect(res.stderr).toContain('✓ API server');
    expect(res.stderr).toContain('answers as Kubernetes v1.32.1-eks-5d4a308 to an EKS token for that role');
    expect(res.code).toBe(0);
    const doc = parseYaml(res.stdout) as { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> }; stringData: Record<string, string> };
    expect(doc.metadata.name).toBe('cluster-prod-eu-green');
    expect(res.stdout).not.toMatch(/bearerToken|password|k8s-aws-v1/);
    // The Secret as the API server would store it, read back by greenlight's own inventory parser.
    const stored = { metadata: { ...doc.metadata, namespace: 'argocd' }, data: Object.fromEntries(Object.entries(doc.stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
    const entry = parseClusterSecret(stored, 'argocd');
    expect(entry.kind).toBe('cluster');
    if (entry.kind !== 'cluster') return;
    expect(entry.record).toMatchObject({
      name: 'prod-eu-green',
      server: green.url,
      labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' },
      annotations: { 'greenlight.io/weight': '0', 'greenlight.io/domain': 'eu.example.com', aws_cluster_name: 'prod-eu-green', aws_region: FAKE_REGION, aws_account_id: '111111111111' },
      aws: { clusterName: 'prod-eu-green', roleArn: ROLE },
    });
    expect(entry.connection.config.tlsClientConfig).toMatchObject({ insecure: false });
  });

  it('--apply creates the Secret, and updates it when run again', async () => {
    accessEntries.add(ROLE);
    const created = await greenlight('register', 'prod-eu-green', '--role-arn', ROLE, '--name', 'prod-eu-green-2', '--apply');
    expect(created.stdout).toBe('created Secret argocd/cluster-prod-eu-green-2 for cluster prod-eu-green-2\n');
    expect(argocd.created).toEqual(['argocd/cluster-prod-eu-green-2']);
    const updated = await greenlight('register', 'prod-eu-green', '--role-arn', ROLE, '--name', 'prod-eu-green-2', '--pair', 'prod-eu-2', '--weight', '0', '--apply');
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('updated Secret argocd/cluster-prod-eu-green-2');

    // Read back by greenlight's live inventory, and its facts read through what it wrote:
    // EKS through the role, the cluster's API over TLS with the CA and an EKS token for the role.
    env['GREENLIGHT_INVENTORY'] = 'argocd';
    const facts = await greenlight('preview', '--cluster', 'prod-eu-green-2', '-o', 'json');
    delete env['GREENLIGHT_INVENTORY'];
    expect(facts.stderr).toBe('');
    const [set] = (JSON.parse(facts.stdout) as { output: { parameters: Record<string, unknown>[] } }).output.parameters;
    expect(set).toMatchObject({
      cluster: { name: 'prod-eu-green-2', server: green.url, pair: 'prod-eu-2', weight: '0' },
      aws: { clusterName: 'prod-eu-green', region: FAKE_REGION, version: '1.32' },
      kubernetes: { version: '1.32', gitVersion: 'v1.32.1-eks-5d4a308' },
      facts: { sources: 'eks,kubernetes,ssm', stale: 'false' },
    });
  });
});

describe('greenlight weight and role', () => {
  const weightOf = async () => {
    const res = await greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-green=0');
    return res.stdout;
  };

  it('shows the split before and after without writing', async () => {
    const patches = argocd.patches.length;
    const res = await greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-green=20', '--set', 'prod-eu-blue=80');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^cluster +role +weight +share of traffic$/m);
    expect(res.stdout).toMatch(/^prod-eu-blue +blue +100 → 80 +100% → 80%$/m);
    expect(res.stdout).toMatch(/^prod-eu-green +green +0 → 20 +0% → 20%$/m);
    expect(res.stdout).toContain('not applied (dry run)');
    expect(argocd.patches.length).toBe(patches);
  });

  it('refuses an all-zero split', async () => {
    const patches = argocd.patches.length;
    const res = await greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-blue=0', '--apply');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('refused: every weight of pair prod-eu would be 0, and Route 53 then spreads traffic evenly');
    expect(argocd.patches.length).toBe(patches);
  });

  it('applies both weights and prints the rollback', async () => {
    const res = await greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-green=20', '--set', 'prod-eu-blue=80', '--apply');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('To roll back:\n  greenlight weight --pair prod-eu --set prod-eu-blue=100 --set prod-eu-green=0 --apply');
    expect(await weightOf()).toMatch(/^prod-eu-blue +blue +80 → 80 +80% → 100%$/m);
  });

  it('is all or nothing: when one Secret cannot be patched, the other is put back', async () => {
    argocd.failRequests({ path: '/api/v1/namespaces/argocd/secrets/cluster-prod-eu-green', status: 500, times: 1 });
    const res = await greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-blue=50', '--set', 'prod-eu-green=50', '--apply');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('not applied: cannot patch Secret argocd/cluster-prod-eu-green (500); the 1 change(s) already made were put back');
    const now = await greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-green=20');
    expect(now.stdout).toMatch(/^prod-eu-blue +blue +80 → 80 /m);
    expect(now.stdout).toMatch(/^prod-eu-green +green +20 → 20 /m);
  });

  it('refuses a change when a Secret changed after it was read, and puts the pair back', async () => {
    // Hold the first patch (blue) while someone else edits green: green's patch then carries a
    // stale resourceVersion and must be refused rather than overwrite the other writer's change.
    const bluePath = '/api/v1/namespaces/argocd/secrets/cluster-prod-eu-blue';
    const seen = argocd.requests.length;
    let release: () => void = () => {};
    argocd.delayRequests({ path: bluePath, until: new Promise<void>((resolve) => (release = resolve)), times: 1 });
    const pending = greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-blue=70', '--set', 'prod-eu-green=30', '--apply');
    await eventually(() => {
      if (!argocd.requests.slice(seen).some((r) => r.method === 'PATCH' && r.path === bluePath)) throw new Error('greenlight has not patched blue yet');
    });
    argocd.putSecret({
      name: 'cluster-prod-eu-green',
      namespace: 'argocd',
      labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' },
      annotations: { 'greenlight.io/weight': '20', 'edited-by': 'someone-else' },
      stringData: { name: 'prod-eu-green', server: 'https://prod-eu-green.example.com', config: '{}' },
    });
    release();
    const res = await pending;
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Secret argocd/cluster-prod-eu-green changed while greenlight was updating it; nothing of it was overwritten');
    expect(res.stderr).toContain('the 1 change(s) already made were put back');
    const now = await greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-green=20');
    expect(now.stdout).toMatch(/^prod-eu-blue +blue +80 → 80 /m);
  });

  it('changes roles the same way', async () => {
    const res = await greenlight('role', '--pair', 'prod-eu', '--set', 'prod-eu-blue=retired', '--set', 'prod-eu-green=blue', '--apply');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^prod-eu-blue +blue → retired$/m);
    expect(res.stdout).toContain('greenlight role --pair prod-eu --set prod-eu-blue=blue --set prod-eu-green=green --apply');
  });
});
