/**
 * @module EKS facts of one cluster: DescribeCluster (version, endpoint, account, region, OIDC
 * issuer and IAM OIDC provider ARN, VPC, tags, authentication mode), every Pod Identity
 * association with its role, and every add-on with its version. Lists are read to the end;
 * anything that fails makes the whole fetch fail (fail closed), naming cluster, API and region.
 */
import {
  DescribeAddonCommand,
  DescribeClusterCommand,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListAddonsCommand,
  ListPodIdentityAssociationsCommand,
} from '@aws-sdk/client-eks';
import pLimit from 'p-limit';
import { z } from 'zod';
import {
  clusterFactsSchema,
  describeIssues,
  UpstreamError,
  type Addon,
  type CancelSignal,
  type ClusterFacts,
  type ClusterRecord,
  type EksFacts,
  type FactSource,
  type PodIdentityAssociation,
} from '../../../generator/index.js';
import type { Logger } from '../../logger.js';
import type { AwsCredentialsFor } from '../aws/aws-credentials.js';
import { clusterLabel, type AwsCallContext } from '../aws/aws-errors.js';
import { eksEndpointDiffers, oidcProviderArn, parseArn } from '../aws/aws-identifiers.js';
import { sdkClientFactory, type SdkClientFor, type SdkClientSettings } from '../aws/sdk-client-config.js';
import { EksReader, paginateEks, sendEks, unlessGone, unusableAnswer, type EksCall, type EksRead } from './eks-call.js';

/** Makes the EKS client for a region and a cluster's credentials; tests point it at a local server. */
export type EksClientFor = SdkClientFor<EKSClient>;

export interface EksFactSourceOptions {
  /** Credentials per cluster (default chain, or AssumeRole of `awsAuthConfig.roleARN`). */
  readonly credentials: AwsCredentialsFor;
  /**
   * Region of clusters whose server URL is not an EKS endpoint (`*.<region>.eks.amazonaws.com`),
   * e.g. behind a private DNS name. Clusters with an EKS URL always use the URL's region.
   */
  readonly region?: string;
  /** Describe calls (associations, add-ons) in flight at once per cluster (default 4). */
  readonly describeConcurrency?: number;
  /** Pages read per list before giving up (default 50, i.e. 5,000 items at 100 per page). */
  readonly maxPages?: number;
  readonly logger?: Logger;
}

/** What `fromConfig` reads besides the options; the lead maps environment variables onto it. */
export interface EksFactSourceConfig extends EksFactSourceOptions, SdkClientSettings {
  /** Called with every client made, e.g. to add a per-call rate budget as SDK middleware. */
  readonly decorateClient?: (client: EKSClient) => void;
}

const PAGE_SIZE = 100;

// The parts of EKS answers greenlight relies on; the SDK's own types say every field may be absent.
const describeClusterAnswer = z.object({
  cluster: z.object({
    name: z.string().min(1),
    arn: z.string().min(1),
    version: z.string().regex(/^\d+\.\d+$/, 'must be a Kubernetes minor version such as "1.31"'),
    platformVersion: z.string().optional(),
    endpoint: z.string().optional(),
    status: z.string().optional(),
    identity: z.object({ oidc: z.object({ issuer: z.string().optional() }).optional() }).optional(),
    resourcesVpcConfig: z.object({ vpcId: z.string().optional() }).optional(),
    accessConfig: z.object({ authenticationMode: z.string().optional() }).optional(),
    tags: z.record(z.string(), z.string()).optional(),
  }),
});
const listAssociationsAnswer = z.object({
  associations: z.array(z.object({ associationId: z.string().min(1) })).default([]),
  nextToken: z.string().min(1).optional(),
});
const describeAssociationAnswer = z.object({
  association: z.object({
    associationId: z.string().min(1),
    namespace: z.string().min(1),
    serviceAccount: z.string().min(1),
    roleArn: z.string().min(1),
  }),
});
const listAddonsAnswer = z.object({ addons: z.array(z.string().min(1)).default([]), nextToken: z.string().min(1).optional() });
const describeAddonAnswer = z.object({
  addon: z.object({ addonName: z.string().min(1), addonVersion: z.string().min(1), status: z.string().optional() }),
});

type Api = 'DescribeCluster' | 'ListPodIdentityAssociations' | 'DescribePodIdentityAssociation' | 'ListAddons' | 'DescribeAddon';

/** One fetch: the cluster, where and as whom it is read, and the linked abort signal. */
type Call = EksCall<Api>;

/** The EKS facts of clusters registered with `awsAuthConfig` (source `eks`). */
export class EksFactSource implements FactSource {
  readonly source = 'eks' as const;
  private readonly reader: EksReader;

  constructor(
    private readonly options: EksFactSourceOptions,
    clientFor: EksClientFor,
  ) {
    this.reader = new EksReader(options, clientFor);
  }

  /** Real EKS clients; the SDK's standard configuration (AWS_ENDPOINT_URL_EKS, retries) applies. */
  static fromConfig(config: EksFactSourceConfig): EksFactSource {
    const { endpoint, maxAttempts, requestTimeoutMs, decorateClient, ...options } = config;
    return new EksFactSource(options, sdkClientFactory(EKSClient, { endpoint, maxAttempts, requestTimeoutMs, decorateClient }));
  }

