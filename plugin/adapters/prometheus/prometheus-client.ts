/**
 * @module Prometheus's HTTP API (`POST /api/v1/query`, an instant query) as greenlight uses it:
 * one number per query. Works with Prometheus, Thanos Query and Mimir (give the root that has
 * `/api/v1/query` under it, e.g. `http://mimir.monitoring/prometheus`). Every call has a timeout
 * and the answer a size bound; failures say where and what to do.
 */
import type { Agent } from 'undici';
import { z } from 'zod';
import { quoteUpstream } from '../upstream-text.js';
import type { PrometheusAuth } from './prometheus-auth.js';

export interface PrometheusClientOptions {
  /** The server's root, e.g. http://prometheus.monitoring:9090 (GREENLIGHT_PROMETHEUS_URL). */
  readonly url: string;
  /** Bound on one query (default 10 s); also sent as the query's `timeout` so that Prometheus stops too. */
  readonly timeoutMs?: number;
  /** Bound on one answer's body (default 1 MiB): a query that returns many series is refused, not buffered. */
  readonly maxResponseBytes?: number;
  /** Credentials (bearer, basic or SigV4), only ever sent over https. */
  readonly auth?: PrometheusAuth | undefined;
  /** Mimir/Cortex tenant, sent as X-Scope-OrgID (GREENLIGHT_PROMETHEUS_TENANT). */
  readonly tenant?: string | undefined;
  /** PEM of the CAs that sign the server's certificate, instead of the system's (GREENLIGHT_PROMETHEUS_CA_FILE). */
  readonly ca?: string | undefined;
}

/** The port: one number (or none) for a PromQL expression. */
export interface PrometheusQuerier {
  readonly endpoint: string;
  /** The query's single value; null for no series or NaN. Rejects with an operator-readable Error. */
  queryNumber(promql: string, signal: AbortSignal): Promise<number | null>;
}

const sample = z.tuple([z.number(), z.string()]);
const answerSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sample })) }),
      z.object({ resultType: z.literal('scalar'), result: sample }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

/** The settings that give Prometheus credentials, for messages. */
export const PROMETHEUS_CREDENTIAL_SETTINGS =
  'GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE, GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER with GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE, or GREENLIGHT_PROMETHEUS_SIGV4_REGION (Amazon Managed Prometheus)';

/**
 * Why credentials need https: greenlight never sends a credential unencrypted, not even to a
 * loopback address (the rule for cluster Secrets that give a token with an http:// server).
 */
export function prometheusPlainHttpProblem(url: string, credentials: string): string {
  return `GREENLIGHT_PROMETHEUS_URL is plain http:// (${url}), but ${credentials}, which greenlight never sends unencrypted: set GREENLIGHT_PROMETHEUS_URL to the server's https:// endpoint (with GREENLIGHT_PROMETHEUS_CA_FILE for a private CA)`;
}

/** Checks a Prometheus root URL; returns the problem in words, or undefined. */
export function prometheusUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `GREENLIGHT_PROMETHEUS_URL "${url}" is not a URL such as http://prometheus.monitoring:9090`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `GREENLIGHT_PROMETHEUS_URL must be http or https, got ${parsed.protocol}`;
  if (parsed.username !== '' || parsed.password !== '') return 'GREENLIGHT_PROMETHEUS_URL must not carry a user name or password';
  if (parsed.search !== '' || parsed.hash !== '') return 'GREENLIGHT_PROMETHEUS_URL is the server root, without a query or fragment';
  return undefined;
}

function parseNumber(text: string): number | null {
  const n = Number(text);
  if (text === 'NaN' || Number.isNaN(n)) return null;
  return n;
}

/** A Prometheus (or Thanos, or Mimir) instant-query client over fetch. */
export class PrometheusClient implements PrometheusQuerier {
  readonly endpoint: string;
  private readonly fetchImpl: typeof fetch;
  /** undici with the configured CA, loaded on the first query (configuration and the CLI's other commands never load it). */
  private withCa: Promise<{ agent: Agent; fetch: typeof fetch }> | undefined;

  constructor(
    private readonly options: PrometheusClientOptions,
    fetchImpl: typeof fetch = fetch,
  ) {
    const problem = prometheusUrlProblem(options.url);
    if (problem !== undefined) throw new Error(problem);
    this.endpoint = new URL('api/v1/query', options.url.endsWith('/') ? options.url : `${options.url}/`).toString();
    if (options.auth !== undefined && new URL(this.endpoint).protocol !== 'https:') {
      // config.ts refuses this configuration; the check here keeps any other caller honest.
      throw new Error(prometheusPlainHttpProblem(options.url, 'the client was given credentials'));
    }
    this.fetchImpl = fetchImpl;
  }

