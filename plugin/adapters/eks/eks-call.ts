/**
 * @module One EKS read for one cluster: the client, the cancellation, and the way each call's
 * failure is worded. Shared by the EKS adapters so that paging limits, cancellation and error
 * messages are the same everywhere.
 */
import type { EKSClient } from '@aws-sdk/client-eks';
import { UpstreamError, type ClusterRecord } from '../../../generator/index.js';
import { cancelledError, clusterLabel, toAwsCallError, type AwsCallContext } from '../aws/aws-errors.js';

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
