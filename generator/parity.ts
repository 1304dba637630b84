/**
 * @module Parity: whether every cluster of a blue/green pair runs an app the same way, and how
 * two clusters' facts differ. Pure functions over Argo CD's Application and cluster objects and
 * greenlight's facts, shared by the service (`GET /api/v1/facts`) and the UI extension. No I/O,
 * no DOM, no Node.
 */
import type { ClusterFacts } from './contract/cluster-facts.js';
import type { ArgoApplication, ArgoApplicationSet, ArgoCluster, ArgoSource } from './contract/ui-api.js';
import type { FactArea, FactDifference } from './contract/facts-api.js';
import { BLUE_GREEN_KEYS } from './model.js';

/** The label that names an app's family: the same app on every cluster (set it in the ApplicationSet template). */
export const FAMILY_LABEL = 'greenlight.io/app';

// ---------------------------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------------------------

/**
 * The verdict on one (family, cluster) cell. Exactly one applies; they are checked in the order
 * below, so a cell that is both OutOfSync and at another revision reads `out-of-sync`.
 *
 * - `missing`: no Application of the family targets this cluster, although the family runs on
 *   another cluster of the same pair. Green will not serve this app.
 * - `operation-failed`: the last sync operation ended `Failed` or `Error`.
 * - `out-of-sync`: the sync status is not `Synced` (`OutOfSync` or `Unknown`).
 * - `progressing`: health is `Progressing`, or a sync operation is running.
 * - `unhealthy`: health is anything else but `Healthy` (`Degraded`, `Missing`, `Suspended`, `Unknown`).
 * - `baseline`: Synced and Healthy, and this is the reference cell of its pair (the app on the
 *   pair's blue cluster; without one, on the pair's cluster with the single highest traffic weight).
 * - `no-baseline`: Synced and Healthy, but its pair has no baseline cell to compare with (or its
 *   cluster is in no pair).
 * - `revision-differs`: Synced and Healthy, at another revision than the baseline.
 * - `images-differ`: Synced, Healthy, same revision (or one not known), but another set of
 *   container images.
 * - `revision-unknown`: Synced, Healthy, the same images as the baseline, but the synced
 *   revision of this cell or of the baseline is not known (Argo CD's application list returns
 *   `status.sync.revision` only from 3.5), so parity cannot be claimed.
 * - `at-parity`: Synced, Healthy, and the same revision and images as the baseline.
 *
 * A cell "is at parity" when its verdict is `at-parity` or `baseline`.
 */
export type ParityVerdict =
  | 'missing'
  | 'operation-failed'
  | 'out-of-sync'
  | 'progressing'
  | 'unhealthy'
  | 'baseline'
  | 'no-baseline'
  | 'revision-differs'
  | 'images-differ'
  | 'revision-unknown'
  | 'at-parity';

export type Tone = 'ok' | 'info' | 'warn' | 'bad';

/** How each verdict reads in the UI, and whether it counts as at parity. */
export const VERDICTS: Readonly<Record<ParityVerdict, { readonly label: string; readonly atParity: boolean; readonly tone: Tone }>> = {
  missing: { label: 'missing', atParity: false, tone: 'bad' },
  'operation-failed': { label: 'sync failed', atParity: false, tone: 'bad' },
  'out-of-sync': { label: 'out of sync', atParity: false, tone: 'warn' },
  progressing: { label: 'progressing', atParity: false, tone: 'info' },
  unhealthy: { label: 'unhealthy', atParity: false, tone: 'bad' },
  baseline: { label: 'baseline', atParity: true, tone: 'ok' },
  'no-baseline': { label: 'no baseline', atParity: false, tone: 'info' },
  'revision-differs': { label: 'other revision', atParity: false, tone: 'warn' },
  'images-differ': { label: 'other images', atParity: false, tone: 'warn' },
  'revision-unknown': { label: 'revision not known', atParity: false, tone: 'info' },
  'at-parity': { label: 'at parity', atParity: true, tone: 'ok' },
};

export const VERDICT_ORDER: readonly ParityVerdict[] = [
  'missing',
  'operation-failed',
  'out-of-sync',
  'progressing',
  'unhealthy',
  'baseline',
  'no-baseline',
  'revision-differs',
  'images-differ',
  'revision-unknown',
  'at-parity',
];

// ---------------------------------------------------------------------------------------------
// Applications and clusters, reduced to what parity reads
// ---------------------------------------------------------------------------------------------

