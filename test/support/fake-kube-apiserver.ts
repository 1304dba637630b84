/**
 * @module A fake kube-apiserver on 127.0.0.1 speaking the real wire protocol for what greenlight
 * uses: /version, discovery (/api, /apis), StorageClasses, IngressClasses, and list + watch of
 * Secrets in a namespace (label selectors, resourceVersions, ADDED/MODIFIED/DELETED/BOOKMARK
 * events, 410 Gone both as a watch ERROR event and as an HTTP status for an expired
 * resourceVersion), and lists of Argo CD Application custom resources (`limit`/`continue`
 * paging). It authenticates like EKS does: bearer tokens, client certificates, and EKS
 * tokens, which it verifies (presigned STS URL checks and the SigV4 signature recomputed here,
 * independently of the signer under test). Test hooks change Secrets, drop watches, force 410,
 * fail or delay requests.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { FakeKubeObjects } from './fake-kube-objects.js';

// ---------------------------------------------------------------------------------------------
// Objects

export interface FakeSecretInput {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  /** Plain values; the server stores them base64-encoded as the API does. */
  readonly stringData?: Record<string, string>;
  /** Values exactly as stored in `data` (base64, or deliberately not). */
  readonly data?: Record<string, string>;
}

interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: string;
  data: Record<string, string>;
}

/** An Argo CD Application custom resource (argoproj.io/v1alpha1), as the test wants it listed. */
export interface FakeApplicationInput {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly spec?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
}

interface ApplicationObject {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Application';
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface FakeStorageClass {
  readonly name: string;
  readonly provisioner: string;
  readonly annotations?: Record<string, string>;
}

/** A Deployment as the fake lists it (apps/v1, all namespaces, by label selector). */
export interface FakeDeployment {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Record<string, string>;
  readonly containers: readonly { readonly name: string; readonly image: string; readonly args?: readonly string[] }[];
}

export interface FakeIngressClass {
  readonly name: string;
  readonly controller: string;
  readonly annotations?: Record<string, string>;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** How the fake pages Secret lists (see `setSecretListPaging`). */
export type SecretListPaging = 'normal' | 'repeat-token' | 'endless-token';

interface Change {
  readonly rv: number;
  readonly type: EventType;
  readonly object: SecretObject;
  readonly previous: SecretObject | undefined;
}

// ---------------------------------------------------------------------------------------------
// Options

export interface FakeEksAuth {
  /** The cluster name the server is: tokens must sign `x-k8s-aws-id` with this value. */
  readonly clusterName: string;
  /** Fake access key id → fake secret access key, used to recompute signatures. */
  readonly credentials: Readonly<Record<string, string>>;
  /** Extra accepted STS hosts (host[:port]); http is allowed for these, as a test STS would be. */
  readonly extraStsHosts?: readonly string[];
  /**
   * Whether the identity behind a valid token has an access entry on this cluster (default:
   * every identity does). EKS answers 401 for a valid token without one.
   */
  readonly hasAccessEntry?: (accessKeyId: string) => boolean;
  readonly now?: () => number;
}

export interface FakeKubeApiServerOptions {
  /** Serve HTTPS with this certificate; `clientCa` asks for (optional) client certificates. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly clientCa?: string };
  /** How requests authenticate. Without it, every request is allowed as system:anonymous. */
  readonly auth?: {
    /** bearer token → user name */
    readonly bearerTokens?: Readonly<Record<string, string>>;
    /** Accept client certificates signed by `tls.clientCa`; the CN is the user name. */
    readonly clientCertificates?: boolean;
    readonly eks?: FakeEksAuth;
  };
  readonly version?: { readonly major: string; readonly minor: string; readonly gitVersion: string };
  /** Served group/versions besides the core `v1`. */
  readonly groupVersions?: readonly string[];
  readonly storageClasses?: readonly FakeStorageClass[];
  readonly ingressClasses?: readonly FakeIngressClass[];
  /** Arbitrary objects with discovery, metadata-only lists and paging (see fake-kube-objects.ts). */
  readonly objects?: FakeKubeObjects;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly user: string | undefined;
}

interface Failure {
  readonly path: string | RegExp;
  readonly status: number;
  readonly watch?: boolean;
  readonly message?: string;
  remaining: number;
}

interface Delay {
  readonly path: string | RegExp;
  readonly ms?: number;
  /** Held until this settles instead of for `ms`: the test decides when the request goes on. */
  readonly until?: Promise<void>;
  remaining: number;
}

interface Watcher {
  readonly namespace: string;
  readonly selector: Selector;
  readonly bookmarks: boolean;
  readonly res: ServerResponse;
}

export const DEFAULT_GROUP_VERSIONS = [
  'apps/v1',
  'batch/v1',
  'policy/v1',
  'autoscaling/v2',
  'storage.k8s.io/v1',
  'networking.k8s.io/v1',
  'rbac.authorization.k8s.io/v1',
] as const;

const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
const EKS_TOKEN_LIFETIME_MS = 15 * 60_000;
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const STS_HOST = /^sts(\.[a-z]{2}(-[a-z]+)+-\d+)?\.amazonaws\.com(\.cn)?$/;
const PRESIGN_PARAMS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);

// ---------------------------------------------------------------------------------------------
// Server

export class FakeKubeApiServer {
  /** Every request, in order, with the user it authenticated as. */
  readonly requests: RecordedRequest[] = [];
  /** Why each refused credential was refused (for assertions; never sent to the client). */
  readonly authFailures: string[] = [];

