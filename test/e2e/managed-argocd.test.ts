/**
 * The EKS-managed Argo CD capability's clusters, registered by EKS cluster ARN, through the whole
 * service and the commands as processes: the Argo CD inventory (a fake kube-apiserver), EKS and
 * STS (the fake AWS, SigV4 checked: moto has no access entry APIs, and its endpoints cannot point
 * at a local API server), and the cluster's own API (a fake kube-apiserver that verifies the EKS
 * token greenlight signs, at the endpoint and CA DescribeCluster names).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parameterSetSchema } from '../../generator/index.js';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { runGreenlight } from '../support/cli-process.js';
import { FAKE_ACCESS_KEY_ID, FAKE_ACCOUNT_ID, FAKE_REGION, FAKE_SECRET_ACCESS_KEY, fakeAwsEnv, startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { startService, untilReady, type ServiceProcess } from '../support/service-process.js';

const TOKEN = 'test-token-managed-argocd-not-secret';
const PROXY_SECRET = 'test-proxy-secret-managed-not-secret';
const GREEN_ARN = `arn:aws:eks:${FAKE_REGION}:${FAKE_ACCOUNT_ID}:cluster/prod-eu-green`;
/** The same cluster name in an account greenlight's identity is not in. */
const STRAY_ARN = `arn:aws:eks:${FAKE_REGION}:222222222222:cluster/prod-eu-green`;
const CAPABILITY_ROLE = `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/ArgoCDCapabilityRole`;
const CLUSTER_ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
/** What register --managed-argocd checks of the cluster itself, on stderr. */
const CLUSTER_CHECKS = `✓ EKS cluster ${GREEN_ARN} (Kubernetes 1.32), ACTIVE\n✓ EKS cluster prod-eu-green takes access entries (authentication mode API_AND_CONFIG_MAP)\n`;

let aws: FakeAws;
let argocd: FakeKubeApiServer;
let green: FakeKubeApiServer;
let service: ServiceProcess;
let dir: string;
let cliEnv: Record<string, string>;

/** The capability's own shape (AWS's "Register target clusters"): name, ARN server, project, no config. */
function arnSecret(name: string, server: string, labels: Record<string, string>) {
  return {
    name: `cluster-${name}`,
    namespace: 'argocd',
    labels: { 'argocd.argoproj.io/secret-type': 'cluster', ...labels },
    annotations: { 'greenlight.io/weight': '0' },
    stringData: { name, server, project: 'default' },
  };
}

