/**
 * A `fetch` that answers like Argo CD's API and its proxy extension, from memory: the wire
 * seen by the UI's API client in component tests (no module is mocked). Failures are queued
 * per path prefix; every call is recorded.
 */
import type { ArgoApplication, ArgoApplicationSet, ArgoCluster } from '../../../../generator/contract/ui-api.js';
import type { FactsResponse } from '../../../../generator/contract/facts-api.js';

export interface Canned {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
}

export interface FakeArgo {
  applications: ArgoApplication[];
  clusters: ArgoCluster[];
  applicationSets: ArgoApplicationSet[];
  /** The facts answer: fixed, canned, or made for the Application the proxy names (`namespace:name`). */
  facts: FactsResponse | Canned | ((application: string) => FactsResponse);
  /** What `GET api/version` answers: "v3.5.1+…" by default. */
  version: string;
  /** Answers to use once each, before the normal answer, by path prefix ("api/v1/applications"). */
  readonly failures: Map<string, Canned[]>;
  readonly calls: { readonly url: string; readonly headers: Record<string, string> }[];
  /** Resolves pending answers held by `hold`. */
  hold: boolean;
  release(): void;
  readonly fetch: typeof fetch;
}

export const BASE = 'http://argocd.test/argocd/';

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'Content-Type': 'application/json' } });

function matches(app: ArgoApplication, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key = '', value] = term.split('=');
    const labels = app.metadata.labels ?? {};
    return value === undefined ? key in labels : labels[key] === value;
  });
}

export function fakeArgo(init: Partial<Pick<FakeArgo, 'applications' | 'clusters' | 'applicationSets' | 'facts' | 'version'>> = {}): FakeArgo {
  let waiting: (() => void)[] = [];
  const fake: FakeArgo = {
    applications: init.applications ?? [],
    clusters: init.clusters ?? [],
    applicationSets: init.applicationSets ?? [],
    facts: init.facts ?? { status: 404, body: 'Extension not found\n', contentType: 'text/plain; charset=utf-8' },
    version: init.version ?? 'v3.5.1+e4f5a6b',
    failures: new Map(),
    calls: [],
    hold: false,
    release() {
      const pending = waiting;
      waiting = [];
      for (const go of pending) go();
    },
    fetch: async (input, requestInit) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url);
      const headers: Record<string, string> = {};
      new Headers(requestInit?.headers).forEach((value, key) => {
        headers[key] = value;
      });
      fake.calls.push({ url: url.toString(), headers });
      if (fake.hold) await new Promise<void>((resolve) => waiting.push(resolve));
      if (!url.toString().startsWith(BASE)) return new Response('not under the base', { status: 404 });
      const path = url.pathname.slice(new URL(BASE).pathname.length);
      for (const [prefix, queue] of fake.failures) {
        const next = path.startsWith(prefix) ? queue.shift() : undefined;
        if (next) return new Response(next.body, { status: next.status, headers: { 'Content-Type': next.contentType ?? 'application/json' } });
      }
      if (path === 'api/version') return json({ Version: fake.version });
      if (path === 'api/v1/applications') return json({ metadata: {}, items: fake.applications.filter((a) => matches(a, url.searchParams.get('selector'))) });
      if (path === 'api/v1/clusters') return json({ metadata: {}, items: fake.clusters });
      if (path === 'api/v1/applicationsets') return json({ metadata: {}, items: fake.applicationSets });
      if (path === 'extensions/greenlight/api/v1/facts') {
        const f = typeof fake.facts === 'function' ? fake.facts(headers['argocd-application-name'] ?? '') : fake.facts;
        if ('status' in f && 'body' in f) return new Response(f.body, { status: f.status, headers: { 'Content-Type': f.contentType ?? 'application/json' } });
        return json(f);
      }
      return json({ error: 'not found', code: 5, message: 'not found' }, 404);
    },
  };
  return fake;
}
