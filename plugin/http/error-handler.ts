/**
 * @module THE ONLY place that maps errors to HTTP. Every non-2xx body is `{"message","code"}`:
 * Argo CD shows `message` in the ApplicationSet's ErrorOccurred condition.
 */
import type { ErrorRequestHandler, Request } from 'express';
import {
  GreenlightError,
  InputError,
  InternalError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  type ErrorBody,
  type ErrorKind,
} from '../../generator/index.js';
import type { Logger } from '../logger.js';

const STATUS: Readonly<Record<ErrorKind, number>> = {
  input: 400,
  authentication: 401,
  'not-allowed': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  internal: 500,
  upstream: 502,
  unavailable: 503,
  timeout: 504,
};

export function statusOf(err: GreenlightError): number {
  return STATUS[err.kind];
}

/** Errors thrown by express' body reader (raw-body) carry a `type`; translate them into ours. */
function fromBodyReader(err: unknown, maxBodyBytes: number): GreenlightError | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return undefined;
  switch (type) {
    case 'entity.too.large':
      return new PayloadTooLargeError('GL_BODY_TOO_LARGE', `the request body is larger than ${maxBodyBytes} bytes (GREENLIGHT_MAX_BODY_BYTES); input.parameters is too large`);
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError('GL_UNSUPPORTED_MEDIA_TYPE', 'the request body uses a Content-Encoding greenlight does not read; send it uncompressed');
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError('GL_UNSUPPORTED_MEDIA_TYPE', 'the request body must be UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new InputError('GL_REQUEST_INVALID', `the request body could not be read (${type})`);
    default:
      return undefined;
  }
}

/** The error as greenlight reports it: a `GreenlightError`, or an internal one that hides details. */
export function toGreenlightError(err: unknown, maxBodyBytes: number, requestId: string): GreenlightError {
  if (err instanceof GreenlightError) return err;
  return (
    fromBodyReader(err, maxBodyBytes) ??
    new InternalError('GL_INTERNAL', `greenlight failed unexpectedly; its log has the details under request id ${requestId}`, { cause: err })
  );
}

export function errorBody(err: GreenlightError): ErrorBody {
  return { message: err.message, code: err.code };
}

export function errorHandler(deps: { logger: Logger; maxBodyBytes: number }): ErrorRequestHandler {
  return (err: unknown, req: Request, res, _next) => {
    const requestId = String(res.locals['requestId'] ?? '');
    const error = toGreenlightError(err, deps.maxBodyBytes, requestId);
    const status = statusOf(error);
    res.locals['errorCode'] = error.code;
    res.locals['errorMessage'] = error.message;
    if (status >= 500) {
      const cause = error instanceof InternalError ? error.cause : undefined;
      deps.logger.error(
        { requestId, code: error.code, path: req.path, ...(cause instanceof Error ? { err: { message: cause.message, stack: cause.stack } } : {}) },
        error.message,
      );
    }
    if (error instanceof MethodNotAllowedError) res.setHeader('Allow', error.allow.join(', '));
    if (res.headersSent) return;
    res.status(status).json(errorBody(error));
  };
}
