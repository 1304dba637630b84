/**
 * @module Upgrade readiness: the inputs the readiness rules take from outside (Argo CD
 * Applications with their managed resources, EKS add-on compatibility, EKS upgrade insights)
 * and the verdict they give, as the `greenlight readiness` command prints it with `--output json`
 * and as the UI reads it. Pure zod, safe for the browser.
 */
import { z } from 'zod';
import { argoApplicationSchema, argoDestinationSchema } from './ui-api.js';

const minorVersion = z.string().regex(/^\d+\.\d+$/, 'must be a Kubernetes minor version such as "1.32"');

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/**
 * One entry of an Application's `status.resources` (Argo CD `ResourceStatus`): the group,
 * version and kind Argo CD compares with, which are the ones of the manifest in Git (Argo CD
 * reads the live object in the manifest's version). Every field is optional in Argo CD's CRD.
 */
export const applicationResourceSchema = z.object({
  group: z.string().optional().describe('API group; empty or absent for the core group ("v1").'),
  version: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional().describe('Absent for cluster-scoped resources.'),
  name: z.string().optional(),
  requiresPruning: z.boolean().optional().describe('True when the resource is no longer in Git and waits to be pruned.'),
});

/**
 * The Application fields the removed-API rule reads. The Argo CD list API only returns
 * `status.resources` when it is asked for (`fields=...,items.status.resources`).
 */
export const readinessApplicationSchema = z.object({
  metadata: argoApplicationSchema.shape.metadata.pick({ name: true, namespace: true, labels: true }),
  spec: z.object({ destination: argoDestinationSchema.optional() }).nullish(),
  status: z.object({ resources: z.array(applicationResourceSchema).nullish() }).nullish(),
});

/**
 * Which add-on versions EKS supports, by add-on name, then Kubernetes minor version: EKS
 * `DescribeAddonVersions` reduced (for each `addons[]`, `addonName` → for each
 * `addonVersions[].compatibilities[].clusterVersion`, the `addonVersion`s). The adapter calls it
 * with `kubernetesVersion` set to green's minor version. An add-on present here with no versions
 * for a minor means EKS supports none on that minor; an add-on absent here is unknown.
 *
 * @example { "kube-proxy": { "1.32": ["v1.32.0-eksbuild.2", "v1.32.0-eksbuild.1"] } }
 */
export const addonCompatibilitySchema = z.record(z.string().min(1), z.record(minorVersion, z.array(z.string().min(1))));

export const INSIGHT_STATUSES = ['PASSING', 'WARNING', 'ERROR', 'UNKNOWN'] as const;

/**
 * One EKS cluster insight as `ListInsights` returns it (`insights[]`, an `InsightSummary`), with
 * the `recommendation` that `DescribeInsight` adds when the adapter asked for it. Unknown fields
 * (`additionalInfo`, `categorySpecificSummary`, timestamps) are dropped.
 */
export const eksInsightSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  category: z.string().describe('UPGRADE_READINESS or MISCONFIGURATION; only UPGRADE_READINESS is read.'),
  kubernetesVersion: z.string().optional().describe('The Kubernetes minor version the insight is about, when it has one.'),
  insightStatus: z.object({ status: z.enum(INSIGHT_STATUSES), reason: z.string().optional() }),
  description: z.string().optional(),
  recommendation: z.string().optional().describe('From DescribeInsight; absent from ListInsights.'),
});

/** The insights of a pair's clusters, each as ListInsights returns them. */
export const pairInsightsSchema = z.object({
  blue: z.array(eksInsightSchema).optional(),
  green: z.array(eksInsightSchema).optional(),
});

// ---------------------------------------------------------------------------------------------
// The verdict
// ---------------------------------------------------------------------------------------------

/**
 * What a finding is about. Stable: CI jobs, alerts and the `greenlight_readiness_findings`
 * gauge key on these.
 *
 * - `removed-api`: an Application manages a resource in an API version green's Kubernetes no longer serves.
 * - `addon-skew`: an EKS add-on on green is not supported for green's version, is older than blue's, or is missing.
 * - `ssm-missing`: an SSM parameter under blue's prefix has no counterpart under green's.
 * - `pod-identity-missing`: a Pod Identity association (namespace, service account) on blue is missing on green.
 * - `version-skew`: the pair's Kubernetes versions are in the wrong order or far apart.
 * - `eks-insight`: an EKS upgrade insight that concerns the move to green's version.
 * - `facts-missing`: a check could not run because greenlight lacks a fact group for one cluster.
 * - `drift-unmanaged`: blue has an object made outside Git that green lacks (warning).
 * - `drift-hotfix`: blue has an Argo CD-managed object changed after Argo CD's last apply (warning).
 * - `drift-stateful`: blue keeps data on an EBS volume that green cannot attach (blocker for the apps using it).
 * - `drift-coverage`: resource types of a cluster the drift audit could not list, so not audited (warning).
 */
export const FINDING_KINDS = [
  'removed-api',
  'addon-skew',
  'ssm-missing',
  'pod-identity-missing',
  'version-skew',
  'eks-insight',
  'facts-missing',
  'drift-unmanaged',
  'drift-hotfix',
  'drift-stateful',
  'drift-coverage',
] as const;
export const findingKindSchema = z.enum(FINDING_KINDS);

