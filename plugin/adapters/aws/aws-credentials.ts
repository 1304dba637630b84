/**
 * @module AWS credentials per cluster. Clusters without `awsAuthConfig.roleARN` use
 * greenlight's own identity (the default chain: IRSA, Pod Identity, environment); clusters
 * with one use an STS AssumeRole session named "greenlight", cached per role and refreshed
 * before it expires, so that many clusters and many requests cost one AssumeRole per role
 * per session lifetime.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { z } from 'zod';
import { describeIssues, UpstreamError } from '../../../generator/index.js';
import { describeAwsFailure, NO_CREDENTIALS_ADVICE } from './aws-errors.js';
import { accountOfRole } from './aws-identifiers.js';
import { refreshingCredentials } from './refreshing-credentials.js';

/**
 * The port the AWS adapters (EKS, SSM, the EKS token) take: credentials for one cluster.
 * Providers never take an abort signal (the SDK calls them); they are cached, so only the
 * first call per role waits for STS.
 */
export interface AwsCredentialsFor {
  /** Credentials to call AWS with for a cluster: its role when `roleArn` is set, else greenlight's own. */
  credentialsFor(roleArn?: string): AwsCredentialIdentityProvider;
  /** The account those credentials act in (the role's account, or GetCallerIdentity's). */
  accountIdFor(roleArn?: string): Promise<string>;
}

/** The STS session name every AssumeRole uses; it shows in CloudTrail as `.../greenlight`. */
export const ROLE_SESSION_NAME = 'greenlight';

export interface AwsCredentialsOptions {
  /** greenlight's own identity; also what the STS client signs AssumeRole with. */
  readonly base: AwsCredentialIdentityProvider;
  /** Session name for AssumeRole (default `greenlight`). */
  readonly sessionName?: string;
  /** Requested session length; STS's default (1 hour) when unset. */
  readonly durationSeconds?: number;
  /** Refresh this long before a session expires (default 5 minutes). */
  readonly refreshBeforeExpiryMs?: number;
  /** Injected by tests. */
  readonly now?: () => number;
}

