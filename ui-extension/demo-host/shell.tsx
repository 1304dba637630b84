/**
 * @module A small Argo CD look-alike that hosts extensions the way Argo CD does: a sidebar with
 * system-level pages, an application list, application details with Argo CD's status panel (its
 * layout rules from host-css.ts, its items drawn like 3.4.7's or 3.5.1's), a view switcher
 * (`?view=<title>`) and a sliding flyout, all under `.theme-light` or `.theme-dark`. Like Argo
 * CD's pages, the list and the details keep the application watch stream open
 * (`api/v1/stream/applications`) and render each change it sends. It is the demo page of
 * `npm start` and the host of the browser tests; it is not shipped to Argo CD. Like Argo CD, it
 * renders extension components without an error boundary.
 */
import * as React from 'react';
import type { HostApplication } from '../host.js';
import { ARGO_COLORS, hostCss, type HostLine } from './host-css.js';
import type { HostRegistry, SystemLevelExtension } from './registry.js';

export type { HostLine };

export function injectHostStyles(doc: Document, line: HostLine): void {
  const style = doc.createElement('style');
  style.id = 'demo-host-styles';
  style.textContent = hostCss(line);
  doc.head.appendChild(style);
}

/** The path below the page's base: `applications/argocd/web`, `greenlight`, ``. */
function routeOf(loc: Location, doc: Document): string {
  const base = new URL(doc.baseURI).pathname;
  const path = loc.pathname.startsWith(base) ? loc.pathname.slice(base.length) : loc.pathname.replace(/^\//, '');
  return decodeURIComponent(path.replace(/\/+$/, ''));
}

function urlFor(route: string, query = ''): string {
  return new URL(route + query, document.baseURI).toString();
}

function useJson<T>(path: string, version: number): { data?: T; error?: string } {
  const [state, setState] = React.useState<{ data?: T; error?: string }>({});
  React.useEffect(() => {
    let live = true;
    setState({});
    fetch(new URL(path, document.baseURI).toString(), { credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      })
      .then(
        (data) => live && setState({ data }),
        (err: unknown) => live && setState({ error: err instanceof Error ? err.message : String(err) }),
      );
    return () => {
      live = false;
    };
  }, [path, version]);
  return state;
}

interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly application: HostApplication;
}

/**
 * Argo CD's watch (applications-service.ts `watch`, requests.ts `loadEventSource`): an
 * EventSource on `api/v1/stream/applications`, each message `{"result": {type, application}}`.
 * The stand-in does not retry a failed stream (Argo CD's pages retry every 500 ms).
 */
function useWatch(query: string | undefined, onEvent: (event: WatchEvent) => void): void {
  const handler = React.useRef(onEvent);
  handler.current = onEvent;
  React.useEffect(() => {
    if (query === undefined) return undefined;
    const source = new EventSource(new URL(`api/v1/stream/applications?${query}`, document.baseURI).toString());
    source.onmessage = (msg: MessageEvent<string>) => handler.current((JSON.parse(msg.data) as { result: WatchEvent }).result);
    source.onerror = () => source.close();
    return () => source.close();
  }, [query]);
}

const sameApp = (a: HostApplication, b: HostApplication) => a.metadata.name === b.metadata.name && (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '');

/** The fields the list page asks for (applications-list.tsx APP_FIELDS at v3.4.7 and v3.5.1). */
function listFields(line: HostLine): string[] {
  const spec = line === '3.5' ? ['spec.destination', 'spec.project', 'spec.source', 'spec.sources', 'spec.syncPolicy'] : ['spec'];
  return ['metadata.name', 'metadata.namespace', 'metadata.labels', ...spec, 'status.sync.status', 'status.sync.revision', 'status.health', 'status.operationState.phase'];
}

