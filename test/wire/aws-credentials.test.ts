/**
 * AwsCredentials over the wire: the real STS client (query protocol, XML) against the local
 * fake AWS. AssumeRole is cached per role, refreshed before expiry, never cached on failure.
 */
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GreenlightError, UpstreamError } from '../../generator/index.js';
import { AwsCredentials, type AwsCredentialsOptions } from '../../plugin/adapters/aws/aws-credentials.js';
import { FAKE_ACCESS_KEY_ID, FAKE_ACCOUNT_ID, FAKE_CREDENTIALS, fakeClientConfig, startFakeAws, type FakeAws, fakeAwsCredentials } from '../support/fake-aws.js';

const ROLE = 'arn:aws:iam::222222222222:role/greenlight-reader';

let fake: FakeAws;
const opened: AwsCredentials[] = [];
let clock = Date.now();

/** Credentials with a controllable clock and the STS client pointed at the fake. */
function credentials(options: Partial<AwsCredentialsOptions> = {}): AwsCredentials {
  const c = new AwsCredentials({ base: async () => FAKE_CREDENTIALS, now: () => clock, ...options }, new STSClient(fakeClientConfig(fake)));
  opened.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<GreenlightError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GreenlightError);
  return err as GreenlightError;
}

beforeAll(async () => {
  fake = await startFakeAws();
  fake.allowRole(ROLE);
});

afterEach(() => {
  fake.clearFaults();
  fake.resetCounts();
  fake.options.credentialLifetimeSeconds = undefined;
  clock = Date.now();
});

afterAll(async () => {
  for (const c of opened) c.close();
  expect(fake.signatureFailures).toEqual([]);
  await fake.close();
});

describe('credentialsFor', () => {
  test('without a role: greenlight’s own credentials, no STS call', async () => {
    const provider = credentials().credentialsFor(undefined);
    await expect(provider()).resolves.toEqual(FAKE_CREDENTIALS);
    expect(fake.calls('AssumeRole')).toBe(0);
  });

  test('with a role: one AssumeRole named "greenlight", shared by concurrent and later callers', async () => {
    const creds = credentials();
    const results = await Promise.all([creds.credentialsFor(ROLE)(), creds.credentialsFor(ROLE)(), creds.credentialsFor(ROLE)()]);
    await creds.credentialsFor(ROLE)();
    expect(fake.calls('AssumeRole')).toBe(1);
    expect(new Set(results.map((r) => r.accessKeyId)).size).toBe(1);
    expect(results[0]?.accessKeyId).toMatch(/^ASIAFAKE/);
    expect(results[0]?.sessionToken).toBeTruthy();
    expect(results[0]?.expiration).toBeInstanceOf(Date);
    expect(fake.requests.find((r) => r.api === 'AssumeRole')?.input).toMatchObject({ RoleArn: ROLE, RoleSessionName: 'greenlight' });
    // STS itself was called with greenlight's own key.
    expect(fake.requests.find((r) => r.api === 'AssumeRole')?.accessKeyId).toBe(FAKE_ACCESS_KEY_ID);
  });

  test('the session is refreshed before it expires, not after', async () => {
    fake.options.credentialLifetimeSeconds = 900;
    const creds = credentials({ refreshBeforeExpiryMs: 5 * 60_000 });
    const provider = creds.credentialsFor(ROLE);
    const first = await provider();
    const expiresAt = first.expiration?.getTime() ?? 0;

    clock = expiresAt - 6 * 60_000;
    expect((await provider()).accessKeyId).toBe(first.accessKeyId);
    expect(fake.calls('AssumeRole')).toBe(1);

    clock = expiresAt - 4 * 60_000;
    const second = await provider();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(fake.calls('AssumeRole')).toBe(2);
  });

  test('if the early refresh fails, the still-valid session is served; once expired, the failure shows', async () => {
    fake.options.credentialLifetimeSeconds = 900;
    const provider = credentials().credentialsFor(ROLE);
    const first = await provider();
    const expiresAt = first.expiration?.getTime() ?? 0;
    fake.inject('AssumeRole', { kind: 'server-error' });

    clock = expiresAt - 60_000;
    expect((await provider()).accessKeyId).toBe(first.accessKeyId);

    clock = expiresAt + 1;
    const err = await rejection(provider());
    expect(err.message).toContain(`STS AssumeRole of ${ROLE} failed on the AWS side (InternalFailure, HTTP 500)`);
  });

  test('a denied AssumeRole is not cached: once the trust is fixed, the next call succeeds', async () => {
    const role = 'arn:aws:iam::222222222222:role/not-yet-trusted';
    const provider = credentials().credentialsFor(role);
    const err = await rejection(provider());
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toBe(
      `STS AssumeRole of ${role} was denied (AccessDenied, HTTP 403): User: arn:aws:iam::111111111111:user/greenlight-fake is not authorized to perform: sts:AssumeRole on resource: ${role}. ` +
        `Allow sts:AssumeRole on ${role} to greenlight's own AWS identity (on a laptop, the identity of your AWS profile; in a pod, the IRSA or Pod Identity role of its ServiceAccount), and make ${role}'s trust policy trust that identity`,
    );
    expect(err.cause).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    fake.allowRole(role);
    await expect(provider()).resolves.toHaveProperty('accessKeyId', expect.stringMatching(/^ASIAFAKE/));
  });

  test('an invalid role ARN fails without calling STS', async () => {
    const err = await rejection(credentials().credentialsFor('arn:aws:iam::12345:role/short-account')());
    expect(err.code).toBe('GL_CLUSTER_INVALID');
    expect(err.message).toContain('is not an IAM role ARN');
    expect(fake.calls('AssumeRole')).toBe(0);
  });

  test('an STS answer without credentials is refused', async () => {
    fake.inject('AssumeRole', { kind: 'garbage', body: '<AssumeRoleResponse><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>' });
    const err = await rejection(credentials().credentialsFor(ROLE)());
    expect(err.message).toContain(`STS AssumeRole of ${ROLE} returned an answer greenlight cannot use: Credentials:`);
  });

  test('when greenlight has no credentials of its own, the message says how to give it some', async () => {
    const noCredentials: AwsCredentialIdentityProvider = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    };
    const creds = new AwsCredentials({ base: noCredentials }, new STSClient({ ...fakeClientConfig(fake), credentials: noCredentials }));
    opened.push(creds);
    const own = await rejection(creds.credentialsFor()());
    expect(own.message).toContain('greenlight found no AWS credentials of its own (CredentialsProviderError). On a laptop, sign in (aws sso login; aws configure sso sets up a profile) or set AWS_PROFILE to a profile in ~/.aws/config; in a pod, give its ServiceAccount an IRSA or Pod Identity role');
    const assumed = await rejection(creds.credentialsFor(ROLE)());
    expect(assumed.message).toContain(`STS AssumeRole of ${ROLE} failed: greenlight found no AWS credentials`);
  });
});