async function getparams(parameters: object) {
  const res = await fetch(`${service.url}/api/v1/getparams.execute`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ applicationSetName: 'web', input: { parameters } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const greenlight = (...args: string[]) => runGreenlight(args, cliEnv);

beforeAll(async () => {
  aws = await startFakeAws();
  green = await FakeKubeApiServer.start({
    tls: clusterTls(),
    auth: { eks: { clusterName: 'prod-eu-green', credentials: { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY }, extraStsHosts: [new URL(aws.endpoint).host] } },
    version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' },
    storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }],
  });
  // EKS names the fake API server as the cluster's endpoint, with its CA: the Secret has neither.
  aws.addCluster({ name: 'prod-eu-green', region: FAKE_REGION, version: '1.32', endpoint: green.url, caData: clusterCaData(), authenticationMode: 'API_AND_CONFIG_MAP' });
  argocd = await FakeKubeApiServer.start();
  argocd.putSecret(arnSecret('prod-eu-green', GREEN_ARN, { 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' }));
  argocd.putSecret(arnSecret('stray', STRAY_ARN, { 'greenlight.io/pair': 'stray' }));

  dir = mkdtempSync(join(tmpdir(), 'gl-managed-'));
  const kubeconfig = writeKubeconfig(dir, argocd.url);
  service = await startService({
    env: {
      GREENLIGHT_INVENTORY: 'argocd',
      ARGOCD_NAMESPACE: 'argocd',
      GREENLIGHT_TOKEN: TOKEN,
      GREENLIGHT_PROXY_SECRET: PROXY_SECRET,
      KUBECONFIG: kubeconfig,
      ...fakeAwsEnv(aws.endpoint),
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS: '1',
    },
  });
  cliEnv = { PATH: process.env['PATH'] ?? '', HOME: dir, GREENLIGHT_INVENTORY: 'argocd', KUBECONFIG: kubeconfig, ...fakeAwsEnv(aws.endpoint) };
  // The service serves before its first list of the cluster Secrets is complete: wait for that.
  await untilReady(service);
});

afterAll(async () => {
  await service?.stop('SIGTERM');
  await Promise.all([argocd?.close(), green?.close(), aws?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a cluster registered by EKS cluster ARN', () => {
  it('is answered by the service: server stays the ARN, facts from EKS and from its API at the endpoint EKS names', async () => {
    const res = await getparams({ pair: 'prod-eu' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [set] = (res.body as { output: { parameters: Record<string, unknown>[] } }).output.parameters;
    expect(parameterSetSchema.safeParse(set).success).toBe(true);
    expect(set).toMatchObject({
      // Applications' destination.server must match what Argo CD has: the ARN.
      cluster: { name: 'prod-eu-green', server: GREEN_ARN, project: 'default', pair: 'prod-eu', role: 'green', weight: '0' },
      aws: { accountId: FAKE_ACCOUNT_ID, region: FAKE_REGION, clusterName: 'prod-eu-green', clusterArn: GREEN_ARN, endpoint: green.url },
      kubernetes: { version: '1.32', gitVersion: 'v1.32.1-eks-5d4a308' },
      storage: { defaultClass: 'gp3' },
      facts: { sources: 'eks,kubernetes,ssm', stale: 'false' },
    });
    // The cluster's API was read with an EKS token for prod-eu-green made by greenlight's own identity.
    expect(green.requests.some((r) => r.path === '/version' && r.user !== undefined)).toBe(true);
    expect(green.authFailures).toEqual([]);
    expect(aws.signatureFailures).toEqual([]);
    expect(aws.requests.filter((r) => r.api === 'DescribeCluster').every((r) => r.region === FAKE_REGION && r.accessKeyId === FAKE_ACCESS_KEY_ID)).toBe(true);
  });

  it('fails closed when the ARN is in another account: greenlight never answers with the facts of the same name in its own', async () => {
    const res = await getparams({ pair: 'stray' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body['code']).toBe('GL_CLUSTER_INVALID');
    expect(String(res.body['message'])).toContain(`answers for ${GREEN_ARN}`);
    expect(String(res.body['message'])).toContain(STRAY_ARN);
  });

  it('is found by the facts route from the Application destination Argo CD has: the ARN', async () => {
    const res = await fetch(`${service.url}/api/v1/facts`, {
      headers: {
        'Greenlight-Proxy-Secret': PROXY_SECRET,
        'Argocd-Application-Name': 'argocd:web-prod-eu-green',
        'Argocd-Project-Name': 'default',
        'Argocd-Target-Cluster-URL': GREEN_ARN,
      },
    });
    const body = (await res.json()) as { cluster: string; members: { name: string; server: string; facts: { eks?: { accountId: string; region: string; clusterArn: string } } | null; error: unknown }[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.cluster).toBe('prod-eu-green');
    expect(body.members).toHaveLength(1);
    expect(body.members[0]).toMatchObject({ name: 'prod-eu-green', server: GREEN_ARN, error: null, facts: { eks: { accountId: FAKE_ACCOUNT_ID, region: FAKE_REGION, clusterArn: GREEN_ARN } } });
  });

  it('is annotated once: a second annotate --apply sends no PATCH and reports it unchanged', async () => {
    const first = await greenlight('annotate', '--pair', 'prod-eu', '--apply');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^annotated Secret argocd\/cluster-prod-eu-green \(cluster prod-eu-green\): \d+ set, 0 removed\n$/);
    const [[target, patch]] = argocd.patches as [[string, { metadata: { annotations: Record<string, string> } }]];
    expect(target).toBe('argocd/cluster-prod-eu-green');
    expect(patch.metadata.annotations).toMatchObject({
      'facts.greenlight.io/cluster.server': GREEN_ARN,
      'facts.greenlight.io/aws.accountId': FAKE_ACCOUNT_ID,
      'facts.greenlight.io/aws.clusterArn': GREEN_ARN,
      'facts.greenlight.io/kubernetes.gitVersion': 'v1.32.1-eks-5d4a308',
    });

    const requests = argocd.requests.length;
    const second = await greenlight('annotate', '--pair', 'prod-eu', '--apply');
    expect(second.code).toBe(0);
    const count = Object.keys(patch.metadata.annotations).length;
    expect(second.stdout).toBe(`unchanged Secret argocd/cluster-prod-eu-green (cluster prod-eu-green): its ${count} annotations already hold these facts; not written\n`);
    expect(argocd.patches).toHaveLength(1);
    expect(argocd.requests.slice(requests).map((r) => r.method)).not.toContain('PATCH');
  });
});

describe('the other commands on ARN clusters', () => {
  let blue: FakeKubeApiServer;
  const BLUE_ARN = `arn:aws:eks:${FAKE_REGION}:${FAKE_ACCOUNT_ID}:cluster/prod-eu-blue`;

  beforeAll(async () => {
    blue = await FakeKubeApiServer.start({
      tls: clusterTls(),
      auth: { eks: { clusterName: 'prod-eu-blue', credentials: { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY }, extraStsHosts: [new URL(aws.endpoint).host] } },
      version: { major: '1', minor: '31+', gitVersion: 'v1.31.5-eks-0a1b2c3' },
    });
    aws.addCluster({ name: 'prod-eu-blue', region: FAKE_REGION, version: '1.31', endpoint: blue.url, caData: clusterCaData() });
    argocd.putSecret({ ...arnSecret('prod-eu-blue', BLUE_ARN, { 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'blue' }), annotations: { 'greenlight.io/weight': '100' } });
    // On the capability, an Application's destination.server is the cluster's ARN.
    argocd.putApplication({
      name: 'checkout-prod-eu-blue',
      labels: { 'greenlight.io/app': 'checkout' },
      spec: { project: 'default', source: { repoURL: 'https://github.com/example/apps.git', path: 'apps/checkout' }, destination: { server: BLUE_ARN, namespace: 'checkout' } },
      status: {
        sync: { status: 'Synced', revision: '4f1c9e2a7b3d5c6e8f9a0b1c2d3e4f5a6b7c8d9e' },
        health: { status: 'Healthy' },
        resources: [{ group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', name: 'checkout-priority', status: 'Synced' }],
      },
    });
  });
  afterAll(async () => {
    await blue?.close();
  });

  it('preview answers as the service does, with the ARN as the server', async () => {
    const res = await greenlight('preview', '--pair', 'prod-eu', '-o', 'json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`"server": "${GREEN_ARN}"`);
    expect(res.stdout).toContain(`"clusterArn": "${GREEN_ARN}"`);
  });

  it('weight finds the pair by its Secrets and prints the change', async () => {
    const res = await greenlight('weight', '--pair', 'prod-eu', '--set', 'prod-eu-green=20', '--set', 'prod-eu-blue=80');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('prod-eu-green');
    expect(res.stdout).toContain('not applied (dry run)');
  });

  it('readiness finds the Applications whose destination is the ARN, and the APIs green no longer serves in them', async () => {
    const res = await greenlight('readiness', '--pair', 'prod-eu', '-o', 'json');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(2);
    const verdict = JSON.parse(res.stdout) as { blue: string; green: string; blueVersion: string; greenVersion: string; blockers: { kind: string; subject: string; cluster: string }[] };
    expect(verdict).toMatchObject({ blue: 'prod-eu-blue', green: 'prod-eu-green', blueVersion: '1.31', greenVersion: '1.32' });
    expect(verdict.blockers.map((b) => [b.kind, b.subject, b.cluster])).toEqual([
      ['removed-api', 'argocd/checkout-prod-eu-blue: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema checkout-priority', 'prod-eu-blue'],
    ]);
  });
});

describe('greenlight register --managed-argocd', () => {
  const args = ['register', 'prod-eu-green', '--managed-argocd', '--capability-role-arn', CAPABILITY_ROLE, '--name', 'legacy', '--pair', 'prod-eu', '--role', 'green', '--weight', '0'];

  beforeAll(() => {
    // An earlier, self-managed registration of the same cluster: its config must go.
    argocd.putSecret({
      name: 'cluster-legacy',
      namespace: 'argocd',
      labels: { 'argocd.argoproj.io/secret-type': 'cluster' },
      stringData: { name: 'legacy', server: green.url, config: JSON.stringify({ awsAuthConfig: { clusterName: 'prod-eu-green' }, tlsClientConfig: { caData: clusterCaData() } }) },
    });
  });

  it('refuses flags that belong to the other form', async () => {
    const res = await greenlight('register', 'prod-eu-green', '--managed-argocd', '--role-arn', CAPABILITY_ROLE);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^greenlight register: --role-arn is awsAuthConfig\.roleARN, which the EKS-managed Argo CD does not use: give its capability role with --capability-role-arn; --managed-argocd needs --capability-role-arn \(the IAM role of the Argo CD capability: aws eks describe-capability --query capability\.roleArn\)\n/,
    );
  });

  it('prints the capability\'s Secret and the missing access entry, and changes nothing', async () => {
    const res = await greenlight(...args);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      CLUSTER_CHECKS +
        `✗ the capability role ${CAPABILITY_ROLE} has no access entry on prod-eu-green: run again with --apply, or aws eks create-access-entry --region ${FAKE_REGION} --cluster-name prod-eu-green --principal-arn ${CAPABILITY_ROLE} --type STANDARD\n` +
        `✗ ${CLUSTER_ADMIN} is not associated with it for the whole cluster: run again with --apply, or aws eks associate-access-policy --region ${FAKE_REGION} --cluster-name prod-eu-green --principal-arn ${CAPABILITY_ROLE} --policy-arn ${CLUSTER_ADMIN} --access-scope type=cluster\n`,
    );
    expect(parseYaml(res.stdout)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: 'cluster-legacy',
        namespace: 'argocd',
        labels: { 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green', 'argocd.argoproj.io/secret-type': 'cluster' },
        annotations: {
          cluster_name: 'legacy',
          aws_cluster_name: 'prod-eu-green',
          aws_region: FAKE_REGION,
          aws_account_id: FAKE_ACCOUNT_ID,
          aws_vpc_id: expect.stringMatching(/^vpc-/) as unknown as string,
          'greenlight.io/weight': '0',
        },
      },
      stringData: { name: 'legacy', server: GREEN_ARN },
    });
    expect(aws.accessEntriesOf('prod-eu-green')).toEqual({});
    expect(aws.calls('CreateAccessEntry') + aws.calls('AssociateAccessPolicy')).toBe(0);
  });

  it('with --apply, creates the access entry and policy, then the ARN form of the Secret (config removed)', async () => {
    const patches = argocd.patches.length;
    const res = await greenlight(...args, '--apply');
    expect(res.stderr).toBe(CLUSTER_CHECKS);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      `created access entry for ${CAPABILITY_ROLE} on EKS cluster prod-eu-green\n` +
        `associated ${CLUSTER_ADMIN} for the whole cluster\n` +
        'updated Secret argocd/cluster-legacy for cluster legacy (labels and annotations merged; name and server replaced, config removed)\n',
    );
    expect(aws.accessEntriesOf('prod-eu-green')).toEqual({ [CAPABILITY_ROLE]: [{ policyArn: CLUSTER_ADMIN, accessScope: { type: 'cluster', namespaces: [] } }] });
    expect(aws.signatureFailures).toEqual([]);
    const written = argocd.secretNamed('cluster-legacy');
    const data = Object.fromEntries(Object.entries(written?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    expect(data).toEqual({ name: 'legacy', server: GREEN_ARN });
    expect(argocd.patches.slice(patches).map(([target, patch]) => [target, (patch as { data?: unknown }).data])).toEqual([['argocd/cluster-legacy', { config: null }]]);
  });

  it('run again, finds the access entry and policy there and writes neither', async () => {
    const before = { create: aws.calls('CreateAccessEntry'), associate: aws.calls('AssociateAccessPolicy') };
    const res = await greenlight(...args, '--apply');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      `access entry for ${CAPABILITY_ROLE} on EKS cluster prod-eu-green already there\n` +
        `${CLUSTER_ADMIN} already associated for the whole cluster\n` +
        'updated Secret argocd/cluster-legacy for cluster legacy (labels and annotations merged; name and server replaced, config removed)\n',
    );
    expect({ create: aws.calls('CreateAccessEntry'), associate: aws.calls('AssociateAccessPolicy') }).toEqual(before);
  });

  it('scopes a narrower policy to namespaces when asked', async () => {
    const res = await greenlight(...args, '--name', 'scoped', '--access-policy', 'AmazonEKSAdminPolicy', '--access-namespace', 'web', '--access-namespace', 'jobs', '--apply');
    expect(res.stderr).toBe(CLUSTER_CHECKS);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('associated arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy for namespaces web, jobs\n');
    expect(aws.accessEntriesOf('prod-eu-green')[CAPABILITY_ROLE]).toEqual([
      { policyArn: CLUSTER_ADMIN, accessScope: { type: 'cluster', namespaces: [] } },
      { policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy', accessScope: { type: 'namespace', namespaces: ['web', 'jobs'] } },
    ]);
    expect(argocd.created).toContain('argocd/cluster-scoped');
  });
});
