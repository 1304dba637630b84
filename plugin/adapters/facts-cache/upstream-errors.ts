/**
 * @module Which upstream failures are worth retrying. Adapters wrap SDK and client errors in
 * `UpstreamError` with the original as `cause`, so the whole cause chain is read: the outer
 * error names the cluster, the inner one says whether AWS or the network asked us to slow down.
 */
import { GreenlightError } from '../../../generator/index.js';
import { quoteUpstream } from '../upstream-text.js';

/**
 * - `throttled`: the upstream asked us to slow down (retry after a backoff).
 * - `transient`: a 5xx or a network failure (retry after a backoff).
 * - `timeout`: no answer in time (retry after a backoff).
 * - `permanent`: anything else, e.g. AccessDenied or a missing cluster: retrying cannot help.
 */
export type UpstreamErrorClass = 'throttled' | 'transient' | 'timeout' | 'permanent';

export const UPSTREAM_ERROR_CLASSES: readonly UpstreamErrorClass[] = ['throttled', 'transient', 'timeout', 'permanent'];

/** AWS error names that mean "slow down"; the AWS SDK's own list (`THROTTLING_ERROR_CODES`). */
export const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

/** Error names of timeouts (the AWS SDK's, and greenlight's own `TimeoutError`). */
export const TIMEOUT_ERROR_NAMES: ReadonlySet<string> = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Node and undici error codes of a connection that failed on the way, not at the far end. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const MAX_CAUSE_DEPTH = 8;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The HTTP status an error carries: AWS SDK `$metadata`, Kubernetes client `code`, or `statusCode`/`status`. */
function httpStatus(err: unknown): number | undefined {
  for (const candidate of [field(field(err, '$metadata'), 'httpStatusCode'), field(err, 'statusCode'), field(err, 'status'), field(err, 'code')]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100 && candidate <= 599) return candidate;
  }
  return undefined;
}

function classifyOne(err: unknown): UpstreamErrorClass | undefined {
  const name = field(err, 'name');
  const code = field(err, 'code');
  const retryable = field(err, '$retryable');
  const status = httpStatus(err);
  if (typeof name === 'string' && THROTTLING_ERROR_NAMES.has(name)) return 'throttled';
  if (typeof code === 'string' && THROTTLING_ERROR_NAMES.has(code)) return 'throttled';
  if (status === 429) return 'throttled';
  if (field(retryable, 'throttling') === true) return 'throttled';
  if (typeof name === 'string' && TIMEOUT_ERROR_NAMES.has(name)) return 'timeout';
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return 'transient';
  if (status !== undefined && status >= 500) return 'transient';
  if (typeof retryable === 'object' && retryable !== null) return 'transient';
  return undefined;
}

/**
 * Classifies an upstream failure by walking `err`, `err.cause`, `err.cause.cause`, … and
 * returning the first retryable class found; `permanent` when none is.
 *
 * @example
 * const sdk = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
 * classifyUpstreamError(new UpstreamError('GL_FACTS_UNAVAILABLE', 'DescribeCluster failed', { cause: sdk })); // 'throttled'
 */
export function classifyUpstreamError(err: unknown): UpstreamErrorClass {
  const seen = new Set<unknown>();
  let current: unknown = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== undefined && current !== null && !seen.has(current); depth++) {
    seen.add(current);
    const found = classifyOne(current);
    if (found) return found;
    current = field(current, 'cause');
  }
  return 'permanent';
}

/** Whether a failure of this class may be retried. */
export function isRetryable(errorClass: UpstreamErrorClass): boolean {
  return errorClass !== 'permanent';
}

/**
 * The failure in one line for an operator: the outer message (adapters name what failed, and
 * quote upstream text through `quoteUpstream`), else the name. Anything that is not a greenlight
 * error may be an upstream's own text: it is quoted the same way (bounded, scrubbed).
 */
export function describeUpstreamError(err: unknown): string {
  if (err instanceof GreenlightError) return err.message.trim() !== '' ? err.message : err.name;
  if (err instanceof Error) return err.message.trim() !== '' ? quoteUpstream(err.message) : err.name;
  if (typeof err === 'string' && err !== '') return quoteUpstream(err);
  return 'unknown error';
}
