/**
 * @module The UI's only way out: Argo CD's own API with the user's session (so Argo CD's RBAC
 * decides what each user sees) and greenlight's facts through Argo CD's proxy extension. Every
 * URL is relative to the page's base (`document.baseURI`), so installs under a sub-path work.
 * Every answer is parsed with the shared contract schemas.
 */
import type { z } from 'zod';
import { argoCdVersionMessageSchema } from '../generator/contract/argocd-version.js';
import { errorBodySchema, type ErrorBody } from '../generator/contract/plugin-response.js';
import {
  APPLICATIONSET_LIST_FIELDS,
  applicationListSchema,
  applicationSetListSchema,
  clusterListSchema,
  FACTS_PATH,
  PROXY_EXTENSION_NAME,
  type ArgoApplication,
  type ArgoApplicationSet,
  type ArgoCluster,
} from '../generator/contract/ui-api.js';
import { factsResponseSchema, type FactsResponse } from '../generator/contract/facts-api.js';

/**
 * What greenlight asks Argo CD's application list for, by Argo CD version. The list API returns
 * only the keys of its allowlist (`appFields` in pkg/apiclient/application/forwarder_overwrite.go)
 * and drops the rest without a word. On every version: never `status.operationState.message`.
 * From 3.5.0: `status.sync.revision`, the revision the Application is synced to. Never
 * `status.operationState.operation.sync` either, although allowed: its value is the last sync
 * ATTEMPT's result, whose revision is not the synced one when that sync failed. The viewed
 * Application's row comes from the host's full object instead.
 */
export const APPLICATION_LIST_FIELDS_BEFORE_3_5 = [
  'items.metadata.name',
  'items.metadata.namespace',
  'items.metadata.labels',
  'items.spec',
  'items.status.sync.status',
  'items.status.health',
  'items.status.summary',
  'items.status.operationState.phase',
  'items.status.operationState.startedAt',
  'items.status.operationState.finishedAt',
  'items.status.resources',
] as const;
export const APPLICATION_LIST_FIELDS_FROM_3_5 = [...APPLICATION_LIST_FIELDS_BEFORE_3_5, 'items.status.sync.revision'] as const;

/** argocd-server's version, from `GET api/version` (answered without a session too). */
export interface ArgoCdVersion {
  /** As Argo CD reports it: "v3.5.1+e4f5a6b". */
  readonly text: string;
  readonly major: number;
  readonly minor: number;
}

/** "v3.5.1+e4f5a6b" → 3, 5; undefined for anything else (a dev build says "v99.99.99+..."; that parses). */
export function parseArgoCdVersion(text: string): ArgoCdVersion | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text.trim());
  return m ? { text, major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** The list fields for this Argo CD; the older allowlist when its version is not known. */
export function applicationListFields(version: ArgoCdVersion | undefined): readonly string[] {
  const from35 = version !== undefined && (version.major > 3 || (version.major === 3 && version.minor >= 5));
  return from35 ? APPLICATION_LIST_FIELDS_FROM_3_5 : APPLICATION_LIST_FIELDS_BEFORE_3_5;
}

export type ApiErrorKind = 'network' | 'timeout' | 'http' | 'not-json' | 'invalid';

/** A failed call, with what the user needs to read: what was asked, what came back. */
export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly url: string,
    readonly status?: number,
    /** The body as text (first 2,000 characters), for classifying proxy answers. */
    readonly body?: string,
    /** The `{message, code}` greenlight answered with, when it did. */
    readonly greenlight?: ErrorBody,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  /**
   * Argo CD's version (`GET api/version`), asked once per client; undefined when Argo CD does not
   * say (the list is then asked for what every version allows).
   */
  serverVersion(signal?: AbortSignal): Promise<ArgoCdVersion | undefined>;
  /** `GET api/v1/applications` with the `fields` filter this Argo CD allows and an optional label selector. */
  listApplications(options: { readonly selector?: string }, signal?: AbortSignal): Promise<ArgoApplication[]>;
  listClusters(signal?: AbortSignal): Promise<ArgoCluster[]>;
  listApplicationSets(signal?: AbortSignal): Promise<ArgoApplicationSet[]>;
  /** `GET extensions/greenlight/api/v1/facts` for one Application, through Argo CD's proxy. */
  getFacts(app: { readonly namespace: string; readonly name: string; readonly project: string }, signal?: AbortSignal): Promise<FactsResponse>;
}

