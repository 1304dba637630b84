/**
 * The contract between greenlight's built UI bundle and Argo CD's extension host: one classic
 * script, loaded inside `try {}` as Argo CD 3.5 does (or concatenated raw, as 3.4 does), with
 * the host's React, ReactDOM and jsx-runtime as window globals and a recording extensionsAPI.
 * Needs the built bundle (`npm run build:ui`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeArgo } from '../unit/ui-extension/support/fake-argocd-fetch.js';
import { applications, clusters, factsResponse } from '../unit/ui-extension/support/fixtures.js';
import { REPO_ROOT } from '../support/service-process.js';
import { PATIENCE_MS } from '../support/patience.js';

const BUNDLE = join(REPO_ROOT, 'ui-extension', 'dist', 'extension-greenlight.js');
const REACT16 = join(REPO_ROOT, 'test', 'hosts', 'react16', 'node_modules');
const MAX_BYTES = 200 * 1024;
const MAX_GZIP_BYTES = 60 * 1024;

let source = '';

/** What argocd-server ≥ 3.5 serves as /extensions.js for one file (server.go serveExtensions). */
const argo35 = (file: string) =>
  `// source: /tmp/extensions/resources/extension-greenlight.js/extension-greenlight.js\ntry {\n${file}\n} catch(e) { console.error('Extension extension-greenlight.js failed to load:', e); }\n`;

/** React 19, ReactDOM and jsx-runtime as Argo CD 3.5's index.tsx exposes them (plus createRoot, for the test to mount with). */
async function react19Globals(): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import * as React from 'react'; import * as ReactDOM from 'react-dom'; import { createRoot } from 'react-dom/client'; import * as J from 'react/jsx-runtime';
        window.React = React; window.ReactDOM = ReactDOM; window.ReactJSXRuntime = J; window.testCreateRoot = createRoot;`,
      resolveDir: REPO_ROOT,
      loader: 'js',
    },
    bundle: true,
    format: 'iife',
    write: false,
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** React 16.14 and ReactDOM as Argo CD ≤ 3.4 exposes them (no jsx-runtime global). */
function react16Globals(): string {
  return [join(REACT16, 'react', 'umd', 'react.production.min.js'), join(REACT16, 'react-dom', 'umd', 'react-dom.production.min.js')]
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n;\n');
}

/** The part of jsdom this test uses (the repository has no @types/jsdom). */
interface JsdomWindow extends Window {
  eval(code: string): unknown;
}
interface JsdomInstance {
  readonly window: JsdomWindow;
}
type JsdomConstructor = new (html: string, options: { url: string; runScripts: 'outside-only'; pretendToBeVisual: boolean }) => JsdomInstance;
const jsdomModule = 'jsdom';
const { JSDOM } = (await import(jsdomModule)) as { JSDOM: JsdomConstructor };

interface Registration {
  readonly kind: string;
  readonly args: readonly unknown[];
}

interface Host {
  readonly dom: JsdomInstance;
  readonly window: JsdomWindow & Record<string, unknown>;
  readonly registrations: Registration[];
  readonly errors: unknown[][];
}

/** A page like Argo CD's: `<base href>`, `#app`, the host globals and a recording extensionsAPI. */
function host(globals: string, options: { appRendered?: boolean; api?: 'full' | 'v2.7' | 'none' } = {}): Host {
  const dom = new JSDOM(`<!doctype html><html><head><base href="/argocd/"></head><body><div id="app">${options.appRendered === false ? '' : '<div class="layout"></div>'}</div></body></html>`, {
    url: 'http://argocd.test/argocd/applications/argocd/web-green',
    runScripts: 'outside-only',
    pretendToBeVisual: true,
  });
  const window = dom.window as Host['window'];
  const registrations: Registration[] = [];
  const errors: unknown[][] = [];
  (window as unknown as { console: Console }).console.error = (...args: unknown[]) => errors.push(args);
  window.eval(globals);
  const record = (kind: string) => (...args: unknown[]) => registrations.push({ kind, args });
  if (options.api !== 'none') {
    window['extensionsAPI'] = {
      registerResourceExtension: record('resource'),
      registerSystemLevelExtension: record('systemLevel'),
      registerAppViewExtension: record('appView'),
      ...(options.api === 'v2.7' ? {} : { registerStatusPanelExtension: record('statusPanel'), registerTopBarActionMenuExt: record('topBar') }),
    };
  }
  return { dom, window, registrations, errors };
}

