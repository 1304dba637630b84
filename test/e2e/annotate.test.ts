/**
 * `greenlight annotate` as a process, in live mode: facts from fake EKS/SSM and the cluster's
 * API, written as a merge patch onto the Argo CD cluster Secret in a fake kube-apiserver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_ACCESS_KEY_ID, FAKE_REGION, FAKE_SECRET_ACCESS_KEY, startFakeAws, type FakeAws, fakeAwsEnv } from '../support/fake-aws.js';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { runGreenlight } from '../support/cli-process.js';

let aws: FakeAws;
let argocd: FakeKubeApiServer;
let green: FakeKubeApiServer;
let dir: string;
let env: Record<string, string>;

function annotate(...args: string[]) {
  return runGreenlight(['annotate', ...args], env);
}

beforeAll(async () => {
  aws = await startFakeAws();
  aws.addCluster({ name: 'prod-eu-green', region: FAKE_REGION, version: '1.32', caData: clusterCaData() });
  aws.addPodIdentityAssociation({ clusterName: 'prod-eu-green', region: FAKE_REGION, namespace: 'external-dns', serviceAccount: 'external-dns-sa', roleArn: 'arn:aws:iam::111111111111:role/green-external-dns' });
  green = await FakeKubeApiServer.start({
    tls: clusterTls(),
    auth: { eks: { clusterName: 'prod-eu-green', credentials: { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY }, extraStsHosts: [new URL(aws.endpoint).host] } },
    version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' },
    storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }],
  });
  argocd = await FakeKubeApiServer.start();
  argocd.putSecret({
    name: 'cluster-prod-eu-green',
    namespace: 'argocd',
    labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' },
    annotations: { 'greenlight.io/weight': '0', 'facts.greenlight.io/aws.retired': 'left over from an older run', 'team': 'platform' },
    stringData: { name: 'prod-eu-green', server: green.url, config: JSON.stringify({ awsAuthConfig: { clusterName: 'prod-eu-green' }, tlsClientConfig: { caData: clusterCaData() } }) },
  });
  dir = mkdtempSync(join(tmpdir(), 'gl-annotate-'));
  writeKubeconfig(dir, argocd.url);
  env = {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    GREENLIGHT_INVENTORY: 'argocd',
    KUBECONFIG: join(dir, 'kubeconfig'),
    ...fakeAwsEnv(aws.endpoint),
  };
});

afterAll(async () => {
  await Promise.all([argocd?.close(), green?.close(), aws?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('greenlight annotate', () => {
  it('prints the patch and changes nothing without --apply', async () => {
    const { code, stdout, stderr } = await annotate('--pair', 'prod-eu');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('name: cluster-prod-eu-green');
    expect(stdout).toContain('facts.greenlight.io/aws.region: eu-west-1');
    expect(stdout).toContain('facts.greenlight.io/aws.retired: null');
    expect(argocd.patches).toEqual([]);
  });

  it('with --apply, writes the facts onto the cluster Secret and removes only stale managed keys', async () => {
    const { code, stdout, stderr } = await annotate('--pair', 'prod-eu', '--compat', 'gitops-bridge', '--apply');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^annotated Secret argocd\/cluster-prod-eu-green \(cluster prod-eu-green\): \d+ set, 1 removed\n$/);
    const [[target, patch]] = argocd.patches as [[string, { metadata: { annotations: Record<string, string | null> } }]];
    expect(target).toBe('argocd/cluster-prod-eu-green');
    expect(patch.metadata.annotations).toMatchObject({
      'facts.greenlight.io/aws.region': FAKE_REGION,
      'facts.greenlight.io/kubernetes.version': '1.32',
      'facts.greenlight.io/storage.defaultClass': 'gp3',
      'facts.greenlight.io/podIdentity.external_dns.external_dns_sa': 'arn:aws:iam::111111111111:role/green-external-dns',
      'facts.greenlight.io/aws.retired': null,
      aws_region: FAKE_REGION,
      external_dns_iam_role_arn: 'arn:aws:iam::111111111111:role/green-external-dns',
    });
    expect(Object.keys(patch.metadata.annotations)).not.toContain('team');
    expect(Object.keys(patch.metadata.annotations).some((k) => k.startsWith('facts.greenlight.io/facts.'))).toBe(false);
  });

  it('writes nothing when the Secret already holds the facts: a second --apply sends no PATCH and says "unchanged"', async () => {
    const patchesBefore = argocd.patches.length;
    const requestsBefore = argocd.requests.length;
    const { code, stdout, stderr } = await annotate('--pair', 'prod-eu', '--compat', 'gitops-bridge', '--apply');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const written = Object.values((argocd.patches[0] as [string, { metadata: { annotations: Record<string, string | null> } }])[1].metadata.annotations).filter((v) => v !== null).length;
    expect(stdout).toBe(`unchanged Secret argocd/cluster-prod-eu-green (cluster prod-eu-green): its ${written} annotations already hold these facts; not written\n`);
    expect(argocd.patches.length).toBe(patchesBefore);
    expect(argocd.requests.slice(requestsBefore).filter((r) => r.method !== 'GET')).toEqual([]);
    // Without --apply too: no patch to print, the cluster named as unchanged on stderr.
    const dry = await annotate('--pair', 'prod-eu', '--compat', 'gitops-bridge', '-o', 'json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual([]);
    expect(dry.stderr).toBe(`unchanged Secret argocd/cluster-prod-eu-green (cluster prod-eu-green): its ${written} annotations already hold these facts; not written\n`);
  });

  it('writes only what changed when a fact changes', async () => {
    const patchesBefore = argocd.patches.length;
    aws.addCluster({ name: 'prod-eu-green', region: FAKE_REGION, version: '1.33', caData: clusterCaData() });
    const { code, stdout } = await annotate('--pair', 'prod-eu', '--compat', 'gitops-bridge', '--apply');
    expect(code).toBe(0);
    expect(stdout).toBe('annotated Secret argocd/cluster-prod-eu-green (cluster prod-eu-green): 2 set, 0 removed\n');
    // EKS's version and gitops-bridge's copy of it; the cluster's API still says 1.32.
    expect(argocd.patches.slice(patchesBefore)).toEqual([
      ['argocd/cluster-prod-eu-green', { metadata: { annotations: { 'facts.greenlight.io/aws.version': '1.33', kubernetes_version: '1.33' } } }],
    ]);
  });

  it('refuses --apply for clusters that have no Secret (a fleet file)', async () => {
    const { code, stderr } = await annotate('--inventory', 'demo', '--pair', 'prod-eu', '--apply');
    expect(code).toBe(1);
    expect(stderr).toContain('--apply writes Argo CD cluster Secrets; "prod-eu-blue", "prod-eu-green" have none');
  });
});
