/** @module The fleet a CLI command works on: the service's own configuration, with the inventory overridable. */
import { openFleet, type Fleet } from '../compose.js';
import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { Metrics } from '../metrics.js';
import type { Io } from './io.js';
import { chooseInventory, type InventoryDefault } from './inventory-flag.js';
import { kubeconfigProblem, withProgress } from './live-access.js';
import { UsageError } from './usage-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/** How long a command waits for the inventory's first complete list. */
const READY_TIMEOUT_MS = 15_000;

/**
 * The service's configuration as a command sees it: `inventory` (else GREENLIGHT_INVENTORY, else
 * `fallback`) checked first, and no token, since looking needs none. Throws `UsageError` naming
 * what to fix.
 */
export function cliConfig(inventory: string | undefined, env: Env, fallback: InventoryDefault = 'demo'): Config {
  const chosen = chooseInventory(inventory, env, fallback);
  if (chosen.kind === 'argocd') {
    const problem = kubeconfigProblem(env);
    if (problem !== undefined) throw new UsageError(problem);
  }
  try {
    return loadConfig({ ...env, GREENLIGHT_TOKEN: 'cli-commands-need-no-token', GREENLIGHT_TOKEN_FILE: undefined, GREENLIGHT_INVENTORY: chosen.value });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Where the live inventory is read from, for the progress line: the kubeconfig's current server. */
async function kubeApiServer(): Promise<string> {
  try {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromDefault();
    return kc.getCurrentCluster()?.server ?? 'the kubeconfig\'s cluster';
  } catch {
    return "the kubeconfig's cluster";
  }
}

/**
 * Opens the inventory the service would (GREENLIGHT_INVENTORY and friends), or `inventory` when
 * given, and waits for its first complete list, saying on stderr what it waits for when that
 * takes more than two seconds. Throws `UsageError` for configuration problems (a mistyped
 * inventory, no kubeconfig), `Error` when the inventory cannot be read.
 */
export async function openCliFleet(inventory: string | undefined, env: Env, io?: Io, fallback: InventoryDefault = 'demo'): Promise<Fleet> {
  return (await openCliConfigAndFleet(inventory, env, io, fallback)).fleet;
}

/** `openCliFleet`, with the configuration it was opened from (for the commands that read more of it). */
export async function openCliConfigAndFleet(inventory: string | undefined, env: Env, io?: Io, fallback: InventoryDefault = 'demo'): Promise<{ readonly config: Config; readonly fleet: Fleet }> {
  const config = cliConfig(inventory, env, fallback);
  const fleet = await openFleet(config, createLogger('silent'), new Metrics({ defaultMetrics: false }), { watch: false });
  const live = config.inventory;
  if (live.kind !== 'argocd') return { config, fleet };
  const server = await kubeApiServer();
  try {
    const ready = fleet.whenReady(READY_TIMEOUT_MS);
    await (io !== undefined ? withProgress(io, `the Argo CD cluster Secrets in namespace ${live.namespace} from the Kubernetes API at ${server}`, ready) : ready);
  } catch (err) {
    await fleet.close();
    // The service's "retry shortly" is for Argo CD, which retries; a person needs the next step.
    const why = (err as Error).message.replace(/; retry shortly$/, '');
    throw new Error(
      `${why}, after ${READY_TIMEOUT_MS / 1000} s: check that the kubeconfig's current context reaches the Argo CD cluster (${server}) and may list Secrets there (kubectl auth can-i list secrets -n ${live.namespace}); in a pod, that its service account may`,
      { cause: err },
    );
  }
  return { config, fleet };
}