/** What parity reads of one Application. */
export interface AppSnapshot {
  readonly namespace: string;
  readonly name: string;
  readonly project: string;
  readonly destination: { readonly server?: string | undefined; readonly name?: string | undefined; readonly namespace?: string | undefined };
  /** `Synced`, `OutOfSync` or `Unknown` (Argo CD's sync status; `Unknown` when absent). */
  readonly sync: string;
  /** Argo CD's health status (`Healthy`, `Progressing`, `Degraded`, ...; `Unknown` when absent). */
  readonly health: string;
  readonly healthMessage?: string | undefined;
  /** The synced revision (commit SHA or chart version); several sources are joined with ", ". */
  readonly revision?: string | undefined;
  /** Container images, sorted and without duplicates. */
  readonly images: readonly string[];
  readonly operation?: { readonly phase: string; readonly message?: string | undefined; readonly startedAt?: string | undefined; readonly finishedAt?: string | undefined } | undefined;
}

const nonEmpty = (v: string | null | undefined): v is string => typeof v === 'string' && v !== '';

function revisionOf(app: ArgoApplication): string | undefined {
  const status = app.status;
  const candidates = [status?.sync, status?.operationState?.syncResult, status?.operationState?.operation?.sync];
  for (const c of candidates) {
    if (!c) continue;
    if (nonEmpty(c.revision)) return c.revision;
    const many = (c.revisions ?? []).filter(nonEmpty);
    if (many.length > 0) return many.join(', ');
  }
  return undefined;
}

/** Reduces an Application to what parity reads. */
export function snapshotOf(app: ArgoApplication): AppSnapshot {
  const op = app.status?.operationState;
  const images = [...new Set((app.status?.summary?.images ?? []).filter(nonEmpty))].sort();
  const dest = app.spec?.destination ?? {};
  return {
    namespace: app.metadata.namespace ?? '',
    name: app.metadata.name,
    project: app.spec?.project ?? 'default',
    destination: { server: dest.server, name: dest.name, namespace: dest.namespace },
    sync: nonEmpty(app.status?.sync?.status) ? app.status.sync.status : 'Unknown',
    health: nonEmpty(app.status?.health?.status) ? app.status.health.status : 'Unknown',
    healthMessage: app.status?.health?.message,
    revision: revisionOf(app),
    images,
    operation: op && nonEmpty(op.phase)
      ? { phase: op.phase, message: op.message, startedAt: op.startedAt ?? undefined, finishedAt: op.finishedAt ?? undefined }
      : undefined,
  };
}

/** A cluster as parity sees it: its place in a pair comes from the Argo CD cluster's labels and annotations. */
export interface ClusterInfo {
  readonly name: string;
  readonly server: string;
  readonly pair?: string | undefined;
  readonly role?: string | undefined;
  /** The `greenlight.io/weight` annotation as written (a Route 53 weight, 0-255). */
  readonly weight?: string | undefined;
  /** False when Argo CD did not list the cluster (unknown to it, or hidden from this user). */
  readonly listed: boolean;
}

const trimServer = (server: string) => server.replace(/\/+$/, '');

export function clusterInfoOf(cluster: ArgoCluster): ClusterInfo {
  const labels = cluster.labels ?? {};
  const annotations = cluster.annotations ?? {};
  const pick = (v: string | undefined) => (nonEmpty(v) ? v.trim() : undefined);
  return {
    name: nonEmpty(cluster.name) ? cluster.name : cluster.server,
    server: cluster.server,
    pair: pick(labels[BLUE_GREEN_KEYS.pair]),
    role: pick(labels[BLUE_GREEN_KEYS.role]),
    weight: pick(annotations[BLUE_GREEN_KEYS.weight]),
    listed: true,
  };
}

/** Orders roles the way people read a pair: blue, then green, then any other word, then none. */
export function roleRank(role: string | undefined | null): number {
  if (role === 'blue') return 0;
  if (role === 'green') return 1;
  return role ? 2 : 3;
}

function weightOf(weight: string | undefined | null): number | undefined {
  if (!weight || !/^\d{1,3}$/.test(weight)) return undefined;
  const n = Number(weight);
  return n <= 255 ? n : undefined;
}

/**
 * The baseline among clusters (or pair members): the first with role `blue`; without one, the
 * single one with the highest traffic weight above 0. Undefined when neither decides.
 */
