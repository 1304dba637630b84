/**
 * @module The drift scan of one cluster: discovery of every listable resource type (every
 * group, non-preferred versions included, no subresources), metadata-only lists paged with
 * `limit`/`continue`, under a rate budget, reduced page by page to what the findings need
 * (generator/drift's ScanBuilder). Full reads only where a finding needs them: claims and their
 * volumes, the pods that mount EBS claims, single objects for `-o manifests`; never a Secret.
 * A Secret's data and the last-applied-configuration annotation are dropped on arrival. Scans
 * are cached per cluster with a TTL and bounded in bytes. Credentials are those of the
 * cluster's Argo CD cluster Secret, as for the kube facts.
 */
import pLimit from 'p-limit';
import { z } from 'zod';
import {
  claimOwners,
  describeEbsClaims,
  ebsClaims,
  GreenlightError,
  isObjectMetadata,
  LAST_APPLIED_ANNOTATION,
  objectMetadataSchema,
  persistentVolumeClaimSchema,
  persistentVolumeSchema,
  podVolumesSchema,
  ScanBuilder,
  scannedObject,
  TimeoutError,
  trackingApp,
  UpstreamError,
  type CancelSignal,
  type ClaimUser,
  type ClusterRecord,
  type ClusterScan,
  type ClusterScanner,
  type CoverageGap,
  type DriftRules,
  type ManagerEntry,
  type ObjectRef,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type PodVolumes,
  type ResourceType,
} from '../../../generator/index.js';
import { ENTRY_OVERHEAD_BYTES, estimateBytes, type CacheStats, type StatsSource } from '../../cache-stats.js';
import type { Logger } from '../../logger.js';
import type { ClusterConnections } from '../argocd/cluster-connection.js';
import { RateBudget } from '../facts-cache/rate-budget.js';
import { systemSleep, type Clock, type Sleep } from '../facts-cache/timing.js';
import { quoteUpstream } from '../upstream-text.js';
import { KubeClientFactory, type KubeClientFactoryOptions, type KubeClients } from './kube-client-factory.js';
import { explainFailure, type KubeRead } from './kube-fact-source.js';
import { JSON_ACCEPT, KubeAnswerTooLarge, KubeHttpError, KubeJsonClient, METADATA_ACCEPT, METADATA_LIST_ACCEPT } from './kube-json-client.js';
import { describeKubeFailure, raceAbort, type KubeFailure } from './kube-request.js';

export interface KubeDriftScannerOptions {
  readonly logger: Logger;
  /** Items asked per page (`limit`). Default 500. */
  readonly pageSize?: number | undefined;
  /** Requests per second to one cluster's API during a scan; null for no budget. Default 20. */
  readonly ratePerSecond?: number | null | undefined;
  /** Resource types listed at once. Default 4. */
  readonly concurrency?: number | undefined;
  /** How long a scan is reused. Default 10 minutes. */
  readonly ttlMs?: number | undefined;
  /** Bytes all cached scans may hold. Default 64 MiB. */
  readonly maxCacheBytes?: number | undefined;
  /** Most objects one cluster's scan reads before it gives up. Default 1,000,000. */
  readonly maxObjects?: number | undefined;
  /** Largest answer (one page) read. Default 64 MiB. */
  readonly maxPageBytes?: number | undefined;
  /** Budget for one cluster's whole scan. Default 5 minutes. */
  readonly timeoutMs?: number | undefined;
  readonly clock?: Clock | undefined;
  readonly sleep?: Sleep | undefined;
}

/** `fromConfig` options: where connections come from, and the client factory's (how to sign EKS tokens). */
export interface KubeDriftScannerConfig extends KubeDriftScannerOptions, KubeClientFactoryOptions {
  readonly connections: ClusterConnections;
}

export const DEFAULT_DRIFT_CACHE_BYTES = 64 * 1024 * 1024;

