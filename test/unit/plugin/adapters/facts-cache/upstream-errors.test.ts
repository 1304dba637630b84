import { describe, expect, it } from 'vitest';
import { TimeoutError, UpstreamError } from '../../../../../generator/index.js';
import { classifyUpstreamError, describeUpstreamError } from '../../../../../plugin/adapters/facts-cache/upstream-errors.js';
import { awsError, networkError, wrapped } from '../../../../support/in-memory-fact-source.js';

describe('classifyUpstreamError', () => {
  it.each([
    ['ThrottlingException', 400],
    ['TooManyRequestsException', 429],
    ['Throttling', 400],
    ['RequestLimitExceeded', 503],
    ['ProvisionedThroughputExceededException', 400],
  ])('sees AWS %s as throttling, wrapped or not', (name, status) => {
    expect(classifyUpstreamError(awsError(name, status))).toBe('throttled');
    expect(classifyUpstreamError(wrapped(awsError(name, status)))).toBe('throttled');
  });

  it('reads HTTP statuses: 429 is throttling, 5xx is transient, 4xx is permanent', () => {
    expect(classifyUpstreamError(wrapped(awsError('SomethingNew', 429)))).toBe('throttled');
    expect(classifyUpstreamError(wrapped(awsError('InternalFailure', 500)))).toBe('transient');
    expect(classifyUpstreamError(wrapped(awsError('ServiceUnavailable', 503)))).toBe('transient');
    expect(classifyUpstreamError(wrapped(awsError('ResourceNotFoundException', 404)))).toBe('permanent');
    // The Kubernetes client's ApiException carries the status as a numeric `code`.
    expect(classifyUpstreamError(Object.assign(new Error('HTTP-Code: 503'), { code: 503 }))).toBe('transient');
    expect(classifyUpstreamError(Object.assign(new Error('HTTP-Code: 403'), { code: 403 }))).toBe('permanent');
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT'])('sees the network error %s as transient, deep in the cause chain', (code) => {
    const fetchFailed = new TypeError('fetch failed', { cause: networkError(code) });
    expect(classifyUpstreamError(wrapped(fetchFailed))).toBe('transient');
  });

  it('sees timeouts as such, and AccessDenied, validation errors and unknowns as permanent', () => {
    expect(classifyUpstreamError(new TimeoutError('GL_DEADLINE_EXCEEDED', 'eks gave no answer within 10s'))).toBe('timeout');
    expect(classifyUpstreamError(wrapped(awsError('AccessDeniedException', 400)))).toBe('permanent');
    expect(classifyUpstreamError(wrapped(awsError('ValidationException', 400)))).toBe('permanent');
    expect(classifyUpstreamError(new UpstreamError('GL_FACTS_UNAVAILABLE', 'unexpected answer'))).toBe('permanent');
    expect(classifyUpstreamError('a string')).toBe('permanent');
    expect(classifyUpstreamError(undefined)).toBe('permanent');
  });

  it('honours the AWS SDK `$retryable` marker', () => {
    expect(classifyUpstreamError(Object.assign(new Error('x'), { name: 'Odd', $retryable: { throttling: true } }))).toBe('throttled');
    expect(classifyUpstreamError(Object.assign(new Error('x'), { name: 'Odd', $retryable: {} }))).toBe('transient');
  });

  it('survives a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(classifyUpstreamError(a)).toBe('permanent');
  });
});

describe('describeUpstreamError', () => {
  it('uses the outer message, which adapters write to name what failed', () => {
    expect(describeUpstreamError(wrapped(awsError('AccessDeniedException', 403), 'DescribeCluster of "green" was denied'))).toBe(
      'DescribeCluster of "green" was denied: AccessDeniedException from the fake upstream',
    );
    expect(describeUpstreamError(Object.assign(new Error(''), { name: 'ThrottlingException' }))).toBe('ThrottlingException');
    expect(describeUpstreamError(42)).toBe('unknown error');
  });
});
