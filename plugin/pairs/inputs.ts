/**
 * @module Where the optional inputs of a pair evaluation come from in each configuration (the
 * Argo CD Applications, EKS readiness data), and the bounded cache in front of EKS's answers.
 */
import type { ClusterInventory, ClusterRecord } from '../../generator/index.js';
import { demoApplications } from '../adapters/demo/demo-applications.js';
import type { ApplicationSource } from '../adapters/argocd/application-source.js';
import type { ReadinessDataSource } from '../adapters/eks/eks-readiness-source.js';
import { estimateBytes, keyBytes, type StatsSource } from '../cache-stats.js';
import type { FactsConfig, InventoryConfig } from '../config.js';
import type { LiveAws } from '../live-fleet.js';
import type { Logger } from '../logger.js';

/** The optional inputs of readiness in one configuration, and how to release them. */
export interface ReadinessInputs {
  readonly applications?: ApplicationSource | undefined;
  readonly readiness?: ReadinessDataSource | undefined;
  close(): void;
}

export interface ReadinessInputsOptions {
  readonly logger?: Logger;
  readonly demoInventory?: ClusterInventory;
  readonly now?: () => number;
  /** The live fleet's AWS credentials and EKS rate budget, so that roles are assumed once and every EKS call shares one budget. */
  readonly aws?: LiveAws | undefined;
}

/**
 * Live mode (`argocd`): Applications from the Argo CD namespace and EKS readiness data with the
 * same credentials scheme as the fact sources. Demo mode: the demo Applications (parity only;
 * they carry no `status.resources`) when `demoInventory` is given. Fleet files: none.
 */
export async function openReadinessInputs(
  config: { readonly inventory: InventoryConfig; readonly facts: FactsConfig },
  options: ReadinessInputsOptions = {},
): Promise<ReadinessInputs> {
  const inv = config.inventory;
  if (inv.kind === 'argocd') {
    // Loaded only here, as the live fleet is (see compose.ts).
    const { openLiveReadinessInputs } = await import('../live-fleet.js');
    return openLiveReadinessInputs(inv.namespace, config.facts, options);
  }
  const demo = options.demoInventory;
  if (inv.kind === 'demo' && demo) {
    const now = options.now ?? Date.now;
    return { applications: { list: async () => demoApplications(demo.snapshot().clusters, now()).applications }, close: () => {} };
  }
  return { close: () => {} };
}

/** The default bound of the readiness data cache (GREENLIGHT_READINESS_CACHE_BYTES). */
export const DEFAULT_READINESS_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * Remembers a readiness source's answers for `ttlMs` (EKS refreshes insights about daily and
 * add-on versions change with releases), so that frequent scrapes cost few AWS calls. Bounded
 * in bytes (each answer's estimate, with its key; the oldest go first), expired answers swept
 * on every lookup, failures never kept, one read at a time per key.
 */
export function cachedReadinessData(source: ReadinessDataSource, ttlMs: number, clock: () => number, maxBytes = DEFAULT_READINESS_CACHE_BYTES): ReadinessDataSource & StatsSource {
  /** Insertion order is age order: an entry is only ever added, never refreshed in place. */
  const memo = new Map<string, { at: number; value: unknown; bytes: number }>();
  const reading = new Map<string, Promise<unknown>>();
  let bytes = 0;
  const drop = (key: string, bytesOf: number) => {
    memo.delete(key);
    bytes -= bytesOf;
  };
  const sweep = (now: number) => {
    for (const [key, e] of memo) {
      if (now - e.at < ttlMs) break;
      drop(key, e.bytes);
    }
  };
  const keep = (key: string, value: unknown) => {
    const size = keyBytes(key) + estimateBytes(value);
    if (size > maxBytes) return;
    for (const [k, e] of memo) {
      if (bytes + size <= maxBytes) break;
      drop(k, e.bytes);
    }
    memo.set(key, { at: clock(), value, bytes: size });
    bytes += size;
  };
  const remember = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    sweep(clock());
    const hit = memo.get(key);
    if (hit) return Promise.resolve(hit.value as T);
    const pending = reading.get(key);
    if (pending) return pending as Promise<T>;
    const value = load();
    reading.set(key, value);
    value.then(
      (v) => {
        reading.delete(key);
        keep(key, v);
      },
      // Never keep a failure: the next scrape asks again.
      () => reading.delete(key),
    );
    return value;
  };
  const id = (c: ClusterRecord) => `${c.name}\u0000${c.server}\u0000${c.aws?.clusterName ?? ''}\u0000${c.aws?.roleArn ?? ''}`;
  return {
    appliesTo: (c) => source.appliesTo(c),
    addonCompatibility: (c, version, names, signal) =>
      remember(`addons\u0000${id(c)}\u0000${version}\u0000${[...names].sort().join(',')}`, () => source.addonCompatibility(c, version, names, signal)),
    insights: (c, signal, hints) => remember(`insights\u0000${id(c)}`, () => source.insights(c, signal, hints)),
    stats: () => ({ entries: memo.size, bytes, maxBytes }),
  };
}

