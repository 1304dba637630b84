/**
 * @module The service's pair evaluation, drift audits and traffic gates over an inventory whose
 * clusters are the demo's (prod-eu-blue and prod-eu-green): the demo's built-in cluster objects
 * and traffic (plugin/adapters/demo), judged by the real rules, as `npm start` serves them.
 */
import { DEFAULT_TRACKING, gateSettings, type ClusterFactsProvider, type ClusterInventory } from '../../generator/index.js';
import type { ListedApplication } from '../../plugin/adapters/argocd/application-source.js';
import { DemoDriftScanner } from '../../plugin/adapters/demo/demo-drift.js';
import { DemoExternalDns, DemoPrometheus, DemoRecords } from '../../plugin/adapters/demo/demo-gate.js';
import { PrometheusHealthSource } from '../../plugin/adapters/prometheus/prometheus-health-source.js';
import type { DriftConfig } from '../../plugin/config.js';
import { Metrics } from '../../plugin/metrics.js';
import { DriftAudits } from '../../plugin/pairs/drift-audits.js';
import { PairEvaluator } from '../../plugin/pairs/evaluation.js';
import { GateEvaluator } from '../../plugin/pairs/gate-evaluation.js';

export const DEMO_DRIFT_CONFIG: DriftConfig = { toolManagers: [], accept: [], ratePerSecond: null, pageSize: 500, ttlMs: 600_000, cacheBytes: 1 << 20, maxObjects: 10_000, timeoutMs: 10_000, serviceAudits: true };

export function demoPairServices(fleet: ClusterInventory & ClusterFactsProvider, applications: () => Promise<ListedApplication[]>) {
  const drifts = new DriftAudits({ inventory: fleet, facts: fleet, inputs: { scanner: new DemoDriftScanner(), tracking: { tracking: async () => DEFAULT_TRACKING }, close: () => undefined }, config: DEMO_DRIFT_CONFIG });
  const verdicts = new PairEvaluator({ inventory: fleet, facts: fleet, applications: { list: applications }, drift: drifts });
  const settings = gateSettings();
  const sources = {
    settings,
    health: new PrometheusHealthSource({ signals: settings.signals }, new DemoPrometheus()),
    records: new DemoRecords(() => fleet.snapshot().clusters),
    externalDns: new DemoExternalDns(),
    close: () => undefined,
  };
  const gates = new GateEvaluator({ registry: new Metrics({ defaultMetrics: false }).registry, evaluator: verdicts, inventory: fleet, facts: fleet, sources });
  return { drifts, verdicts, gates };
}
