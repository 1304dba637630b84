/** The fake AWS itself: it refuses what real AWS refuses, so that passing tests mean something. */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { FAKE_ACCESS_KEY_ID, fakeClientConfig, startFakeAws, type FakeAws } from '../support/fake-aws.js';

let fake: FakeAws;
let eks: EKSClient;

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Record<string, unknown>;
}

beforeAll(async () => {
  fake = await startFakeAws();
  fake.addCluster({ name: 'c1' });
  eks = new EKSClient(fakeClientConfig(fake));
});

afterEach(() => {
  fake.clearFaults();
  fake.rateLimit('DescribeCluster', undefined);
  fake.rateLimit('all', undefined);
  fake.resetCounts();
  fake.signatureFailures.length = 0;
});

afterAll(async () => {
  eks.destroy();
  await fake.close();
});

describe('SigV4', () => {
  test('a request signed with the wrong secret is refused like AWS refuses it', async () => {
    const wrong = new EKSClient({ ...fakeClientConfig(fake), credentials: { accessKeyId: FAKE_ACCESS_KEY_ID, secretAccessKey: 'not-the-fake-secret' } });
    const err = await rejection(wrong.send(new DescribeClusterCommand({ name: 'c1' })));
    wrong.destroy();
    expect(err).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    expect(fake.signatureFailures).toEqual(['signature mismatch for GET /clusters/c1 (eks)']);
  });

  test('an unknown access key is refused', async () => {
    const stranger = new SSMClient({ ...fakeClientConfig(fake), credentials: { accessKeyId: 'AKIAFAKEUNKNOWN00000', secretAccessKey: 'fake-secret-not-real' } });
    const err = await rejection(stranger.send(new GetParametersByPathCommand({ Path: '/x/' })));
    stranger.destroy();
    expect(err).toMatchObject({ name: 'UnrecognizedClientException' });
  });

  test('an unsigned request is refused', async () => {
    const res = await fetch(`${fake.endpoint}/clusters/c1`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException/);
    expect(fake.signatureFailures).toHaveLength(1);
  });

  test('a correctly signed request, including a session token, passes', async () => {
    fake.allowRole('arn:aws:iam::111111111111:role/r');
    const sts = new STSClient(fakeClientConfig(fake));
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/r', RoleSessionName: 'greenlight' }));
    sts.destroy();
    const session = new EKSClient({
      ...fakeClientConfig(fake),
      credentials: { accessKeyId: Credentials?.AccessKeyId ?? '', secretAccessKey: Credentials?.SecretAccessKey ?? '', sessionToken: Credentials?.SessionToken ?? '' },
    });
    await expect(session.send(new DescribeClusterCommand({ name: 'c1' }))).resolves.toHaveProperty('cluster.name', 'c1');
    session.destroy();
    expect(fake.signatureFailures).toEqual([]);
  });

  test('an expired session is refused', async () => {
    fake.allowRole('arn:aws:iam::111111111111:role/short');
    fake.options.credentialLifetimeSeconds = 0;
    const sts = new STSClient(fakeClientConfig(fake));
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/short', RoleSessionName: 'greenlight' }));
    sts.destroy();
    fake.options.credentialLifetimeSeconds = undefined;
    const session = new EKSClient({
      ...fakeClientConfig(fake),
      credentials: { accessKeyId: Credentials?.AccessKeyId ?? '', secretAccessKey: Credentials?.SecretAccessKey ?? '', sessionToken: Credentials?.SessionToken ?? '' },
    });
    const err = await rejection(session.send(new DescribeClusterCommand({ name: 'c1' })));
    session.destroy();
    expect(err).toMatchObject({ name: 'ExpiredTokenException' });
  });
});

describe('rate limits, latency and counters', () => {
  test('a per-API rate limit throttles what exceeds it, with the service’s real error', async () => {
    // A burst of 5 and a refill of one token per 1,000 s: exactly 5 answered, however busy the machine.
    fake.rateLimit('DescribeCluster', 0.001, 5);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => eks.send(new DescribeClusterCommand({ name: 'c1' }))));
    const throttled = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(5);
    expect(throttled.length).toBe(5);
    expect((throttled[0] as PromiseRejectedResult).reason).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect(fake.calls('DescribeCluster')).toBe(10);
  });

  test('a global rate limit covers every API', async () => {
    fake.rateLimit('all', 0.001, 2);
    const ssm = new SSMClient(fakeClientConfig(fake));
    const results = await Promise.allSettled([
      eks.send(new DescribeClusterCommand({ name: 'c1' })),
      eks.send(new DescribeClusterCommand({ name: 'c1' })),
      ssm.send(new GetParametersByPathCommand({ Path: '/x/' })),
      ssm.send(new GetParametersByPathCommand({ Path: '/x/' })),
    ]);
    ssm.destroy();
    expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThanOrEqual(1);
  });

  test('latency delays the answer; counts are per API', async () => {
    fake.inject('DescribeCluster', { kind: 'latency', ms: 80 }, { times: 1 });
    const started = Date.now();
    await eks.send(new DescribeClusterCommand({ name: 'c1' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    await eks.send(new DescribeClusterCommand({ name: 'c1' }));
    expect(fake.callCounts()).toMatchObject({ DescribeCluster: 2, GetParametersByPath: 0 });
  });

  test('SSM MaxResults above 10 is a ValidationException, as in AWS', async () => {
    const ssm = new SSMClient(fakeClientConfig(fake));
    const err = await rejection(ssm.send(new GetParametersByPathCommand({ Path: '/x/', MaxResults: 50 })));
    ssm.destroy();
    expect(err).toMatchObject({ name: 'ValidationException' });
  });
});
