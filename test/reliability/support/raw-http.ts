/**
 * @module A keep-alive HTTP client for the reliability suite: sends exact bytes with exact
 * headers (no Content-Type unless given, any Content-Encoding), never throws on a status, and
 * reports a connection the server closed instead of answering. Every request has a timeout.
 */
import { Agent, request } from 'node:http';
import { PATIENCE_MS } from '../../support/patience.js';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

export type RawOutcome = { readonly ok: true; readonly answer: RawAnswer } | { readonly ok: false; readonly error: string };

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

export class RawClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    options: { maxSockets?: number; timeoutMs?: number } = {},
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 4 });
    this.timeoutMs = options.timeoutMs ?? PATIENCE_MS;
  }

  private readonly timeoutMs: number;

  send(req: RawRequest): Promise<RawOutcome> {
    // The path is sent as written (`new URL` would read `//x` as a host).
    const url = new URL(this.baseUrl);
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: RawOutcome) => {
        if (!settled) {
          settled = true;
          resolve(outcome);
        }
      };
      const options = {
        agent: this.agent,
        hostname: url.hostname,
        port: url.port,
        path: req.path,
        method: req.method ?? 'POST',
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
        timeout: this.timeoutMs,
      };
      let r: ReturnType<typeof request>;
      try {
        r = request(options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => settle({ ok: true, answer: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') } }));
          res.on('error', (err) => settle({ ok: false, error: `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` }));
        });
      } catch (err) {
        // Node refuses to send some headers at all: say so rather than throw.
        settle({ ok: false, error: `not sent: ${(err as Error).message}` });
        return;
      }
      r.on('timeout', () => {
        r.destroy(new Error(`no answer within ${this.timeoutMs} ms`));
      });
      r.on('error', (err) => settle({ ok: false, error: `${(err as NodeJS.ErrnoException).code ?? err.name}: ${err.message}` }));
      if (body) r.end(body);
      else r.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