function AppList(props: { readonly line: HostLine }) {
  const fields = listFields(props.line);
  const { data, error } = useJson<{ metadata?: { resourceVersion?: string }; items?: HostApplication[] | null }>(
    `api/v1/applications?fields=${encodeURIComponent(['metadata.resourceVersion', ...fields.map((f) => `items.${f}`)].join(','))}`,
    0,
  );
  const [apps, setApps] = React.useState<HostApplication[] | undefined>(undefined);
  React.useEffect(() => setApps(data ? [...(data.items ?? [])] : undefined), [data]);
  const since = data?.metadata?.resourceVersion;
  useWatch(
    data ? `resourceVersion=${encodeURIComponent(since ?? '')}&fields=${encodeURIComponent(['result.type', ...fields.map((f) => `result.application.${f}`)].join(','))}` : undefined,
    (event) =>
      setApps((current) => {
        const list = [...(current ?? [])];
        const index = list.findIndex((a) => sameApp(a, event.application));
        if (event.type === 'DELETED') return index >= 0 ? list.filter((_, i) => i !== index) : list;
        if (index >= 0) list[index] = event.application;
        else list.unshift(event.application);
        return list;
      }),
  );
  if (error) return <p className='host-error'>Applications: {error}</p>;
  if (!apps) return <p>Loading applications…</p>;
  return (
    <table className='host-table'>
      <thead>
        <tr>
          <th>Application</th>
          <th>Sync</th>
          <th>Health</th>
        </tr>
      </thead>
      <tbody>
        {apps.map((a) => (
          <tr key={`${a.metadata.namespace}/${a.metadata.name}`} data-host-app={a.metadata.name}>
            <td>
              <a href={urlFor(`applications/${a.metadata.namespace}/${a.metadata.name}`)}>{a.metadata.name}</a>
            </td>
            <td data-host-sync>{a.status?.sync?.status}</td>
            <td data-host-health>{a.status?.health?.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const HEALTH_COLORS: Readonly<Record<string, string>> = {
  Healthy: ARGO_COLORS.success,
  Progressing: ARGO_COLORS.running,
  Degraded: ARGO_COLORS.failed,
  Suspended: ARGO_COLORS.suspended,
  Missing: ARGO_COLORS.warning,
};
const SYNC_COLORS: Readonly<Record<string, string>> = { Synced: ARGO_COLORS.success, OutOfSync: ARGO_COLORS.warning };
const OPERATION_TITLES: Readonly<Record<string, string>> = { Running: 'Syncing', Error: 'Sync error', Failed: 'Sync failed', Succeeded: 'Sync OK', Terminating: 'Terminated' };
const OPERATION_COLORS: Readonly<Record<string, string>> = { Running: ARGO_COLORS.running, Error: ARGO_COLORS.failed, Failed: ARGO_COLORS.failed, Succeeded: ARGO_COLORS.success };

/** A status-panel title as application-status-panel.tsx draws it (`sectionLabel`: an inline style). */
function SectionHeader(props: { readonly title: string; readonly more?: boolean }) {
  return (
    <div style={{ display: 'flex', alignItems: 'center' }}>
      <label style={{ display: 'flex', alignItems: 'flex-start', fontSize: '12px', fontWeight: 600, color: ARGO_COLORS.gray6, minHeight: '18px' }}>{props.title}</label>
      {props.more ? (
        <button type='button' className='application-status-panel__more-button' aria-label={`More about ${props.title.toLowerCase()}`}>
          …
        </button>
      ) : null}
    </div>
  );
}

/** Timestamp.tsx: "7 minutes ago (Thu Dec 03 2026 22:07:45 GMT+0000)"; the date only from 1024 px. */
function Timestamp(props: { readonly date: string | undefined }) {
  if (!props.date) return null;
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(props.date)) / 60_000));
  return (
    <span>
      {minutes === 0 ? 'a few seconds ago' : `${minutes} minutes ago`}
      <span className='show-for-large'> ({new Date(props.date).toString().replace(/ \(.*\)$/, '')})</span>
    </span>
  );
}

const shortSha = (revision: string) => (/^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision);

/** The sync revision beside SYNC STATUS: 3.4's `syncStatusMessage` text, 3.5's `renderSyncStatusRevision` row. */
function SyncRevision(props: { readonly app: HostApplication; readonly line: HostLine }) {
  const source = props.app.spec?.source;
  const status = props.app.status?.sync?.status ?? 'Unknown';
  const revision = props.app.status?.sync?.revision ?? '';
  const branch = source?.targetRevision || 'HEAD';
  const prefix = status === 'Synced' ? 'to' : 'from';
  if (!source || (status !== 'Synced' && status !== 'OutOfSync')) return <div className='application-status-panel__item-value__revision show-for-large' />;
  const sha = revision.length >= 7 && !revision.startsWith(branch) ? shortSha(revision) : '';
  if (props.line === '3.4') {
    return (
      <div className='application-status-panel__item-value__revision show-for-large'>
        <span>
          {prefix} <a href={source.repoURL}>{sha ? `${branch} (${sha})` : branch}</a>{' '}
        </span>
      </div>
    );
  }
  return (
    <div className='application-status-panel__item-value__revision show-for-large'>
      <span className='application-status-panel__item-value__revision-prefix'>{prefix}</span>
      <span className='application-status-panel__item-value__revision-main'>
        <a href={source.repoURL} title={branch}>
          <span className='application-status-panel__item-value__revision-branch'>{branch}</span>
          {sha ? <span className='application-status-panel__item-value__revision-sha'> ({sha})</span> : null}
        </a>
      </span>
    </div>
  );
}

/**
 * Argo CD's status panel (application-status-panel.tsx): APP HEALTH, SYNC STATUS, LAST SYNC, then
 * every registered status-panel extension, mounted inside the same `.application-status-panel.row`.
 */
function StatusPanel(props: { readonly app: HostApplication; readonly line: HostLine; readonly registry: HostRegistry; readonly openFlyout: (id: string) => void }) {
  const { app } = props;
  const health = app.status?.health?.status ?? 'Unknown';
  const sync = app.status?.sync?.status ?? 'Unknown';
  const op = app.status?.operationState;
  const opRevision = op?.syncResult?.revision;
  return (
    <div className='application-status-panel row' data-host-panel>
      <div className='application-status-panel__item'>
        <SectionHeader title='APP HEALTH' />
        <div className='application-status-panel__item-value'>
          <i style={{ color: HEALTH_COLORS[health] ?? ARGO_COLORS.gray4 }}>♥</i>&nbsp;{health}
        </div>
        {app.status?.health?.message ? <div className='application-status-panel__item-name'>{app.status.health.message}</div> : null}
      </div>
      <div className='application-status-panel__item'>
        <SectionHeader title='SYNC STATUS' more />
        <div className={`application-status-panel__item-value${op?.phase ? ` application-status-panel__item-value--${op.phase}` : ''}`}>
          <div>
            <i style={{ color: SYNC_COLORS[sync] ?? ARGO_COLORS.gray4 }}>●</i> {sync}
          </div>
          <SyncRevision app={app} line={props.line} />
        </div>
        <div className='application-status-panel__item-name' style={{ marginBottom: '0.5em' }}>
          Auto sync is not enabled.
        </div>
      </div>
      {op?.phase ? (
        <div className='application-status-panel__item'>
          <SectionHeader title='LAST SYNC' more />
          <div className={`application-status-panel__item-value application-status-panel__item-value--${op.phase}`}>
            <a>
              <i style={{ color: OPERATION_COLORS[op.phase] ?? ARGO_COLORS.gray4 }}>●</i> {OPERATION_TITLES[op.phase] ?? 'Unknown'}{' '}
            </a>
            {opRevision ? <div className='application-status-panel__item-value__revision show-for-large'>to {shortSha(opRevision)}</div> : null}
          </div>
          <div className='application-status-panel__item-name' style={{ marginBottom: '0.5em' }}>
            {op.phase} <Timestamp date={op.finishedAt ?? op.startedAt ?? undefined} />
          </div>
          {/* Upstream shows the revision's commit metadata here when the sync has a result, else the message. */}
          {op.message ? <div className='application-status-panel__item-name'>{op.message}</div> : null}
        </div>
      ) : null}
      {props.registry.statusPanels.map((p) => (
        <p.component key={p.title} application={app} openFlyout={() => props.openFlyout(p.id)} />
      ))}
    </div>
  );
}

function AppDetails(props: {
  readonly registry: HostRegistry;
  readonly line: HostLine;
  readonly namespace: string;
  readonly name: string;
  readonly view: string;
  readonly navigate: (url: string) => void;
}) {
  const [version, setVersion] = React.useState(0);
  const { data, error } = useJson<HostApplication>(`api/v1/applications/${encodeURIComponent(props.name)}?appNamespace=${encodeURIComponent(props.namespace)}`, version);
  // As application-details.tsx: the object from the GET, then each one the watch sends for this app.
  const [watched, setWatched] = React.useState<HostApplication | undefined>(undefined);
  React.useEffect(() => setWatched(undefined), [data]);
  useWatch(data ? `name=${encodeURIComponent(props.name)}&appNamespace=${encodeURIComponent(props.namespace)}` : undefined, (event) => {
    if (event.type !== 'DELETED') setWatched(event.application);
  });
  const app = watched ?? data;
  const [flyout, setFlyout] = React.useState<string | undefined>(undefined);
  if (error) return <p className='host-error'>Application: {error}</p>;
  if (!app) return <p className='host-content'>Loading application…</p>;
  const view = props.registry.appViews.find((v) => v.title === props.view);
  const open = props.registry.statusPanels.find((p) => p.id === flyout);
  const tree = { nodes: [] };
  const Flyout = open?.flyout;
  return (
    <div>
      <StatusPanel app={app} line={props.line} registry={props.registry} openFlyout={setFlyout} />
      <button type='button' className='host-refresh' onClick={() => setVersion((v) => v + 1)}>
        Refresh
      </button>
      <div className='host-views' role='tablist'>
        <button type='button' className={view ? '' : 'host-active'} onClick={() => props.navigate(urlFor(`applications/${props.namespace}/${props.name}`, '?view=tree'))}>
          <i className='fa fa-sitemap' /> Tree
        </button>
        {props.registry.appViews.map((v) => (
          <button
            key={v.title}
            type='button'
            title={v.title}
            className={view === v ? 'host-active' : ''}
            onClick={() => props.navigate(urlFor(`applications/${props.namespace}/${props.name}`, `?view=${encodeURIComponent(v.title)}`))}
          >
            <i className={`fa ${v.icon}`} /> {v.title}
          </button>
        ))}
      </div>
      <div className='host-content'>{view ? <view.component application={app} tree={tree} /> : <p>The resource tree of {app.metadata.name} (not part of the demo).</p>}</div>
      {open && Flyout ? (
        <div className='host-sliding-panel' role='dialog' aria-label={open.title}>
          <button type='button' className='host-sliding-panel__close' onClick={() => setFlyout(undefined)}>
            Close
          </button>
          <Flyout application={app} tree={tree} />
        </div>
      ) : null}
    </div>
  );
}

interface AppState {
  readonly systemItems: readonly SystemLevelExtension[];
  readonly href: string;
  readonly theme: 'light' | 'dark';
}

export interface AppProps {
  readonly registry: HostRegistry;
  /** Which Argo CD the host stands in for: 3.4 (React 16.14) or 3.5 (React 19). */
  readonly line: HostLine;
}

export class App extends React.Component<AppProps, AppState> {
  private readonly unsubscribe: () => void;

  constructor(props: AppProps) {
    super(props);
    const query = new URLSearchParams(window.location.search);
    this.state = { systemItems: [], href: window.location.href, theme: query.get('theme') === 'dark' ? 'dark' : 'light' };
    // As in Argo CD's app.tsx: system-level items arrive only through this listener.
    this.unsubscribe = props.registry.onSystemLevel((ext) => this.setState((s) => ({ systemItems: [...s.systemItems, ext] })));
  }

  override componentDidMount(): void {
    window.addEventListener('popstate', this.onPopState);
    document.addEventListener('click', this.onClick);
  }

  override componentWillUnmount(): void {
    this.unsubscribe();
    window.removeEventListener('popstate', this.onPopState);
    document.removeEventListener('click', this.onClick);
  }

  private readonly onPopState = () => this.setState({ href: window.location.href });

  /** Follows links inside the page's base without reloading, as Argo CD's router does. */
  private readonly onClick = (e: MouseEvent) => {
    const target = e.target instanceof Element ? e.target.closest('a') : null;
    if (!target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey) return;
    const url = new URL(target.href, document.baseURI);
    if (url.origin !== window.location.origin || !url.pathname.startsWith(new URL(document.baseURI).pathname) || /\/(api|extensions)\//.test(url.pathname)) return;
    e.preventDefault();
    this.navigate(url.toString());
  };

  readonly navigate = (url: string) => {
    window.history.pushState(null, '', url);
    this.setState({ href: url });
  };

  override render(): React.ReactNode {
    const route = routeOf(window.location, document);
    const query = new URLSearchParams(window.location.search);
    const system = this.state.systemItems.find((s) => route === s.path.replace(/^\//, ''));
    const app = /^applications\/([^/]+)\/([^/]+)$/.exec(route);
    let title = 'Applications';
    let content: React.ReactNode;
    if (system) {
      title = system.title;
      content = <system.component />;
    } else if (app) {
      title = `Application ${app[2]}`;
      content = <AppDetails key={route} registry={this.props.registry} line={this.props.line} namespace={app[1] ?? ''} name={app[2] ?? ''} view={query.get('view') ?? ''} navigate={this.navigate} />;
    } else if (route === '' || route === 'applications') {
      content = (
        <div className='host-content'>
          <AppList line={this.props.line} />
        </div>
      );
    } else {
      title = 'Not found';
      content = <p className='host-content'>No page at /{route}.</p>;
    }
    return (
      <div className={`theme-${this.state.theme}`}>
        <div className='host-layout'>
          <nav className='sidebar' aria-label='main'>
            <div className='host-brand'>Argo CD {this.props.line} (demo host)</div>
            <a href={urlFor('applications')} className={!system && !!route.match(/^applications|^$/) ? 'host-active' : ''}>
              <i className='fa fa-layer-group' /> Applications
            </a>
            {this.state.systemItems.map((s) => (
              <a key={s.path} href={urlFor(s.path.replace(/^\//, ''))} className={system === s ? 'host-active' : ''}>
                <i className={`fa ${s.icon}`} /> {s.title}
              </a>
            ))}
            <button type='button' onClick={() => this.setState((s) => ({ theme: s.theme === 'dark' ? 'light' : 'dark' }))}>
              {this.state.theme === 'dark' ? 'Light theme' : 'Dark theme'}
            </button>
          </nav>
          <main className='page-wrapper'>
            <h1 className='host-page-title'>{title}</h1>
            {content}
          </main>
        </div>
      </div>
    );
  }
}