export function pickBaseline<T extends { readonly name: string; readonly role?: string | null | undefined; readonly weight?: string | null | undefined }>(
  items: readonly T[],
): T | undefined {
  const blue = items.filter((i) => i.role === 'blue').sort((a, b) => a.name.localeCompare(b.name))[0];
  if (blue) return blue;
  let best: T | undefined;
  let bestWeight = 0;
  let tie = false;
  for (const item of items) {
    const w = weightOf(item.weight);
    if (w === undefined || w === 0) continue;
    if (w > bestWeight) {
      best = item;
      bestWeight = w;
      tie = false;
    } else if (w === bestWeight) tie = true;
  }
  return tie ? undefined : best;
}

// ---------------------------------------------------------------------------------------------
// Families
// ---------------------------------------------------------------------------------------------

/** The same app on every cluster. */
export interface FamilyId {
  /** Stable key: `label:<value>` or `appset:<namespace>/<name>:<source>`. */
  readonly key: string;
  /** For people: the label's value, or `<ApplicationSet> · <path or chart>`. */
  readonly name: string;
  readonly source: 'label' | 'applicationset';
}

/** The owning ApplicationSet of each Application, keyed `<app namespace>/<app name>`. */
export type OwnerIndex = ReadonlyMap<string, { readonly namespace: string; readonly name: string }>;

const appKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/**
 * Who generated which Application: the Applications' own `ownerReferences` (present on full
 * objects) and the ApplicationSets' `status.resources` (what the list API can give, since its
 * `fields` filter drops `ownerReferences`).
 */
export function ownerIndexOf(applications: readonly ArgoApplication[], applicationSets: readonly ArgoApplicationSet[] = []): OwnerIndex {
  const index = new Map<string, { namespace: string; name: string }>();
  for (const set of applicationSets) {
    const namespace = set.metadata.namespace ?? '';
    for (const r of set.status?.resources ?? []) {
      if (r.kind !== undefined && r.kind !== 'Application') continue;
      index.set(appKey(r.namespace ?? namespace, r.name), { namespace, name: set.metadata.name });
    }
  }
  for (const app of applications) {
    const owner = (app.metadata.ownerReferences ?? []).find((o) => o.kind === 'ApplicationSet');
    if (owner) index.set(appKey(app.metadata.namespace, app.metadata.name), { namespace: app.metadata.namespace ?? '', name: owner.name });
  }
  return index;
}

function sourceKey(source: ArgoSource): string {
  const where = nonEmpty(source.chart) ? `chart ${source.chart}` : nonEmpty(source.path) ? source.path : '.';
  return `${source.repoURL ?? ''} ${where}`;
}

function sourceLabel(source: ArgoSource): string {
  if (nonEmpty(source.chart)) return source.chart;
  if (nonEmpty(source.path) && source.path !== '.') return source.path;
  return (source.repoURL ?? '').replace(/\.git$/, '').split('/').pop() || 'source';
}

/**
 * The family of an Application: its `greenlight.io/app` label; else its owning ApplicationSet
 * and source (repository plus path or chart), so that one ApplicationSet that generates two apps
 * per cluster gives two families. Undefined when neither is known.
 */
export function familyOf(app: ArgoApplication, owners: OwnerIndex = new Map()): FamilyId | undefined {
  const label = app.metadata.labels?.[FAMILY_LABEL]?.trim();
  if (nonEmpty(label)) return { key: `label:${label}`, name: label, source: 'label' };
  const owner = owners.get(appKey(app.metadata.namespace, app.metadata.name));
  if (!owner) return undefined;
  const sources = app.spec?.sources && app.spec.sources.length > 0 ? app.spec.sources : app.spec?.source ? [app.spec.source] : [];
  const key = sources.map(sourceKey).sort().join(' + ');
  const shown = sources.map(sourceLabel).join(' + ');
  return {
    key: `appset:${owner.namespace}/${owner.name}:${key}`,
    name: shown ? `${owner.name} · ${shown}` : owner.name,
    source: 'applicationset',
  };
}

/** One cell: an app (or its absence) on one cluster, with its verdict. */
export interface ParityRow {
  /** Unique within the family: `<cluster server>|<app namespace>/<app name>`. */
  readonly key: string;
  readonly cluster: ClusterInfo;
  readonly app?: AppSnapshot | undefined;
  readonly verdict: ParityVerdict;
  /** Why, in a sentence: "revision 9f8e7d6 ≠ prod-eu-blue's 1a2b3c4". */
  readonly detail: string;
}

export interface Family {
  readonly id: FamilyId;
  /** The pairs the family's clusters belong to, sorted. */
  readonly pairs: readonly string[];
  readonly rows: readonly ParityRow[];
  /** Names of the baseline clusters, one per pair that has one. */
  readonly baselines: readonly string[];
  readonly atParity: number;
  readonly total: number;
  /** Every cell at parity. */
  readonly converged: boolean;
}

