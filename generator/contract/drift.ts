/**
 * @module The drift audit: what blue runs that Git does not. The shape of a finding (unmanaged
 * object, hotfix, EBS-bound data) and of one pair's report, as `greenlight drift -o json` prints
 * it and the UI reads it. Pure zod, safe for the browser.
 */
import { z } from 'zod';

/**
 * - `unmanaged`: a client tool (kubectl, helm, k9s, Lens…) wrote it and no Argo CD Application tracks it.
 * - `hotfix`: an Argo CD-managed object a client tool changed after Argo CD's last apply.
 * - `stateful`: a PersistentVolumeClaim bound to an EBS volume: single-AZ, attached to one node, so
 *   green cannot share it and the data has to be migrated.
 */
export const DRIFT_CLASSES = ['unmanaged', 'hotfix', 'stateful'] as const;
export const driftClassSchema = z.enum(DRIFT_CLASSES);

/**
 * How every scanned object is classified. `managed`: tracked by an Argo CD Application;
 * `owned`: it has ownerReferences (a controller made it); `cluster`: made by Kubernetes, EKS or
 * a controller (no client tool wrote it); `unmanaged`: the rest.
 */
export const OBJECT_CLASSES = ['managed', 'owned', 'cluster', 'unmanaged'] as const;
export const objectClassSchema = z.enum(OBJECT_CLASSES);

/** Argo CD's `application.resourceTrackingMethod` (argocd-cm). */
export const TRACKING_METHODS = ['annotation', 'label', 'annotation+label'] as const;
export const trackingMethodSchema = z.enum(TRACKING_METHODS);

/** One entry of an object's `metadata.managedFields`, without the fields themselves. */
export const managerEntrySchema = z.object({
  manager: z.string().describe('The field manager: "kubectl-edit", "argocd-controller", "kube-controller-manager"…'),
  operation: z.string().describe('"Apply" or "Update".'),
  time: z.string().nullable().describe('When it last wrote (RFC 3339), when the server recorded it.'),
  subresource: z.string().nullable().describe('"status", "scale"…; null for the object itself.'),
});

/** The EBS volume behind a claim, and who uses it. */
export const driftVolumeSchema = z.object({
  claim: z.string().describe('namespace/name of the PersistentVolumeClaim.'),
  volumeName: z.string().describe('The PersistentVolume.'),
  driver: z.string().describe('"ebs.csi.aws.com" or "kubernetes.io/aws-ebs" (in-tree awsElasticBlockStore).'),
  volumeId: z.string().nullable().describe('The EBS volume id (vol-…), when the volume names it.'),
  size: z.string().nullable().describe('Capacity, as Kubernetes writes it ("50Gi").'),
  zone: z.string().nullable().describe('The availability zone the volume lives in.'),
  storageClass: z.string().nullable(),
  workloads: z.array(z.string()).describe('"StatefulSet/postgres", "Deployment/reports": the workloads whose pods mount the claim.'),
  apps: z.array(z.string()).describe('The Argo CD Applications tracking those workloads (or the claim).'),
});

/** One thing blue has that green will not have after cutover. */
export const driftFindingSchema = z.object({
  cluster: z.string().describe('Where it was found (blue).'),
  group: z.string().describe('"" for the core group.'),
  version: z.string(),
  kind: z.string(),
  resource: z.string().describe('The plural resource name: "cronjobs".'),
  namespace: z.string().nullable().describe('Null for cluster-scoped objects.'),
  name: z.string(),
  class: driftClassSchema,
  createdAt: z.string().nullable().describe('metadata.creationTimestamp.'),
  managers: z.array(managerEntrySchema).describe('Who made it and who changed it, with times.'),
  missingOnGreen: z
    .boolean()
    .describe(
      'unmanaged: green has no object of this kind, namespace and name. hotfix: green\'s copy carries no client-tool change. stateful: always true (the data is on blue\'s volume).',
    ),
  app: z.string().nullable().describe('The Argo CD Application tracking it (hotfix) or using it (stateful).'),
  fields: z.array(z.string()).describe('hotfix: the fields the client tool wrote ("spec.replicas", "data.LOG_LEVEL").'),
  volume: driftVolumeSchema.nullable().describe('stateful only.'),
  accepted: z.boolean().describe('A team signed it off (annotation greenlight.io/drift: ignore, or the configured list).'),
  acceptedBy: z.enum(['annotation', 'config']).nullable(),
});

/** A resource type that was not scanned, and why. Coverage gaps are reported, never hidden. */
export const coverageGapSchema = z.object({
  cluster: z.string(),
  resource: z.string().describe('"secrets", "widgets.example.com", or a group/version whose discovery failed.'),
  reason: z.enum(['forbidden', 'unavailable']),
  detail: z.string().describe('What the API server said, for an operator.'),
});

/** What was scanned on one cluster. */
export const clusterScanSummarySchema = z.object({
  cluster: z.string(),
  objects: z.number().int().nonnegative(),
  resourceTypes: z.number().int().nonnegative(),
  scannedAt: z.string().describe('When the scan finished (RFC 3339); a cached scan keeps its time.'),
  classes: z.record(objectClassSchema, z.number().int().nonnegative()).describe('How many objects fell in each class.'),
});

/** One pair's drift audit. */
export const driftReportSchema = z.object({
  pair: z.string(),
  blue: z.string(),
  green: z.string(),
  trackingMethod: trackingMethodSchema,
  findings: z.array(driftFindingSchema),
  gaps: z.array(coverageGapSchema),
  scans: z.array(clusterScanSummarySchema),
});

/** Exit codes of `greenlight drift`. */
export const DRIFT_EXIT_CODES = {
  /** Blue has nothing green lacks (findings green also has, or that are accepted, may remain). */
  clean: 0,
  /** The audit could not be evaluated (a cluster unreachable, bad arguments). */
  error: 1,
  /** Blue has something green lacks. */
  drift: 2,
} as const;

export type DriftClass = z.infer<typeof driftClassSchema>;
export type ObjectClass = z.infer<typeof objectClassSchema>;
export type TrackingMethod = z.infer<typeof trackingMethodSchema>;
export type ManagerEntry = z.infer<typeof managerEntrySchema>;
export type DriftVolume = z.infer<typeof driftVolumeSchema>;
export type DriftFinding = z.infer<typeof driftFindingSchema>;
export type CoverageGap = z.infer<typeof coverageGapSchema>;
export type ClusterScanSummary = z.infer<typeof clusterScanSummarySchema>;
export type DriftReport = z.infer<typeof driftReportSchema>;
