/**
 * EksReadinessSource over the wire: the real EKS and STS SDK clients against the local fake AWS,
 * which checks every SigV4 signature and serves DescribeAddonVersions, ListInsights and
 * DescribeInsight at their real REST paths.
 */
import { rejection } from '../support/rejection.js';
import { EKSClient } from '@aws-sdk/client-eks';
import { beforeAll, describe, expect, test } from 'vitest';
import { addonCompatibilitySchema, pairInsightsSchema, TimeoutError, UpstreamError } from '../../generator/index.js';
import { AwsCredentials } from '../../plugin/adapters/aws/aws-credentials.js';
import { EksReadinessSource, type EksReadinessSourceOptions } from '../../plugin/adapters/eks/eks-readiness-source.js';
import { clusterRecordFor, FAKE_ACCOUNT_ID, withoutAws, type FakeAws, fakeAwsCredentials } from '../support/fake-aws.js';
import { useFakeAws } from '../support/fake-aws-suite.js';

const OTHER_ACCOUNT = '222222222222';
const ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/greenlight-reader`;

let fake: FakeAws;
let credentials: AwsCredentials;
const opened: { close(): void }[] = [];

function source(options: Partial<EksReadinessSourceOptions> = {}, maxAttempts = 1): EksReadinessSource {
  const s = new EksReadinessSource({ credentials, ...options }, (region, creds) => new EKSClient({ region, credentials: creds, endpoint: fake.endpoint, maxAttempts }));
  opened.push(s);
  return s;
}

const failure = rejection;

const signal = () => new AbortController().signal;

useFakeAws((f, c) => {
  fake = f;
  credentials = c;
}, opened);

beforeAll(() => {
  // What EKS offers in eu-west-1, across minors.
  for (const [name, version, minors] of [
    ['kube-proxy', 'v1.31.3-eksbuild.2', ['1.31']],
    ['kube-proxy', 'v1.32.0-eksbuild.1', ['1.32']],
    ['kube-proxy', 'v1.32.0-eksbuild.2', ['1.32']],
    ['coredns', 'v1.11.4-eksbuild.2', ['1.31', '1.32']],
    ['coredns', 'v1.11.4-eksbuild.10', ['1.31', '1.32']],
    ['coredns', 'v1.10.1-eksbuild.18', ['1.29', '1.30', '1.31']],
    ['legacy-addon', 'v0.9.0-eksbuild.1', ['1.29', '1.30']],
  ] as const) {
    fake.addAddonVersion({ addonName: name, addonVersion: version, clusterVersions: minors });
  }
  fake.addAddonVersion({ addonName: 'coredns', addonVersion: 'v1.11.4-eksbuild.99', clusterVersions: ['1.32'], region: 'us-east-2' });
});


describe('DescribeAddonVersions is reduced to add-on compatibility', () => {
  test('per add-on, the versions EKS supports on the minor, newest first; an entry even when there are none', async () => {
    const green = clusterRecordFor(fake.addCluster({ name: 'compat-green', version: '1.32' }));
    fake.resetCounts();
    const compat = await source().addonCompatibility(green, '1.32', ['kube-proxy', 'coredns', 'legacy-addon', 'no-such-addon', 'coredns'], signal());

    expect(compat).toEqual({
      coredns: { '1.32': ['v1.11.4-eksbuild.10', 'v1.11.4-eksbuild.2'] },
      'kube-proxy': { '1.32': ['v1.32.0-eksbuild.2', 'v1.32.0-eksbuild.1'] },
      'legacy-addon': { '1.32': [] },
      'no-such-addon': { '1.32': [] },
    });
    expect(addonCompatibilitySchema.parse(compat)).toEqual(compat);
    // One call per distinct add-on, on the real path with the real query.
    const calls = fake.requests.filter((r) => r.api === 'DescribeAddonVersions');
    expect(calls.map((r) => r.input['addonName']).sort()).toEqual(['coredns', 'kube-proxy', 'legacy-addon', 'no-such-addon']);
    expect(calls.every((r) => r.input['kubernetesVersion'] === '1.32' && r.input['maxResults'] === '100' && r.region === 'eu-west-1')).toBe(true);
  });

  test('the region is the cluster’s', async () => {
    const us = clusterRecordFor(fake.addCluster({ name: 'compat-us', region: 'us-east-2', version: '1.32' }));
    expect(await source().addonCompatibility(us, '1.32', ['coredns'], signal())).toEqual({ coredns: { '1.32': ['v1.11.4-eksbuild.99'] } });
  });

  test('pages are read to the end, through empty pages', async () => {
    const green = clusterRecordFor(fake.addCluster({ name: 'compat-pages', version: '1.32' }));
    fake.options.eksEmptyPages = 2;
    fake.resetCounts();
    expect(await source().addonCompatibility(green, '1.32', ['kube-proxy'], signal())).toEqual({ 'kube-proxy': { '1.32': ['v1.32.0-eksbuild.2', 'v1.32.0-eksbuild.1'] } });
    expect(fake.calls('DescribeAddonVersions')).toBe(3);
    expect(await failure(source({ maxPages: 2 }).addonCompatibility(green, '1.32', ['kube-proxy'], signal()))).toMatchObject({
      code: 'GL_FACTS_UNAVAILABLE',
      message: `cluster "compat-pages" (Secret argocd/cluster-compat-pages): EKS DescribeAddonVersions in eu-west-1 still had more pages after 2; greenlight stops there rather than judge with part of the list. Raise greenlight's EKS page limit if the cluster really has that many`,
    });
  });

  test('AccessDenied names the action on Resource "*" and the identity', async () => {
    const green = clusterRecordFor(fake.addCluster({ name: 'compat-denied', version: '1.32' }));
    fake.inject('DescribeAddonVersions', { kind: 'access-denied' });
    const err = await failure(source().addonCompatibility(green, '1.32', ['coredns'], signal()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toBe(
      'cluster "compat-denied" (Secret argocd/cluster-compat-denied): EKS DescribeAddonVersions in eu-west-1 was denied (AccessDeniedException, HTTP 403): ' +
        `User: arn:aws:iam::${FAKE_ACCOUNT_ID}:user/greenlight-fake is not authorized to perform: eks:DescribeAddonVersions on resource: *. ` +
        "Allow eks:DescribeAddonVersions on * to greenlight's own AWS identity (on a laptop, the identity of your AWS profile; in a pod, the IRSA or Pod Identity role of its ServiceAccount)",
    );
    expect(err.cause).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
  });

  test('a well-formed answer without what greenlight needs', async () => {
    const green = clusterRecordFor(fake.addCluster({ name: 'compat-garbage', version: '1.32' }));
    fake.inject('DescribeAddonVersions', { kind: 'garbage', body: '{"addons":[{"addonName":"coredns","addonVersions":[{"compatibilities":[]}]}]}' });
    const err = await failure(source().addonCompatibility(green, '1.32', ['coredns'], signal()));
    expect(err.message).toContain('cluster "compat-garbage" (Secret argocd/cluster-compat-garbage): EKS DescribeAddonVersions in eu-west-1 returned an answer greenlight cannot use: addons.0.addonVersions.0.addonVersion');
  });

  test('a version that is not a minor is refused before any call', async () => {
    const green = clusterRecordFor(fake.addCluster({ name: 'compat-bad-minor' }));
    await expect(source().addonCompatibility(green, '1.32.1', ['coredns'], signal())).rejects.toThrow('"1.32.1" is not a Kubernetes minor version such as "1.32"');
  });
});

