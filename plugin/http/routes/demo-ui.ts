/**
 * @module The demo UI of `npm start` (demo fleet only): at `/`, a page that hosts greenlight's UI
 * bundle the way Argo CD does (`<base href>`, `#app`, a deferred `extensions.js` wrapped in
 * `try {}`), with a small stand-in for Argo CD's API (`/api/v1/applications`, `/api/v1/clusters`,
 * `/api/v1/applicationsets`) serving the demo Applications (adapters/demo) on the inventory's
 * clusters, and a
 * stand-in for Argo CD's proxy extension (`/extensions/greenlight/*`) that validates the headers
 * as Argo CD does, adds the demo's own proxy secret and the destination headers, and hands the
 * request to greenlight's own facts route in-process. It never adds a secret the operator set
 * (GREENLIGHT_PROXY_SECRET[_FILE]): unlike Argo CD's proxy it checks no session, so with such a
 * secret the facts route refuses it as it refuses any caller without the secret. Nothing here is
 * used outside demo mode.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  PROXY_EXTENSION_NAME,
  PROXY_SECRET_HEADER,
  type ClusterFactsProvider,
  type ClusterInventory,
  type ClusterRecord,
} from '../../../generator/index.js';
import { demoApplications } from '../../adapters/demo/demo-applications.js';
import { DEMO_PROXY_SECRET } from '../../config.js';
import { packageRoot } from '../../paths.js';

export interface DemoUiDeps {
  readonly inventory: ClusterInventory;
  /** greenlight's facts route, reached in-process as Argo CD's proxy would reach the service. */
  readonly facts: RequestHandler;
  /** Where `extension-greenlight.js` and `demo-host.js` are; default `ui-extension/dist`. */
  readonly uiDist?: string;
  /** The clock for the demo's timestamps. */
  readonly now?: () => number;
  /**
   * The clusters' facts, for the Kubernetes version Argo CD reports on each cluster
   * (`info.serverVersion`) that the fleet page's readiness lines read. Without it, the demo's
   * clusters have no version, as in an Argo CD that has not connected to them yet.
   */
  readonly clusterFacts?: ClusterFactsProvider;
}

export const DEMO_UI_DIST = join(packageRoot(), 'ui-extension', 'dist');

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Argo CD's index.html, reduced: the base, `#app`, the host script and `extensions.js`, both deferred. */
export function hostPageHtml(base: string, notice?: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<title>greenlight demo: Argo CD extension host</title>',
    '<link rel="icon" href="data:,">',
    `<base href="${escapeHtml(base)}">`,
    '</head>',
    '<body>',
    notice ? `<p style="margin:0;padding:10px 16px;background:#fde7eb;color:#7a1022;font-family:sans-serif">${escapeHtml(notice)}</p>` : '',
    '<div id="app"></div>',
    '<script defer src="demo-host.js"></script>',
    '<script defer src="extensions.js"></script>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * `/extensions.js` as argocd-server ≥ 3.5 serves it (server.go serveExtensions): every file whose
 * name matches `^extension(.*)\.js$`, each after a `// source:` line and wrapped in `try {}`.
 */
export function extensionsJs(files: readonly { readonly name: string; readonly content: string }[]): string {
  return files
    .filter((f) => /^extension(.*)\.js$/.test(f.name))
    .map((f) => `// source: /tmp/extensions/${f.name}\ntry {\n${f.content}\n} catch(e) { console.error('Extension ${f.name} failed to load:', e); }\n`)
    .join('');
}

/** Argo CD's label selector on the list API, for equality terms (`k=v`, `k==v`, `k!=v`, `k`, `!k`). */
function matchesSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .every((term) => {
      const ne = /^([^!=]+)!=(.*)$/.exec(term);
      if (ne) return labels[ne[1]?.trim() ?? ''] !== ne[2]?.trim();
      const eq = /^([^!=]+)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1]?.trim() ?? ''] === eq[2]?.trim();
      if (term.startsWith('!')) return !(term.slice(1) in labels);
      return term in labels;
    });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function plain(res: Response, status: number, text: string): void {
  res.status(status).type('text/plain; charset=utf-8').send(`${text}\n`);
}

/** The API server's major.minor as Argo CD reports it ("1.32"), from the cluster's facts; undefined when they have none. */
async function serverVersion(provider: ClusterFactsProvider | undefined, cluster: ClusterRecord): Promise<string | undefined> {
  if (!provider) return undefined;
  try {
    const { facts } = await provider.factsFor(cluster, new AbortController().signal);
    return facts.kubernetes ? `${facts.kubernetes.major}.${facts.kubernetes.minor}` : facts.eks?.version;
  } catch {
    return undefined;
  }
}

