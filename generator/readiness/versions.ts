/** @module Kubernetes minor versions and EKS add-on versions: parsed, compared, printed. Pure. */
import type { ClusterFacts } from '../contract/cluster-facts.js';

/** A Kubernetes minor version, such as 1.32. */
export interface KubeMinor {
  readonly major: number;
  readonly minor: number;
}

/** Parses "1.32", "v1.32", "1.32.4" or "1.32+"; undefined for anything else. */
export function parseMinor(text: string | undefined | null): KubeMinor | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text?.trim() ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export const formatMinor = (v: KubeMinor): string => `${v.major}.${v.minor}`;

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export const compareMinor = (a: KubeMinor, b: KubeMinor): number => a.major - b.major || a.minor - b.minor;

/**
 * A cluster's Kubernetes minor version: what its own API says (`/version` major and minor, where
 * EKS appends "+"), else what EKS `DescribeCluster` says. The cluster's own answer comes first
 * because it is the server that accepts or rejects manifests.
 */
export function kubernetesVersionOf(facts: ClusterFacts | undefined): KubeMinor | undefined {
  const k = facts?.kubernetes;
  if (k) {
    const own = parseMinor(`${k.major}.${k.minor.replace(/\D+$/, '')}`);
    if (own) return own;
  }
  return parseMinor(facts?.eks?.version);
}

/** The numbers in an add-on version, "v1.19.2-eksbuild.1" → [1, 19, 2, 1]. */
const numbersOf = (version: string): number[] => (version.match(/\d+/g) ?? []).map(Number);

/**
 * Orders EKS add-on versions ("v1.19.2-eksbuild.1") by their numbers, left to right, so that
 * v1.19.10 is newer than v1.19.9 and eksbuild.2 newer than eksbuild.1. Ties fall back to the text.
 */
export function compareAddonVersions(a: string, b: string): number {
  const x = numbersOf(a);
  const y = numbersOf(b);
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return a.localeCompare(b);
}

/** The newest of some add-on versions; undefined for none. */
export function newestAddonVersion(versions: readonly string[]): string | undefined {
  return [...versions].sort(compareAddonVersions).pop();
}
