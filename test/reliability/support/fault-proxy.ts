/**
 * @module A TCP proxy on 127.0.0.1 in front of one upstream (a fake AWS service, a fake
 * kube-apiserver), that fails the way networks and servers fail: `refuse` (nothing listens:
 * ECONNREFUSED), `reset` (connections are reset), `slow` (answers arrive `slowMs` late),
 * `garbage` (an HTTP 200 whose body is not what the protocol promises: HTML), `wrong-shape`
 * (an HTTP 200 with JSON of the wrong shape for every protocol greenlight speaks: lists that are
 * objects, strings where objects go), `hang` (connections are accepted, requests read, and
 * nothing ever comes back: no answer, no error, no close) and `pass`. Switching to a failing
 * mode also breaks the connections already open, as an upstream restart would; switching to
 * `hang` silences them instead. With `tls`, it serves HTTPS itself (terminating TLS in front of
 * a plain-HTTP upstream), so that its failures are still HTTP-level ones a client reads through
 * a verified TLS connection.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';

export type ProxyMode = 'pass' | 'refuse' | 'reset' | 'slow' | 'garbage' | 'wrong-shape' | 'hang';

interface Pair {
  readonly client: Socket;
  /** The TCP connection under `client` (the same socket without TLS): what a reset resets. */
  readonly raw: Socket;
  upstream: Socket | undefined;
  /** Delivery to the client, in order, each chunk possibly delayed. */
  queue: Promise<void>;
}

const GARBAGE_BODY = '<html><body><h1>502 Bad Gateway</h1>upstream said something that is not its protocol</body></html>';
const WRONG_SHAPE_BODY = JSON.stringify({
  // SSM GetParametersByPath, EKS, the Kubernetes version, discovery and lists, all malformed at once.
  Parameters: { Name: '/greenlight/x', Value: 'x' },
  cluster: 'not-an-object',
  associations: 'x',
  addons: { name: 'x' },
  items: { metadata: { name: 'x' } },
  metadata: 'x',
  major: 1,
  minor: ['x'],
  gitVersion: {},
  versions: 'v1',
  groups: { name: 'x' },
  kind: 'Status',
});
const answer = (body: string) => `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
const GARBAGE = answer(GARBAGE_BODY);
const WRONG_SHAPE = answer(WRONG_SHAPE_BODY);

export class FaultProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  /** Client connections held open in silence while hanging. */
  private readonly hung = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private current: ProxyMode = 'pass';
  /** Connections accepted, for assertions that the upstream was really tried. */
  connections = 0;

  private constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
    readonly slowMs: number,
    private readonly tls: SecureContext | undefined,
  ) {}

  /** Starts a proxy to `targetUrl` (http://127.0.0.1:port) on a free port. */
  static async start(targetUrl: string, options: { slowMs?: number; tls?: { key: string; cert: string } } = {}): Promise<FaultProxy> {
    const target = new URL(targetUrl);
    const probe = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const proxy = new FaultProxy({ host: target.hostname, port: Number(target.port) }, port, options.slowMs ?? 3000, options.tls && createSecureContext(options.tls));
    await proxy.listen();
    return proxy;
  }

  /** `http(s)://127.0.0.1:<port>`: where greenlight is pointed instead of the upstream. */
  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  get mode(): ProxyMode {
    return this.current;
  }

  async setMode(mode: ProxyMode): Promise<void> {
    const previous = this.current;
    this.current = mode;
    if (previous === 'hang' && mode !== 'hang') this.releaseHung();
    if (mode === 'hang') this.silenceAll();
    if (mode === 'refuse') {
      // Close the listener first (no new connection), then the open ones (close waits for them).
      const closing = this.unlisten();
      this.breakAll('destroy');
      await closing;
    } else {
      if (previous === 'refuse') await this.listen();
      if (mode === 'reset') this.breakAll('reset');
      if (mode === 'garbage' || mode === 'wrong-shape') this.breakAll('destroy');
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.releaseHung();
    const closing = this.unlisten();
    this.breakAll('destroy');
    await closing;
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((raw) => this.accept(raw));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  private async unlisten(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private breakAll(how: 'destroy' | 'reset'): void {
    for (const pair of this.pairs) {
      if (how === 'reset' && !pair.raw.destroyed) pair.raw.resetAndDestroy();
      else pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
  }

  /** Cuts open connections from their upstream without a word to the client: they hang. */
  private silenceAll(): void {
    for (const pair of this.pairs) {
      const upstream = pair.upstream;
      if (upstream) {
        upstream.removeAllListeners('close');
        upstream.removeAllListeners('data');
        upstream.removeAllListeners('error');
        upstream.on('error', () => {});
        upstream.destroy();
      }
      pair.client.removeAllListeners('data');
      pair.client.removeAllListeners('close');
      this.hold(pair.client);
    }
    this.pairs.clear();
  }

  private hold(client: Socket): void {
    this.hung.add(client);
    client.on('data', () => {});
    client.on('close', () => this.hung.delete(client));
  }

  private releaseHung(): void {
    for (const client of this.hung) client.destroy();
    this.hung.clear();
  }

  private accept(raw: Socket): void {
    this.connections++;
    raw.on('error', () => raw.destroy());
    if (this.current === 'reset') {
      raw.resetAndDestroy();
      return;
    }
    const client: Socket = this.tls ? new TLSSocket(raw, { isServer: true, secureContext: this.tls }) : raw;
    client.on('error', () => client.destroy());
    if (this.current === 'hang') {
      this.hold(client);
      return;
    }
    if (this.current === 'garbage' || this.current === 'wrong-shape') {
      const reply = this.current === 'garbage' ? GARBAGE : WRONG_SHAPE;
      client.once('data', () => client.end(reply));
      return;
    }
    const pair: Pair = { client, raw, upstream: undefined, queue: Promise.resolve() };
    this.pairs.add(pair);
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', drop);
    upstream.on('close', () => {
      // Let delayed data reach the client first.
      void pair.queue.then(() => client.end());
      this.pairs.delete(pair);
    });
    client.on('close', drop);
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      const delay = this.current === 'slow' ? this.slowMs : 0;
      pair.queue = pair.queue.then(
        () =>
          new Promise<void>((resolve) => {
            if (delay === 0) {
              if (!client.destroyed) client.write(chunk);
              resolve();
              return;
            }
            const timer = setTimeout(() => {
              this.timers.delete(timer);
              if (!client.destroyed) client.write(chunk);
              resolve();
            }, delay);
            this.timers.add(timer);
          }),
      );
    });
  }
}
