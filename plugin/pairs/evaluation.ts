/**
 * @module The fleet's pairs evaluated together, on demand and for a short while: each pair's
 * readiness verdict and its app families' parity. One evaluation serves every reader (the
 * Prometheus gauges, the UI's verdict route), so that every place shows the same counts.
 */
import pLimit from 'p-limit';
import {
  BLUE_GREEN_KEYS,
  buildFleet,
  pairAndRole,
  VERDICTS,
  type ClusterFactsProvider,
  type ClusterInventory,
  type ClusterRecord,
  type ReadinessVerdict,
} from '../../generator/index.js';
import type { ApplicationSource, ListedApplication } from '../adapters/argocd/application-source.js';
import type { ReadinessDataSource } from '../adapters/eks/eks-readiness-source.js';
import { fanOutSignal } from '../fan-out-signal.js';
import type { Logger } from '../logger.js';
import { assessPair } from './assess.js';
import { driftInput, type DriftAuditReader } from './drift-audits.js';
import { FreshOrWait } from './fresh-or-wait.js';
import { pairProblem, resolvePairs, type FleetPairs } from './resolve.js';

export interface PairEvaluatorOptions {
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  /** Argo CD Applications: the removed-API check and the family counts. Without it, both are left out. */
  readonly applications?: ApplicationSource | undefined;
  /** EKS add-on versions and insights (put a cache in front: see `cachedReadinessData`). Without it, those checks are skipped. */
  readonly readiness?: ReadinessDataSource | undefined;
  /** The service's drift audits, for the `drift` check (never waited for). Without it, the check is skipped. */
  readonly drift?: DriftAuditReader | undefined;
  readonly clock?: () => number;
  /** How long one evaluation of the fleet is served (default 60 s). */
  readonly ttlMs?: number;
  /** Pairs judged, in name order (default 50); the rest are left out and logged. */
  readonly maxPairs?: number;
  /** How long a reader waits for a fresh evaluation before getting the previous one (default 5 s). */
  readonly waitMs?: number;
  /** Bound on one evaluation (default 30 s). */
  readonly evaluationTimeoutMs?: number;
  readonly logger?: Logger;
}

/** How long an evaluation waits for the service's first drift audit. */
const DRIFT_FIRST_WAIT_MS = 2_000;

/** One pair in an evaluation. */
export interface PairEvaluation {
  /** The verdict; undefined when the pair could not be judged (see `problem`, `error`). */
  readonly verdict?: ReadinessVerdict;
  /** Why the pair cannot be judged (not exactly one blue and one green). */
  readonly problem?: string;
  /** Why the verdict could not be made this time (Applications or EKS unreadable). */
  readonly error?: string;
  readonly families?: number;
  readonly familiesAtParity?: number;
}

export interface FleetEvaluation {
  /** When it was made (the evaluator's clock). */
  readonly at: number;
  readonly pairs: ReadonlyMap<string, PairEvaluation>;
  /** The Applications the verdicts judged; undefined when none were read. */
  readonly applications?: readonly ListedApplication[] | undefined;
}

/**
 * Evaluates the fleet's pairs when asked: at most one evaluation runs at a time, its result is
 * served for `ttlMs`, and a reader never waits more than `waitMs` for a new one (it gets the
 * previous result meanwhile, or undefined before the first).
 */
export class PairEvaluator {
  private readonly clock: () => number;
  private readonly results: FreshOrWait<FleetEvaluation>;
  private warnedAboutCap = false;

  constructor(private readonly options: PairEvaluatorOptions) {
    this.clock = options.clock ?? Date.now;
    this.results = new FreshOrWait(() => this.evaluateNow(), { clock: this.clock, ttlMs: options.ttlMs ?? 60_000, waitMs: options.waitMs ?? 5_000 });
  }

  /** The current evaluation while fresh, else a new one if it is ready in time. */
  evaluation(): Promise<FleetEvaluation | undefined> {
    return this.results.get();
  }

  /** Evaluates every pair now (readers call this through `evaluation`). */
  evaluate(): Promise<FleetEvaluation> {
    return this.results.refresh();
  }

  private async evaluateNow(): Promise<FleetEvaluation> {
    const logger = this.options.logger;
    const signal = fanOutSignal(AbortSignal.timeout(this.options.evaluationTimeoutMs ?? 30_000));
    let clusters: readonly ClusterRecord[];
    try {
      clusters = this.options.inventory.snapshot().clusters;
    } catch (err) {
      logger?.warn({ err: (err as Error).message }, 'pair evaluation: the inventory is not available; serving the previous values');
      throw err;
    }
    const fleet = await resolvePairs(clusters, this.options.facts, signal);
    const maxPairs = this.options.maxPairs ?? 50;
    const names = [...fleet.pairs.keys()].sort();
    if (names.length > maxPairs && !this.warnedAboutCap) {
      this.warnedAboutCap = true;
      logger?.warn({ pairs: names.length, maxPairs, left: names.slice(maxPairs) }, 'pair evaluation: more pairs than the limit; the rest are not evaluated');
    }
    const judged = names.slice(0, maxPairs);

    let applications: readonly ListedApplication[] | undefined;
    let applicationsError: string | undefined;
    if (this.options.applications) {
      try {
        applications = await this.options.applications.list(signal);
      } catch (err) {
        applicationsError = (err as Error).message;
        logger?.warn({ err: applicationsError }, 'pair evaluation: Applications could not be listed; pairs are reported not ready');
      }
    }

    const parity = applications ? familyCounts(applications, clusters, fleet) : undefined;
    // The first verdicts wait a little for the first drift audit (the demo's is immediate; a live one says it is under way).
    const drifts = this.options.drift ? await this.options.drift.latest(DRIFT_FIRST_WAIT_MS) : undefined;
    const limit = pLimit(4);
    const entries = await Promise.all(
      judged.map((name) =>
        limit(async (): Promise<[string, PairEvaluation]> => {
          const pair = fleet.pairs.get(name);
          const family = parity?.get(name) ?? (parity ? { families: 0, atParity: 0 } : undefined);
          const base: PairEvaluation = family ? { families: family.families, familiesAtParity: family.atParity } : {};
          const problem = pairProblem(pair, name);
          const blue = pair?.blue[0];
          const green = pair?.green[0];
          if (problem !== undefined || !blue || !green) return [name, { ...base, problem: problem ?? `pair ${name} is incomplete` }];
          if (applicationsError !== undefined) return [name, { ...base, error: `Argo CD Applications could not be listed: ${applicationsError}` }];
          try {
            const verdict = await assessPair({
              pair: name,
              blue,
              green,
              facts: this.options.facts,
              knownFacts: fleet.facts,
              applications,
              readiness: this.options.readiness,
              drift: this.options.drift ? driftInput(drifts, name) : undefined,
              signal,
            });
            return [name, { ...base, verdict }];
          } catch (err) {
            logger?.warn({ pair: name, err: (err as Error).message }, 'pair evaluation: the pair could not be evaluated; reported not ready');
            return [name, { ...base, error: (err as Error).message }];
          }
        }),
      ),
    );
    return { at: this.clock(), pairs: new Map(entries), applications };
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
