/** @module A cluster's pair, role, weight and domain: Secret labels/annotations first, then EKS tags. */
import type { ClusterFacts } from './contract/cluster-facts.js';
import { UpstreamError } from './errors.js';
import { BLUE_GREEN_KEYS, type BlueGreen, type ClusterRecord } from './model.js';

/**
 * Whether a blue/green key missing from the Secret's labels may still come from EKS tags: only
 * for clusters registered through EKS (`awsAuthConfig`); for the rest, labels alone decide.
 */
export function mayHaveEksTag(cluster: ClusterRecord, key: string): boolean {
  return !cluster.labels[key] && cluster.aws !== undefined;
}

/** Whether labels alone decide pair and role (no EKS tags needed). */
export function labelsDecideBlueGreen(cluster: ClusterRecord): boolean {
  return Object.hasOwn(cluster.labels, BLUE_GREEN_KEYS.pair) && Object.hasOwn(cluster.labels, BLUE_GREEN_KEYS.role);
}

function picker(facts: ClusterFacts | undefined) {
  const tags = facts?.eks?.tags ?? {};
  return (own: Readonly<Record<string, string>>, key: string): string | undefined =>
    Object.hasOwn(own, key) ? own[key] : Object.hasOwn(tags, key) ? tags[key] : undefined;
}

/** Pair and role only: what selection needs. Never throws, so that one badly registered cluster cannot break the selection of others. */
export function pairAndRole(cluster: ClusterRecord, facts?: ClusterFacts): { pair?: string; role?: string } {
  const pick = picker(facts);
  const pair = pick(cluster.labels, BLUE_GREEN_KEYS.pair);
  const role = pick(cluster.labels, BLUE_GREEN_KEYS.role);
  return { ...(pair ? { pair } : {}), ...(role ? { role } : {}) };
}

/** Pair, role, weight and domain of a selected cluster; throws `UpstreamError` for an invalid weight. */
export function resolveBlueGreen(cluster: ClusterRecord, facts?: ClusterFacts): BlueGreen {
  const pick = picker(facts);

  const result: { -readonly [K in keyof BlueGreen]: BlueGreen[K] } = {};
  const pair = pick(cluster.labels, BLUE_GREEN_KEYS.pair);
  const role = pick(cluster.labels, BLUE_GREEN_KEYS.role);
  const weight = pick(cluster.annotations, BLUE_GREEN_KEYS.weight)?.trim();
  const domain = pick(cluster.annotations, BLUE_GREEN_KEYS.domain);
  if (pair !== undefined && pair !== '') result.pair = pair;
  if (role !== undefined && role !== '') result.role = role;
  if (domain !== undefined && domain !== '') result.domain = domain.replace(/\.$/, '');
  if (weight !== undefined) {
    if (!/^\d{1,3}$/.test(weight) || Number(weight) > 255) {
      throw new UpstreamError(
        'GL_CLUSTER_INVALID',
        `cluster "${cluster.name}" (${cluster.origin}) has ${BLUE_GREEN_KEYS.weight}="${weight}": a Route 53 weight must be a whole number from 0 to 255; fix the annotation (or the EKS tag)`,
      );
    }
    result.weight = String(Number(weight));
  }
  return result;
}
