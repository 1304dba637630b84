/**
 * EksFactSource over the wire: the real EKS and STS SDK clients against the local fake AWS,
 * which checks every SigV4 signature.
 */
import { rejection } from '../support/rejection.js';
import { EKSClient } from '@aws-sdk/client-eks';
import { beforeAll, describe, expect, test } from 'vitest';
import { resolveBlueGreen, TimeoutError, UpstreamError, type ClusterRecord } from '../../generator/index.js';
import { AwsCredentials } from '../../plugin/adapters/aws/aws-credentials.js';
import { EksFactSource, type EksFactSourceOptions } from '../../plugin/adapters/eks/eks-fact-source.js';
import { clusterRecordFor, FAKE_ACCOUNT_ID, withoutAws, type FakeAws, fakeAwsCredentials } from '../support/fake-aws.js';
import { useFakeAws } from '../support/fake-aws-suite.js';

const OTHER_ACCOUNT = '222222222222';
const ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/greenlight-reader`;

let fake: FakeAws;
let credentials: AwsCredentials;
const opened: { close(): void }[] = [];

function source(options: Partial<EksFactSourceOptions> = {}, maxAttempts = 1): EksFactSource {
  const s = new EksFactSource(
    { credentials, ...options },
    (region, creds) => new EKSClient({ region, credentials: creds, endpoint: fake.endpoint, maxAttempts }),
  );
  opened.push(s);
  return s;
}

const failure = rejection;

const signal = () => new AbortController().signal;

useFakeAws((f, c) => {
  fake = f;
  credentials = c;
}, opened);

describe('DescribeCluster, Pod Identity and add-ons are mapped to eks facts', () => {
  test('a full cluster', async () => {
    const c = fake.addCluster({
      name: 'prod-eu-green',
      version: '1.31',
      platformVersion: 'eks.12',
      vpcId: 'vpc-0abc1234def567890',
      authenticationMode: 'API',
      tags: { 'greenlight.io/role': 'green', 'greenlight.io/pair': 'prod-eu', team: 'platform' },
    });
    fake.addPodIdentityAssociation({ clusterName: c.name, namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller', roleArn: 'arn:aws:iam::111111111111:role/lbc' });
    const dnsId = fake.addPodIdentityAssociation({ clusterName: c.name, namespace: 'external-dns', serviceAccount: 'external-dns', roleArn: 'arn:aws:iam::111111111111:role/dns' });
    fake.addAddon({ clusterName: c.name, name: 'vpc-cni', version: 'v1.19.2-eksbuild.1' });
    fake.addAddon({ clusterName: c.name, name: 'coredns', version: 'v1.11.4-eksbuild.2', status: 'DEGRADED' });

    const record = clusterRecordFor(c);
    const facts = await source().fetch(record, signal());

    expect(facts.eks).toEqual({
      accountId: FAKE_ACCOUNT_ID,
      region: 'eu-west-1',
      clusterName: 'prod-eu-green',
      clusterArn: `arn:aws:eks:eu-west-1:${FAKE_ACCOUNT_ID}:cluster/prod-eu-green`,
      version: '1.31',
      platformVersion: 'eks.12',
      endpoint: c.endpoint,
      vpcId: 'vpc-0abc1234def567890',
      oidcIssuer: c.oidcIssuer,
      oidcProviderArn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:oidc-provider/${(c.oidcIssuer ?? '').replace('https://', '')}`,
      authenticationMode: 'API',
      status: 'ACTIVE',
      tags: { 'greenlight.io/role': 'green', 'greenlight.io/pair': 'prod-eu', team: 'platform' },
    });
    expect(facts.podIdentity).toEqual([
      { namespace: 'external-dns', serviceAccount: 'external-dns', roleArn: 'arn:aws:iam::111111111111:role/dns', associationId: dnsId },
      expect.objectContaining({ namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller', roleArn: 'arn:aws:iam::111111111111:role/lbc' }),
    ]);
    expect(facts.addons).toEqual([
      { name: 'coredns', version: 'v1.11.4-eksbuild.2', status: 'DEGRADED' },
      { name: 'vpc-cni', version: 'v1.19.2-eksbuild.1', status: 'ACTIVE' },
    ]);
    // The greenlight.io/* tags stand in for labels the Secret lacks.
    expect(resolveBlueGreen(record, facts)).toEqual({ pair: 'prod-eu', role: 'green' });
  });

  test('a cluster without an OIDC issuer, Pod Identity or add-ons', async () => {
    const c = fake.addCluster({ name: 'bare', oidcIssuer: null, status: 'CREATING' });
    const facts = await source().fetch(clusterRecordFor(c), signal());
    expect(facts.eks?.oidcIssuer).toBeUndefined();
    expect(facts.eks?.oidcProviderArn).toBeUndefined();
    expect(facts.eks?.status).toBe('CREATING');
    expect(facts.podIdentity).toEqual([]);
    expect(facts.addons).toEqual([]);
  });

  test('the region comes from the server URL, and the requests are signed for it', async () => {
    const c = fake.addCluster({ name: 'prod-us', region: 'us-east-2' });
    fake.resetCounts();
    const facts = await source({ region: 'eu-west-1' }).fetch(clusterRecordFor(c), signal());
    expect(facts.eks?.region).toBe('us-east-2');
    expect(fake.requests.filter((r) => r.service === 'eks').map((r) => r.region)).toEqual(['us-east-2', 'us-east-2', 'us-east-2']);
  });

  test('a server URL that is not an EKS endpoint uses the fallback region, or fails naming the cluster', async () => {
    const c = fake.addCluster({ name: 'private-dns', region: 'eu-central-1' });
    const record = clusterRecordFor(c, { server: 'https://k8s.private.example.com' });
    expect((await source({ region: 'eu-central-1' }).fetch(record, signal())).eks?.region).toBe('eu-central-1');

    const err = await failure(source().fetch(record, signal()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('GL_CLUSTER_INVALID');
    expect(err.message).toContain('cluster "private-dns" (Secret argocd/cluster-private-dns)');
    expect(err.message).toContain('https://k8s.private.example.com is not an EKS endpoint');
  });

  test("a Secret whose clusterName names another cluster (copied from blue's) fails instead of answering with that cluster's facts", async () => {
    const blue = fake.addCluster({ name: 'copied-blue', version: '1.31' });
    const green = fake.addCluster({ name: 'copied-green', version: '1.32' });
    // green's Secret, made from blue's: server changed, awsAuthConfig.clusterName not.
    const err = await failure(source().fetch(clusterRecordFor(green, { clusterName: 'copied-blue' }), signal()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('GL_CLUSTER_INVALID');
    expect(err.message).toBe(
      `cluster "copied-green" (Secret argocd/cluster-copied-green): awsAuthConfig.clusterName "copied-blue" names EKS cluster ${blue.arn}, ` +
        `whose endpoint ${blue.endpoint} is not this Secret's server ${green.endpoint}. greenlight does not report another cluster's facts: ` +
        `set awsAuthConfig.clusterName (or server) in the cluster's Argo CD Secret to the same cluster (was the Secret copied from another cluster's?)`,
    );

    // The same API server written another way (lower case, port 443, a trailing slash) is the same cluster.
    const sameHost = clusterRecordFor(green, { server: `${green.endpoint.toLowerCase()}:443/` });
    expect((await source().fetch(sameHost, signal())).eks?.clusterArn).toBe(green.arn);
    // A server behind another DNS name cannot be compared; the fallback region applies as before.
    const privateDns = clusterRecordFor(green, { server: 'https://green.k8s.example.internal', clusterName: 'copied-green' });
    expect((await source({ region: 'eu-west-1' }).fetch(privateDns, signal())).eks?.clusterArn).toBe(green.arn);
  });

  test('appliesTo: clusters registered with awsAuthConfig only', () => {
    const c = fake.addCluster({ name: 'applies' });
    const record = clusterRecordFor(c);
    expect(source().appliesTo(record)).toBe(true);
    expect(source().appliesTo(withoutAws(record))).toBe(false);
  });
});

describe('pagination', () => {
  test('associations and add-ons are read to the end, through empty pages', async () => {
    const c = fake.addCluster({ name: 'many' });
    for (let i = 0; i < 5; i++) {
      fake.addPodIdentityAssociation({ clusterName: c.name, namespace: `ns-${i}`, serviceAccount: `sa-${i}`, roleArn: `arn:aws:iam::111111111111:role/r${i}` });
      fake.addAddon({ clusterName: c.name, name: `addon-${i}`, version: `v1.${i}.0-eksbuild.1` });
    }
    fake.options.eksPageSize = 2;
    fake.options.eksEmptyPages = 1;
    fake.resetCounts();

    const facts = await source().fetch(clusterRecordFor(c), signal());

    expect(facts.podIdentity?.map((a) => a.namespace)).toEqual(['ns-0', 'ns-1', 'ns-2', 'ns-3', 'ns-4']);
    expect(facts.addons?.map((a) => a.name)).toEqual(['addon-0', 'addon-1', 'addon-2', 'addon-3', 'addon-4']);
    // 3 pages with items, each after one empty page.
    expect(fake.calls('ListPodIdentityAssociations')).toBe(6);
    expect(fake.calls('ListAddons')).toBe(6);
    expect(fake.calls('DescribePodIdentityAssociation')).toBe(5);
    expect(fake.calls('DescribeAddon')).toBe(5);
    expect(fake.requests.filter((r) => r.api === 'ListAddons').every((r) => r.input['maxResults'] === '100')).toBe(true);
  });

  test('more pages than the bound fail instead of answering with part of the list', async () => {
    const c = fake.addCluster({ name: 'endless' });
    for (let i = 0; i < 5; i++) fake.addAddon({ clusterName: c.name, name: `a${i}`, version: 'v1' });
    fake.options.eksPageSize = 1;
    const err = await failure(source({ maxPages: 3 }).fetch(clusterRecordFor(c), signal()));
    expect(err.code).toBe('GL_FACTS_UNAVAILABLE');
    expect(err.message).toContain('cluster "endless"');
    expect(err.message).toContain('EKS ListAddons in eu-west-1 still had more pages after 3');
  });

  test('an item deleted between the list and its describe is left out', async () => {
    const c = fake.addCluster({ name: 'churn' });
    fake.addAddon({ clusterName: c.name, name: 'a-gone', version: 'v1' });
    fake.addAddon({ clusterName: c.name, name: 'b-kept', version: 'v2' });
    fake.inject('DescribeAddon', { kind: 'not-found' }, { times: 1 });
    const facts = await source({ describeConcurrency: 1 }).fetch(clusterRecordFor(c), signal());
    expect(facts.addons).toEqual([{ name: 'b-kept', version: 'v2', status: 'ACTIVE' }]);
  });
});

describe('credentials', () => {
  test('a cluster with roleArn is read with one AssumeRole, cached across calls and clusters', async () => {
    fake.allowRole(ROLE);
    const a = fake.addCluster({ name: 'cross-a', accountId: OTHER_ACCOUNT });
    const b = fake.addCluster({ name: 'cross-b', accountId: OTHER_ACCOUNT });
    const creds = fakeAwsCredentials(fake);
    const s = new EksFactSource({ credentials: creds }, (region, c) => new EKSClient({ region, credentials: c, endpoint: fake.endpoint, maxAttempts: 1 }));
    fake.resetCounts();
    try {
      for (let i = 0; i < 3; i++) {
        const facts = await s.fetch(clusterRecordFor(a, { roleArn: ROLE }), signal());
        expect(facts.eks?.accountId).toBe(OTHER_ACCOUNT);
      }
      await s.fetch(clusterRecordFor(b, { roleArn: ROLE }), signal());
    } finally {
      s.close();
      creds.close();
    }
    expect(fake.calls('AssumeRole')).toBe(1);
    expect(fake.assumedRoles.at(-1)).toEqual(expect.objectContaining({ roleArn: ROLE, sessionName: 'greenlight' }));
    const eksKeys = new Set(fake.requests.filter((r) => r.service === 'eks').map((r) => r.accessKeyId));
    expect([...eksKeys]).toEqual([fake.assumedRoles.at(-1)?.accessKeyId]);
  });

  test('without the role, a cluster of another account is not found, and the message says what to fix', async () => {
    const c = fake.addCluster({ name: 'elsewhere', accountId: OTHER_ACCOUNT });
    const err = await failure(source().fetch(clusterRecordFor(c), signal()));
    expect(err.message).toBe(
      'cluster "elsewhere" (Secret argocd/cluster-elsewhere): EKS DescribeCluster in eu-west-1 found nothing (ResourceNotFoundException, HTTP 404): No cluster found for name: elsewhere.. ' +
        "EKS has no cluster \"elsewhere\" in eu-west-1 for greenlight's own AWS account: awsAuthConfig.clusterName in the cluster's Argo CD Secret is wrong, or the cluster is in another account or region",
    );
  });

  test('AssumeRole denied names the role and the trust policy, and keeps the STS error as cause', async () => {
    const c = fake.addCluster({ name: 'denied-role', accountId: OTHER_ACCOUNT });
    const role = `arn:aws:iam::${OTHER_ACCOUNT}:role/not-trusted`;
    const err = await failure(source().fetch(clusterRecordFor(c, { roleArn: role }), signal()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe('GL_FACTS_UNAVAILABLE');
    expect(err.message).toContain('cluster "denied-role" (Secret argocd/cluster-denied-role): EKS DescribeCluster in eu-west-1 could not get AWS credentials');
    expect(err.message).toContain(`STS AssumeRole of ${role} was denied (AccessDenied, HTTP 403)`);
    expect(err.message).toContain(`make ${role}'s trust policy trust that identity`);
    expect(err.cause).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  test('STS throttling keeps its name on the cause, for the facts cache', async () => {
    const role = `arn:aws:iam::${OTHER_ACCOUNT}:role/throttled`;
    fake.allowRole(role);
    const c = fake.addCluster({ name: 'sts-throttled', accountId: OTHER_ACCOUNT });
    fake.inject('AssumeRole', { kind: 'throttle' }, { times: 1 });
    const s = source();
    const err = await failure(s.fetch(clusterRecordFor(c, { roleArn: role }), signal()));
    expect(err.cause).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(err.message).toContain('was throttled by AWS');
    // Not cached, by greenlight or by the SDK client: the next fetch assumes the role and succeeds.
    await expect(s.fetch(clusterRecordFor(c, { roleArn: role }), signal())).resolves.toHaveProperty('eks.accountId', OTHER_ACCOUNT);
  });
});

describe('each fault gives an operator the right message and keeps the SDK error as cause', () => {
  let record: ClusterRecord;
  beforeAll(() => {
    record = clusterRecordFor(fake.addCluster({ name: 'faulty' }));
  });

  test('throttling (429 ThrottlingException)', async () => {
    fake.inject('DescribeCluster', { kind: 'throttle' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.code).toBe('GL_FACTS_UNAVAILABLE');
    expect(err.message).toBe(
      'cluster "faulty" (Secret argocd/cluster-faulty): EKS DescribeCluster in eu-west-1 was throttled by AWS (ThrottlingException, HTTP 429). ' +
        'greenlight tries again on the next request; if this lasts, refresh facts less often or ask AWS for a higher limit',
    );
    expect(err.cause).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
  });

  test('throttling as TooManyRequestsException', async () => {
    fake.inject('ListAddons', { kind: 'throttle', name: 'TooManyRequestsException' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('EKS ListAddons in eu-west-1 was throttled by AWS (TooManyRequestsException, HTTP 429)');
    expect(err.cause).toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
  });

  test('5xx', async () => {
    fake.inject('DescribeCluster', { kind: 'server-error', status: 503 });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('EKS DescribeCluster in eu-west-1 failed on the AWS side (ServiceUnavailableException, HTTP 503)');
    expect(err.cause).toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } });
  });

  test('the SDK retries a 5xx when allowed to', async () => {
    fake.inject('DescribeCluster', { kind: 'server-error' }, { times: 1 });
    fake.resetCounts();
    await expect(source({}, 2).fetch(record, signal())).resolves.toHaveProperty('eks.clusterName', 'faulty');
    expect(fake.calls('DescribeCluster')).toBe(2);
  });

  test('AccessDenied names the IAM action, the resource and the identity', async () => {
    fake.inject('ListPodIdentityAssociations', { kind: 'access-denied' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('cluster "faulty" (Secret argocd/cluster-faulty): EKS ListPodIdentityAssociations in eu-west-1 was denied (AccessDeniedException, HTTP 403)');
    expect(err.message).toContain(
      `Allow eks:ListPodIdentityAssociations on arn:aws:eks:eu-west-1:${FAKE_ACCOUNT_ID}:cluster/faulty to greenlight's own AWS identity (on a laptop, the identity of your AWS profile; in a pod, the IRSA or Pod Identity role of its ServiceAccount)`,
    );
    expect(err.cause).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
  });

  test('AccessDenied for a cluster with a role names that role', async () => {
    const role = `arn:aws:iam::${OTHER_ACCOUNT}:role/limited`;
    fake.allowRole(role);
    const c = fake.addCluster({ name: 'limited', accountId: OTHER_ACCOUNT });
    fake.inject('DescribeAddon', { kind: 'access-denied' });
    fake.addAddon({ clusterName: c.name, name: 'vpc-cni', version: 'v1', accountId: OTHER_ACCOUNT });
    const err = await failure(source().fetch(clusterRecordFor(c, { roleArn: role }), signal()));
    expect(err.message).toContain(
      `Allow eks:DescribeAddon on arn:aws:eks:eu-west-1:${OTHER_ACCOUNT}:addon/limited/* to the role ${role} that greenlight assumes for this cluster (awsAuthConfig.roleARN)`,
    );
  });

  test('a garbage body', async () => {
    fake.inject('DescribeCluster', { kind: 'garbage' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('EKS DescribeCluster in eu-west-1 returned a response greenlight cannot read (SyntaxError, HTTP 200)');
    expect(err.cause).toMatchObject({ name: 'SyntaxError', $metadata: { httpStatusCode: 200 } });
  });

  test('a well-formed answer without what greenlight needs', async () => {
    fake.inject('DescribeCluster', { kind: 'garbage', body: '{"cluster":{"name":"faulty","arn":"arn:aws:eks:eu-west-1:111111111111:cluster/faulty"}}' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('EKS DescribeCluster in eu-west-1 returned an answer greenlight cannot use: cluster.version:');
  });

  test('a connection reset', async () => {
    fake.inject('DescribeAddon', { kind: 'reset' });
    fake.addAddon({ clusterName: 'faulty', name: 'kube-proxy', version: 'v1.31.0-eksbuild.1' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('EKS DescribeAddon in eu-west-1 could not reach AWS (ECONNRESET)');
    expect(err.cause).toMatchObject({ code: 'ECONNRESET' });
  });

  test('small latency is fine', async () => {
    fake.inject('DescribeCluster', { kind: 'latency', ms: 50 });
    fake.inject('ListAddons', { kind: 'latency', ms: 50 });
    await expect(source().fetch(record, signal())).resolves.toHaveProperty('eks.clusterName', 'faulty');
  });

  test('an abort while AWS hangs rejects at once with TimeoutError, naming the API in flight', async () => {
    fake.inject('ListPodIdentityAssociations', { kind: 'hang' });
    fake.inject('ListAddons', { kind: 'hang' });
    const controller = new AbortController();
    const pending = source().fetch(record, controller.signal);
    setTimeout(() => controller.abort(new Error('deadline')), 100);
    // AWS never answers: a rejection at all is the abort honoured.
    const err = await failure(pending);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe('GL_DEADLINE_EXCEEDED');
    expect(err.message).toContain('cluster "faulty" (Secret argocd/cluster-faulty): EKS ListPodIdentityAssociations and ListAddons in eu-west-1 was cancelled');
  });
});

test('fromConfig builds real EKS clients honouring the endpoint option', async () => {
  const c = fake.addCluster({ name: 'from-config' });
  const s = EksFactSource.fromConfig({ credentials, endpoint: fake.endpoint, maxAttempts: 1 });
  try {
    await expect(s.fetch(clusterRecordFor(c), signal())).resolves.toHaveProperty('eks.clusterArn', c.arn);
  } finally {
    s.close();
  }
});

test('fromConfig bounds a call AWS never answers with requestTimeoutMs', async () => {
  const c = fake.addCluster({ name: 'never-answers' });
  fake.inject('DescribeCluster', { kind: 'hang' });
  const s = EksFactSource.fromConfig({ credentials, endpoint: fake.endpoint, maxAttempts: 1, requestTimeoutMs: 200 });
  try {
    // AWS never answers: only the 200 ms request timeout can end this.
    const err = await failure(s.fetch(clusterRecordFor(c), signal()));
    expect(err.message).toContain('cluster "never-answers" (Secret argocd/cluster-never-answers): EKS DescribeCluster in eu-west-1 could not reach AWS');
  } finally {
    s.close();
    fake.clearFaults();
  }
});

test('fromConfig without an endpoint keeps the SDK standard configuration (AWS_ENDPOINT_URL_EKS)', async () => {
  const c = fake.addCluster({ name: 'env-endpoint' });
  const saved = process.env['AWS_ENDPOINT_URL_EKS'];
  process.env['AWS_ENDPOINT_URL_EKS'] = fake.endpoint;
  const s = EksFactSource.fromConfig({ credentials, maxAttempts: 1 });
  try {
    await expect(s.fetch(clusterRecordFor(c), signal())).resolves.toHaveProperty('eks.clusterName', 'env-endpoint');
  } finally {
    s.close();
    if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_EKS'];
    else process.env['AWS_ENDPOINT_URL_EKS'] = saved;
  }
});
