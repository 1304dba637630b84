/**
 * @module GET requests to one cluster's API that the generated clients cannot make (any path,
 * any Accept header: the drift scan's metadata-only lists), with the credentials and TLS
 * settings of the cluster's KubeConfig (EKS tokens included), over a keep-alive agent, with a
 * bound on the bytes of each answer.
 */
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { quoteUpstream } from '../upstream-text.js';
import { kubeStatusSchema } from './kube-request.js';

/** The API server answered a non-2xx status. `detail` is its Status message, bounded and scrubbed. */
export class KubeHttpError extends Error {
  override readonly name = 'KubeHttpError';
  constructor(
    readonly statusCode: number,
    readonly detail: string,
  ) {
    super(`HTTP ${statusCode}: ${detail}`);
  }
}

/** An answer larger than the bound. */
export class KubeAnswerTooLarge extends Error {
  override readonly name = 'KubeAnswerTooLarge';
}

export const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
export const JSON_ACCEPT = 'application/json';

export interface KubeJsonClientOptions {
  /** Largest answer read, in bytes (a page of a list). */
  readonly maxBytes: number;
  /** Connections kept open to the server. */
  readonly maxSockets: number;
}

/** How long the credentials and TLS options of one request are reused: well inside an EKS token's refresh. */
const OPTIONS_REUSE_MS = 10_000;

export class KubeJsonClient {
  private agent: http.Agent | undefined;
  private reused: { readonly at: number; readonly value: Promise<https.RequestOptions> } | undefined;
  private readonly base: string;

  constructor(
    private readonly kubeConfig: KubeConfig,
    server: string,
    private readonly options: KubeJsonClientOptions,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  /** The parsed JSON answer of `GET path`; rejects with `KubeHttpError`, `KubeAnswerTooLarge`, or the network error. */
  async get(path: string, accept: string, signal: AbortSignal): Promise<unknown> {
    const opts = await this.requestOptions();
    signal.throwIfAborted();
    const url = new URL(this.base + path);
    const secure = url.protocol === 'https:';
    const proxied = this.kubeConfig.getCurrentCluster()?.proxyUrl !== undefined;
    const agent = proxied ? opts.agent : (this.agent ??= this.makeAgent(secure, opts));
    const headers: http.OutgoingHttpHeaders = {};
    if (opts.headers !== undefined && !Array.isArray(opts.headers)) for (const [k, v] of Object.entries(opts.headers)) if (v !== undefined) headers[k] = v;
    headers['Accept'] = accept;
    if (opts.auth) headers['Authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = (secure ? https : http).request(url, { method: 'GET', agent: agent === false ? undefined : agent, headers, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.options.maxBytes) {
            res.destroy();
            reject(new KubeAnswerTooLarge(`the answer to ${path} is larger than ${this.options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const buffer = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(buffer);
          let detail = `HTTP ${status}`;
          try {
            const parsed = kubeStatusSchema.safeParse(JSON.parse(buffer.toString('utf8')));
            if (parsed.success && parsed.data.message) detail = parsed.data.message;
          } catch {
            // not a Status: keep the status code alone
          }
          reject(new KubeHttpError(status, quoteUpstream(detail)));
        });
      });
      req.on('error', reject);
      req.end();
    });
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new Error(`the answer to ${path} is not JSON`);
    }
  }

  /**
   * The credentials (bearer, EKS token, client certificate, basic) and TLS settings, from the
   * KubeConfig, reused for a few seconds: a scan makes hundreds of requests.
   */
  private requestOptions(): Promise<https.RequestOptions> {
    const now = Date.now();
    if (this.reused && now - this.reused.at < OPTIONS_REUSE_MS) return this.reused.value;
    const opts: https.RequestOptions = { headers: {} };
    const value = this.kubeConfig.applyToHTTPSOptions(opts).then(() => opts);
    this.reused = { at: now, value };
    // A failure (an EKS token that could not be made) is not reused.
    value.catch(() => {
      if (this.reused?.value === value) this.reused = undefined;
    });
    return value;
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  private makeAgent(secure: boolean, opts: https.RequestOptions): http.Agent {
    const common = { keepAlive: true, maxSockets: this.options.maxSockets };
    if (!secure) return new http.Agent(common);
    return new https.Agent({
      ...common,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ...(opts.cert !== undefined ? { cert: opts.cert } : {}),
      ...(opts.key !== undefined ? { key: opts.key } : {}),
      ...(opts.rejectUnauthorized !== undefined ? { rejectUnauthorized: opts.rejectUnauthorized } : {}),
      ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
    });
  }
}
