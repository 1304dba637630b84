/**
 * @module A stand-in for argocd-server, for browser tests of the UI extension, over real HTTP on
 * 127.0.0.1. It serves, under a base path (Argo CD's `--rootpath`/`--basehref`):
 *
 * - the host page (Argo CD's index.html shape) for any other GET, as Argo CD's SPA fallback does,
 *   with a host script (the demo host, React 19 or React 16) and `/extensions.js` built the way
 *   argocd-server ≥ 3.5 builds it (each `extension*.js` wrapped in `try {}`);
 * - `api/v1/applications` (label `selector`, and Argo CD's `fields` filter with its own allowlist),
 *   `api/v1/applications/<name>`, `api/v1/clusters`, `api/v1/applicationsets`; all require the
 *   `argocd.token` cookie;
 * - `extensions/<name>/...` as Argo CD's proxy extension: the SPA page when the feature is off;
 *   else 400 without the cookie or with bad `Argocd-Application-Name`/`Argocd-Project-Name`,
 *   401 "Unauthorized extension request" for an unknown app, a project mismatch or no
 *   `extensions, invoke` permission, 404 "Extension not found" for an unconfigured name; then it
 *   strips Cookie and Authorization, sets the configured headers (the shared secret) and the
 *   `Argocd-*` headers, and forwards to the backend, path prefix removed.
 */
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ArgoApplication, ArgoApplicationSet, ArgoCluster } from '../../generator/index.js';
import { extensionsJs, hostPageHtml } from '../../plugin/http/routes/demo-ui.js';
import { PATIENCE_MS } from './patience.js';

export const SESSION_COOKIE = 'argocd.token';