const settle = (window: Host['window'], ms = 0) => new Promise<void>((resolve) => window.setTimeout(resolve, ms));

async function waitForText(window: Host['window'], text: string, timeoutMs = PATIENCE_MS): Promise<void> {
  const started = Date.now();
  while (!window.document.body.textContent?.includes(text)) {
    if (Date.now() - started > timeoutMs) throw new Error(`"${text}" did not appear within ${timeoutMs} ms; the page shows: ${window.document.body.textContent?.slice(0, 500)}`);
    await settle(window, 20);
  }
}

let globals19 = '';

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} does not exist: build the UI bundle first (npm run build:ui, i.e. node ui-extension/build.mjs)`);
  source = readFileSync(BUNDLE, 'utf8');
  globals19 = await react19Globals();
});

describe('extension-greenlight.js', () => {
  it('is one classic script, also inside try {} as Argo CD 3.5 serves it, ending with ";\\n"', () => {
    expect(() => new vm.Script(source, { filename: 'extension-greenlight.js' })).not.toThrow();
    expect(() => new vm.Script(argo35(source))).not.toThrow();
    expect(source.endsWith(';\n')).toBe(true);
    expect(source).not.toMatch(/\bimport\s*\(|import\.meta|^\s*(import|export)\s/m);
  });

  it('parses as an ECMAScript 2019 script (acorn, which eslint already brings)', async () => {
    const acornModule = 'acorn';
    const { parse } = (await import(acornModule)) as { parse(code: string, options: { ecmaVersion: number; sourceType: 'script' }): unknown };
    expect(() => parse(source, { ecmaVersion: 2019, sourceType: 'script' })).not.toThrow();
  });

  it('contains no copy of React, ReactDOM or the scheduler', () => {
    for (const marker of [
      '__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED',
      '__CLIENT_INTERNALS_DO_NOT_USE_OR_WARN_USERS_THEY_CANNOT_UPGRADE',
      'react-dom.production',
      'ReactCurrentOwner',
      'react.transitional.element',
      'unstable_scheduleCallback',
      'https://react.dev/errors/',
      'reactjs.org/docs/error-decoder',
    ]) {
      expect(source, marker).not.toContain(marker);
    }
    expect(source).toContain('window.React');
  });

  it('uses only React APIs present in both React 16.14 and React 19', () => {
    expect(source).not.toMatch(/\.(useId|useSyncExternalStore|useTransition|useDeferredValue|useInsertionEffect|useActionState|useOptimistic|useFormStatus|startTransition|createRoot|hydrateRoot)\b/);
    expect(source).not.toMatch(/\b(findDOMNode|unmountComponentAtNode|childContextTypes|contextTypes|defaultProps|UNSAFE_\w+)\b/);
  });

  it('stays small', () => {
    const bytes = Buffer.byteLength(source);
    const gzip = gzipSync(source).length;
    console.log(`extension-greenlight.js: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), gzip ${gzip} bytes (${(gzip / 1024).toFixed(1)} KiB)`);
    expect(bytes).toBeLessThan(MAX_BYTES);
    expect(gzip).toBeLessThan(MAX_GZIP_BYTES);
  });
});

describe('loaded as Argo CD 3.5 loads it (React 19 globals, try {})', () => {
  it('registers the Parity app view, the status-panel item with its flyout, and the Blue/Green page', () => {
    const h = host(globals19);
    h.window.eval(argo35(source));
    expect(h.errors).toEqual([]);
    const summary = h.registrations.map((r) => [r.kind, ...r.args.map((a) => (typeof a === 'function' ? 'component' : a))]);
    expect(summary).toEqual([
      ['appView', 'component', 'Parity', 'fa-code-compare'],
      ['statusPanel', 'component', 'Blue/Green', 'greenlight-parity', 'component'],
      ['systemLevel', 'component', 'Blue/Green', '/greenlight', 'fa-circle-half-stroke'],
    ]);
  });

  it('registers the system-level page only once the app shell has rendered (argo-cd#29095)', async () => {
    const h = host(globals19, { appRendered: false });
    h.window.eval(argo35(source));
    expect(h.registrations.map((r) => r.kind)).toEqual(['appView', 'statusPanel']);
    h.window.document.getElementById('app')?.appendChild(h.window.document.createElement('div'));
    await settle(h.window);
    expect(h.registrations.map((r) => r.kind)).toEqual(['appView', 'statusPanel', 'systemLevel']);
  });

  it("renders its app view with the host's React, reading Argo CD's API relative to the base", async () => {
    const h = host(globals19);
    const argo = fakeArgo({ applications, clusters, facts: (app) => factsResponse(app.split(':')[1]) });
    h.window['fetch'] = argo.fetch;
    h.window.eval(argo35(source));
    const view = h.registrations.find((r) => r.kind === 'appView')?.args[0];
    const container = h.window.document.createElement('div');
    h.window.document.body.appendChild(container);
    const React = h.window['React'] as { createElement(c: unknown, p: unknown): unknown };
    const createRoot = h.window['testCreateRoot'] as (el: Element) => { render(e: unknown): void; unmount(): void };
    const root = createRoot(container);
    root.render(React.createElement(view, { application: applications.find((a) => a.metadata.name === 'web-green'), tree: { nodes: [] } }));
    await waitForText(h.window, 'web: 2/2 at parity');
    await waitForText(h.window, 'Unexpected differences (7)');
    // Readiness: the service's verdict, served in the same facts answer.
    await waitForText(h.window, 'Readiness for the next weight step');
    await waitForText(h.window, 'prod-eu-blue (1.31) → prod-eu-green (1.32)');
    // web has no finding of its own: reports' removed API and payments-api's SSM key and Pod Identity are counted for other apps.
    expect(h.window.document.querySelector('[data-green="prod-eu-green"] .greenlight-readiness__headline .greenlight-badge')?.textContent).toBe('Ready');
    expect(h.window.document.querySelector('[data-green="prod-eu-green"] [data-pair-counts]')?.textContent).toContain('3 blockers for other apps');
    expect(argo.calls.map((c) => new URL(c.url).pathname)).toEqual(expect.arrayContaining(['/argocd/api/v1/applications', '/argocd/api/v1/clusters', '/argocd/extensions/greenlight/api/v1/facts']));
    expect(h.window.document.getElementById('greenlight-styles') ?? h.window.document.documentElement.hasAttribute('data-greenlight-styles')).toBeTruthy();
    root.unmount();
    expect(h.errors).toEqual([]);
  });
});

describe('loaded as Argo CD 3.4 loads it (React 16 globals, plain concatenation)', () => {
  it('registers, renders with React 16, and lets the next extension file run', async () => {
    const h = host(react16Globals());
    const argo = fakeArgo({ applications, clusters, facts: (app) => factsResponse(app.split(':')[1]) });
    h.window['fetch'] = argo.fetch;
    h.window.eval(`${source}\nwindow.nextExtensionRan = true;\n`);
    expect(h.window['nextExtensionRan']).toBe(true);
    expect(h.registrations.map((r) => r.kind)).toEqual(['appView', 'statusPanel', 'systemLevel']);
    const [item, , , flyout] = h.registrations.find((r) => r.kind === 'statusPanel')?.args ?? [];
    const React = h.window['React'] as { createElement(c: unknown, p: unknown): unknown; version: string };
    expect(React.version).toBe('16.14.0');
    const ReactDOM = h.window['ReactDOM'] as { render(e: unknown, c: Element): void; unmountComponentAtNode(c: Element): void };
    const container = h.window.document.createElement('div');
    h.window.document.body.appendChild(container);
    let opened = 0;
    ReactDOM.render(React.createElement(item, { application: applications.find((a) => a.metadata.name === 'web-green'), openFlyout: () => (opened += 1) }), container);
    await waitForText(h.window, 'green: converged');
    (container.querySelector('button') as HTMLButtonElement).click();
    expect(opened).toBe(1);
    ReactDOM.render(React.createElement(flyout, { application: applications.find((a) => a.metadata.name === 'payments-api-green'), tree: { nodes: [] } }), container);
    await waitForText(h.window, 'payments-api: 1/2 at parity');
    await waitForText(h.window, 'Blockers for payments-api (2)');
    ReactDOM.unmountComponentAtNode(container);
    expect(h.errors).toEqual([]);
  });

  it('skips what an older host cannot register, and says so when there is no extensionsAPI', () => {
    const old = host(react16Globals(), { api: 'v2.7' });
    old.window.eval(source);
    expect(old.registrations.map((r) => r.kind)).toEqual(['appView', 'systemLevel']);
    expect(old.errors).toEqual([]);
    const none = host(react16Globals(), { api: 'none' });
    none.window.eval(source);
    expect(none.errors.map((e) => String(e[0]))).toEqual(['greenlight: window.extensionsAPI is missing, so greenlight cannot register (Argo CD 2.5 or later is needed)']);
  });
});