export interface FleetCounts {
  readonly families: number;
  readonly familiesAtParity: number;
  readonly cells: number;
  readonly byVerdict: Readonly<Record<ParityVerdict, number>>;
}

export interface FleetView {
  readonly families: readonly Family[];
  /** Applications without a family (no label, no known ApplicationSet). */
  readonly ungrouped: readonly AppSnapshot[];
  readonly pairs: readonly string[];
  readonly roles: readonly string[];
  readonly counts: FleetCounts;
}

export interface FleetInput {
  readonly applications: readonly ArgoApplication[];
  readonly clusters: readonly ArgoCluster[];
  readonly applicationSets?: readonly ArgoApplicationSet[];
}

const short = (revision: string | undefined) =>
  revision === undefined ? 'unknown' : revision.split(', ').map((r) => (/^[0-9a-f]{40}$/.test(r) ? r.slice(0, 7) : r)).join(', ');

function listSome(items: readonly string[], max = 2): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/**
 * The verdict on one cell (see {@link ParityVerdict} for the definitions and their order).
 * `baseline` is the family's baseline app (undefined when it has none); `isBaseline` says this
 * cell is that baseline; `baselineCluster` names it in the detail.
 */
export function judge(
  app: AppSnapshot | undefined,
  baseline: AppSnapshot | undefined,
  isBaseline: boolean,
  baselineCluster = 'the baseline',
): { verdict: ParityVerdict; detail: string } {
  if (!app) return { verdict: 'missing', detail: 'no Application of this app (that you may see) targets this cluster' };
  const phase = app.operation?.phase;
  if (phase === 'Failed' || phase === 'Error') {
    return { verdict: 'operation-failed', detail: `last sync ${phase.toLowerCase()}${app.operation?.message ? `: ${app.operation.message}` : ''}` };
  }
  if (app.sync !== 'Synced') return { verdict: 'out-of-sync', detail: `sync status is ${app.sync}` };
  if (phase === 'Running' || phase === 'Terminating') return { verdict: 'progressing', detail: 'a sync is running' };
  if (app.health === 'Progressing') return { verdict: 'progressing', detail: `health is Progressing${app.healthMessage ? `: ${app.healthMessage}` : ''}` };
  if (app.health !== 'Healthy') return { verdict: 'unhealthy', detail: `health is ${app.health}${app.healthMessage ? `: ${app.healthMessage}` : ''}` };
  if (isBaseline) return { verdict: 'baseline', detail: 'Synced and Healthy; the other clusters are compared with it' };
  if (!baseline) return { verdict: 'no-baseline', detail: 'Synced and Healthy; no app on a blue cluster of its pair to compare with' };
  const revisionKnown = app.revision !== undefined && baseline.revision !== undefined;
  if (revisionKnown && app.revision !== baseline.revision) {
    return { verdict: 'revision-differs', detail: `revision ${short(app.revision)} ≠ ${baselineCluster}'s ${short(baseline.revision)}` };
  }
  const mine = new Set(app.images);
  const theirs = new Set(baseline.images);
  const onlyHere = app.images.filter((i) => !theirs.has(i));
  const onlyThere = baseline.images.filter((i) => !mine.has(i));
  if (onlyHere.length > 0 || onlyThere.length > 0) {
    const parts: string[] = [];
    if (onlyHere.length > 0) parts.push(`runs ${listSome(onlyHere)}`);
    if (onlyThere.length > 0) parts.push(`${baselineCluster} runs ${listSome(onlyThere)}`);
    return { verdict: 'images-differ', detail: parts.join('; ') };
  }
  if (!revisionKnown) {
    const whose = app.revision === undefined ? (baseline.revision === undefined ? `this cell's and ${baselineCluster}'s` : "this cell's") : `${baselineCluster}'s`;
    return {
      verdict: 'revision-unknown',
      detail: `same images as ${baselineCluster}; ${whose} synced revision is not known (Argo CD lists it from 3.5; open the app for its own)`,
    };
  }
  return { verdict: 'at-parity', detail: `same revision and images as ${baselineCluster}` };
}

interface Cell {
  readonly cluster: ClusterInfo;
  readonly app?: AppSnapshot;
}

function compareCells(a: Cell, b: Cell): number {
  return (
    (a.cluster.pair ?? '\uffff').localeCompare(b.cluster.pair ?? '\uffff') ||
    roleRank(a.cluster.role) - roleRank(b.cluster.role) ||
    a.cluster.name.localeCompare(b.cluster.name) ||
    (a.app?.name ?? '').localeCompare(b.app?.name ?? '')
  );
}

