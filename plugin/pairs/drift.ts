/**
 * @module One pair's drift audit from the ports: Argo CD's tracking method, a metadata-only scan
 * of each of the pair's two clusters (and of no other), and the pure `auditPair` of
 * generator/drift. Live mode only: the demo and fleet files have no cluster API to scan.
 */
import {
  auditPair,
  DEFAULT_TRACKING,
  driftRules,
  parseAcceptRules,
  type CancelSignal,
  type ClusterRecord,
  type ClusterScanner,
  type DriftReport,
  type DriftRules,
  type Tracking,
} from '../../generator/index.js';
import type { Fleet } from '../compose.js';
import type { Config } from '../config.js';
import type { StatsSource } from '../cache-stats.js';
import type { Logger } from '../logger.js';

/** Where the drift audit reads from, in live mode. */
export interface DriftInputs {
  readonly scanner: ClusterScanner & StatsSource;
  readonly tracking: { tracking(signal: CancelSignal): Promise<Tracking> };
  close(): void;
}

/**
 * The drift inputs of a live fleet (its cluster connections and AWS credentials), the demo
 * fleet's objects for the demo, or undefined for fleet files (no cluster API to scan).
 */
export async function openDriftInputs(config: Config, fleet: Fleet, logger: Logger): Promise<DriftInputs | undefined> {
  if (config.inventory.kind === 'demo') {
    const { DemoDriftScanner } = await import('../adapters/demo/demo-drift.js');
    return { scanner: new DemoDriftScanner(), tracking: { tracking: () => Promise.resolve(DEFAULT_TRACKING) }, close: () => undefined };
  }
  if (config.inventory.kind !== 'argocd' || !fleet.connections) return undefined;
  // Loaded only here: the AWS SDK and the Kubernetes client stay out of the demo.
  const { openLiveDriftInputs } = await import('./drift-live.js');
  return openLiveDriftInputs(config, config.inventory.namespace, fleet.connections, fleet.aws, logger);
}

export interface AuditDriftInput {
  readonly pair: string;
  readonly blue: ClusterRecord;
  readonly green: ClusterRecord;
  readonly inputs: DriftInputs;
  readonly config: Config['drift'];
  readonly signal: CancelSignal;
}

/** The rules of this configuration for a tracking method. */
export const rulesFor = (config: Config['drift'], tracking: Tracking): DriftRules => driftRules({ extraToolManagers: config.toolManagers, tracking });

/** The pair's drift report; rejects naming the cluster that could not be scanned. */
export async function auditDrift(input: AuditDriftInput): Promise<DriftReport> {
  const tracking = await input.inputs.tracking.tracking(input.signal);
  const rules = rulesFor(input.config, tracking);
  const [blue, green] = await Promise.all([input.inputs.scanner.scan(input.blue, rules, input.signal), input.inputs.scanner.scan(input.green, rules, input.signal)]);
  return auditPair({ pair: input.pair, blue, green, rules, accept: parseAcceptRules(input.config.accept) });
}

/**
 * The readiness verdict's drift input for a command: the pair's audit, or why there is none (no
 * cluster API in this inventory, or the audit could not finish). Bounded by the scans' budget.
 */
export async function driftForReadiness(input: Omit<AuditDriftInput, 'inputs' | 'signal'> & { readonly inputs: DriftInputs | undefined; readonly source: string }): Promise<DriftReport | { readonly skipped: string }> {
  const { inputs } = input;
  if (!inputs) return { skipped: `drift reads each cluster's own API, which ${input.source} does not give: run with --inventory argocd` };
  try {
    return await auditDrift({ ...input, inputs, signal: AbortSignal.timeout(input.config.timeoutMs * 2) });
  } catch (err) {
    return { skipped: `the drift audit of pair ${input.pair} could not finish: ${(err as Error).message}` };
  }
}
