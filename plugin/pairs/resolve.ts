/**
 * @module Which clusters make up each blue/green pair of the fleet: by the `greenlight.io/pair`
 * and `greenlight.io/role` labels of their Argo CD cluster Secrets, or by the EKS tags of the
 * same names. Every pair evaluation (readiness, drift, the traffic gate) starts here.
 */
import pLimit from 'p-limit';
import { BLUE_GREEN_KEYS, labelsDecideBlueGreen, pairAndRole, type CancelSignal, type ClusterFactsProvider, type ClusterRecord, type FactsResult } from '../../generator/index.js';

/** The clusters of one pair, by role. Readiness is judged when there is exactly one blue and one green. */
export interface PairClusters {
  readonly pair: string;
  readonly blue: readonly ClusterRecord[];
  readonly green: readonly ClusterRecord[];
  readonly other: readonly ClusterRecord[];
}

/** Every pair of the fleet, and the clusters whose pair could not be told (no labels, facts unreadable). */
export interface FleetPairs {
  readonly pairs: ReadonlyMap<string, PairClusters>;
  readonly undecided: readonly { readonly cluster: ClusterRecord; readonly error: string }[];
  /** Facts read on the way (clusters whose labels did not decide), for reuse. */
  readonly facts: ReadonlyMap<string, FactsResult>;
}

/**
 * Places each cluster in its pair by its `greenlight.io/pair` and `greenlight.io/role` labels,
 * or, for EKS clusters lacking them, by the EKS tags of the same names (which needs their facts).
 * `onlyPair` skips reading facts of clusters whose labels put them in another pair.
 */
export async function resolvePairs(clusters: readonly ClusterRecord[], facts: ClusterFactsProvider, signal: CancelSignal, onlyPair?: string): Promise<FleetPairs> {
  const undecidedByLabels = clusters.filter(
    (c) => c.aws !== undefined && !labelsDecideBlueGreen(c) && !(onlyPair !== undefined && Object.hasOwn(c.labels, BLUE_GREEN_KEYS.pair) && c.labels[BLUE_GREEN_KEYS.pair] !== onlyPair),
  );
  const read = new Map<string, FactsResult>();
  const undecided: { cluster: ClusterRecord; error: string }[] = [];
  const limit = pLimit(8);
  await Promise.all(
    undecidedByLabels.map((c) =>
      limit(async () => {
        try {
          read.set(c.name, await facts.factsFor(c, signal));
        } catch (err) {
          undecided.push({ cluster: c, error: (err as Error).message });
        }
      }),
    ),
  );
  const pairs = new Map<string, { pair: string; blue: ClusterRecord[]; green: ClusterRecord[]; other: ClusterRecord[] }>();
  for (const c of clusters) {
    if (undecided.some((u) => u.cluster === c)) continue;
    const { pair, role } = pairAndRole(c, read.get(c.name)?.facts);
    if (pair === undefined || pair === '') continue;
    const entry = pairs.get(pair) ?? { pair, blue: [], green: [], other: [] };
    (role === 'blue' ? entry.blue : role === 'green' ? entry.green : entry.other).push(c);
    pairs.set(pair, entry);
  }
  return { pairs, undecided: undecided.sort((a, b) => a.cluster.name.localeCompare(b.cluster.name)), facts: read };
}

/** Why a pair cannot be judged (not exactly one blue and one green), or undefined when it can. */
export function pairProblem(pair: PairClusters | undefined, name: string, undecided: FleetPairs['undecided'] = []): string | undefined {
  const unplaced =
    undecided.length > 0
      ? ` (greenlight could not tell the pair of ${undecided.map((u) => `${u.cluster.name}: ${u.error.replace(/\.$/, '')}`).join('; ')})`
      : '';
  if (!pair) return `no cluster has ${BLUE_GREEN_KEYS.pair}=${name} (as a label on its Argo CD cluster Secret, or an EKS tag)${unplaced}`;
  for (const role of ['blue', 'green'] as const) {
    const list = pair[role];
    if (list.length === 0) return `pair ${name} has no cluster with ${BLUE_GREEN_KEYS.role}=${role}${pair.other.length + pair.blue.length + pair.green.length > 0 ? ` (its clusters: ${[...pair.blue, ...pair.green, ...pair.other].map((c) => c.name).join(', ')})` : ''}${unplaced}`;
    if (list.length > 1) return `pair ${name} has ${list.length} clusters with ${BLUE_GREEN_KEYS.role}=${role} (${list.map((c) => c.name).join(', ')}): readiness compares one blue with one green; fix the role labels`;
  }
  return undefined;
}

/** A pair of the fleet as an evaluation takes it: its blue and green cluster, or why it cannot be judged. */
export type PairToJudge = { readonly name: string; readonly blue: ClusterRecord; readonly green: ClusterRecord } | { readonly name: string; readonly problem: string };

/** The fleet's first `maxPairs` pairs in name order, each with its clusters or its problem. */
export function pairsToJudge(fleet: FleetPairs, maxPairs: number): PairToJudge[] {
  return [...fleet.pairs.keys()]
    .sort()
    .slice(0, maxPairs)
    .map((name) => {
      const pair = fleet.pairs.get(name);
      const blue = pair?.blue[0];
      const green = pair?.green[0];
      const problem = pairProblem(pair, name);
      return problem !== undefined || !blue || !green ? { name, problem: problem ?? `pair ${name} is incomplete` } : { name, blue, green };
    });
}

/** One pair that can be judged: its blue and green cluster, and the facts read to place them. */
export interface JudgedPair {
  readonly pair: string;
  readonly blue: ClusterRecord;
  readonly green: ClusterRecord;
  readonly knownFacts: ReadonlyMap<string, FactsResult>;
}

/** A pair that cannot be judged: the message says which labels to fix. */
export class PairProblemError extends Error {
  override readonly name = 'PairProblemError';
}

/**
 * Finds one pair's blue and green cluster (what every command about a pair does first).
 * Rejects with `PairProblemError` when the pair is not exactly one blue and one green.
 */
export async function resolvePair(clusters: readonly ClusterRecord[], facts: ClusterFactsProvider, signal: CancelSignal, name: string): Promise<JudgedPair> {
  const fleet = await resolvePairs(clusters, facts, signal, name);
  const pair = fleet.pairs.get(name);
  const problem = pairProblem(pair, name, fleet.undecided);
  const blue = pair?.blue[0];
  const green = pair?.green[0];
  if (problem !== undefined || !blue || !green) throw new PairProblemError(problem ?? `pair ${name} is incomplete`);
  return { pair: name, blue, green, knownFacts: fleet.facts };
}