function buildFamily(id: FamilyId, cells: Cell[], clustersByPair: ReadonlyMap<string, readonly ClusterInfo[]>): Family {
  const pairs = [...new Set(cells.map((c) => c.cluster.pair).filter(nonEmpty))].sort();
  const present = new Set(cells.map((c) => c.cluster.server));
  for (const pair of pairs) {
    for (const cluster of clustersByPair.get(pair) ?? []) {
      if (!present.has(cluster.server)) cells.push({ cluster });
    }
  }
  cells.sort(compareCells);
  // One baseline per pair: prod-us green is compared with prod-us blue, not prod-eu blue.
  const baselineOf = new Map<string, Cell>();
  for (const pair of pairs) {
    const candidates = cells.filter((c) => c.app !== undefined && c.cluster.pair === pair);
    const chosen = pickBaseline(candidates.map((c) => ({ name: c.cluster.name, role: c.cluster.role, weight: c.cluster.weight, cell: c })))?.cell;
    if (chosen) baselineOf.set(pair, chosen);
  }
  const rows: ParityRow[] = cells.map((c) => {
    const baselineCell = c.cluster.pair === undefined ? undefined : baselineOf.get(c.cluster.pair);
    const { verdict, detail } = judge(c.app, baselineCell?.app, c === baselineCell, baselineCell?.cluster.name);
    return { key: `${c.cluster.server}|${c.app ? appKey(c.app.namespace, c.app.name) : ''}`, cluster: c.cluster, app: c.app, verdict, detail };
  });
  const atParity = rows.filter((r) => VERDICTS[r.verdict].atParity).length;
  return {
    id,
    pairs,
    rows,
    baselines: [...baselineOf.values()].map((c) => c.cluster.name),
    atParity,
    total: rows.length,
    converged: atParity === rows.length,
  };
}

/**
 * Groups Applications into families and judges every (family, cluster) cell: one row per
 * Application, plus a `missing` row for every cluster of a pair the family runs in that has no
 * Application of it. Linear in the number of Applications.
 */
export function buildFleet(input: FleetInput): FleetView {
  const clusters = input.clusters.map(clusterInfoOf);
  const byServer = new Map(clusters.map((c) => [trimServer(c.server), c]));
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const clustersByPair = new Map<string, ClusterInfo[]>();
  for (const c of clusters) {
    if (c.pair === undefined) continue;
    const list = clustersByPair.get(c.pair) ?? [];
    list.push(c);
    clustersByPair.set(c.pair, list);
  }

  const owners = ownerIndexOf(input.applications, input.applicationSets);
  const groups = new Map<string, { id: FamilyId; cells: Cell[] }>();
  const ungrouped: AppSnapshot[] = [];
  for (const app of input.applications) {
    const snapshot = snapshotOf(app);
    const id = familyOf(app, owners);
    if (!id) {
      ungrouped.push(snapshot);
      continue;
    }
    const dest = snapshot.destination;
    const cluster =
      (nonEmpty(dest.server) ? byServer.get(trimServer(dest.server)) : undefined) ??
      (nonEmpty(dest.name) ? byName.get(dest.name) : undefined) ??
      { name: dest.name || dest.server || '(no destination)', server: dest.server ?? dest.name ?? '', listed: false };
    const group = groups.get(id.key) ?? { id, cells: [] };
    group.cells.push({ cluster, app: snapshot });
    groups.set(id.key, group);
  }

  const families = [...groups.values()]
    .map((g) => buildFamily(g.id, g.cells, clustersByPair))
    .sort((a, b) => a.id.name.localeCompare(b.id.name) || a.id.key.localeCompare(b.id.key));

  const byVerdict = Object.fromEntries(VERDICT_ORDER.map((v) => [v, 0])) as Record<ParityVerdict, number>;
  let cells = 0;
  for (const f of families) {
    for (const r of f.rows) {
      byVerdict[r.verdict] += 1;
      cells += 1;
    }
  }
  const roles = [...new Set(clusters.map((c) => c.role).filter(nonEmpty))].sort((a, b) => roleRank(a) - roleRank(b) || a.localeCompare(b));
  return {
    families,
    ungrouped: ungrouped.sort((a, b) => a.name.localeCompare(b.name)),
    pairs: [...clustersByPair.keys()].sort(),
    roles,
    counts: { families: families.length, familiesAtParity: families.filter((f) => f.converged).length, cells, byVerdict },
  };
}

