/**
 * The readiness gauges, scraped: over the demo fleet (file inventory and facts) with the demo
 * Applications, through the real `/metrics` route; then caching, bounds and failures over an
 * in-memory fleet with a hand-driven clock.
 */
import { Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  buildFleet,
  findingCounts,
  readinessVerdict,
  type CancelSignal,
  type ClusterFacts,
  type ClusterRecord,
  type ReadinessMemberInput,
} from '../../../generator/index.js';
import type { ApplicationSource, ListedApplication } from '../../../plugin/adapters/argocd/application-source.js';
import type { ReadinessDataSource } from '../../../plugin/adapters/eks/eks-readiness-source.js';
import { FleetFileInventory } from '../../../plugin/adapters/fleet-file/fleet-file-inventory.js';
import { loadConfig } from '../../../plugin/config.js';
import { createLogger } from '../../../plugin/logger.js';
import { DEMO_FLEET_PATH } from '../../../plugin/paths.js';
import { openReadinessInputs } from '../../../plugin/pairs/inputs.js';
import { ReadinessMetrics } from '../../../plugin/pairs/readiness-gauges.js';
import { InMemoryFleet } from '../../support/in-memory-fleet.js';
import { testApp } from '../../support/test-app.js';

const GAUGES = ['greenlight_readiness_blockers', 'greenlight_readiness_warnings', 'greenlight_pair_ready', 'greenlight_families', 'greenlight_families_at_parity'];

