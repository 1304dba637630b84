import { describe, expect, it } from 'vitest';
import { UnavailableError, type InventorySnapshot } from '../../../generator/index.js';
import { createLogger } from '../../../plugin/logger.js';
import { Metrics } from '../../../plugin/metrics.js';
import { RemovalGrace } from '../../../plugin/removal-grace.js';
import { aCluster, blueGreenLabels } from '../../support/builders.js';
import { InMemoryFleet } from '../../support/in-memory-fleet.js';
import { captureLogs } from '../../support/test-app.js';

const T0 = Date.parse('2026-11-26T08:00:00.000Z');
const GRACE = 120_000;

/** An in-memory inventory that tells its listeners of each change, as the real ones do. */
class ObservableFleet extends InMemoryFleet {
  private readonly listeners = new Set<() => void>();
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(names: string[]): void {
    this.clusters = names.map((name) => aCluster({ name, labels: { ...blueGreenLabels('prod-eu', name.endsWith('green') ? 'green' : 'blue') } }));
    for (const listener of this.listeners) listener();
  }
}

function setUp(names = ['prod-eu-blue', 'prod-eu-green']) {
  const clock = { now: T0 };
  const inner = new ObservableFleet();
  inner.set(names);
  const logs = captureLogs();
  const metrics = new Metrics({ defaultMetrics: false });
  const grace = new RemovalGrace(inner, {
    graceMs: GRACE,
    logger: createLogger('debug', logs.stream),
    metrics: { departures: metrics.inventoryDepartures, leaving: metrics.inventoryLeaving },
    now: () => clock.now,
  });
  const departures = async () =>
    Object.fromEntries(((await metrics.registry.getSingleMetric('greenlight_inventory_departures_total')?.get())?.values ?? []).map((v) => [String(v.labels['outcome']), v.value]));
  return { clock, inner, grace, logs, departures, metrics };
}

const leavingNames = (s: InventorySnapshot) => (s.leaving ?? []).map((c) => c.name);

describe('RemovalGrace', () => {
  it('keeps a cluster that left as leaving, with when it left and when it is dropped, until the grace is over', async () => {
    const { clock, inner, grace, logs, departures } = setUp();
    expect(grace.snapshot().leaving).toBeUndefined();

    clock.now = T0 + 1000;
    inner.set(['prod-eu-blue']);
    clock.now = T0 + 5000;
    const during = grace.snapshot();
    expect(during.clusters.map((c) => c.name)).toEqual(['prod-eu-blue']);
    expect(during.leaving).toEqual([
      {
        name: 'prod-eu-green',
        server: 'https://PRODEUGREEN.gr7.eu-west-1.eks.amazonaws.com',
        origin: 'test fleet (cluster prod-eu-green)',
        labels: blueGreenLabels('prod-eu', 'green'),
        eksTags: false,
        // Seen when the inventory said so (subscribe), not at the next snapshot.
        leftAt: T0 + 1000,
        dropAt: T0 + 1000 + GRACE,
      },
    ]);
    clock.now = T0 + 1000 + GRACE - 1;
    expect(leavingNames(grace.snapshot())).toEqual(['prod-eu-green']);
    clock.now = T0 + 1000 + GRACE;
    expect(grace.snapshot().leaving).toBeUndefined();
    expect(await departures()).toEqual({ left: 1, dropped: 1 });
    expect(logs.lines().some((l) => l.includes('"cluster":"prod-eu-green"') && l.includes('GL_CLUSTER_LEAVING'))).toBe(true);
    expect(logs.lines().some((l) => l.includes('"cluster":"prod-eu-green"') && l.includes('not back within the removal grace'))).toBe(true);
  });

  it('is seamless for a cluster that comes back within the grace (kubectl replace --force)', async () => {
    const { clock, inner, grace, departures } = setUp();
    inner.set(['prod-eu-blue']);
    clock.now = T0 + 300;
    inner.set(['prod-eu-blue', 'prod-eu-green']);
    expect(grace.snapshot().leaving).toBeUndefined();
    expect(grace.snapshot().clusters.map((c) => c.name)).toEqual(['prod-eu-blue', 'prod-eu-green']);
    expect(await departures()).toEqual({ left: 1, returned: 1 });
    // Gone again later: a new grace from then on.
    clock.now = T0 + 10_000;
    inner.set(['prod-eu-blue']);
    expect(grace.snapshot().leaving?.[0]?.dropAt).toBe(T0 + 10_000 + GRACE);
  });

  it('sees a change at the next snapshot when the inventory cannot tell (no subscribe)', () => {
    const clock = { now: T0 };
    const inner = new InMemoryFleet([aCluster({ name: 'a' }), aCluster({ name: 'b' })]);
    const grace = new RemovalGrace(inner, { graceMs: GRACE, logger: createLogger('silent'), now: () => clock.now });
    grace.snapshot();
    inner.clusters = [aCluster({ name: 'b' })];
    clock.now = T0 + 50;
    expect(grace.snapshot().leaving?.map((c) => [c.name, c.leftAt])).toEqual([['a', T0 + 50]]);
  });

  it('counts a cluster renamed in place as its old name leaving', () => {
    const { inner, grace } = setUp();
    inner.set(['prod-eu-blue', 'prod-eu-green-2']);
    const s = grace.snapshot();
    expect(leavingNames(s)).toEqual(['prod-eu-green']);
    expect(s.clusters.map((c) => c.name)).toEqual(['prod-eu-blue', 'prod-eu-green-2']);
  });

  it('does not count a cluster that became a named problem as leaving (the problem fails its requests), but does once that is gone too', () => {
    const { inner, grace } = setUp();
    inner.problems = [{ origin: 'Secret argocd/cluster-prod-eu-green', name: 'prod-eu-green', labels: {}, reason: 'data.config is not JSON' }];
    inner.set(['prod-eu-blue']);
    expect(grace.snapshot().leaving).toBeUndefined();
    inner.problems = [];
    inner.set(['prod-eu-blue']);
    const [gone] = grace.snapshot().leaving ?? [];
    // What the problem could not say is taken as unknown: its pair may come from an EKS tag.
    expect(gone).toMatchObject({ name: 'prod-eu-green', eksTags: true, labels: blueGreenLabels('prod-eu', 'green') });
  });

  it('diffs across an outage: a relist without a cluster makes it leaving', () => {
    const { inner, grace } = setUp();
    inner.ready = false;
    inner.set(['prod-eu-blue']);
    expect(() => grace.snapshot()).toThrow(UnavailableError);
    inner.ready = true;
    expect(leavingNames(grace.snapshot())).toEqual(['prod-eu-green']);
  });

  it('with a grace of 0, answers shrink at once', () => {
    const clock = { now: T0 };
    const inner = new ObservableFleet();
    inner.set(['a', 'b']);
    const grace = new RemovalGrace(inner, { graceMs: 0, logger: createLogger('silent'), now: () => clock.now });
    inner.set(['a']);
    expect(grace.snapshot().leaving).toBeUndefined();
  });

  it('shows how many clusters are leaving as a gauge', async () => {
    const { inner, grace, metrics } = setUp(['a', 'b', 'c']);
    inner.set(['a']);
    grace.snapshot();
    const gauge = await metrics.registry.getSingleMetric('greenlight_inventory_leaving_clusters')?.get();
    expect(gauge?.values[0]?.value).toBe(2);
  });
});
