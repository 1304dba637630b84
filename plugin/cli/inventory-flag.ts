/**
 * @module `--inventory`: where a command's clusters come from, the same flag in every command.
 * "demo" (the bundled demo fleet), "argocd" (the cluster Secrets, through the kubeconfig), or a
 * fleet file path; a value that is none of these is refused here, before anything is opened.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { didYouMean } from './suggest.js';
import { UsageError } from './usage-error.js';

export const INVENTORY_OPTION = { type: 'string' } as const;

/** The named inventories; anything else is a fleet file path. */
export const INVENTORY_NAMES = ['demo', 'argocd'] as const;

/** What `--inventory` falls back to when neither the flag nor GREENLIGHT_INVENTORY is given. */
export type InventoryDefault = 'demo' | 'argocd';

/** The usage lines for `--inventory`. */
export function inventoryUsage(fallback: InventoryDefault = 'demo'): string {
  return `      --inventory SRC      "demo" (the bundled demo fleet), a fleet file path, or "argocd"
                           (the cluster Secrets in $ARGOCD_NAMESPACE, through KUBECONFIG);
                           default: $GREENLIGHT_INVENTORY, else ${fallback}`;
}

/** The inventory a command works on, as GREENLIGHT_INVENTORY spells it. */
export interface ChosenInventory {
  /** `demo`, `argocd` or a fleet file path. */
  readonly value: string;
  readonly kind: 'demo' | 'argocd' | 'fleet-file';
}

/**
 * The flag, else GREENLIGHT_INVENTORY, else `fallback`. Throws `UsageError` when it names a
 * fleet file that is not there (a typo of "demo" is the usual cause), saying what is accepted.
 */
export function chooseInventory(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, fallback: InventoryDefault = 'demo'): ChosenInventory {
  const fromEnv = env['GREENLIGHT_INVENTORY']?.trim();
  const value = flag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : fallback);
  const given = flag !== undefined ? '--inventory' : 'GREENLIGHT_INVENTORY';
  if (value === 'demo' || value === 'argocd') return { value, kind: value };
  const path = resolve(value);
  if (!existsSync(path)) {
    throw new UsageError(
      `${given}: no fleet file ${value} (${path} does not exist); use demo, argocd, or a path to a fleet file${didYouMean(value, INVENTORY_NAMES)}`,
    );
  }
  if (statSync(path).isDirectory()) throw new UsageError(`${given}: ${value} is a directory; give the fleet file in it, or demo or argocd`);
  return { value, kind: 'fleet-file' };
}
