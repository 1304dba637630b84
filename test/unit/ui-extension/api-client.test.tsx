import { describe, expect, it } from 'vitest';
import {
  APPLICATION_LIST_FIELDS_BEFORE_3_5,
  APPLICATION_LIST_FIELDS_FROM_3_5,
  ApiError,
  classifyFactsError,
  createApiClient,
} from '../../../ui-extension/api-client.js';

interface Call {
  readonly url: string;
  readonly init: RequestInit | undefined;
}

function client(answer: (url: string) => Response | Promise<Response>, base = 'https://cd.example.com/argocd/', timeoutMs = 2000) {
  const calls: Call[] = [];
  const api = createApiClient({
    baseUri: () => base,
    timeoutMs,
    fetch: async (input, init) => {
      const url = String(input);
      calls.push({ url, init });
      return answer(url);
    },
  });
  return { api, calls };
}

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'Content-Type': 'application/json' } });
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a failure');
};

describe('the UI API client', () => {
  it("asks Argo CD for Applications relative to the page's base, with the fields its version allows and the selector", async () => {
    const { api, calls } = client((url) => (url.endsWith('api/version') ? json({ Version: 'v3.5.1+e4f5a6b' }) : json({ metadata: {}, items: null })));
    expect(await api.listApplications({ selector: 'greenlight.io/app=web' })).toEqual([]);
    expect(calls[0]?.url).toBe('https://cd.example.com/argocd/api/version');
    const url = new URL(calls[1]?.url ?? '');
    expect(url.origin + url.pathname).toBe('https://cd.example.com/argocd/api/v1/applications');
    expect(url.searchParams.get('fields')).toBe(APPLICATION_LIST_FIELDS_FROM_3_5.join(','));
    expect(url.searchParams.get('fields')?.split(',')).toContain('items.status.sync.revision');
    expect(url.searchParams.get('selector')).toBe('greenlight.io/app=web');
    expect(calls[1]?.init?.credentials).toBe('same-origin');
    expect(calls[1]?.init?.headers).toEqual({ Accept: 'application/json' });
    // The version is asked once per client.
    await api.listApplications({});
    expect(calls.filter((c) => c.url.endsWith('api/version'))).toHaveLength(1);
  });

  it('asks Argo CD 3.4, or one whose version it cannot read, only for what 3.4 allows: no synced revision, never the last attempt', async () => {
    const cases = [
      { answer: () => json({ Version: 'v3.4.7+a1b2c3d' }), version: { text: 'v3.4.7+a1b2c3d', major: 3, minor: 4 } },
      { answer: () => json({ error: 'not found', code: 5, message: 'not found' }, 404), version: undefined },
      { answer: () => json({ version: 'v3.5.1' }), version: undefined },
    ];
    for (const c of cases) {
      const { api, calls } = client((url) => (url.endsWith('api/version') ? c.answer() : json({ metadata: {}, items: [] })));
      await api.listApplications({});
      const fields = new URL(calls[1]?.url ?? '').searchParams.get('fields')?.split(',') ?? [];
      expect(fields).toEqual([...APPLICATION_LIST_FIELDS_BEFORE_3_5]);
      expect(fields).not.toContain('items.status.sync.revision');
      expect(fields).not.toContain('items.status.operationState.operation.sync');
      expect(await api.serverVersion()).toEqual(c.version);
    }
  });

  it("calls greenlight through Argo CD's proxy extension with the two headers Argo CD validates", async () => {
    const { api, calls } = client(() => json({ message: 'x', code: 'GL_ROUTE_NOT_FOUND' }, 404));
    await failure(api.getFacts({ namespace: 'team-a', name: 'web-green', project: 'web' }));
    expect(calls[0]?.url).toBe('https://cd.example.com/argocd/extensions/greenlight/api/v1/facts');
    expect(calls[0]?.init?.headers).toEqual({ Accept: 'application/json', 'Argocd-Application-Name': 'team-a:web-green', 'Argocd-Project-Name': 'web' });
  });

  it('parses answers with the shared schemas and names what does not fit', async () => {
    const { api } = client(() => json({ items: [{ server: 42 }] }));
    const err = await failure(api.listClusters());
    expect(err.kind).toBe('invalid');
    expect(err.message).toBe(
      "Argo CD's clusters API's answer is not what greenlight expects (GET https://cd.example.com/argocd/api/v1/clusters): items.0.server: Invalid input: expected string, received number",
    );
  });

  it('turns failures into messages for the user', async () => {
    const grpc = await failure(client(() => json({ error: 'permission denied', code: 7, message: 'permission denied' }, 403)).api.listApplicationSets());
    expect(grpc.message).toBe("Argo CD's ApplicationSets API answered 403 (Argo CD RBAC does not allow this for your account): permission denied");
    const html = await failure(client(() => new Response('<!doctype html><html></html>', { headers: { 'Content-Type': 'text/html' } })).api.listClusters());
    expect(html.kind).toBe('not-json');
    const down = await failure(createApiClient({ baseUri: () => 'https://cd.example.com/', fetch: () => Promise.reject(new TypeError('Failed to fetch')) }).listClusters());
    expect(down.message).toBe("could not reach Argo CD's clusters API (GET https://cd.example.com/api/v1/clusters): Failed to fetch");
  });

  it('gives up after its timeout, saying so', async () => {
    const hanging = (_url: string, signal?: AbortSignal | null) =>
      new Promise<Response>((_resolve, reject) => signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const api = createApiClient({ baseUri: () => 'https://cd.example.com/', timeoutMs: 50, fetch: (input, init) => hanging(String(input), init?.signal) });
    const err = await failure(api.listClusters());
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe("Argo CD's clusters API did not answer within 50 ms (GET https://cd.example.com/api/v1/clusters); retry, or check argocd-server");
  });
});

describe('classifyFactsError: what Argo CD answered for the facts', () => {
  const from = async (res: Response) => classifyFactsError(await failure(client(() => res).api.getFacts({ namespace: 'argocd', name: 'a', project: 'p' })));

  it('reads the web page as "proxy extension not enabled"', async () => {
    expect((await from(new Response('<!DOCTYPE html><html>', { status: 200, headers: { 'Content-Type': 'text/html' } }))).kind).toBe('proxy-disabled');
  });
  it('reads 404 "Extension not found" as no greenlight backend in extension.config', async () => {
    expect((await from(new Response('Extension not found\n', { status: 404 }))).kind).toBe('extension-not-configured');
  });
  it('reads 401 as RBAC (extensions, invoke) or an app/project mismatch', async () => {
    expect(await from(new Response('Unauthorized extension request\n', { status: 401 }))).toEqual({ kind: 'not-authorized', detail: 'Argo CD answered 401: Unauthorized extension request' });
  });
  it("reads 502 as greenlight's service being unreachable", async () => {
    expect((await from(new Response('', { status: 502 }))).kind).toBe('backend-unreachable');
  });
  it("passes greenlight's own errors through", async () => {
    expect(await from(json({ message: 'no', code: 'GL_AUTH_MISSING' }, 401))).toEqual({ kind: 'greenlight', detail: 'no', code: 'GL_AUTH_MISSING' });
  });
});
