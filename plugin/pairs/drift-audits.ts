/**
 * @module The service's drift audits: every pair audited in the background, one pair at a time,
 * again once the scans' TTL has passed. Readers never wait for a scan (a cluster of 100,000
 * objects takes a while under the rate budget): they get the latest audit, or none yet. The
 * audits feed the readiness verdict's `drift` check, the facts answer's `drift`, and the
 * `greenlight_drift_objects` gauges.
 */
import type { Registry } from 'prom-client';
import type { ClusterFactsProvider, ClusterInventory, DriftReport } from '../../generator/index.js';
import { fanOutSignal } from '../fan-out-signal.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { auditDrift, type DriftInputs } from './drift.js';
import { DriftGauges } from './drift-gauges.js';
import { FreshOrWait } from './fresh-or-wait.js';
import { pairsToJudge, resolvePairs } from './resolve.js';

/** One pair's latest audit, or why there is none. */
export type PairDrift = { readonly report: DriftReport; readonly at: number } | { readonly error: string; readonly at: number };

export interface FleetDrift {
  readonly at: number;
  readonly pairs: ReadonlyMap<string, PairDrift>;
}

/** What readers of the audits need. */
export interface DriftAuditReader {
  /**
   * The latest audits (a new round starts when they are stale, and is never waited for). Before
   * the first round has ended, waits up to `firstWaitMs` for it (default 0); undefined if it has
   * not ended by then.
   */
  latest(firstWaitMs?: number): Promise<FleetDrift | undefined>;
}

/** The readiness verdict's drift input for `pair`: its latest report, or why there is none. */
export function driftInput(drifts: FleetDrift | undefined, pair: string): DriftReport | { readonly skipped: string } {
  const latest = drifts?.pairs.get(pair);
  if (!latest) return { skipped: `greenlight's first drift audit of pair ${pair} is under way (it scans both clusters under a rate budget); reload in a minute, or run greenlight drift --pair ${pair}` };
  if ('error' in latest) return { skipped: `the drift audit of pair ${pair} could not finish: ${latest.error}` };
  return latest.report;
}

export interface DriftAuditsOptions {
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  readonly inputs: DriftInputs;
  readonly config: Config['drift'];
  readonly registry?: Registry | undefined;
  readonly clock?: () => number;
  /** Pairs audited, in name order (default 50). */
  readonly maxPairs?: number;
  readonly logger?: Logger | undefined;
}

export class DriftAudits implements DriftAuditReader {
  /** Rounds over every pair: one at a time, the last served until the scans' TTL. */
  private readonly rounds: FreshOrWait<FleetDrift>;
  /** Each pair's latest audit, as soon as it ends (a round may take minutes over many pairs). */
  private readonly byPair = new Map<string, PairDrift>();
  private readonly gauges: DriftGauges | undefined;
  private readonly clock: () => number;

  constructor(private readonly options: DriftAuditsOptions) {
    this.clock = options.clock ?? Date.now;
    this.gauges = options.registry ? new DriftGauges(options.registry) : undefined;
    this.rounds = new FreshOrWait(() => this.audit(), { clock: this.clock, ttlMs: options.config.ttlMs, waitMs: 0 });
  }

  async latest(firstWaitMs = 0): Promise<FleetDrift | undefined> {
    const last = this.rounds.last();
    const current = last?.result;
    const known = (): FleetDrift | undefined => (this.byPair.size > 0 ? { at: current?.at ?? this.clock(), pairs: new Map(this.byPair) } : undefined);
    // A round of scans is long: its result is served until the scans' TTL, and the next is never waited for.
    if (last?.fresh) return known();
    const next = this.refresh().then(known, () => known());
    if (current || this.byPair.size > 0 || firstWaitMs <= 0) return known();
    let timer: NodeJS.Timeout | undefined;
    // Past the wait, whatever pairs the round has audited so far.
    const timeout = new Promise<FleetDrift | undefined>((resolve) => {
      timer = setTimeout(() => resolve(known()), firstWaitMs);
      timer.unref();
    });
    try {
      return await Promise.race([next, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A new round now (joining one under way); it becomes the latest. */
  refresh(): Promise<FleetDrift> {
    return this.rounds.refresh();
  }

  private async audit(): Promise<FleetDrift> {
    const { logger, inputs } = this.options;
    const clusters = this.options.inventory.snapshot().clusters;
    // Each cluster's scan has its own budget (GREENLIGHT_DRIFT_TIMEOUT_MS); this bounds the facts that place clusters in pairs.
    const fleet = await resolvePairs(clusters, this.options.facts, fanOutSignal(AbortSignal.timeout(30_000)));
    const pairs = new Map<string, PairDrift>();
    // One pair at a time: each scan already lists several resource types at once under the rate budget.
    for (const judged of pairsToJudge(fleet, this.options.maxPairs ?? 50)) {
      const { name } = judged;
      if ('problem' in judged) {
        const incomplete = { error: judged.problem, at: this.clock() };
        pairs.set(name, incomplete);
        this.byPair.set(name, incomplete);
        continue;
      }
      const { blue, green } = judged;
      try {
        const report = await auditDrift({ pair: name, blue, green, inputs, config: this.options.config, signal: fanOutSignal(AbortSignal.timeout(this.options.config.timeoutMs * 2)) });
        pairs.set(name, { report, at: this.clock() });
        this.byPair.set(name, { report, at: this.clock() });
        this.gauges?.record(report);
      } catch (err) {
        const message = (err as Error).message;
        logger?.warn({ pair: name, err: message }, 'drift audit: the pair could not be audited; its drift check says why');
        pairs.set(name, { error: message, at: this.clock() });
        this.byPair.set(name, { error: message, at: this.clock() });
      }
    }
    for (const name of [...this.byPair.keys()]) if (!pairs.has(name)) this.byPair.delete(name);
    this.gauges?.retain(pairs.keys());
    return { at: this.clock(), pairs };
  }
}
