/**
 * @module The gate: one answer for the next weight step, from the plan, the readiness verdict,
 * live health, the real split and the ExternalDNS prefixes. Any hold holds; otherwise anything
 * that could not be evaluated makes the answer unknown (never go); only then go.
 */
import type { ExternalDnsSide, GateAnswer, GateReason, SignalResult, SplitRow, StepWeights } from '../contract/gate.js';
import type { PrefixJudgment } from './external-dns.js';
import { nextStep, stepIndex } from './plan.js';
import { splitMessage, type SplitMember } from './split.js';

/** The readiness verdict, reduced to what the gate needs. */
export type GateReadiness =
  | { readonly outcome: 'ready'; readonly warnings: number }
  | { readonly outcome: 'blockers'; readonly blockers: readonly { readonly subject: string; readonly message: string }[] }
  | { readonly outcome: 'unknown'; readonly error: string };

export interface GateInput {
  readonly pair: string;
  readonly window: string;
  readonly plan: readonly StepWeights[];
  readonly blue: SplitMember;
  readonly green: SplitMember;
  readonly readiness: GateReadiness;
  /** Live signals; an `error` when Prometheus is not configured at all. */
  readonly health: readonly SignalResult[] | { readonly error: string };
  /** Split rows; an `error` when Route 53 could not be read. */
  readonly split: readonly SplitRow[] | { readonly error: string };
  readonly zones: readonly string[];
  readonly externalDns: { readonly sides: readonly ExternalDnsSide[]; readonly judgment: PrefixJudgment };
}

export function gateAnswer(input: GateInput): GateAnswer {
  const reasons: GateReason[] = [];
  const { blue, green, plan } = input;
  const current = { blue: blue.desired, green: green.desired };

  // The plan: where the pair is, and whether there is a next step.
  let next: StepWeights | null = null;
  let index: number | null = null;
  if (current.blue === null || current.green === null) {
    const lacking = [blue, green].filter((m) => m.desired === null).map((m) => m.name);
    reasons.push({ check: 'plan', outcome: 'hold', message: `${lacking.join(' and ')} ha${lacking.length === 1 ? 's' : 've'} no greenlight.io/weight: set the pair's weights (greenlight weight --set) before stepping`, evidence: { blue: current.blue, green: current.green } });
  } else {
    const weights = { blue: current.blue, green: current.green };
    index = stepIndex(plan, weights);
    next = nextStep(plan, weights);
    if (next === null) {
      reasons.push({ check: 'plan', outcome: 'hold', message: `pair ${input.pair} is at ${weights.blue}/${weights.green} (blue/green), the plan's last step: there is no next step`, evidence: { blue: weights.blue, green: weights.green, plan: plan.map((s) => `${s.blue}/${s.green}`).join(', ') } });
    } else if (index === null) {
      reasons.push({ check: 'plan', outcome: 'note', message: `the weights ${weights.blue}/${weights.green} are not a step of the plan; the next step is ${next.blue}/${next.green}`, evidence: { blue: weights.blue, green: weights.green, plan: plan.map((s) => `${s.blue}/${s.green}`).join(', ') } });
    }
  }

  // Readiness.
  const r = input.readiness;
  if (r.outcome === 'blockers') {
    reasons.push({ check: 'readiness', outcome: 'hold', message: `readiness has ${r.blockers.length} blocker(s): ${r.blockers.map((b) => b.subject).join(', ')} (greenlight readiness --pair ${input.pair} says what to fix)`, evidence: Object.fromEntries(r.blockers.slice(0, 20).map((b, i) => [`blocker ${i + 1}`, `${b.subject}: ${b.message}`])) });
  } else if (r.outcome === 'unknown') {
    reasons.push({ check: 'readiness', outcome: 'unknown', message: `readiness could not be evaluated: ${r.error}`, evidence: {} });
  }

  // Live health.
  const health = 'error' in input.health ? [] : [...input.health];
  if ('error' in input.health) {
    reasons.push({ check: 'health', outcome: 'unknown', message: `live health could not be evaluated: ${input.health.error}`, evidence: {} });
  }
  for (const s of health) {
    if (s.outcome === 'ok') continue;
    reasons.push({
      check: 'health',
      outcome: s.outcome === 'no-evidence' ? 'note' : s.outcome,
      message: s.message,
      evidence: { signal: s.signal, [blue.name]: s.blue, [green.name]: s.green, limit: s.limit, [`query ${blue.name}`]: s.query.blue, [`query ${green.name}`]: s.query.green },
    });
  }

  // The real split.
  const split = 'error' in input.split ? [] : [...input.split];
  if ('error' in input.split) {
    reasons.push({ check: 'split', outcome: 'unknown', message: `the Route 53 split could not be read: ${input.split.error}`, evidence: { zones: input.zones.join(', ') } });
  }
  for (const row of split) {
    if (row.outcome === 'ok') continue;
    const member = row.cluster === blue.name ? blue : green;
    reasons.push({
      check: 'split',
      outcome: 'hold',
      message: splitMessage(row, member.owner, input.zones, [blue.name, green.name]),
      evidence: { record: row.record, zone: row.zoneId, cluster: row.cluster, desired: row.desired, actual: row.actual, owner: row.owner, 'expected owner': member.owner },
    });
  }

  // ExternalDNS prefixes.
  const j = input.externalDns.judgment;
  if (j.outcome !== 'ok') reasons.push({ check: 'prefix', outcome: j.outcome === 'skipped' ? 'note' : j.outcome, message: j.message, evidence: j.evidence });

  const decision = reasons.some((x) => x.outcome === 'hold') ? 'hold' : reasons.some((x) => x.outcome === 'unknown') ? 'unknown' : 'go';
  return {
    pair: input.pair,
    blue: blue.name,
    green: green.name,
    decision,
    window: input.window,
    step: { index, current, next, plan: [...plan] },
    reasons,
    health,
    split,
    externalDns: [...input.externalDns.sides],
  };
}
