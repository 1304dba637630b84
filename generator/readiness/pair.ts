/** @module The blue/green pair the readiness rules judge, and the shape of a rule's answer. */
import type { ClusterFacts } from '../contract/cluster-facts.js';
import type { Finding, FindingKind, FindingSeverity } from '../contract/readiness.js';
import { formatMinor, kubernetesVersionOf, type KubeMinor } from './versions.js';

/** One cluster of the pair, with the facts greenlight has for it. */
export interface ReadinessMember {
  /** Argo CD cluster name. */
  readonly name: string;
  /** API server URL as registered in Argo CD: how Applications name their destination. */
  readonly server?: string | undefined;
  readonly facts: ClusterFacts;
}

/** A blue/green pair: blue serves now, green replaces it. */
export interface ReadinessPair {
  readonly pair: string;
  readonly blue: ReadinessMember;
  readonly green: ReadinessMember;
}

/** What one rule found, or why it did not run. */
export type RuleResult =
  | { readonly findings: readonly Finding[]; readonly detail: string }
  | { readonly skipped: string };

/** Builds a finding; fields a rule does not name are null. */
export function finding(
  kind: FindingKind,
  severity: FindingSeverity,
  subject: string,
  message: string,
  more: Partial<Pick<Finding, 'cluster' | 'app' | 'resource' | 'reference' | 'workload'>> = {},
): Finding {
  return {
    kind,
    severity,
    subject,
    message,
    cluster: more.cluster ?? null,
    app: more.app ?? null,
    resource: more.resource ?? null,
    workload: more.workload ?? null,
    reference: more.reference ?? null,
  };
}

/** "1 add-on", "3 add-ons": a count for details. */
export const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A member's Kubernetes minor version, printed; "unknown" when greenlight has none. */
export function versionText(member: ReadinessMember): string {
  const v = kubernetesVersionOf(member.facts);
  return v ? formatMinor(v) : 'unknown';
}

export const versionOf = (member: ReadinessMember): KubeMinor | undefined => kubernetesVersionOf(member.facts);

/** The EKS cluster name for AWS CLI commands in messages: EKS's own, else the Argo CD name. */
export const eksNameOf = (member: ReadinessMember): string => member.facts.eks?.clusterName ?? member.name;

const FACT_GROUP_SOURCE: Readonly<Record<'ssm' | 'podIdentity' | 'addons', string>> = {
  ssm: 'SSM',
  podIdentity: 'EKS Pod Identity',
  addons: 'EKS add-on',
};

/**
 * When exactly one cluster has a fact group, the rule cannot compare: a `facts-missing` blocker
 * naming the cluster that lacks it (fail closed: an unknown is never reported as a match).
 * Undefined when both or neither have it.
 */
export function oneSidedFacts(
  pair: ReadinessPair,
  group: keyof typeof FACT_GROUP_SOURCE,
  has: (facts: ClusterFacts) => boolean,
  what: string,
): Finding | undefined {
  const b = has(pair.blue.facts);
  const g = has(pair.green.facts);
  if (b === g) return undefined;
  const [lacking, other] = b ? [pair.green, pair.blue] : [pair.blue, pair.green];
  const source = FACT_GROUP_SOURCE[group];
  return finding(
    'facts-missing',
    'blocker',
    `facts:${lacking.name}:${group}`,
    `greenlight has ${source} facts for ${other.name} but not for ${lacking.name}, so it cannot compare ${what}. Enable the ${source} fact source for ${lacking.name} (or add the facts to its fleet file entry) and check again.`,
    { cluster: lacking.name },
  );
}
