/**
 * @module The readiness gauges, filled when Prometheus scrapes from the fleet's pair evaluation
 * (labels `pair` and `kind` only, at most `maxPairs` pairs):
 * - `greenlight_readiness_blockers{pair,kind}` / `greenlight_readiness_warnings{pair,kind}`:
 *   findings of the pair's verdict by kind (every kind, 0 when none);
 * - `greenlight_pair_ready{pair}`: 1 when the verdict has no blocker, 0 when it has one or could
 *   not be made (fail closed: an unknown is never "ready");
 * - `greenlight_families{pair}` / `greenlight_families_at_parity{pair}`: app families running in
 *   the pair, and those at parity on every cluster of the pair (when Applications are read).
 */
import { Gauge, type Registry } from 'prom-client';
import { findingCounts } from '../../generator/index.js';
import type { StatsSource } from '../cache-stats.js';
import { PairEvaluator, type PairEvaluation, type PairEvaluatorOptions } from './evaluation.js';
import { cachedReadinessData } from './inputs.js';

export interface ReadinessMetricsOptions extends Omit<PairEvaluatorOptions, 'waitMs'> {
  readonly registry: Registry;
  /** How long EKS readiness answers are kept (default 10 minutes). */
  readonly readinessDataTtlMs?: number;
  /** Bound on the EKS readiness answers kept, in estimated bytes (default 16 MiB). */
  readonly readinessDataMaxBytes?: number;
  /** How long a scrape waits for a fresh evaluation before answering with the previous one (default 5 s). */
  readonly scrapeWaitMs?: number;
}

/**
 * The readiness gauges on `registry`, over a `PairEvaluator` of their own (EKS's answers behind
 * a cache) that the service's other readers of verdicts share (`evaluator`).
 *
 * @example
 * new ReadinessMetrics({ registry: metrics.registry, inventory: fleet.inventory, facts: fleet.facts, ...inputs, logger });
 */
export class ReadinessMetrics {
  /** The cache of EKS readiness answers, for the cache gauges; undefined without a readiness source. */
  readonly cache: StatsSource | undefined;
  /** The evaluation the gauges report; every other reader of the fleet's verdicts uses this one. */
  readonly evaluator: PairEvaluator;

  constructor(options: ReadinessMetricsOptions) {
    const clock = options.clock ?? Date.now;
    const cached = options.readiness && cachedReadinessData(options.readiness, options.readinessDataTtlMs ?? 10 * 60_000, clock, options.readinessDataMaxBytes);
    this.cache = cached;
    this.evaluator = new PairEvaluator({ ...options, clock, readiness: cached, ...(options.scrapeWaitMs !== undefined ? { waitMs: options.scrapeWaitMs } : {}) });
    const registry = options.registry;
    this.gauge(registry, 'greenlight_readiness_blockers', 'Readiness findings that block the next weight step, by pair and kind (greenlight readiness).', ['pair', 'kind'], (g, pair, v) => {
      if (v.verdict) for (const [kind, c] of Object.entries(findingCounts(v.verdict))) g.set({ pair, kind }, c.blocker);
    });
    this.gauge(registry, 'greenlight_readiness_warnings', 'Readiness findings to look at before the next weight step (they do not block), by pair and kind.', ['pair', 'kind'], (g, pair, v) => {
      if (v.verdict) for (const [kind, c] of Object.entries(findingCounts(v.verdict))) g.set({ pair, kind }, c.warning);
    });
    this.gauge(
      registry,
      'greenlight_pair_ready',
      'Whether the pair is ready for the next weight step: 1 with no blocker, 0 with one or when readiness could not be evaluated.',
      ['pair'],
      (g, pair, v) => {
        if (v.verdict) g.set({ pair }, v.verdict.ready ? 1 : 0);
        else if (v.error !== undefined) g.set({ pair }, 0);
      },
    );
    this.gauge(registry, 'greenlight_families', 'App families (the same app on each cluster) running in the pair.', ['pair'], (g, pair, v) => {
      if (v.families !== undefined) g.set({ pair }, v.families);
    });
    this.gauge(
      registry,
      'greenlight_families_at_parity',
      'App families at parity on every cluster of the pair (Synced, Healthy, same revision and images as blue).',
      ['pair'],
      (g, pair, v) => {
        if (v.familiesAtParity !== undefined) g.set({ pair }, v.familiesAtParity);
      },
    );
  }

  /** A gauge filled on scrape from the current evaluation, one pair at a time. */
  private gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], fill: (gauge: Gauge<L>, pair: string, values: PairEvaluation) => void): void {
    const evaluator = this.evaluator;
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      collect: async () => {
        const evaluation = await evaluator.evaluation();
        gauge.reset();
        for (const [pair, values] of evaluation?.pairs ?? []) fill(gauge, pair, values);
      },
    });
  }
}