const versionsSchema = z.object({ versions: z.array(z.string()) });
const groupListSchema = z.object({
  groups: z.array(
    z.object({
      name: z.string(),
      versions: z.array(z.object({ groupVersion: z.string(), version: z.string() })),
      preferredVersion: z.object({ version: z.string() }).nullish(),
    }),
  ),
});
/** Aggregated discovery (apidiscovery.k8s.io/v2, Kubernetes 1.30+): every group/version's resources in one answer, preferred version first. */
const discoveryListSchema = z.object({
  kind: z.literal('APIGroupDiscoveryList'),
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string().nullish() }).nullish(),
      versions: z.array(
        z.object({
          version: z.string(),
          freshness: z.string().nullish(),
          resources: z
            .array(z.object({ resource: z.string(), responseKind: z.object({ kind: z.string() }).nullish(), scope: z.string(), verbs: z.array(z.string()).nullish() }))
            .nullish(),
        }),
      ),
    }),
  ),
});
const AGGREGATED_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
const resourceListSchema = z.object({
  resources: z.array(z.object({ name: z.string(), kind: z.string(), namespaced: z.boolean(), verbs: z.array(z.string()).nullish() })).nullish(),
});
const listSchema = z.object({
  metadata: z.object({ continue: z.string().nullish() }).loose().nullish(),
  items: z.array(z.unknown()).nullish(),
});
const itemSchema = z.object({ metadata: z.unknown() }).loose();

