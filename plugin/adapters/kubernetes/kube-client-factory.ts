/**
 * @module API clients for a cluster, built from its Argo CD connection the way Argo CD connects
 * (Cluster.RawRestConfig): in-cluster config, EKS tokens for `awsAuthConfig`, else bearer token,
 * basic auth and client certificates, with `tlsClientConfig` for the server's certificate.
 * One set of clients per cluster, rebuilt when its connection changes.
 */
import { createHash } from 'node:crypto';
import {
  ApisApi,
  AppsV1Api,
  CoreApi,
  KubeConfig,
  NetworkingV1Api,
  StorageV1Api,
  VersionApi,
  type Cluster,
  type User,
} from '@kubernetes/client-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { GreenlightError, UpstreamError } from '../../../generator/index.js';
import { apiServerUrl, awsAuthOf, credentialsSentTo, type AwsAuth, type ClusterConnection } from '../argocd/cluster-connection.js';
import { regionFromServer } from '../aws/aws-identifiers.js';
import { quoteUpstream } from '../upstream-text.js';
import { EksTokenSource } from './eks-token.js';

/** How greenlight authenticates to a cluster; messages use it to say what to fix. */
export type KubeAuth =
  | { readonly kind: 'in-cluster' }
  | {
      readonly kind: 'eks';
      readonly aws: AwsAuth & { readonly region: string };
      /** The EKS cluster ARN, when the Secret registers the cluster by ARN (EKS-managed Argo CD). */
      readonly arn?: string | undefined;
    }
  | { readonly kind: 'bearer-token' }
  | { readonly kind: 'basic' }
  | { readonly kind: 'client-certificate' }
  | { readonly kind: 'anonymous' };

/** The API clients greenlight uses on one cluster. */
export interface KubeClients {
  readonly connection: ClusterConnection;
  readonly auth: KubeAuth;
  readonly version: VersionApi;
  readonly core: CoreApi;
  readonly apis: ApisApi;
  readonly storage: StorageV1Api;
  readonly networking: NetworkingV1Api;
  /** Deployments (the gate reads ExternalDNS's). */
  readonly apps: AppsV1Api;
  /** For requests the generated clients cannot make (the drift scan's metadata-only lists). */
  readonly kubeConfig: KubeConfig;
}

/**
 * AWS credentials to sign EKS tokens with, for a cluster's `awsAuthConfig`: the role's when
 * `roleArn` is set, greenlight's own otherwise. `AwsCredentials` (adapters/aws) fits.
 * `awsAuthConfig.profile` is not used: greenlight has no shared credentials files.
 */
export interface AwsCredentialSource {
  credentialsFor(roleArn?: string): AwsCredentialIdentityProvider;
}

/** Where EKS says a cluster's API server is: DescribeCluster's `endpoint` and `certificateAuthority.data`. */
export interface EksEndpoint {
  readonly endpoint: string;
  /** base64 of the cluster CA's PEM. */
  readonly caData: string | undefined;
  /** The cluster's ARN, when EKS gave it: checked against a Secret that names the cluster by ARN. */
  readonly arn?: string | undefined;
}

/**
 * Looks up an EKS cluster's endpoint (DescribeCluster, as `aws.roleArn` or greenlight's own
 * identity), so that its EKS token goes only there. `EksEndpoints` (adapters/eks) fits; rejects
 * with the AWS error.
 */
export interface EksEndpointSource {
  endpointOf(aws: AwsAuth & { readonly region: string }, signal: AbortSignal): Promise<EksEndpoint>;
}

