/**
 * @module A stand-in for argocd-server, for browser tests of the UI extension, over real HTTP on
 * 127.0.0.1. It serves, under a base path (Argo CD's `--rootpath`/`--basehref`):
 *
 * - the host page (Argo CD's index.html shape) for any other GET, as Argo CD's SPA fallback does,
 *   with a host script (the demo host: React 16.14 for 3.4, React 19 for 3.5) and `/extensions.js`
 *   built the way that line of argocd-server builds it (3.4 concatenates the `extension*.js` files
 *   raw, 3.5 wraps each in `try {}`);
 * - `api/version` without a session (only `Version` then, as argocd-server answers anonymous callers);
 * - `api/v1/applications` (label `selector`, and Argo CD's `fields` filter with the allowlist of
 *   that line: `status.operationState.message` never, `status.sync.revision` from 3.5),
 *   `api/v1/applications/<name>` (the full object), `api/v1/clusters`, `api/v1/applicationsets`;
 * - `api/v1/stream/applications`, the watch the UI's list and details pages keep open: Server-Sent
 *   Events in argocd-server's shape (`data: {"result":{"type":…,"application":…}} `), ADDED for
 *   every matching Application first unless a `resourceVersion` is given without a `name`, then
 *   one event per change made with `update()`, `fields` applied as a JSON path filter; all of
 *   `api/v1/` requires the `argocd.token` cookie;
 * - `extensions/<name>/...` as Argo CD's proxy extension: the SPA page when the feature is off;
 *   else 400 without the cookie or with bad `Argocd-Application-Name`/`Argocd-Project-Name`,
 *   401 "Unauthorized extension request" for an unknown app, a project mismatch or no
 *   `extensions, invoke` permission, 404 "Extension not found" for an unconfigured name; then it
 *   strips Cookie and Authorization, sets the configured headers (the shared secret) and the
 *   `Argocd-*` headers, and forwards to the backend, path prefix removed.
 */
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { ArgoApplication, ArgoApplicationSet, ArgoCluster } from '../../generator/index.js';
import { extensionsJs, hostPageHtml, type ArgoCdLine } from '../../plugin/http/routes/demo-ui.js';
import { PATIENCE_MS } from './patience.js';

export const SESSION_COOKIE = 'argocd.token';

/**
 * Heebo, the font Argo CD ships and sets on its body (ui/src/assets/fonts.css, linked from
 * index.html; weights 300, 400, 500, 700): widths in the status panel depend on it. Served from
 * the @fontsource/heebo package (the same typeface, SIL OFL) at `assets/fonts/`.
 */
const HEEBO_DIR = dirname(createRequire(import.meta.url).resolve('@fontsource/heebo/files/heebo-latin-400-normal.woff2'));
const HEEBO_WEIGHTS = [300, 400, 500, 700] as const;
const FONTS_CSS = HEEBO_WEIGHTS.map(
  (w) => `@font-face { font-family: 'Heebo'; font-style: normal; font-weight: ${w}; font-display: block; src: url('fonts/heebo-latin-${w}-normal.woff2') format('woff2'); }\n`,
).join('');

export interface ProxyExtensionConfig {
  /** Only scheme and host are used, as in Argo CD. */
  readonly url: string;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
}

export type { ArgoCdLine };

/** The version each line reports on `GET /api/version` (argocd-server's `Version`). */
export const ARGOCD_VERSIONS: Readonly<Record<ArgoCdLine, string>> = { '3.4': 'v3.4.7+a1b2c3d', '3.5': 'v3.5.1+e4f5a6b' };

