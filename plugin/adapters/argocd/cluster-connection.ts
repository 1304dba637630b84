/**
 * @module How Argo CD reaches a cluster: the `config` JSON of an Argo CD cluster Secret
 * (pkg/apis/application/v1alpha1/types.go ClusterConfig; contract reference §7.1).
 * Credentials stay in the plugin layer: the core's `ClusterRecord` never carries them.
 */
import { z } from 'zod';
import type { EksClusterArn } from '../aws/aws-identifiers.js';

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
  /** The Argo CD cluster Secret this came from (absent for the built-in in-cluster entry). */
  readonly secret?: { readonly namespace: string; readonly name: string } | undefined;
  /**
   * Set when the Secret's `server` is an EKS cluster ARN (the EKS-managed Argo CD's form): the
   * cluster is reached at the endpoint and CA DescribeCluster names, with an EKS token made by
   * greenlight's own AWS identity. `server` is then the ARN until `KubeClientFactory.connect`
   * resolves it to the endpoint.
   */
  readonly eksArn?: EksClusterArn | undefined;
}

/** Looks up how to connect to a cluster by its Argo CD name. Implemented by the Argo CD inventory. */
export interface ClusterConnections {
  connectionFor(clusterName: string): ClusterConnection | undefined;
}

/**
 * The base URL requests go to: the server without trailing slashes. Argo CD accepts
 * `https://host/` (some tools print EKS endpoints that way); the client appends `/version`, so a
 * slash left there would ask for `//version`. Done once, where a server URL is read; the record
 * keeps the server as written for display and for Argo CD's own matching.
 */
export function apiServerUrl(server: string): string {
  return server.replace(/\/+$/, '');
}

/** Argo CD's address for the cluster it runs in (common.KubernetesInternalAPIServerAddr). */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** How greenlight reaches an EKS cluster's API: an EKS token for this cluster, made with these AWS settings. */
export interface AwsAuth {
  readonly clusterName: string;
  readonly roleArn?: string | undefined;
  readonly profile?: string | undefined;
  /** The region named by an exec provider (`--region`, `AWS_REGION`); otherwise read from the server URL. */
  readonly region?: string | undefined;
}

/**
 * The EKS authentication a cluster config asks for, in Argo CD's precedence: `awsAuthConfig` first,
 * then an `execProviderConfig` that runs `argocd-k8s-auth aws` or `aws eks get-token` (both only make
 * the same STS token, which greenlight makes in-process). Undefined when the cluster is not reached
 * through AWS IAM.
 */
export function awsAuthOf(config: ClusterConfig): AwsAuth | undefined {
  if (config.awsAuthConfig) {
    const { clusterName, roleARN, profile } = config.awsAuthConfig;
    return { clusterName, ...(roleARN ? { roleArn: roleARN } : {}), ...(profile ? { profile } : {}) };
  }
  const exec = config.execProviderConfig;
  if (!exec) return undefined;
  const command = exec.command.split('/').pop() ?? exec.command;
  const args = exec.args ?? [];
  const isArgoCdAws = command === 'argocd-k8s-auth' && args[0] === 'aws';
  const isAwsCli = command === 'aws' && args[0] === 'eks' && args[1] === 'get-token';
  if (!isArgoCdAws && !isAwsCli) return undefined;
  const clusterName = flagValue(args, '--cluster-name');
  if (!clusterName) return undefined;
  const roleArn = flagValue(args, '--role-arn');
  const profile = flagValue(args, '--profile') ?? exec.env?.['AWS_PROFILE'];
  const region = flagValue(args, '--region') ?? exec.env?.['AWS_REGION'] ?? exec.env?.['AWS_DEFAULT_REGION'];
  return {
    clusterName,
    ...(roleArn ? { roleArn } : {}),
    ...(profile ? { profile } : {}),
    ...(region ? { region } : {}),
  };
}

/**
 * The credentials greenlight would send with every request to the server, in words for a message
 * (`an EKS token (awsAuthConfig)`, `a bearerToken`, `a username and password`), or `undefined`.
 * A client certificate is not in the list: it proves itself in the TLS handshake, never over http.
 */
export function credentialsSentTo(config: ClusterConfig): string | undefined {
  if (awsAuthOf(config)) return config.awsAuthConfig ? 'an EKS token (awsAuthConfig)' : 'an EKS token (execProviderConfig)';
  if (config.bearerToken) return 'a bearerToken';
  if (config.username !== undefined || config.password !== undefined) return 'a username and password';
  return undefined;
}

/** `--flag value` or `--flag=value`. */
function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === flag) return args[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

/**
 * Argo CD uses the pod's own in-cluster config for `https://kubernetes.default.svc` unless the
 * Secret gives basic or bearer credentials (Cluster.RawRestConfig in types.go).
 */
export function usesInClusterConfig(server: string, config: ClusterConfig): boolean {
  return server === IN_CLUSTER_SERVER && !config.username && !config.password && !config.bearerToken;
}
