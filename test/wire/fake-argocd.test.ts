/**
 * The browser tests' Argo CD stand-in keeps to argocd-server's wire, per version (v3.4.7, v3.5.1):
 * the list API's `fields` allowlist, `GET /api/version`, the application watch stream's
 * Server-Sent Events and `/extensions.js`. A stand-in that is kinder than Argo CD hides bugs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ArgoApplication } from '../../generator/index.js';
import { ARGOCD_VERSIONS, SESSION_COOKIE, startFakeArgoCd, type ArgoCdLine, type FakeArgoCd } from '../support/fake-argocd.js';
import { eventually } from '../support/patience.js';

const SHA = '4f1c9e2a7b3d5c6e8f9a0b1c2d3e4f5a6b7c8d9e';
const ATTEMPT = '9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b';

const app = (name: string, labels: Record<string, string> = {}): ArgoApplication => ({
  metadata: { name, namespace: 'argocd', labels },
  spec: { project: 'default', source: { repoURL: 'https://git.example.com/apps.git', path: name, targetRevision: 'main' }, destination: { name: 'prod-eu-green', namespace: name } },
  status: {
    sync: { status: 'Synced', revision: SHA },
    health: { status: 'Healthy' },
    operationState: { phase: 'Failed', message: 'one or more objects failed to apply', startedAt: '2026-12-01T10:00:00Z', syncResult: { revision: ATTEMPT } },
  },
});

/** What Argo CD 3.5.1's own list page asks for (applications-list.tsx APP_FIELDS), plus the message. */
const ASKED = [
  'metadata.resourceVersion',
  ...['metadata.name', 'metadata.labels', 'spec.destination', 'spec.project', 'status.sync.status', 'status.sync.revision', 'status.health', 'status.operationState.phase', 'status.operationState.message', 'status.operationState.operation.sync'].map((f) => `items.${f}`),
].join(',');

let dir: string;
let argocd: FakeArgoCd | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'greenlight-fake-argocd-'));
  writeFileSync(join(dir, 'host.js'), '/* host */\n');
  writeFileSync(join(dir, 'extension-a.js'), 'window.a = 1;');
  writeFileSync(join(dir, 'extension-b.js'), 'window.b = 2;\n');
  writeFileSync(join(dir, 'not-an-extension.js'), 'window.c = 3;\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  await argocd?.close();
  argocd = undefined;
});

async function start(line: ArgoCdLine): Promise<FakeArgoCd> {
  argocd = await startFakeArgoCd({
    line,
    applications: [app('web', { 'greenlight.io/app': 'web' }), app('search')],
    clusters: [],
    hostScriptPath: join(dir, 'host.js'),
    extensionFiles: ['extension-a.js', 'extension-b.js', 'not-an-extension.js'].map((f) => join(dir, f)),
  });
  return argocd;
}

const session = (a: FakeArgoCd) => ({ Cookie: `${SESSION_COOKIE}=${a.sessionToken}` });

/** An open watch stream: the `data:` events received so far, parsed. */
async function watch(a: FakeArgoCd, query: string): Promise<{ events: { type: string; application: Record<string, unknown> }[]; raw: () => string; response: IncomingMessage; close(): void }> {
  const url = new URL(`api/v1/stream/applications?${query}`, a.url);
  let raw = '';
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { headers: { ...session(a), Accept: 'text/event-stream' } }, resolve);
    req.on('error', reject);
    req.end();
  });
  const events: { type: string; application: Record<string, unknown> }[] = [];
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    raw += chunk;
    const complete = raw.split('\n\n').slice(0, -1);
    events.length = 0;
    for (const block of complete) {
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (data) events.push((JSON.parse(data.slice('data: '.length)) as { result: { type: string; application: Record<string, unknown> } }).result);
    }
  });
  return { events, raw: () => raw, response, close: () => response.destroy() };
}

