/**
 * @module The contract every `ClusterInventory` honours, run against each implementation
 * (Argo CD cluster Secrets over the fake apiserver, fleet files on disk):
 * - before it has loaded, it is not ready and `snapshot()` throws `UnavailableError`, so that an
 *   unloaded inventory never looks like an empty fleet;
 * - once ready, each registration is a cluster with its name, server, project ("" by default),
 *   labels, annotations and an origin that says where it is registered;
 * - an invalid registration is never silently dropped: it is a problem in the snapshot (with its
 *   name when readable), or the whole snapshot is refused with `UnavailableError`;
 * - changed and deleted registrations are reflected.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UnavailableError, type ClusterInventory, type ClusterRecord } from '../../generator/index.js';
import { ArgoCdClusterInventory } from '../../plugin/adapters/argocd/argocd-cluster-inventory.js';
import { FleetFileInventory } from '../../plugin/adapters/fleet-file/fleet-file-inventory.js';
import { createLogger } from '../../plugin/logger.js';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { eventually, PATIENCE_MS } from '../support/patience.js';

/** One cluster registration, in terms common to every inventory. */
export interface Registration {
  readonly name: string;
  readonly server: string;
  readonly project?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** What an implementation provides to run the contract. */
export interface InventoryHarness {
  readonly inventory: ClusterInventory;
  /** Adds or replaces a registration (before or after `start`). */
  register(cluster: Registration): Promise<void>;
  /** Adds a registration that cannot be read, keeping the name and labels where the format allows. */
  registerInvalid(cluster: { readonly name: string; readonly labels: Readonly<Record<string, string>> }): Promise<void>;
  unregister(name: string): Promise<void>;
  /** Begins loading; resolves once the inventory may be ready. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** The origin a registration is expected to have. */
  originOf(name: string): string;
  /** Labels the implementation's registrations always carry (Argo CD's secret-type label). */
  readonly implicitLabels: Readonly<Record<string, string>>;
}

export { eventually };

/** Registers the contract tests for one `ClusterInventory` implementation. */
export function clusterInventoryContract(name: string, makeInventory: () => Promise<InventoryHarness>): void {
  describe(`ClusterInventory contract: ${name}`, () => {
    let h: InventoryHarness;
    const find = (clusterName: string): ClusterRecord | undefined => h.inventory.snapshot().clusters.find((c) => c.name === clusterName);
    const blue: Registration = {
      name: 'prod-eu-blue',
      server: 'https://BLUE0001.gr7.eu-west-1.eks.amazonaws.com',
      project: 'platform',
      labels: { 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'blue' },
      annotations: { 'greenlight.io/weight': '255' },
    };
    const green: Registration = { name: 'prod-eu-green', server: 'https://GREEN001.gr7.eu-west-1.eks.amazonaws.com' };

    beforeEach(async () => {
      h = await makeInventory();
    });
    afterEach(async () => {
      await h.close();
    });

    test('is not ready, and snapshot() throws UnavailableError, before it has loaded', async () => {
      await h.register(blue);
      expect(h.inventory.isReady()).toBe(false);
      expect(() => h.inventory.snapshot()).toThrow(UnavailableError);
    });

    test('once ready, gives each registration with name, server, project, labels, annotations and origin', async () => {
      await h.register(blue);
      await h.register(green);
      await h.start();
      await eventually(() => expect(h.inventory.isReady()).toBe(true));
      expect(find('prod-eu-blue')).toMatchObject({
        name: 'prod-eu-blue',
        server: blue.server,
        project: 'platform',
        labels: { ...h.implicitLabels, ...blue.labels },
        annotations: blue.annotations,
        origin: h.originOf('prod-eu-blue'),
      });
      expect(find('prod-eu-green')).toMatchObject({ name: 'prod-eu-green', server: green.server, project: '', origin: h.originOf('prod-eu-green') });
      expect(h.inventory.snapshot().problems).toEqual([]);
    });

    test('never drops an invalid registration: it is a problem, or the whole snapshot is refused', async () => {
      await h.register(blue);
      await h.registerInvalid({ name: 'prod-eu-green', labels: { 'greenlight.io/pair': 'prod-eu' } });
      await h.start();
      await eventually(() => {
        let problems;
        try {
          problems = h.inventory.snapshot().problems;
        } catch (err) {
          expect(err).toBeInstanceOf(UnavailableError);
          return;
        }
        expect(problems).toContainEqual(
          expect.objectContaining({ name: 'prod-eu-green', labels: expect.objectContaining({ 'greenlight.io/pair': 'prod-eu' }), reason: expect.any(String) }),
        );
        expect(find('prod-eu-green')).toBeUndefined();
      });
    });

    test('reflects a changed registration', async () => {
      await h.register(blue);
      await h.start();
      await eventually(() => expect(find('prod-eu-blue')).toBeDefined());
      await h.register({ ...blue, labels: { ...blue.labels, 'greenlight.io/role': 'retired' }, annotations: { 'greenlight.io/weight': '0' } });
      await eventually(() =>
        expect(find('prod-eu-blue')).toMatchObject({
          labels: { ...h.implicitLabels, ...blue.labels, 'greenlight.io/role': 'retired' },
          annotations: { 'greenlight.io/weight': '0' },
        }),
      );
    });

    test('reflects a deleted registration', async () => {
      await h.register(blue);
      await h.register(green);
      await h.start();
      await eventually(() => expect(find('prod-eu-green')).toBeDefined());
      await h.unregister('prod-eu-green');
      await eventually(() => expect(find('prod-eu-green')).toBeUndefined());
      expect(find('prod-eu-blue')).toBeDefined();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Harnesses for the inventories greenlight ships

const silent = createLogger('silent');

/** ArgoCdClusterInventory over the fake apiserver: registrations are cluster Secrets in `argocd`. */
export async function argoCdInventoryHarness(): Promise<InventoryHarness> {
  const fake = await FakeKubeApiServer.start();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser({ name: 'fake', server: fake.url, skipTLSVerify: true }, { name: 'greenlight' });
  const inventory = new ArgoCdClusterInventory({ namespace: 'argocd', logger: silent, backoff: { initialMs: 10, maxMs: 100 } }, kubeConfig);
  const implicitLabels = { 'argocd.argoproj.io/secret-type': 'cluster' };
  return {
    inventory,
    implicitLabels,
    async register(c) {
      fake.putSecret({
        name: `cluster-${c.name}`,
        labels: { ...implicitLabels, ...c.labels },
        ...(c.annotations ? { annotations: { ...c.annotations } } : {}),
        stringData: {
          name: c.name,
          server: c.server,
          config: JSON.stringify({ bearerToken: 'fake-token', tlsClientConfig: { insecure: false } }),
          ...(c.project !== undefined ? { project: c.project } : {}),
        },
      });
    },
    async registerInvalid(c) {
      fake.putSecret({
        name: `cluster-${c.name}`,
        labels: { ...implicitLabels, ...c.labels },
        stringData: { name: c.name, server: 'https://INVALID.gr7.eu-west-1.eks.amazonaws.com', config: '{"tlsClientConfig": {"insecure": "no"}}' },
      });
    },
    async unregister(name) {
      fake.deleteSecret(`cluster-${name}`);
    },
    async start() {
      await inventory.start().whenReady(PATIENCE_MS);
    },
    async close() {
      await inventory.close();
      await fake.close();
    },
    originOf: (name) => `Secret argocd/cluster-${name}`,
  };
}

/** FleetFileInventory on a temporary fleet file, rewritten (atomically) on every change. */
export async function fleetFileInventoryHarness(): Promise<InventoryHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-fleet-'));
  const path = join(dir, 'fleet.yaml');
  const entries = new Map<string, object>();
  let writes = 0;
  const write = () => {
    const temp = join(dir, `fleet-${++writes}.tmp`);
    writeFileSync(temp, JSON.stringify({ apiVersion: 'greenlight.io/v1alpha1', kind: 'Fleet', clusters: [...entries.values()] }, null, 2));
    renameSync(temp, path);
  };
  const label = `fleet file ${path}`;
  const inventory = new FleetFileInventory(path, silent, label);
  let started = false;
  const changed = () => {
    if (started) write();
  };
  return {
    inventory,
    implicitLabels: {},
    async register(c) {
      entries.set(c.name, { name: c.name, server: c.server, project: c.project ?? '', labels: { ...c.labels }, annotations: { ...c.annotations } });
      changed();
    },
    async registerInvalid(c) {
      // No server: the file no longer validates.
      entries.set(c.name, { name: c.name, labels: { ...c.labels } });
      changed();
    },
    async unregister(name) {
      entries.delete(name);
      changed();
    },
    async start() {
      started = true;
      write();
      try {
        inventory.load();
      } catch {
        // An invalid file is reported by snapshot(); the contract checks how.
      }
      inventory.watch(20, 50);
      // fs.watchFile takes its baseline stat asynchronously: a rewrite before that is never seen.
      // Let the first polls happen (setup, not an assertion).
      await new Promise((r) => setTimeout(r, 100));
    },
    async close() {
      inventory.close();
      rmSync(dir, { recursive: true, force: true });
    },
    originOf: (name) => `${label} (cluster ${name})`,
  };
}