export interface KubeClientFactoryOptions {
  /** Needed for clusters registered with `awsAuthConfig`; without it they fail with a clear message. */
  readonly awsCredentials?: AwsCredentialSource | undefined;
  /** Needed with `awsCredentials`: an EKS token goes only to the endpoint EKS names for its cluster. */
  readonly eksEndpoints?: EksEndpointSource | undefined;
  /** Region for EKS clusters whose server URL does not name one (private DNS, proxies). */
  readonly defaultRegion?: string | undefined;
  /** STS endpoint override for EKS tokens (like AWS_ENDPOINT_URL_STS). */
  readonly stsEndpoint?: string | undefined;
  /** The pod's own config, for Argo CD's in-cluster entry. Default: `KubeConfig.loadFromCluster()`. */
  readonly inClusterKubeConfig?: (() => KubeConfig) | undefined;
  readonly now?: (() => number) | undefined;
  /** Age at which an EKS token is replaced. Default 10 minutes. */
  readonly eksTokenRefreshAfterMs?: number | undefined;
}

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

/** How long a checked EKS token destination is trusted before DescribeCluster is asked again. */
const DESTINATION_RECHECK_MS = 10 * 60_000;

/** The auth-provider name that routes a kubeconfig user to greenlight's EKS token authenticator. */
const EKS_AUTH_PROVIDER = 'greenlight-eks-token';

/** Builds and caches `KubeClients` per cluster. */
export class KubeClientFactory {
  private readonly cache = new Map<string, { readonly fingerprint: string; readonly clients: KubeClients }>();

  constructor(private readonly options: KubeClientFactoryOptions = {}) {}

  /**
   * The clients for any connection, an EKS cluster ARN included: an ARN is first resolved to the
   * endpoint and CA that DescribeCluster names (`resolve`). Rejects with `UpstreamError`.
   */
  async connect(connection: ClusterConnection, signal: AbortSignal): Promise<KubeClients> {
    return this.clientsFor(await this.resolve(connection, signal));
  }