export interface ProxyExtensionConfig {
  /** Only scheme and host are used, as in Argo CD. */
  readonly url: string;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

export interface FakeArgoCdOptions {
  /** The path Argo CD is served under, with slashes: `/argocd/`. */
  readonly basePath?: string;
  readonly applications: readonly ArgoApplication[];
  readonly clusters: readonly ArgoCluster[];
  readonly applicationSets?: readonly ArgoApplicationSet[];
  /** The host script served as `demo-host.js`. */
  readonly hostScriptPath: string;
  /** The files served through `/extensions.js`. */
  readonly extensionFiles: readonly string[];
  /** The session token the `argocd.token` cookie must carry. */
  readonly sessionToken?: string;
  /** `server.enable.proxy.extension`; with false, `/extensions/...` gets the SPA page. */
  readonly proxyEnabled?: boolean;
  /** `extension.config`, by extension name. */
  readonly extensions?: Readonly<Record<string, ProxyExtensionConfig>>;
  /** Whether the user's role has `extensions, invoke, <name>`. */
  readonly allowInvoke?: boolean;
}

export interface Canned {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

export interface FakeArgoCd {
  /** `http://127.0.0.1:<port><basePath>` */
  readonly url: string;
  readonly origin: string;
  readonly sessionToken: string;
  /** Every request: method, path (with query) and status. */
  readonly requests: { method: string; path: string; status: number; headers: Record<string, string | string[] | undefined> }[];
  /** Every request forwarded to a proxy backend, with the headers sent. */
  readonly forwarded: { path: string; headers: Record<string, string | string[] | undefined> }[];
  /** Answers the next request whose path (below the base) starts with `prefix` with `canned`. */
  failNext(prefix: string, canned: Canned): void;
  /** Holds answers to paths starting with `prefix` until the returned function is called. */
  hold(prefix: string): () => void;
  readonly options: { proxyEnabled: boolean; allowInvoke: boolean; extensions: Record<string, ProxyExtensionConfig> };
  close(): Promise<void>;
}

/** Argo CD's `appFields` (pkg/apiclient/application/forwarder_overwrite.go): the only keys `fields` can select. */
const APP_FIELDS: Readonly<Record<string, (app: ArgoApplication & Record<string, unknown>) => unknown>> = {
  'metadata.name': (a) => a.metadata.name,
  'metadata.namespace': (a) => a.metadata.namespace,
  'metadata.annotations': (a) => (a.metadata as Record<string, unknown>)['annotations'],
  'metadata.labels': (a) => a.metadata.labels,
  'metadata.creationTimestamp': (a) => (a.metadata as Record<string, unknown>)['creationTimestamp'],
  'metadata.deletionTimestamp': (a) => (a.metadata as Record<string, unknown>)['deletionTimestamp'],
  spec: (a) => a.spec,
  'status.sourceHydrator': (a) => (a.status as Record<string, unknown> | undefined)?.['sourceHydrator'],
  'status.sync.status': (a) => a.status?.sync?.status,
  'status.health': (a) => a.status?.health,
  'status.summary': (a) => a.status?.summary,
  'status.operationState.startedAt': (a) => a.status?.operationState?.startedAt,
  'status.operationState.finishedAt': (a) => a.status?.operationState?.finishedAt,
  'status.resources': (a) => (a.status as Record<string, unknown> | undefined)?.['resources'],
  'operation.sync': (a) => (a['operation'] as Record<string, unknown> | undefined)?.['sync'],
  'status.operationState.phase': (a) => a.status?.operationState?.phase,
  // The key says operation.sync; the value is the sync RESULT.
  'status.operationState.operation.sync': (a) => a.status?.operationState?.syncResult,
};

function selectFields(app: ArgoApplication, fieldsParam: string): Record<string, unknown> {
  const exclude = fieldsParam.startsWith('-');
  const requested = new Set((exclude ? fieldsParam.slice(1) : fieldsParam).split(','));
  const out: Record<string, unknown> = {};
  for (const [field, get] of Object.entries(APP_FIELDS)) {
    if (requested.has(`items.${field}`) === exclude) continue;
    const value = get(app as ArgoApplication & Record<string, unknown>);
    if (value === undefined || value === null) continue;
    const parts = field.split('.');
    let node = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

function matchesSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  return selector
    .split(',')
    .filter((t) => t.trim() !== '')
    .every((term) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(term);
      if (ne) return labels[ne[1] ?? ''] !== ne[2];
      const eq = /^([^!=]+)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1] ?? ''] === eq[2];
      return term.startsWith('!') ? !(term.slice(1) in labels) : term in labels;
    });
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export async function startFakeArgoCd(opts: FakeArgoCdOptions): Promise<FakeArgoCd> {
  const base = opts.basePath ?? '/argocd/';
  const sessionToken = opts.sessionToken ?? 'fake-argocd-session';
  const options = { proxyEnabled: opts.proxyEnabled ?? true, allowInvoke: opts.allowInvoke ?? true, extensions: { ...(opts.extensions ?? {}) } };
  const failures: { prefix: string; canned: Canned }[] = [];
  const holds: { prefix: string; wait: Promise<void> }[] = [];
  const requests: FakeArgoCd['requests'] = [];
  const forwarded: FakeArgoCd['forwarded'] = [];

  const send = (res: ServerResponse, status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value));
  const text = (res: ServerResponse, status: number, body: string) => send(res, status, `${body}\n`, 'text/plain; charset=utf-8');
  const page = (res: ServerResponse) => send(res, 200, hostPageHtml(base), 'text/html; charset=utf-8');

