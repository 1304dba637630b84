/**
 * @module What the UI extension reads: the subset of Argo CD's own API it relies on
 * (Applications, clusters, ApplicationSets) and the answer of greenlight's `GET /api/v1/facts`.
 * Pure zod, safe for the browser. Argo CD's Go structs omit empty fields and send `null` for
 * empty lists, so everything optional is `nullish`.
 */
import { z } from 'zod';


const stringMap = z.record(z.string(), z.string());

export const argoSourceSchema = z.object({
  repoURL: z.string().optional(),
  path: z.string().optional(),
  chart: z.string().optional(),
  targetRevision: z.string().optional(),
});

export const argoDestinationSchema = z.object({
  server: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
});

/**
 * One entry of an Application's `status.resources` (Argo CD `ResourceStatus`), the fields
 * readiness reads: group, version and kind as in the manifest, where it lives, and whether it
 * waits to be pruned. The same shape as `applicationResourceSchema` in `readiness.ts`, which
 * cannot be imported here (it imports this module).
 */
export const argoResourceStatusSchema = z.object({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  requiresPruning: z.boolean().optional(),
});

const revisionsSchema = z.object({
  revision: z.string().optional(),
  revisions: z.array(z.string()).nullish(),
});

/** An Argo CD Application as the list API or the extension host gives it (only what greenlight reads). */
export const argoApplicationSchema = z.object({
  metadata: z.object({
    name: z.string().min(1),
    namespace: z.string().optional(),
    labels: stringMap.nullish(),
    ownerReferences: z.array(z.object({ kind: z.string(), name: z.string() })).nullish(),
  }),
  spec: z
    .object({
      project: z.string().optional(),
      source: argoSourceSchema.nullish(),
      sources: z.array(argoSourceSchema).nullish(),
      destination: argoDestinationSchema.optional(),
    })
    .optional(),
  status: z
    .object({
      sync: revisionsSchema.extend({ status: z.string().optional() }).optional(),
      health: z.object({ status: z.string().optional(), message: z.string().optional() }).optional(),
      summary: z.object({ images: z.array(z.string()).nullish() }).nullish(),
      operationState: z
        .object({
          phase: z.string().optional(),
          message: z.string().optional(),
          startedAt: z.string().nullish(),
          finishedAt: z.string().nullish(),
          /** With `fields`, Argo CD puts the sync RESULT here (revision that was synced). */
          operation: z.object({ sync: revisionsSchema.nullish() }).nullish(),
          syncResult: revisionsSchema.nullish(),
        })
        .nullish(),
      resources: z.array(argoResourceStatusSchema).nullish(),
    })
    .optional(),
});

export const applicationListSchema = z.object({ items: z.array(argoApplicationSchema).nullish() });

/** An Argo CD cluster from `GET /api/v1/clusters`: labels and annotations carry the blue/green keys. */
export const argoClusterSchema = z.object({
  server: z.string(),
  name: z.string().optional(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
  connectionState: z.object({ status: z.string().optional(), message: z.string().optional() }).optional(),
  /**
   * What Argo CD last read of the cluster: `serverVersion` is the API server's major.minor
   * ("1.32", EKS: "1.32+"), absent until Argo CD has connected. The top-level `serverVersion`
   * is its deprecated copy, kept by Argo CD for older clients.
   */
  info: z.object({ serverVersion: z.string().optional() }).nullish(),
  serverVersion: z.string().optional(),
});

export const clusterListSchema = z.object({ items: z.array(argoClusterSchema).nullish() });

/** The fields of `GET /api/v1/applicationsets` greenlight asks for: which Applications each generated. */
export const APPLICATIONSET_LIST_FIELDS = ['items.metadata.name', 'items.metadata.namespace', 'items.status.resources'] as const;

export const argoApplicationSetSchema = z.object({
  metadata: z.object({ name: z.string().min(1), namespace: z.string().optional() }),
  status: z
    .object({
      resources: z.array(z.object({ kind: z.string().optional(), name: z.string(), namespace: z.string().optional() })).nullish(),
    })
    .nullish(),
});

export const applicationSetListSchema = z.object({ items: z.array(argoApplicationSetSchema).nullish() });

export type ArgoSource = z.infer<typeof argoSourceSchema>;
export type ArgoResourceStatus = z.infer<typeof argoResourceStatusSchema>;
export type ArgoApplication = z.infer<typeof argoApplicationSchema>;
export type ArgoCluster = z.infer<typeof argoClusterSchema>;
export type ArgoApplicationSet = z.infer<typeof argoApplicationSetSchema>;

// ---------------------------------------------------------------------------------------------
// greenlight's facts endpoint (called by the UI through Argo CD's proxy extension)
// ---------------------------------------------------------------------------------------------

/** The name of the proxy extension in Argo CD's `extension.config` and in the UI's URLs. */
export const PROXY_EXTENSION_NAME = 'greenlight';
/** The path of the facts endpoint on greenlight (Argo CD strips `/extensions/greenlight`). */
export const FACTS_PATH = '/api/v1/facts';
/** The header carrying the shared secret that Argo CD's proxy configuration adds for greenlight. */
export const PROXY_SECRET_HEADER = 'Greenlight-Proxy-Secret';
