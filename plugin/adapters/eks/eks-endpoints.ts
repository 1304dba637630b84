/**
 * @module Where an EKS cluster's API server is, as EKS says (DescribeCluster `endpoint` and
 * `certificateAuthority.data`): the Kubernetes adapters send a cluster's EKS token only there.
 * One answer per cluster and role is kept for `ttlMs`; failures are not kept.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { z } from 'zod';
import type { AwsAuth } from '../argocd/cluster-connection.js';
import { sdkClientFactory, SdkClientCache, type SdkClientFor, type SdkClientSettings } from '../aws/sdk-client-config.js';
import type { AwsCredentialSource, EksEndpoint, EksEndpointSource } from '../kubernetes/kube-client-factory.js';

const describeClusterAnswer = z.object({
  cluster: z.object({
    arn: z.string().optional(),
    endpoint: z.string().min(1, 'has no endpoint (is the cluster still being created?)'),
    certificateAuthority: z.object({ data: z.string().optional() }).optional(),
  }),
});

export interface EksEndpointsConfig extends SdkClientSettings {
  readonly credentials: AwsCredentialSource;
  /** Called with every client made, e.g. to add the EKS rate budget. */
  readonly decorateClient?: ((client: EKSClient) => void) | undefined;
  /** How long an answer is reused (default 10 minutes). */
  readonly ttlMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

/** `EksEndpointSource` over the real EKS API. */
export class EksEndpoints implements EksEndpointSource {
  private readonly clients: SdkClientCache<EKSClient>;
  private readonly known = new Map<string, { readonly at: number; readonly value: EksEndpoint }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(config: Omit<EksEndpointsConfig, keyof SdkClientSettings | 'decorateClient'>, clientFor: SdkClientFor<EKSClient>) {
    this.clients = new SdkClientCache(clientFor, { credentialsFor: (roleArn) => config.credentials.credentialsFor(roleArn), accountIdFor: () => Promise.reject(new Error('not used')) });
    this.ttlMs = config.ttlMs ?? 10 * 60_000;
    this.now = config.now ?? Date.now;
  }

  static fromConfig(config: EksEndpointsConfig): EksEndpoints {
    const { endpoint, maxAttempts, requestTimeoutMs, decorateClient, ...rest } = config;
    return new EksEndpoints(rest, sdkClientFactory(EKSClient, { endpoint, maxAttempts, requestTimeoutMs, decorateClient }));
  }

  async endpointOf(aws: AwsAuth & { readonly region: string }, signal: AbortSignal): Promise<EksEndpoint> {
    const key = JSON.stringify([aws.region, aws.roleArn ?? '', aws.clusterName]);
    const cached = this.known.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.value;
    const answer = await this.clients.get(aws.region, aws.roleArn).send(new DescribeClusterCommand({ name: aws.clusterName }), { abortSignal: signal });
    const parsed = describeClusterAnswer.safeParse(answer);
    if (!parsed.success) throw new Error(`the DescribeCluster answer ${parsed.error.issues[0]?.message ?? 'is not usable'}`);
    const value: EksEndpoint = { endpoint: parsed.data.cluster.endpoint, caData: parsed.data.cluster.certificateAuthority?.data, arn: parsed.data.cluster.arn };
    this.known.set(key, { at: this.now(), value });
    return value;
  }

  close(): void {
    this.clients.close();
  }
}
