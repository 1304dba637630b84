/**
 * @module The answer of greenlight's `GET /api/v1/facts` (reached through Argo CD's proxy
 * extension): the facts of the pair of an Application's destination cluster, their differences,
 * and the pair's readiness verdict as the service made it. Pure zod, safe for the browser.
 */
import { z } from 'zod';
import { clusterFactsSchema, factsOriginSchema } from './cluster-facts.js';
import { errorBodySchema } from './plugin-response.js';
import { clusterScanSummarySchema, coverageGapSchema, driftFindingSchema } from './drift.js';
import { gateAnswerSchema, signalResultSchema } from './gate.js';
import { findingSchema, readinessCheckSchema } from './readiness.js';

export const FACT_AREAS = ['kubernetes', 'addons', 'storage', 'ingress', 'secrets', 'podIdentity', 'apis', 'aws', 'identity'] as const;
export type FactArea = (typeof FACT_AREAS)[number];

/** One difference between a baseline (blue) and a candidate (green) cluster's facts. */
export const factDifferenceSchema = z.object({
  area: z.enum(FACT_AREAS),
  subject: z.string().describe('What differs, stable for tests and keys: "kubernetes.minor", "addon:coredns", "ssm:payments/db-password".'),
  label: z.string().describe('What differs, for people.'),
  baseline: z.string().nullable().describe("The baseline's value; null when it has none."),
  candidate: z.string().nullable().describe("The candidate's value; null when it has none."),
  expected: z.boolean().describe('True for differences every pair has (issuer, endpoint, names); false for the ones to fix or confirm.'),
  reason: z.string().describe('Why it matters, or why it is expected.'),
});

/** One cluster of the pair, with its facts, or the error that kept greenlight from reading them. */
export const pairMemberSchema = z.object({
  name: z.string(),
  server: z.string(),
  pair: z.string().nullable(),
  role: z.string().nullable(),
  weight: z.string().nullable(),
  facts: clusterFactsSchema.nullable(),
  origins: z.array(factsOriginSchema),
  error: errorBodySchema.nullable(),
});

export const factsComparisonSchema = z.object({
  baseline: z.string().describe('Name of the baseline cluster (role blue, else the highest weight).'),
  candidate: z.string(),
  differences: z.array(factDifferenceSchema),
});

const findingsBySeverity = z.object({ blockers: z.array(findingSchema), warnings: z.array(findingSchema) });
const countsBySeverity = z.object({ blockers: z.number().int().nonnegative(), warnings: z.number().int().nonnegative() });

/**
 * The pair's readiness verdict as greenlight's service made it (the same evaluation as
 * `greenlight readiness` and the `greenlight_readiness_*` gauges), reduced for one Application's
 * viewer: the findings that concern the app's family and the pair-wide ones in full, other apps'
 * only counted (their SSM keys and service accounts are theirs to see). `counts` are the pair's.
 */
export const servedReadinessSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('judged'),
    at: z.string().describe('When the service made the verdict (ISO 8601); it is reused for up to a minute.'),
    pair: z.string(),
    blue: z.string(),
    green: z.string(),
    blueVersion: z.string().nullable(),
    greenVersion: z.string().nullable(),
    ready: z.boolean().describe('The pair has no blocker at all (greenlight_pair_ready).'),
    counts: countsBySeverity.describe("The pair's findings, every app included: what the CLI and /metrics count."),
    app: findingsBySeverity.describe("Findings about the viewed Application's family (its resources, its namespaces' SSM keys, its service accounts' Pod Identity)."),
    pairWide: findingsBySeverity.describe('Findings about the pair itself: they hold every app.'),
    otherApps: countsBySeverity.describe("Findings about other apps' workloads, counted only."),
    checks: z.array(readinessCheckSchema),
  }),
  z.object({
    state: z.literal('unavailable'),
    reason: z.string().describe('Why the service has no verdict for the pair now, and what to do.'),
  }),
]);

/** Most drift findings of one kind of concern served in full; the rest are counted in `omitted`. */
export const MAX_SERVED_DRIFT_FINDINGS = 200;

/** Other apps' drift, counted by namespace and kind (their objects are theirs to see). */
export const driftTallySchema = z.object({
  namespace: z.string(),
  kind: z.string(),
  count: z.number().int().nonnegative(),
});

