/**
 * @module Debian's Prometheus, started by a test on 127.0.0.1 with a temporary data directory,
 * scraping `targets` every second; and a test exporter of per-cluster series (requests by code,
 * the latency histogram, kube-state-metrics' restart counter) whose counters grow at the rates
 * the test sets, so that `rate()` and `increase()` over any window give those rates.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { Agent, fetch as undiciFetch } from 'undici';
import { startChildServer } from './child-process-server.js';
import { eventually } from './patience.js';

export const PROMETHEUS_INSTALL = 'Install it with: apt-get install -y prometheus (Debian/Ubuntu; /usr/bin/prometheus)';

export interface PrometheusProcess {
  readonly url: string;
  stop(): Promise<void>;
  /** Resolves once `promql` returns at least one series. */
  waitForSeries(promql: string): Promise<void>;
}

/** Prometheus's own web security (`--web.config.file`): TLS, and basic auth over it. */
export interface PrometheusWebSecurity {
  /** PEM of the server's certificate (for 127.0.0.1) and key, and of the CA that signed it. */
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
  /** One user, stored bcrypt-hashed as Prometheus requires. */
  readonly basicAuth?: { readonly user: string; readonly password: string };
}

/**
 * Starts Prometheus scraping `targets`. With `web`, it serves https with the given certificate
 * and, with `web.basicAuth`, refuses queries without that user's password (HTTP 401).
 */
export async function startPrometheus(targets: readonly string[], web?: PrometheusWebSecurity): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'gl-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  const webArgs: string[] = [];
  if (web) {
    writeFileSync(join(dir, 'server.crt'), web.tls.cert);
    writeFileSync(join(dir, 'server.key'), web.tls.key);
    const users = web.basicAuth ? ['basic_auth_users:', `  ${JSON.stringify(web.basicAuth.user)}: ${JSON.stringify(bcrypt.hashSync(web.basicAuth.password, 4))}`] : [];
    writeFileSync(join(dir, 'web.yml'), ['tls_server_config:', `  cert_file: ${join(dir, 'server.crt')}`, `  key_file: ${join(dir, 'server.key')}`, ...users, ''].join('\n'));
    webArgs.push(`--web.config.file=${join(dir, 'web.yml')}`);
  }
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: clusters',
      '    honor_labels: true',
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  let server;
  try {
    server = await startChildServer({
      command: 'prometheus',
      args: [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, '--web.listen-address=127.0.0.1:0', '--log.level=info', ...webArgs],
      install: PROMETHEUS_INSTALL,
      port: (out) => {
        const m = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(out);
        return m ? Number(m[1]) : undefined;
      },
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `${web ? 'https' : 'http'}://127.0.0.1:${server.port}`;
  // The test's own reads trust the test CA and send the password (greenlight's are what tests assert).
  const agent = web ? new Agent({ connect: { ca: web.tls.ca } }) : undefined;
  const headers: Record<string, string> = web?.basicAuth ? { authorization: `Basic ${Buffer.from(`${web.basicAuth.user}:${web.basicAuth.password}`).toString('base64')}` } : {};
  const get = (path: string) => (agent ? undiciFetch(`${url}${path}`, { headers, dispatcher: agent }) : fetch(`${url}${path}`));
  const stop = async () => {
    await server.stop();
    await agent?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => {
      const res = await get('/-/ready');
      if (!res.ok) throw new Error(`Prometheus is not ready (${res.status})`);
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    stop,
    waitForSeries: (promql) =>
      eventually(async () => {
        const res = await get(`/api/v1/query?query=${encodeURIComponent(promql)}`);
        const body = (await res.json()) as { data?: { result?: unknown[] } };
        if ((body.data?.result?.length ?? 0) === 0) throw new Error(`no series yet for ${promql}`);
      }),
  };
}

/** What one cluster serves, per second. */
export interface ClusterLoad {
  readonly cluster: string;
  /** The label that names the cluster (default `cluster`): a test can export several views of one cluster under different labels. */
  readonly label?: string;
  readonly namespace: string;
  /** Requests per second; 0 exports no request series at all (a cluster without traffic). */
  readonly requestsPerSecond: number;
  /** Share of requests answered 5xx. */
  readonly errorRatio: number;
  /** Every request takes this long (it lands in one histogram bucket). */
  readonly latencySeconds: number;
  /** Container restarts per minute. */
  readonly restartsPerMinute: number;
}

/** A label value in the text exposition format. */
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A /metrics endpoint of per-cluster series, labelled `cluster` and `namespace` as a central Prometheus sees them. */
export class ClusterExporter {
  private readonly started = Date.now();
  private readonly loads = new Map<string, ClusterLoad>();

  private constructor(private readonly server: http.Server) {}

  static async start(loads: readonly ClusterLoad[]): Promise<ClusterExporter> {
    const bound: { e?: ClusterExporter } = {};
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(bound.e?.render() ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const e = new ClusterExporter(server);
    bound.e = e;
    for (const l of loads) e.loads.set(`${l.label ?? 'cluster'}\u0000${l.cluster}`, l);
    return e;
  }

  get target(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private render(): string {
    const t = (Date.now() - this.started) / 1000 + 1;
    const lines = ['# TYPE http_requests_total counter', '# TYPE http_request_duration_seconds histogram', '# TYPE kube_pod_container_status_restarts_total counter'];
    for (const l of this.loads.values()) {
      const labels = `${l.label ?? 'cluster'}="${escapeLabel(l.cluster)}",namespace="${escapeLabel(l.namespace)}"`;
      const total = l.requestsPerSecond * t;
      if (l.requestsPerSecond > 0) {
        lines.push(`http_requests_total{${labels},code="200"} ${total * (1 - l.errorRatio)}`);
        lines.push(`http_requests_total{${labels},code="503"} ${total * l.errorRatio}`);
        for (const le of BUCKETS) lines.push(`http_request_duration_seconds_bucket{${labels},le="${le}"} ${l.latencySeconds <= le ? total : 0}`);
        lines.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${total}`);
        lines.push(`http_request_duration_seconds_sum{${labels}} ${total * l.latencySeconds}`);
        lines.push(`http_request_duration_seconds_count{${labels}} ${total}`);
      }
      lines.push(`kube_pod_container_status_restarts_total{${labels},pod="web-0",container="web"} ${Math.floor((l.restartsPerMinute * t) / 60)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