describe('ListInsights and DescribeInsight give the upgrade insights', () => {
  test('UPGRADE_READINESS only, read to the end, with the recommendation of those not passing', async () => {
    const c = fake.addCluster({ name: 'insights-blue', version: '1.31' });
    fake.addInsight({ clusterName: c.name, id: 'i-1', name: 'Kubernetes version skew', kubernetesVersion: '1.32', status: 'PASSING', reason: 'No issues.' });
    fake.addInsight({
      clusterName: c.name,
      id: 'i-2',
      name: 'Deprecated APIs removed in Kubernetes v1.32',
      kubernetesVersion: '1.32',
      status: 'ERROR',
      reason: 'Deprecated API usage detected within last 30 days.',
      description: 'Checks for usage of deprecated APIs.',
      recommendation: 'Update manifests and clients to use newer Kubernetes APIs',
    });
    fake.addInsight({ clusterName: c.name, id: 'i-3', name: 'Amazon Linux 2 compatibility', kubernetesVersion: '1.33', status: 'WARNING', recommendation: 'Move node groups to AL2023' });
    fake.addInsight({ clusterName: c.name, id: 'i-4', name: 'Cluster health issues', kubernetesVersion: '1.32', status: 'UNKNOWN' });
    fake.addInsight({ clusterName: c.name, id: 'i-5', name: 'Misconfigured node role', category: 'MISCONFIGURATION', status: 'ERROR' });
    fake.options.eksPageSize = 2;
    fake.resetCounts();

    const insights = await source().insights(clusterRecordFor(c), signal(), { clusterArn: c.arn });

    expect(insights).toEqual([
      { id: 'i-3', name: 'Amazon Linux 2 compatibility', category: 'UPGRADE_READINESS', kubernetesVersion: '1.33', insightStatus: { status: 'WARNING' }, recommendation: 'Move node groups to AL2023' },
      { id: 'i-4', name: 'Cluster health issues', category: 'UPGRADE_READINESS', kubernetesVersion: '1.32', insightStatus: { status: 'UNKNOWN' } },
      {
        id: 'i-2',
        name: 'Deprecated APIs removed in Kubernetes v1.32',
        category: 'UPGRADE_READINESS',
        kubernetesVersion: '1.32',
        insightStatus: { status: 'ERROR', reason: 'Deprecated API usage detected within last 30 days.' },
        description: 'Checks for usage of deprecated APIs.',
        recommendation: 'Update manifests and clients to use newer Kubernetes APIs',
      },
      { id: 'i-1', name: 'Kubernetes version skew', category: 'UPGRADE_READINESS', kubernetesVersion: '1.32', insightStatus: { status: 'PASSING', reason: 'No issues.' } },
    ]);
    expect(pairInsightsSchema.parse({ blue: insights })).toEqual({ blue: insights });
    // The category filter is asked of EKS, in the body, as the SDK sends it; 4 insights at 2 per page.
    const lists = fake.requests.filter((r) => r.api === 'ListInsights');
    expect(lists).toHaveLength(2);
    expect(lists[0]?.input).toEqual({ filter: { categories: ['UPGRADE_READINESS'] }, maxResults: 100 });
    expect(lists[1]?.input).toMatchObject({ nextToken: expect.any(String) });
    // Described: the three not passing, never the passing one.
    expect(fake.calls('DescribeInsight')).toBe(3);
  });

  test('describeInsights "none" makes one call per page', async () => {
    const c = fake.addCluster({ name: 'insights-cheap' });
    fake.addInsight({ clusterName: c.name, name: 'Deprecated APIs', kubernetesVersion: '1.32', status: 'ERROR', recommendation: 'Fix them' });
    fake.resetCounts();
    const [insight] = await source({ describeInsights: 'none' }).insights(clusterRecordFor(c), signal());
    expect(insight?.recommendation).toBeUndefined();
    expect(fake.calls('DescribeInsight')).toBe(0);
  });

  test('an insight gone between the list and its describe keeps its summary', async () => {
    const c = fake.addCluster({ name: 'insights-churn' });
    fake.addInsight({ clusterName: c.name, name: 'Deprecated APIs', kubernetesVersion: '1.32', status: 'ERROR', recommendation: 'Fix them' });
    fake.inject('DescribeInsight', { kind: 'not-found' }, { times: 1 });
    const [insight] = await source().insights(clusterRecordFor(c), signal());
    expect(insight).toMatchObject({ name: 'Deprecated APIs', insightStatus: { status: 'ERROR' } });
    expect(insight?.recommendation).toBeUndefined();
  });

  test('a status EKS adds later reads as UNKNOWN, never as passing', async () => {
    const c = fake.addCluster({ name: 'insights-new-status' });
    fake.inject('ListInsights', {
      kind: 'garbage',
      body: JSON.stringify({ insights: [{ id: 'x', name: 'Future check', category: 'UPGRADE_READINESS', insightStatus: { status: 'BLOCKING' } }] }),
    });
    fake.inject('DescribeInsight', { kind: 'not-found' });
    expect(await source().insights(clusterRecordFor(c), signal())).toEqual([{ id: 'x', name: 'Future check', category: 'UPGRADE_READINESS', insightStatus: { status: 'UNKNOWN' } }]);
  });

  test('a cluster with a role is read with one AssumeRole and the session’s key', async () => {
    fake.allowRole(ROLE);
    const c = fake.addCluster({ name: 'insights-cross', accountId: OTHER_ACCOUNT });
    fake.addInsight({ clusterName: c.name, name: 'Kubelet version skew', kubernetesVersion: '1.32', status: 'WARNING', accountId: OTHER_ACCOUNT });
    const creds = fakeAwsCredentials(fake);
    const s = new EksReadinessSource({ credentials: creds }, (region, cr) => new EKSClient({ region, credentials: cr, endpoint: fake.endpoint, maxAttempts: 1 }));
    fake.resetCounts();
    try {
      expect((await s.insights(clusterRecordFor(c, { roleArn: ROLE }), signal())).map((i) => i.name)).toEqual(['Kubelet version skew']);
      await s.addonCompatibility(clusterRecordFor(c, { roleArn: ROLE }), '1.32', ['coredns'], signal());
    } finally {
      s.close();
      creds.close();
    }
    expect(fake.calls('AssumeRole')).toBe(1);
    const keys = new Set(fake.requests.filter((r) => r.service === 'eks').map((r) => r.accessKeyId));
    expect([...keys]).toEqual([fake.assumedRoles.at(-1)?.accessKeyId]);
  });

  test('an unknown cluster: what to fix in awsAuthConfig', async () => {
    const c = fake.addCluster({ name: 'insights-unknown' });
    const err = await failure(source().insights(clusterRecordFor(c, { clusterName: 'not-in-eks' }), signal()));
    expect(err.message).toBe(
      'cluster "insights-unknown" (Secret argocd/cluster-insights-unknown): EKS ListInsights in eu-west-1 found nothing (ResourceNotFoundException, HTTP 404): No cluster found for name: not-in-eks.. ' +
        "EKS has no cluster \"not-in-eks\" in eu-west-1 for greenlight's own AWS account: awsAuthConfig.clusterName in the cluster's Argo CD Secret is wrong, or the cluster is in another account or region",
    );
  });

  test('AccessDenied on DescribeInsight names the cluster ARN when known', async () => {
    const c = fake.addCluster({ name: 'insights-denied' });
    fake.addInsight({ clusterName: c.name, name: 'Deprecated APIs', kubernetesVersion: '1.32', status: 'ERROR' });
    fake.inject('DescribeInsight', { kind: 'access-denied' });
    const err = await failure(source().insights(clusterRecordFor(c), signal(), { clusterArn: c.arn }));
    expect(err.message).toContain('cluster "insights-denied" (Secret argocd/cluster-insights-denied): EKS DescribeInsight in eu-west-1 was denied (AccessDeniedException, HTTP 403)');
    expect(err.message).toContain(`Allow eks:DescribeInsight on ${c.arn} to greenlight's own AWS identity`);
  });

  test('throttling keeps the SDK error as cause', async () => {
    const c = fake.addCluster({ name: 'insights-throttled' });
    fake.inject('ListInsights', { kind: 'throttle' });
    const err = await failure(source().insights(clusterRecordFor(c), signal()));
    expect(err.message).toContain('EKS ListInsights in eu-west-1 was throttled by AWS (ThrottlingException, HTTP 429)');
    expect(err.cause).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
  });

  test('an abort while AWS hangs rejects at once with TimeoutError, naming the API in flight', async () => {
    const c = fake.addCluster({ name: 'insights-hang' });
    fake.inject('ListInsights', { kind: 'hang' });
    const controller = new AbortController();
    const pending = source().insights(clusterRecordFor(c), controller.signal);
    setTimeout(() => controller.abort(new Error('deadline')), 100);
    // AWS never answers: a rejection at all is the abort honoured.
    const err = await failure(pending);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toContain('cluster "insights-hang" (Secret argocd/cluster-insights-hang): EKS ListInsights in eu-west-1 was cancelled');
  });
});

