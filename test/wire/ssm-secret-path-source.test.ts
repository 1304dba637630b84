/**
 * SsmSecretPathSource over the wire: the real SSM and STS SDK clients against the local fake
 * AWS. Every parameter in the fake holds a canary value; no canary may appear in a result, an
 * error message, an error's cause chain, or the captured log output.
 */
import { rejection } from '../support/rejection.js';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GreenlightError, InputError, TimeoutError, type ClusterRecord } from '../../generator/index.js';
import { AwsCredentials } from '../../plugin/adapters/aws/aws-credentials.js';
import { EksFactSource } from '../../plugin/adapters/eks/eks-fact-source.js';
import { SsmSecretPathSource, type SsmSecretPathSourceOptions } from '../../plugin/adapters/ssm/ssm-secret-path-source.js';
import { createLogger } from '../../plugin/logger.js';
import { EKSClient } from '@aws-sdk/client-eks';
import { clusterRecordFor, FAKE_ACCOUNT_ID, type FakeAws, fakeAwsCredentials } from '../support/fake-aws.js';
import { useFakeAws } from '../support/fake-aws-suite.js';

const OTHER_ACCOUNT = '333333333333';
const ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/greenlight-ssm`;

let fake: FakeAws;
let credentials: AwsCredentials;
const canaries: string[] = [];
const logLines: string[] = [];
const logger = createLogger(
  'debug',
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
);
const opened: { close(): void }[] = [];

/** A parameter value that must never leave the adapter. */
function canary(): string {
  const value = `CANARY-${randomBytes(6).toString('hex')}`;
  canaries.push(value);
  return value;
}

function put(name: string, scope: { accountId?: string; region?: string } = {}): void {
  fake.putParameter({ name, value: canary(), ...scope });
}

function source(options: Partial<SsmSecretPathSourceOptions> = {}, maxAttempts = 1): SsmSecretPathSource {
  const s = new SsmSecretPathSource(
    { credentials, logger, ...options },
    (region, creds) => new SSMClient({ region, credentials: creds, endpoint: fake.endpoint, maxAttempts }),
  );
  opened.push(s);
  return s;
}

/** Rejects, logs the error the way the HTTP layer would, and checks it carries no value. */
async function failure(promise: Promise<unknown>): Promise<GreenlightError> {
  const err = await rejection(promise);
  logger.error({ err }, 'facts failed');
  expectNoCanary(inspect(err, { depth: 10, showHidden: true }));
  return err;
}

function expectNoCanary(text: string): void {
  for (const value of canaries) expect(text).not.toContain(value);
}

const signal = () => new AbortController().signal;
let record: ClusterRecord;

useFakeAws((f, c) => {
  fake = f;
  credentials = c;
}, opened);

beforeAll(() => {
  record = clusterRecordFor(fake.addCluster({ name: 'prod-eu-green' }));
  put('/greenlight/prod-eu-green/db/password');
  put('/greenlight/prod-eu-green/db/username');
  put('/greenlight/prod-eu-green/api-key');
  // Neighbours that must not be listed: another cluster, a name that only shares a string prefix.
  put('/greenlight/prod-eu-blue/db/password');
  put('/greenlight/prod-eu-green-old/api-key');
  // Same path in another region and another account.
  put('/greenlight/prod-eu-green/elsewhere', { region: 'us-east-1' });
  put('/greenlight/prod-eu-green/other-account', { accountId: OTHER_ACCOUNT });
});

afterAll(() => {
  // Values never reached the log, whatever happened in the tests above.
  expect(logLines.length).toBeGreaterThan(0);
  expectNoCanary(logLines.join('\n'));
});

describe('names under the cluster prefix, never values', () => {
  test('the default prefix /greenlight/<cluster>/ lists names recursively, sorted', async () => {
    fake.resetCounts();
    const facts = await source().fetch(record, signal());
    expect(facts).toEqual({
      secrets: {
        prefix: '/greenlight/prod-eu-green/',
        names: ['/greenlight/prod-eu-green/api-key', '/greenlight/prod-eu-green/db/password', '/greenlight/prod-eu-green/db/username'],
      },
    });
    expectNoCanary(JSON.stringify(facts));
    expect(fake.requests.filter((r) => r.api === 'GetParametersByPath').map((r) => r.input)).toEqual([
      { Path: '/greenlight/prod-eu-green/', Recursive: true, WithDecryption: false, MaxResults: 10 },
    ]);
  });

  test('a prefix with nothing under it gives an empty list', async () => {
    const c = clusterRecordFor(fake.addCluster({ name: 'fresh' }));
    await expect(source().fetch(c, signal())).resolves.toEqual({ secrets: { prefix: '/greenlight/fresh/', names: [] } });
  });

  test('pages are read to the end, through empty pages that still carry a NextToken', async () => {
    const c = clusterRecordFor(fake.addCluster({ name: 'paged' }));
    for (let i = 0; i < 25; i++) put(`/greenlight/paged/p${String(i).padStart(2, '0')}`);
    fake.options.ssmPageSize = 3;
    fake.options.ssmEmptyPages = 2;
    fake.resetCounts();

    const facts = await source().fetch(c, signal());

    expect(facts.secrets?.names).toHaveLength(25);
    expect(facts.secrets?.names[0]).toBe('/greenlight/paged/p00');
    expect(facts.secrets?.names[24]).toBe('/greenlight/paged/p24');
    // 9 pages with names, each after 2 empty ones.
    expect(fake.calls('GetParametersByPath')).toBe(27);
    expect(fake.requests.every((r) => r.api !== 'GetParametersByPath' || (r.input['MaxResults'] === 10 && r.input['WithDecryption'] === false))).toBe(true);
  });

  test('more pages than the bound fail with a clear message', async () => {
    const c = clusterRecordFor(fake.addCluster({ name: 'huge' }));
    for (let i = 0; i < 8; i++) put(`/greenlight/huge/p${i}`);
    fake.options.ssmPageSize = 1;
    fake.options.ssmEmptyPages = 1;
    const err = await failure(source({ maxPages: 5 }).fetch(c, signal()));
    expect(err.code).toBe('GL_FACTS_UNAVAILABLE');
    expect(err.message).toBe(
      'cluster "huge" (Secret argocd/cluster-huge): SSM GetParametersByPath under "/greenlight/huge/" in eu-west-1 still had more pages after 5 (2 names so far); ' +
        "greenlight stops there rather than answer with part of the list. Narrow the prefix, or raise greenlight's SSM page limit",
    );
  });
});

describe('the prefix template', () => {
  test('sees the cluster and its AWS account; the account is learned once with GetCallerIdentity', async () => {
    const c = clusterRecordFor(fake.addCluster({ name: 'Team_A.Cluster' }), { labels: { env: 'prod' } });
    put(`/platform/${FAKE_ACCOUNT_ID}/prod/team-a.cluster/token`);
    fake.resetCounts();
    const s = source({ prefixTemplate: '/platform/{{aws.accountId}}/{{cluster.labels.env}}/{{cluster.nameNormalized}}/' });
    const facts = await s.fetch(c, signal());
    await s.fetch(c, signal());
    expect(facts.secrets).toEqual({ prefix: `/platform/${FAKE_ACCOUNT_ID}/prod/team-a.cluster/`, names: [`/platform/${FAKE_ACCOUNT_ID}/prod/team-a.cluster/token`] });
    expect(fake.calls('GetCallerIdentity')).toBe(1);
  });

  test('with a role, the account is the role’s, and the parameters are read as the role', async () => {
    fake.allowRole(ROLE);
    const c = clusterRecordFor(fake.addCluster({ name: 'cross', accountId: OTHER_ACCOUNT }), { roleArn: ROLE });
    put(`/accounts/${OTHER_ACCOUNT}/cross/db`, { accountId: OTHER_ACCOUNT });
    fake.resetCounts();
    const facts = await source({ prefixTemplate: '/accounts/{{aws.accountId}}/{{aws.clusterName}}/' }).fetch(c, signal());
    expect(facts.secrets?.names).toEqual([`/accounts/${OTHER_ACCOUNT}/cross/db`]);
    expect(fake.calls('GetCallerIdentity')).toBe(0);
    expect(fake.requests.find((r) => r.api === 'GetParametersByPath')?.accessKeyId).toMatch(/^ASIAFAKE/);
  });

  test('a template that does not compile, does not render, or does not end with "/" fails at construction', () => {
    expect(() => source({ prefixTemplate: '/greenlight/{{cluster.name' })).toThrow(InputError);
    expect(() => source({ prefixTemplate: '/greenlight/{{cluster.nmae}}/' })).toThrow(/"cluster.nmae" is not defined/);
    expect(() => source({ prefixTemplate: '/greenlight/{{cluster.name}}' })).toThrow(/must start and end with "\/"/);
    expect(() => source({ prefixTemplate: 'greenlight/{{cluster.name}}/' })).toThrow(/must start and end with "\/"/);
  });

  test('a cluster whose name makes an invalid path fails naming the cluster and suggesting nameNormalized', async () => {
    const c = clusterRecordFor(fake.addCluster({ name: 'has space' }));
    const err = await failure(source().fetch(c, signal()));
    expect(err.code).toBe('GL_CLUSTER_INVALID');
    expect(err.message).toContain('cluster "has space" (Secret argocd/cluster-has space): the SSM prefix template "/greenlight/{{cluster.name}}/" renders to "/greenlight/has space/"');
    expect(err.message).toContain('{{cluster.nameNormalized}}');
  });
});

describe('faults: the right message, the cause kept for the facts cache, no value anywhere', () => {
  test('throttling (400 ThrottlingException)', async () => {
    fake.inject('GetParametersByPath', { kind: 'throttle' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toBe(
      'cluster "prod-eu-green" (Secret argocd/cluster-prod-eu-green): SSM GetParametersByPath in eu-west-1 was throttled by AWS (ThrottlingException, HTTP 400). ' +
        'greenlight tries again on the next request; if this lasts, refresh facts less often or ask AWS for a higher limit',
    );
    expect(err.cause).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  });

  test('throttling on a later page fails the whole list (no partial answer)', async () => {
    fake.options.ssmPageSize = 1;
    fake.inject('GetParametersByPath', { kind: 'latency', ms: 1 }, { times: 2 });
    fake.inject('GetParametersByPath', { kind: 'throttle' }, { times: 1 });
    const err = await failure(source().fetch(record, signal()));
    expect(err.cause).toMatchObject({ name: 'ThrottlingException' });
  });

  test('AccessDenied names the action, the path and the identity', async () => {
    fake.inject('GetParametersByPath', { kind: 'access-denied' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('SSM GetParametersByPath in eu-west-1 was denied (AccessDeniedException, HTTP 400)');
    expect(err.message).toContain('is not authorized to perform: ssm:GetParametersByPath on resource: arn:aws:ssm:eu-west-1:111111111111:parameter/greenlight/prod-eu-green/');
    expect(err.message).toContain(
      "Allow ssm:GetParametersByPath on arn:aws:ssm:eu-west-1:<account>:parameter/greenlight/prod-eu-green* to greenlight's own AWS identity (on a laptop, the identity of your AWS profile; in a pod, the IRSA or Pod Identity role of its ServiceAccount)",
    );
    expect(err.cause).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
  });

  test('5xx', async () => {
    fake.inject('GetParametersByPath', { kind: 'server-error' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('SSM GetParametersByPath in eu-west-1 failed on the AWS side (InternalServerError, HTTP 500)');
    expect(err.cause).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
  });

  test('a truncated body that holds a value: the value is in neither the message nor the cause', async () => {
    const secret = canary();
    fake.inject('GetParametersByPath', { kind: 'garbage', body: `{"Parameters":[{"Name":"/greenlight/prod-eu-green/x","Value":"${secret}"` });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('SSM GetParametersByPath in eu-west-1 returned a response greenlight cannot read (not the JSON AWS sends, HTTP 200)');
    expect(err.cause).toMatchObject({ name: 'SyntaxError', $metadata: { httpStatusCode: 200 } });
    expect(JSON.stringify(err.cause)).not.toContain(secret);
  });

  test('a body that is only a value, which the JSON parser quotes in full', async () => {
    const secret = canary();
    fake.inject('GetParametersByPath', { kind: 'garbage', body: secret });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('cannot read');
  });

  test('a connection reset', async () => {
    fake.inject('GetParametersByPath', { kind: 'reset' });
    const err = await failure(source().fetch(record, signal()));
    expect(err.message).toContain('SSM GetParametersByPath in eu-west-1 could not reach AWS (ECONNRESET)');
  });

  test('an abort while SSM hangs rejects at once with TimeoutError', async () => {
    fake.inject('GetParametersByPath', { kind: 'hang' });
    const controller = new AbortController();
    const pending = source().fetch(record, controller.signal);
    setTimeout(() => controller.abort(new Error('deadline')), 50);
    const err = await failure(pending);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toContain('cluster "prod-eu-green" (Secret argocd/cluster-prod-eu-green): SSM GetParametersByPath in eu-west-1 was cancelled');
  });

  test('the SDK retries a failed page when allowed to, and the answer is whole', async () => {
    fake.inject('GetParametersByPath', { kind: 'server-error', status: 503 }, { times: 1 });
    fake.resetCounts();
    const facts = await source({}, 2).fetch(record, signal());
    expect(facts.secrets?.names).toHaveLength(3);
    expect(fake.calls('GetParametersByPath')).toBe(2);
  });
});

test('EKS and SSM for the same role share one AssumeRole', async () => {
  const role = `arn:aws:iam::${OTHER_ACCOUNT}:role/shared`;
  fake.allowRole(role);
  const c = clusterRecordFor(fake.addCluster({ name: 'shared', accountId: OTHER_ACCOUNT }), { roleArn: role });
  const shared = fakeAwsCredentials(fake);
  const eks = new EksFactSource({ credentials: shared }, (region, creds) => new EKSClient({ region, credentials: creds, endpoint: fake.endpoint, maxAttempts: 1 }));
  const ssm = new SsmSecretPathSource({ credentials: shared }, (region, creds) => new SSMClient({ region, credentials: creds, endpoint: fake.endpoint, maxAttempts: 1 }));
  fake.resetCounts();
  try {
    await Promise.all([eks.fetch(c, signal()), ssm.fetch(c, signal()), eks.fetch(c, signal()), ssm.fetch(c, signal())]);
  } finally {
    eks.close();
    ssm.close();
    shared.close();
  }
  expect(fake.calls('AssumeRole')).toBe(1);
});

test('fromConfig builds real SSM clients honouring the endpoint option', async () => {
  const s = SsmSecretPathSource.fromConfig({ credentials, endpoint: fake.endpoint, maxAttempts: 1, logger });
  try {
    await expect(s.fetch(record, signal())).resolves.toHaveProperty('secrets.names.length', 3);
  } finally {
    s.close();
  }
});

test('fromConfig without an endpoint keeps the SDK standard configuration (AWS_ENDPOINT_URL_SSM)', async () => {
  const saved = process.env['AWS_ENDPOINT_URL_SSM'];
  process.env['AWS_ENDPOINT_URL_SSM'] = fake.endpoint;
  const s = SsmSecretPathSource.fromConfig({ credentials, maxAttempts: 1 });
  try {
    await expect(s.fetch(record, signal())).resolves.toHaveProperty('secrets.names.length', 3);
  } finally {
    s.close();
    if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_SSM'];
    else process.env['AWS_ENDPOINT_URL_SSM'] = saved;
  }
});
