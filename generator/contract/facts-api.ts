/**
 * @module The answer of greenlight's `GET /api/v1/facts` (reached through Argo CD's proxy
 * extension): the facts of the pair of an Application's destination cluster, their differences,
 * and the pair's readiness verdict as the service made it. Pure zod, safe for the browser.
 */
import { z } from 'zod';
import { clusterFactsSchema, factsOriginSchema } from './cluster-facts.js';
import { errorBodySchema } from './plugin-response.js';
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

/** The answer of `GET /api/v1/facts`: the facts of the pair of the Application's destination cluster. */
export const factsResponseSchema = z.object({
  application: z.object({ namespace: z.string(), name: z.string(), project: z.string() }),
  cluster: z.string().describe("Name of the Application's destination cluster in greenlight's inventory."),
  pair: z.string().nullable().describe('null when the destination cluster has no greenlight.io/pair.'),
  members: z.array(pairMemberSchema),
  comparisons: z.array(factsComparisonSchema),
  readiness: servedReadinessSchema.nullish().describe('The pair\'s readiness verdict; null when the cluster has no pair. Absent from services before 0.2.'),
});

export type FactDifference = z.infer<typeof factDifferenceSchema>;
export type PairMember = z.infer<typeof pairMemberSchema>;
export type FactsComparison = z.infer<typeof factsComparisonSchema>;
export type FactsResponse = z.infer<typeof factsResponseSchema>;
export type ServedReadiness = z.infer<typeof servedReadinessSchema>;