  function proxy(req: IncomingMessage, res: ServerResponse, rest: string, query: string): void {
    if (!options.proxyEnabled) return page(res);
    const token = cookie(req, SESSION_COOKIE);
    if (token === undefined) return text(res, 400, 'Auth cookie not found');
    if (token !== sessionToken) return text(res, 401, 'Unauthorized');
    const [name = '', ...pathParts] = rest.split('/');
    const appHeader = String(req.headers['argocd-application-name'] ?? '');
    const project = String(req.headers['argocd-project-name'] ?? '');
    if (appHeader === '') return text(res, 400, 'Invalid headers: header "Argocd-Application-Name" must be provided');
    const parts = appHeader.split(':');
    if (parts.length !== 2) return text(res, 400, 'Invalid headers: error getting app details: invalid value for "Argocd-Application-Name" header: expected format: <namespace>:<app-name>');
    const [namespace = '', appName = ''] = parts;
    if (!DNS_LABEL.test(namespace)) return text(res, 400, 'Invalid headers: invalid value for namespace');
    if (!DNS_SUBDOMAIN.test(appName)) return text(res, 400, 'Invalid headers: invalid value for application name');
    if (project === '') return text(res, 400, 'Invalid headers: header "Argocd-Project-Name" must be provided');
    if (!DNS_SUBDOMAIN.test(project)) return text(res, 400, 'Invalid headers: invalid value for project name');
    const app = opts.applications.find((a) => a.metadata.name === appName && a.metadata.namespace === namespace);
    if (!options.allowInvoke || !app || (app.spec?.project ?? 'default') !== project) return text(res, 401, 'Unauthorized extension request');
    const ext = options.extensions[name];
    if (!ext) return text(res, 404, 'Extension not found');

    const target = new URL(ext.url);
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    delete headers['cookie'];
    delete headers['authorization'];
    headers['host'] = target.host;
    for (const h of ext.headers) headers[h.name.toLowerCase()] = h.value;
    headers['argocd-namespace'] = 'argocd';
    const dest = app.spec?.destination ?? {};
    if (dest.name) headers['argocd-target-cluster-name'] = dest.name;
    if (dest.server) headers['argocd-target-cluster-url'] = dest.server;
    headers['argocd-username'] = 'admin';
    const path = `/${pathParts.join('/')}${query}`;
    forwarded.push({ path, headers });
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path, headers, timeout: PATIENCE_MS }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    upstream.on('error', () => {
      if (!res.headersSent) text(res, 502, '');
      else res.destroy();
    });
    req.pipe(upstream);
  }

  function api(req: IncomingMessage, res: ServerResponse, rest: string, params: URLSearchParams): void {
    if (cookie(req, SESSION_COOKIE) !== sessionToken) {
      return json(res, 401, { error: 'no session information', code: 16, message: 'no session information' });
    }
    if (rest === 'api/v1/applications') {
      const selector = params.get('selector') ?? '';
      const fields = params.get('fields') ?? '';
      const items = opts.applications.filter((a) => matchesSelector(a.metadata.labels ?? {}, selector)).map((a) => (fields ? selectFields(a, fields) : a));
      return json(res, 200, { metadata: { resourceVersion: '1' }, items });
    }
    const one = /^api\/v1\/applications\/([^/]+)$/.exec(rest);
    if (one) {
      const namespace = params.get('appNamespace') || 'argocd';
      const app = opts.applications.find((a) => a.metadata.name === decodeURIComponent(one[1] ?? '') && a.metadata.namespace === namespace);
      if (!app) return json(res, 403, { error: 'permission denied', code: 7, message: 'permission denied' });
      return json(res, 200, app);
    }
    if (rest === 'api/v1/clusters') return json(res, 200, { metadata: {}, items: opts.clusters });
    if (rest === 'api/v1/applicationsets') return json(res, 200, { metadata: {}, items: opts.applicationSets ?? [] });
    return json(res, 404, { error: 'Not Found', code: 5, message: 'Not Found' });
  }

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    res.on('finish', () => requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, status: res.statusCode, headers: req.headers }));
    if (!url.pathname.startsWith(base)) return text(res, 404, '404 page not found');
    const rest = url.pathname.slice(base.length);
    const hold = holds.find((h) => rest.startsWith(h.prefix));
    if (hold) await hold.wait;
    const failure = failures.findIndex((f) => rest.startsWith(f.prefix));
    if (failure >= 0) {
      const [{ canned }] = failures.splice(failure, 1) as [{ prefix: string; canned: Canned }];
      return send(res, canned.status, canned.body, canned.contentType ?? 'application/json');
    }
    if (rest.startsWith('extensions/')) return proxy(req, res, rest.slice('extensions/'.length), url.search);
    if (rest.startsWith('api/')) return api(req, res, rest, url.searchParams);
    if (rest === 'demo-host.js') return send(res, 200, readFileSync(opts.hostScriptPath, 'utf8'), 'application/javascript');
    if (rest === 'extensions.js') {
      const files = opts.extensionFiles.map((f) => ({ name: f.split('/').pop() ?? f, content: readFileSync(f, 'utf8') }));
      return send(res, 200, extensionsJs(files), 'application/javascript');
    }
    if (req.method === 'GET') return page(res);
    return text(res, 405, 'Method Not Allowed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${base}`,
    origin,
    sessionToken,
    requests,
    forwarded,
    options,
    failNext(prefix, canned) {
      failures.push({ prefix, canned });
    },
    hold(prefix) {
      let release = () => {};
      const entry = { prefix, wait: new Promise<void>((resolve) => (release = resolve)) };
      holds.push(entry);
      return () => {
        holds.splice(holds.indexOf(entry), 1);
        release();
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
