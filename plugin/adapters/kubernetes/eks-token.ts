/**
 * @module EKS bearer tokens made in-process, the way `aws eks get-token` and `argocd-k8s-auth aws`
 * make them: a SigV4-presigned STS `GetCallerIdentity` URL whose signed `x-k8s-aws-id` header names
 * the cluster, encoded as `k8s-aws-v1.` + base64url(URL). No AWS call is made here: the cluster's
 * authenticator sends the URL to STS. STS honours the URL for 15 minutes after `X-Amz-Date`.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** Prefix of every EKS token (aws-iam-authenticator `v1Prefix`). */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The header that binds a token to one cluster; it must be among the signed headers. */
export const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/** STS honours a presigned GetCallerIdentity URL for 15 minutes, whatever X-Amz-Expires says. */
export const EKS_TOKEN_LIFETIME_MS = 15 * 60_000;
/** aws-iam-authenticator signs with 60 s and old authenticators reject anything above. */
const PRESIGN_EXPIRES_SECONDS = 60;
/** Refresh well before the end, so that a token never expires between signing and use. */
const DEFAULT_REFRESH_AFTER_MS = 10 * 60_000;
/** Temporary credentials that end sooner than the token make it useless sooner: keep this margin. */
const CREDENTIALS_MARGIN_MS = 60_000;

/** One EKS token and when it stops being accepted. */
export interface EksToken {
  readonly token: string;
  readonly signedAt: Date;
  readonly expiresAt: Date;
}

export interface EksTokenRequest {
  /** The EKS cluster name (not the Argo CD name): `awsAuthConfig.clusterName`. */
  readonly clusterName: string;
  /** Region of the STS endpoint to sign for; use the cluster's region. */
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /**
   * STS endpoint override, like `AWS_ENDPOINT_URL_STS` (e.g. a VPC endpoint or a test server).
   * Default: the regional endpoint `https://sts.<region>.amazonaws.com`.
   */
  readonly stsEndpoint?: string | undefined;
  readonly signingDate?: Date;
}

/** The regional STS endpoint, as the AWS CLI uses it since regional endpoints became the default. */
export function stsEndpointFor(region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sts.${region}.${suffix}`;
}

/** RFC 3986 encoding, the one SigV4 canonicalises with (encodeURIComponent leaves !'()* alone). */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Makes one token now. Rejects if the credentials cannot be had. */
export async function createEksToken(request: EksTokenRequest): Promise<EksToken> {
  const endpoint = new URL(request.stsEndpoint ?? stsEndpointFor(request.region));
  const signingDate = request.signingDate ?? new Date();
  const signer = new SignatureV4({
    credentials: request.credentials,
    region: request.region,
    service: 'sts',
    sha256: Hash.bind(null, 'sha256'),
  });
  const unsigned = new HttpRequest({
    method: 'GET',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    // The host and the cluster id are the signed headers; x-k8s-aws-id is not an x-amz-* header,
    // so the signer leaves it a header (signed) instead of hoisting it into the query.
    headers: { host: endpoint.host, [CLUSTER_ID_HEADER]: request.clusterName },
  });
  const signed = await signer.presign(unsigned, { expiresIn: PRESIGN_EXPIRES_SECONDS, signingDate });
  const query = Object.entries(signed.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v] as const) : value == null ? [] : [[key, value] as const]))
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
    .join('&');
  const url = `${endpoint.protocol}//${endpoint.host}/?${query}`;
  return {
    token: EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url'),
    signedAt: signingDate,
    expiresAt: new Date(signingDate.getTime() + EKS_TOKEN_LIFETIME_MS),
  };
}

export interface EksTokenSourceOptions {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly stsEndpoint?: string | undefined;
  /** Age at which a cached token is replaced. Default 10 minutes (tokens live 15). */
  readonly refreshAfterMs?: number;
  readonly now?: () => number;
}

/**
 * A cached EKS token for one cluster. Concurrent callers share one signing; a token is replaced
 * after `refreshAfterMs`, or a minute before the credentials that signed it expire if sooner.
 */
export class EksTokenSource {
  private current: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly now: () => number;
  private readonly refreshAfterMs: number;

  constructor(private readonly options: EksTokenSourceOptions) {
    this.now = options.now ?? Date.now;
    this.refreshAfterMs = options.refreshAfterMs ?? DEFAULT_REFRESH_AFTER_MS;
  }

  /** A token valid for at least `lifetime - refreshAfterMs` (5 minutes by default). */
  async token(): Promise<string> {
    if (this.current && this.now() < this.current.refreshAt) return this.current.token;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(): Promise<string> {
    // Resolve credentials once, so that the expiry we plan with is the one that signed.
    const credentials: AwsCredentialIdentity = await this.options.credentials();
    const signingDate = new Date(this.now());
    const made = await createEksToken({
      clusterName: this.options.clusterName,
      region: this.options.region,
      credentials: async () => credentials,
      stsEndpoint: this.options.stsEndpoint,
      signingDate,
    });
    let refreshAt = signingDate.getTime() + this.refreshAfterMs;
    if (credentials.expiration) refreshAt = Math.min(refreshAt, credentials.expiration.getTime() - CREDENTIALS_MARGIN_MS);
    this.current = { token: made.token, refreshAt };
    return made.token;
  }
}