/** `blocker`: the next weight step must wait. `warning`: look before the step; it does not block. */
export const FINDING_SEVERITIES = ['blocker', 'warning'] as const;
export const findingSeveritySchema = z.enum(FINDING_SEVERITIES);

export const findingResourceSchema = z.object({
  group: z.string().describe('"" for the core group.'),
  version: z.string(),
  kind: z.string(),
  namespace: z.string().nullable(),
  name: z.string(),
});

/** One thing to fix (blocker) or to look at (warning) before the next weight step. */
export const findingSchema = z.object({
  kind: findingKindSchema,
  severity: findingSeveritySchema,
  subject: z
    .string()
    .describe(
      'What the finding is about, stable for keys and tests: "argocd/reports-prod-eu-blue: batch/v1beta1 CronJob reports/nightly", "addon:kube-proxy", "ssm:payments/stripe-api-key", "podidentity:payments/payments-api", "kubernetes.minor", "insight:prod-eu-blue/<id>", "facts:prod-eu-green:ssm".',
    ),
  message: z.string().describe('For an operator: what, where, and what to do.'),
  cluster: z.string().nullable().describe('The cluster where the fix is made, when one is.'),
  app: z.object({ namespace: z.string(), name: z.string() }).nullable().describe('The Application concerned (removed-api).'),
  resource: findingResourceSchema.nullable().describe('The managed resource concerned (removed-api).'),
  workload: z
    .object({ namespace: z.string(), serviceAccount: z.string().nullable() })
    .nullable()
    .describe(
      'The workloads concerned, where the finding is about some (ssm-missing: the namespace that the key\'s first segment names; pod-identity-missing: the namespace and service account). Null: the whole pair.',
    ),
  reference: z.string().nullable().describe('Where the rule comes from (a URL), when there is one place.'),
});

/**
 * The checks, in the order they run and report: `version-skew`, `removed-apis` (Applications'
 * resources), `addons` (green against blue), `addon-support` (green against EKS's supported
 * versions), `ssm`, `pod-identity`, `eks-insights`, `drift` (what blue runs that Git does not).
 */
export const READINESS_CHECKS = ['version-skew', 'removed-apis', 'addons', 'addon-support', 'ssm', 'pod-identity', 'eks-insights', 'drift'] as const;
export const readinessCheckNameSchema = z.enum(READINESS_CHECKS);

/** How one check ended: found nothing, found only warnings, found blockers, or could not run for want of input. */
export const CHECK_OUTCOMES = ['ok', 'warnings', 'blockers', 'skipped'] as const;

export const readinessCheckSchema = z.object({
  check: readinessCheckNameSchema,
  outcome: z.enum(CHECK_OUTCOMES),
  detail: z.string().describe('What was compared, or why the check was skipped.'),
});

/**
 * The readiness of one blue/green pair for the next weight step: `ready` when no check found a
 * blocker. Warnings never block. A check skipped because its optional input was not supplied
 * (add-on compatibility, insights, Applications) does not block either; a check that could not
 * run because a cluster's facts lack what the other cluster has does (a `facts-missing` blocker).
 */
export const readinessVerdictSchema = z.object({
  pair: z.string(),
  blue: z.string().describe('Name of the blue cluster (serving now).'),
  green: z.string().describe('Name of the green cluster (the replacement).'),
  blueVersion: z.string().nullable().describe('Kubernetes minor version of blue, "1.31"; null when unknown.'),
  greenVersion: z.string().nullable(),
  ready: z.boolean(),
  blockers: z.array(findingSchema),
  warnings: z.array(findingSchema),
  checks: z.array(readinessCheckSchema),
});

/** Several pairs at once (the fleet page; `greenlight readiness` without `--pair`). */
export const readinessReportSchema = z.object({
  verdicts: z.array(readinessVerdictSchema),
});

/** Exit codes of `greenlight readiness` that a CI job gates on. */
export const READINESS_EXIT_CODES = {
  /** Every checked pair is ready for the next weight step (warnings may remain). */
  ready: 0,
  /** The readiness could not be evaluated (facts or Argo CD unreachable, bad arguments). */
  error: 1,
  /** At least one pair has blockers. */
  blockers: 2,
} as const;

export type ApplicationResource = z.infer<typeof applicationResourceSchema>;
export type ReadinessApplication = z.infer<typeof readinessApplicationSchema>;
export type AddonCompatibility = z.infer<typeof addonCompatibilitySchema>;
export type EksInsight = z.infer<typeof eksInsightSchema>;
export type PairInsights = z.infer<typeof pairInsightsSchema>;
export type FindingKind = z.infer<typeof findingKindSchema>;
export type FindingSeverity = z.infer<typeof findingSeveritySchema>;
export type FindingResource = z.infer<typeof findingResourceSchema>;
export type Finding = z.infer<typeof findingSchema>;
export type ReadinessCheckName = z.infer<typeof readinessCheckNameSchema>;
export type ReadinessCheck = z.infer<typeof readinessCheckSchema>;
export type ReadinessVerdict = z.infer<typeof readinessVerdictSchema>;
export type ReadinessReport = z.infer<typeof readinessReportSchema>;