  private readonly secrets = new Map<string, SecretObject>();
  private readonly applications = new Map<string, ApplicationObject>();
  private readonly deployments = new Map<string, FakeDeployment>();
  private versionOverride: { readonly major: string; readonly minor: string; readonly gitVersion: string } | undefined;
  private readonly history: Change[] = [];
  private resourceVersion = 1000;
  /** Watches from a resourceVersion below this are answered 410 Gone. */
  private oldestResumable = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly failures: Failure[] = [];
  private readonly delays: Delay[] = [];
  private readonly openTimers = new Set<NodeJS.Timeout>();
  private secretListPaging: SecretListPaging = 'normal';

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeKubeApiServerOptions,
  ) {}

  static async start(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
    // The handler exists before the server, and the fake before it can be built: bind them late.
    const bound: { fake?: FakeKubeApiServer } = {};
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      bound.fake?.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendStatus(res, 500, 'InternalError', String(err));
        else res.destroy();
      });
    };
    const server: Server = options.tls
      ? https.createServer(
          {
            key: options.tls.key,
            cert: options.tls.cert,
            ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
          },
          handler,
        )
      : http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeKubeApiServer(server, `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`, options);
    bound.fake = fake;
    return fake;
  }

  async close(): Promise<void> {
    for (const timer of this.openTimers) clearTimeout(timer);
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ----- test hooks ----------------------------------------------------------------------------

  /** A Secret as the server holds it (data base64), for assertions on what clients wrote. */
  secretNamed(name: string, namespace = 'argocd'): Readonly<SecretObject> | undefined {
    return this.secrets.get(`${namespace}/${name}`);
  }

  /** The Secret as stored now (after any patches), or undefined. */
  getSecret(namespace: string, name: string): SecretObject | undefined {
    return this.secrets.get(`${namespace}/${name}`);
  }

  /** Creates or replaces a Deployment (listed by GET /apis/apps/v1/deployments). */
  putDeployment(d: FakeDeployment): void {
    this.deployments.set(`${d.namespace}/${d.name}`, d);
  }

  /** Creates or replaces a Secret; watchers see ADDED or MODIFIED (or DELETED/ADDED as labels move across their selector). */
  putSecret(input: FakeSecretInput, options: { quiet?: boolean } = {}): SecretObject {
    const namespace = input.namespace ?? 'argocd';
    const key = `${namespace}/${input.name}`;
    const previous = this.secrets.get(key);
    const rv = ++this.resourceVersion;
    const data: Record<string, string> = { ...input.data };
    for (const [k, v] of Object.entries(input.stringData ?? {})) data[k] = Buffer.from(v, 'utf8').toString('base64');
    const object: SecretObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: input.name,
        namespace,
        uid: previous?.metadata.uid ?? randomUUID(),
        resourceVersion: String(rv),
        creationTimestamp: previous?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        ...(input.labels ? { labels: { ...input.labels } } : {}),
        ...(input.annotations ? { annotations: { ...input.annotations } } : {}),
      },
      type: 'Opaque',
      data,
    };
    this.secrets.set(key, object);
    this.record({ rv, type: previous ? 'MODIFIED' : 'ADDED', object, previous }, options.quiet);
    return object;
  }

  /** Creates or replaces an Argo CD Application custom resource (default namespace `argocd`). */
  putApplication(input: FakeApplicationInput): ApplicationObject {
    const namespace = input.namespace ?? 'argocd';
    const key = `${namespace}/${input.name}`;
    const previous = this.applications.get(key);
    const object: ApplicationObject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: input.name,
        namespace,
        uid: previous?.metadata.uid ?? randomUUID(),
        resourceVersion: String(++this.resourceVersion),
        creationTimestamp: previous?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        ...(input.labels ? { labels: { ...input.labels } } : {}),
      },
      spec: { ...(input.spec ?? {}) },
      ...(input.status ? { status: structuredClone(input.status) } : {}),
    };
    this.applications.set(key, object);
    return object;
  }

  /** Deletes an Application custom resource. */
  deleteApplication(name: string, options: { namespace?: string } = {}): void {
    const key = `${options.namespace ?? 'argocd'}/${name}`;
    if (!this.applications.delete(key)) throw new Error(`no Application ${key}`);
  }

  /** What `/version` answers from now on (as after a control-plane upgrade). */
  setVersion(version: { major: string; minor: string; gitVersion: string }): void {
    this.versionOverride = { ...version };
  }

  /** Every merge patch the server applied, in order: [namespace/name, the patch body]. */
  readonly patches: [string, unknown][] = [];

  /**
   * `PATCH .../secrets/<name>` with `application/merge-patch+json` (RFC 7386) on metadata
   * labels/annotations, as the API server applies it: a null removes a key; the Secret gets a
   * new resourceVersion and watchers get MODIFIED. Other patch types are refused (415).
   */
  private async readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }

  /** Every Secret created through the API, in order. */
  readonly created: string[] = [];

  /** `POST .../secrets`: 409 AlreadyExists when the name is taken, as the API server answers. */
  private async createSecret(req: IncomingMessage, res: ServerResponse, namespace: string): Promise<void> {
    const body = (await this.readJson(req)) as { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; data?: Record<string, string>; stringData?: Record<string, string> };
    const name = body.metadata?.name;
    if (!name) return sendStatus(res, 422, 'Invalid', 'Secret "" is invalid: metadata.name: Required value');
    if (this.secrets.has(`${namespace}/${name}`)) return sendStatus(res, 409, 'AlreadyExists', `secrets "${name}" already exists`);
    this.created.push(`${namespace}/${name}`);
    const created = this.putSecret({
      name,
      namespace,
      ...(body.metadata?.labels ? { labels: body.metadata.labels } : {}),
      ...(body.metadata?.annotations ? { annotations: body.metadata.annotations } : {}),
      ...(body.data ? { data: body.data } : {}),
      ...(body.stringData ? { stringData: body.stringData } : {}),
    });
    sendJson(res, 201, created);
  }

  /**
   * `PATCH .../secrets/<name>` with `application/merge-patch+json` (RFC 7386) on metadata
   * labels/annotations, data and stringData, as the API server applies it: a null removes a key;
   * `metadata.resourceVersion` in the patch is a precondition (409 Conflict when stale); the
   * Secret gets a new resourceVersion and watchers get MODIFIED. Other patch types get 415.
   */
  private async patchSecret(req: IncomingMessage, res: ServerResponse, namespace: string, name: string): Promise<void> {
    if (!/^application\/merge-patch\+json/.test(req.headers['content-type'] ?? '')) {
      return sendStatus(res, 415, 'UnsupportedMediaType', `the fake takes only merge patches, got ${req.headers['content-type'] ?? 'none'}`);
    }
    const patch = (await this.readJson(req)) as {
      metadata?: { resourceVersion?: string; labels?: Record<string, string | null>; annotations?: Record<string, string | null> };
      data?: Record<string, string | null>;
      stringData?: Record<string, string>;
    };
    const current = this.secrets.get(`${namespace}/${name}`);
    if (!current) return sendStatus(res, 404, 'NotFound', `secrets "${name}" not found`);
    const precondition = patch.metadata?.resourceVersion;
    if (precondition !== undefined && precondition !== current.metadata.resourceVersion) {
      return sendStatus(res, 409, 'Conflict', `Operation cannot be fulfilled on secrets "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    this.patches.push([`${namespace}/${name}`, patch]);
    const merge = <V extends string | null>(base: Record<string, string> | undefined, change: Record<string, V> | undefined) => {
      if (change === undefined) return base;
      const out: Record<string, string> = { ...base };
      for (const [k, v] of Object.entries(change)) {
        if (v === null) delete out[k];
        else out[k] = v;
      }
      return out;
    };
    const labels = merge(current.metadata.labels, patch.metadata?.labels);
    const annotations = merge(current.metadata.annotations, patch.metadata?.annotations);
    const data = merge(current.data, patch.data) ?? {};
    const updated = this.putSecret({
      name,
      namespace,
      data,
      ...(patch.stringData ? { stringData: patch.stringData } : {}),
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
    });
    sendJson(res, 200, updated);
  }

  /** Deletes a Secret; watchers that saw it get DELETED. */
  deleteSecret(name: string, options: { namespace?: string; quiet?: boolean } = {}): void {
    const key = `${options.namespace ?? 'argocd'}/${name}`;
    const previous = this.secrets.get(key);
    if (!previous) throw new Error(`no Secret ${key}`);
    this.secrets.delete(key);
    const rv = ++this.resourceVersion;
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    this.record({ rv, type: 'DELETED', object, previous }, options.quiet);
  }

  /** Cuts every open watch connection, as a load balancer or an apiserver restart would. */
  dropWatches(): void {
    for (const w of this.watchers) w.res.socket?.destroy();
    this.watchers.clear();
  }

  /**
   * Expires every resourceVersion seen so far: open watches get an ERROR event with a 410
   * Status and are closed; any later watch from an older resourceVersion is answered 410.
   */
  forceGone(): void {
    this.oldestResumable = this.resourceVersion + 1;
    for (const w of this.watchers) {
      writeEvent(w.res, 'ERROR', goneStatus(`too old resource version: ${this.resourceVersion} (${this.oldestResumable})`));
      w.res.end();
    }
    this.watchers.clear();
  }

  /** Forgets history without telling open watches: a later resume from an older resourceVersion gets HTTP 410. */
  compact(): void {
    this.oldestResumable = this.resourceVersion;
  }

  /** Sends a BOOKMARK with the current resourceVersion to watches that allow bookmarks. */
  sendBookmark(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) writeEvent(w.res, 'BOOKMARK', { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: String(this.resourceVersion) } });
    }
  }

  /** Fails the next `times` requests whose path matches (only watches, or only non-watches, if `watch` is set). */
  failRequests(failure: { path: string | RegExp; status: number; times?: number; watch?: boolean; message?: string }): void {
    this.failures.push({ ...failure, remaining: failure.times ?? 1 });
  }

  /** Cancels every pending injected failure. */
  clearFailures(): void {
    this.failures.splice(0);
  }

  /** Cancels pending injected failures and delays (requests already waiting keep waiting). */
  reset(): void {
    this.failures.splice(0);
    this.delays.splice(0);
  }

  /** Delays the next `times` requests whose path matches, for `ms` or until `until` settles. */
  delayRequests(delay: { path: string | RegExp; ms?: number; until?: Promise<void>; times?: number }): void {
    this.delays.push({ ...delay, remaining: delay.times ?? 1 });
  }

  /**
   * How Secret lists page from now on: `normal`; `repeat-token`, as a proxy that drops the
   * `continue` parameter makes it look (every request gets the first page and the same token);
   * or `endless-token`, a server whose tokens never end (a new one with every page, past the end
   * with no items).
   */
  setSecretListPaging(mode: SecretListPaging): void {
    this.secretListPaging = mode;
  }

  /** Secret list requests so far (not watches). */
  get secretListCount(): number {
    return this.requests.filter((r) => /\/secrets$/.test(r.path) && r.method === 'GET' && r.query.get('watch') !== 'true').length;
  }

  /**
   * Writes one raw watch event line `{"type": type, "object": object}` to every open Secret
   * watch, whatever its shape: for malformed events (`object: null`, no name, unknown type).
   */
  sendRawWatchEvent(type: unknown, object: unknown): void {
    for (const w of this.watchers) writeEvent(w.res, type, object);
  }

  /** Open watch connections. */
  get watchCount(): number {
    return this.watchers.size;
  }

  get currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  // ----- protocol --------------------------------------------------------------------------------

  private record(change: Change, quiet = false): void {
    this.history.push(change);
    if (quiet) return;
    for (const w of this.watchers) this.deliver(w, change);
  }

  private deliver(w: Watcher, change: Change): void {
    const matches = (o: SecretObject | undefined) => o !== undefined && o.metadata.namespace === w.namespace && w.selector(o.metadata.labels ?? {});
    const was = change.type !== 'ADDED' && matches(change.previous);
    const is = change.type !== 'DELETED' && matches(change.object);
    const rv = String(change.rv);
    // As the watch cache does: an object leaving the selector is DELETED (its last matching state, at the new resourceVersion).
    if (was && is) writeEvent(w.res, 'MODIFIED', change.object);
    else if (!was && is) writeEvent(w.res, 'ADDED', change.object);
    else if (was && !is && change.previous) writeEvent(w.res, 'DELETED', { ...change.previous, metadata: { ...change.previous.metadata, resourceVersion: rv } });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
    const user = this.authenticate(req);
    this.requests.push({ method: req.method ?? 'GET', path, query: url.searchParams, user });

    const delay = this.take(this.delays, path);
    if (delay) await (delay.until ?? new Promise<void>((resolve) => this.timer(resolve, delay.ms ?? 0)));

    if (user === undefined) return sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
    const failure = this.take(this.failures, path, isWatch);
    if (failure) {
      const message = failure.message ?? (failure.status === 403 ? forbiddenMessage(path, user, isWatch) : `injected failure ${failure.status}`);
      return sendStatus(res, failure.status, reasonFor(failure.status), message);
    }
    if (this.options.objects?.handle(req, res, path, url.searchParams, user, this.options.groupVersions ?? DEFAULT_GROUP_VERSIONS)) return;
    const one = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(path);
    if (req.method === 'PATCH' && one?.[1] && one[2]) return this.patchSecret(req, res, decodeURIComponent(one[1]), decodeURIComponent(one[2]));
    const collection = /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/.exec(path);
    if (req.method === 'POST' && collection?.[1]) return this.createSecret(req, res, decodeURIComponent(collection[1]));
    if (req.method !== 'GET') return sendStatus(res, 405, 'MethodNotAllowed', `the server does not allow ${req.method} here`);

    const groupVersions = this.options.groupVersions ?? DEFAULT_GROUP_VERSIONS;
    if (path === '/version') {
      const v = this.versionOverride ?? this.options.version ?? { major: '1', minor: '31', gitVersion: 'v1.31.4' };
      return sendJson(res, 200, { ...v, gitCommit: 'fake', gitTreeState: 'clean', buildDate: '2025-01-01T00:00:00Z', goVersion: 'go1.22.0', compiler: 'gc', platform: 'linux/amd64' });
    }
    if (path === '/api') {
      return sendJson(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: new URL(this.url).host }],
      });
    }
    if (path === '/apis') return sendJson(res, 200, apiGroupList(groupVersions));
    if (path === '/apis/storage.k8s.io/v1/storageclasses' && groupVersions.includes('storage.k8s.io/v1')) {
      return sendJson(res, 200, {
        kind: 'StorageClassList',
        apiVersion: 'storage.k8s.io/v1',
        metadata: { resourceVersion: String(this.resourceVersion) },
        items: (this.options.storageClasses ?? []).map((sc) => ({
          metadata: { name: sc.name, uid: `uid-${sc.name}`, resourceVersion: '1', ...(sc.annotations ? { annotations: sc.annotations } : {}) },
          provisioner: sc.provisioner,
          reclaimPolicy: 'Delete',
          volumeBindingMode: 'WaitForFirstConsumer',
        })),
      });
    }
    if (path === '/apis/networking.k8s.io/v1/ingressclasses' && groupVersions.includes('networking.k8s.io/v1')) {
      return sendJson(res, 200, {
        kind: 'IngressClassList',
        apiVersion: 'networking.k8s.io/v1',
        metadata: { resourceVersion: String(this.resourceVersion) },
        items: (this.options.ingressClasses ?? []).map((ic) => ({
          metadata: { name: ic.name, uid: `uid-${ic.name}`, resourceVersion: '1', ...(ic.annotations ? { annotations: ic.annotations } : {}) },
          spec: { controller: ic.controller },
        })),
      });
    }
    if (path === '/apis/apps/v1/deployments' && groupVersions.includes('apps/v1')) {
      const selector = parseSelector(url.searchParams.get('labelSelector') ?? '');
      if (!selector) return sendStatus(res, 400, 'BadRequest', `unable to parse requirement: ${url.searchParams.get('labelSelector')}`);
      const all = [...this.deployments.values()]
        .filter((d) => selector(d.labels ?? {}))
        .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`))
        .map((d) => ({
          metadata: { name: d.name, namespace: d.namespace, uid: `uid-${d.namespace}-${d.name}`, resourceVersion: '1', labels: d.labels ?? {} },
          spec: { selector: { matchLabels: d.labels ?? {} }, template: { metadata: { labels: d.labels ?? {} }, spec: { containers: d.containers.map((c) => ({ name: c.name, image: c.image, ...(c.args ? { args: [...c.args] } : {}) })) } } },
        }));
      const page = this.page(res, all, url.searchParams);
      if (page) sendJson(res, 200, { kind: 'DeploymentList', apiVersion: 'apps/v1', ...page });
      return;
    }
    const applications = /^\/apis\/argoproj\.io\/v1alpha1(?:\/namespaces\/([^/]+))?\/applications$/.exec(path);
    if (applications) {
      const namespace = applications[1] === undefined ? undefined : decodeURIComponent(applications[1]);
      return this.listApplications(res, namespace, url.searchParams);
    }
    const secrets = /^\/api\/v1\/namespaces\/([^/]+)\/secrets$/.exec(path);
    if (secrets?.[1]) {
      const namespace = decodeURIComponent(secrets[1]);
      const selector = parseSelector(url.searchParams.get('labelSelector') ?? '');
      if (!selector) return sendStatus(res, 400, 'BadRequest', `unable to parse requirement: ${url.searchParams.get('labelSelector')}`);
      return isWatch ? this.watch(req, res, namespace, selector, url.searchParams) : this.list(res, namespace, selector, url.searchParams);
    }
    return sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
  }

  /**
   * One page of a list as the API server pages it: `limit` items from where the opaque
   * `continue` token says, with the next token and `remainingItemCount` unless it is the last
   * page. Undefined (and a 400 sent) for a token the server did not make.
   */
  private page<T>(res: ServerResponse, all: readonly T[], query: URLSearchParams): { items: T[]; metadata: Record<string, unknown> } | undefined {
    let offset = 0;
    const token = query.get('continue');
    if (token) {
      const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!decoded) {
        sendStatus(res, 400, 'BadRequest', 'continue key is not valid: illegal base64 data');
        return undefined;
      }
      offset = Number(decoded[1]);
    }
    const limit = Number(query.get('limit') ?? '0');
    const end = Number.isInteger(limit) && limit > 0 ? offset + limit : all.length;
    const more = end < all.length;
    return {
      items: all.slice(offset, end),
      metadata: {
        resourceVersion: String(this.resourceVersion),
        ...(more ? { continue: Buffer.from(`offset:${end}`).toString('base64url'), remainingItemCount: all.length - end } : {}),
      },
    };
  }

  /** A list of Secrets in a namespace, with `labelSelector` and paging (see `page`). */
  private list(res: ServerResponse, namespace: string, selector: Selector, query: URLSearchParams): void {
    const all = [...this.secrets.values()]
      .filter((s) => s.metadata.namespace === namespace && selector(s.metadata.labels ?? {}))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (this.secretListPaging !== 'normal') {
      const limit = Math.max(1, Number(query.get('limit') ?? '1') || 1);
      const token = query.get('continue');
      const offset = this.secretListPaging === 'repeat-token' || !token ? 0 : Number(/^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'))?.[1] ?? 0);
      const next = this.secretListPaging === 'repeat-token' ? limit : offset + limit;
      return sendJson(res, 200, {
        kind: 'SecretList',
        apiVersion: 'v1',
        items: all.slice(offset, offset + limit),
        metadata: { resourceVersion: String(this.resourceVersion), continue: Buffer.from(`offset:${next}`).toString('base64url') },
      });
    }
    const page = this.page(res, all, query);
    if (page) sendJson(res, 200, { kind: 'SecretList', apiVersion: 'v1', ...page });
  }

  /** A list of Applications (in one namespace, or all), with `labelSelector` and paging (see `page`). */
  private listApplications(res: ServerResponse, namespace: string | undefined, query: URLSearchParams): void {
    const selector = parseSelector(query.get('labelSelector') ?? '');
    if (!selector) return sendStatus(res, 400, 'BadRequest', `unable to parse requirement: ${query.get('labelSelector')}`);
    const all = [...this.applications.values()]
      .filter((a) => (namespace === undefined || a.metadata.namespace === namespace) && selector(a.metadata.labels ?? {}))
      .sort((a, b) => a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name));
    const page = this.page(res, all, query);
    if (page) sendJson(res, 200, { apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationList', ...page });
  }

  private watch(req: IncomingMessage, res: ServerResponse, namespace: string, selector: Selector, query: URLSearchParams): void {
    const from = query.get('resourceVersion') ?? '';
    const fromNumber = Number(from);
    if (from !== '' && from !== '0' && (!Number.isInteger(fromNumber) || fromNumber < this.oldestResumable)) {
      return sendStatus(res, 410, 'Expired', `too old resource version: ${from} (${this.oldestResumable})`);
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const watcher: Watcher = { namespace, selector, bookmarks: query.get('allowWatchBookmarks') === 'true', res };
    if (from === '' || from === '0') {
      // "Any" resourceVersion: the current state as synthetic ADDED events, then changes.
      for (const s of [...this.secrets.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
        if (s.metadata.namespace === namespace && selector(s.metadata.labels ?? {})) writeEvent(res, 'ADDED', s);
      }
    } else {
      for (const change of this.history) if (change.rv > fromNumber) this.deliver(watcher, change);
    }
    this.watchers.add(watcher);
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
    if (timeoutSeconds > 0) {
      this.timer(() => {
        if (this.watchers.delete(watcher)) res.end();
      }, timeoutSeconds * 1000);
    }
    req.on('close', () => this.watchers.delete(watcher));
  }

  // ----- authentication -------------------------------------------------------------------------

  private authenticate(req: IncomingMessage): string | undefined {
    const auth = this.options.auth;
    if (!auth) return 'system:anonymous';
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const token = header.slice('Bearer '.length);
      if (token.startsWith(EKS_TOKEN_PREFIX) && auth.eks) {
        const verdict = verifyEksToken(token, auth.eks);
        if (verdict.ok) return verdict.user;
        this.authFailures.push(`EKS token: ${verdict.reason}`);
        return undefined;
      }
      const user = auth.bearerTokens?.[token];
      if (user !== undefined) return user;
      this.authFailures.push('bearer token: unknown');
      return undefined;
    }
    const socket = req.socket as TLSSocket;
    if (auth.clientCertificates && socket.encrypted) {
      if (socket.authorized) {
        const cn = socket.getPeerCertificate().subject?.CN;
        if (typeof cn === 'string' && cn !== '') return cn;
      } else if (socket.getPeerCertificate()?.subject) {
        this.authFailures.push(`client certificate: ${String(socket.authorizationError)}`);
      }
    }
    this.authFailures.push('no credentials');
    return undefined;
  }

  // ----- helpers ---------------------------------------------------------------------------------

  private take<T extends { path: string | RegExp; remaining: number; watch?: boolean }>(list: T[], path: string, isWatch?: boolean): T | undefined {
    const index = list.findIndex(
      (item) =>
        item.remaining > 0 &&
        (typeof item.path === 'string' ? item.path === path : item.path.test(path)) &&
        (item.watch === undefined || isWatch === undefined || item.watch === isWatch),
    );
    if (index < 0) return undefined;
    const item = list[index] as T;
    item.remaining--;
    if (item.remaining === 0) list.splice(index, 1);
    return item;
  }

  private timer(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.openTimers.delete(t);
      fn();
    }, ms);
    this.openTimers.add(t);
  }
}