export interface ApiClientOptions {
  /** The base URLs resolve against; defaults to the page's `document.baseURI`. */
  readonly baseUri?: () => string;
  readonly fetch?: typeof fetch;
  /** Per call; defaults to 20 s. */
  readonly timeoutMs?: number;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** The message an API answer carries: greenlight's and grpc-gateway's JSON `message`/`error`, else its text. */
function messageOf(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as { message?: unknown; error?: unknown };
      if (typeof o.message === 'string' && o.message !== '') return o.message;
      if (typeof o.error === 'string' && o.error !== '') return o.error;
    }
  } catch {
    // not JSON: the text itself
  }
  return text.trim().slice(0, 300);
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUri = options.baseUri ?? (() => document.baseURI);
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 20_000;

  async function getJson<T extends z.ZodType>(path: string, schema: T, what: string, signal: AbortSignal | undefined, headers: Record<string, string> = {}): Promise<z.infer<T>> {
    const url = new URL(path, baseUri()).toString();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json', ...headers }, signal: controller.signal });
      text = await res.text();
    } catch (err) {
      if (timedOut) throw new ApiError('timeout', `${what} did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`} (GET ${url}); retry, or check argocd-server`, url);
      if (signal?.aborted) throw err;
      throw new ApiError('network', `could not reach ${what} (GET ${url}): ${err instanceof Error ? err.message : String(err)}`, url);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const body = text.slice(0, 2000);
    if (!res.ok) {
      const greenlight = (() => {
        try {
          const parsed = errorBodySchema.safeParse(JSON.parse(text));
          return parsed.success && parsed.data.code.startsWith('GL_') ? parsed.data : undefined;
        } catch {
          return undefined;
        }
      })();
      const hint = res.status === 401 ? ' (your Argo CD session may have expired: log in again)' : res.status === 403 ? ' (Argo CD RBAC does not allow this for your account)' : '';
      throw new ApiError('http', `${what} answered ${res.status}${hint}: ${messageOf(text) || res.statusText}`, url, res.status, body, greenlight);
    }
    const type = res.headers.get('content-type') ?? '';
    let parsedJson: unknown;
    try {
      parsedJson = JSON.parse(text);
    } catch {
      throw new ApiError('not-json', `${what} answered with ${type || 'something'} instead of JSON (GET ${url})`, url, res.status, body);
    }
    const parsed = schema.safeParse(parsedJson);
    if (!parsed.success) {
      throw new ApiError('invalid', `${what}'s answer is not what greenlight expects (GET ${url}): ${describeIssues(parsed.error)}`, url, res.status, body);
    }
    return parsed.data;
  }

  const fields = (list: readonly string[]) => `fields=${encodeURIComponent(list.join(','))}`;

  // One question per page load; a failed one is not asked again (the older allowlist is safe).
  let version: Promise<ArgoCdVersion | undefined> | undefined;
  const serverVersion = (signal?: AbortSignal) => {
    version ??= getJson('api/version', argoCdVersionMessageSchema, "Argo CD's version API", undefined).then(
      (answer) => parseArgoCdVersion(answer.Version),
      () => undefined,
    );
    if (!signal) return version;
    const asked = version;
    return new Promise<ArgoCdVersion | undefined>((resolve, reject) => {
      const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void asked.then((v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      });
    });
  };

  return {
    serverVersion,
    async listApplications({ selector }, signal) {
      const allowed = applicationListFields(await serverVersion(signal));
      const query = [fields(allowed), ...(selector ? [`selector=${encodeURIComponent(selector)}`] : [])].join('&');
      return (await getJson(`api/v1/applications?${query}`, applicationListSchema, "Argo CD's Applications API", signal)).items ?? [];
    },
    async listClusters(signal) {
      return (await getJson('api/v1/clusters', clusterListSchema, "Argo CD's clusters API", signal)).items ?? [];
    },
    async listApplicationSets(signal) {
      return (await getJson(`api/v1/applicationsets?${fields(APPLICATIONSET_LIST_FIELDS)}`, applicationSetListSchema, "Argo CD's ApplicationSets API", signal)).items ?? [];
    },
    getFacts(app, signal) {
      return getJson(`extensions/${PROXY_EXTENSION_NAME}${FACTS_PATH}`, factsResponseSchema, "greenlight (through Argo CD's proxy extension)", signal, {
        'Argocd-Application-Name': `${app.namespace}:${app.name}`,
        'Argocd-Project-Name': app.project,
      });
    },
  };
}

/** Why the facts diff is not available, decided from what Argo CD's proxy answered. */
export type FactsProblem =
  | { readonly kind: 'proxy-disabled'; readonly detail: string }
  | { readonly kind: 'extension-not-configured'; readonly detail: string }
  | { readonly kind: 'not-authorized'; readonly detail: string }
  | { readonly kind: 'backend-unreachable'; readonly detail: string }
  | { readonly kind: 'greenlight'; readonly detail: string; readonly code: string }
  | { readonly kind: 'other'; readonly detail: string };

/**
 * Reads a failed facts call the way Argo CD answers it: the SPA's HTML when the proxy extension
 * is off (`server.enable.proxy.extension`), 404 "Extension not found" when `extension.config`
 * has no greenlight, 401 "Unauthorized extension request" when RBAC lacks
 * `extensions, invoke, greenlight` (or the app/project check failed), 502/503 when greenlight's
 * service cannot be reached; greenlight's own `{message, code}` otherwise.
 */
export function classifyFactsError(err: unknown): FactsProblem {
  if (!(err instanceof ApiError)) return { kind: 'other', detail: err instanceof Error ? err.message : String(err) };
  if (err.greenlight) return { kind: 'greenlight', detail: err.greenlight.message, code: err.greenlight.code };
  const body = err.body ?? '';
  const looksHtml = /^\s*<(!doctype|html)/i.test(body);
  if (err.kind === 'not-json' || looksHtml) {
    return { kind: 'proxy-disabled', detail: `Argo CD answered ${err.status ?? ''} with its web page instead of greenlight's JSON: the proxy extension is not enabled` };
  }
  if (err.status === 404 && /extension not found/i.test(body)) return { kind: 'extension-not-configured', detail: 'Argo CD answered 404 "Extension not found"' };
  if (err.status === 404 && !looksHtml && body.trim() === '404 page not found') {
    return { kind: 'proxy-disabled', detail: 'Argo CD answered 404: the proxy extension route is not registered' };
  }
  if (err.status === 401) return { kind: 'not-authorized', detail: `Argo CD answered 401: ${body.trim() || 'Unauthorized extension request'}` };
  if (err.status === 502 || err.status === 503 || err.status === 504) {
    return { kind: 'backend-unreachable', detail: `Argo CD answered ${err.status} from the proxy: it could not reach greenlight's service` };
  }
  return { kind: 'other', detail: err.message };
}