  /**
   * A connection by ARN as a connection by URL: the endpoint and CA from DescribeCluster (read
   * with greenlight's own AWS identity in the ARN's region), an EKS token for the ARN's cluster
   * name, TLS verified against that CA. Other connections are returned as they are.
   */
  async resolve(connection: ClusterConnection, signal: AbortSignal): Promise<ClusterConnection> {
    const arn = connection.eksArn;
    if (arn === undefined || connection.server !== arn.arn) return connection;
    const where = `cluster "${connection.name}" (${arn.arn})`;
    const endpoints = this.options.eksEndpoints;
    if (!endpoints || !this.options.awsCredentials) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `${where} is registered by its EKS cluster ARN, but greenlight has no AWS credentials configured to look up its endpoint (DescribeCluster) and make EKS tokens: run greenlight with AWS credentials (IRSA, Pod Identity or AWS_PROFILE)`,
      );
    }
    let described: EksEndpoint;
    try {
      described = await endpoints.endpointOf({ clusterName: arn.name, region: arn.region }, signal);
    } catch (err) {
      if (err instanceof GreenlightError) throw err;
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `greenlight could not look up the endpoint of ${where} (EKS DescribeCluster of "${arn.name}" in ${arn.region}, greenlight's own AWS identity): ` +
          `${quoteUpstream(err instanceof Error ? `${err.name}: ${err.message}` : String(err))}. Allow eks:DescribeCluster on ${arn.arn} to the identity greenlight runs as` +
          " (greenlight reads an ARN-registered cluster in its own account: the ARN's account must be the one its AWS identity is in).",
        { cause: err },
      );
    }
    if (described.arn !== undefined && described.arn !== arn.arn) {
      throw new UpstreamError(
        'GL_CLUSTER_INVALID',
        `${where}: EKS DescribeCluster of "${arn.name}" in ${arn.region} with greenlight's own AWS identity answers for ${described.arn}, another cluster: ` +
          `greenlight reads ARN-registered clusters with its own identity, so run it in account ${arn.accountId} (or register the cluster by its https:// endpoint with awsAuthConfig.roleARN)`,
      );
    }
    if (described.caData === undefined || described.caData === '') {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `EKS DescribeCluster of ${where} gave no certificate authority, so greenlight cannot verify its API server ${described.endpoint} and sends it no EKS token: is the cluster still being created?`,
      );
    }
    return {
      ...connection,
      server: apiServerUrl(described.endpoint),
      config: { tlsClientConfig: { insecure: false, caData: described.caData }, awsAuthConfig: { clusterName: arn.name } },
    };
  }

  /**
   * The clients for a connection; the same object while the connection is unchanged.
   * Throws `UpstreamError` when the connection uses something greenlight cannot do, or names its
   * cluster by ARN (use `connect`).
   */
  clientsFor(connection: ClusterConnection): KubeClients {
    if (connection.eksArn !== undefined && connection.server === connection.eksArn.arn) {
      throw new UpstreamError('GL_CLUSTER_INVALID', `cluster "${connection.name}" is registered by its EKS cluster ARN ${connection.server}, which must be resolved to its endpoint first`);
    }
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([connection.server, connection.inCluster, connection.config]))
      .digest('hex');
    const cached = this.cache.get(connection.name);
    if (cached && cached.fingerprint === fingerprint) return cached.clients;
    const clients = this.build(connection);
    this.cache.set(connection.name, { fingerprint, clients });
    return clients;
  }

  /** Forgets clusters that are no longer registered. */
  retain(clusterNames: Iterable<string>): void {
    const keep = new Set(clusterNames);
    for (const name of this.cache.keys()) if (!keep.has(name)) this.cache.delete(name);
  }

  private build(connection: ClusterConnection): KubeClients {
    const { kubeConfig, auth } = this.kubeConfigFor(connection);
    return {
      connection,
      auth,
      version: kubeConfig.makeApiClient(VersionApi),
      core: kubeConfig.makeApiClient(CoreApi),
      apis: kubeConfig.makeApiClient(ApisApi),
      storage: kubeConfig.makeApiClient(StorageV1Api),
      networking: kubeConfig.makeApiClient(NetworkingV1Api),
      apps: kubeConfig.makeApiClient(AppsV1Api),
      kubeConfig,
    };
  }

  private kubeConfigFor(connection: ClusterConnection): { kubeConfig: KubeConfig; auth: KubeAuth } {
    if (connection.inCluster) {
      const load =
        this.options.inClusterKubeConfig ??
        (() => {
          const kc = new KubeConfig();
          kc.loadFromCluster();
          return kc;
        });
      return { kubeConfig: load(), auth: { kind: 'in-cluster' } };
    }
    const { config, server, name } = connection;
    const tls = config.tlsClientConfig;
    const sent = credentialsSentTo(config);
    if (sent !== undefined && server.startsWith('http://')) {
      throw new UpstreamError(
        'GL_CLUSTER_INVALID',
        `cluster "${name}" is registered with plain http:// server ${server} and ${sent}, which greenlight never sends unencrypted: ` +
          "set the server to the cluster's https:// endpoint (with tlsClientConfig.caData for its CA)",
      );
    }
    const cluster: Cluster = {
      name,
      server,
      skipTLSVerify: tls.insecure,
      ...(tls.caData ? { caData: tls.caData } : {}),
      ...(tls.serverName ? { tlsServerName: tls.serverName } : {}),
      ...(config.proxyUrl ? { proxyUrl: config.proxyUrl } : {}),
    };
    // certData/keyData are base64 of PEM in both Argo CD and kubeconfig: they pass through as they are.
    const certificate = tls.certData && tls.keyData ? { certData: tls.certData, keyData: tls.keyData } : {};
    const kubeConfig = new KubeConfig();

    // Argo CD's precedence: awsAuthConfig, then execProviderConfig, then basic/bearer.
    // A cluster resolved from its ARN: the ARN's region, whatever the endpoint's host says.
    const byArn = connection.eksArn;
    const aws = byArn ? { clusterName: byArn.name, region: byArn.region } : awsAuthOf(config);
    if (aws) {
      const eks = this.eksAuth(connection, aws);
      kubeConfig.addAuthenticator(eks.authenticator);
      kubeConfig.loadFromClusterAndUser(cluster, { name: 'greenlight', authProvider: { name: EKS_AUTH_PROVIDER, config: {} }, ...certificate });
      return { kubeConfig, auth: { kind: 'eks', aws: eks.aws, ...(byArn ? { arn: byArn.arn } : {}) } };
    }
    if (config.execProviderConfig) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `cluster "${name}" is reached through an exec credential plugin ("${config.execProviderConfig.command}"), which greenlight does not run, ` +
          `so it cannot read kubernetes API ${server}: register the cluster with awsAuthConfig (EKS) or a bearerToken`,
      );
    }
    const user: User = {
      name: 'greenlight',
      ...(config.bearerToken ? { token: config.bearerToken } : {}),
      ...(config.username !== undefined && config.password !== undefined ? { username: config.username, password: config.password } : {}),
      ...certificate,
    };
    kubeConfig.loadFromClusterAndUser(cluster, user);
    const auth: KubeAuth = config.bearerToken
      ? { kind: 'bearer-token' }
      : config.username !== undefined
        ? { kind: 'basic' }
        : tls.certData
          ? { kind: 'client-certificate' }
          : { kind: 'anonymous' };
    return { kubeConfig, auth };
  }

  private eksAuth(connection: ClusterConnection, aws: AwsAuth): { authenticator: Authenticator; aws: AwsAuth & { region: string } } {
    const region = aws.region ?? regionFromServer(connection.server) ?? this.options.defaultRegion;
    if (region === undefined) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `cannot tell the AWS region of EKS cluster "${aws.clusterName}" (Argo CD cluster "${connection.name}"): its server ${connection.server} is not an EKS endpoint; configure greenlight's default AWS region`,
      );
    }
    const withRegion = { ...aws, region };
    const source = this.options.awsCredentials;
    if (!source) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `cluster "${connection.name}" is registered with awsAuthConfig, but greenlight has no AWS credentials configured to make EKS tokens for kubernetes API ${connection.server}`,
      );
    }
    const endpoints = this.options.eksEndpoints;
    if (!endpoints) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `cluster "${connection.name}" is registered with awsAuthConfig, but greenlight cannot look up EKS cluster "${aws.clusterName}"'s endpoint, so it sends no EKS token to kubernetes API ${connection.server}`,
      );
    }
    const tokens = new EksTokenSource({
      clusterName: aws.clusterName,
      region,
      credentials: source.credentialsFor(aws.roleArn),
      stsEndpoint: this.options.stsEndpoint,
      ...(this.options.now ? { now: this.options.now } : {}),
      ...(this.options.eksTokenRefreshAfterMs !== undefined ? { refreshAfterMs: this.options.eksTokenRefreshAfterMs } : {}),
    });
    const who = aws.roleArn ? `role ${aws.roleArn}` : "greenlight's own AWS identity";
    // The token goes only to this cluster's API server: checked once for the reads that start
    // together, again after a failure, and again every DESTINATION_RECHECK_MS (a cluster re-created
    // under the same name has another endpoint and CA).
    const now = this.options.now ?? Date.now;
    let destination: { readonly checked: Promise<void>; readonly at: number } | undefined;
    const checkDestination = () => {
      if (destination === undefined || now() - destination.at > DESTINATION_RECHECK_MS) {
        const checked = verifyEksDestination(connection, withRegion, endpoints, who).catch((err: unknown) => {
          if (destination?.checked === checked) destination = undefined;
          throw err;
        });
        destination = { checked, at: now() };
      }
      return destination.checked;
    };
    const authenticator: Authenticator = {
      isAuthProvider: (user) => user.authProvider?.name === EKS_AUTH_PROVIDER,
      applyAuthentication: async (_user, opts) => {
        await checkDestination();
        let token: string;
        try {
          token = await tokens.token();
        } catch (err) {
          if (err instanceof GreenlightError) throw err;
          const reason = quoteUpstream(err instanceof Error ? err.message : String(err));
          throw new UpstreamError(
            'GL_FACTS_UNAVAILABLE',
            `greenlight could not make an EKS token for cluster "${connection.name}" (EKS cluster ${aws.clusterName}, ${who}): ${reason}. ` +
              'Check the AWS credentials greenlight runs with and that they may assume the role.',
            { cause: err },
          );
        }
        opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
      },
    };
    return { authenticator, aws: withRegion };
  }
}

