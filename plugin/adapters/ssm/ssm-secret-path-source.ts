/**
 * @module Where a cluster's secrets live: the NAMES of the SSM parameters under a per-cluster
 * prefix (source `ssm`). Values are dropped at this adapter's boundary: each parameter is
 * mapped to its name the moment a page arrives, so that no value reaches a return value, an
 * error message, a log line or a metric. GetParametersByPath is called with
 * WithDecryption=false (SecureString values stay ciphertext, and kms:Decrypt is not needed).
 */
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import {
  compileTemplate,
  InputError,
  normalizeName,
  UpstreamError,
  type CancelSignal,
  type ClusterFacts,
  type ClusterRecord,
  type CompiledTemplate,
  type FactSource,
} from '../../../generator/index.js';
import type { Logger } from '../../logger.js';
import type { AwsCredentialsFor } from '../aws/aws-credentials.js';
import { cancelledError, clusterLabel, toAwsCallError } from '../aws/aws-errors.js';
import { isRegion } from '../aws/aws-identifiers.js';
import { runCancellable } from '../aws/cancellable.js';
import { clusterRegion, SdkClientCache, sdkClientFactory, type SdkClientFor, type SdkClientSettings } from '../aws/sdk-client-config.js';

/** Makes the SSM client for a region and a cluster's credentials; tests point it at a local server. */
export type SsmClientFor = SdkClientFor<SSMClient>;

/** The prefix used when none is configured. */
export const DEFAULT_SSM_PREFIX_TEMPLATE = '/greenlight/{{cluster.name}}/';

/**
 * What the prefix template sees (Handlebars, strict, same environment as `vars` templates):
 *
 * | path | value |
 * |---|---|
 * | `cluster.name` | Argo CD cluster name |
 * | `cluster.nameNormalized` | the name as Argo CD normalizes it (lowercase, `[-a-z0-9.]`) |
 * | `cluster.project`, `cluster.server` | from the cluster Secret |
 * | `cluster.labels`, `cluster.annotations` | e.g. `{{cluster.labels.env}}` and `{{cluster.labels.[greenlight.io/pair]}}` for keys with dots or slashes |
 * | `aws.clusterName` | `awsAuthConfig.clusterName` |
 * | `aws.region` | the cluster's region (from its EKS server URL, else the fallback region) |
 * | `aws.accountId` | the account the parameters are read in (the role's, else GetCallerIdentity's) |
 *
 * @example '/platform/{{aws.accountId}}/{{cluster.nameNormalized}}/'
 */
export interface SsmPrefixContext {
  readonly cluster: {
    readonly name: string;
    readonly nameNormalized: string;
    readonly project: string;
    readonly server: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
  };
  readonly aws: { readonly clusterName: string; readonly region: string; readonly accountId: string };
}

export interface SsmSecretPathSourceOptions {
  /** Credentials per cluster (default chain, or AssumeRole of `awsAuthConfig.roleARN`). */
  readonly credentials: AwsCredentialsFor;
  /** Handlebars template of the prefix (see `SsmPrefixContext`); must render to `/…/`. */
  readonly prefixTemplate?: string;
  /** Region of clusters whose server URL is not an EKS endpoint. */
  readonly region?: string;
  /**
   * Pages read before giving up (default 200). SSM pages hold at most 10 names and may be
   * empty while still carrying a NextToken, so this bounds calls, not names.
   */
  readonly maxPages?: number;
  readonly logger?: Logger;
}

/** An answer page whose shape greenlight cannot read (values are never looked at to say so). */
class MalformedPageError extends Error {}

/** What `fromConfig` reads besides the options; the lead maps environment variables onto it. */
export interface SsmSecretPathSourceConfig extends SsmSecretPathSourceOptions, SdkClientSettings {
  /** Called with every client made, e.g. to add a per-call rate budget as SDK middleware. */
  readonly decorateClient?: (client: SSMClient) => void;
}

/** SSM's own maximum for GetParametersByPath. */
const PAGE_SIZE = 10;
/** An SSM parameter path: `/`-separated segments of `[A-Za-z0-9_.-]`, ending with `/`. */
const PREFIX = /^\/(?:[A-Za-z0-9_.-]+\/)+$/;
const MAX_PREFIX_LENGTH = 1011;

// A page after values were dropped: only names and the token are left to check.
const pageSchema = z.object({
  names: z.array(z.string().min(1, 'a parameter without a Name')),
  nextToken: z.string().min(1).optional(),
});

/**
 * Labels and annotations of the boot-time example cluster: every key exists and is "example",
 * because which keys real clusters carry is only known per cluster (a missing one fails that
 * cluster's fetch with GL_CLUSTER_INVALID).
 */