/** The gauges' samples, `name{labels} value`, in the exposition's order. */
function samples(text: string): string[] {
  return text.split('\n').filter((l) => GAUGES.some((g) => l.startsWith(`${g}{`)));
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('over the demo fleet', () => {
  const demo = new FleetFileInventory(DEMO_FLEET_PATH, createLogger('silent'), 'the bundled demo fleet').load();

  it('GET /metrics shows the demo pair not ready with its blockers by kind, and its families at parity', async () => {
    const { app, metrics } = testApp(new InMemoryFleet());
    const inputs = await openReadinessInputs(loadConfig({}), { demoInventory: demo });
    new ReadinessMetrics({ registry: metrics.registry, inventory: demo, facts: demo, ...inputs });

    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    const text = res.text;

    // What the core says of the same inputs (the demo Applications change with the demo's story).
    const clusters = demo.snapshot().clusters;
    const signal = new AbortController().signal;
    const memberOf = async (name: string): Promise<ReadinessMemberInput> => {
      const c = clusters.find((x) => x.name === name);
      if (!c) throw new Error(`no ${name} in the demo fleet`);
      return { name, server: c.server, facts: (await demo.factsFor(c)).facts };
    };
    const applications = await inputs.applications?.list(signal);
    const verdict = readinessVerdict({ pair: 'prod-eu', blue: await memberOf('prod-eu-blue'), green: await memberOf('prod-eu-green'), applications });
    const counts = findingCounts(verdict);

    expect(value(text, 'greenlight_pair_ready{pair="prod-eu"}')).toBe(0);
    expect(value(text, 'greenlight_readiness_blockers{pair="prod-eu",kind="ssm-missing"}')).toBe(1);
    expect(value(text, 'greenlight_readiness_blockers{pair="prod-eu",kind="pod-identity-missing"}')).toBe(1);
    for (const [kind, c] of Object.entries(counts)) {
      expect(value(text, `greenlight_readiness_blockers{pair="prod-eu",kind="${kind}"}`), kind).toBe(c.blocker);
      expect(value(text, `greenlight_readiness_warnings{pair="prod-eu",kind="${kind}"}`), kind).toBe(c.warning);
    }
    // checkout, payments-api, web, search, reports, external-dns and the guestbook ApplicationSet;
    // at parity on both clusters: checkout, external-dns, guestbook.
    const fleet = buildFleet({ applications: applications ?? [], clusters: clusters.map((c) => ({ server: c.server, name: c.name, labels: c.labels, annotations: c.annotations })) });
    expect(value(text, 'greenlight_families{pair="prod-eu"}')).toBe(fleet.families.length);
    expect(value(text, 'greenlight_families_at_parity{pair="prod-eu"}')).toBe(fleet.families.filter((f) => f.converged).length);
    expect(value(text, 'greenlight_families{pair="prod-eu"}')).toBe(7);
    expect(value(text, 'greenlight_families_at_parity{pair="prod-eu"}')).toBe(3);
    expect(text).toContain('# HELP greenlight_pair_ready Whether the pair is ready for the next weight step');
    expect(text).toContain('# TYPE greenlight_readiness_blockers gauge');
    // Cardinality: pair and kind, nothing else.
    for (const line of samples(text)) expect(line).toMatch(/^greenlight_\w+\{pair="[^"]+"(,kind="[a-z-]+")?\} \d+$/);
  });

  it('without an Applications source there are no family gauges, and the fleet file gives no Applications', async () => {
    const registry = new Registry();
    const inputs = await openReadinessInputs(loadConfig({ GREENLIGHT_INVENTORY: DEMO_FLEET_PATH, GREENLIGHT_TOKEN: 'a-token-of-sixteen-chars' }));
    expect(inputs.applications).toBeUndefined();
    expect(inputs.readiness).toBeUndefined();
    new ReadinessMetrics({ registry, inventory: demo, facts: demo, ...inputs });
    const text = await registry.metrics();
    expect(value(text, 'greenlight_pair_ready{pair="prod-eu"}')).toBe(0);
    expect(samples(text).some((l) => l.startsWith('greenlight_families'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

const facts = (minor: string, more: Partial<ClusterFacts> = {}): ClusterFacts => ({
  kubernetes: { major: '1', minor, gitVersion: `v1.${minor}.0`, storageClasses: [], ingressClasses: [], apiVersions: ['v1'] },
  ...more,
});

function cluster(name: string, pair: string, role: string, aws = false): ClusterRecord {
  return {
    name,
    server: `https://${name}.example.com`,
    project: 'default',
    labels: { 'greenlight.io/pair': pair, 'greenlight.io/role': role },
    annotations: {},
    origin: `Secret argocd/cluster-${name}`,
    ...(aws ? { aws: { clusterName: name } } : {}),
  };
}

function fleetOf(pairs: string[]): InMemoryFleet {
  const fleet = new InMemoryFleet();
  for (const p of pairs) {
    fleet.add(cluster(`${p}-blue`, p, 'blue'), facts('31'));
    fleet.add(cluster(`${p}-green`, p, 'green'), facts('32'));
  }
  return fleet;
}

class CountingApplications implements ApplicationSource {
  calls = 0;
  failure: Error | undefined;
  hang = false;
  constructor(private readonly items: ListedApplication[] = []) {}
  list(signal: CancelSignal): Promise<ListedApplication[]> {
    this.calls += 1;
    if (this.failure) return Promise.reject(this.failure);
    if (this.hang) return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    return Promise.resolve(this.items);
  }
}

describe('evaluation on scrape', () => {
  it('one evaluation serves every gauge of a scrape and every scrape within the TTL', async () => {
    let now = 1_000_000;
    const registry = new Registry();
    const fleet = fleetOf(['prod-eu']);
    const applications = new CountingApplications();
    new ReadinessMetrics({ registry, inventory: fleet, facts: fleet, applications, clock: () => now, ttlMs: 60_000 });

    const first = await registry.metrics();
    expect(value(first, 'greenlight_pair_ready{pair="prod-eu"}')).toBe(1);
    expect(value(first, 'greenlight_families{pair="prod-eu"}')).toBe(0);
    expect(applications.calls).toBe(1);
    expect(fleet.calls).toEqual(['prod-eu-blue', 'prod-eu-green']);

    now += 59_000;
    await registry.metrics();
    expect(applications.calls).toBe(1);

    // A change shows after the TTL.
    fleet.facts.set('prod-eu-green', facts('30'));
    now += 2_000;
    const later = await registry.metrics();
    expect(applications.calls).toBe(2);
    expect(value(later, 'greenlight_pair_ready{pair="prod-eu"}')).toBe(0);
    expect(value(later, 'greenlight_readiness_blockers{pair="prod-eu",kind="version-skew"}')).toBe(1);
  });

  it('judges at most maxPairs pairs, by name', async () => {
    const registry = new Registry();
    const fleet = fleetOf(['c', 'a', 'b']);
    new ReadinessMetrics({ registry, inventory: fleet, facts: fleet, maxPairs: 2 });
    const text = await registry.metrics();
    expect(samples(text).filter((l) => l.startsWith('greenlight_pair_ready'))).toEqual(['greenlight_pair_ready{pair="a"} 1', 'greenlight_pair_ready{pair="b"} 1']);
  });

  it('fails closed: a pair it cannot evaluate reads 0, never 1', async () => {
    const registry = new Registry();
    const fleet = fleetOf(['prod-eu', 'prod-us']);
    const applications = new CountingApplications();
    applications.failure = new Error('cannot list Argo CD Applications (HTTP 403)');
    new ReadinessMetrics({ registry, inventory: fleet, facts: fleet, applications, logger: createLogger('silent') });
    const text = await registry.metrics();
    expect(samples(text).filter((l) => l.startsWith('greenlight_pair_ready'))).toEqual(['greenlight_pair_ready{pair="prod-eu"} 0', 'greenlight_pair_ready{pair="prod-us"} 0']);
    expect(samples(text).some((l) => l.startsWith('greenlight_readiness_blockers'))).toBe(false);
  });

  it('facts it cannot read are a facts-missing blocker', async () => {
    const registry = new Registry();
    const fleet = fleetOf(['prod-eu']);
    fleet.failures.set('prod-eu-green', new Error('EKS DescribeCluster failed'));
    new ReadinessMetrics({ registry, inventory: fleet, facts: fleet });
    const text = await registry.metrics();
    expect(value(text, 'greenlight_pair_ready{pair="prod-eu"}')).toBe(0);
    expect(value(text, 'greenlight_readiness_blockers{pair="prod-eu",kind="facts-missing"}')).toBe(1);
  });

  it('a pair without one blue and one green gets no readiness series', async () => {
    const registry = new Registry();
    const fleet = fleetOf(['prod-eu']);
    fleet.add(cluster('lonely-green', 'lonely', 'green'), facts('32'));
    new ReadinessMetrics({ registry, inventory: fleet, facts: fleet });
    const text = await registry.metrics();
    expect(samples(text).filter((l) => l.includes('lonely'))).toEqual([]);
  });

  it('a slow evaluation never holds a scrape longer than scrapeWaitMs: the previous values are served', async () => {
    let now = 0;
    const registry = new Registry();
    const fleet = fleetOf(['prod-eu']);
    const applications = new CountingApplications();
    new ReadinessMetrics({ registry, inventory: fleet, facts: fleet, applications, clock: () => now, ttlMs: 1_000, scrapeWaitMs: 50, evaluationTimeoutMs: 10 * 60_000 });
    expect(value(await registry.metrics(), 'greenlight_pair_ready{pair="prod-eu"}')).toBe(1);

    applications.hang = true;
    now += 5_000;
    // The evaluation hangs far longer than the test waits: a scrape that answers at all did not wait for it.
    const text = await registry.metrics();
    expect(value(text, 'greenlight_pair_ready{pair="prod-eu"}')).toBe(1);
    expect(applications.calls).toBe(2);
    // The evaluation in flight is shared, not started again by the next scrape.
    await registry.metrics();
    expect(applications.calls).toBe(2);
  });

  it('EKS readiness data is asked once per readinessDataTtlMs, not once per evaluation', async () => {
    let now = 0;
    const registry = new Registry();
    const fleet = new InMemoryFleet();
    fleet.add(cluster('prod-eu-blue', 'prod-eu', 'blue', true), facts('31', { addons: [{ name: 'coredns', version: 'v1.11.4-eksbuild.2' }] }));
    fleet.add(cluster('prod-eu-green', 'prod-eu', 'green', true), facts('32', { addons: [{ name: 'coredns', version: 'v1.11.4-eksbuild.2' }] }));
    const asked: string[] = [];
    const readiness: ReadinessDataSource = {
      appliesTo: (c) => c.aws !== undefined,
      addonCompatibility: async (c, version, names) => {
        asked.push(`addons:${c.name}:${version}:${names.join(',')}`);
        return { coredns: { [version]: ['v1.11.4-eksbuild.1'] } };
      },
      insights: async (c) => {
        asked.push(`insights:${c.name}`);
        return [];
      },
    };
    new ReadinessMetrics({ registry, inventory: fleet, facts: fleet, readiness, clock: () => now, ttlMs: 1_000, readinessDataTtlMs: 60_000 });
    const text = await registry.metrics();
    expect(value(text, 'greenlight_readiness_blockers{pair="prod-eu",kind="addon-skew"}')).toBe(1);
    expect(asked.sort()).toEqual(['addons:prod-eu-green:1.32:coredns', 'insights:prod-eu-blue', 'insights:prod-eu-green']);
    now += 5_000;
    await registry.metrics();
    expect(asked).toHaveLength(3);
    now += 60_000;
    await registry.metrics();
    expect(asked).toHaveLength(6);
  });
});
