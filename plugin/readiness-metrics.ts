/**
 * @module Upgrade readiness of the fleet's blue/green pairs, shared by `greenlight readiness` and
 * the service's Prometheus gauges: which clusters make up each pair, the inputs of one pair's
 * verdict gathered from the ports (facts, Argo CD Applications, EKS add-on versions and
 * insights), and the gauges, computed on scrape from a short-lived cache.
 *
 * Gauges (labels `pair` and `kind` only, at most `maxPairs` pairs):
 * - `greenlight_readiness_blockers{pair,kind}` / `greenlight_readiness_warnings{pair,kind}`:
 *   findings of the pair's verdict by kind (every kind, 0 when none);
 * - `greenlight_pair_ready{pair}`: 1 when the verdict has no blocker, 0 when it has one or could
 *   not be made (fail closed: an unknown is never "ready");
 * - `greenlight_families{pair}` / `greenlight_families_at_parity{pair}`: app families running in
 *   the pair, and those at parity on every cluster of the pair (when Applications are read).
 */
import pLimit from 'p-limit';
import { Gauge, type Registry } from 'prom-client';
import {
  BLUE_GREEN_KEYS,
  buildFleet,
  findingCounts,
  formatMinor,
  kubernetesVersionOf,
  labelsDecideBlueGreen,
  pairAndRole,
  readinessVerdict,
  VERDICTS,
  type AddonCompatibility,
  type CancelSignal,
  type ClusterFactsProvider,
  type ClusterInventory,
  type ClusterRecord,
  type EksInsight,
  type FactsResult,
  type FindingKind,
  type PairInsights,
  type ReadinessApplication,
  type ReadinessVerdict,
} from '../generator/index.js';
import type { ApplicationSource, ListedApplication } from './adapters/argocd/application-source.js';
import type { ReadinessDataSource } from './adapters/eks/eks-readiness-source.js';
import { estimateBytes, keyBytes, type StatsSource } from './cache-stats.js';
import type { LiveAws } from './live-fleet.js';
import type { FactsConfig, InventoryConfig } from './config.js';
import { demoApplications } from './http/routes/demo-ui.js';
import type { Logger } from './logger.js';
import { fanOutSignal } from './fan-out-signal.js';

// ---------------------------------------------------------------------------------------------
// Pairs
// ---------------------------------------------------------------------------------------------

/** The clusters of one pair, by role. Readiness is judged when there is exactly one blue and one green. */
export interface PairClusters {
  readonly pair: string;
  readonly blue: readonly ClusterRecord[];
  readonly green: readonly ClusterRecord[];
  readonly other: readonly ClusterRecord[];
}

/** Every pair of the fleet, and the clusters whose pair could not be told (no labels, facts unreadable). */
export interface FleetPairs {
  readonly pairs: ReadonlyMap<string, PairClusters>;
  readonly undecided: readonly { readonly cluster: ClusterRecord; readonly error: string }[];
  /** Facts read on the way (clusters whose labels did not decide), for reuse. */
  readonly facts: ReadonlyMap<string, FactsResult>;
}

/**
 * Places each cluster in its pair by its `greenlight.io/pair` and `greenlight.io/role` labels,
 * or, for EKS clusters lacking them, by the EKS tags of the same names (which needs their facts).
 * `onlyPair` skips reading facts of clusters whose labels put them in another pair.
 */