// ---------------------------------------------------------------------------------------------
// Wire helpers

function writeEvent(res: ServerResponse, type: unknown, object: unknown): void {
  if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function statusObject(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function goneStatus(message: string) {
  return statusObject(410, 'Expired', message);
}

function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(res, code, statusObject(code, reason, message));
}

function reasonFor(status: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    410: 'Expired',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
  };
  return reasons[status] ?? 'Unknown';
}

/** The API server's wording for an RBAC denial. */
function forbiddenMessage(path: string, user: string, isWatch: boolean): string {
  const namespaced = /^\/api(?:s\/([^/]+))?\/[^/]+\/namespaces\/([^/]+)\/([^/]+)/.exec(path);
  const clusterScoped = /^\/apis\/([^/]+)\/[^/]+\/([^/]+)$/.exec(path);
  const verb = isWatch ? 'watch' : 'list';
  if (namespaced) {
    const [, group = '', namespace, resource] = namespaced;
    const full = group ? `${resource}.${group}` : resource;
    return `${full} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${namespace}"`;
  }
  if (clusterScoped) {
    const [, group, resource] = clusterScoped;
    return `${resource}.${group} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" at the cluster scope`;
  }
  return `forbidden: User "${user}" cannot get path "${path}"`;
}

function apiGroupList(groupVersions: readonly string[]) {
  const groups = new Map<string, string[]>();
  for (const gv of groupVersions) {
    const [group, version] = gv.split('/') as [string, string];
    groups.set(group, [...(groups.get(group) ?? []), version]);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Label selectors (equality- and set-based, as kubectl writes them)

type Selector = (labels: Readonly<Record<string, string>>) => boolean;

function parseSelector(text: string): Selector | undefined {
  const parts = text.match(/[^,(]+(\([^)]*\))?/g)?.map((p) => p.trim()).filter((p) => p !== '') ?? [];
  const requirements: Selector[] = [];
  for (const part of parts) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(part))) {
      const [, key = '', op, value = ''] = m;
      requirements.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const [, key = '', op, list = ''] = m;
      const values = new Set(list.split(',').map((v) => v.trim()));
      requirements.push(op === 'in' ? (l) => l[key] !== undefined && values.has(l[key]) : (l) => l[key] === undefined || !values.has(l[key]));
    } else if ((m = /^!([\w./-]+)$/.exec(part))) {
      const key = m[1] ?? '';
      requirements.push((l) => l[key] === undefined);
    } else if ((m = /^([\w./-]+)$/.exec(part))) {
      const key = m[1] ?? '';
      requirements.push((l) => l[key] !== undefined);
    } else {
      return undefined;
    }
  }
  return (labels) => requirements.every((r) => r(labels));
}