describe.each(['3.4', '3.5'] as const)('the Argo CD stand-in as argocd-server %s', (line) => {
  it("trims the application list to that version's allowlist: never the sync's message, the synced revision only from 3.5", async () => {
    const a = await start(line);
    const res = await fetch(`${a.url}api/v1/applications?fields=${encodeURIComponent(ASKED)}`, { headers: session(a) });
    const body = (await res.json()) as { metadata: { resourceVersion?: string }; items: ArgoApplication[] };
    expect(body.metadata.resourceVersion).toMatch(/^\d+$/);
    const web = body.items.find((i) => i.metadata.name === 'web');
    expect(web?.metadata.labels).toEqual({ 'greenlight.io/app': 'web' });
    expect(web?.status?.operationState?.phase).toBe('Failed');
    expect(web?.status?.operationState?.message).toBeUndefined();
    // The key says operation.sync; Argo CD puts the sync RESULT there: the attempt's revision.
    expect(web?.status?.operationState?.operation?.sync?.revision).toBe(ATTEMPT);
    expect(web?.status?.sync?.revision).toBe(line === '3.5' ? SHA : undefined);
    // spec.destination alone is a key from 3.5 on; 3.4 drops it without a word.
    expect(web?.spec?.destination).toEqual(line === '3.5' ? { name: 'prod-eu-green', namespace: 'web' } : undefined);
    // The full object keeps everything.
    const one = (await (await fetch(`${a.url}api/v1/applications/web`, { headers: session(a) })).json()) as ArgoApplication;
    expect(one.status?.operationState?.message).toBe('one or more objects failed to apply');
  });

  it('answers GET /api/version: the version alone without a session, more with one', async () => {
    const a = await start(line);
    expect(await (await fetch(`${a.url}api/version`)).json()).toEqual({ Version: ARGOCD_VERSIONS[line] });
    expect(await (await fetch(`${a.url}api/version`, { headers: session(a) })).json()).toMatchObject({ Version: ARGOCD_VERSIONS[line], Platform: 'linux/amd64' });
    expect(ARGOCD_VERSIONS[line].startsWith(`v${line}.`)).toBe(true);
  });

  it('serves /extensions.js as that version builds it: raw on 3.4, each file in try {} on 3.5', async () => {
    const a = await start(line);
    const js = await (await fetch(`${a.url}extensions.js`)).text();
    const src = (name: string) => `// source: /tmp/extensions/${name}/${name} \n`;
    expect(js).toBe(
      line === '3.4'
        ? `${src('extension-a.js')}window.a = 1;${src('extension-b.js')}window.b = 2;\n`
        : `${src('extension-a.js')}try {\nwindow.a = 1;\n} catch(e) { console.error('Extension extension-a.js failed to load:', e); }\n` +
            `${src('extension-b.js')}try {\nwindow.b = 2;\n\n} catch(e) { console.error('Extension extension-b.js failed to load:', e); }\n`,
    );
  });

  it("streams an Application's changes in argocd-server's Server-Sent Events shape", async () => {
    const a = await start(line);
    const one = await watch(a, 'name=web&appNamespace=argocd');
    expect(one.response.statusCode).toBe(200);
    expect(one.response.headers['content-type']).toBe('text/event-stream');
    // Watching one Application: it is sent first (ADDED), then every change (MODIFIED).
    await eventually(() => expect(one.events.map((e) => e.type)).toEqual(['ADDED']));
    expect(one.raw()).toMatch(/^data: \{"result":\{"type":"ADDED","application":\{"metadata":\{"name":"web",/);
    expect(one.raw().endsWith('}} \n\n')).toBe(true);
    a.update('argocd', 'web', (w) => ({ ...w, status: { ...w.status, health: { status: 'Degraded' } } }));
    a.update('argocd', 'search', (s) => ({ ...s, status: { ...s.status, health: { status: 'Degraded' } } }));
    await eventually(() => expect(one.events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']));
    expect((one.events[1]?.application['status'] as { health: unknown }).health).toEqual({ status: 'Degraded' });
    one.close();
  });

  it('streams only changes after a resourceVersion, with fields as a path filter, as the list page asks', async () => {
    const a = await start(line);
    const list = (await (await fetch(`${a.url}api/v1/applications`, { headers: session(a) })).json()) as { metadata: { resourceVersion: string } };
    const stream = await watch(a, `resourceVersion=${list.metadata.resourceVersion}&fields=${encodeURIComponent('result.type,result.application.metadata.name,result.application.status.sync.status')}`);
    a.update('argocd', 'search', (s) => ({ ...s, status: { ...s.status, sync: { status: 'OutOfSync', revision: SHA } } }));
    await eventually(() => expect(stream.events).toEqual([{ type: 'MODIFIED', application: { metadata: { name: 'search' }, status: { sync: { status: 'OutOfSync' } } } }]));
    // The same filtered message again is not sent again (the forwarder keeps the last one per name).
    a.update('argocd', 'search', (s) => ({ ...s, status: { ...s.status, health: { status: 'Progressing' } } }));
    a.update('argocd', 'web', (w) => ({ ...w, status: { ...w.status, sync: { status: 'OutOfSync' } } }));
    await eventually(() => expect(stream.events.map((e) => e.application['metadata'])).toEqual([{ name: 'search' }, { name: 'web' }]));
    stream.close();
    await eventually(() => expect(a.streams()).toEqual([]));
  });

  it('refuses the API, the stream included, without a session', async () => {
    const a = await start(line);
    const res = await fetch(`${a.url}api/v1/stream/applications`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'no session information', code: 16, message: 'no session information' });
  });
});
