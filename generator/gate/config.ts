/**
 * @module The gate's configuration file (GREENLIGHT_GATE_CONFIG, YAML or JSON): the step plan,
 * the default window, and each signal's query and threshold.
 *
 * @example
 * plan: [[100, 0], [90, 10], [50, 50], [0, 100]]   # [blue, green] Route 53 weights
 * window: 15m
 * signals:
 *   error-ratio: { margin: 0.005 }
 *   p99-latency: { query: 'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{{{selector}}}[{{window}}]))) / 1000' }
 */
import { z } from 'zod';
import type { SignalName } from '../contract/gate.js';
import { resolveSignals, signalOverridesSchema, type SignalSpec } from './health.js';
import { DEFAULT_PLAN, planProblems } from './plan.js';
import { DEFAULT_WINDOW, WINDOW_PATTERN } from './promql.js';
import type { StepWeights } from '../contract/gate.js';

const weight = z.number().int().min(0).max(255);

export const gateConfigFileSchema = z
  .object({
    plan: z
      .array(z.union([z.tuple([weight, weight]), z.object({ blue: weight, green: weight }).strict()]))
      .optional()
      .describe('Steps as [blue, green] Route 53 weights (0–255), first to last.'),
    window: z.string().regex(WINDOW_PATTERN, 'must be a duration such as 30s, 10m, 1h or 1d').optional(),
    signals: signalOverridesSchema.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.plan === undefined) return;
    for (const problem of planProblems(v.plan.map((s) => (Array.isArray(s) ? { blue: s[0], green: s[1] } : s)))) ctx.addIssue({ code: 'custom', path: ['plan'], message: problem });
  });

export interface GateSettings {
  readonly plan: readonly StepWeights[];
  readonly window: string;
  readonly signals: Readonly<Record<SignalName, SignalSpec>>;
}

/** The settings from a parsed config file (the defaults for what it does not say). */
export function gateSettings(file: z.infer<typeof gateConfigFileSchema> = {}): GateSettings {
  return Object.freeze({
    plan: Object.freeze((file.plan ?? DEFAULT_PLAN).map((s) => (Array.isArray(s) ? { blue: s[0], green: s[1] } : { blue: s.blue, green: s.green }))),
    window: file.window ?? DEFAULT_WINDOW,
    signals: Object.freeze(resolveSignals(file.signals ?? {})),
  });
}
