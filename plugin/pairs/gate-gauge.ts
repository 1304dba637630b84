/**
 * @module `greenlight_pair_gate{pair}`: 1 when the pair's traffic gate says go, 0 when it holds or
 * could not be evaluated (fail closed), so that an Argo Rollouts AnalysisTemplate or a Kargo
 * verification can query it. Computed on scrape from the fleet's pair evaluation (the same
 * readiness verdicts the other gauges report) and the gate's sources, served for `ttlMs`; a
 * scrape waits at most `waitMs` for a new evaluation and otherwise gets the previous values.
 */
import pLimit from 'p-limit';
import { Gauge, type Registry } from 'prom-client';
import type { ClusterFactsProvider, ClusterInventory } from '../../generator/index.js';
import { fanOutSignal } from '../fan-out-signal.js';
import type { Logger } from '../logger.js';
import type { PairEvaluator } from './evaluation.js';
import { FreshOrWait } from './fresh-or-wait.js';
import { assessGate, gateReadiness, type GateSources } from './gate.js';
import { pairProblem, resolvePairs } from './resolve.js';

export interface GateGaugeOptions {
  readonly registry: Registry;
  readonly evaluator: PairEvaluator;
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  readonly sources: GateSources;
  readonly clock?: () => number;
  /** How long one evaluation of the gates is served (default 60 s). */
  readonly ttlMs?: number;
  /** How long a scrape waits for a new one (default 5 s). */
  readonly waitMs?: number;
  /** Pairs judged, in name order (default 50). */
  readonly maxPairs?: number;
  /** Bound on one evaluation of every gate (default 30 s). */
  readonly evaluationTimeoutMs?: number;
  readonly logger?: Logger;
}

type Gates = { readonly at: number; readonly values: ReadonlyMap<string, 0 | 1> };

export class GateGauge {
  private readonly results: FreshOrWait<Gates>;

  constructor(private readonly options: GateGaugeOptions) {
    this.results = new FreshOrWait(() => this.evaluate(), { clock: options.clock ?? Date.now, ttlMs: options.ttlMs ?? 60_000, waitMs: options.waitMs ?? 5_000 });
    const gauge: Gauge<'pair'> = new Gauge({
      name: 'greenlight_pair_gate',
      help: "Whether the pair's traffic gate says go for the next weight step: 1 go, 0 hold or could not be evaluated (greenlight gate).",
      labelNames: ['pair'],
      registers: [options.registry],
      collect: async () => {
        const gates = await this.gates();
        gauge.reset();
        for (const [pair, v] of gates?.values ?? []) gauge.set({ pair }, v);
      },
    });
  }

  /** The current values while fresh, else new ones if they are ready within `waitMs`. */
  gates(): Promise<Gates | undefined> {
    return this.results.get();
  }

  private async evaluate(): Promise<Gates> {
    const { logger } = this.options;
    const signal = fanOutSignal(AbortSignal.timeout(this.options.evaluationTimeoutMs ?? 30_000));
    const evaluation = await this.options.evaluator.evaluation();
    const clusters = this.options.inventory.snapshot().clusters;
    const fleet = await resolvePairs(clusters, this.options.facts, signal);
    const names = [...fleet.pairs.keys()].sort().slice(0, this.options.maxPairs ?? 50);
    const limit = pLimit(4);
    const entries = await Promise.all(
      names.map((name) =>
        limit(async (): Promise<[string, 0 | 1]> => {
          const pair = fleet.pairs.get(name);
          const blue = pair?.blue[0];
          const green = pair?.green[0];
          if (pairProblem(pair, name) !== undefined || !blue || !green) return [name, 0];
          const judged = evaluation?.pairs.get(name);
          const readiness = gateReadiness(judged?.verdict ?? { error: judged?.error ?? judged?.problem ?? 'no readiness verdict yet' });
          try {
            const answer = await assessGate({ pair: name, blue, green, readiness, sources: this.options.sources, signal });
            return [name, answer.decision === 'go' ? 1 : 0];
          } catch (err) {
            logger?.warn({ pair: name, err: (err as Error).message }, 'gate gauge: the gate could not be evaluated; reported 0');
            return [name, 0];
          }
        }),
      ),
    );
    return { at: (this.options.clock ?? Date.now)(), values: new Map(entries) };
  }
}