function anyKey(): Readonly<Record<string, string>> {
  return new Proxy<Record<string, string>>(
    {},
    {
      get: (_, key) => (typeof key === 'string' ? 'example' : undefined),
      has: () => true,
      getOwnPropertyDescriptor: (_, key) => (typeof key === 'string' ? { value: 'example', enumerable: true, configurable: true, writable: false } : undefined),
    },
  );
}

const exampleContext = (): SsmPrefixContext => ({
  cluster: {
    name: 'example',
    nameNormalized: 'example',
    project: 'default',
    server: 'https://example.gr7.eu-west-1.eks.amazonaws.com',
    labels: anyKey(),
    annotations: anyKey(),
  },
  aws: { clusterName: 'example', region: 'eu-west-1', accountId: '123456789012' },
});

/** The SSM parameter names under each cluster's prefix (source `ssm`). */
export class SsmSecretPathSource implements FactSource {
  readonly source = 'ssm' as const;
  private readonly template: CompiledTemplate;
  private readonly needsAccount: boolean;
  private readonly clients: SdkClientCache<SSMClient>;

  /** Compiles and smoke-renders the prefix template: a broken template fails at boot, not per request. */
  constructor(
    private readonly options: SsmSecretPathSourceOptions,
    private readonly clientFor: SsmClientFor,
  ) {
    this.clients = new SdkClientCache(clientFor, options.credentials);
    const source = options.prefixTemplate ?? DEFAULT_SSM_PREFIX_TEMPLATE;
    this.template = compileTemplate(source, `the SSM prefix template "${source}"`);
    // Only templates that name the account pay for GetCallerIdentity.
    this.needsAccount = /\baccountId\b/.test(source);
    let example: string;
    try {
      example = this.template.render(exampleContext());
    } catch (err) {
      throw new InputError('GL_TEMPLATE_INVALID', `the SSM prefix template "${source}" cannot render: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!PREFIX.test(example)) {
      throw new InputError('GL_TEMPLATE_INVALID', `the SSM prefix template "${source}" renders to "${example}" for a cluster named "example"; a prefix must start and end with "/" and hold only [A-Za-z0-9_.-] between slashes`);
    }
    if (options.region !== undefined && !isRegion(options.region)) {
      throw new Error(`SSM fallback region "${options.region}" is not an AWS region name such as eu-west-1`);
    }
  }

  /** Real SSM clients; the SDK's standard configuration (AWS_ENDPOINT_URL_SSM, retries) applies. */
  static fromConfig(config: SsmSecretPathSourceConfig): SsmSecretPathSource {
    const { endpoint, maxAttempts, requestTimeoutMs, decorateClient, ...options } = config;
    return new SsmSecretPathSource(options, sdkClientFactory(SSMClient, { endpoint, maxAttempts, requestTimeoutMs, decorateClient }));
  }


  /** Clusters registered with `awsAuthConfig`: that is where greenlight learns region and credentials. */
  appliesTo(cluster: ClusterRecord): boolean {
    return cluster.aws !== undefined && cluster.aws.clusterName !== '';
  }

  async fetch(cluster: ClusterRecord, signal: CancelSignal): Promise<ClusterFacts> {
    const aws = cluster.aws;
    if (!aws || aws.clusterName === '') {
      throw new UpstreamError('GL_CLUSTER_INVALID', `${clusterLabel(cluster)}: SSM secret paths need awsAuthConfig in the cluster's Argo CD Secret`);
    }
    const region = clusterRegion(cluster, this.options.region, 'SSM secret paths', 'SSM');
    const roleArn = aws.roleArn === '' ? undefined : aws.roleArn;
    const where = `${clusterLabel(cluster)}: SSM GetParametersByPath in ${region}`;
    const started = Date.now();
    const result = await runCancellable(
      signal,
      () => cancelledError(where),
      async (abortSignal) => {
        const prefix = await this.prefixFor(cluster, aws.clusterName, region, roleArn);
        const names = await this.readNames(cluster, region, roleArn, prefix, abortSignal);
        return { prefix, names };
      },
    );
    this.options.logger?.debug(
      { cluster: cluster.name, region, prefix: result.prefix, pages: result.names.pages, count: result.names.names.length, ms: Date.now() - started },
      'ssm parameter names read',
    );
    return { secrets: { prefix: result.prefix, names: result.names.names } };
  }

  /** Destroys the SDK clients (their keep-alive sockets). */
  close(): void {
    this.clients.close();
  }

  private async prefixFor(cluster: ClusterRecord, clusterName: string, region: string, roleArn: string | undefined): Promise<string> {
    let accountId = '';
    if (this.needsAccount) {
      try {
        accountId = await this.options.credentials.accountIdFor(roleArn);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${clusterLabel(cluster)}: the SSM prefix needs the AWS account id, which greenlight could not learn: ${message}`, {
          cause: err instanceof Error && err.cause !== undefined ? err.cause : err,
        });
      }
    }
    const context: SsmPrefixContext = {
      cluster: {
        name: cluster.name,
        nameNormalized: normalizeName(cluster.name),
        project: cluster.project,
        server: cluster.server,
        labels: cluster.labels,
        annotations: cluster.annotations,
      },
      aws: { clusterName, region, accountId },
    };
    let prefix: string;
    try {
      prefix = this.template.render(context);
    } catch (err) {
      throw new UpstreamError(
        'GL_CLUSTER_INVALID',
        `${clusterLabel(cluster)}: the SSM prefix template "${this.template.source}" fails for this cluster: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (!PREFIX.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
      throw new UpstreamError(
        'GL_CLUSTER_INVALID',
        `${clusterLabel(cluster)}: the SSM prefix template "${this.template.source}" renders to "${prefix}", which is not an SSM path prefix (it must start and end with "/" and hold only [A-Za-z0-9_.-] between slashes); use {{cluster.nameNormalized}} or a label`,
      );
    }
    return prefix;
  }

  private async readNames(
    cluster: ClusterRecord,
    region: string,
    roleArn: string | undefined,
    prefix: string,
    abortSignal: AbortSignal,
  ): Promise<{ names: string[]; pages: number }> {
    const client = this.client(region, roleArn);
    const maxPages = this.options.maxPages ?? 200;
    const names = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      if (pages >= maxPages) {
        throw new UpstreamError(
          'GL_FACTS_UNAVAILABLE',
          `${clusterLabel(cluster)}: SSM GetParametersByPath under "${prefix}" in ${region} still had more pages after ${maxPages} (${names.size} names so far); greenlight stops there rather than answer with part of the list. Narrow the prefix, or raise greenlight's SSM page limit`,
        );
      }
      if (abortSignal.aborted) throw cancelledError(`${clusterLabel(cluster)}: SSM GetParametersByPath in ${region}`);
      let page: { names: unknown[]; nextToken: unknown };
      try {
        const answer = await client.send(
          new GetParametersByPathCommand({ Path: prefix, Recursive: true, WithDecryption: false, MaxResults: PAGE_SIZE, ...(token !== undefined ? { NextToken: token } : {}) }),
          { abortSignal },
        );
        // A page whose Parameters is not a list is unreadable, never "no parameters": that would
        // answer Argo CD with a complete-looking list of secrets that is wrong.
        if (answer.Parameters !== undefined && !Array.isArray(answer.Parameters)) throw new MalformedPageError();
        // THE BOUNDARY: only each parameter's Name leaves this statement; values are never read.
        page = { names: (answer.Parameters ?? []).map((p) => p?.Name), nextToken: answer.NextToken };
      } catch (err) {
        if (err instanceof MalformedPageError) {
          throw new UpstreamError(
            'GL_FACTS_UNAVAILABLE',
            `${clusterLabel(cluster)}: SSM GetParametersByPath under "${prefix}" in ${region} returned a page greenlight cannot read (Parameters is not a list). Check that greenlight's SSM endpoint is the real AWS API (or a proxy that passes it through unchanged)`,
          );
        }
        throw toAwsCallError(
          err,
          {
            cluster,
            service: 'SSM',
            api: 'GetParametersByPath',
            region,
            roleArn,
            iamAction: 'ssm:GetParametersByPath',
            resource: `arn:aws:ssm:${region}:<account>:parameter${prefix.replace(/\/$/, '')}*`,
            quoteAwsMessage: false,
            scrubCause: true,
          },
          abortSignal,
        );
      }
      pages += 1;
      const parsed = pageSchema.safeParse(page);
      if (!parsed.success) {
        throw new UpstreamError(
          'GL_FACTS_UNAVAILABLE',
          `${clusterLabel(cluster)}: SSM GetParametersByPath under "${prefix}" in ${region} returned a page greenlight cannot use (${parsed.error.issues[0]?.message ?? 'unexpected shape'})`,
        );
      }
      for (const name of parsed.data.names) names.add(name);
      token = parsed.data.nextToken;
    } while (token !== undefined);
    return { names: [...names].sort(), pages };
  }

  private client(region: string, roleArn: string | undefined): SSMClient {
    return this.clients.get(region, roleArn);
  }

}
