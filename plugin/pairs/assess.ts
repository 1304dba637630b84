/**
 * @module One pair's readiness verdict, from the ports: both clusters' facts, the Argo CD
 * Applications, EKS add-on versions and upgrade insights. The verdict itself is the pure
 * `readinessVerdict` of generator/readiness.
 */
import {
  formatMinor,
  kubernetesVersionOf,
  readinessVerdict,
  type AddonCompatibility,
  type CancelSignal,
  type ClusterFactsProvider,
  type ClusterRecord,
  type DriftReport,
  type EksInsight,
  type FactsResult,
  type PairInsights,
  type ReadinessApplication,
  type ReadinessVerdict,
} from '../../generator/index.js';
import type { ReadinessDataSource } from '../adapters/eks/eks-readiness-source.js';

export interface AssessPairInput {
  readonly pair: string;
  readonly blue: ClusterRecord;
  readonly green: ClusterRecord;
  readonly facts: ClusterFactsProvider;
  /** Facts already read (e.g. by `resolvePairs`). */
  readonly knownFacts?: ReadonlyMap<string, FactsResult>;
  /** Argo CD Applications; undefined skips the removed-API check. */
  readonly applications?: readonly ReadinessApplication[] | undefined;
  /** EKS add-on versions and insights; undefined skips those checks. */
  readonly readiness?: ReadinessDataSource | undefined;
  /** The pair's drift report (plugin/pairs/drift.ts), or why there is none; undefined skips the drift check. */
  readonly drift?: DriftReport | { readonly skipped: string } | undefined;
  readonly signal: CancelSignal;
}

/**
 * The verdict on one pair. Facts a cluster's sources cannot give become the verdict's
 * `facts-missing` blockers; a failure of the Applications or EKS readiness reads rejects (the
 * verdict would otherwise skip a check and could say "ready" for want of data).
 */
export async function assessPair(input: AssessPairInput): Promise<ReadinessVerdict> {
  const read = async (c: ClusterRecord): Promise<{ facts?: FactsResult; error?: string }> => {
    const known = input.knownFacts?.get(c.name);
    if (known) return { facts: known };
    try {
      return { facts: await input.facts.factsFor(c, input.signal) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  };
  const [blue, green] = await Promise.all([read(input.blue), read(input.green)]);
  const blueFacts = blue.facts?.facts;
  const greenFacts = green.facts?.facts;

  let addonCompatibility: AddonCompatibility | undefined;
  let insights: PairInsights | undefined;
  const source = input.readiness;
  if (source) {
    const minor = kubernetesVersionOf(greenFacts);
    const greenAddons = greenFacts?.addons;
    const compatibility =
      minor && greenAddons && source.appliesTo(input.green)
        ? source.addonCompatibility(input.green, formatMinor(minor), greenAddons.map((a) => a.name), input.signal)
        : Promise.resolve(undefined);
    const insightsOf = (c: ClusterRecord, facts: typeof blueFacts): Promise<EksInsight[] | undefined> =>
      facts && source.appliesTo(c) ? source.insights(c, input.signal, { clusterArn: facts.eks?.clusterArn }) : Promise.resolve(undefined);
    const [compat, b, g] = await Promise.all([compatibility, insightsOf(input.blue, blueFacts), insightsOf(input.green, greenFacts)]);
    addonCompatibility = compat;
    if (b !== undefined || g !== undefined) insights = { ...(b !== undefined ? { blue: b } : {}), ...(g !== undefined ? { green: g } : {}) };
  }

  return readinessVerdict({
    pair: input.pair,
    blue: { name: input.blue.name, server: input.blue.server, facts: blueFacts, factsError: blue.error },
    green: { name: input.green.name, server: input.green.server, facts: greenFacts, factsError: green.error },
    applications: input.applications,
    addonCompatibility,
    insights,
    drift: input.drift,
  });
}