  appliesTo(cluster: ClusterRecord): boolean {
    return this.reader.appliesTo(cluster);
  }

  fetch(cluster: ClusterRecord, signal: CancelSignal): Promise<ClusterFacts> {
    const spec: EksRead<Api, ClusterFacts> = {
      subject: 'EKS facts',
      needs: 'need',
      first: 'DescribeCluster',
      done: { message: 'eks facts read', fields: (facts) => ({ podIdentity: facts.podIdentity?.length, addons: facts.addons?.length }) },
    };
    return this.reader.read(cluster, signal, spec, (call) => this.read(call));
  }

  /** Destroys the SDK clients (their keep-alive sockets). */
  close(): void {
    this.reader.close();
  }

  private async read(call: Call): Promise<ClusterFacts> {
    const eks = await this.describeCluster(call);
    call.clusterArn = eks.clusterArn;
    const limit = pLimit(Math.max(1, this.options.describeConcurrency ?? 4));
    try {
      const [podIdentity, addons] = await Promise.all([this.podIdentity(call, limit), this.addons(call, limit)]);
      const parsed = clusterFactsSchema.safeParse({ eks, podIdentity, addons });
      if (!parsed.success) throw unusableAnswer(call, 'DescribeCluster', describeIssues(parsed.error.issues, ''));
      return parsed.data;
    } finally {
      // A failed describe leaves others queued: drop them rather than call AWS for nothing.
      limit.clearQueue();
    }
  }

  private async describeCluster(call: Call): Promise<EksFacts> {
    const answer = await this.send(call, 'DescribeCluster', (c, abortSignal) => c.send(new DescribeClusterCommand({ name: call.clusterName }), { abortSignal }));
    const parsed = describeClusterAnswer.safeParse(answer);
    if (!parsed.success) throw unusableAnswer(call, 'DescribeCluster', describeIssues(parsed.error.issues, ''));
    const c = parsed.data.cluster;
    const arn = parseArn(c.arn);
    if (!arn || arn.service !== 'eks' || !arn.resource.startsWith('cluster/')) {
      throw unusableAnswer(call, 'DescribeCluster', `cluster.arn "${c.arn}" is not an EKS cluster ARN`);
    }
    // A Secret that names its cluster by ARN (EKS-managed Argo CD) is read with greenlight's own
    // identity: in another account, the same name may be another cluster. Only that ARN's facts.
    if (call.cluster.server.startsWith('arn:') && c.arn !== call.cluster.server) {
      throw new UpstreamError(
        'GL_CLUSTER_INVALID',
        `${clusterLabel(call.cluster)}: the Secret names EKS cluster ${call.cluster.server}, but DescribeCluster of "${call.clusterName}" in ${call.region} with greenlight's own AWS identity answers for ${c.arn}. ` +
          `greenlight does not report another cluster's facts: run greenlight with an AWS identity in the ARN's account, or register the cluster by its https:// endpoint with awsAuthConfig.roleARN`,
      );
    }
    // A Secret copied from another cluster's (green from blue) with its clusterName left as it
    // was would get that other cluster's OIDC issuer, VPC and roles, silently: refuse it.
    if (c.endpoint !== undefined && eksEndpointDiffers(call.cluster.server, c.endpoint)) {
      throw new UpstreamError(
        'GL_CLUSTER_INVALID',
        `${clusterLabel(call.cluster)}: awsAuthConfig.clusterName "${call.clusterName}" names EKS cluster ${c.arn}, whose endpoint ${c.endpoint} ` +
          `is not this Secret's server ${call.cluster.server}. greenlight does not report another cluster's facts: ` +
          `set awsAuthConfig.clusterName (or server) in the cluster's Argo CD Secret to the same cluster (was the Secret copied from another cluster's?)`,
      );
    }
    const issuer = c.identity?.oidc?.issuer;
    const facts: EksFacts = {
      accountId: arn.accountId,
      region: arn.region,
      clusterName: c.name,
      clusterArn: c.arn,
      version: c.version,
      // Tags are kept whole: greenlight.io/* tags stand in for missing Secret labels (blue-green.ts).
      tags: c.tags ?? {},
      ...(c.platformVersion !== undefined ? { platformVersion: c.platformVersion } : {}),
      ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
      ...(c.resourcesVpcConfig?.vpcId !== undefined ? { vpcId: c.resourcesVpcConfig.vpcId } : {}),
      ...(issuer !== undefined ? { oidcIssuer: issuer, oidcProviderArn: oidcProviderArn(arn.partition, arn.accountId, issuer) } : {}),
      ...(c.accessConfig?.authenticationMode !== undefined ? { authenticationMode: c.accessConfig.authenticationMode } : {}),
      ...(c.status !== undefined ? { status: c.status } : {}),
    };
    return facts;
  }