describe('accountIdFor', () => {
  test('a role’s account comes from its ARN, without STS', async () => {
    await expect(credentials().accountIdFor(ROLE)).resolves.toBe('222222222222');
    expect(fake.calls('GetCallerIdentity')).toBe(0);
  });

  test('greenlight’s own account comes from GetCallerIdentity, asked once', async () => {
    const creds = credentials();
    await expect(Promise.all([creds.accountIdFor(), creds.accountIdFor()])).resolves.toEqual([FAKE_ACCOUNT_ID, FAKE_ACCOUNT_ID]);
    await creds.accountIdFor();
    expect(fake.calls('GetCallerIdentity')).toBe(1);
  });

  test('a failed GetCallerIdentity is not cached', async () => {
    const creds = credentials();
    fake.inject('GetCallerIdentity', { kind: 'throttle' }, { times: 1 });
    const err = await rejection(creds.accountIdFor());
    expect(err.message).toContain('STS GetCallerIdentity (to learn greenlight\'s own AWS account) was throttled by AWS (Throttling, HTTP 400)');
    await expect(creds.accountIdFor()).resolves.toBe(FAKE_ACCOUNT_ID);
  });
});

test('fromConfig: the STS endpoint override works', async () => {
  const creds = fakeAwsCredentials(fake);
  opened.push(creds);
  await expect(creds.credentialsFor(ROLE)()).resolves.toHaveProperty('accessKeyId', expect.stringMatching(/^ASIAFAKE/));
  expect(fake.calls('AssumeRole')).toBe(1);
});

test('fromConfig bounds an AssumeRole STS never answers (providers get no abort signal)', async () => {
  const creds = AwsCredentials.fromConfig({
    base: async () => FAKE_CREDENTIALS,
    stsRegion: 'eu-west-1',
    stsEndpoint: fake.endpoint,
    maxAttempts: 1,
    requestTimeoutMs: 200,
  });
  opened.push(creds);
  fake.inject('AssumeRole', { kind: 'hang' }, { times: 1 });
  // STS never answers: only the 200 ms request timeout can end this.
  const err = await rejection(creds.credentialsFor(ROLE)());
  expect(err.message).toContain(`STS AssumeRole of ${ROLE} could not reach AWS (ETIMEDOUT)`);
  // The hung attempt is not cached: the next call gets a session.
  await expect(creds.credentialsFor(ROLE)()).resolves.toHaveProperty('accessKeyId', expect.stringMatching(/^ASIAFAKE/));
});