const resourceName = (t: { group: string; resource: string }) => (t.group === '' ? t.resource : `${t.resource}.${t.group}`);
const collectionPath = (t: { group: string; version: string; resource: string }, namespace?: string | null) => {
  const root = t.group === '' ? `/api/${t.version}` : `/apis/${t.group}/${t.version}`;
  return namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${t.resource}` : `${root}/${t.resource}`;
};
const isSecret = (t: { group: string; resource: string }) => t.group === '' && t.resource === 'secrets';

/**
 * Drops what must never be kept from an item as it arrives: a Secret's values (when a server
 * answers with full objects anyway) and the last-applied-configuration annotation.
 */
function dropSecrets(item: Record<string, unknown>): void {
  // Deleted only where present: most items have neither, and a delete is not free.
  if ('data' in item) delete item['data'];
  if ('stringData' in item) delete item['stringData'];
  const meta = item['metadata'];
  if (meta !== null && typeof meta === 'object') {
    const annotations = (meta as Record<string, unknown>)['annotations'];
    if (annotations !== null && typeof annotations === 'object' && LAST_APPLIED_ANNOTATION in annotations) delete (annotations as Record<string, unknown>)[LAST_APPLIED_ANNOTATION];
  }
}

interface CachedScan {
  readonly fingerprint: string;
  readonly at: number;
  readonly scan: ClusterScan;
  readonly bytes: number;
}

/** Bytes a scan holds: its keys (strings in Sets and Maps) and what it keeps of its candidates, claims and gaps. */
function scanBytes(scan: ClusterScan): number {
  return scan.keys.characters * 2 + scan.keys.size * 48 + estimateBytes(scan.candidates) + estimateBytes(scan.claims) + estimateBytes(scan.gaps) + ENTRY_OVERHEAD_BYTES;
}

/**
 * `ClusterScanner` over each cluster's own API.
 *
 * @example
 * const scanner = KubeDriftScanner.fromConfig({ connections: inventory, logger, awsCredentials, eksEndpoints });
 * const scan = await scanner.scan(blue, driftRules(), AbortSignal.timeout(300_000));
 */
export class KubeDriftScanner implements ClusterScanner, StatsSource {
  private readonly logger: Logger;
  private readonly pageSize: number;
  private readonly ratePerSecond: number | null;
  private readonly concurrency: number;
  private readonly ttlMs: number;
  private readonly maxCacheBytes: number;
  private readonly maxObjects: number;
  private readonly maxPageBytes: number;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly cache = new Map<string, CachedScan>();
  private readonly inflight = new Map<string, Promise<ClusterScan>>();
  private readonly jsonClients = new WeakMap<KubeClients, KubeJsonClient>();
  private readonly openClients = new Set<KubeJsonClient>();

  constructor(
    options: KubeDriftScannerOptions,
    private readonly connections: ClusterConnections,
    private readonly clients: KubeClientFactory,
  ) {
    this.logger = options.logger.child({ component: 'drift-scanner' });
    this.pageSize = options.pageSize ?? 500;
    this.ratePerSecond = options.ratePerSecond === undefined ? 20 : options.ratePerSecond;
    this.concurrency = options.concurrency ?? 4;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxCacheBytes = options.maxCacheBytes ?? DEFAULT_DRIFT_CACHE_BYTES;
    this.maxObjects = options.maxObjects ?? 1_000_000;
    this.maxPageBytes = options.maxPageBytes ?? 64 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? systemSleep;
  }

  static fromConfig(config: KubeDriftScannerConfig): KubeDriftScanner {
    return new KubeDriftScanner(config, config.connections, new KubeClientFactory(config));
  }

  stats(): CacheStats {
    let bytes = 0;
    for (const [key, entry] of this.cache) bytes += entry.bytes + key.length * 2;
    return { entries: this.cache.size, bytes, maxBytes: this.maxCacheBytes };
  }

  /** Closes the kept-alive connections. */
  close(): void {
    for (const c of this.openClients) c.close();
    this.openClients.clear();
  }

  async scan(cluster: ClusterRecord, rules: DriftRules, signal: CancelSignal): Promise<ClusterScan> {
    const connection = this.connections.connectionFor(cluster.name);
    if (!connection) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `cluster "${cluster.name}" has no connection details in Argo CD (${cluster.origin}), so greenlight cannot scan kubernetes API ${cluster.server} for drift`,
      );
    }
    const fingerprint = JSON.stringify([connection.server, rules]);
    const cached = this.cache.get(cluster.name);
    if (cached && cached.fingerprint === fingerprint && this.clock() - cached.at < this.ttlMs) return cached.scan;
    const flightKey = `${cluster.name}\n${fingerprint}`;
    let flight = this.inflight.get(flightKey);
    if (!flight) {
      flight = this.runScan(cluster, rules).then(
        (scan) => {
          this.store(cluster.name, { fingerprint, at: this.clock(), scan, bytes: scanBytes(scan) });
          return scan;
        },
      );
      const forget = () => this.inflight.delete(flightKey);
      flight.then(forget, forget);
      this.inflight.set(flightKey, flight);
    }
    return raceAbort(flight, signal as AbortSignal).catch((err: unknown) => {
      if (signal.aborted) throw new TimeoutError('GL_DEADLINE_EXCEEDED', `the drift scan of cluster "${cluster.name}" (kubernetes API ${connection.server}) was cut off by the command's deadline`);
      throw err;
    });
  }

  /** The listable resource types a scan reads (discovery alone), and the group/versions it could not discover. */
  async resourceTypes(cluster: ClusterRecord, signal: CancelSignal): Promise<{ types: ResourceType[]; gaps: CoverageGap[] }> {
    const run = this.open(cluster, signal as AbortSignal);
    const gaps: CoverageGap[] = [];
    try {
      return { types: await this.discover(run, gaps), gaps };
    } catch (err) {
      throw run.explain(err, undefined);
    }
  }

  async readObject(cluster: ClusterRecord, ref: ObjectRef, signal: CancelSignal): Promise<Record<string, unknown> | undefined> {
    if (isSecret(ref)) throw new Error(`greenlight never reads a Secret in full (${ref.namespace ?? ''}/${ref.name} on cluster "${cluster.name}")`);
    const run = this.open(cluster, signal as AbortSignal);
    const path = `${collectionPath(ref, ref.namespace)}/${encodeURIComponent(ref.name)}`;
    const read: KubeRead = { what: `${resourceName(ref)} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`, path, rbac: { resource: resourceName(ref), verb: 'get' } };
    try {
      const value = await run.get(read, JSON_ACCEPT);
      if (value === null || typeof value !== 'object') return undefined;
      const item = value as Record<string, unknown>;
      dropSecrets(item);
      return item;
    } catch (err) {
      if (err instanceof ReadFailure && err.failure.status === 404) return undefined;
      throw run.explain(err, read);
    }
  }

  private store(name: string, entry: CachedScan): void {
    this.cache.delete(name);
    if (entry.bytes > this.maxCacheBytes) {
      this.logger.warn({ cluster: name, bytes: entry.bytes, maxBytes: this.maxCacheBytes }, 'drift scan larger than the cache bound: not cached');
      return;
    }
    this.cache.set(name, entry);
    let total = this.stats().bytes;
    for (const [key, e] of this.cache) {
      if (total <= this.maxCacheBytes) break;
      if (key === name) continue;
      this.cache.delete(key);
      total -= e.bytes + key.length * 2;
    }
  }

  private open(cluster: ClusterRecord, signal: AbortSignal): ScanRun {
    const connection = this.connections.connectionFor(cluster.name);
    if (!connection) {
      throw new UpstreamError('GL_FACTS_UNAVAILABLE', `cluster "${cluster.name}" has no connection details in Argo CD (${cluster.origin}), so greenlight cannot read kubernetes API ${cluster.server}`);
    }
    let clients: KubeClients;
    try {
      clients = this.clients.clientsFor(connection);
    } catch (err) {
      if (err instanceof GreenlightError) throw err;
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `greenlight could not set up a client for kubernetes API ${connection.server} of cluster "${cluster.name}": ${quoteUpstream((err as Error).message)}. Check ${cluster.origin}.`,
        { cause: err },
      );
    }
    let json = this.jsonClients.get(clients);
    if (!json) {
      // Discovery and lists overlap: room for both.
      json = new KubeJsonClient(clients.kubeConfig, connection.server, { maxBytes: this.maxPageBytes, maxSockets: this.concurrency * 2 });
      this.jsonClients.set(clients, json);
      this.openClients.add(json);
    }
    const budget = this.ratePerSecond === null ? undefined : new RateBudget({ ratePerSecond: this.ratePerSecond }, this.clock, this.sleep);
    return new ScanRun(cluster, connection.server, clients, json, budget, signal, this.timeoutMs, this.logger);
  }

  private async runScan(cluster: ClusterRecord, rules: DriftRules): Promise<ClusterScan> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    timer.unref();
    const run = this.open(cluster, controller.signal);
    try {
      return await this.scanWith(run, rules);
    } catch (err) {
      throw run.explain(err, undefined);
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  private async scanWith(run: ScanRun, rules: DriftRules): Promise<ClusterScan> {
    const builder = new ScanBuilder(run.cluster.name, rules);
    const gaps: CoverageGap[] = [];
    const claims: PersistentVolumeClaim[] = [];
    const claimManagers = new Map<string, readonly ManagerEntry[]>();
    const volumes: PersistentVolume[] = [];
    let objects = 0;
    const limit = pLimit(this.concurrency);
    const lists: Promise<void>[] = [];
    const listAll = (types: readonly ResourceType[]) =>
      types.map((type) =>
        limit(async () => {
          const isClaims = type.group === '' && type.resource === 'persistentvolumeclaims';
          const isVolumes = type.group === '' && type.resource === 'persistentvolumes';
          builder.listed(type);
          const listed = await this.list(run, type, undefined, isClaims || isVolumes ? JSON_ACCEPT : METADATA_LIST_ACCEPT, gaps, (item) => {
            if (++objects > this.maxObjects) {
              throw new UpstreamError(
                'GL_FACTS_UNAVAILABLE',
                `cluster "${run.cluster.name}" holds more than ${this.maxObjects} objects, the most a drift scan reads (GREENLIGHT_DRIFT_MAX_OBJECTS); raise it to scan this cluster`,
              );
            }
            const meta = item['metadata'];
            if (!isObjectMetadata(meta)) throw new ShapeError(`an item of ${resourceName(type)} has no valid metadata`);
            builder.add(type, meta);
            if (isClaims) {
              const claim = persistentVolumeClaimSchema.safeParse(item);
              if (claim.success) {
                claims.push(claim.data);
                claimManagers.set(`${claim.data.metadata.namespace}/${claim.data.metadata.name}`, scannedObject(type, meta, rules).managers);
              }
            } else if (isVolumes) {
              const volume = persistentVolumeSchema.safeParse(item);
              if (volume.success) volumes.push(volume.data);
            }
          });
          return listed;
        }),
      );
    // Lists of a group start as soon as its discovery is done; a failed list does not wait for discovery.
    let failed: unknown;
    const types = await this.discover(run, gaps, (group) => {
      for (const p of listAll(group)) {
        p.catch((err: unknown) => (failed ??= err));
        lists.push(p);
      }
    });
    if (failed !== undefined) throw failed;
    await Promise.all(lists);
    const ebs = ebsClaims(claims, volumes);
    const { owners, users } = await this.claimUsers(run, rules, types, ebs.map((e) => e.claim.metadata.namespace), gaps);
    return builder.finish({
      claims: describeEbsClaims(ebs, owners, users, (c) => claimManagers.get(`${c.metadata.namespace}/${c.metadata.name}`) ?? []),
      gaps: gaps.sort((a, b) => a.resource.localeCompare(b.resource)),
      scannedAt: new Date(this.clock()).toISOString().replace(/\.\d+Z$/, 'Z'),
    });
  }

  /** Every listable resource type, once: the group's preferred version when it serves it, else the first that does. */
  /**
   * Every listable resource type, once: the group's preferred version when it serves it, else
   * the first that does. `onGroup` gets each group's types as soon as its versions are
   * discovered, so that lists start while other groups are still being discovered.
   */
  private async discover(run: ScanRun, gaps: CoverageGap[], onGroup: (types: ResourceType[]) => void = () => {}): Promise<ResourceType[]> {
    // Aggregated discovery when the server has it (two requests for the whole cluster), else one request per group/version.
    const [coreAnswer, groupsAnswer] = await Promise.all([run.get({ what: 'API discovery', path: '/api' }, AGGREGATED_ACCEPT), run.get({ what: 'API discovery', path: '/apis' }, AGGREGATED_ACCEPT)]);
    const aggregatedCore = discoveryListSchema.safeParse(coreAnswer);
    const aggregatedGroups = discoveryListSchema.safeParse(groupsAnswer);
    if (aggregatedCore.success && aggregatedGroups.success) {
      const all: ResourceType[] = [];
      for (const item of [...aggregatedCore.data.items, ...aggregatedGroups.data.items]) {
        const group = item.metadata?.name ?? '';
        const found = new Map<string, ResourceType>();
        for (const v of item.versions) {
          const gvText = group === '' ? v.version : `${group}/${v.version}`;
          if (v.freshness === 'Stale') {
            gaps.push({
              cluster: run.cluster.name,
              resource: gvText,
              reason: 'unavailable',
              detail: `kubernetes API ${run.server} of cluster "${run.cluster.name}" lists ${gvText} as stale in its discovery (the API server behind it does not answer), so its resources were not scanned; check the APIService of ${gvText}.`,
            });
            continue;
          }
          for (const r of v.resources ?? []) {
            // Versions come preferred first: the first version serving a resource is the one to list.
            if (found.has(r.resource) || !(r.verbs ?? []).includes('list') || !r.responseKind) continue;
            found.set(r.resource, { group, version: v.version, resource: r.resource, kind: r.responseKind.kind, namespaced: r.scope === 'Namespaced' });
          }
        }
        const types = [...found.values()].sort((a, b) => a.resource.localeCompare(b.resource));
        all.push(...types);
        onGroup(types);
      }
      return all.sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
    }
    const core = versionsSchema.safeParse(coreAnswer);
    const groups = groupListSchema.safeParse(groupsAnswer);
    if (!core.success) throw new ShapeError('/api is not an APIVersions list');
    if (!groups.success) throw new ShapeError('/apis is not an APIGroupList');
    const byGroup: { group: string; versions: { version: string; rank: number }[] }[] = [
      { group: '', versions: core.data.versions.map((version, i) => ({ version, rank: version === 'v1' ? -1 : i })) },
      ...groups.data.groups.map((g) => ({ group: g.name, versions: g.versions.map((v, i) => ({ version: v.version, rank: v.version === g.preferredVersion?.version ? -1 : i })) })),
    ];
    const limit = pLimit(this.concurrency);
    const all: ResourceType[] = [];
    await Promise.all(
      byGroup.map(async ({ group, versions }) => {
        const found = new Map<string, ResourceType & { rank: number }>();
        await Promise.all(
          versions.map(({ version, rank }) =>
            limit(async () => {
              const gvText = group === '' ? version : `${group}/${version}`;
              const read: KubeRead = { what: `API discovery of ${gvText}`, path: group === '' ? `/api/${version}` : `/apis/${gvText}` };
              let answer: unknown;
              try {
                answer = await run.get(read, JSON_ACCEPT);
              } catch (err) {
                // An aggregated API whose backend is down, or a group/version discovery refuses: a gap, not a failure.
                if (err instanceof ReadFailure && err.failure.kind === 'http') {
                  gaps.push({ cluster: run.cluster.name, resource: gvText, reason: err.failure.status === 403 ? 'forbidden' : 'unavailable', detail: run.message(err, read) });
                  return;
                }
                throw err;
              }
              const list = resourceListSchema.safeParse(answer);
              if (!list.success) throw new ShapeError(`${read.path} is not an APIResourceList`);
              for (const r of list.data.resources ?? []) {
                if (r.name.includes('/') || !(r.verbs ?? []).includes('list')) continue;
                const previous = found.get(r.name);
                if (previous && previous.rank <= rank) continue;
                found.set(r.name, { group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, rank });
              }
            }),
          ),
        );
        const types = [...found.values()].map(({ rank: _rank, ...type }) => type).sort((a, b) => a.resource.localeCompare(b.resource));
        all.push(...types);
        onGroup(types);
      }),
    );
    return all.sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
  }

  /**
   * Lists one resource type page by page, handing each item to `onItem` and keeping nothing.
   * A 403 or 404 is a gap; a continue token that expired (410) restarts the list once.
   */
  private async list(run: ScanRun, type: ResourceType, namespace: string | undefined, accept: string, gaps: CoverageGap[], onItem: (item: Record<string, unknown>) => void): Promise<void> {
    const base = collectionPath(type, namespace);
    const what = `${resourceName(type)}${namespace ? ` in namespace ${namespace}` : ''} (drift audit)`;
    let token: string | undefined;
    let restarted = false;
    const seen = new Set<string>();
    for (;;) {
      const query = new URLSearchParams({ limit: String(this.pageSize) });
      if (token !== undefined) query.set('continue', token);
      const read: KubeRead = { what, path: `${base}?${query}`, rbac: { resource: resourceName(type), verb: 'list' } };
      let answer: unknown;
      try {
        answer = await run.get(read, accept);
      } catch (err) {
        if (err instanceof ReadFailure && (err.failure.status === 403 || err.failure.status === 404)) {
          gaps.push({ cluster: run.cluster.name, resource: resourceName(type), reason: err.failure.status === 403 ? 'forbidden' : 'unavailable', detail: run.message(err, { ...read, path: base }) });
          return;
        }
        if (err instanceof ReadFailure && err.failure.status === 410 && token !== undefined && !restarted) {
          // The list took longer than the server keeps its snapshot: start it again (objects seen twice count once).
          restarted = true;
          token = undefined;
          seen.clear();
          continue;
        }
        throw err;
      }
      const page = listSchema.safeParse(answer);
      if (!page.success) throw new ShapeError(`the list of ${resourceName(type)} is not a Kubernetes list`);
      for (const raw of page.data.items ?? []) {
        // Checked by hand, not copied by a schema: the fields are validated where they are read.
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ShapeError(`an item of ${resourceName(type)} is not an object`);
        const item = raw as Record<string, unknown>;
        dropSecrets(item);
        onItem(item);
      }
      const next = page.data.metadata?.continue ?? '';
      if (next === '') return;
      if (seen.has(next)) {
        throw new UpstreamError(
          'GL_FACTS_UNAVAILABLE',
          `kubernetes API ${run.server} of cluster "${run.cluster.name}" answered the list of ${resourceName(type)} with a continue token it had already given, so the list would never end; check for a proxy in front of the API server that drops the continue parameter`,
        );
      }
      seen.add(next);
      token = next;
    }
  }

  /**
   * Who mounts the EBS claims: the pods of the claims' namespaces (read in full, since the
   * volumes are in their spec), their owners followed from ReplicaSet to Deployment, and the
   * Applications tracking those workloads.
   */
  private async claimUsers(
    run: ScanRun,
    rules: DriftRules,
    types: readonly ResourceType[],
    namespaces: readonly string[],
    gaps: CoverageGap[],
  ): Promise<{ owners: Map<string, { kind: string; name: string }[]>; users: Map<string, ClaimUser> }> {
    const podType = types.find((t) => t.group === '' && t.resource === 'pods');
    const pods: PodVolumes[] = [];
    if (podType) {
      for (const ns of [...new Set(namespaces)].sort()) {
        await this.list(run, podType, ns, JSON_ACCEPT, gaps, (item) => {
          const pod = podVolumesSchema.safeParse(item);
          if (pod.success) pods.push(pod.data);
        });
      }
    }
    const owners = claimOwners(pods);
    const users = new Map<string, ClaimUser>();
    const typeOfKind = (kind: string) => types.find((t) => t.kind === kind && t.group === 'apps') ?? types.find((t) => t.kind === kind);
    const metadataOf = async (kind: string, namespace: string, name: string) => {
      const type = typeOfKind(kind);
      if (!type || isSecret(type)) return undefined;
      const read: KubeRead = { what: `${resourceName(type)} ${namespace}/${name}`, path: `${collectionPath(type, type.namespaced ? namespace : null)}/${encodeURIComponent(name)}` };
      try {
        const answer = itemSchema.safeParse(await run.get(read, METADATA_ACCEPT));
        const meta = answer.success ? objectMetadataSchema.safeParse(answer.data['metadata']) : undefined;
        return meta?.success ? { type, meta: meta.data } : undefined;
      } catch (err) {
        if (err instanceof ReadFailure && err.failure.kind === 'http') return undefined;
        throw err;
      }
    };
    for (const [claim, list] of owners) {
      const ns = claim.slice(0, claim.indexOf('/'));
      for (const owner of list) {
        const key = `${ns}/${owner.kind}/${owner.name}`;
        if (users.has(key) || owner.kind === 'Pod') continue;
        let workload = await metadataOf(owner.kind, ns, owner.name);
        let label = `${owner.kind}/${owner.name}`;
        const parent = workload?.meta.ownerReferences?.find((o) => o.kind === 'Deployment');
        if (owner.kind === 'ReplicaSet' && parent) {
          label = `Deployment/${parent.name}`;
          workload = await metadataOf('Deployment', ns, parent.name);
        }
        const app = workload ? trackingApp(scannedObject(workload.type, workload.meta, rules), rules) : null;
        users.set(key, { workload: label, app });
      }
    }
    return { owners, users };
  }
}

