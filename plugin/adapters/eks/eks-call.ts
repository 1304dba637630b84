/**
 * @module One EKS read for one cluster: the client, the cancellation, and the way each call's
 * failure is worded. Shared by the EKS adapters so that paging limits, cancellation and error
 * messages are the same everywhere.
 */
import type { EKSClient } from '@aws-sdk/client-eks';
import { UpstreamError, type CancelSignal, type ClusterRecord } from '../../../generator/index.js';
import type { Logger } from '../../logger.js';
import type { AwsCredentialsFor } from '../aws/aws-credentials.js';
import { cancelledError, classifyAwsError, clusterLabel, toAwsCallError, type AwsCallContext } from '../aws/aws-errors.js';
import { isRegion } from '../aws/aws-identifiers.js';
import { runCancellable } from '../aws/cancellable.js';
import { clusterRegion, SdkClientCache, type SdkClientFor } from '../aws/sdk-client-config.js';

/** The state of one cluster's read, `A` being the APIs it may call. */
export interface EksCall<A extends string> {
  readonly cluster: ClusterRecord;
  readonly clusterName: string;
  readonly region: string;
  readonly roleArn: string | undefined;
  readonly client: EKSClient;
  readonly abortSignal: AbortSignal;
  /** The cluster ARN once known, for IAM advice. */
  clusterArn?: string | undefined;
  /** Calls in flight (with how many of each), for the message when the request is cancelled. */
  readonly inFlight: Map<A, number>;
}

/**
 * Sends one command, turning failures into greenlight errors that name the cluster, API and
 * region (`context` says what the call needs, for the advice).
 */
export async function sendEks<A extends string, T>(
  call: EksCall<A>,
  api: A,
  fn: (client: EKSClient, abortSignal: AbortSignal) => Promise<T>,
  context: (call: EksCall<A>, api: A) => AwsCallContext,
): Promise<T> {
  if (call.abortSignal.aborted) throw cancelledError(`${clusterLabel(call.cluster)}: EKS ${api} in ${call.region}`);
  call.inFlight.set(api, (call.inFlight.get(api) ?? 0) + 1);
  try {
    return await fn(call.client, call.abortSignal);
  } catch (err) {
    throw toAwsCallError(err, context(call, api), call.abortSignal);
  } finally {
    const left = (call.inFlight.get(api) ?? 1) - 1;
    if (left > 0) call.inFlight.set(api, left);
    else call.inFlight.delete(api);
  }
}

/**
 * Reads pages until there is no next token, at most `maxPages`: past that, an error rather
 * than an answer from part of the list (`purpose` says what the list was for).
 */
export async function paginateEks<A extends string>(
  call: EksCall<A>,
  api: A,
  maxPages: number,
  purpose: string,
  page: (nextToken: string | undefined) => Promise<string | undefined>,
): Promise<void> {
  let token: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages >= maxPages) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `${clusterLabel(call.cluster)}: EKS ${api} in ${call.region} still had more pages after ${maxPages}; greenlight stops there rather than ${purpose} with part of the list. Raise greenlight's EKS page limit if the cluster really has that many`,
      );
    }
    token = await page(token);
    if (token === undefined) return;
  }
}

/** What one read of a cluster is, for its messages and its debug line. */
export interface EksRead<A extends string, T> {
  /** What the read is for, as messages name it: "EKS facts", "EKS ListInsights". */
  readonly subject: string;
  /** `need` or `needs`, to agree with `subject` in "<subject> needs awsAuthConfig.clusterName". */
  readonly needs: 'need' | 'needs';
  /** The API a cancellation names when no call is in flight yet. */
  readonly first: A;
  /** The cluster ARN when already known, for IAM advice. */
  readonly clusterArn?: string | undefined;
  /** The debug line logged when the read is done. */
  readonly done: { readonly message: string; readonly fields: (result: T) => Record<string, unknown> };
}

/**
 * The clients of an EKS adapter and the opening of each read: which region and role, the
 * cancellation that names what was in flight, the debug line. Shared by the EKS adapters.
 */
export class EksReader {
  private readonly clients: SdkClientCache<EKSClient>;

  constructor(
    private readonly options: { readonly credentials: AwsCredentialsFor; readonly region?: string | undefined; readonly logger?: Logger | undefined },
    clientFor: SdkClientFor<EKSClient>,
  ) {
    this.clients = new SdkClientCache(clientFor, options.credentials);
    if (options.region !== undefined && !isRegion(options.region)) {
      throw new Error(`EKS fallback region "${options.region}" is not an AWS region name such as eu-west-1`);
    }
  }

  /** Whether EKS knows the cluster: it is registered with `awsAuthConfig.clusterName`. */
  appliesTo(cluster: ClusterRecord): boolean {
    return cluster.aws !== undefined && cluster.aws.clusterName !== '';
  }

  /** Runs `work` as one read of `cluster`, cut off when `signal` aborts. */
  async read<A extends string, T>(cluster: ClusterRecord, signal: CancelSignal, spec: EksRead<A, T>, work: (call: EksCall<A>) => Promise<T>): Promise<T> {
    const aws = cluster.aws;
    if (!aws || aws.clusterName === '') {
      throw new UpstreamError('GL_CLUSTER_INVALID', `${clusterLabel(cluster)}: ${spec.subject} ${spec.needs} awsAuthConfig.clusterName in the cluster's Argo CD Secret`);
    }
    const region = clusterRegion(cluster, this.options.region, spec.subject, 'EKS');
    const roleArn = aws.roleArn === undefined || aws.roleArn === '' ? undefined : aws.roleArn;
    const client = this.clients.get(region, roleArn);
    let call: EksCall<A> | undefined;
    const started = Date.now();
    const result = await runCancellable(
      signal,
      () => cancelledError(`${clusterLabel(cluster)}: EKS ${inFlightApis(call, spec.first)} in ${region}`),
      async (abortSignal) => {
        call = { cluster, clusterName: aws.clusterName, region, roleArn, client, abortSignal, clusterArn: spec.clusterArn, inFlight: new Map() };
        return work(call);
      },
    );
    this.options.logger?.debug({ cluster: cluster.name, region, ...spec.done.fields(result), ms: Date.now() - started }, spec.done.message);
    return result;
  }

  /** Destroys the SDK clients (their keep-alive sockets). */
  close(): void {
    this.clients.close();
  }
}

/** `first`, or `ListPodIdentityAssociations and DescribeAddon` when several calls are in flight. */
function inFlightApis<A extends string>(call: EksCall<A> | undefined, first: A): string {
  const apis = [...(call?.inFlight.keys() ?? [])];
  return apis.length === 0 ? first : apis.join(' and ');
}

/** An EKS answer that parsed but lacks what greenlight needs. */
export function unusableAnswer<A extends string>(call: EksCall<A>, api: A, detail: string): UpstreamError {
  return new UpstreamError('GL_FACTS_UNAVAILABLE', `${clusterLabel(call.cluster)}: EKS ${api} in ${call.region} returned an answer greenlight cannot use: ${detail}`);
}

/**
 * A call whose 404 means the item is not there (deleted between a list and its describe, or
 * unknown to EKS): `undefined` then, the error otherwise.
 */
export async function unlessGone<A extends string, T>(call: EksCall<A>, sending: Promise<T>): Promise<T | undefined> {
  try {
    return await sending;
  } catch (err) {
    if (!call.abortSignal.aborted && classifyAwsError(err instanceof Error ? err.cause : undefined) === 'not-found') return undefined;
    throw err;
  }
}