  private async podIdentity(call: Call, limit: ReturnType<typeof pLimit>): Promise<PodIdentityAssociation[]> {
    const ids: string[] = [];
    await this.paginate(call, 'ListPodIdentityAssociations', async (nextToken) => {
      const answer = await this.send(call, 'ListPodIdentityAssociations', (c, abortSignal) =>
        c.send(new ListPodIdentityAssociationsCommand({ clusterName: call.clusterName, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }), { abortSignal }),
      );
      const parsed = listAssociationsAnswer.safeParse(answer);
      if (!parsed.success) throw unusableAnswer(call, 'ListPodIdentityAssociations', describeIssues(parsed.error.issues, ''));
      ids.push(...parsed.data.associations.map((a) => a.associationId));
      return parsed.data.nextToken;
    });
    // The list has no role ARNs; each association is described for it.
    const described = await Promise.all(
      [...new Set(ids)].map((associationId) =>
        limit(async (): Promise<PodIdentityAssociation | undefined> => {
          // Deleted between the list and this describe: left out.
          const answer = await unlessGone(
            call,
            this.send(call, 'DescribePodIdentityAssociation', (c, abortSignal) =>
              c.send(new DescribePodIdentityAssociationCommand({ clusterName: call.clusterName, associationId }), { abortSignal }),
            ),
          );
          if (answer === undefined) return undefined;
          const parsed = describeAssociationAnswer.safeParse(answer);
          if (!parsed.success) throw unusableAnswer(call, 'DescribePodIdentityAssociation', describeIssues(parsed.error.issues, ''));
          const a = parsed.data.association;
          return { namespace: a.namespace, serviceAccount: a.serviceAccount, roleArn: a.roleArn, associationId: a.associationId };
        }),
      ),
    );
    return described
      .filter((a): a is PodIdentityAssociation => a !== undefined)
      .sort(
        (a, b) =>
          a.namespace.localeCompare(b.namespace) || a.serviceAccount.localeCompare(b.serviceAccount) || (a.associationId ?? '').localeCompare(b.associationId ?? ''),
      );
  }

  private async addons(call: Call, limit: ReturnType<typeof pLimit>): Promise<Addon[]> {
    const names: string[] = [];
    await this.paginate(call, 'ListAddons', async (nextToken) => {
      const answer = await this.send(call, 'ListAddons', (c, abortSignal) =>
        c.send(new ListAddonsCommand({ clusterName: call.clusterName, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }), { abortSignal }),
      );
      const parsed = listAddonsAnswer.safeParse(answer);
      if (!parsed.success) throw unusableAnswer(call, 'ListAddons', describeIssues(parsed.error.issues, ''));
      names.push(...parsed.data.addons);
      return parsed.data.nextToken;
    });
    const described = await Promise.all(
      [...new Set(names)].map((addonName) =>
        limit(async (): Promise<Addon | undefined> => {
          const answer = await unlessGone(
            call,
            this.send(call, 'DescribeAddon', (c, abortSignal) => c.send(new DescribeAddonCommand({ clusterName: call.clusterName, addonName }), { abortSignal })),
          );
          if (answer === undefined) return undefined;
          const parsed = describeAddonAnswer.safeParse(answer);
          if (!parsed.success) throw unusableAnswer(call, 'DescribeAddon', describeIssues(parsed.error.issues, ''));
          const a = parsed.data.addon;
          return { name: a.addonName, version: a.addonVersion, ...(a.status !== undefined ? { status: a.status } : {}) };
        }),
      ),
    );
    return described.filter((a): a is Addon => a !== undefined).sort((a, b) => a.name.localeCompare(b.name));
  }

  private paginate(call: Call, api: Api, page: (nextToken: string | undefined) => Promise<string | undefined>): Promise<void> {
    return paginateEks(call, api, this.options.maxPages ?? 50, 'answer', page);
  }

  private send<T>(call: Call, api: Api, fn: (client: EKSClient, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return sendEks(call, api, fn, (c, a) => this.context(c, a));
  }

  private context(call: Call, api: Api): AwsCallContext {
    const clusterResource = call.clusterArn ?? `EKS cluster "${call.clusterName}" in ${call.region}`;
    const arn = call.clusterArn ? parseArn(call.clusterArn) : undefined;
    const sub = (kind: string) => (arn ? `arn:${arn.partition}:eks:${arn.region}:${arn.accountId}:${kind}/${call.clusterName}/*` : clusterResource);
    const resource =
      api === 'DescribePodIdentityAssociation' ? sub('podidentityassociation') : api === 'DescribeAddon' ? sub('addon') : clusterResource;
    return {
      cluster: call.cluster,
      service: 'EKS',
      api,
      region: call.region,
      roleArn: call.roleArn,
      iamAction: `eks:${api}`,
      resource,
      notFoundAdvice:
        api === 'DescribeCluster' || api === 'ListPodIdentityAssociations' || api === 'ListAddons'
          ? `EKS has no cluster "${call.clusterName}" in ${call.region} for ${call.roleArn ? `the role ${call.roleArn}` : "greenlight's own AWS account"}: awsAuthConfig.clusterName in the cluster's Argo CD Secret is wrong, or the cluster is in another account or region`
          : undefined,
      quoteAwsMessage: true,
    };
  }
}
