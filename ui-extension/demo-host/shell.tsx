/**
 * @module A small Argo CD look-alike that hosts extensions the way Argo CD does: a sidebar with
 * system-level pages, an application list, application details with a status panel, a view
 * switcher (`?view=<title>`) and a sliding flyout, all under `.theme-light` or `.theme-dark`.
 * It is the demo page of `npm start` and the host of the browser tests; it is not shipped to
 * Argo CD. Like Argo CD, it renders extension components without an error boundary.
 */
import * as React from 'react';
import type { HostApplication } from '../host.js';
import type { HostRegistry, SystemLevelExtension } from './registry.js';

const HOST_CSS = `
body { margin: 0; font-family: Heebo, "Helvetica Neue", Arial, sans-serif; }
.theme-light { background: #eef2f5; color: #363c4a; min-height: 100vh; }
.theme-dark { background: #13161b; color: #dee6eb; min-height: 100vh; }
.host-layout { display: flex; min-height: 100vh; }
.host-sidebar { width: 200px; background: #0f2733; color: #fff; padding: 12px 0; flex: none; }
.host-sidebar a, .host-sidebar button { box-sizing: border-box; display: block; width: 100%; text-align: left; color: #cfd9e0; padding: 8px 16px; text-decoration: none; background: none; border: 0; font: inherit; cursor: pointer; }
.host-sidebar a.host-active { color: #fff; background: #1d3b4a; }
.host-brand { font-weight: 700; padding: 4px 16px 12px; color: #fff; }
.host-main { flex: 1; min-width: 0; }
.host-page-title { margin: 0; padding: 14px 20px; font-size: 18px; border-bottom: 1px solid rgba(128,128,128,.3); }
.host-content { padding: 14px 20px; }
.host-panel { display: flex; gap: 28px; padding: 12px 20px; border-bottom: 1px solid rgba(128,128,128,.3); flex-wrap: wrap; }
.application-status-panel__item label { display: block; color: #8fa4b1; }
.host-views { display: flex; gap: 6px; padding: 10px 20px; }
.host-panel > button { font: inherit; align-self: center; padding: 4px 10px; border: 1px solid rgba(128,128,128,.5); background: transparent; color: inherit; border-radius: 3px; cursor: pointer; }
.host-views button { font: inherit; padding: 4px 10px; border: 1px solid rgba(128,128,128,.5); background: transparent; color: inherit; cursor: pointer; border-radius: 3px; }
.host-views button.host-active { background: #0dadea; color: #fff; border-color: #0dadea; }
.host-sliding-panel { position: fixed; top: 0; right: 0; bottom: 0; width: 70%; overflow: auto; box-shadow: -4px 0 16px rgba(0,0,0,.3); z-index: 10; }
.theme-light .host-sliding-panel { background: #fff; }
.theme-dark .host-sliding-panel { background: #1f2229; }
.host-sliding-panel__close { float: right; margin: 10px; font: inherit; cursor: pointer; }
.host-table { border-collapse: collapse; width: 100%; }
.host-table td, .host-table th { padding: 6px 8px; border-bottom: 1px solid rgba(128,128,128,.3); text-align: left; }
.host-table a { color: #0dadea; }
.host-error { color: #e96d76; }
`;

export function injectHostStyles(doc: Document): void {
  const style = doc.createElement('style');
  style.id = 'demo-host-styles';
  style.textContent = HOST_CSS;
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

interface AppListItem {
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly status?: { readonly sync?: { readonly status?: string }; readonly health?: { readonly status?: string } };
}

function AppList() {
  const { data, error } = useJson<{ items?: AppListItem[] | null }>('api/v1/applications', 0);
  if (error) return <p className='host-error'>Applications: {error}</p>;
  if (!data) return <p>Loading applications…</p>;
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
        {(data.items ?? []).map((a) => (
          <tr key={`${a.metadata.namespace}/${a.metadata.name}`}>
            <td>
              <a href={urlFor(`applications/${a.metadata.namespace}/${a.metadata.name}`)}>{a.metadata.name}</a>
            </td>
            <td>{a.status?.sync?.status}</td>
            <td>{a.status?.health?.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AppDetails(props: { readonly registry: HostRegistry; readonly namespace: string; readonly name: string; readonly view: string; readonly navigate: (url: string) => void }) {
  const [version, setVersion] = React.useState(0);
  const { data: app, error } = useJson<HostApplication>(`api/v1/applications/${encodeURIComponent(props.name)}?appNamespace=${encodeURIComponent(props.namespace)}`, version);
  const [flyout, setFlyout] = React.useState<string | undefined>(undefined);
  if (error) return <p className='host-error'>Application: {error}</p>;
  if (!app) return <p className='host-content'>Loading application…</p>;
  const view = props.registry.appViews.find((v) => v.title === props.view);
  const open = props.registry.statusPanels.find((p) => p.id === flyout);
  const tree = { nodes: [] };
  const Flyout = open?.flyout;
  return (
    <div>
      <div className='host-panel'>
        <div className='application-status-panel__item'>
          <label>APP HEALTH</label>
          <div>{app.status?.health?.status}</div>
        </div>
        <div className='application-status-panel__item'>
          <label>SYNC STATUS</label>
          <div>{app.status?.sync?.status}</div>
        </div>
        {props.registry.statusPanels.map((p) => (
          <p.component key={p.title} application={app} openFlyout={() => setFlyout(p.id)} />
        ))}
        <button type='button' onClick={() => setVersion((v) => v + 1)}>
          Refresh
        </button>
      </div>
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

export class App extends React.Component<{ readonly registry: HostRegistry }, AppState> {
  private readonly unsubscribe: () => void;

  constructor(props: { readonly registry: HostRegistry }) {
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
      content = <AppDetails key={route} registry={this.props.registry} namespace={app[1] ?? ''} name={app[2] ?? ''} view={query.get('view') ?? ''} navigate={this.navigate} />;
    } else if (route === '' || route === 'applications') {
      content = (
        <div className='host-content'>
          <AppList />
        </div>
      );
    } else {
      title = 'Not found';
      content = <p className='host-content'>No page at /{route}.</p>;
    }
    return (
      <div className={`theme-${this.state.theme}`}>
        <div className='host-layout'>
          <nav className='host-sidebar' aria-label='main'>
            <div className='host-brand'>Argo CD (demo host)</div>
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
          <main className='host-main'>
            <h1 className='host-page-title'>{title}</h1>
            {content}
          </main>
        </div>
      </div>
    );
  }
}
