/**
 * @module The facts greenlight knows about one cluster, by source. Shared by the service (fleet
 * file, adapters, `/api/v1/facts`) and the UI (the blue/green facts diff).
 */
import { z } from 'zod';

const arn = z.string().regex(/^arn:aws[a-z-]*:/, 'must be an ARN (arn:aws:...)');

/** What EKS `DescribeCluster` says about the cluster. */
export const eksFactsSchema = z.object({
  accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  region: z.string().min(1),
  clusterName: z.string().min(1),
  clusterArn: arn,
  version: z.string().regex(/^\d+\.\d+$/, 'must be a Kubernetes minor version such as "1.31"').describe('EKS control-plane version.'),
  platformVersion: z.string().optional(),
  endpoint: z.url().optional(),
  vpcId: z.string().optional(),
  oidcIssuer: z.url().optional().describe('identity.oidc.issuer: what IRSA trust policies name.'),
  oidcProviderArn: arn.optional(),
  authenticationMode: z.string().optional(),
  status: z.string().optional(),
  tags: z.record(z.string(), z.string()).default({}),
});

export const podIdentityAssociationSchema = z.object({
  namespace: z.string().min(1),
  serviceAccount: z.string().min(1),
  roleArn: arn,
  associationId: z.string().optional(),
});

export const addonSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  status: z.string().optional(),
});

/** What the cluster's own API says. */
export const kubernetesFactsSchema = z.object({
  gitVersion: z.string().min(1).describe('/version gitVersion, e.g. v1.31.4-eks-2d5f260'),
  major: z.string().regex(/^\d+$/),
  // EKS and GKE answer minor versions such as "31+"; readers strip the "+".
  minor: z.string().regex(/^\d+\+?$/, 'must be a number, optionally followed by "+" as EKS reports it'),
  storageClasses: z
    .array(z.object({ name: z.string().min(1), provisioner: z.string().min(1), default: z.boolean().default(false) }))
    .default([]),
  ingressClasses: z
    .array(z.object({ name: z.string().min(1), controller: z.string().min(1), default: z.boolean().default(false) }))
    .default([]),
  apiVersions: z.array(z.string()).default([]).describe('Served group/versions, e.g. "apps/v1".'),
});

/** SSM Parameter Store: parameter NAMES under the cluster's prefix. Never values. */
export const secretPathsSchema = z.object({
  prefix: z.string().regex(/^\/.*\/$/, 'must start and end with "/"'),
  names: z.array(z.string().min(1)).default([]),
});

/** Every fact greenlight may know about a cluster; each group is absent when its source is not used. */
export const clusterFactsSchema = z.object({
  eks: eksFactsSchema.optional(),
  podIdentity: z.array(podIdentityAssociationSchema).optional(),
  addons: z.array(addonSchema).optional(),
  kubernetes: kubernetesFactsSchema.optional(),
  secrets: secretPathsSchema.optional(),
});

export const FACT_SOURCES = ['fleet', 'eks', 'kubernetes', 'ssm'] as const;
export const factSourceSchema = z.enum(FACT_SOURCES);
export type FactSourceName = z.infer<typeof factSourceSchema>;

/** When and from where facts were read. */
export const factsOriginSchema = z.object({
  source: factSourceSchema,
  fetchedAt: z.iso.datetime(),
  stale: z.boolean().describe('True when the source failed and last-known-good facts are served.'),
});

export type EksFacts = z.infer<typeof eksFactsSchema>;
export type PodIdentityAssociation = z.infer<typeof podIdentityAssociationSchema>;
export type Addon = z.infer<typeof addonSchema>;
export type KubernetesFacts = z.infer<typeof kubernetesFactsSchema>;
export type SecretPaths = z.infer<typeof secretPathsSchema>;
export type ClusterFacts = z.infer<typeof clusterFactsSchema>;
export type FactsOrigin = z.infer<typeof factsOriginSchema>;