/** What `fromConfig` reads; the lead maps environment variables onto it in `plugin/config.ts`. */
export interface AwsCredentialsConfig {
  /**
   * STS region. When unset the SDK's own resolution applies (AWS_REGION, the profile), which
   * IRSA and Pod Identity set up.
   */
  readonly stsRegion?: string;
  /** STS endpoint override (tests, VPC endpoints). AWS_ENDPOINT_URL_STS works too, through the SDK. */
  readonly stsEndpoint?: string;
  /** greenlight's own credentials; the default chain (IRSA / Pod Identity / env) when unset. */
  readonly base?: AwsCredentialIdentityProvider;
  readonly sessionName?: string;
  readonly durationSeconds?: number;
  /** SDK attempts per STS call (default 3). */
  readonly maxAttempts?: number;
  /** Bound on one STS HTTP exchange (default 5 s): a credentials provider gets no abort signal. */
  readonly requestTimeoutMs?: number;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

// The parts of STS answers greenlight relies on.
const assumeRoleAnswer = z.object({
  Credentials: z.object({
    AccessKeyId: z.string().min(16),
    SecretAccessKey: z.string().min(1),
    SessionToken: z.string().min(1),
    Expiration: z.date(),
  }),
});
const callerIdentityAnswer = z.object({ Account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id') });

/** Credentials for clusters, from the default chain and STS AssumeRole. */
export class AwsCredentials implements AwsCredentialsFor {
  private readonly base: AwsCredentialIdentityProvider;
  private readonly roles = new Map<string, AwsCredentialIdentityProvider>();
  private ownAccount: Promise<string> | undefined;

  /** `sts` must sign with `options.base`; `fromConfig` builds both consistently. */
  constructor(
    private readonly options: AwsCredentialsOptions,
    private readonly sts: STSClient,
  ) {
    this.base = refreshingCredentials(() => this.fetchBase(), this.refreshOptions());
  }

  /**
   * `shared` when the caller has the live fleet's credentials (roles assumed once), else a set of
   * its own for the facts configuration's STS region and endpoint; `close` releases only a set it made.
   */
  static sharedOrOwn(shared: AwsCredentials | undefined, facts: { readonly awsRegion?: string | undefined; readonly stsEndpoint?: string | undefined }): { readonly credentials: AwsCredentials; close(): void } {
    if (shared) return { credentials: shared, close: () => {} };
    const credentials = AwsCredentials.fromConfig({
      ...(facts.awsRegion !== undefined ? { stsRegion: facts.awsRegion } : {}),
      ...(facts.stsEndpoint !== undefined ? { stsEndpoint: facts.stsEndpoint } : {}),
    });
    return { credentials, close: () => credentials.close() };
  }

  /** Builds the STS client and the default credential chain; reads no environment itself. */
  static fromConfig(config: AwsCredentialsConfig = {}): AwsCredentials {
    const base = config.base ?? fromNodeProviderChain();
    const sts = new STSClient({
      credentials: base,
      ...(config.stsRegion !== undefined ? { region: config.stsRegion } : {}),
      ...(config.stsEndpoint !== undefined ? { endpoint: config.stsEndpoint } : {}),
      ...(config.maxAttempts !== undefined ? { maxAttempts: config.maxAttempts } : {}),
      // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting.
      requestHandler: { requestTimeout: config.requestTimeoutMs ?? 5_000, connectionTimeout: Math.min(config.requestTimeoutMs ?? 5_000, 3_000), throwOnRequestTimeout: true },
    });
    return new AwsCredentials(
      {
        base,
        ...(config.sessionName !== undefined ? { sessionName: config.sessionName } : {}),
        ...(config.durationSeconds !== undefined ? { durationSeconds: config.durationSeconds } : {}),
      },
      sts,
    );
  }

  credentialsFor(roleArn?: string): AwsCredentialIdentityProvider {
    if (roleArn === undefined || roleArn === '') return this.base;
    let provider = this.roles.get(roleArn);
    if (!provider) {
      provider = refreshingCredentials(() => this.assumeRole(roleArn), this.refreshOptions());
      this.roles.set(roleArn, provider);
    }
    return provider;
  }

  async accountIdFor(roleArn?: string): Promise<string> {
    if (roleArn !== undefined && roleArn !== '') {
      const account = accountOfRole(roleArn);
      if (account === undefined) throw invalidRole(roleArn);
      return account;
    }
    this.ownAccount ??= this.callerAccount().catch((err: unknown) => {
      // Never cache a failure: the next request asks again.
      this.ownAccount = undefined;
      throw err;
    });
    return this.ownAccount;
  }

  /** Releases the STS client's sockets. */
  close(): void {
    this.sts.destroy();
  }

  private refreshOptions() {
    return {
      ...(this.options.refreshBeforeExpiryMs !== undefined ? { refreshBeforeExpiryMs: this.options.refreshBeforeExpiryMs } : {}),
      ...(this.options.now !== undefined ? { now: this.options.now } : {}),
    };
  }

  private async fetchBase(): Promise<AwsCredentialIdentity> {
    try {
      return await this.options.base();
    } catch (err) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `greenlight found no AWS credentials of its own (${err instanceof Error ? err.name : 'Error'}). ${NO_CREDENTIALS_ADVICE}`,
        { cause: err },
      );
    }
  }

  private async assumeRole(roleArn: string): Promise<AwsCredentialIdentity> {
    if (!ROLE_ARN.test(roleArn)) throw invalidRole(roleArn);
    const subject = `STS AssumeRole of ${roleArn}`;
    let answer: unknown;
    try {
      answer = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.options.sessionName ?? ROLE_SESSION_NAME,
          ...(this.options.durationSeconds !== undefined ? { DurationSeconds: this.options.durationSeconds } : {}),
        }),
      );
    } catch (err) {
      const message = describeAwsFailure(
        err,
        {
          service: 'STS',
          api: 'AssumeRole',
          iamAction: 'sts:AssumeRole',
          resource: roleArn,
          accessDeniedAdvice: `Allow sts:AssumeRole on ${roleArn} to greenlight's own AWS identity (on a laptop, the identity of your AWS profile; in a pod, the IRSA or Pod Identity role of its ServiceAccount), and make ${roleArn}'s trust policy trust that identity`,
          quoteAwsMessage: true,
        },
        subject,
      );
      throw new UpstreamError('GL_FACTS_UNAVAILABLE', message, { cause: err });
    }
    const parsed = assumeRoleAnswer.safeParse(answer);
    if (!parsed.success) {
      throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${subject} returned an answer greenlight cannot use: ${describeIssues(parsed.error.issues, '')}`);
    }
    const c = parsed.data.Credentials;
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  }

  private async callerAccount(): Promise<string> {
    let answer: unknown;
    try {
      answer = await this.sts.send(new GetCallerIdentityCommand({}));
    } catch (err) {
      const message = describeAwsFailure(
        err,
        { service: 'STS', api: 'GetCallerIdentity', iamAction: 'sts:GetCallerIdentity', resource: '*', quoteAwsMessage: true },
        "STS GetCallerIdentity (to learn greenlight's own AWS account)",
      );
      throw new UpstreamError('GL_FACTS_UNAVAILABLE', message, { cause: err });
    }
    const parsed = callerIdentityAnswer.safeParse(answer);
    if (!parsed.success) {
      throw new UpstreamError('GL_FACTS_UNAVAILABLE', `STS GetCallerIdentity returned an answer greenlight cannot use: ${describeIssues(parsed.error.issues, '')}`);
    }
    return parsed.data.Account;
  }
}

function invalidRole(roleArn: string): UpstreamError {
  return new UpstreamError(
    'GL_CLUSTER_INVALID',
    `"${roleArn}" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>); fix awsAuthConfig.roleARN in the cluster's Argo CD Secret`,
  );
}
