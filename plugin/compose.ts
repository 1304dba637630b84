/**
 * @module Builds the adapters a configuration asks for. Shared by the server (`main.ts`) and the
 * CLI. The live fleet (live-fleet.ts) is imported only when configured.
 */
import {
  DEFAULT_RENDER_BUDGET_MS,
  generateParameters,
  renderLimits,
  TemplateCache,
  type ClusterFactsProvider,
  type ClusterInventory,
} from '../generator/index.js';
import type { ClusterConnections } from './adapters/argocd/cluster-connection.js';
import { FleetFileInventory } from './adapters/fleet-file/fleet-file-inventory.js';
import { FileTokenSource, StaticTokenSource, type TokenSource } from './auth/token-source.js';
import type { StatsSource } from './cache-stats.js';
import type { FactsConfig, InventoryConfig, InventoryPolicy, TokenConfig } from './config.js';
import type { Generate } from './http/routes/getparams.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { LiveAws } from './live-fleet.js';
import { DEMO_FLEET_PATH } from './paths.js';
import { RemovalGrace } from './removal-grace.js';

/** The policy where a caller gives none: the configuration defaults. */
const DEFAULT_POLICY: InventoryPolicy = { removalGraceMs: 120_000, maxStalenessMs: 300_000, fleetFileSettleMs: 1_000, fleetFilePollMs: 2_000 };

export interface Fleet {
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  /** How to reach each cluster and which Secret registers it (live fleets only). */
  readonly connections?: ClusterConnections;
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
function openFleetFile(config: InventoryConfig & { kind: 'demo' | 'fleet-file' }, policy: InventoryPolicy, logger: Logger, watch: boolean): Fleet {
  const path = config.kind === 'demo' ? DEMO_FLEET_PATH : config.path;
  const label = config.kind === 'demo' ? 'the bundled demo fleet' : `fleet file ${path}`;
  const fleet = new FleetFileInventory(path, logger, label).load();
  if (watch) fleet.watch(policy.fleetFilePollMs, policy.fleetFileSettleMs);
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
  config: { inventory: InventoryConfig; facts: FactsConfig; inventoryPolicy?: InventoryPolicy | undefined },
  logger: Logger,
  metrics: Metrics,
  options: { watch: boolean },
): Promise<Fleet> {
  const inv = config.inventory;
  const policy = config.inventoryPolicy ?? DEFAULT_POLICY;
  let fleet: Fleet;
  if (inv.kind === 'argocd') {
    // Loaded only here: the AWS SDK and the Kubernetes client take most of a second and ~80 MB
    // that the demo and fleet files never use.
    const { openLiveFleet } = await import('./live-fleet.js');
    fleet = openLiveFleet(inv.namespace, config.facts, logger, metrics, { maxStalenessMs: policy.maxStalenessMs });
  } else {
    fleet = openFleetFile(inv, policy, logger, options.watch);
  }
  return withRemovalGrace(fleet, policy.removalGraceMs, logger, metrics);
}

/** The fleet with its inventory behind the removal grace: every inventory kind rides out churn the same way. */
function withRemovalGrace(fleet: Fleet, graceMs: number, logger: Logger, metrics: Metrics): Fleet {
  const inventory = new RemovalGrace(fleet.inventory, {
    graceMs,
    logger: logger.child({ component: 'removal-grace' }),
    metrics: { departures: metrics.inventoryDepartures, leaving: metrics.inventoryLeaving },
  });
  return {
    ...fleet,
    inventory,
    close: async () => {
      inventory.close();
      await fleet.close();
    },
  };
}

/** A token (or the proxy secret) from its configuration; `variable` names it in messages. */
export function openTokenSource(config: TokenConfig, logger: Logger, variable = 'GREENLIGHT_TOKEN'): TokenSource {
  if (config.kind === 'file') return new FileTokenSource(config.path, config.reloadMs, logger, `${variable}_FILE`);
  const demo = variable === 'GREENLIGHT_TOKEN' ? 'the demo token' : 'the demo proxy secret';
  return new StaticTokenSource(config.value, config.kind === 'demo' ? demo : variable);
}

/**
 * This process's CPU time in milliseconds: the render budget's clock. It counts the work a
 * request makes the process do, not the time a busy machine makes it wait.
 */
export function cpuClockMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The core use case bound to a fleet, a template cache and the render budget of one request. */
export function bindGenerate(fleet: Fleet, templates = new TemplateCache(), renderBudgetMs = DEFAULT_RENDER_BUDGET_MS): Generate {
  const render = { limits: renderLimits(renderBudgetMs), now: cpuClockMs };
  return (request, signal) => generateParameters(request, { inventory: fleet.inventory, facts: fleet.facts, templates, render }, signal);
}
