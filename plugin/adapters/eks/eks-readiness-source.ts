/**
 * @module What EKS says about upgrading a cluster, for the readiness checks: which versions of
 * green's add-ons EKS supports on green's Kubernetes version (`DescribeAddonVersions`), and
 * each cluster's upgrade insights (`ListInsights`, category UPGRADE_READINESS, with the
 * recommendation of `DescribeInsight` for those that are not passing). Lists are read to the
 * end; anything that fails makes the whole read fail, naming cluster, API and region, as the
 * EKS fact source does.
 */
import { DescribeAddonVersionsCommand, DescribeInsightCommand, EKSClient, ListInsightsCommand } from '@aws-sdk/client-eks';
import pLimit from 'p-limit';
import { z } from 'zod';
import {
  compareAddonVersions,
  describeIssues,
  INSIGHT_STATUSES,
  type AddonCompatibility,
  type CancelSignal,
  type ClusterRecord,
  type EksInsight,
} from '../../../generator/index.js';
import type { Logger } from '../../logger.js';
import type { AwsCredentialsFor } from '../aws/aws-credentials.js';
import type { AwsCallContext } from '../aws/aws-errors.js';
import { sdkClientFactory, type SdkClientSettings } from '../aws/sdk-client-config.js';
import { EksReader, paginateEks, sendEks, unlessGone, unusableAnswer, type EksCall, type EksRead } from './eks-call.js';
import type { EksClientFor } from './eks-fact-source.js';

/**
 * The port the readiness checks read EKS through (role-named; `EksReadinessSource` is the
 * adapter). Both methods reject with `UpstreamError` or `TimeoutError` naming the cluster, the
 * API and the region rather than answer with part of a list.
 */
export interface ReadinessDataSource {
  /** Whether EKS knows the cluster: it is registered with `awsAuthConfig.clusterName`. */
  appliesTo(cluster: ClusterRecord): boolean;
  /**
   * For each add-on name, the versions EKS supports on `kubernetesVersion` (a minor, "1.32"),
   * newest first, in the shape of `addonCompatibilitySchema`. Every name asked for has an
   * entry, empty when EKS supports no version of it there.
   */
  addonCompatibility(cluster: ClusterRecord, kubernetesVersion: string, addonNames: readonly string[], signal: CancelSignal): Promise<AddonCompatibility>;
  /** The cluster's UPGRADE_READINESS insights, as `eksInsightSchema`, sorted by name then id. */
  insights(cluster: ClusterRecord, signal: CancelSignal, hints?: { readonly clusterArn?: string | undefined }): Promise<EksInsight[]>;
}

export interface EksReadinessSourceOptions {
  /** Credentials per cluster (default chain, or AssumeRole of `awsAuthConfig.roleARN`). */
  readonly credentials: AwsCredentialsFor;
  /** Region of clusters whose server URL is not an EKS endpoint (as for `EksFactSource`). */
  readonly region?: string;
  /** DescribeAddonVersions / DescribeInsight calls in flight at once per read (default 4). */
  readonly concurrency?: number;
  /** Pages read per list before giving up (default 50). */
  readonly maxPages?: number;
  /**
   * Which insights `DescribeInsight` is called for, for their recommendation: `not-passing`
   * (default: the ones a finding is made of) or `none` (ListInsights only, one call per page).
   */
  readonly describeInsights?: 'not-passing' | 'none';
  readonly logger?: Logger;
}

/** What `fromConfig` reads besides the options. */
export interface EksReadinessSourceConfig extends EksReadinessSourceOptions, SdkClientSettings {
  /** Called with every client made, e.g. to add a per-call rate budget as SDK middleware. */
  readonly decorateClient?: (client: EKSClient) => void;
}

const PAGE_SIZE = 100;
const MINOR = /^\d+\.\d+$/;
const UPGRADE_READINESS = 'UPGRADE_READINESS';