export interface FakeArgoCdOptions {
  /** Which argocd-server to behave like; default 3.5. */
  readonly line?: ArgoCdLine;
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
  readonly line: ArgoCdLine;
  /** The Applications as they are now. */
  applications(): readonly ArgoApplication[];
  /**
   * Changes one Application as the controller would (a new resourceVersion) and sends the change
   * to every open watch stream it matches, as a MODIFIED event. Returns the new object.
   */
  update(namespace: string, name: string, change: (app: ArgoApplication) => ArgoApplication): ArgoApplication;
  /** The watch streams open now: path with query. */
  readonly streams: () => string[];
  close(): Promise<void>;
}

type AppField = (app: ArgoApplication & Record<string, unknown>) => unknown;
const statusOf = (a: ArgoApplication) => a.status as Record<string, unknown> | undefined;

/**
 * Argo CD's `appFields` (pkg/apiclient/application/forwarder_overwrite.go at v3.4.7): the only
 * keys `fields` can select on the list API. Anything else asked for is dropped without a word;
 * `status.operationState.message` is not here, nor `status.sync.revision`.
 */
const APP_FIELDS_34: Readonly<Record<string, AppField>> = {
  'metadata.name': (a) => a.metadata.name,
  'metadata.namespace': (a) => a.metadata.namespace,
  'metadata.annotations': (a) => (a.metadata as Record<string, unknown>)['annotations'],
  'metadata.labels': (a) => a.metadata.labels,
  'metadata.creationTimestamp': (a) => (a.metadata as Record<string, unknown>)['creationTimestamp'],
  'metadata.deletionTimestamp': (a) => (a.metadata as Record<string, unknown>)['deletionTimestamp'],
  spec: (a) => a.spec,
  'status.sourceHydrator': (a) => statusOf(a)?.['sourceHydrator'],
  'status.sync.status': (a) => a.status?.sync?.status,
  'status.health': (a) => a.status?.health,
  'status.summary': (a) => a.status?.summary,
  'status.operationState.startedAt': (a) => a.status?.operationState?.startedAt,
  'status.operationState.finishedAt': (a) => a.status?.operationState?.finishedAt,
  'status.resources': (a) => statusOf(a)?.['resources'],
  'operation.sync': (a) => (a['operation'] as Record<string, unknown> | undefined)?.['sync'],
  'status.operationState.phase': (a) => a.status?.operationState?.phase,
  // The key says operation.sync; the value is the sync RESULT (the last attempt's revision).
  'status.operationState.operation.sync': (a) => a.status?.operationState?.syncResult,
};

/** v3.5.1 adds parts of `spec` and `status.sync.revision` (the same file at v3.5.1). */
const APP_FIELDS_35: Readonly<Record<string, AppField>> = {
  ...APP_FIELDS_34,
  'spec.destination': (a) => a.spec?.destination,
  'spec.project': (a) => a.spec?.project,
  'spec.source': (a) => a.spec?.source,
  'spec.sources': (a) => (a.spec as Record<string, unknown> | undefined)?.['sources'],
  'spec.sourceHydrator': (a) => (a.spec as Record<string, unknown> | undefined)?.['sourceHydrator'],
  'spec.syncPolicy': (a) => (a.spec as Record<string, unknown> | undefined)?.['syncPolicy'],
  'status.sync.revision': (a) => a.status?.sync?.revision,
};

export const APP_FIELDS: Readonly<Record<ArgoCdLine, Readonly<Record<string, AppField>>>> = { '3.4': APP_FIELDS_34, '3.5': APP_FIELDS_35 };

