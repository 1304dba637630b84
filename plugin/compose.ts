/** @module Builds the adapters a configuration asks for. Shared by the server (`main.ts`) and the CLI. */
import { generateParameters, TemplateCache, type ClusterFactsProvider, type ClusterInventory } from '../generator/index.js';
import { FleetFileInventory } from './adapters/fleet-file/fleet-file-inventory.js';
import { FileTokenSource, StaticTokenSource, type TokenSource } from './auth/token-source.js';
import type { InventoryConfig, TokenConfig } from './config.js';
import type { Generate } from './http/routes/getparams.js';
import type { Logger } from './logger.js';
import { DEMO_FLEET_PATH } from './paths.js';

export interface Fleet {
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  /** Where the clusters come from, for people: "the bundled demo fleet (demo/fleet.yaml)". */
  readonly description: string;
  close(): void;
}

/** Opens the inventory and fact sources; throws if a fleet file is invalid at start. */
export function openFleet(config: InventoryConfig, logger: Logger, options: { watch: boolean }): Fleet {
  if (config.kind === 'argocd') throw new Error('the argocd inventory is opened by openLiveFleet');
  const path = config.kind === 'demo' ? DEMO_FLEET_PATH : config.path;
  const label = config.kind === 'demo' ? 'the bundled demo fleet' : `fleet file ${path}`;
  const fleet = new FleetFileInventory(path, logger, label).load();
  if (options.watch) fleet.watch();
  return { inventory: fleet, facts: fleet, description: config.kind === 'demo' ? `${label} (${path})` : label, close: () => fleet.close() };
}

export function openTokenSource(config: TokenConfig, logger: Logger): TokenSource {
  if (config.kind === 'file') return new FileTokenSource(config.path, config.reloadMs, logger);
  return new StaticTokenSource(config.value, config.kind === 'demo' ? 'the demo token' : 'GREENLIGHT_TOKEN');
}

/** The core use case bound to a fleet and a template cache. */
export function bindGenerate(fleet: Fleet, templates = new TemplateCache()): Generate {
  return (request, signal) => generateParameters(request, { inventory: fleet.inventory, facts: fleet.facts, templates }, signal);
}