test('appliesTo: clusters registered with awsAuthConfig only; others are refused naming what is missing', async () => {
  const record = clusterRecordFor(fake.addCluster({ name: 'applies' }));
  expect(source().appliesTo(record)).toBe(true);
  expect(source().appliesTo(withoutAws(record) as typeof record)).toBe(false);
  const err = await failure(source().insights(withoutAws(record) as typeof record, signal()));
  expect(err.code).toBe('GL_CLUSTER_INVALID');
  expect(err.message).toBe('cluster "applies" (Secret argocd/cluster-applies): EKS ListInsights needs awsAuthConfig.clusterName in the cluster\'s Argo CD Secret');
});

test('fromConfig builds real EKS clients honouring the endpoint option', async () => {
  const c = fake.addCluster({ name: 'from-config', version: '1.32' });
  fake.addInsight({ clusterName: c.name, name: 'Kubernetes version skew', kubernetesVersion: '1.32', status: 'PASSING' });
  const s = EksReadinessSource.fromConfig({ credentials, endpoint: fake.endpoint, maxAttempts: 1 });
  try {
    await expect(s.insights(clusterRecordFor(c), signal())).resolves.toHaveLength(1);
    await expect(s.addonCompatibility(clusterRecordFor(c), '1.32', ['kube-proxy'], signal())).resolves.toHaveProperty(['kube-proxy', '1.32', 0], 'v1.32.0-eksbuild.2');
  } finally {
    s.close();
  }
});
