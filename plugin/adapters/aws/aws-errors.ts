/**
 * @module How AWS SDK failures become greenlight errors. Every message names the cluster, the
 * AWS API and region, and says what to do; the SDK error stays as `cause` with its `name` and
 * `$metadata.httpStatusCode`, which the facts cache reads to tell throttling from the rest.
 */
import { GreenlightError, TimeoutError, UpstreamError, type ClusterRecord } from '../../../generator/index.js';
import { quoteUpstream } from '../upstream-text.js';

/** The names AWS uses for throttling, across protocols (the SDK's retry classifier agrees). */
export const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

const ACCESS_DENIED_NAMES: ReadonlySet<string> = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthorizationError']);
const BAD_CREDENTIALS_NAMES: ReadonlySet<string> = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** What to do without credentials, wherever greenlight runs. */
export const NO_CREDENTIALS_ADVICE =
  'On a laptop, sign in (aws sso login; aws configure sso sets up a profile) or set AWS_PROFILE to a profile in ~/.aws/config; in a pod, give its ServiceAccount an IRSA or Pod Identity role';

/** What kind of failure an SDK error is, as far as an operator's next step goes. */
export type AwsFailureKind =
  | 'access-denied'
  | 'bad-credentials'
  | 'no-credentials'
  | 'no-region'
  | 'not-found'
  | 'throttled'
  | 'server'
  | 'network'
  | 'unreadable'
  | 'other';

interface SdkErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly attempts?: unknown };
  readonly $responseBodyText?: unknown;
}

function asSdkError(err: unknown): SdkErrorLike {
  return typeof err === 'object' && err !== null ? (err as SdkErrorLike) : {};
}