export async function resolvePairs(clusters: readonly ClusterRecord[], facts: ClusterFactsProvider, signal: CancelSignal, onlyPair?: string): Promise<FleetPairs> {
  const undecidedByLabels = clusters.filter(
    (c) => c.aws !== undefined && !labelsDecideBlueGreen(c) && !(onlyPair !== undefined && Object.hasOwn(c.labels, BLUE_GREEN_KEYS.pair) && c.labels[BLUE_GREEN_KEYS.pair] !== onlyPair),
  );
  const read = new Map<string, FactsResult>();
  const undecided: { cluster: ClusterRecord; error: string }[] = [];
  const limit = pLimit(8);
  await Promise.all(
    undecidedByLabels.map((c) =>
      limit(async () => {
        try {
          read.set(c.name, await facts.factsFor(c, signal));
        } catch (err) {
          undecided.push({ cluster: c, error: (err as Error).message });
        }
      }),
    ),
  );
  const pairs = new Map<string, { pair: string; blue: ClusterRecord[]; green: ClusterRecord[]; other: ClusterRecord[] }>();
  for (const c of clusters) {
    if (undecided.some((u) => u.cluster === c)) continue;
    const { pair, role } = pairAndRole(c, read.get(c.name)?.facts);
    if (pair === undefined || pair === '') continue;
    const entry = pairs.get(pair) ?? { pair, blue: [], green: [], other: [] };
    (role === 'blue' ? entry.blue : role === 'green' ? entry.green : entry.other).push(c);
    pairs.set(pair, entry);
  }
  return { pairs, undecided: undecided.sort((a, b) => a.cluster.name.localeCompare(b.cluster.name)), facts: read };
}

