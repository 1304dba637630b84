/**
 * @module The service's traffic gates: every pair's gate evaluated from the fleet's pair
 * evaluation (the same readiness verdicts the other gauges report) and the gate's sources, served
 * for `ttlMs`; a reader waits at most `waitMs` for a new evaluation and otherwise gets the
 * previous one. They feed the facts answer's `gate` and `greenlight_pair_gate{pair}`: 1 when the
 * gate says go, 0 when it holds or could not be evaluated (fail closed), so that an Argo Rollouts
 * AnalysisTemplate or a Kargo verification can query it.
 */
import pLimit from 'p-limit';
import { Gauge, type Registry } from 'prom-client';
import type { ClusterFactsProvider, ClusterInventory, GateAnswer, SignalResult } from '../../generator/index.js';
import { fanOutSignal } from '../fan-out-signal.js';
import type { Logger } from '../logger.js';
import type { PairEvaluator } from './evaluation.js';
import { FreshOrWait } from './fresh-or-wait.js';
import { assessGate, gateReadiness, type GateSources } from './gate.js';
import { pairsToJudge, resolvePairs } from './resolve.js';

export interface GateEvaluatorOptions {
  readonly registry: Registry;
  readonly evaluator: PairEvaluator;
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  readonly sources: GateSources;
  readonly clock?: () => number;
  /** How long one evaluation of the gates is served (default 60 s). */
  readonly ttlMs?: number;
  /** How long a reader waits for a new one (default 5 s). */
  readonly waitMs?: number;
  /** Pairs judged, in name order (default 50). */
  readonly maxPairs?: number;
  /** Bound on one evaluation of every gate (default 30 s). */
  readonly evaluationTimeoutMs?: number;
  readonly logger?: Logger;
}

/** One pair's gate, or why it could not be evaluated. */
export type PairGate = { readonly answer: GateAnswer } | { readonly error: string };

export interface FleetGates {
  readonly at: number;
  readonly pairs: ReadonlyMap<string, PairGate>;
}

/** Most (pair, namespace) live-health answers kept for the facts answer's per-family health. */
const FAMILY_HEALTH_ENTRIES = 256;

export class GateEvaluator {
  private readonly results: FreshOrWait<FleetGates>;
  private readonly familyHealthCache = new Map<string, { at: number; health: Promise<SignalResult[]> }>();

  constructor(private readonly options: GateEvaluatorOptions) {
    this.results = new FreshOrWait(() => this.evaluate(), { clock: options.clock ?? Date.now, ttlMs: options.ttlMs ?? 60_000, waitMs: options.waitMs ?? 5_000 });
    const gauge: Gauge<'pair'> = new Gauge({
      name: 'greenlight_pair_gate',
      help: "Whether the pair's traffic gate says go for the next weight step: 1 go, 0 hold or could not be evaluated (greenlight gate).",
      labelNames: ['pair'],
      registers: [options.registry],
      collect: async () => {
        const gates = await this.gates();
        gauge.reset();
        for (const [pair, gate] of gates?.pairs ?? []) gauge.set({ pair }, 'answer' in gate && gate.answer.decision === 'go' ? 1 : 0);
      },
    });
  }

  /** The current gates while fresh, else new ones if they are ready within `waitMs`. */
  gates(): Promise<FleetGates | undefined> {
    return this.results.get();
  }

  /**
   * Green's live health beside blue's in `namespace` (one app family's series), for the pair of
   * `answer`, at its window and green's weight. Kept as long as the gates are; bounded in count.
   * The reads have their own budget, not a caller's: a caller that gives up does not leave an
   * aborted answer for the next.
   */
  familyHealth(answer: GateAnswer, namespace: string): Promise<SignalResult[]> {
    const health = this.options.sources.health;
    if (!health) return Promise.resolve([]);
    const clock = this.options.clock ?? Date.now;
    const key = `${answer.pair}\u0000${answer.blue}\u0000${answer.green}\u0000${answer.step.current.green ?? 0}\u0000${namespace}`;
    const cached = this.familyHealthCache.get(key);
    if (cached && clock() - cached.at < (this.options.ttlMs ?? 60_000)) return cached.health;
    const signal = AbortSignal.timeout(this.options.evaluationTimeoutMs ?? 30_000);
    const fresh = health.health({ blue: { name: answer.blue }, green: { name: answer.green, weight: answer.step.current.green ?? 0 }, window: answer.window, namespace }, signal);
    // A failed read is not kept: the next viewer asks again.
    fresh.catch(() => this.familyHealthCache.delete(key));
    this.familyHealthCache.delete(key);
    this.familyHealthCache.set(key, { at: clock(), health: fresh });
    for (const oldest of this.familyHealthCache.keys()) {
      if (this.familyHealthCache.size <= FAMILY_HEALTH_ENTRIES) break;
      this.familyHealthCache.delete(oldest);
    }
    return fresh;
  }

  private async evaluate(): Promise<FleetGates> {
    const { logger } = this.options;
    const signal = fanOutSignal(AbortSignal.timeout(this.options.evaluationTimeoutMs ?? 30_000));
    const evaluation = await this.options.evaluator.evaluation();
    const clusters = this.options.inventory.snapshot().clusters;
    const fleet = await resolvePairs(clusters, this.options.facts, signal);
    const limit = pLimit(4);
    const entries = await Promise.all(
      pairsToJudge(fleet, this.options.maxPairs ?? 50).map((pair) =>
        limit(async (): Promise<[string, PairGate]> => {
          const { name } = pair;
          if ('problem' in pair) return [name, { error: pair.problem }];
          const { blue, green } = pair;
          const judged = evaluation?.pairs.get(name);
          const readiness = gateReadiness(judged?.verdict ?? { error: judged?.error ?? judged?.problem ?? 'no readiness verdict yet' });
          try {
            const answer = await assessGate({ pair: name, blue, green, readiness, sources: this.options.sources, signal });
            return [name, { answer }];
          } catch (err) {
            logger?.warn({ pair: name, err: (err as Error).message }, 'gate: the gate could not be evaluated; greenlight_pair_gate reports 0');
            return [name, { error: (err as Error).message }];
          }
        }),
      ),
    );
    return { at: (this.options.clock ?? Date.now)(), pairs: new Map(entries) };
  }
}
