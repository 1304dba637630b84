/**
 * @module Builds the adapters a configuration asks for. Shared by the server (`main.ts`) and the
 * CLI. The live fleet (live-fleet.ts) is imported only when configured.
 */
import { generateParameters, TemplateCache, type ClusterFactsProvider, type ClusterInventory } from '../generator/index.js';
import { FleetFileInventory } from './adapters/fleet-file/fleet-file-inventory.js';
import { FileTokenSource, StaticTokenSource, type TokenSource } from './auth/token-source.js';
import type { StatsSource } from './cache-stats.js';
import type { FactsConfig, InventoryConfig, TokenConfig } from './config.js';
import type { Generate } from './http/routes/getparams.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { LiveAws } from './live-fleet.js';
import { DEMO_FLEET_PATH } from './paths.js';

export interface Fleet {
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  /** Live fleets only. */
  readonly aws?: LiveAws;
  /** The fleet's caches by name, for the cache gauges (live fleets: `facts`). */
  readonly caches?: Readonly<Record<string, StatsSource>>;
  /** Where the clusters come from, for people: "the bundled demo fleet (demo/fleet.yaml)". */
  readonly description: string;
  /** Resolves once the inventory has a first complete list, or rejects after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a fleet file (or the demo); throws if it is invalid at start. */
function openFleetFile(config: InventoryConfig & { kind: 'demo' | 'fleet-file' }, logger: Logger, watch: boolean): Fleet {
  const path = config.kind === 'demo' ? DEMO_FLEET_PATH : config.path;
  const label = config.kind === 'demo' ? 'the bundled demo fleet' : `fleet file ${path}`;
  const fleet = new FleetFileInventory(path, logger, label).load();
  if (watch) fleet.watch();
  return {
    inventory: fleet,
    facts: fleet,
    description: config.kind === 'demo' ? `${label} (${path})` : label,
    whenReady: async () => {},
    close: async () => fleet.close(),
  };
}

/** Opens the inventory and fact sources the configuration names. */
export async function openFleet(
  config: { inventory: InventoryConfig; facts: FactsConfig },
  logger: Logger,
  metrics: Metrics,
  options: { watch: boolean },
): Promise<Fleet> {
  const inv = config.inventory;
  if (inv.kind === 'argocd') {
    // Loaded only here: the AWS SDK and the Kubernetes client take most of a second and ~80 MB
    // that the demo and fleet files never use.
    const { openLiveFleet } = await import('./live-fleet.js');
    return openLiveFleet(inv.namespace, config.facts, logger, metrics);
  }
  return openFleetFile(inv, logger, options.watch);
}

/** A token (or the proxy secret) from its configuration; `variable` names it in messages. */
export function openTokenSource(config: TokenConfig, logger: Logger, variable = 'GREENLIGHT_TOKEN'): TokenSource {
  if (config.kind === 'file') return new FileTokenSource(config.path, config.reloadMs, logger, `${variable}_FILE`);
  const demo = variable === 'GREENLIGHT_TOKEN' ? 'the demo token' : 'the demo proxy secret';
  return new StaticTokenSource(config.value, config.kind === 'demo' ? demo : variable);
}

/** The core use case bound to a fleet and a template cache. */
export function bindGenerate(fleet: Fleet, templates = new TemplateCache()): Generate {
  return (request, signal) => generateParameters(request, { inventory: fleet.inventory, facts: fleet.facts, templates }, signal);
}