/** Why a pair cannot be judged (not exactly one blue and one green), or undefined when it can. */
export function pairProblem(pair: PairClusters | undefined, name: string, undecided: FleetPairs['undecided'] = []): string | undefined {
  const unplaced =
    undecided.length > 0
      ? ` (greenlight could not tell the pair of ${undecided.map((u) => `${u.cluster.name}: ${u.error.replace(/\.$/, '')}`).join('; ')})`
      : '';
  if (!pair) return `no cluster has ${BLUE_GREEN_KEYS.pair}=${name} (as a label on its Argo CD cluster Secret, or an EKS tag)${unplaced}`;
  for (const role of ['blue', 'green'] as const) {
    const list = pair[role];
    if (list.length === 0) return `pair ${name} has no cluster with ${BLUE_GREEN_KEYS.role}=${role}${pair.other.length + pair.blue.length + pair.green.length > 0 ? ` (its clusters: ${[...pair.blue, ...pair.green, ...pair.other].map((c) => c.name).join(', ')})` : ''}${unplaced}`;
    if (list.length > 1) return `pair ${name} has ${list.length} clusters with ${BLUE_GREEN_KEYS.role}=${role} (${list.map((c) => c.name).join(', ')}): readiness compares one blue with one green; fix the role labels`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// One pair's verdict
// ---------------------------------------------------------------------------------------------

export interface AssessPairInput {
  readonly pair: string;
  readonly blue: ClusterRecord;
  readonly green: ClusterRecord;
  readonly facts: ClusterFactsProvider;
  /** Facts already read (e.g. by `resolvePairs`). */
  readonly knownFacts?: ReadonlyMap<string, FactsResult>;
  /** Argo CD Applications; undefined skips the removed-API check. */
  readonly applications?: readonly ReadinessApplication[] | undefined;
  /** EKS add-on versions and insights; undefined skips those checks. */
  readonly readiness?: ReadinessDataSource | undefined;
  readonly signal: CancelSignal;
}

/**
 * The verdict on one pair. Facts a cluster's sources cannot give become the verdict's
 * `facts-missing` blockers; a failure of the Applications or EKS readiness reads rejects (the
 * verdict would otherwise skip a check and could say "ready" for want of data).
 */
export async function assessPair(input: AssessPairInput): Promise<ReadinessVerdict> {
  const read = async (c: ClusterRecord): Promise<{ facts?: FactsResult; error?: string }> => {
    const known = input.knownFacts?.get(c.name);
    if (known) return { facts: known };
    try {
      return { facts: await input.facts.factsFor(c, input.signal) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  const [blue, green] = await Promise.all([read(input.blue), read(input.green)]);
  const blueFacts = blue.facts?.facts;
  const greenFacts = green.facts?.facts;

  let addonCompatibility: AddonCompatibility | undefined;
  let insights: PairInsights | undefined;
  const source = input.readiness;
  if (source) {
    const minor = kubernetesVersionOf(greenFacts);
    const greenAddons = greenFacts?.addons;
    const compatibility =
      minor && greenAddons && source.appliesTo(input.green)
        ? source.addonCompatibility(input.green, formatMinor(minor), greenAddons.map((a) => a.name), input.signal)
        : Promise.resolve(undefined);
    const insightsOf = (c: ClusterRecord, facts: typeof blueFacts): Promise<EksInsight[] | undefined> =>
      facts && source.appliesTo(c) ? source.insights(c, input.signal, { clusterArn: facts.eks?.clusterArn }) : Promise.resolve(undefined);
    const [compat, b, g] = await Promise.all([compatibility, insightsOf(input.blue, blueFacts), insightsOf(input.green, greenFacts)]);
    addonCompatibility = compat;
    if (b !== undefined || g !== undefined) insights = { ...(b !== undefined ? { blue: b } : {}), ...(g !== undefined ? { green: g } : {}) };
  }

  return readinessVerdict({
    pair: input.pair,
    blue: { name: input.blue.name, server: input.blue.server, facts: blueFacts, factsError: blue.error },
    green: { name: input.green.name, server: input.green.server, facts: greenFacts, factsError: green.error },
    applications: input.applications,
    addonCompatibility,
    insights,
  });
}

// ---------------------------------------------------------------------------------------------
// Where the inputs come from, per configuration
// ---------------------------------------------------------------------------------------------

/** The optional inputs of readiness in one configuration, and how to release them. */
export interface ReadinessInputs {
  readonly applications?: ApplicationSource | undefined;
  readonly readiness?: ReadinessDataSource | undefined;
  close(): void;
}

export interface ReadinessInputsOptions {
  readonly logger?: Logger;
  readonly demoInventory?: ClusterInventory;
  readonly now?: () => number;
  /** The live fleet's AWS credentials and EKS rate budget, so that roles are assumed once and every EKS call shares one budget. */
  readonly aws?: LiveAws | undefined;
}

/**
 * Live mode (`argocd`): Applications from the Argo CD namespace and EKS readiness data with the
 * same credentials scheme as the fact sources. Demo mode: the demo Applications (parity only;
 * they carry no `status.resources`) when `demoInventory` is given. Fleet files: none.
 */
export async function openReadinessInputs(
  config: { readonly inventory: InventoryConfig; readonly facts: FactsConfig },
  options: ReadinessInputsOptions = {},
): Promise<ReadinessInputs> {
  const inv = config.inventory;
  if (inv.kind === 'argocd') {
    // Loaded only here, as the live fleet is (see compose.ts).
    const { openLiveReadinessInputs } = await import('./live-fleet.js');
    return openLiveReadinessInputs(inv.namespace, config.facts, options);
  }
  const demo = options.demoInventory;
  if (inv.kind === 'demo' && demo) {
    const now = options.now ?? Date.now;
    return { applications: { list: async () => demoApplications(demo.snapshot().clusters, now()).applications }, close: () => {} };
  }
  return { close: () => {} };
}

/** The default bound of the readiness data cache (GREENLIGHT_READINESS_CACHE_BYTES). */
export const DEFAULT_READINESS_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * Remembers a readiness source's answers for `ttlMs` (EKS refreshes insights about daily and
 * add-on versions change with releases), so that frequent scrapes cost few AWS calls. Bounded
 * in bytes (each answer's estimate, with its key; the oldest go first), expired answers swept
 * on every lookup, failures never kept, one read at a time per key.
 */
export function cachedReadinessData(source: ReadinessDataSource, ttlMs: number, clock: () => number, maxBytes = DEFAULT_READINESS_CACHE_BYTES): ReadinessDataSource & StatsSource {
  /** Insertion order is age order: an entry is only ever added, never refreshed in place. */
  const memo = new Map<string, { at: number; value: unknown; bytes: number }>();
  const reading = new Map<string, Promise<unknown>>();
  let bytes = 0;
  const drop = (key: string, bytesOf: number) => {
    memo.delete(key);
    bytes -= bytesOf;
  };
  const sweep = (now: number) => {
    for (const [key, e] of memo) {
      if (now - e.at < ttlMs) break;
      drop(key, e.bytes);
    }
  };
  const keep = (key: string, value: unknown) => {
    const size = keyBytes(key) + estimateBytes(value);
    if (size > maxBytes) return;
    for (const [k, e] of memo) {
      if (bytes + size <= maxBytes) break;
      drop(k, e.bytes);
    }
    memo.set(key, { at: clock(), value, bytes: size });
    bytes += size;
  };
  const remember = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    sweep(clock());
    const hit = memo.get(key);
    if (hit) return Promise.resolve(hit.value as T);
    const pending = reading.get(key);
    if (pending) return pending as Promise<T>;
    const value = load();
    reading.set(key, value);
    value.then(
      (v) => {
        reading.delete(key);
        keep(key, v);
      },
      // Never keep a failure: the next scrape asks again.
      () => reading.delete(key),
    );
    return value;
  };
  const id = (c: ClusterRecord) => `${c.name}\u0000${c.server}\u0000${c.aws?.clusterName ?? ''}\u0000${c.aws?.roleArn ?? ''}`;
  return {
    appliesTo: (c) => source.appliesTo(c),
    addonCompatibility: (c, version, names, signal) =>
      remember(`addons\u0000${id(c)}\u0000${version}\u0000${[...names].sort().join(',')}`, () => source.addonCompatibility(c, version, names, signal)),
    insights: (c, signal, hints) => remember(`insights\u0000${id(c)}`, () => source.insights(c, signal, hints)),
    stats: () => ({ entries: memo.size, bytes, maxBytes }),
  };
}

// ---------------------------------------------------------------------------------------------
// The gauges
// ---------------------------------------------------------------------------------------------

export interface ReadinessMetricsOptions {
  readonly registry: Registry;
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  /** Argo CD Applications: the removed-API check and the family gauges. Without it, both are left out. */
  readonly applications?: ApplicationSource | undefined;
  /** EKS add-on versions and insights. Without it, those checks are skipped. */
  readonly readiness?: ReadinessDataSource | undefined;
  readonly clock?: () => number;
  /** How long one evaluation of the fleet is served (default 60 s). */
  readonly ttlMs?: number;
  /** How long EKS readiness answers are kept (default 10 minutes). */
  readonly readinessDataTtlMs?: number;
  /** Bound on the EKS readiness answers kept, in estimated bytes (default 16 MiB). */
  readonly readinessDataMaxBytes?: number;
  /** Pairs judged, in name order (default 50); the rest are left out and logged. */
  readonly maxPairs?: number;
  /** How long a scrape waits for a fresh evaluation before answering with the previous one (default 5 s). */
  readonly scrapeWaitMs?: number;
  /** Bound on one evaluation (default 30 s). */
  readonly evaluationTimeoutMs?: number;
  readonly logger?: Logger;
}

interface PairValues {
  /** Undefined when the pair cannot be judged (not one blue and one green). */
  readonly ready?: 0 | 1;
  readonly counts?: Record<FindingKind, { blocker: number; warning: number }>;
  readonly families?: number;
  readonly familiesAtParity?: number;
}

interface Evaluation {
  readonly at: number;
  readonly pairs: ReadonlyMap<string, PairValues>;
}

/**
 * The readiness gauges on `registry`, computed when Prometheus scrapes: at most one evaluation
 * of the fleet runs at a time, its result is served for `ttlMs`, and a scrape never waits more
 * than `scrapeWaitMs` for a new one (it gets the previous result meanwhile).
 *
 * @example
 * new ReadinessMetrics({ registry: metrics.registry, inventory: fleet.inventory, facts: fleet.facts, ...inputs, logger });
 */
export class ReadinessMetrics {
  /** The cache of EKS readiness answers, for the cache gauges; undefined without a readiness source. */
  readonly cache: StatsSource | undefined;
  private readonly clock: () => number;
  private readonly readiness: ReadinessDataSource | undefined;
  private current: Evaluation | undefined;
  private pending: Promise<Evaluation> | undefined;
  private waiting: Promise<Evaluation | undefined> | undefined;
  private warnedAboutCap = false;

  constructor(private readonly options: ReadinessMetricsOptions) {
    this.clock = options.clock ?? Date.now;
    const cached = options.readiness && cachedReadinessData(options.readiness, options.readinessDataTtlMs ?? 10 * 60_000, this.clock, options.readinessDataMaxBytes);
    this.readiness = cached;
    this.cache = cached;
    this.gauge('greenlight_readiness_blockers', 'Readiness findings that block the next weight step, by pair and kind (greenlight readiness).', ['pair', 'kind'], (g, pair, v) => {
      for (const [kind, c] of Object.entries(v.counts ?? {})) g.set({ pair, kind }, c.blocker);
    });
    this.gauge('greenlight_readiness_warnings', 'Readiness findings to look at before the next weight step (they do not block), by pair and kind.', ['pair', 'kind'], (g, pair, v) => {
      for (const [kind, c] of Object.entries(v.counts ?? {})) g.set({ pair, kind }, c.warning);
    });
    this.gauge(
      'greenlight_pair_ready',
      'Whether the pair is ready for the next weight step: 1 with no blocker, 0 with one or when readiness could not be evaluated.',
      ['pair'],
      (g, pair, v) => {
        if (v.ready !== undefined) g.set({ pair }, v.ready);
      },
    );
    this.gauge('greenlight_families', 'App families (the same app on each cluster) running in the pair.', ['pair'], (g, pair, v) => {
      if (v.families !== undefined) g.set({ pair }, v.families);
    });
    this.gauge(
      'greenlight_families_at_parity',
      'App families at parity on every cluster of the pair (Synced, Healthy, same revision and images as blue).',
      ['pair'],
      (g, pair, v) => {
        if (v.familiesAtParity !== undefined) g.set({ pair }, v.familiesAtParity);
      },
    );
  }

  /** A gauge filled on scrape from the current evaluation, one pair at a time. */
  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[], fill: (gauge: Gauge<L>, pair: string, values: PairValues) => void): void {
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.options.registry],
      collect: async () => {
        const evaluation = await this.evaluation();
        gauge.reset();
        for (const [pair, values] of evaluation?.pairs ?? []) fill(gauge, pair, values);
      },
    });
  }

  /** The evaluation a scrape reports: the cached one while fresh, else a new one if it is ready in time. */
  async evaluation(): Promise<Evaluation | undefined> {
    const ttl = this.options.ttlMs ?? 60_000;
    if (this.current && this.clock() - this.current.at < ttl) return this.current;
    // Every gauge of one scrape shares one wait.
    this.waiting ??= (async () => {
      this.pending ??= this.evaluate().finally(() => {
        this.pending = undefined;
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), this.options.scrapeWaitMs ?? 5_000);
        timer.unref();
      });
      try {
        return (await Promise.race([this.pending.catch(() => undefined), timeout])) ?? this.current;
      } finally {
        clearTimeout(timer);
        this.waiting = undefined;
      }
    })();
    return this.waiting;
  }

  /** Evaluates every pair now (the gauges call this through `evaluation`). */
  async evaluate(): Promise<Evaluation> {
    const logger = this.options.logger;
    const signal = fanOutSignal(AbortSignal.timeout(this.options.evaluationTimeoutMs ?? 30_000));
    let clusters: readonly ClusterRecord[];
    try {
      clusters = this.options.inventory.snapshot().clusters;
    } catch (err) {
      logger?.warn({ err: (err as Error).message }, 'readiness gauges: the inventory is not available; serving the previous values');
      throw err;
    }
    const fleet = await resolvePairs(clusters, this.options.facts, signal);
    const maxPairs = this.options.maxPairs ?? 50;
    const names = [...fleet.pairs.keys()].sort();
    if (names.length > maxPairs && !this.warnedAboutCap) {
      this.warnedAboutCap = true;
      logger?.warn({ pairs: names.length, maxPairs, left: names.slice(maxPairs) }, 'readiness gauges: more pairs than the limit; the rest have no gauges');
    }
    const judged = names.slice(0, maxPairs);

    let applications: readonly ListedApplication[] | undefined;
    let applicationsError: string | undefined;
    if (this.options.applications) {
      try {
        applications = await this.options.applications.list(signal);
      } catch (err) {
        applicationsError = (err as Error).message;
        logger?.warn({ err: applicationsError }, 'readiness gauges: Applications could not be listed; pairs are reported not ready');
      }
    }

    const parity = applications ? familyCounts(applications, clusters, fleet) : undefined;
    const limit = pLimit(4);
    const entries = await Promise.all(
      judged.map((name) =>
        limit(async (): Promise<[string, PairValues]> => {
          const pair = fleet.pairs.get(name);
          const family = parity?.get(name) ?? (parity ? { families: 0, atParity: 0 } : undefined);
          const base: PairValues = family ? { families: family.families, familiesAtParity: family.atParity } : {};
          const blue = pair?.blue[0];
          const green = pair?.green[0];
          if (!pair || pairProblem(pair, name) !== undefined || !blue || !green) return [name, base];
          if (applicationsError !== undefined) return [name, { ...base, ready: 0 }];
          try {
            const verdict = await assessPair({
              pair: name,
              blue,
              green,
              facts: this.options.facts,
              knownFacts: fleet.facts,
              applications,
              readiness: this.readiness,
              signal,
            });
            return [name, { ...base, ready: verdict.ready ? 1 : 0, counts: findingCounts(verdict) }];
          } catch (err) {
            logger?.warn({ pair: name, err: (err as Error).message }, 'readiness gauges: the pair could not be evaluated; reported not ready');
            return [name, { ...base, ready: 0 }];
          }
        }),
      ),
    );
    const evaluation: Evaluation = { at: this.clock(), pairs: new Map(entries) };
    this.current = evaluation;
    return evaluation;
  }
}