  /** fetch, trusting GREENLIGHT_PROMETHEUS_CA_FILE's CAs when it is set. */
  private async send(url: string, init: RequestInit): Promise<Response> {
    const ca = this.options.ca;
    if (ca === undefined) return this.fetchImpl(url, init);
    this.withCa ??= import('undici').then(({ Agent, fetch: undiciFetch }) => {
      const agent = new Agent({ connect: { ca } });
      return { agent, fetch: ((u: string, i: RequestInit) => undiciFetch(u, { ...(i as object), dispatcher: agent })) as unknown as typeof fetch };
    });
    return (await this.withCa).fetch(url, init);
  }

  /** Releases the connections and the credential files' watchers. */
  close(): void {
    this.options.auth?.close();
    void this.withCa?.then(({ agent }) => agent.close()).catch(() => undefined);
  }

  /** The headers of one query: its own, the tenant's, then the credentials'. */
  private async headersFor(body: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.options.tenant !== undefined) headers['x-scope-orgid'] = this.options.tenant;
    if (this.options.auth === undefined) return headers;
    return { ...headers, ...(await this.options.auth.headers({ url: new URL(this.endpoint), headers, body })) };
  }

  /** The message for a 401 or 403: which setting to check, never a value. */
  private refusedMessage(where: string, status: number, text: string): string {
    const quoted = quoteUpstream(text, 200);
    const answer = `HTTP ${status}${quoted === '' ? '' : `: ${quoted}`}`;
    const tenant =
      this.options.tenant === undefined
        ? '; Mimir and Cortex also need GREENLIGHT_PROMETHEUS_TENANT (X-Scope-OrgID)'
        : `, and GREENLIGHT_PROMETHEUS_TENANT ("${this.options.tenant}"): the tenant must be one these credentials may read`;
    if (this.options.auth === undefined) return `${where} asks for credentials (${answer}); give greenlight ${PROMETHEUS_CREDENTIAL_SETTINGS}${tenant}`;
    return `${where} refused greenlight's credentials (${answer}); check ${this.options.auth.check}${tenant}`;
  }

  async queryNumber(promql: string, signal: AbortSignal): Promise<number | null> {
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const maxBytes = this.options.maxResponseBytes ?? 1024 * 1024;
    const where = `Prometheus at ${this.endpoint}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    let status: number;
    let text: string;
    const body = new URLSearchParams({ query: promql, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` }).toString();
    let headers: Record<string, string>;
    try {
      headers = await this.headersFor(body);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    try {
      const res = await this.send(this.endpoint, {
        method: 'POST',
        headers,
        body,
        signal: combined,
        redirect: 'error',
      });
      status = res.status;
      text = await readBounded(res, maxBytes, combined);
    } catch (err) {
      if (err instanceof TooLarge) throw new Error(`${where} answered with more than ${maxBytes} bytes; the query must return one number per cluster (aggregate it with sum)`);
      if (timeout.aborted) throw new Error(`${where} did not answer within ${timeoutMs / 1000} s; check its load, or narrow the window`);
      if (signal.aborted) throw new Error(`${where}: the query was cancelled (the deadline passed)`);
      const cause = (err as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : (err as Error).message;
      const tls = /ALTNAME/.test(code)
        ? " (the server's certificate is not for this host: use a name it was issued for in GREENLIGHT_PROMETHEUS_URL)"
        : /CERT|UNABLE_TO_VERIFY|SELF_SIGNED/.test(code)
          ? " (a certificate greenlight does not trust: give the CA that signs the server's certificate in GREENLIGHT_PROMETHEUS_CA_FILE)"
          : '';
      throw new Error(`${where} could not be reached (${quoteUpstream(code, 120)}); check GREENLIGHT_PROMETHEUS_URL and the network path from greenlight${tls}`);
    }
    if (status === 401 || status === 403) throw new Error(this.refusedMessage(where, status, text));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${where} answered HTTP ${status} with a body that is not JSON: is GREENLIGHT_PROMETHEUS_URL the server's root (the path under which /api/v1/query lives)?`);
    }
    const parsed = answerSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${where} answered HTTP ${status} with JSON that is not a Prometheus query answer`);
    const answer = parsed.data;
    if (answer.status === 'error') throw new Error(`${where} refused the query (HTTP ${status}, ${answer.errorType ?? 'error'}: ${quoteUpstream(answer.error ?? '', 300)}); query: ${promql}`);
    const data = answer.data;
    if (data.resultType === 'scalar') return parseNumber(data.result[1]);
    if (data.resultType !== 'vector') throw new Error(`${where} answered a ${data.resultType}, not one number; query: ${promql}`);
    if (data.result.length === 0) return null;
    if (data.result.length > 1) throw new Error(`${where} answered ${data.result.length} series where one number was expected (aggregate the query with sum); query: ${promql}`);
    return parseNumber(data.result[0]?.value[1] ?? 'NaN');
  }
}

class TooLarge extends Error {}

/** The body as text, refusing (and cancelling) it past `maxBytes`. */
async function readBounded(res: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new TooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    if (signal.aborted) {
      await reader.cancel().catch(() => undefined);
      throw signal.reason;
    }
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
