/**
 * @module Arbitrary Kubernetes objects for the fake API server, served as the real one serves
 * them: discovery of every resource type (/api/v1, /apis, /apis/<group>/<version>, with
 * subresources and verbs, a group's non-preferred versions), lists cluster-wide and per
 * namespace, as full objects or metadata-only (`Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`),
 * paged with `limit`/`continue` (optionally fewer items than the limit, as servers may), single
 * GETs, and 403 Forbidden for chosen resources. Attach it with `FakeKubeApiServer.start({ objects })`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A resource type as discovery lists it. */
export interface FakeResourceType {
  readonly group: string;
  /** The versions that serve it; the group's preferred version is its first version overall unless `preferredVersions` says otherwise. */
  readonly versions: readonly string[];
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Default: the verbs of a normal resource (get, list, watch, create, update, patch, delete). */
  readonly verbs?: readonly string[];
  /** Listed in discovery as `<resource>/<sub>` (status, scale, log…). */
  readonly subresources?: readonly string[];
}

/** A Kubernetes object as a test writes it; the store fills in uid, resourceVersion and creationTimestamp. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
    managedFields?: { manager: string; operation: string; apiVersion?: string; time?: string; fieldsType?: string; fieldsV1?: unknown; subresource?: string }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface StoreRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  readonly accept: string;
  readonly at: number;
}

const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const METADATA_ONLY = /as=PartialObjectMetadataList/;
const groupOf = (apiVersion: string): { group: string; version: string } => {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
};
const typeKey = (group: string, resource: string) => (group === '' ? resource : `${resource}.${group}`);

export class FakeKubeObjects {
  /** Every request the store answered, with its Accept header. */
  readonly requests: StoreRequest[] = [];
  private readonly types = new Map<string, FakeResourceType>();
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly forbidden = new Set<string>();
  private readonly unavailable = new Set<string>();
  private readonly preferred = new Map<string, string>();
  private resourceVersion = 5000;
  /** At most this many items per page, whatever the limit (servers may return fewer). */
  pageCap: number | undefined;
  /** Answer metadata-only requests with full objects, as a server (or proxy) that ignores `as=` would. */
  fullObjectsAnyway = false;
  /** Serve aggregated discovery (apidiscovery.k8s.io/v2 on /api and /apis, Kubernetes 1.30+) when asked for it. */
  aggregatedDiscovery = true;

  /** Adds resource types to discovery. */
  define(...types: FakeResourceType[]): this {
    for (const t of types) this.types.set(typeKey(t.group, t.resource), t);
    return this;
  }

  /** The group's preferred version in discovery. */
  prefer(group: string, version: string): this {
    this.preferred.set(group, version);
    return this;
  }

  /** Lists of this resource (`resource.group`, or `resource` for the core group) answer 403. */
  forbid(resource: string): this {
    this.forbidden.add(resource);
    return this;
  }

  /** Discovery of this group/version answers 503, as an aggregated API whose backend is down. */
  makeUnavailable(groupVersion: string): this {
    this.unavailable.add(groupVersion);
    return this;
  }

  /** Stores an object (replacing one of the same kind, namespace and name); its type must be defined. */
  put(...objects: KubeObject[]): this {
    for (const input of objects) {
      const type = this.typeOfObject(input);
      const object = structuredClone(input);
      object.metadata.uid ??= randomUUID();
      object.metadata.resourceVersion = String(++this.resourceVersion);
      object.metadata.creationTimestamp ??= '2024-01-01T00:00:00Z';
      const key = typeKey(type.group, type.resource);
      const map = this.objects.get(key) ?? new Map<string, KubeObject>();
      map.set(`${type.namespaced ? (object.metadata.namespace ?? 'default') : ''}/${object.metadata.name}`, object);
      this.objects.set(key, map);
    }
    return this;
  }

  /** Removes an object; returns whether it was there. */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): boolean {
    const type = this.typeOfObject({ apiVersion, kind, metadata: { name } });
    return this.objects.get(typeKey(type.group, type.resource))?.delete(`${type.namespaced ? (namespace ?? 'default') : ''}/${name}`) ?? false;
  }

  /** How many objects the store holds. */
  get size(): number {
    let n = 0;
    for (const m of this.objects.values()) n += m.size;
    return n;
  }

  /** The defined types. */
  get resourceTypes(): FakeResourceType[] {
    return [...this.types.values()];
  }

  private typeOfObject(o: KubeObject): FakeResourceType {
    const { group, version } = groupOf(o.apiVersion);
    for (const t of this.types.values()) if (t.group === group && t.kind === o.kind && t.versions.includes(version)) return t;
    throw new Error(`no resource type defined for ${o.apiVersion} ${o.kind}`);
  }

  // ----- the wire ---------------------------------------------------------------------------------

  /**
   * Answers the request if it is about the store's types or discovery; false lets the server's
   * own handlers answer. `baseGroupVersions` are the server's other group/versions, kept in /apis.
   */
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, user: string, baseGroupVersions: readonly string[]): boolean {
    const accept = String(req.headers.accept ?? '');
    const answer = (status: number, body: unknown) => {
      this.requests.push({ path, query, accept, at: Date.now() });
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': String(res.getHeader('Content-Type') ?? 'application/json'), 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return true;
    };
    const status = (code: number, reason: string, message: string) => answer(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
    if (req.method !== 'GET') return false;

    const aggregated = this.aggregatedDiscovery && /as=APIGroupDiscoveryList/.test(accept) && /v=v2/.test(accept);
    if (aggregated && (path === '/api' || path === '/apis')) {
      res.setHeader('Content-Type', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      return answer(200, this.discoveryList(path === '/api' ? 'core' : 'groups', baseGroupVersions));
    }
    if (path === '/apis') return answer(200, this.groupList(baseGroupVersions));
    if (path === '/api/v1') return answer(200, this.resourceList('', 'v1'));
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (gv) {
      const [, group = '', version = ''] = gv;
      if (this.unavailable.has(`${group}/${version}`)) return status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
      const list = this.resourceList(group, version);
      if (list.resources.length === 0) return false;
      return answer(200, list);
    }

    const m = /^\/api\/v1\/(.+)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
    if (!m) return false;
    const core = path.startsWith('/api/v1/');
    const { group, version } = core ? { group: '', version: 'v1' } : groupOf(m[1] ?? '');
    const segments = (core ? (m[1] ?? '') : (m[2] ?? '')).split('/').map(decodeURIComponent);
    let namespace: string | undefined;
    let resource: string;
    let name: string | undefined;
    if (segments[0] === 'namespaces' && segments.length >= 3) {
      [, namespace, resource = '', name] = segments as [string, string, string, string | undefined];
      if (segments.length > 4) return false;
    } else {
      [resource = '', name] = segments as [string, string | undefined];
      if (segments.length > 2) return false;
    }
    const type = this.types.get(typeKey(group, resource));
    if (!type || !type.versions.includes(version)) return false;
    if (namespace !== undefined && !type.namespaced) return false;
    const isWatch = query.get('watch') === 'true' || query.get('watch') === '1';
    if (isWatch) return false;
    const full = typeKey(group, resource);
    if (this.forbidden.has(full)) {
      const verb = name === undefined ? 'list' : 'get';
      const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
      return status(403, 'Forbidden', `${full} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`);
    }
    const all = [...(this.objects.get(full)?.values() ?? [])]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    const metadataOnly = METADATA_ONLY.test(accept) || /as=PartialObjectMetadata(;|,|$)/.test(accept);
    const shape = (o: KubeObject) =>
      metadataOnly && !this.fullObjectsAnyway
        ? { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata }
        : { ...o, apiVersion: group === '' ? version : `${group}/${version}` };
    if (name !== undefined) {
      const found = all.find((o) => o.metadata.name === name);
      if (!found) return status(404, 'NotFound', `${full} "${name}" not found`);
      return answer(200, shape(found));
    }
    let offset = 0;
    const token = query.get('continue');
    if (token) {
      const decoded = /^([^@]+)@(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
      if (!decoded || decoded[1] !== `${full}/${namespace ?? ''}`) return status(400, 'BadRequest', 'continue key is not valid: illegal base64 data');
      offset = Number(decoded[2]);
    }
    const limit = Number(query.get('limit') ?? '0');
    let size = Number.isInteger(limit) && limit > 0 ? limit : all.length;
    if (this.pageCap !== undefined) size = Math.min(size, this.pageCap);
    const end = Math.min(all.length, offset + size);
    const more = end < all.length;
    const metadata = {
      resourceVersion: String(this.resourceVersion),
      ...(more ? { continue: Buffer.from(`${full}/${namespace ?? ''}@${end}`).toString('base64url'), remainingItemCount: all.length - end } : {}),
    };
    const items = all.slice(offset, end).map(shape);
    if (metadataOnly && !this.fullObjectsAnyway) return answer(200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items });
    return answer(200, { kind: `${type.kind}List`, apiVersion: group === '' ? version : `${group}/${version}`, metadata, items });
  }

  /** Aggregated discovery (apidiscovery.k8s.io/v2): every group's versions, preferred first, with their resources. */
  private discoveryList(which: 'core' | 'groups', base: readonly string[]) {
    const list = this.groupList(base);
    const groups = which === 'core' ? [{ name: '', versions: [{ version: 'v1' }], preferredVersion: { version: 'v1' } }] : list.groups;
    const items = groups.map((g) => {
      const versions = [...g.versions].sort((a, b) => (a.version === g.preferredVersion.version ? -1 : b.version === g.preferredVersion.version ? 1 : 0));
      return {
        metadata: { name: g.name, creationTimestamp: null },
        versions: versions.map((v) => {
          const stale = this.unavailable.has(`${g.name}/${v.version}`);
          return {
            version: v.version,
            resources: stale
              ? []
              : this.resourceTypes
                  .filter((t) => t.group === g.name && t.versions.includes(v.version))
                  .map((t) => ({
                    resource: t.resource,
                    responseKind: { group: t.group, version: v.version, kind: t.kind },
                    scope: t.namespaced ? 'Namespaced' : 'Cluster',
                    singularResource: t.kind.toLowerCase(),
                    verbs: [...(t.verbs ?? DEFAULT_VERBS)],
                    ...(t.subresources?.length
                      ? { subresources: t.subresources.map((sub) => ({ subresource: sub, responseKind: { group: t.group, version: v.version, kind: sub === 'scale' ? 'Scale' : t.kind }, verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'] })) }
                      : {}),
                  })),
            freshness: stale ? 'Stale' : 'Current',
          };
        }),
      };
    });
    return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
  }

  private groupList(base: readonly string[]) {
    const groups = new Map<string, string[]>();
    const add = (group: string, version: string) => {
      const list = groups.get(group) ?? [];
      if (!list.includes(version)) list.push(version);
      groups.set(group, list);
    };
    for (const gv of base) {
      const { group, version } = groupOf(gv);
      if (group !== '') add(group, version);
    }
    for (const t of this.types.values()) if (t.group !== '') for (const v of t.versions) add(t.group, v);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => {
        const preferred = this.preferred.get(name) ?? versions[0] ?? 'v1';
        return {
          name,
          versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
          preferredVersion: { groupVersion: `${name}/${preferred}`, version: preferred },
        };
      }),
    };
  }

  private resourceList(group: string, version: string) {
    const resources: object[] = [];
    for (const t of this.types.values()) {
      if (t.group !== group || !t.versions.includes(version)) continue;
      resources.push({ name: t.resource, singularName: t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs: [...(t.verbs ?? DEFAULT_VERBS)] });
      for (const sub of t.subresources ?? []) {
        resources.push({ name: `${t.resource}/${sub}`, singularName: '', namespaced: t.namespaced, kind: sub === 'scale' ? 'Scale' : t.kind, verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'] });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
  }
}
