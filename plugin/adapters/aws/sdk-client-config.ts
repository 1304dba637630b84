/** @module How greenlight makes, keeps and points every AWS SDK client. */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { UpstreamError, type ClusterRecord } from '../../../generator/index.js';
import type { AwsCredentialsFor } from './aws-credentials.js';
import { clusterLabel } from './aws-errors.js';
import { regionFromServer } from './aws-identifiers.js';

/** The knobs `fromConfig` of an AWS adapter takes for its SDK client. */
export interface SdkClientSettings {
  /** Endpoint override (tests, VPC endpoints); without it AWS_ENDPOINT_URL_<SERVICE> and the SDK's defaults apply. */
  readonly endpoint?: string | undefined;
  /** SDK attempts per call, retries included (default 3, the SDK's). */
  readonly maxAttempts?: number | undefined;
  /** Bound on one HTTP exchange (default 10 s); a request's deadline can cut a call shorter. */
  readonly requestTimeoutMs?: number | undefined;
}

/** Client options for `new XClient({...sdkClientOptions(...)})`. */
export function sdkClientOptions<C>(region: string, credentials: C, settings: SdkClientSettings) {
  const timeout = settings.requestTimeoutMs ?? 10_000;
  return {
    region,
    credentials,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    ...(settings.maxAttempts !== undefined ? { maxAttempts: settings.maxAttempts } : {}),
    // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting.
    requestHandler: { requestTimeout: timeout, connectionTimeout: Math.min(timeout, 3_000), throwOnRequestTimeout: true },
  };
}

/** What AWS adapters build clients with: one region and one set of credentials each. */
export type SdkClientFor<C> = (region: string, credentials: AwsCredentialIdentityProvider) => C;

/**
 * The `fromConfig` client factory of an AWS adapter: `new Client({...})` with greenlight's
 * settings, then `decorateClient` (e.g. a per-call rate budget as SDK middleware).
 */
export function sdkClientFactory<C>(
  Client: new (config: ReturnType<typeof sdkClientOptions<AwsCredentialIdentityProvider>>) => C,
  settings: SdkClientSettings & { readonly decorateClient?: ((client: C) => void) | undefined },
): SdkClientFor<C> {
  return (region, credentials) => {
    const client = new Client(sdkClientOptions(region, credentials, settings));
    settings.decorateClient?.(client);
    return client;
  };
}

/** Clients per region and role: made on first use, kept for reuse, destroyed on `close()`. */
export class SdkClientCache<C extends { destroy(): void }> {
  private readonly clients = new Map<string, C>();

  constructor(
    private readonly clientFor: SdkClientFor<C>,
    private readonly credentials: AwsCredentialsFor,
  ) {}

  get(region: string, roleArn: string | undefined): C {
    const key = `${region}\u0000${roleArn ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.clientFor(region, this.credentials.credentialsFor(roleArn));
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

/**
 * A cluster's AWS region: the one its EKS endpoint names, else the adapter's fallback; throws
 * `UpstreamError` naming the cluster and `subject` (e.g. `EKS facts`) when there is neither.
 */
export function clusterRegion(cluster: ClusterRecord, fallback: string | undefined, subject: string, service: string): string {
  const region = regionFromServer(cluster.server) ?? fallback;
  if (region === undefined) {
    throw new UpstreamError(
      'GL_CLUSTER_INVALID',
      `${clusterLabel(cluster)}: ${subject} cannot tell the cluster's AWS region: its server ${cluster.server} is not an EKS endpoint (https://<id>.<zone>.<region>.eks.amazonaws.com); set greenlight's ${service} fallback region`,
    );
  }
  return region;
}
