/**
 * @module The step plan: the weights blue and green carry at each step of the cutover, as
 * Route 53 weights (0–255, the scale of `greenlight.io/weight`). Route 53 sends a record's share
 * weight / sum of the set's weights, so the default plan's weights sum to 100 and read as
 * percentages: blue 100 / green 0 is `greenlight.io/weight: "100"` on blue and `"0"` on green.
 */
import type { StepWeights } from '../contract/gate.js';

export const DEFAULT_PLAN: readonly StepWeights[] = Object.freeze([
  { blue: 100, green: 0 },
  { blue: 80, green: 20 },
  { blue: 50, green: 50 },
  { blue: 20, green: 80 },
  { blue: 0, green: 100 },
]);

/** Green's share of traffic at some weights; undefined when both are 0 (Route 53 then spreads evenly). */
export function greenShare(w: { readonly blue: number; readonly green: number }): number | undefined {
  const total = w.blue + w.green;
  return total === 0 ? undefined : w.green / total;
}

/**
 * The problems of a plan, in words (empty when it is usable): at least two steps, every step
 * sends traffic somewhere, and each step gives green a larger share than the one before.
 */
export function planProblems(plan: readonly StepWeights[]): string[] {
  const problems: string[] = [];
  if (plan.length < 2) problems.push('a plan needs at least two steps (where traffic is and where it goes)');
  let previous: number | undefined;
  plan.forEach((step, i) => {
    const share = greenShare(step);
    if (share === undefined) problems.push(`step ${i + 1} gives both clusters weight 0 (Route 53 would then spread traffic evenly)`);
    else if (previous !== undefined && share <= previous) problems.push(`step ${i + 1} (${step.blue}/${step.green}) does not give green a larger share than step ${i} does`);
    if (share !== undefined) previous = share;
  });
  return problems;
}

/** Where some weights are in the plan: the index of the step with exactly these weights, else null. */
export function stepIndex(plan: readonly StepWeights[], current: { readonly blue: number; readonly green: number }): number | null {
  const i = plan.findIndex((s) => s.blue === current.blue && s.green === current.green);
  return i < 0 ? null : i;
}

/**
 * The step after the current weights: the next one in the plan, or, for weights off the plan, the
 * first step that gives green a larger share. Null at (or past) the plan's last step, or when
 * the current weights send no traffic anywhere.
 */
export function nextStep(plan: readonly StepWeights[], current: { readonly blue: number; readonly green: number }): StepWeights | null {
  const at = stepIndex(plan, current);
  if (at !== null) return plan[at + 1] ?? null;
  const share = greenShare(current);
  if (share === undefined) return null;
  return plan.find((s) => (greenShare(s) ?? -1) > share) ?? null;
}

/**
 * The step before the current weights (rollback): the previous one in the plan, or, off the plan,
 * the last step that gives green a smaller share. Null at the first step. With `all`, the first step.
 */
export function previousStep(plan: readonly StepWeights[], current: { readonly blue: number; readonly green: number }, all = false): StepWeights | null {
  const first = plan[0] ?? null;
  if (all) return first && (first.blue !== current.blue || first.green !== current.green) ? first : null;
  const at = stepIndex(plan, current);
  if (at !== null) return at === 0 ? null : (plan[at - 1] ?? null);
  const share = greenShare(current);
  if (share === undefined) return first;
  return [...plan].reverse().find((s) => (greenShare(s) ?? Infinity) < share) ?? null;
}