export function demoUiRouter(deps: DemoUiDeps): Router {
  const router = Router();
  const dist = deps.uiDist ?? DEMO_UI_DIST;
  const now = deps.now ?? Date.now;
  const bundlePath = join(dist, 'extension-greenlight.js');
  const hostPath = join(dist, 'demo-host.js');
  const data = () => demoApplications(deps.inventory.snapshot().clusters, now());
  const notBuilt = 'greenlight\'s UI bundle is not built: run "npm run build:ui" (node ui-extension/build.mjs), then reload.';

  const page: RequestHandler = (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(hostPageHtml('/', existsSync(bundlePath) && existsSync(hostPath) ? undefined : notBuilt));
  };
  router.get(['/', '/applications', '/applications/*splat', '/greenlight'], page);

  router.get('/demo-host.js', (_req, res) => {
    if (!existsSync(hostPath)) return plain(res, 404, notBuilt);
    res.type('application/javascript').send(readFileSync(hostPath, 'utf8'));
  });
  router.get('/extensions.js', (_req, res) => {
    // Re-read on every request, as argocd-server does: a rebuilt bundle shows on reload.
    const files = existsSync(dist) ? readdirSync(dist).map((name) => ({ name, content: readFileSync(join(dist, name), 'utf8') })) : [];
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/javascript').send(files.length > 0 ? extensionsJs(files) : `console.error(${JSON.stringify(notBuilt)});\n`);
  });

  router.get('/api/v1/applications', (req, res) => {
    const selector = typeof req.query['selector'] === 'string' ? req.query['selector'] : '';
    const items = data().applications.filter((a) => matchesSelector(a.metadata.labels ?? {}, selector));
    res.json({ metadata: {}, items });
  });
  router.get('/api/v1/applications/:name', (req, res) => {
    const namespace = typeof req.query['appNamespace'] === 'string' && req.query['appNamespace'] !== '' ? req.query['appNamespace'] : 'argocd';
    const app = data().applications.find((a) => a.metadata.name === req.params['name'] && a.metadata.namespace === namespace);
    if (!app) {
      res.status(404).json({ error: `applications.argoproj.io "${req.params['name']}" not found`, code: 5, message: `applications.argoproj.io "${req.params['name']}" not found` });
      return;
    }
    res.json(app);
  });
  router.get('/api/v1/clusters', async (_req, res) => {
    const clusters = deps.inventory.snapshot().clusters;
    const versions = await Promise.all(clusters.map((c) => serverVersion(deps.clusterFacts, c)));
    const items = clusters.map((c, i) => {
      const version = versions[i];
      return {
        server: c.server,
        name: c.name,
        labels: c.labels,
        annotations: c.annotations,
        connectionState: { status: 'Successful' },
        // Argo CD's cluster info, and its deprecated top-level copy (server/cluster toAPIResponse).
        ...(version ? { serverVersion: version, info: { connectionState: { status: 'Successful' }, serverVersion: version } } : {}),
      };
    });
    res.json({ metadata: {}, items });
  });
  router.get('/api/v1/applicationsets', (_req, res) => {
    res.json({ metadata: {}, items: data().applicationSets });
  });

  // Argo CD's proxy extension (server/extension/extension.go CallExtension), for the demo.
  router.all('/extensions/:extension/*splat', (req: Request, res, next) => {
    const appHeader = req.get('Argocd-Application-Name') ?? '';
    const project = req.get('Argocd-Project-Name') ?? '';
    const parts = appHeader.split(':');
    if (appHeader === '') return plain(res, 400, 'Invalid headers: header "Argocd-Application-Name" must be provided');
    if (parts.length !== 2) return plain(res, 400, 'Invalid headers: error getting app details: invalid value for "Argocd-Application-Name" header: expected format: <namespace>:<app-name>');
    const [namespace = '', name = ''] = parts;
    if (!DNS_LABEL.test(namespace)) return plain(res, 400, 'Invalid headers: invalid value for namespace');
    if (!DNS_SUBDOMAIN.test(name)) return plain(res, 400, 'Invalid headers: invalid value for application name');
    if (project === '') return plain(res, 400, 'Invalid headers: header "Argocd-Project-Name" must be provided');
    if (!DNS_SUBDOMAIN.test(project)) return plain(res, 400, 'Invalid headers: invalid value for project name');
    const app = data().applications.find((a) => a.metadata.name === name && a.metadata.namespace === namespace);
    if (!app || (app.spec?.project ?? 'default') !== project) return plain(res, 401, 'Unauthorized extension request');
    if (req.params['extension'] !== PROXY_EXTENSION_NAME) return plain(res, 404, 'Extension not found');

    delete req.headers['cookie'];
    delete req.headers['authorization'];
    // The demo's own secret, never the configured one: anyone who reaches this page would get it.
    req.headers[PROXY_SECRET_HEADER.toLowerCase()] = DEMO_PROXY_SECRET;
    req.headers['argocd-namespace'] = 'argocd';
    const dest = app.spec?.destination ?? {};
    if (dest.name) req.headers['argocd-target-cluster-name'] = dest.name;
    if (dest.server) req.headers['argocd-target-cluster-url'] = dest.server;
    req.headers['argocd-username'] = 'demo';
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const rest = req.params['splat'];
    req.url = `/${Array.isArray(rest) ? rest.join('/') : String(rest ?? '')}${query}`;
    deps.facts(req, res, next);
  });
  return router;
}
