import { describe, expect, it } from 'vitest';
import { DEFAULT_TRACKING, type CancelSignal, type ClusterRecord, type ClusterScan, type ClusterScanner, type DriftRules, type ObjectRef } from '../../../../generator/index.js';
import { DemoDriftScanner } from '../../../../plugin/adapters/demo/demo-drift.js';
import type { StatsSource } from '../../../../plugin/cache-stats.js';
import { DriftAudits, driftInput } from '../../../../plugin/pairs/drift-audits.js';
import { aCluster, blueGreenLabels, fullFacts } from '../../../support/builders.js';
import { InMemoryFleet } from '../../../support/in-memory-fleet.js';
import { DEMO_DRIFT_CONFIG } from '../../../support/demo-pair-services.js';
import { eventually } from '../../../support/patience.js';

/** The demo's scanner, holding each scan of the clusters named in `held` until released. */
class HeldScanner implements ClusterScanner {
  private readonly demo = new DemoDriftScanner(() => Date.parse('2026-12-04T04:00:00Z'));
  private readonly waiting = new Map<string, () => void>();
  readonly scanned: string[] = [];
  constructor(private readonly held: Set<string>) {}
  async scan(cluster: ClusterRecord, rules: DriftRules, signal: CancelSignal): Promise<ClusterScan> {
    if (this.held.has(cluster.name)) await new Promise<void>((resolve) => this.waiting.set(cluster.name, resolve));
    this.scanned.push(cluster.name);
    return this.demo.scan(cluster, rules, signal);
  }
  readObject(cluster: ClusterRecord, ref: ObjectRef, signal: CancelSignal) {
    return this.demo.readObject(cluster, ref, signal);
  }
  stats() {
    return this.demo.stats();
  }
  isWaiting(name: string): boolean {
    return this.waiting.has(name);
  }
  release(name: string): void {
    this.waiting.get(name)?.();
    this.waiting.delete(name);
    this.held.delete(name);
  }
}

function fleet(): InMemoryFleet {
  const f = new InMemoryFleet();
  for (const pair of ['prod-eu', 'prod-us']) {
    for (const role of ['blue', 'green'] as const) f.add(aCluster({ name: `${pair}-${role}`, labels: blueGreenLabels(pair, role) }), fullFacts(`${pair}-${role}`, '1.31'));
  }
  return f;
}

/** Waits (bounded by the suite's patience) until `condition` holds. */
const until = (condition: () => boolean) =>
  eventually(async () => {
    if (!condition()) throw new Error('not yet');
  });

describe('DriftAudits', () => {
  it('serves each pair as soon as its audit ends, while the round goes on', async () => {
    const f = fleet();
    const scanner = new HeldScanner(new Set(['prod-us-green']));
    const audits = new DriftAudits({ inventory: f, facts: f, inputs: { scanner, tracking: { tracking: async () => DEFAULT_TRACKING }, close: () => undefined }, config: DEMO_DRIFT_CONFIG });
    expect(await audits.latest()).toBeUndefined();
    await until(() => scanner.isWaiting('prod-us-green'));
    const partial = await audits.latest();
    expect([...(partial?.pairs.keys() ?? [])]).toEqual(['prod-eu']);
    expect(driftInput(partial, 'prod-us')).toEqual({
      skipped: "greenlight's first drift audit of pair prod-us is under way (it scans both clusters under a rate budget); reload in a minute, or run greenlight drift --pair prod-us",
    });
    const eu = driftInput(partial, 'prod-eu');
    expect('findings' in eu && eu.findings.length).toBe(6);
    scanner.release('prod-us-green');
    await until(() => scanner.scanned.includes('prod-us-green'));
    await audits.refresh();
    expect([...((await audits.latest())?.pairs.keys() ?? [])].sort()).toEqual(['prod-eu', 'prod-us']);
  });

  it('waits for the first round no longer than asked, then serves what it has', async () => {
    const f = fleet();
    const scanner = new HeldScanner(new Set(['prod-eu-green']));
    const audits = new DriftAudits({ inventory: f, facts: f, inputs: { scanner, tracking: { tracking: async () => DEFAULT_TRACKING }, close: () => undefined }, config: DEMO_DRIFT_CONFIG });
    expect(await audits.latest(20)).toBeUndefined();
    scanner.release('prod-eu-green');
    const first = await audits.latest(60_000);
    expect([...(first?.pairs.keys() ?? [])].sort()).toEqual(['prod-eu', 'prod-us']);
  });

  it('audits again once the TTL has passed, never making a reader wait, and forgets pairs that left', async () => {
    const f = fleet();
    let now = 0;
    const scanner = new HeldScanner(new Set());
    const audits = new DriftAudits({ inventory: f, facts: f, inputs: { scanner, tracking: { tracking: async () => DEFAULT_TRACKING }, close: () => undefined }, config: { ...DEMO_DRIFT_CONFIG, ttlMs: 1000 }, clock: () => now });
    await audits.refresh();
    expect(scanner.scanned).toHaveLength(4);
    await audits.latest();
    expect(scanner.scanned).toHaveLength(4);
    f.clusters = f.clusters.filter((c) => !c.name.startsWith('prod-us-'));
    now = 1000;
    const stale = await audits.latest();
    expect([...(stale?.pairs.keys() ?? [])].sort()).toEqual(['prod-eu', 'prod-us']);
    await until(() => scanner.scanned.length === 6);
    expect(stale?.pairs.get('prod-eu')).toBeDefined();
    await audits.refresh();
    expect([...((await audits.latest())?.pairs.keys() ?? [])]).toEqual(['prod-eu']);
  });

  it("says why a pair has no audit: the pair is incomplete, or a cluster's scan failed", async () => {
    const f = fleet().add(aCluster({ name: 'lonely-blue', labels: blueGreenLabels('lonely', 'blue') }), fullFacts('lonely-blue', '1.31'));
    const failing: ClusterScanner & StatsSource = {
      scan: async (c) => {
        if (c.name === 'prod-us-blue') throw new Error('kubernetes API of cluster "prod-us-blue" could not be reached');
        return new DemoDriftScanner().scan(c, { ...(await import('../../../../generator/index.js')).driftRules() }, new AbortController().signal);
      },
      readObject: async () => undefined,
      stats: () => ({ entries: 0, bytes: 0, maxBytes: 0 }),
    };
    const audits = new DriftAudits({ inventory: f, facts: f, inputs: { scanner: failing, tracking: { tracking: async () => DEFAULT_TRACKING }, close: () => undefined }, config: DEMO_DRIFT_CONFIG });
    const round = await audits.refresh();
    expect(driftInput(round, 'prod-us')).toEqual({ skipped: 'the drift audit of pair prod-us could not finish: kubernetes API of cluster "prod-us-blue" could not be reached' });
    expect(driftInput(round, 'lonely')).toEqual({ skipped: 'the drift audit of pair lonely could not finish: pair lonely has no cluster with greenlight.io/role=green (its clusters: lonely-blue)' });
  });
});