/** An answer that is not what Kubernetes sends. */
class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

/** A failed read, classified; `explain` turns it into the operator's message. */
class ReadFailure extends Error {
  override readonly name = 'ReadFailure';
  constructor(
    readonly failure: KubeFailure,
    readonly read: KubeRead,
    override readonly cause: unknown,
  ) {
    super(failure.detail);
  }
}

/** One scan's (or one read's) connection to a cluster: its client, its rate budget, its deadline. */
class ScanRun {
  constructor(
    readonly cluster: ClusterRecord,
    readonly server: string,
    private readonly clients: KubeClients,
    private readonly json: KubeJsonClient,
    private readonly budget: RateBudget | undefined,
    private readonly signal: AbortSignal,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** GET under the rate budget; rejects with `ReadFailure`. */
  async get(read: KubeRead, accept: string): Promise<unknown> {
    if (this.budget && !(await this.budget.acquire(this.signal))) throw new ReadFailure({ kind: 'aborted', detail: `no answer within ${this.timeoutMs} ms` }, read, undefined);
    try {
      return await this.json.get(read.path, accept, this.signal);
    } catch (err) {
      if (err instanceof GreenlightError) throw err;
      let failure: KubeFailure;
      if (err instanceof KubeHttpError) failure = { kind: 'http', status: err.statusCode, detail: err.detail };
      else if (err instanceof KubeAnswerTooLarge) failure = { kind: 'other', detail: err.message };
      else if (this.signal.aborted) failure = { kind: 'aborted', detail: `no answer within ${this.timeoutMs} ms` };
      else failure = describeKubeFailure(err);
      throw new ReadFailure(failure, read, err);
    }
  }

  /** The operator's message for a failed read. */
  message(err: ReadFailure, read: KubeRead): string {
    return explainFailure({ cluster: this.cluster, server: this.server, auth: this.clients.auth, read, failure: err.failure });
  }

  /** Any failure of a scan as a `GreenlightError` naming the cluster, the read and what to do. */
  explain(err: unknown, read: KubeRead | undefined): GreenlightError {
    if (err instanceof GreenlightError) return err;
    if (err instanceof ReadFailure) {
      this.logger.debug({ cluster: this.cluster.name, read: err.read.path, status: err.failure.status, error: err.failure.detail }, 'drift scan read failed');
      if (err.failure.kind === 'aborted') {
        return new TimeoutError('GL_DEADLINE_EXCEEDED', `the drift scan of cluster "${this.cluster.name}" (kubernetes API ${this.server}) did not finish within ${this.timeoutMs} ms (GREENLIGHT_DRIFT_TIMEOUT_MS) while reading ${err.read.what}`, { cause: err });
      }
      return new UpstreamError('GL_FACTS_UNAVAILABLE', this.message(err, err.read), { cause: err.cause });
    }
    if (err instanceof ShapeError) {
      return new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `kubernetes API ${this.server} answered the drift scan of cluster "${this.cluster.name}" in an unexpected shape (${err.message}); check that ${this.server} is the cluster's Kubernetes API server.`,
      );
    }
    const what = read ? ` while reading ${read.what}` : '';
    return new UpstreamError('GL_FACTS_UNAVAILABLE', `the drift scan of cluster "${this.cluster.name}" (kubernetes API ${this.server}) failed${what}: ${quoteUpstream(err instanceof Error ? err.message : String(err))}`, { cause: err });
  }
}