// The parts of EKS answers greenlight relies on; the SDK's own types say every field may be absent.
const describeAddonVersionsAnswer = z.object({
  addons: z
    .array(
      z.object({
        addonName: z.string().min(1),
        addonVersions: z
          .array(
            z.object({
              addonVersion: z.string().min(1),
              compatibilities: z.array(z.object({ clusterVersion: z.string().optional() })).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .default([]),
  nextToken: z.string().min(1).optional(),
});
const insightStatus = z.object({
  // A status EKS adds later is read as UNKNOWN: a warning, never a silent pass.
  status: z.string().transform((s) => ((INSIGHT_STATUSES as readonly string[]).includes(s) ? (s as EksInsight['insightStatus']['status']) : 'UNKNOWN')),
  reason: z.string().optional(),
});
const insightSummary = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  category: z.string().min(1),
  kubernetesVersion: z.string().optional(),
  description: z.string().optional(),
  insightStatus,
});
const listInsightsAnswer = z.object({ insights: z.array(insightSummary).default([]), nextToken: z.string().min(1).optional() });
const describeInsightAnswer = z.object({ insight: insightSummary.extend({ recommendation: z.string().optional() }) });

type Api = 'DescribeAddonVersions' | 'ListInsights' | 'DescribeInsight';

/** One read: the cluster, where and as whom it is read, and the linked abort signal. */
type Call = EksCall<Api>;

/**
 * EKS add-on compatibility and upgrade insights of clusters registered with `awsAuthConfig`.
 *
 * @example
 * const eks = EksReadinessSource.fromConfig({ credentials: AwsCredentials.fromConfig(), maxAttempts: 1 });
 * await eks.addonCompatibility(green, '1.32', ['coredns', 'kube-proxy'], signal);
 * // { coredns: { '1.32': ['v1.11.4-eksbuild.2', ...] }, 'kube-proxy': { '1.32': [...] } }
 */
export class EksReadinessSource implements ReadinessDataSource {
  private readonly reader: EksReader;

  constructor(
    private readonly options: EksReadinessSourceOptions,
    clientFor: EksClientFor,
  ) {
    this.reader = new EksReader(options, clientFor);
  }

  /** Real EKS clients; the SDK's standard configuration (AWS_ENDPOINT_URL_EKS, retries) applies. */
  static fromConfig(config: EksReadinessSourceConfig): EksReadinessSource {
    const { endpoint, maxAttempts, requestTimeoutMs, decorateClient, ...options } = config;
    return new EksReadinessSource(options, sdkClientFactory(EKSClient, { endpoint, maxAttempts, requestTimeoutMs, decorateClient }));
  }

  appliesTo(cluster: ClusterRecord): boolean {
    return this.reader.appliesTo(cluster);
  }

  async addonCompatibility(cluster: ClusterRecord, kubernetesVersion: string, addonNames: readonly string[], signal: CancelSignal): Promise<AddonCompatibility> {
    if (!MINOR.test(kubernetesVersion)) throw new Error(`"${kubernetesVersion}" is not a Kubernetes minor version such as "1.32"`);
    const names = [...new Set(addonNames)].sort();
    return this.run(cluster, signal, 'DescribeAddonVersions', undefined, async (call) => {
      const limit = pLimit(Math.max(1, this.options.concurrency ?? 4));
      try {
        // One add-on per call (addonName is a single filter): EKS lists hundreds of add-ons otherwise.
        const entries = await Promise.all(names.map((name) => limit(async () => [name, await this.supportedVersions(call, name, kubernetesVersion)] as const)));
        const result: AddonCompatibility = {};
        for (const [name, versions] of entries) result[name] = { [kubernetesVersion]: versions };
        return result;
      } finally {
        limit.clearQueue();
      }
    });
  }

  async insights(cluster: ClusterRecord, signal: CancelSignal, hints: { readonly clusterArn?: string | undefined } = {}): Promise<EksInsight[]> {
    return this.run(cluster, signal, 'ListInsights', hints.clusterArn, async (call) => {
      const listed: z.infer<typeof insightSummary>[] = [];
      await this.paginate(call, 'ListInsights', async (nextToken) => {
        const answer = await this.send(call, 'ListInsights', (c, abortSignal) =>
          c.send(
            new ListInsightsCommand({ clusterName: call.clusterName, filter: { categories: [UPGRADE_READINESS] }, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }),
            { abortSignal },
          ),
        );
        const parsed = listInsightsAnswer.safeParse(answer);
        if (!parsed.success) throw unusableAnswer(call, 'ListInsights', describeIssues(parsed.error.issues, ''));
        listed.push(...parsed.data.insights);
        return parsed.data.nextToken;
      });
      const unique = [...new Map(listed.filter((i) => i.category === UPGRADE_READINESS).map((i) => [i.id, i])).values()];
      const limit = pLimit(Math.max(1, this.options.concurrency ?? 4));
      try {
        const insights = await Promise.all(
          unique.map((summary) =>
            limit(async (): Promise<EksInsight> => {
              const base = toInsight(summary);
              if ((this.options.describeInsights ?? 'not-passing') === 'none' || summary.insightStatus.status === 'PASSING') return base;
              const recommendation = await this.recommendation(call, summary.id);
              return recommendation === undefined ? base : { ...base, recommendation };
            }),
          ),
        );
        return insights.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
      } finally {
        limit.clearQueue();
      }
    });
  }

  /** Destroys the SDK clients (their keep-alive sockets). */
  close(): void {
    this.reader.close();
  }

  // ---- one add-on, one insight -----------------------------------------------------------

  private async supportedVersions(call: Call, addonName: string, kubernetesVersion: string): Promise<string[]> {
    const versions = new Set<string>();
    await this.paginate(call, 'DescribeAddonVersions', async (nextToken) => {
      // An add-on EKS does not know at all: it supports no version of it anywhere.
      const answer = await unlessGone(
        call,
        this.send(call, 'DescribeAddonVersions', (c, abortSignal) =>
          c.send(new DescribeAddonVersionsCommand({ kubernetesVersion, addonName, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }), { abortSignal }),
        ),
      );
      if (answer === undefined) return undefined;
      const parsed = describeAddonVersionsAnswer.safeParse(answer);
      if (!parsed.success) throw unusableAnswer(call, 'DescribeAddonVersions', describeIssues(parsed.error.issues, ''));
      for (const addon of parsed.data.addons) {
        if (addon.addonName !== addonName) continue;
        for (const v of addon.addonVersions ?? []) {
          // EKS filters by kubernetesVersion already; the compatibilities are what the contract promises.
          if ((v.compatibilities ?? []).some((c) => c.clusterVersion === kubernetesVersion)) versions.add(v.addonVersion);
        }
      }
      return parsed.data.nextToken;
    });
    return [...versions].sort(compareAddonVersions).reverse();
  }

  private async recommendation(call: Call, id: string): Promise<string | undefined> {
    // Gone between the list and the describe (EKS refreshes insights daily): keep the summary.
    const answer = await unlessGone(
      call,
      this.send(call, 'DescribeInsight', (c, abortSignal) => c.send(new DescribeInsightCommand({ clusterName: call.clusterName, id }), { abortSignal })),
    );
    if (answer === undefined) return undefined;
    const parsed = describeInsightAnswer.safeParse(answer);
    if (!parsed.success) throw unusableAnswer(call, 'DescribeInsight', describeIssues(parsed.error.issues, ''));
    const text = parsed.data.insight.recommendation?.trim();
    return text === undefined || text === '' ? undefined : text;
  }

  // ---- plumbing (the shared parts are in eks-call.ts) -------------------------------------

  private run<T>(cluster: ClusterRecord, signal: CancelSignal, first: Api, clusterArn: string | undefined, work: (call: Call) => Promise<T>): Promise<T> {
    const spec: EksRead<Api, T> = { subject: `EKS ${first}`, needs: 'needs', first, clusterArn, done: { message: 'eks readiness data read', fields: () => ({ api: first }) } };
    return this.reader.read(cluster, signal, spec, work);
  }

  private paginate(call: Call, api: Api, page: (nextToken: string | undefined) => Promise<string | undefined>): Promise<void> {
    return paginateEks(call, api, this.options.maxPages ?? 50, 'judge', page);
  }

  private send<T>(call: Call, api: Api, fn: (client: EKSClient, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return sendEks(call, api, fn, (c, a) => this.context(c, a));
  }

  private context(call: Call, api: Api): AwsCallContext {
    const clusterResource = call.clusterArn ?? `EKS cluster "${call.clusterName}" in ${call.region}`;
    return {
      cluster: call.cluster,
      service: 'EKS',
      api,
      region: call.region,
      roleArn: call.roleArn,
      iamAction: `eks:${api}`,
      // DescribeAddonVersions is on no resource: the policy line is Resource "*".
      resource: api === 'DescribeAddonVersions' ? '*' : clusterResource,
      notFoundAdvice:
        api === 'ListInsights'
          ? `EKS has no cluster "${call.clusterName}" in ${call.region} for ${call.roleArn ? `the role ${call.roleArn}` : "greenlight's own AWS account"}: awsAuthConfig.clusterName in the cluster's Argo CD Secret is wrong, or the cluster is in another account or region`
          : undefined,
      quoteAwsMessage: true,
    };
  }

}


function toInsight(s: z.infer<typeof insightSummary>): EksInsight {
  return {
    id: s.id,
    name: s.name,
    category: s.category,
    ...(s.kubernetesVersion !== undefined ? { kubernetesVersion: s.kubernetesVersion } : {}),
    insightStatus: { status: s.insightStatus.status, ...(s.insightStatus.reason !== undefined ? { reason: s.insightStatus.reason } : {}) },
    ...(s.description !== undefined ? { description: s.description } : {}),
  };
}
