/**
 * @module The traffic gate's answer: may traffic move one step from blue to green now? As
 * `greenlight gate --output json` prints it, and as the UI reads it. Pure zod, safe for the browser.
 */
import { z } from 'zod';

/** Exit statuses of `greenlight gate`; `weight --step` exits `held` (3) when the gate does not say go. */
export const GATE_EXIT_CODES = { go: 0, unknown: 1, hold: 2, held: 3 } as const;

export const GATE_DECISIONS = ['go', 'hold', 'unknown'] as const;
export const GATE_CHECKS = ['plan', 'readiness', 'health', 'split', 'prefix'] as const;
export const SIGNAL_NAMES = ['error-ratio', 'p99-latency', 'restarts'] as const;

/** Blue's and green's Route 53 weights (0–255) at one step of the plan. */
export const stepWeightsSchema = z.object({
  blue: z.number().int().min(0).max(255),
  green: z.number().int().min(0).max(255),
});

/** Evidence is data an operator can check: numbers, the query, the record, the version. */
export const evidenceSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

/** One reason behind the decision. `note` never holds; it says what was not proven (e.g. no live evidence yet). */
export const gateReasonSchema = z.object({
  check: z.enum(GATE_CHECKS),
  outcome: z.enum(['hold', 'unknown', 'note']),
  message: z.string().describe('What is wrong and what to do, for an operator.'),
  evidence: evidenceSchema,
});

/**
 * One live signal, green beside blue. `ok`: green within the threshold; `hold`: green worse than
 * blue beyond it (or green has weight but no series yet); `no-evidence`: green has no traffic
 * (weight 0), which is never "healthy"; `unknown`: Prometheus did not answer.
 */
export const signalResultSchema = z.object({
  signal: z.enum(SIGNAL_NAMES),
  outcome: z.enum(['ok', 'hold', 'no-evidence', 'unknown']),
  unit: z.enum(['ratio', 'seconds', 'count']),
  blue: z.number().nullable(),
  green: z.number().nullable(),
  /** The value green may reach (blue × factor + margin); null when blue gave none. */
  limit: z.number().nullable(),
  query: z.object({ blue: z.string(), green: z.string() }),
  message: z.string(),
});

/** One cluster's weighted record: what greenlight.io/weight asks for, and what Route 53 holds. */
export const splitRowSchema = z.object({
  cluster: z.string(),
  role: z.enum(['blue', 'green']),
  record: z.string().describe('"name TYPE" of the record set, or "" when the pair has none.'),
  zoneId: z.string(),
  desired: z.number().int().nullable(),
  actual: z.number().int().nullable(),
  owner: z.string().nullable().describe('external-dns/owner of the ownership TXT record; null when there is none.'),
  outcome: z.enum(['ok', 'mismatch', 'missing', 'other-owner']),
});

/** ExternalDNS on one cluster: its version and the annotation prefix it reads. */
export const externalDnsSideSchema = z.object({
  cluster: z.string(),
  found: z.boolean(),
  version: z.string().nullable(),
  prefix: z.string().nullable().describe('The annotation prefix this ExternalDNS reads.'),
  ownerId: z.string().nullable().describe('Its --txt-owner-id (ExternalDNS\'s default is "default"); null when not read.'),
  txtPrefix: z.string().nullable().describe('Its --txt-prefix, when set.'),
  source: z.string().describe('Where this was read, e.g. "Deployment external-dns/external-dns (image registry.k8s.io/external-dns/external-dns:v0.22.0)".'),
});

export const gateAnswerSchema = z.object({
  pair: z.string(),
  blue: z.string(),
  green: z.string(),
  decision: z.enum(GATE_DECISIONS),
  window: z.string(),
  step: z.object({
    /** Index in the plan of the current weights; null when they are off the plan. */
    index: z.number().int().nullable(),
    current: stepWeightsSchema.extend({ blue: z.number().int().nullable(), green: z.number().int().nullable() }),
    next: stepWeightsSchema.nullable(),
    plan: z.array(stepWeightsSchema),
  }),
  reasons: z.array(gateReasonSchema),
  health: z.array(signalResultSchema),
  split: z.array(splitRowSchema),
  externalDns: z.array(externalDnsSideSchema),
});

export type StepWeights = z.infer<typeof stepWeightsSchema>;
export type GateReason = z.infer<typeof gateReasonSchema>;
export type SignalResult = z.infer<typeof signalResultSchema>;
export type SplitRow = z.infer<typeof splitRowSchema>;
export type ExternalDnsSide = z.infer<typeof externalDnsSideSchema>;
export type GateAnswer = z.infer<typeof gateAnswerSchema>;
export type GateDecision = (typeof GATE_DECISIONS)[number];
export type SignalName = (typeof SIGNAL_NAMES)[number];
