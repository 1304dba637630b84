/** @module Domain types of the core. Types of data that enter from outside are inferred from the contract. */
import type { ClusterFacts, FactsOrigin } from './contract/cluster-facts.js';

/** One cluster as registered in Argo CD (or in a fleet file). */
export interface ClusterRecord {
  /** Argo CD cluster name (`data.name` of the cluster Secret). */
  readonly name: string;
  readonly server: string;
  readonly project: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Where the record comes from, for messages: `Secret argocd/cluster-prod-eu-green`. */
  readonly origin: string;
  /** How Argo CD reaches the cluster on AWS (`config.awsAuthConfig`), when it does. */
  readonly aws?: { readonly clusterName: string; readonly roleArn?: string | undefined; readonly profile?: string | undefined };
}

/** A registration that could not be read. Selected problems fail the request; they are never dropped. */
export interface InventoryProblem {
  readonly origin: string;
  /** The cluster name, when it could be read. */
  readonly name?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly reason: string;
}

export interface InventorySnapshot {
  readonly clusters: readonly ClusterRecord[];
  readonly problems: readonly InventoryProblem[];
  /**
   * Clusters that left the inventory less than the removal grace ago (a Secret deleted, a fleet
   * file shrinking, a relist without them). A request that may select one fails (503
   * `GL_CLUSTER_LEAVING`) rather than answer without it; absent means none.
   */
  readonly leaving?: readonly LeavingCluster[];
}

/** A cluster that was in the inventory and is no longer: what selection needs to know of it. */
export interface LeavingCluster {
  readonly name: string;
  /** Its API server URL when it was last seen, when known. */
  readonly server?: string | undefined;
  /** Where it was registered, for messages. */
  readonly origin: string;
  /** Its labels when it was last seen. */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether pair and role missing from its labels may have come from EKS tags (registered through EKS, or not known). */
  readonly eksTags: boolean;
  /** When it was first seen missing (ms since the epoch). */
  readonly leftAt: number;
  /** When answers stop waiting for it (ms since the epoch): `leftAt` plus the removal grace. */
  readonly dropAt: number;
}

/** Facts of one cluster with where and when each part was read. */
export interface FactsResult {
  readonly facts: ClusterFacts;
  readonly origins: readonly FactsOrigin[];
}

/** A cluster's place in a blue/green pair (labels and annotations, else EKS tags). */
export interface BlueGreen {
  readonly pair?: string;
  readonly role?: string;
  readonly weight?: string;
  readonly domain?: string;
}

/**
 * The part of `AbortSignal` the core relies on; declared here so that the core compiles
 * without DOM or Node types.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** greenlight's keys on Argo CD cluster Secrets and EKS tags (DESIGN.md). */
export const BLUE_GREEN_KEYS = {
  pair: 'greenlight.io/pair',
  role: 'greenlight.io/role',
  weight: 'greenlight.io/weight',
  domain: 'greenlight.io/domain',
} as const;
