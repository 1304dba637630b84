/**
 * The whole service as a process in `argocd` mode: cluster Secrets from a fake Argo CD
 * kube-apiserver, facts from fake EKS / SSM / STS through the real SDK clients, and the
 * cluster's own API (a second fake kube-apiserver that verifies the EKS token greenlight signs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parameterSetSchema } from '../../generator/index.js';
import { FAKE_ACCESS_KEY_ID, FAKE_REGION, FAKE_SECRET_ACCESS_KEY, startFakeAws, type FakeAws, fakeAwsEnv } from '../support/fake-aws.js';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { startService, untilReady, type ServiceProcess } from '../support/service-process.js';

const TOKEN = 'test-token-live-facts-not-secret';
const CANARY = 'canary-value-must-never-leak-7731';

let aws: FakeAws;
let argocd: FakeKubeApiServer;
let green: FakeKubeApiServer;
let service: ServiceProcess;
let dir: string;

function clusterSecret(name: string, server: string, labels: Record<string, string>, clusterName = name) {
  return {
    name: `cluster-${name}`,
    namespace: 'argocd',
    labels: { 'argocd.argoproj.io/secret-type': 'cluster', ...labels },
    annotations: { 'greenlight.io/weight': '0' },
    stringData: {
      name,
      server,
      project: 'platform',
      // The fake API server is not at the endpoint EKS reports: the Secret pins the cluster's CA.
      config: JSON.stringify({ awsAuthConfig: { clusterName }, tlsClientConfig: { caData: clusterCaData() } }),
    },
  };
}

async function getparams(parameters: object) {
  const res = await fetch(`${service.url}/api/v1/getparams.execute`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: `${JSON.stringify({ applicationSetName: 'web', input: { parameters } })}\n`,
  });
  return { status: res.status, text: await res.text() };
}

/** Polls until the status for these parameters satisfies `ok` (the watch is asynchronous). */
async function waitForStatus(parameters: object, ok: (status: number) => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await getparams(parameters);
    if (ok(res.status)) return;
    if (Date.now() > deadline) throw new Error(`still ${res.status} after 5 s: ${res.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  aws = await startFakeAws();
  aws.addCluster({ name: 'prod-eu-green', region: FAKE_REGION, version: '1.32', tags: { team: 'platform' }, caData: clusterCaData() });
  aws.addPodIdentityAssociation({ clusterName: 'prod-eu-green', region: FAKE_REGION, namespace: 'external-dns', serviceAccount: 'external-dns-sa', roleArn: 'arn:aws:iam::111111111111:role/green-external-dns' });
  aws.addAddon({ clusterName: 'prod-eu-green', region: FAKE_REGION, name: 'vpc-cni', version: 'v1.19.2-eksbuild.1' });
  aws.putParameter({ name: '/greenlight/prod-eu-green/payments/db-password', value: CANARY, type: 'SecureString', region: FAKE_REGION });
  aws.putParameter({ name: '/greenlight/prod-eu-green/checkout/redis-url', value: CANARY, region: FAKE_REGION });

  green = await FakeKubeApiServer.start({
    tls: clusterTls(),
    auth: { eks: { clusterName: 'prod-eu-green', credentials: { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY }, extraStsHosts: [new URL(aws.endpoint).host] } },
    version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' },
    storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }],
    ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }],
  });
  argocd = await FakeKubeApiServer.start();
  argocd.putSecret(clusterSecret('prod-eu-green', green.url, { 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' }));
  // Registered in Argo CD, but EKS has no such cluster: selecting it must fail closed.
  argocd.putSecret(clusterSecret('prod-us-green', green.url, { 'greenlight.io/pair': 'prod-us', 'greenlight.io/role': 'green' }, 'no-such-eks-cluster'));

  dir = mkdtempSync(join(tmpdir(), 'gl-live-'));
  const kubeconfig = writeKubeconfig(dir, argocd.url);

  service = await startService({
    env: {
      GREENLIGHT_INVENTORY: 'argocd',
      ARGOCD_NAMESPACE: 'argocd',
      GREENLIGHT_TOKEN: TOKEN,
      KUBECONFIG: kubeconfig,
      ...fakeAwsEnv(aws.endpoint),
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS: '1',
      // Short, so that a deleted Secret's removal grace ends within the test.
      GREENLIGHT_REMOVAL_GRACE_MS: '1000',
    },
  });
  // The service serves before its first list of the cluster Secrets is complete: wait for that.
  await untilReady(service);
});

afterAll(async () => {
  await service?.stop('SIGTERM');
  await Promise.all([argocd?.close(), green?.close(), aws?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('greenlight on live facts', () => {
  it('answers a cluster registered in Argo CD with facts from EKS, SSM and its own API', async () => {
    const res = await getparams({ pair: 'prod-eu', vars: { host: 'web.{{cluster.nameNormalized}}.example.com' } });
    expect(res.status, res.text).toBe(200);
    const [set] = (JSON.parse(res.text) as { output: { parameters: Record<string, unknown>[] } }).output.parameters;
    expect(parameterSetSchema.safeParse(set).success).toBe(true);
    expect(set).toMatchObject({
      cluster: { name: 'prod-eu-green', server: green.url, project: 'platform', pair: 'prod-eu', role: 'green', weight: '0' },
      aws: { accountId: '111111111111', region: FAKE_REGION, clusterName: 'prod-eu-green', version: '1.32' },
      kubernetes: { version: '1.32', gitVersion: 'v1.32.1-eks-5d4a308', minor: '32' },
      addons: { vpc_cni: 'v1.19.2-eksbuild.1' },
      storage: { classes: 'gp3', defaultClass: 'gp3' },
      ingress: { classes: 'alb', defaultClass: 'alb' },
      podIdentity: { external_dns: { external_dns_sa: 'arn:aws:iam::111111111111:role/green-external-dns' } },
      secrets: {
        prefix: '/greenlight/prod-eu-green/',
        count: '2',
        keys: { checkout_redis_url: '/greenlight/prod-eu-green/checkout/redis-url', payments_db_password: '/greenlight/prod-eu-green/payments/db-password' },
      },
      vars: { host: 'web.prod-eu-green.example.com' },
      facts: { sources: 'eks,kubernetes,ssm', stale: 'false' },
    });
    // The cluster's API was read with a verified EKS token, and every AWS call was signed.
    expect(green.requests.some((r) => r.path === '/version' && r.user !== undefined)).toBe(true);
    expect(green.authFailures).toEqual([]);
    expect(aws.signatureFailures).toEqual([]);
  });

  it('fails closed, naming the cluster and source, when a selected cluster has no EKS facts', async () => {
    const res = await getparams({ role: 'green' });
    expect(res.status).toBe(502);
    const body = JSON.parse(res.text) as { code: string; message: string };
    expect(body.code).toBe('GL_FACTS_UNAVAILABLE');
    expect(body.message).toContain('prod-us-green');
    expect(body.message).toContain('no-such-eks-cluster');
  });

  it('serves ten concurrent reconciles from one upstream read per cluster and source', async () => {
    const before = aws.callCounts();
    const answers = await Promise.all(Array.from({ length: 10 }, () => getparams({ cluster: 'prod-eu-green' })));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(aws.callCounts().DescribeCluster - before.DescribeCluster).toBe(0);
  });

  it('never lets an SSM value reach an answer or a log line', async () => {
    const res = await getparams({ pair: 'prod-eu' });
    expect(res.text).not.toContain(CANARY);
    expect(service.stdoutLines.join('\n')).not.toContain(CANARY);
    expect(service.stderr()).not.toContain(CANARY);
    expect(service.stdoutLines.join('\n')).not.toContain(TOKEN);
  });

  it('never answers 2xx without a cluster whose Secret is deleted while the request is in flight', async () => {
    aws.addCluster({ name: 'prod-ap-green', region: FAKE_REGION, version: '1.32', caData: clusterCaData() });
    argocd.putSecret(clusterSecret('prod-ap-green', green.url, { 'greenlight.io/pair': 'prod-ap', 'greenlight.io/role': 'green' }));
    await waitForStatus({ cluster: 'prod-ap-green' }, (s) => s !== 404 && s !== 503);
    aws.clearFaults();
    argocd.putSecret(clusterSecret('prod-ap-blue', green.url, { 'greenlight.io/pair': 'prod-ap', 'greenlight.io/role': 'blue' }));
    aws.addCluster({ name: 'prod-ap-blue', region: FAKE_REGION, version: '1.31', caData: clusterCaData() });
    await waitForStatus({ clusters: ['prod-ap-blue'] }, (s) => s !== 404);
    // prod-ap-blue's first EKS read is slow; its Secret disappears while the request waits.
    aws.inject('DescribeCluster', { kind: 'latency', ms: 400 }, { times: 1 });
    const pending = getparams({ pair: 'prod-ap', vars: { n: '{{cluster.name}}' } });
    await new Promise((r) => setTimeout(r, 100));
    argocd.deleteSecret('cluster-prod-ap-blue', { namespace: 'argocd' });
    const res = await pending;
    if (res.status === 200) {
      const clusters = (JSON.parse(res.text) as { output: { parameters: { cluster: { name: string } }[] } }).output.parameters.map((p) => p.cluster.name);
      expect(clusters).toEqual(['prod-ap-blue', 'prod-ap-green']);
    } else {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect((JSON.parse(res.text) as { message: string }).message).toContain('prod-ap-blue');
    }
    argocd.deleteSecret('cluster-prod-ap-green', { namespace: 'argocd' });
  });

  it('follows Argo CD: a cluster Secret deleted there is leaving (503) for the removal grace, then gone from the answers', async () => {
    argocd.deleteSecret('cluster-prod-us-green', { namespace: 'argocd' });
    const deadline = Date.now() + 30_000;
    let res = await getparams({ role: 'green' });
    const seen = new Set<string>();
    while (res.status !== 200 && Date.now() < deadline) {
      seen.add(`${res.status} ${(JSON.parse(res.text) as { code?: string }).code ?? ''}`);
      await new Promise((r) => setTimeout(r, 50));
      res = await getparams({ role: 'green' });
    }
    expect(res.status, res.text).toBe(200);
    // Before the answer without it: its facts failing (until the deletion is seen), then its grace.
    expect([...seen].filter((s) => s !== '503 GL_CLUSTER_LEAVING' && s !== '502 GL_FACTS_UNAVAILABLE')).toEqual([]);
    expect((JSON.parse(res.text) as { output: { parameters: { cluster: { name: string } }[] } }).output.parameters.map((p) => p.cluster.name)).toEqual(['prod-eu-green']);
  });
});