/** The family an Application belongs to within a fleet, by the Application's identity. */
export function familyOfApp(fleet: FleetView, app: { readonly namespace: string; readonly name: string }): Family | undefined {
  return fleet.families.find((f) => f.rows.some((r) => r.app?.name === app.name && r.app.namespace === app.namespace));
}

/** The one-line status of an app's family, as the status panel shows it. */
export interface ParitySummary {
  readonly text: string;
  readonly tone: Tone;
  readonly atParity: number;
  readonly total: number;
}

/**
 * "green: converged" when this app's own cell is at parity on a non-baseline cluster with a
 * role; otherwise "2/3 at parity" (cells at parity over cells of the family).
 */
export function summarize(family: Family, app: { readonly namespace: string; readonly name: string }): ParitySummary {
  const own = family.rows.find((r) => r.app?.name === app.name && r.app.namespace === app.namespace);
  const counts = { atParity: family.atParity, total: family.total };
  if (own && own.verdict === 'at-parity' && own.cluster.role) {
    return { text: `${own.cluster.role}: converged`, tone: 'ok', ...counts };
  }
  const tone: Tone = family.converged ? 'ok' : own && VERDICTS[own.verdict].tone === 'bad' ? 'bad' : 'warn';
  return { text: `${family.atParity}/${family.total} at parity`, tone, ...counts };
}

export interface FleetFilter {
  /** Only families with a cell that is not at parity. */
  readonly notAtParity?: boolean;
  /** Only this pair's cells. */
  readonly pair?: string;
  /** Only cells of clusters with this role. */
  readonly role?: string;
  /** Case-insensitive text in the family name, an app name or a cluster name. */
  readonly search?: string;
}

