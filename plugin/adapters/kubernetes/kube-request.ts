/**
 * @module Helpers around @kubernetes/client-node requests: cancelling them, and describing their
 * failures in words an operator can act on. Descriptions carry status codes, the API server's own
 * Status message and network error codes; never request headers (they hold credentials).
 */
import { ApiException, Observable, type ConfigurationOptions } from '@kubernetes/client-node';
import { z } from 'zod';
import { quoteUpstream } from '../upstream-text.js';

/**
 * Per-call options that make a generated-client request abortable: the generated API takes no
 * signal argument, but its request context does, through middleware.
 */
export function abortable(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts: authentication (an EKS token, a
 * credentials provider) runs before the HTTP request exists, so the request's own abort cannot
 * cover it.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** A Kubernetes `Status` object, as error bodies and watch ERROR events carry it. */
export const kubeStatusSchema = z
  .object({
    kind: z.literal('Status').optional(),
    code: z.number().int().optional(),
    reason: z.string().optional(),
    message: z.string().optional(),
  })
  .loose();

/** `http`: the server answered an error; `network`/`tls`: it could not be reached or trusted; `aborted`: cancelled. */
export type KubeFailureKind = 'http' | 'network' | 'tls' | 'aborted' | 'other';

/** What went wrong with one request, without secrets. */
export interface KubeFailure {
  readonly kind: KubeFailureKind;
  /** The HTTP status, when the server answered. */
  readonly status?: number;
  /** The API server's Status message, or the network error code. */
  readonly detail: string;
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/;

const errorLike = z
  .object({
    name: z.string().optional(),
    code: z.union([z.string(), z.number()]).optional(),
    statusCode: z.number().optional(),
    message: z.string().optional(),
  })
  .loose();

/** Upstream text, bounded and scrubbed: Status messages and network errors may quote URLs and headers. */
const clip = (text: string): string => quoteUpstream(text);

/** The Status message of an error body, if the body is a Status. */
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const status = kubeStatusSchema.safeParse(value);
  return status.success ? status.data.message : undefined;
}

/** Classifies an error thrown by the generated client, the Watch, or node-fetch below them. */
export function describeKubeFailure(err: unknown): KubeFailure {
  if (err instanceof ApiException) {
    const code = Number(err.code);
    const message = statusMessage(err.body);
    return { kind: 'http', status: code, detail: clip(message ?? `HTTP ${code}`) };
  }
  const e = errorLike.safeParse(err);
  if (!e.success) return { kind: 'other', detail: clip(String(err)) };
  const { name, code, statusCode, message } = e.data;
  if (name === 'AbortError') return { kind: 'aborted', detail: 'the request was cancelled' };
  if (typeof statusCode === 'number') return { kind: 'http', status: statusCode, detail: clip(message ?? `HTTP ${statusCode}`) };
  // Errors from node's net/tls carry the cause's code (ECONNREFUSED, ...) on node-fetch's FetchError.
  // Their message names the URL (no credentials) but is long; the code is what operators search for.
  if (typeof code === 'string') {
    const reason = message?.replace(/^request to \S+ failed, reason: /, '') ?? code;
    return { kind: TLS_CODES.test(code) ? 'tls' : 'network', detail: clip(reason.includes(code) ? reason : `${reason} (${code})`) };
  }
  return { kind: 'other', detail: clip(message ?? String(err)) };
}
