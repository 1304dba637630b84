/**
 * @module The closed set of errors greenlight raises. Each has a stable `code` and a `kind`;
 * `plugin/http/error-handler.ts` is the only place that turns a kind into an HTTP status.
 * Messages are read by operators in `kubectl describe applicationset`: they name the cluster,
 * the source and what to do, and never carry a secret.
 */

export type ErrorKind =
  | 'input'
  | 'unsupported-media-type'
  | 'payload-too-large'
  | 'authentication'
  | 'not-allowed'
  | 'not-found'
  | 'method-not-allowed'
  | 'unavailable'
  | 'upstream'
  | 'timeout'
  | 'internal';

/** Stable codes, documented in the README. */
export const ERROR_CODES = {
  GL_REQUEST_INVALID: 'the request is not what Argo CD sends (body, or the proxy extension headers)',
  GL_INPUT_INVALID: 'input.parameters does not match the schema',
  GL_TEMPLATE_INVALID: 'a vars template does not compile',
  GL_TEMPLATE_FAILED: 'a vars template failed for a cluster (usually a key the cluster does not have)',
  GL_TEMPLATE_BUDGET_EXCEEDED: "rendering a request's vars templates went over the render budget (steps, output or time)",
  GL_UNSUPPORTED_MEDIA_TYPE: 'the body is not application/json',
  GL_BODY_TOO_LARGE: 'the body is larger than GREENLIGHT_MAX_BODY_BYTES',
  GL_AUTH_MISSING: 'no bearer token (or, for /api/v1/facts, no proxy-extension secret header) was sent',
  GL_AUTH_INVALID: 'the bearer token (or the proxy-extension secret) is wrong',
  GL_AUTH_UNRESOLVED_SECRET: 'Argo CD sent its unresolved $secret:key reference: the key is missing',
  GL_CLUSTER_NOT_FOUND: 'a cluster named in the input is not in the inventory',
  GL_SELECTION_EMPTY: 'the selection matched no cluster and allowEmpty is not set',
  GL_ROUTE_NOT_FOUND: 'no such endpoint',
  GL_METHOD_NOT_ALLOWED: 'the endpoint does not take this method',
  GL_INVENTORY_UNAVAILABLE: 'the cluster inventory is not loaded or is invalid',
  GL_CLUSTER_INVALID: 'a selected cluster is registered with invalid data',
  GL_CLUSTER_LEAVING: 'a cluster the selection may include left the inventory less than GREENLIGHT_REMOVAL_GRACE_MS ago',
  GL_FACTS_UNAVAILABLE: 'facts of a selected cluster could not be read',
  GL_DEADLINE_EXCEEDED: 'the answer was not ready within the request deadline',
  GL_INTERNAL: 'a bug in greenlight',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export abstract class GreenlightError extends Error {
  abstract readonly kind: ErrorKind;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class InputError extends GreenlightError {
  readonly kind = 'input';
}
export class UnsupportedMediaTypeError extends GreenlightError {
  readonly kind = 'unsupported-media-type';
}
export class PayloadTooLargeError extends GreenlightError {
  readonly kind = 'payload-too-large';
}
export class AuthenticationError extends GreenlightError {
  readonly kind = 'authentication';
}
export class NotAllowedError extends GreenlightError {
  readonly kind = 'not-allowed';
}
export class NotFoundError extends GreenlightError {
  readonly kind = 'not-found';
}
export class MethodNotAllowedError extends GreenlightError {
  readonly kind = 'method-not-allowed';
  constructor(readonly allow: readonly string[], message: string) {
    super('GL_METHOD_NOT_ALLOWED', message);
  }
}
export class UnavailableError extends GreenlightError {
  readonly kind = 'unavailable';
}
/** An upstream (EKS, SSM, a cluster's API, Argo CD's Secrets) failed or gave unusable data. */
export class UpstreamError extends GreenlightError {
  readonly kind = 'upstream';
}
export class TimeoutError extends GreenlightError {
  readonly kind = 'timeout';
}
export class InternalError extends GreenlightError {
  readonly kind = 'internal';
}

interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** zod nests the reason for an invalid record key (and union branches) here. */
  readonly issues?: readonly IssueLike[];
}

/** Formats zod-style issues as `path: message` lines, the way operators read them. */
export function describeIssues(issues: readonly IssueLike[], root: string): string {
  return issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      const nested = issue.issues?.[0];
      const message = nested && issue.message.startsWith('Invalid key') ? `the key ${nested.message}` : issue.message;
      return `${path}: ${message}`;
    })
    .join('; ');
}