/** Filters families and their rows; a family with no row left is dropped. */
export function filterFleet(families: readonly Family[], filter: FleetFilter): { readonly family: Family; readonly rows: readonly ParityRow[] }[] {
  const query = filter.search?.trim().toLowerCase() ?? '';
  const out: { family: Family; rows: readonly ParityRow[] }[] = [];
  for (const family of families) {
    if (filter.notAtParity && family.converged) continue;
    const rows = family.rows.filter((r) => (!filter.pair || r.cluster.pair === filter.pair) && (!filter.role || r.cluster.role === filter.role));
    if (rows.length === 0) continue;
    if (query !== '') {
      const hit =
        family.id.name.toLowerCase().includes(query) ||
        rows.some((r) => r.cluster.name.toLowerCase().includes(query) || (r.app?.name.toLowerCase().includes(query) ?? false));
      if (!hit) continue;
    }
    out.push({ family, rows });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Facts diff
// ---------------------------------------------------------------------------------------------

/** A cluster's facts, named. */
export interface NamedFacts {
  readonly name: string;
  readonly facts: ClusterFacts;
}

function kubernetesMinor(facts: ClusterFacts): string | undefined {
  const k = facts.kubernetes;
  if (k) return `${k.major}.${k.minor.replace(/\D+$/, '')}`;
  return facts.eks?.version;
}

/**
 * Every difference between a baseline's (blue) and a candidate's (green) facts, unexpected
 * first. Unexpected (`expected: false`, to fix or confirm before the next traffic step):
 * Kubernetes minor version, add-on versions and add-ons missing on the candidate, the default
 * StorageClass, StorageClasses and IngressClasses missing or changed on the candidate, the
 * default IngressClass, SSM parameter keys (the name below each cluster's prefix) present on the
 * baseline and missing on the candidate, Pod Identity associations (namespace/service account)
 * missing on the candidate, API versions the candidate no longer serves, and a change of EKS
 * account, region, VPC or authentication mode. Expected (every pair has them): the OIDC issuer
 * and provider, the API endpoint, cluster name and ARN, the SSM prefix, the EKS platform version
 * and the exact Kubernetes build, per-cluster Pod Identity role ARNs, and anything present only
 * on the candidate. A fact group known for one cluster only is reported once, unexpected.
 */
export function diffFacts(baseline: NamedFacts, candidate: NamedFacts): FactDifference[] {
  const out: FactDifference[] = [];
  const b = baseline.facts;
  const c = candidate.facts;
  const add = (area: FactArea, subject: string, label: string, bv: string | undefined, cv: string | undefined, expected: boolean, reason: string) => {
    if ((bv ?? null) === (cv ?? null)) return;
    out.push({ area, subject, label, baseline: bv ?? null, candidate: cv ?? null, expected, reason });
  };
  const groupKnown = (area: FactArea, label: string, bk: boolean, ck: boolean): boolean => {
    if (bk && ck) return true;
    if (bk !== ck) {
      const [has, lacks] = bk ? [baseline.name, candidate.name] : [candidate.name, baseline.name];
      add(area, `${area}:known`, `${label} facts`, bk ? 'known' : undefined, ck ? 'known' : undefined, false, `greenlight knows ${label} facts for ${has} but not for ${lacks}; compare by hand or enable that fact source`);
    }
    return false;
  };

  // Kubernetes version: from the cluster's own API, else EKS.
  add('kubernetes', 'kubernetes.minor', 'Kubernetes minor version', kubernetesMinor(b), kubernetesMinor(c), false,
    `workloads on ${candidate.name} run another Kubernetes minor: APIs removed and defaults changed there apply to them`);

  if (groupKnown('aws', 'EKS', b.eks !== undefined, c.eks !== undefined) && b.eks && c.eks) {
    const be = b.eks;
    const ce = c.eks;
    add('aws', 'eks.accountId', 'AWS account', be.accountId, ce.accountId, false, 'the pair usually shares an account: IAM roles, trust policies and resource policies are per account');
    add('aws', 'eks.region', 'AWS region', be.region, ce.region, false, 'regional endpoints, ARNs and data locality change with the region');
    add('aws', 'eks.vpcId', 'VPC', be.vpcId, ce.vpcId, false, 'security groups, VPC endpoints and peering are per VPC');
    add('aws', 'eks.authenticationMode', 'EKS authentication mode', be.authenticationMode, ce.authenticationMode, false,
      'with mode API, aws-auth ConfigMap entries are ignored: every role that deploys or runs workloads needs an access entry');
    add('identity', 'eks.clusterName', 'EKS cluster name', be.clusterName, ce.clusterName, true, 'each cluster has its own name');
    add('identity', 'eks.clusterArn', 'EKS cluster ARN', be.clusterArn, ce.clusterArn, true, 'each cluster has its own ARN');
    add('identity', 'eks.endpoint', 'API endpoint', be.endpoint, ce.endpoint, true, 'each cluster has its own API endpoint');
    add('identity', 'eks.oidcIssuer', 'OIDC issuer', be.oidcIssuer, ce.oidcIssuer, true,
      "each cluster has its own issuer: IRSA trust policies must name the candidate's (greenlight's aws.oidcIssuer gives it per cluster)");
    add('identity', 'eks.oidcProviderArn', 'OIDC provider ARN', be.oidcProviderArn, ce.oidcProviderArn, true, 'follows the OIDC issuer');
    add('identity', 'eks.platformVersion', 'EKS platform version', be.platformVersion, ce.platformVersion, true, 'follows the Kubernetes version');
  }

  if (groupKnown('addons', 'add-on', b.addons !== undefined, c.addons !== undefined)) {
    const ba = new Map((b.addons ?? []).map((a) => [a.name, a.version]));
    const ca = new Map((c.addons ?? []).map((a) => [a.name, a.version]));
    for (const [name, version] of [...ba].sort(([x], [y]) => x.localeCompare(y))) {
      const other = ca.get(name);
      add('addons', `addon:${name}`, `Add-on ${name}`, version, other, false,
        other === undefined ? `${name} is not installed on ${candidate.name}` : `${name} runs another version on ${candidate.name}`);
    }
    for (const [name, version] of [...ca].sort(([x], [y]) => x.localeCompare(y))) {
      if (!ba.has(name)) add('addons', `addon:${name}`, `Add-on ${name}`, undefined, version, true, `only on ${candidate.name}; nothing on ${baseline.name} depends on it`);
    }
  }

  if (groupKnown('kubernetes', 'Kubernetes', b.kubernetes !== undefined, c.kubernetes !== undefined) && b.kubernetes && c.kubernetes) {
    const bk = b.kubernetes;
    const ck = c.kubernetes;
    add('kubernetes', 'kubernetes.gitVersion', 'Kubernetes build', bk.gitVersion, ck.gitVersion, true, 'follows the Kubernetes version');
    const defaultOf = (list: readonly { name: string; default: boolean }[]) => list.find((x) => x.default)?.name ?? '(none)';
    add('storage', 'storage.default', 'Default StorageClass', defaultOf(bk.storageClasses), defaultOf(ck.storageClasses), false,
      `PersistentVolumeClaims without a storageClassName get another class (or stay Pending) on ${candidate.name}`);
    const cs = new Map(ck.storageClasses.map((s) => [s.name, s.provisioner]));
    const bs = new Set(bk.storageClasses.map((s) => s.name));
    for (const s of bk.storageClasses) {
      const other = cs.get(s.name);
      add('storage', `storageclass:${s.name}`, `StorageClass ${s.name}`, s.provisioner, other, false,
        other === undefined ? `PersistentVolumeClaims that name "${s.name}" stay Pending on ${candidate.name}` : `"${s.name}" provisions with another driver on ${candidate.name}`);
    }
    for (const s of ck.storageClasses) {
      if (!bs.has(s.name)) add('storage', `storageclass:${s.name}`, `StorageClass ${s.name}`, undefined, s.provisioner, true, `only on ${candidate.name}`);
    }
    add('ingress', 'ingress.default', 'Default IngressClass', defaultOf(bk.ingressClasses), defaultOf(ck.ingressClasses), false,
      `Ingresses without an ingressClassName are served by another controller (or none) on ${candidate.name}`);
    const ci = new Map(ck.ingressClasses.map((s) => [s.name, s.controller]));
    const bi = new Set(bk.ingressClasses.map((s) => s.name));
    for (const s of bk.ingressClasses) {
      const other = ci.get(s.name);
      add('ingress', `ingressclass:${s.name}`, `IngressClass ${s.name}`, s.controller, other, false,
        other === undefined ? `Ingresses of class "${s.name}" are not served on ${candidate.name}` : `"${s.name}" is served by another controller on ${candidate.name}`);
    }
    for (const s of ck.ingressClasses) {
      if (!bi.has(s.name)) add('ingress', `ingressclass:${s.name}`, `IngressClass ${s.name}`, undefined, s.controller, true, `only on ${candidate.name}`);
    }
    const served = new Set(ck.apiVersions);
    if (ck.apiVersions.length > 0) {
      for (const api of [...bk.apiVersions].sort()) {
        if (!served.has(api)) add('apis', `api:${api}`, `API ${api}`, 'served', undefined, false, `manifests using ${api} are rejected by ${candidate.name}; move them to a served version while ${baseline.name} still accepts both`);
      }
    }
  }

  if (groupKnown('secrets', 'SSM', b.secrets !== undefined, c.secrets !== undefined) && b.secrets && c.secrets) {
    const bs = b.secrets;
    const cs = c.secrets;
    add('identity', 'ssm.prefix', 'SSM prefix', bs.prefix, cs.prefix, true, 'each cluster reads its own parameters');
    const rel = (prefix: string, names: readonly string[]) => new Set(names.map((n) => (n.startsWith(prefix) ? n.slice(prefix.length) : n)));
    const bk = rel(bs.prefix, bs.names);
    const ck = rel(cs.prefix, cs.names);
    for (const key of [...bk].sort()) {
      if (!ck.has(key)) add('secrets', `ssm:${key}`, `SSM parameter ${key}`, `${bs.prefix}${key}`, undefined, false,
        `apps reading ${key} on ${candidate.name} find no parameter: create ${cs.prefix}${key}`);
    }
    for (const key of [...ck].sort()) {
      if (!bk.has(key)) add('secrets', `ssm:${key}`, `SSM parameter ${key}`, undefined, `${cs.prefix}${key}`, true, `only on ${candidate.name}`);
    }
  }

  if (groupKnown('podIdentity', 'Pod Identity', b.podIdentity !== undefined, c.podIdentity !== undefined)) {
    const id = (a: { namespace: string; serviceAccount: string }) => `${a.namespace}/${a.serviceAccount}`;
    const cp = new Map((c.podIdentity ?? []).map((a) => [id(a), a.roleArn]));
    const bp = new Set((b.podIdentity ?? []).map(id));
    for (const a of [...(b.podIdentity ?? [])].sort((x, y) => id(x).localeCompare(id(y)))) {
      const other = cp.get(id(a));
      if (other === undefined) {
        add('podIdentity', `podidentity:${id(a)}`, `Pod Identity ${id(a)}`, a.roleArn, undefined, false,
          `pods of service account ${a.serviceAccount} in ${a.namespace} get no AWS credentials on ${candidate.name}: create the association`);
      } else {
        add('podIdentity', `podidentity:${id(a)}`, `Pod Identity ${id(a)}`, a.roleArn, other, true, 'each cluster has its own role');
      }
    }
    for (const a of c.podIdentity ?? []) {
      if (!bp.has(id(a))) add('podIdentity', `podidentity:${id(a)}`, `Pod Identity ${id(a)}`, undefined, a.roleArn, true, `only on ${candidate.name}`);
    }
  }

  // Unexpected first; the order within each kind is the order above.
  return [...out.filter((d) => !d.expected), ...out.filter((d) => d.expected)];
}