/** The HTTP status of an SDK error, when AWS answered. */
export function httpStatusOf(err: unknown): number | undefined {
  const status = asSdkError(err).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Classifies an SDK error (or a Node network error) by what the operator should do about it. */
export function classifyAwsError(err: unknown): AwsFailureKind {
  const e = asSdkError(err);
  const name = typeof e.name === 'string' ? e.name : '';
  const status = httpStatusOf(err);
  if (name === 'CredentialsProviderError' || name === 'ProviderError') return 'no-credentials';
  // The SDK's config resolution: no region given and none in AWS_REGION or the profile.
  if (typeof e.message === 'string' && e.message === 'Region is missing') return 'no-region';
  if (THROTTLING_NAMES.has(name) || status === 429) return 'throttled';
  if (ACCESS_DENIED_NAMES.has(name)) return 'access-denied';
  if (BAD_CREDENTIALS_NAMES.has(name)) return 'bad-credentials';
  if (name === 'ResourceNotFoundException' || name === 'NotFoundException') return 'not-found';
  if (status !== undefined && status >= 500) return 'server';
  // The SDK's deserialization errors: a JSON/XML parser failed on the body.
  if (name === 'SyntaxError' || e.$responseBodyText !== undefined || (typeof err === 'object' && err !== null && '$response' in err)) return 'unreadable';
  if (status === 403) return 'access-denied';
  if (status === 404) return 'not-found';
  if ((typeof e.code === 'string' && NETWORK_CODES.has(e.code)) || name === 'TimeoutError' || name === 'RequestTimeout') return 'network';
  return 'other';
}

/** What a message about one failed AWS call says, besides who called. */
export interface AwsCallDescription {
  /** `EKS`, `SSM`, `STS`: also how the contract suite finds the source in the message. */
  readonly service: string;
  readonly api: string;
  /** Role assumed for this cluster (`awsAuthConfig.roleARN`), when there is one. */
  readonly roleArn?: string | undefined;
  /** The IAM action the call needs, e.g. `eks:DescribeCluster`. */
  readonly iamAction: string;
  /** The resource the action is on, e.g. a cluster ARN or `cluster "x" in eu-west-1`. */
  readonly resource: string;
  /** What to do when access is denied, when "Allow <action> on <resource> to <who>" is not enough. */
  readonly accessDeniedAdvice?: string | undefined;
  /** What a 404 means for this call, e.g. the clusterName in awsAuthConfig is wrong. */
  readonly notFoundAdvice?: string | undefined;
  /**
   * Whether AWS's own message may be quoted. SSM passes false (access denied is still quoted:
   * it names the path, never a value): a response greenlight cannot parse may carry parameter
   * values, and the JSON parser quotes what it could not parse.
   */
  readonly quoteAwsMessage: boolean;
  /**
   * Keep a scrubbed copy of the SDK error as `cause` (see `scrubbedSdkError`) instead of the
   * error itself. SSM sets it: a malformed response may hold values, and the SDK keeps it.
   */
  readonly scrubCause?: boolean;
}

/** Everything a message about one failed AWS call for a cluster needs. */
export interface AwsCallContext extends AwsCallDescription {
  readonly cluster: ClusterRecord;
  readonly region: string;
}

/** Who the call ran as, in words an operator can act on. */
export function identityPhrase(roleArn: string | undefined): string {
  return roleArn
    ? `the role ${roleArn} that greenlight assumes for this cluster (awsAuthConfig.roleARN)`
    : "greenlight's own AWS identity (on a laptop, the identity of your AWS profile; in a pod, the IRSA or Pod Identity role of its ServiceAccount)";
}

/** `cluster "name" (Secret argocd/x)`: how every message about a cluster starts. */
export function clusterLabel(cluster: ClusterRecord): string {
  return cluster.origin ? `cluster "${cluster.name}" (${cluster.origin})` : `cluster "${cluster.name}"`;
}

/** AWS's own message, only from errors AWS modeled (`$fault` set), never from a parser's complaint. */
function awsMessage(err: unknown): string {
  if (asSdkError(err).$fault === undefined) return '';
  const message = asSdkError(err).message;
  if (typeof message !== 'string' || message.trim() === '' || message === 'UnknownError') return '';
  return quoteUpstream(message);
}

function errorName(err: unknown): string {
  const name = asSdkError(err).name;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}

function statusSuffix(err: unknown): string {
  const status = httpStatusOf(err);
  return status === undefined ? '' : `, HTTP ${status}`;
}

/**
 * One operator-readable sentence about a failed AWS call, starting with `subject`
 * (e.g. `cluster "x": EKS DescribeCluster in eu-west-1`) and ending with what to do.
 */
export function describeAwsFailure(err: unknown, d: AwsCallDescription, subject: string): string {
  const kind = classifyAwsError(err);
  const quoted = d.quoteAwsMessage || kind === 'access-denied' ? awsMessage(err) : '';
  const said = quoted === '' ? '' : `: ${quoted}`;
  const who = identityPhrase(d.roleArn);
  const what = `${errorName(err)}${statusSuffix(err)}`;
  switch (kind) {
    case 'access-denied':
      return `${subject} was denied (${what})${said}. ${d.accessDeniedAdvice ?? `Allow ${d.iamAction} on ${d.resource} to ${who}`}`;
    case 'bad-credentials':
      return `${subject} rejected greenlight's credentials (${what})${said}. Check ${who}: its credentials are invalid or expired`;
    case 'no-credentials':
      return `${subject} failed: greenlight found no AWS credentials${said}. ${NO_CREDENTIALS_ADVICE}`;
    case 'no-region':
      return `${subject} failed: no AWS region is configured for ${d.service}. Set greenlight's ${d.service} region (or AWS_REGION)`;
    case 'not-found':
      return `${subject} found nothing (${what})${said}. ${d.notFoundAdvice ?? `${d.resource} does not exist`}`;
    case 'throttled':
      return `${subject} was throttled by AWS (${what}). greenlight tries again on the next request; if this lasts, refresh facts less often or ask AWS for a higher limit`;
    case 'server':
      return `${subject} failed on the AWS side (${what})${said}. This is usually transient; greenlight tries again on the next request`;
    case 'network':
      return `${subject} could not reach AWS (${describeNetworkError(err)}). Check the network path (VPC endpoints, proxy, DNS) from greenlight to the ${d.service} endpoint`;
    case 'unreadable':
      return `${subject} returned a response greenlight cannot read (${d.quoteAwsMessage ? what : `not the JSON AWS sends${statusSuffix(err)}`}). Check that greenlight's ${d.service} endpoint is the real AWS API (or a proxy that passes it through unchanged)`;
    default:
      return `${subject} failed (${what})${said}`;
  }
}

/**
 * Turns whatever an AWS call threw into an `UpstreamError` (or `TimeoutError` when the
 * request's signal aborted it). Errors from the credentials layer are already greenlight
 * errors: they are re-worded with the cluster and API, and their SDK cause is kept.
 */
export function toAwsCallError(err: unknown, ctx: AwsCallContext, signal?: { readonly aborted: boolean }): GreenlightError {
  const where = `${clusterLabel(ctx.cluster)}: ${ctx.service} ${ctx.api} in ${ctx.region}`;
  const keep = (cause: unknown) => (ctx.scrubCause ? scrubbedSdkError(cause) : cause);
  if (signal?.aborted || errorName(err) === 'AbortError') return cancelledError(where, keep(err));
  if (err instanceof GreenlightError) {
    // From the credentials layer (AssumeRole, default chain): keep its SDK cause for the facts cache.
    return new UpstreamError(err.code, `${where} could not get AWS credentials: ${err.message}`, { cause: keep(err.cause ?? err) });
  }
  return new UpstreamError('GL_FACTS_UNAVAILABLE', describeAwsFailure(err, ctx, where), { cause: keep(err) });
}

/** The error for work cut off by the request's signal. */
export function cancelledError(where: string, cause?: unknown): TimeoutError {
  return new TimeoutError(
    'GL_DEADLINE_EXCEEDED',
    `${where} was cancelled before AWS answered (the request deadline passed or the caller went away)`,
    cause === undefined ? undefined : { cause },
  );
}

function describeNetworkError(err: unknown): string {
  const e = asSdkError(err);
  if (typeof e.code === 'string') return e.code;
  return errorName(err);
}

/**
 * A copy of an SDK error that keeps what the facts cache reads (`name`, `$metadata`, `$fault`)
 * and drops everything that may quote a response body (`message`, `stack`, `$response`,
 * `$responseBodyText`). The SSM adapter keeps this as `cause` so that a parameter value in a
 * malformed response can never reach a log line through the error chain.
 */
export function scrubbedSdkError(err: unknown): Error {
  const e = asSdkError(err);
  const name = errorName(err);
  const status = httpStatusOf(err);
  const copy = new Error(`${name}${status === undefined ? '' : ` (HTTP ${status})`}`);
  copy.name = name;
  copy.stack = `${name}: ${copy.message}`;
  const metadata = e.$metadata;
  const extra: Record<string, unknown> = {};
  if (metadata !== undefined) extra['$metadata'] = { ...metadata };
  if (e.$fault !== undefined) extra['$fault'] = e.$fault;
  if (typeof e.code === 'string') extra['code'] = e.code;
  return Object.assign(copy, extra);
}