/** Families per pair, and those at parity on every cluster of the pair. */
function familyCounts(applications: readonly ListedApplication[], clusters: readonly ClusterRecord[], fleet: FleetPairs): Map<string, { families: number; atParity: number }> {
  // Parity reads pair and role from cluster labels; give it the pair each cluster was placed in (labels or EKS tags).
  const placed = new Map<string, { pair: string; role: string | undefined }>();
  for (const p of fleet.pairs.values()) {
    for (const [role, list] of [['blue', p.blue], ['green', p.green], [undefined, p.other]] as const) {
      for (const c of list) placed.set(c.name, { pair: p.pair, role: role ?? pairAndRole(c, fleet.facts.get(c.name)?.facts).role });
    }
  }
  const view = buildFleet({
    applications,
    clusters: clusters.map((c) => {
      const where = placed.get(c.name);
      const labels = { ...c.labels };
      if (where) {
        labels[BLUE_GREEN_KEYS.pair] = where.pair;
        if (where.role !== undefined) labels[BLUE_GREEN_KEYS.role] = where.role;
      }
      return { server: c.server, name: c.name, labels, annotations: { ...c.annotations } };
    }),
  });
  const counts = new Map<string, { families: number; atParity: number }>();
  for (const family of view.families) {
    for (const pair of family.pairs) {
      const rows = family.rows.filter((r) => r.cluster.pair === pair);
      const entry = counts.get(pair) ?? { families: 0, atParity: 0 };
      entry.families += 1;
      if (rows.every((r) => VERDICTS[r.verdict].atParity)) entry.atParity += 1;
      counts.set(pair, entry);
    }
  }
  return counts;
}
