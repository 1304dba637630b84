/**
 * @module `greenlight_drift_objects{pair,cluster,class}`: each pair's latest drift report as
 * gauges, read on scrape. Findings a team signed off are counted under `class="accepted"`, so
 * that a dashboard sees them as accepted rather than gone.
 */
import { Gauge, type Registry } from 'prom-client';
import { DRIFT_CLASSES, type DriftReport } from '../../generator/index.js';

/** The latest drift report of each pair, shown as gauges. */
export class DriftGauges {
  private readonly reports = new Map<string, DriftReport>();

  constructor(registry: Registry) {
    const reports = this.reports;
    new Gauge({
      name: 'greenlight_drift_objects',
      help: 'What blue runs that Git does not, from the latest drift audit of each pair: unmanaged objects, hotfixes and EBS-bound claims (signed-off ones under class="accepted"), by the cluster they are on.',
      labelNames: ['pair', 'cluster', 'class'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [pair, report] of reports) {
          const clusters = new Set([report.blue, ...report.findings.map((f) => f.cluster)]);
          for (const cluster of clusters) {
            const mine = report.findings.filter((f) => f.cluster === cluster);
            for (const cls of DRIFT_CLASSES) this.set({ pair, cluster, class: cls }, mine.filter((f) => f.class === cls && !f.accepted).length);
            this.set({ pair, cluster, class: 'accepted' }, mine.filter((f) => f.accepted).length);
          }
        }
      },
    });
  }

  /** Shows `report` for its pair from now on. */
  record(report: DriftReport): void {
    this.reports.set(report.pair, report);
  }

  /** Forgets pairs that are gone. */
  retain(pairs: Iterable<string>): void {
    const keep = new Set(pairs);
    for (const pair of this.reports.keys()) if (!keep.has(pair)) this.reports.delete(pair);
  }
}
