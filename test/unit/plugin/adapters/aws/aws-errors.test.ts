import { expect, test } from 'vitest';
import { TimeoutError, UpstreamError, type ClusterRecord } from '../../../../../generator/index.js';
import { classifyAwsError, scrubbedSdkError, toAwsCallError, type AwsCallContext } from '../../../../../plugin/adapters/aws/aws-errors.js';

/** Shaped like AWS SDK v3 errors (what the SDK throws), built by hand: no SDK module is mocked. */
const sdkError = (name: string, status: number | undefined, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} message`), { name, $fault: 'client', $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });

const cluster: ClusterRecord = { name: 'c1', server: 'https://x', project: 'default', labels: {}, annotations: {}, origin: 'Secret argocd/c1' };
const ctx: AwsCallContext = { cluster, service: 'EKS', api: 'DescribeCluster', region: 'eu-west-1', iamAction: 'eks:DescribeCluster', resource: 'arn:x', quoteAwsMessage: true };

test.each([
  [sdkError('ThrottlingException', 400), 'throttled'],
  [sdkError('TooManyRequestsException', 429), 'throttled'],
  [sdkError('Throttling', 400), 'throttled'],
  [sdkError('RequestLimitExceeded', 503), 'throttled'],
  [sdkError('Whatever', 429), 'throttled'],
  [sdkError('AccessDeniedException', 403), 'access-denied'],
  [sdkError('AccessDenied', 403), 'access-denied'],
  [sdkError('ExpiredTokenException', 403), 'bad-credentials'],
  [sdkError('ResourceNotFoundException', 404), 'not-found'],
  [sdkError('ServerException', 500), 'server'],
  [sdkError('Unknown', 502), 'server'],
  [Object.assign(new SyntaxError('Unexpected token'), { $metadata: { httpStatusCode: 200 } }), 'unreadable'],
  [Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' }), 'network'],
  [Object.assign(new Error('x'), { name: 'CredentialsProviderError' }), 'no-credentials'],
  [new Error('Region is missing'), 'no-region'],
  [new Error('boom'), 'other'],
])('%o is %s', (err, kind) => {
  expect(classifyAwsError(err)).toBe(kind);
});

test('the SDK error is the cause, untouched', () => {
  const cause = sdkError('ThrottlingException', 429);
  const err = toAwsCallError(cause, ctx);
  expect(err).toBeInstanceOf(UpstreamError);
  expect(err.cause).toBe(cause);
});

test('an aborted signal wins over the error kind', () => {
  const err = toAwsCallError(sdkError('ThrottlingException', 429), ctx, { aborted: true });
  expect(err).toBeInstanceOf(TimeoutError);
  expect(err.code).toBe('GL_DEADLINE_EXCEEDED');
});

test('AWS messages are not quoted when the source forbids it, except access denied', () => {
  const quiet = { ...ctx, quoteAwsMessage: false };
  expect(toAwsCallError(sdkError('InternalServerError', 500), quiet).message).not.toContain('InternalServerError message');
  expect(toAwsCallError(sdkError('AccessDeniedException', 400), quiet).message).toContain('AccessDeniedException message');
});

test('a parser error is never quoted, even where AWS messages are', () => {
  const parse = Object.assign(new SyntaxError('Unexpected token \'s\', "secret-value" is not valid JSON'), { $metadata: { httpStatusCode: 200 } });
  expect(toAwsCallError(parse, ctx).message).not.toContain('secret-value');
});

test('scrubbedSdkError keeps name, $metadata, $fault and code, drops message, stack and $response', () => {
  const original = Object.assign(new SyntaxError('Unexpected token, "hunter2" is not valid JSON'), {
    $metadata: { httpStatusCode: 200, requestId: 'r' },
    $fault: 'client',
    $responseBodyText: 'hunter2',
  });
  Object.defineProperty(original, '$response', { value: { body: 'hunter2' }, enumerable: false });
  const copy = scrubbedSdkError(original);
  expect(copy).toMatchObject({ name: 'SyntaxError', $metadata: { httpStatusCode: 200, requestId: 'r' }, $fault: 'client' });
  expect(JSON.stringify(copy)).not.toContain('hunter2');
  expect(`${copy.message} ${copy.stack}`).not.toContain('hunter2');
  expect('$response' in copy).toBe(false);
});
