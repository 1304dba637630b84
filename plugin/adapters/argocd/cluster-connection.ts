/**
 * @module How Argo CD reaches a cluster: the `config` JSON of an Argo CD cluster Secret
 * (pkg/apis/application/v1alpha1/types.go ClusterConfig; contract reference §7.1).
 * Credentials stay in the plugin layer: the core's `ClusterRecord` never carries them.
 */
import { z } from 'zod';

/** Base64 of PEM (Go []byte in JSON), as `tlsClientConfig.caData/certData/keyData` store it. */
const base64 = z.string().regex(/^[A-Za-z0-9+/\r\n]*={0,2}$/, 'must be base64 (of PEM data)');

export const clusterConfigSchema = z
  .object({
    username: z.string().optional(),
    password: z.string().optional(),
    bearerToken: z.string().optional(),
    tlsClientConfig: z
      .object({
        insecure: z.boolean().default(false),
        serverName: z.string().optional(),
        caData: base64.optional(),
        certData: base64.optional(),
        keyData: base64.optional(),
      })
      .loose()
      .default({ insecure: false }),
    awsAuthConfig: z
      .object({ clusterName: z.string().min(1), roleARN: z.string().optional(), profile: z.string().optional() })
      .loose()
      .optional(),
    execProviderConfig: z
      .object({
        command: z.string(),
        args: z.array(z.string()).optional(),
        env: z.record(z.string(), z.string()).optional(),
        apiVersion: z.string().optional(),
        installHint: z.string().optional(),
      })
      .loose()
      .optional(),
    disableCompression: z.boolean().optional(),
    proxyUrl: z.string().optional(),
  })
  .loose();

export type ClusterConfig = z.infer<typeof clusterConfigSchema>;

/** Everything needed to open a connection to one cluster's API, as Argo CD would. */
export interface ClusterConnection {
  readonly name: string;
  readonly server: string;
  /** True for Argo CD's in-cluster entry (https://kubernetes.default.svc): use in-cluster config. */
  readonly inCluster: boolean;
  readonly config: ClusterConfig;
}

/** Looks up how to connect to a cluster by its Argo CD name. Implemented by the Argo CD inventory. */
export interface ClusterConnections {
  connectionFor(clusterName: string): ClusterConnection | undefined;
}