const hostOf = (url: string): string | undefined => {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
};

/** The certificates of a base64 PEM bundle, compared without line breaks and whitespace. */
function certificates(caData: string): string[] {
  const pem = Buffer.from(caData.replace(/\s/g, ''), 'base64').toString('utf8');
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => (m[1] ?? '').replace(/\s/g, '')).sort();
}

/** Whether two base64 PEM CAs hold the same certificates. */
export function sameCertificateAuthority(a: string, b: string): boolean {
  const left = certificates(a);
  const right = certificates(b);
  return left.length > 0 && left.length === right.length && left.every((c, i) => c === right[i]);
}

/**
 * An EKS token for cluster X is good on X's API server for 15 minutes: it goes only to X's
 * endpoint as DescribeCluster names it, or to another DNS name in front of it when the Secret
 * pins X's own CA (so only a server holding X's certificate can read it). Rejects with
 * `UpstreamError` otherwise.
 */
async function verifyEksDestination(connection: ClusterConnection, aws: AwsAuth & { region: string }, endpoints: EksEndpointSource, who: string): Promise<void> {
  let described: EksEndpoint;
  try {
    described = await endpoints.endpointOf(aws, AbortSignal.timeout(10_000));
  } catch (err) {
    if (err instanceof GreenlightError) throw err;
    throw new UpstreamError(
      'GL_FACTS_UNAVAILABLE',
      `greenlight could not look up EKS cluster "${aws.clusterName}" in ${aws.region} (DescribeCluster, ${who}) to check where its EKS token may go for cluster "${connection.name}": ${quoteUpstream(err instanceof Error ? `${err.name}: ${err.message}` : String(err))}. ` +
        'Allow eks:DescribeCluster on it, and check awsAuthConfig.clusterName in the cluster\'s Argo CD Secret.',
      { cause: err },
    );
  }
  const server = hostOf(connection.server);
  if (server !== undefined && server === hostOf(described.endpoint)) return;
  const where = `cluster "${connection.name}": its server ${connection.server} is not the endpoint ${described.endpoint} of EKS cluster "${aws.clusterName}"`;
  const tls = connection.config.tlsClientConfig;
  const fix = `set the server to ${described.endpoint}, or, for a DNS name in front of it, set tlsClientConfig.caData to EKS cluster "${aws.clusterName}"'s CA (aws eks describe-cluster --query cluster.certificateAuthority.data) with insecure false`;
  if (tls.insecure) throw new UpstreamError('GL_CLUSTER_INVALID', `${where}, and tlsClientConfig.insecure is true, so greenlight cannot tell that the server is that cluster and sends it no EKS token: ${fix}`);
  if (!tls.caData) throw new UpstreamError('GL_CLUSTER_INVALID', `${where}, and tlsClientConfig.caData is not set, so greenlight cannot tell that the server is that cluster and sends it no EKS token: ${fix}`);
  if (described.caData === undefined || !sameCertificateAuthority(tls.caData, described.caData)) {
    throw new UpstreamError('GL_CLUSTER_INVALID', `${where}, and tlsClientConfig.caData is not that cluster's CA, so greenlight sends it no EKS token: ${fix}`);
  }
}