function selectFields(app: ArgoApplication, fieldsParam: string, line: ArgoCdLine): Record<string, unknown> {
  const exclude = fieldsParam.startsWith('-');
  const requested = new Set((exclude ? fieldsParam.slice(1) : fieldsParam).split(','));
  const out: Record<string, unknown> = {};
  for (const [field, get] of Object.entries(APP_FIELDS[line])) {
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

/**
 * The `fields` filter of argocd-server's stream forwarder (argoproj/pkg grpc/http forwarders.go,
 * messageMarshaler.processItem, v2.0.1): a JSON path filter over the whole message, not the
 * list's allowlist. A key is kept when it is asked for or leads to something asked for.
 */
function filterPaths(item: unknown, fields: ReadonlySet<string>, exclude: boolean, path: readonly string[] = []): void {
  if (Array.isArray(item)) {
    for (const element of item) filterPaths(element, fields, exclude, path);
    return;
  }
  if (item === null || typeof item !== 'object') return;
  const object = item as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const fieldPath = [...path, key].join('.');
    const pathIn = fields.has(fieldPath);
    const parentPathIn = pathIn || [...fields].some((f) => f.startsWith(fieldPath));
    const keep = (exclude && !pathIn) || (!exclude && parentPathIn);
    if (!keep) delete object[key];
    else if (!pathIn) filterPaths(object[key], fields, exclude, [...path, key]);
  }
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
  const line: ArgoCdLine = opts.line ?? '3.5';
  // The Applications as the API server's informer holds them, each with a resourceVersion.
  let resourceVersion = 100;
  const withVersion = (app: ArgoApplication): ArgoApplication => ({ ...app, metadata: { ...app.metadata, resourceVersion: String(++resourceVersion) } as ArgoApplication['metadata'] });
  let apps: ArgoApplication[] = opts.applications.map(withVersion);
  const versionOf = (app: ArgoApplication) => Number((app.metadata as Record<string, unknown>)['resourceVersion'] ?? 0);
  const watchers = new Set<{ path: string; send: (type: 'ADDED' | 'MODIFIED' | 'DELETED', app: ArgoApplication) => void }>();

  const send = (res: ServerResponse, status: number, body: string | Buffer, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, value: unknown) => send(res, status, JSON.stringify(value));
  const text = (res: ServerResponse, status: number, body: string) => send(res, status, `${body}\n`, 'text/plain; charset=utf-8');
  // Argo CD's index.html links its fonts before anything else.
  const page = (res: ServerResponse) => send(res, 200, hostPageHtml(base).replace('</head>', '<link href="assets/fonts.css" rel="stylesheet">\n</head>'), 'text/html; charset=utf-8');

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
    const app = apps.find((a) => a.metadata.name === appName && a.metadata.namespace === namespace);
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

  /**
   * `GET api/v1/stream/applications` (server/application/application.go Watch, and the stream
   * forwarder of pkg/apiclient/application/forwarder_overwrite.go at v3.4.7 and v3.5.1).
   */
  function watch(req: IncomingMessage, res: ServerResponse, path: string, params: URLSearchParams): void {
    const name = params.get('name') ?? '';
    const namespace = params.get('appNamespace') || 'argocd';
    const selector = params.get('selector') ?? '';
    const projects = params.getAll('projects').filter((p) => p !== '');
    const minVersion = Number.parseInt(params.get('resourceVersion') ?? '', 10) || 0;
    const fieldsParam = params.get('fields') ?? '';
    const exclude = fieldsParam.startsWith('-');
    const fields = new Set((exclude ? fieldsParam.slice(1) : fieldsParam).split(',').filter((f) => f !== ''));
    const permitted = (a: ArgoApplication) =>
      matchesSelector(a.metadata.labels ?? {}, selector) &&
      (name === '' || (a.metadata.name === name && a.metadata.namespace === namespace)) &&
      (projects.length === 0 || projects.includes(a.spec?.project ?? 'default')) &&
      (minVersion === 0 || versionOf(a) > minVersion);
    // Text/event-stream only when asked for it (EventSource sends Accept: text/event-stream).
    const sse = req.headers.accept === 'text/event-stream';
    res.writeHead(200, sse ? { 'Content-Type': 'text/event-stream', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' } : { 'Content-Type': 'application/json' });
    res.flushHeaders();
    // The forwarder sends an Application again only when its filtered JSON changed.
    const lastByName = new Map<string, string>();
    const watcher = {
      path,
      send(type: 'ADDED' | 'MODIFIED' | 'DELETED', app: ArgoApplication) {
        if (!permitted(app)) return;
        const message = JSON.parse(JSON.stringify({ result: { type, application: app } })) as unknown;
        if (fields.size > 0) filterPaths(message, fields, exclude);
        const data = JSON.stringify(message);
        if (lastByName.get(app.metadata.name) === data) return;
        lastByName.set(app.metadata.name, data);
        res.write(sse ? `data: ${data} \n\n` : `${data}\n`);
      },
    };
    if (params.get('resourceVersion') === null || name !== '') {
      for (const app of [...apps].sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`))) {
        watcher.send('ADDED', app);
      }
    }
    watchers.add(watcher);
    // Comment lines keep proxies from closing an idle stream (15 s upstream).
    const keepalive = sse ? setInterval(() => res.write(':\n'), 15_000) : undefined;
    const stop = () => {
      clearInterval(keepalive);
      watchers.delete(watcher);
    };
    req.on('close', stop);
    res.on('close', stop);
  }

  function api(req: IncomingMessage, res: ServerResponse, rest: string, params: URLSearchParams, path: string): void {
    if (rest === 'api/version') {
      // server/version/version.go: anonymous callers get the version alone.
      const loggedIn = cookie(req, SESSION_COOKIE) === sessionToken;
      return json(res, 200, loggedIn ? { Version: ARGOCD_VERSIONS[line], GoVersion: 'go1.24.6', Platform: 'linux/amd64' } : { Version: ARGOCD_VERSIONS[line] });
    }
    if (cookie(req, SESSION_COOKIE) !== sessionToken) {
      return json(res, 401, { error: 'no session information', code: 16, message: 'no session information' });
    }
    if (rest === 'api/v1/stream/applications') return watch(req, res, path, params);
    if (rest === 'api/v1/applications') {
      const selector = params.get('selector') ?? '';
      const fields = params.get('fields') ?? '';
      const items = apps.filter((a) => matchesSelector(a.metadata.labels ?? {}, selector)).map((a) => (fields ? selectFields(a, fields, line) : a));
      return json(res, 200, { metadata: { resourceVersion: String(resourceVersion) }, items });
    }
    const one = /^api\/v1\/applications\/([^/]+)$/.exec(rest);
    if (one) {
      const namespace = params.get('appNamespace') || 'argocd';
      const app = apps.find((a) => a.metadata.name === decodeURIComponent(one[1] ?? '') && a.metadata.namespace === namespace);
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
    if (rest.startsWith('api/')) return api(req, res, rest, url.searchParams, url.pathname + url.search);
    if (rest === 'assets/fonts.css') return send(res, 200, FONTS_CSS, 'text/css');
    const font = /^assets\/fonts\/(heebo-latin-\d00-normal\.woff2)$/.exec(rest);
    if (font?.[1]) return send(res, 200, readFileSync(join(HEEBO_DIR, font[1])), 'font/woff2');
    if (rest === 'demo-host.js') return send(res, 200, readFileSync(opts.hostScriptPath, 'utf8'), 'application/javascript');
    if (rest === 'extensions.js') {
      const files = opts.extensionFiles.map((f) => ({ name: f.split('/').pop() ?? f, content: readFileSync(f, 'utf8') }));
      return send(res, 200, extensionsJs(files, line), 'application/javascript');
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
    line,
    applications: () => apps,
    update(namespace, name, change) {
      const index = apps.findIndex((a) => a.metadata.name === name && (a.metadata.namespace ?? 'argocd') === namespace);
      const current = apps[index];
      if (!current) throw new Error(`the fake Argo CD has no Application ${namespace}/${name}`);
      const next = withVersion(change(current));
      apps = apps.map((a, i) => (i === index ? next : a));
      for (const w of watchers) w.send('MODIFIED', next);
      return next;
    },
    streams: () => [...watchers].map((w) => w.path),
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
