/**
 * @module Live health, green beside blue: the default signals, their thresholds, and the rule
 * that judges one signal. Green holds the step when it is worse than blue beyond the threshold
 * (`green > blue × factor + margin`). Green with no traffic (weight 0) has no live evidence yet,
 * which is never "healthy"; a query Prometheus did not answer is "unknown", never "go".
 */
import { z } from 'zod';
import { SIGNAL_NAMES, type SignalName, type SignalResult } from '../contract/gate.js';
import { unknownPlaceholders } from './promql.js';

export const signalSpecSchema = z.object({
  query: z.string().min(1).describe('PromQL template (see fillQuery): one number per cluster.'),
  factor: z.number().min(0).describe('Green may reach blue × factor + margin.'),
  margin: z.number().min(0),
});
export type SignalSpec = z.infer<typeof signalSpecSchema>;

/** What each signal measures, how its numbers read, and whether it needs traffic to mean anything. */
export const SIGNALS: Readonly<Record<SignalName, { readonly label: string; readonly unit: SignalResult['unit']; readonly traffic: boolean }>> = {
  'error-ratio': { label: '5xx ratio', unit: 'ratio', traffic: true },
  'p99-latency': { label: 'p99 latency', unit: 'seconds', traffic: true },
  restarts: { label: 'container restarts', unit: 'count', traffic: false },
};

/**
 * The default queries (over `http_requests_total{code}`, `http_request_duration_seconds_bucket`
 * and kube-state-metrics' `kube_pod_container_status_restarts_total`) and thresholds: green's 5xx
 * ratio at most 1 percentage point above blue's, its p99 at most 20% + 50 ms above blue's, and at
 * most 1 container restart more than blue in the window.
 */
export const DEFAULT_SIGNALS: Readonly<Record<SignalName, SignalSpec>> = {
  'error-ratio': {
    query: 'sum(rate(http_requests_total{{{selector}},code=~"5.."}[{{window}}])) / sum(rate(http_requests_total{{{selector}}}[{{window}}]))',
    factor: 1,
    margin: 0.01,
  },
  'p99-latency': {
    query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{{{selector}}}[{{window}}])))',
    factor: 1.2,
    margin: 0.05,
  },
  restarts: {
    query: 'sum(increase(kube_pod_container_status_restarts_total{{{selector}}}[{{window}}]))',
    factor: 1,
    margin: 1,
  },
};

export const signalOverridesSchema = z
  .object(Object.fromEntries(SIGNAL_NAMES.map((n) => [n, signalSpecSchema.partial().optional()])) as Record<SignalName, z.ZodOptional<z.ZodObject<{ query: z.ZodOptional<z.ZodString>; factor: z.ZodOptional<z.ZodNumber>; margin: z.ZodOptional<z.ZodNumber> }>>>)
  .strict()
  .superRefine((v, ctx) => {
    for (const name of SIGNAL_NAMES) {
      const q = v[name]?.query;
      const bad = q === undefined ? [] : unknownPlaceholders(q);
      if (bad.length > 0) ctx.addIssue({ code: 'custom', path: [name, 'query'], message: `unknown placeholder(s) ${bad.map((b) => `{{${b}}}`).join(', ')}: use {{selector}}, {{cluster}}, {{namespace}} or {{window}}` });
    }
  });

/** The default signals with a config file's overrides applied. */
export function resolveSignals(overrides: z.infer<typeof signalOverridesSchema> = {}): Record<SignalName, SignalSpec> {
  return Object.fromEntries(SIGNAL_NAMES.map((n) => [n, { ...DEFAULT_SIGNALS[n], ...Object.fromEntries(Object.entries(overrides[n] ?? {}).filter(([, v]) => v !== undefined)) }])) as Record<SignalName, SignalSpec>;
}

/** One cluster's answer to a signal's query: a number, no number (no series, or NaN), or a failure. */
export type Reading = { readonly query: string; readonly value: number | null } | { readonly query: string; readonly error: string };

export interface SignalInput {
  readonly signal: SignalName;
  readonly spec: SignalSpec;
  readonly blue: { readonly name: string; readonly reading: Reading };
  readonly green: { readonly name: string; readonly weight: number; readonly reading: Reading };
}

/** A number as an operator reads it in this signal's unit. */
export function formatValue(unit: SignalResult['unit'], v: number): string {
  if (unit === 'ratio') return `${(v * 100).toFixed(2)}%`;
  if (unit === 'seconds') return `${(v * 1000).toFixed(0)} ms`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

const valueOf = (r: Reading): number | null | undefined => ('error' in r ? undefined : r.value);

/** Judges one signal, green beside blue. */
export function judgeSignal(input: SignalInput): SignalResult {
  const meta = SIGNALS[input.signal];
  const { blue, green, spec } = input;
  const b = valueOf(blue.reading);
  const g = valueOf(green.reading);
  const base = {
    signal: input.signal,
    unit: meta.unit,
    blue: b ?? null,
    green: g ?? null,
    limit: typeof b === 'number' ? b * spec.factor + spec.margin : null,
    query: { blue: blue.reading.query, green: green.reading.query },
  };
  const fmt = (v: number) => formatValue(meta.unit, v);
  const failed = [blue, green].filter((s) => 'error' in s.reading);
  if (failed.length > 0) {
    return { ...base, outcome: 'unknown', message: `${meta.label} could not be evaluated: ${failed.map((s) => `${s.name}: ${(s.reading as { error: string }).error}`).join('; ')}` };
  }
  if (meta.traffic && green.weight === 0 && g === null) {
    return { ...base, outcome: 'no-evidence', message: `no live evidence yet: ${green.name} has weight 0 and so no traffic; its ${meta.label} is judged once it serves some` };
  }
  if (g === null || g === undefined) {
    return {
      ...base,
      outcome: 'hold',
      message: meta.traffic
        ? `no live evidence on ${green.name} yet although it has weight ${green.weight}: its ${meta.label} query has no series in the window; wait for traffic, or check that its series carry the cluster label`
        : `${green.name} has no ${meta.label} series in the window: is kube-state-metrics scraped there, with the cluster label?`,
    };
  }
  if (b === null || b === undefined) {
    return { ...base, outcome: 'hold', message: `no baseline: ${blue.name} has no ${meta.label} series in the window, so ${green.name}'s ${fmt(g)} cannot be compared with it; check that blue's series carry the cluster label` };
  }
  const limit = b * spec.factor + spec.margin;
  if (g > limit) {
    return {
      ...base,
      limit,
      outcome: 'hold',
      message: `${green.name}'s ${meta.label} ${meta.unit === 'count' ? 'are' : 'is'} ${fmt(g)} against ${fmt(b)} on ${blue.name}, above the threshold of ${fmt(limit)} (blue × ${spec.factor} + ${fmt(spec.margin)}): find out why before moving more traffic`,
    };
  }
  return { ...base, limit, outcome: 'ok', message: `${meta.label}: ${fmt(g)} on ${green.name}, ${fmt(b)} on ${blue.name} (threshold ${fmt(limit)})` };
}
