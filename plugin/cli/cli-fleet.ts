/** @module The fleet a CLI command works on: the service's own configuration, with the inventory overridable. */
import { openFleet, type Fleet } from '../compose.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { Metrics } from '../metrics.js';
import { UsageError } from './selection-flags.js';

/**
 * Opens the inventory the service would (GREENLIGHT_INVENTORY and friends), or `inventory` when
 * given, and waits for its first complete list. No token is needed to look.
 * Throws `UsageError` for configuration problems, `Error` when the inventory cannot be read.
 */
export async function openCliFleet(inventory: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<Fleet> {
  let config;
  try {
    config = loadConfig({
      ...env,
      GREENLIGHT_TOKEN: 'cli-commands-need-no-token',
      GREENLIGHT_TOKEN_FILE: undefined,
      ...(inventory !== undefined ? { GREENLIGHT_INVENTORY: inventory } : {}),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const fleet = await openFleet(config, createLogger('silent'), new Metrics({ defaultMetrics: false }), { watch: false });
  try {
    await fleet.whenReady(15_000);
  } catch (err) {
    await fleet.close();
    throw err;
  }
  return fleet;
}