// ---------------------------------------------------------------------------------------------
// EKS token verification, as aws-iam-authenticator and STS would do it

type Verdict = { readonly ok: true; readonly user: string } | { readonly ok: false; readonly reason: string };

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Checks an EKS token the way the EKS authenticator and STS together do. */
export function verifyEksToken(token: string, eks: FakeEksAuth): Verdict {
  const fail = (reason: string): Verdict => ({ ok: false, reason });
  if (token.length > 4096) return fail('token is too large');
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return fail('token is not unpadded base64url');
  let url: URL;
  try {
    url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return fail('token is not a URL');
  }
  const fakeHost = eks.extraStsHosts?.includes(url.host) ?? false;
  if (!fakeHost && !STS_HOST.test(url.host)) return fail(`unexpected hostname "${url.host}" in pre-signed URL`);
  if (!fakeHost && url.protocol !== 'https:') return fail(`unexpected scheme "${url.protocol}" in pre-signed URL`);
  if (url.pathname !== '/') return fail('unexpected path in pre-signed URL');

  const params = new Map<string, string>();
  const original: [string, string][] = [];
  for (const [key, value] of url.searchParams) {
    const lower = key.toLowerCase();
    if (!PRESIGN_PARAMS.has(lower)) return fail(`non-whitelisted query parameter "${key}"`);
    if (params.has(lower)) return fail('query parameter with multiple values');
    params.set(lower, value);
    original.push([key, value]);
  }
  if (params.get('action') !== 'GetCallerIdentity') return fail('unexpected action parameter in pre-signed URL');
  const signedHeaders = (params.get('x-amz-signedheaders') ?? '').split(';');
  if (!signedHeaders.includes('x-k8s-aws-id')) return fail('client did not sign the x-k8s-aws-id header in the pre-signed URL');
  const expires = Number(params.get('x-amz-expires'));
  if (!Number.isInteger(expires) || expires < 0 || expires > 60) return fail(`invalid X-Amz-Expires parameter in pre-signed URL: ${params.get('x-amz-expires')}`);
  const date = params.get('x-amz-date') ?? '';
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!d) return fail('X-Amz-Date parameter must be present and well formed');
  const signedAt = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(d[4]), Number(d[5]), Number(d[6]));
  const now = (eks.now ?? Date.now)();
  if (now > signedAt + EKS_TOKEN_LIFETIME_MS) return fail('X-Amz-Date parameter is expired (15 minute expiration)');
  if (signedAt > now + 5 * 60_000) return fail('X-Amz-Date parameter is in the future');

  const credential = (params.get('x-amz-credential') ?? '').split('/');
  const [accessKeyId = '', scopeDate = '', region = '', service = '', terminator = ''] = credential;
  if (credential.length !== 5 || service !== 'sts' || terminator !== 'aws4_request' || scopeDate !== date.slice(0, 8)) {
    return fail('malformed X-Amz-Credential');
  }
  const secret = eks.credentials[accessKeyId];
  if (secret === undefined) return fail('InvalidClientTokenId: the access key id is not known');
  if (eks.hasAccessEntry && !eks.hasAccessEntry(accessKeyId)) return fail('the identity has no access entry on this cluster');

  // Recompute SigV4 with what the authenticator itself supplies: the URL's host and the cluster
  // name it serves. A token made for another cluster fails here.
  const canonicalQuery = original
    .filter(([key]) => key.toLowerCase() !== 'x-amz-signature')
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const headerValues: Record<string, string> = { host: url.host, 'x-k8s-aws-id': eks.clusterName };
  const headerLines: string[] = [];
  for (const name of [...signedHeaders].sort()) {
    const value = headerValues[name];
    if (value === undefined) return fail(`signed header "${name}" cannot be supplied by the authenticator`);
    headerLines.push(`${name}:${value}`);
  }
  const canonicalRequest = ['GET', '/', canonicalQuery, ...headerLines, '', [...signedHeaders].sort().join(';'), EMPTY_SHA256].join('\n');
  const scope = `${scopeDate}/${region}/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, scopeDate), region), 'sts'), 'aws4_request');
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(params.get('x-amz-signature') ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail('SignatureDoesNotMatch: the request signature does not match (wrong key, cluster or host)');
  }
  return { ok: true, user: `arn:aws:sts::111122223333:assumed-role/greenlight-test/${accessKeyId}` };
}

// ---------------------------------------------------------------------------------------------
// Throwaway certificates

/** PEM certificates and keys made for one test run; nothing is written to the repository. */
export interface TestPki {
  readonly caCert: string;
  /** Server certificate for 127.0.0.1 and localhost. */
  readonly serverCert: string;
  readonly serverKey: string;
  /** Server certificate for kube.greenlight.test only (serverName tests). */
  readonly namedServerCert: string;
  readonly namedServerKey: string;
  /** Client certificate CN=greenlight, signed by the CA. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** Client certificate CN=intruder, signed by another CA. */
  readonly rogueClientCert: string;
  readonly rogueClientKey: string;
}

/** Whether the `openssl` command is available to make test certificates. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes a CA, server and client certificates with the openssl CLI in a temporary directory, then deletes it. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) => run('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1', '-subj', `/CN=${name}`);
  const leaf = (name: string, signer: string, cn: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    run('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  };
  try {
    ca('greenlight-test-ca');
    ca('rogue-ca');
    leaf('server', 'greenlight-test-ca', 'kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    leaf('named', 'greenlight-test-ca', 'kube-apiserver', 'subjectAltName=DNS:kube.greenlight.test\nextendedKeyUsage=serverAuth\n');
    leaf('client', 'greenlight-test-ca', 'greenlight', 'extendedKeyUsage=clientAuth\n');
    leaf('rogue', 'rogue-ca', 'intruder', 'extendedKeyUsage=clientAuth\n');
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');
    return {
      caCert: read('greenlight-test-ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      namedServerCert: read('named.crt'),
      namedServerKey: read('named.key'),
      clientCert: read('client.crt'),
      clientKey: read('client.key'),
      rogueClientCert: read('rogue.crt'),
      rogueClientKey: read('rogue.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Base64 of PEM, as Argo CD stores caData/certData/keyData. */
export function b64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

/**
 * Writes a kubeconfig in `dir` pointing at `server` (a fake API server, plain HTTP, so TLS
 * checks are off) with an obviously fake token; returns its path, for KUBECONFIG.
 */
export function writeKubeconfig(dir: string, server: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: argocd, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: greenlight, user: {token: fake-kube-token-not-secret}}]',
      'contexts: [{name: argocd, context: {cluster: argocd, user: greenlight}}]',
      'current-context: argocd',
      '',
    ].join('\n'),
  );
  return path;
}