/**
 * The pair's latest drift audit as greenlight's service made it (the audit `greenlight drift`
 * runs and `greenlight_drift_objects` counts), reduced for one Application's viewer like the
 * readiness verdict: findings in the viewed family's namespaces (or tracked by it) and pair-wide
 * ones (cluster-scoped, or in namespaces no Application deploys to) in full; other apps' counted.
 */
export const servedDriftSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('audited'),
    at: z.string().describe('When the audit finished (ISO 8601); the service audits each pair again after GREENLIGHT_DRIFT_TTL_MS.'),
    pair: z.string(),
    blue: z.string(),
    green: z.string(),
    counts: z
      .object({
        unmanaged: z.number().int().nonnegative(),
        hotfix: z.number().int().nonnegative(),
        stateful: z.number().int().nonnegative(),
        accepted: z.number().int().nonnegative(),
        missingOnGreen: z.number().int().nonnegative(),
      })
      .describe("The pair's findings, every app included: per class those not signed off, the signed-off ones, and those (not signed off) green lacks."),
    app: z.array(driftFindingSchema).describe("Findings in the viewed Application's family: its namespaces, or objects it tracks or uses."),
    pairWide: z.array(driftFindingSchema).describe('Cluster-scoped findings, and those in namespaces no Application deploys to.'),
    otherApps: z.array(driftTallySchema).describe("Other apps' findings, counted by namespace and kind."),
    omitted: z.object({ app: z.number().int().nonnegative(), pairWide: z.number().int().nonnegative() }).describe(`Findings past the first ${MAX_SERVED_DRIFT_FINDINGS} of each list, counted only.`),
    gaps: z.array(coverageGapSchema),
    scans: z.array(clusterScanSummarySchema),
  }),
  z.object({
    state: z.literal('unavailable'),
    reason: z.string().describe('Why the service has no drift audit of the pair now, and what to do.'),
  }),
]);

/**
 * The pair's traffic gate as greenlight's service evaluated it (the gate `greenlight gate` and
 * `greenlight_pair_gate` report), with the live health of the viewed family's namespaces.
 */
export const servedGateSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('evaluated'),
    at: z.string().describe('When the service evaluated the gate (ISO 8601); it is reused for up to a minute.'),
    answer: gateAnswerSchema,
    family: z
      .array(z.object({ namespace: z.string(), health: z.array(signalResultSchema) }))
      .describe("Green's live health beside blue's in each namespace the viewed family deploys to (series carrying a namespace label); empty when none."),
  }),
  z.object({
    state: z.literal('unavailable'),
    reason: z.string().describe('Why the service has no gate for the pair now, and what to do.'),
  }),
]);

/** The answer of `GET /api/v1/facts`: the facts of the pair of the Application's destination cluster. */
export const factsResponseSchema = z.object({
  application: z.object({ namespace: z.string(), name: z.string(), project: z.string() }),
  cluster: z.string().describe("Name of the Application's destination cluster in greenlight's inventory."),
  pair: z.string().nullable().describe('null when the destination cluster has no greenlight.io/pair.'),
  members: z.array(pairMemberSchema),
  comparisons: z.array(factsComparisonSchema),
  readiness: servedReadinessSchema.nullish().describe('The pair\'s readiness verdict; null when the cluster has no pair. Absent from services before 0.2.'),
  drift: servedDriftSchema.nullish().describe("The pair's drift audit; null when the cluster has no pair. Absent from services before 0.3."),
  gate: servedGateSchema.nullish().describe("The pair's traffic gate; null when the cluster has no pair. Absent from services before 0.3."),
});

export type FactDifference = z.infer<typeof factDifferenceSchema>;
export type PairMember = z.infer<typeof pairMemberSchema>;
export type FactsComparison = z.infer<typeof factsComparisonSchema>;
export type FactsResponse = z.infer<typeof factsResponseSchema>;
export type ServedReadiness = z.infer<typeof servedReadinessSchema>;
export type ServedDrift = z.infer<typeof servedDriftSchema>;
export type ServedGate = z.infer<typeof servedGateSchema>;
export type DriftTally = z.infer<typeof driftTallySchema>;
