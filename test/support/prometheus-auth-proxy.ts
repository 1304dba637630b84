/**
 * @module A 127.0.0.1 https proxy in front of the real Prometheus that lets a query through only
 * with the credentials it is told to check, the way the gateways in front of a Prometheus do:
 * a bearer token and a Mimir tenant (X-Scope-OrgID) as a Thanos/Mimir gateway checks them, or a
 * SigV4 signature (service `aps`) as Amazon Managed Prometheus checks it, verified by fake-aws's
 * verifier. What passes is forwarded to Prometheus; its answer comes back as it is.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { verifySigV4, type SigV4Claim } from './fake-aws.js';

/** A refusal: the status and body the gateway answers. */
export interface Refusal {
  readonly status: number;
  readonly body: string;
}

/** Lets a request through (undefined) or refuses it. */
export type CredentialCheck = (req: IncomingMessage, url: URL, body: string) => Promise<Refusal | undefined>;

export interface PrometheusAuthProxyOptions {
  /** The proxy's certificate (for 127.0.0.1) and key. */
  readonly tls: { readonly cert: string; readonly key: string };
  /** The real Prometheus: its root, the CA of its certificate and the headers it needs (its own basic auth). */
  readonly upstream: { readonly url: string; readonly ca?: string; readonly headers?: Readonly<Record<string, string>> };
  /** The path the proxy serves Prometheus's API under (e.g. `/workspaces/ws-fake`), removed before forwarding. */
  readonly prefix?: string;
  readonly check: CredentialCheck;
}

export class PrometheusAuthProxy {
  /** The requests let through, by the header names they carried (values of the checked headers only). */
  readonly passed: { readonly tenant: string | undefined; readonly claim?: SigV4Claim }[] = [];
  readonly refused: Refusal[] = [];

  private constructor(
    private readonly server: https.Server,
    private readonly agent: Agent,
    private readonly prefix: string,
  ) {}

  static async start(options: PrometheusAuthProxyOptions): Promise<PrometheusAuthProxy> {
    const agent = new Agent(options.upstream.ca !== undefined ? { connect: { ca: options.upstream.ca } } : {});
    const bound: { proxy?: PrometheusAuthProxy } = {};
    const server = https.createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
      void bound.proxy?.handle(req, res, options).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy failed: ${(err as Error).message}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new PrometheusAuthProxy(server, agent, options.prefix ?? '');
    bound.proxy = proxy;
    return proxy;
  }

  /** The root greenlight is given (GREENLIGHT_PROMETHEUS_URL). */
  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.prefix}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.agent.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse, options: PrometheusAuthProxyOptions): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const refusal = await options.check(req, url, body);
    if (refusal) {
      this.refused.push(refusal);
      res.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8' }).end(refusal.body);
      return;
    }
    if (!url.pathname.startsWith(`${this.prefix}/`)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    const tenant = req.headers['x-scope-orgid'];
    this.passed.push({ tenant: Array.isArray(tenant) ? tenant.join(',') : tenant, ...((req as { claim?: SigV4Claim }).claim ? { claim: (req as { claim?: SigV4Claim }).claim } : {}) });
    const upstream = await undiciFetch(`${options.upstream.url}${url.pathname.slice(this.prefix.length)}${url.search}`, {
      method: req.method ?? 'GET',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded', ...options.upstream.headers },
      ...(req.method === 'POST' ? { body } : {}),
      dispatcher: this.agent,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(await upstream.text());
  }
}

/** A Thanos/Mimir gateway: `Authorization: Bearer <token>`, and with `tenant` an X-Scope-OrgID as Mimir asks for it. */
export function bearerCheck(token: string, tenant?: string): CredentialCheck {
  return (req) => {
    if (tenant !== undefined && req.headers['x-scope-orgid'] === undefined) return Promise.resolve({ status: 401, body: 'no org id\n' });
    if (req.headers.authorization !== `Bearer ${token}`) return Promise.resolve({ status: 401, body: 'Unauthorized\n' });
    if (tenant !== undefined && req.headers['x-scope-orgid'] !== tenant) return Promise.resolve({ status: 401, body: `tenant not allowed\n` });
    return Promise.resolve(undefined);
  };
}

/** Amazon Managed Prometheus: a SigV4 signature by `identity` for service `aps` in `region`, or 403 as AMP answers it. */
export function sigv4Check(identity: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }, region: string): CredentialCheck {
  const refuse = (message: string): Refusal => ({ status: 403, body: JSON.stringify({ message }) });
  return async (req, url, body) => {
    const verdict = await verifySigV4(req, url, body, identity);
    if ('problem' in verdict) return refuse('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.');
    if (verdict.claim.service !== 'aps') return refuse(`Credential should be scoped to correct service: 'aps'.`);
    if (verdict.claim.region !== region) return refuse(`Credential should be scoped to a valid region.`);
    (req as { claim?: SigV4Claim }).claim = verdict.claim;
    return undefined;
  };
}
