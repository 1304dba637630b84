/**
 * @module The EKS access entry the EKS-managed Argo CD capability needs on a cluster it deploys
 * to: an access entry for the capability's IAM role and an access policy associated with it
 * (CreateAccessEntry, AssociateAccessPolicy), read first (ListAccessEntries,
 * ListAssociatedAccessPolicies) so that nothing is written twice. Used by `greenlight register
 * --managed-argocd`, with the operator's own AWS identity.
 */
import {
  AssociateAccessPolicyCommand,
  CreateAccessEntryCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { z } from 'zod';
import { describeAwsFailure } from '../aws/aws-errors.js';

/**
 * Argo CD applies whatever its Applications hold, cluster-scoped objects included (CRDs,
 * ClusterRoles, Namespaces, webhooks): the EKS documentation for the capability associates
 * cluster admin, at cluster scope. A narrower policy (AmazonEKSAdminPolicy on namespaces) fits
 * an Argo CD that deploys only namespaced apps there.
 */
export const DEFAULT_ACCESS_POLICY = 'AmazonEKSClusterAdminPolicy';

/** The full ARN of an EKS access policy, in the cluster's partition. */
export function accessPolicyArn(partition: string, policy: string): string {
  return policy.startsWith('arn:') ? policy : `arn:${partition}:eks::aws:cluster-access-policy/${policy}`;
}

/** What one cluster needs for the capability: who, which policy, where. */
export interface AccessEntryPlan {
  readonly clusterName: string;
  readonly region: string;
  /** The capability's IAM role. */
  readonly principalArn: string;
  readonly policyArn: string;
  /** Cluster-wide, or these namespaces only. */
  readonly namespaces: readonly string[];
}

/** What EKS holds for the plan: the access entry, and the policy at the plan's scope. */
export interface AccessEntryState {
  readonly entry: boolean;
  readonly policy: boolean;
}

/** The AWS CLI commands that do what `ensure` does, for an operator who applies them elsewhere. */
export function accessEntryCommands(plan: AccessEntryPlan): string[] {
  const scope = plan.namespaces.length === 0 ? 'type=cluster' : `type=namespace,namespaces=${plan.namespaces.join(',')}`;
  const where = `--region ${plan.region} --cluster-name ${plan.clusterName} --principal-arn ${plan.principalArn}`;
  return [
    `aws eks create-access-entry ${where} --type STANDARD`,
    `aws eks associate-access-policy ${where} --policy-arn ${plan.policyArn} --access-scope ${scope}`,
  ];
}

const listEntries = z.object({ accessEntries: z.array(z.string()).default([]), nextToken: z.string().min(1).optional() });
const listPolicies = z.object({
  associatedAccessPolicies: z
    .array(z.object({ policyArn: z.string(), accessScope: z.object({ type: z.string(), namespaces: z.array(z.string()).optional() }).optional() }))
    .default([]),
  nextToken: z.string().min(1).optional(),
});

/** Access entries are few per cluster; a list that does not end is refused rather than followed. */
const MAX_PAGES = 20;

export class EksAccessEntries {
  constructor(private readonly clientFor: (region: string) => EKSClient) {}

  static fromConfig(config: { credentials?: AwsCredentialIdentityProvider; endpoint?: string } = {}): EksAccessEntries {
    const clients = new Map<string, EKSClient>();
    return new EksAccessEntries((region) => {
      let client = clients.get(region);
      if (!client) {
        client = new EKSClient({
          region,
          ...(config.credentials ? { credentials: config.credentials } : {}),
          ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
        });
        clients.set(region, client);
      }
      return client;
    });
  }

  /** Whether the entry exists and the policy is associated at the plan's scope. Rejects with an `Error` saying what to do. */
  async state(plan: AccessEntryPlan): Promise<AccessEntryState> {
    const client = this.clientFor(plan.region);
    let entry = false;
    let token: string | undefined;
    let pages = 0;
    do {
      if (++pages > MAX_PAGES) throw new Error(`EKS ListAccessEntries of cluster "${plan.clusterName}" in ${plan.region} still had more pages after ${MAX_PAGES}; greenlight stops there`);
      const raw = await this.call(plan, 'ListAccessEntries', 'eks:ListAccessEntries', () =>
        client.send(new ListAccessEntriesCommand({ clusterName: plan.clusterName, maxResults: 100, ...(token ? { nextToken: token } : {}) })),
      );
      const page = this.parse(plan, 'ListAccessEntries', listEntries, raw);
      if (page.accessEntries.includes(plan.principalArn)) entry = true;
      token = entry ? undefined : page.nextToken;
    } while (token !== undefined);
    if (!entry) return { entry, policy: false };

    let policy = false;
    token = undefined;
    pages = 0;
    do {
      if (++pages > MAX_PAGES) throw new Error(`EKS ListAssociatedAccessPolicies of cluster "${plan.clusterName}" in ${plan.region} still had more pages after ${MAX_PAGES}; greenlight stops there`);
      const raw = await this.call(plan, 'ListAssociatedAccessPolicies', 'eks:ListAssociatedAccessPolicies', () =>
        client.send(new ListAssociatedAccessPoliciesCommand({ clusterName: plan.clusterName, principalArn: plan.principalArn, maxResults: 100, ...(token ? { nextToken: token } : {}) })),
      );
      const page = this.parse(plan, 'ListAssociatedAccessPolicies', listPolicies, raw);
      policy = page.associatedAccessPolicies.some((p) => p.policyArn === plan.policyArn && sameScope(p.accessScope, plan.namespaces));
      token = policy ? undefined : page.nextToken;
    } while (token !== undefined);
    return { entry, policy };
  }

  /**
   * Creates what `state` found missing: the access entry (type STANDARD), then the policy
   * association (AssociateAccessPolicy replaces the scope of an association of the same policy).
   */
  async ensure(plan: AccessEntryPlan, state: AccessEntryState): Promise<void> {
    const client = this.clientFor(plan.region);
    if (!state.entry) {
      await this.call(plan, 'CreateAccessEntry', 'eks:CreateAccessEntry', () =>
        client.send(new CreateAccessEntryCommand({ clusterName: plan.clusterName, principalArn: plan.principalArn, type: 'STANDARD' })),
      );
    }
    if (!state.policy) {
      await this.call(plan, 'AssociateAccessPolicy', 'eks:AssociateAccessPolicy', () =>
        client.send(
          new AssociateAccessPolicyCommand({
            clusterName: plan.clusterName,
            principalArn: plan.principalArn,
            policyArn: plan.policyArn,
            accessScope: plan.namespaces.length === 0 ? { type: 'cluster' } : { type: 'namespace', namespaces: [...plan.namespaces] },
          }),
        ),
      );
    }
  }

  private async call<T>(plan: AccessEntryPlan, api: string, iamAction: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw new Error(
        describeAwsFailure(
          err,
          {
            service: 'EKS',
            api,
            iamAction,
            resource: `cluster "${plan.clusterName}" in ${plan.region}`,
            accessDeniedAdvice: `Run greenlight register with an AWS identity allowed ${iamAction} on cluster "${plan.clusterName}", or run the printed aws commands as someone who is`,
            notFoundAdvice: `There is no EKS cluster "${plan.clusterName}" in ${plan.region}, or no access entry for ${plan.principalArn} on it`,
            quoteAwsMessage: true,
          },
          `EKS ${api} for ${plan.principalArn} on cluster "${plan.clusterName}" in ${plan.region}`,
        ),
        { cause: err },
      );
    }
  }

  private parse<S extends z.ZodType>(plan: AccessEntryPlan, api: string, schema: S, raw: unknown): z.infer<S> {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new Error(`EKS ${api} of cluster "${plan.clusterName}" in ${plan.region} returned an answer greenlight cannot use: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
    return parsed.data;
  }
}

function sameScope(scope: { readonly type: string; readonly namespaces?: readonly string[] | undefined } | undefined, namespaces: readonly string[]): boolean {
  if (namespaces.length === 0) return scope?.type === 'cluster';
  const have = new Set(scope?.namespaces ?? []);
  return scope?.type === 'namespace' && namespaces.every((n) => have.has(n)) && have.size === namespaces.length;
}
