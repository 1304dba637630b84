import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { UnavailableError, type ClusterInventory } from '../../generator/index.js';
import { ArgoCdClusterInventory, type ArgoCdClusterInventoryOptions } from '../../plugin/adapters/argocd/argocd-cluster-inventory.js';
import { inventoryReadiness } from '../../plugin/http/routes/operations.js';
import { createLogger } from '../../plugin/logger.js';
import { Metrics } from '../../plugin/metrics.js';
import { FakeKubeApiServer, type FakeSecretInput } from '../support/fake-kube-apiserver.js';
import { eventually } from '../support/patience.js';

const CLUSTER_LABEL = { 'argocd.argoproj.io/secret-type': 'cluster' };
const TOKEN = 'fake-bearer-token-for-prod-eu-green';

function clusterSecret(name: string, overrides: Partial<FakeSecretInput> & { server?: string; config?: object; project?: string } = {}): FakeSecretInput {
  const { server, config, project, ...rest } = overrides;
  return {
    name: `cluster-${name}`,
    labels: { ...CLUSTER_LABEL, 'greenlight.io/pair': 'prod-eu' },
    annotations: { 'greenlight.io/weight': '0' },
    stringData: {
      name,
      server: server ?? `https://${name.toUpperCase().replace(/-/g, '')}.gr7.eu-west-1.eks.amazonaws.com`,
      config: JSON.stringify(config ?? { bearerToken: TOKEN, tlsClientConfig: { insecure: false } }),
      ...(project !== undefined ? { project } : {}),
    },
    ...rest,
  };
}


const names = (inventory: ClusterInventory) => inventory.snapshot().clusters.map((c) => c.name);
const listCount = (fake: FakeKubeApiServer) => fake.requests.filter((r) => r.path.endsWith('/secrets') && r.query.get('watch') === null).length;
const watchCount = (fake: FakeKubeApiServer) => fake.requests.filter((r) => r.path.endsWith('/secrets') && r.query.get('watch') === 'true').length;

const opened: { fake: FakeKubeApiServer; inventory: ArgoCdClusterInventory }[] = [];
afterEach(async () => {
  for (const { fake, inventory } of opened.splice(0)) {
    await inventory.close();
    await fake.close();
  }
});

async function setUp(options: Partial<ArgoCdClusterInventoryOptions> = {}, lines?: string[]) {
  const fake = await FakeKubeApiServer.start({ auth: { bearerTokens: { 'inventory-token': 'system:serviceaccount:argocd:greenlight' } } });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser({ name: 'fake', server: fake.url, skipTLSVerify: true }, { name: 'greenlight', token: 'inventory-token' });
  const logger = createLogger(lines ? 'debug' : 'silent', lines ? { write: (line: string) => void lines.push(line) } : undefined);
  const inventory = new ArgoCdClusterInventory(
    { namespace: 'argocd', logger, backoff: { initialMs: 10, maxMs: 100 }, healthyWatchMs: 100, ...options },
    kubeConfig,
  );
  opened.push({ fake, inventory });
  return { fake, inventory };
}

describe('ArgoCdClusterInventory over the wire', () => {
  it('is unavailable until the first list, then reads every cluster Secret', async () => {
    const { fake, inventory } = await setUp();
    fake.putSecret(
      clusterSecret('prod-eu-green', {
        project: 'platform',
        config: { awsAuthConfig: { clusterName: 'prod-eu-green', roleARN: 'arn:aws:iam::111122223333:role/argocd-deployer' }, tlsClientConfig: { insecure: false } },
        annotations: { 'greenlight.io/weight': '0', 'kubectl.kubernetes.io/last-applied-configuration': `{"stringData":{"config":"${TOKEN}"}}` },
      }),
    );
    fake.putSecret(clusterSecret('prod-eu-blue'));
    fake.putSecret({ name: 'not-a-cluster', stringData: { password: 'hunter2' } });
    fake.putSecret({ ...clusterSecret('elsewhere'), namespace: 'other' });

    expect(inventory.isReady()).toBe(false);
    expect(() => inventory.snapshot()).toThrow(UnavailableError);
    expect(() => inventory.snapshot()).toThrow(expect.objectContaining({ code: 'GL_INVENTORY_UNAVAILABLE' }));

    await inventory.start().whenReady(5000);
    expect(inventory.isReady()).toBe(true);
    const { clusters, problems } = inventory.snapshot();
    expect(problems).toEqual([]);
    expect(clusters.map((c) => c.name)).toEqual(['prod-eu-blue', 'prod-eu-green', 'in-cluster']);
    expect(clusters[1]).toEqual({
      name: 'prod-eu-green',
      server: 'https://PRODEUGREEN.gr7.eu-west-1.eks.amazonaws.com',
      project: 'platform',
      labels: { ...CLUSTER_LABEL, 'greenlight.io/pair': 'prod-eu' },
      annotations: { 'greenlight.io/weight': '0' },
      origin: 'Secret argocd/cluster-prod-eu-green',
      aws: { clusterName: 'prod-eu-green', roleArn: 'arn:aws:iam::111122223333:role/argocd-deployer', profile: undefined },
    });
    expect(clusters[0]?.project).toBe('');
    expect(clusters[2]).toMatchObject({ name: 'in-cluster', server: 'https://kubernetes.default.svc', project: '', labels: {} });
    // Credentials reach the connection, never the records.
    expect(JSON.stringify(inventory.snapshot())).not.toContain(TOKEN);
    expect(inventory.connectionFor('prod-eu-blue')?.config.bearerToken).toBe(TOKEN);
    expect(inventory.connectionFor('in-cluster')).toMatchObject({ inCluster: true });
    // It authenticated, and asked with Argo CD's selector.
    const list = fake.requests.find((r) => r.path === '/api/v1/namespaces/argocd/secrets');
    expect(list?.user).toBe('system:serviceaccount:argocd:greenlight');
    expect(list?.query.get('labelSelector')).toBe('argocd.argoproj.io/secret-type=cluster');
  });

  it('lists in pages (limit and continue, to the end), then watches from the list', async () => {
    const { fake, inventory } = await setUp({ listPageSize: 5 });
    const all = Array.from({ length: 12 }, (_, i) => `prod-${String(i).padStart(2, '0')}`);
    for (const name of all) fake.putSecret(clusterSecret(name));
    await inventory.start().whenReady(5000);
    expect(names(inventory)).toEqual([...all, 'in-cluster']);

    const lists = fake.requests.filter((r) => r.path.endsWith('/secrets') && r.query.get('watch') === null);
    expect(lists.map((r) => r.query.get('limit'))).toEqual(['5', '5', '5']);
    expect(lists[0]?.query.get('continue')).toBeNull();
    expect(lists.slice(1).every((r) => (r.query.get('continue') ?? '') !== '')).toBe(true);

    fake.putSecret(clusterSecret('prod-12'));
    await eventually(() => expect(names(inventory)).toEqual([...all, 'prod-12', 'in-cluster']));
    expect(listCount(fake)).toBe(3);
  });

  it('reflects Secrets added, modified, relabelled and deleted through the watch', async () => {
    const { fake, inventory } = await setUp();
    fake.putSecret(clusterSecret('prod-eu-blue'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));
    const lists = listCount(fake);

    fake.putSecret(clusterSecret('prod-eu-green'));
    await eventually(() => expect(names(inventory)).toEqual(['prod-eu-blue', 'prod-eu-green', 'in-cluster']));

    fake.putSecret(clusterSecret('prod-eu-green', { labels: { ...CLUSTER_LABEL, 'greenlight.io/role': 'green' } }));
    await eventually(() => expect(inventory.snapshot().clusters[1]?.labels).toEqual({ ...CLUSTER_LABEL, 'greenlight.io/role': 'green' }));

    // Losing the cluster label takes it out of Argo CD's view: the watch sends DELETED.
    fake.putSecret(clusterSecret('prod-eu-blue', { labels: { 'greenlight.io/pair': 'prod-eu' } }));
    await eventually(() => expect(names(inventory)).toEqual(['prod-eu-green', 'in-cluster']));

    fake.deleteSecret('cluster-prod-eu-green');
    await eventually(() => expect(names(inventory)).toEqual(['in-cluster']));
    expect(listCount(fake)).toBe(lists);
    const watch = fake.requests.find((r) => r.query.get('watch') === 'true');
    expect(watch?.query.get('allowWatchBookmarks')).toBe('true');
    expect(watch?.query.get('resourceVersion')).not.toBe('');
  });

  it('relists after a 410 Gone ERROR event, catching changes the watch never sent', async () => {
    const { fake, inventory } = await setUp();
    fake.putSecret(clusterSecret('prod-eu-blue'));
    fake.putSecret(clusterSecret('prod-eu-green'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));
    const lists = listCount(fake);

    fake.deleteSecret('cluster-prod-eu-blue', { quiet: true });
    fake.forceGone();
    await eventually(() => expect(names(inventory)).toEqual(['prod-eu-green', 'in-cluster']));
    expect(listCount(fake)).toBe(lists + 1);
    expect(() => inventory.snapshot()).not.toThrow();
  });

  it('relists when resuming a dropped watch is answered 410 (expired resourceVersion)', async () => {
    const { fake, inventory } = await setUp();
    fake.putSecret(clusterSecret('prod-eu-blue'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));
    const lists = listCount(fake);

    fake.failRequests({ path: '/api/v1/namespaces/argocd/secrets', watch: true, status: 503, times: 2 });
    fake.dropWatches();
    fake.putSecret(clusterSecret('prod-eu-green'), { quiet: true });
    fake.compact();
    await eventually(() => expect(names(inventory)).toEqual(['prod-eu-blue', 'prod-eu-green', 'in-cluster']));
    expect(listCount(fake)).toBe(lists + 1);
    const resumed = fake.requests.filter((r) => r.query.get('watch') === 'true').map((r) => r.query.get('resourceVersion'));
    expect(resumed.length).toBeGreaterThanOrEqual(4);
  });

  it('reconnects a dropped watch from its last resourceVersion, without relisting', async () => {
    const { fake, inventory } = await setUp();
    fake.putSecret(clusterSecret('prod-eu-blue'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));
    const lists = listCount(fake);
    const watches = watchCount(fake);

    fake.dropWatches();
    fake.putSecret(clusterSecret('prod-eu-green'));
    await eventually(() => expect(names(inventory)).toContain('prod-eu-green'));
    expect(watchCount(fake)).toBeGreaterThan(watches);
    expect(listCount(fake)).toBe(lists);
  });

  it('reflects a Secret deleted while the watch was down', async () => {
    const { fake, inventory } = await setUp();
    fake.putSecret(clusterSecret('prod-eu-blue'));
    fake.putSecret(clusterSecret('prod-eu-green'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));

    fake.failRequests({ path: '/api/v1/namespaces/argocd/secrets', watch: true, status: 500, times: 3 });
    fake.dropWatches();
    fake.deleteSecret('cluster-prod-eu-blue');
    await eventually(() => expect(names(inventory)).toEqual(['prod-eu-green', 'in-cluster']));
    await eventually(() => expect(fake.watchCount).toBe(1));
  });

  it('resumes from a bookmark, so that an expired older resourceVersion costs no relist', async () => {
    const { fake, inventory } = await setUp();
    fake.putSecret(clusterSecret('prod-eu-blue'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));
    const lists = listCount(fake);

    // Changes outside the selector move the resourceVersion on without an event for us.
    fake.putSecret({ name: 'unrelated', stringData: { a: 'b' } });
    fake.putSecret({ name: 'unrelated', stringData: { a: 'c' } });
    fake.sendBookmark();
    const bookmarked = fake.currentResourceVersion;
    await new Promise((r) => setTimeout(r, 50));
    fake.dropWatches();
    fake.compact();
    await eventually(() => expect(fake.watchCount).toBe(1));
    const last = fake.requests.filter((r) => r.query.get('watch') === 'true').at(-1);
    expect(last?.query.get('resourceVersion')).toBe(bookmarked);
    expect(listCount(fake)).toBe(lists);
  });

  it('turns an unreadable Secret into a problem: listed, logged without its data, counted once', async () => {
    const lines: string[] = [];
    const metrics = new Metrics({ defaultMetrics: false });
    const { fake, inventory } = await setUp({ problemCounter: metrics.inventoryProblems, resyncIntervalMs: 150 }, lines);
    fake.putSecret(clusterSecret('prod-eu-blue'));
    fake.putSecret({
      name: 'cluster-broken',
      labels: { ...CLUSTER_LABEL, 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' },
      stringData: { name: 'prod-eu-green', server: 'https://green.example.com', config: `{"bearerToken":"${TOKEN}"` },
    });
    await inventory.start().whenReady(5000);

    const { problems } = inventory.snapshot();
    expect(problems).toEqual([
      {
        origin: 'Secret argocd/cluster-broken',
        name: 'prod-eu-green',
        labels: { ...CLUSTER_LABEL, 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' },
        reason: 'data.config is not JSON',
      },
    ]);
    expect(names(inventory)).toEqual(['prod-eu-blue', 'in-cluster']);
    // Resyncs relist the same broken version: still one count.
    await eventually(() => expect(listCount(fake)).toBeGreaterThanOrEqual(3));
    const counted = async () => (await metrics.registry.getSingleMetric('greenlight_inventory_problems_total')?.get())?.values;
    expect(await counted()).toEqual([{ value: 1, labels: { inventory: 'argocd' } }]);
    expect(lines.some((l) => l.includes('cluster-broken') && l.includes('data.config is not JSON'))).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);

    // A fix removes the problem; a new breakage counts again.
    fake.putSecret(clusterSecret('prod-eu-green', { name: 'cluster-broken' }));
    await eventually(() => expect(inventory.snapshot().problems).toEqual([]));
    fake.putSecret(clusterSecret('prod-eu-green', { name: 'cluster-broken', server: 'kubernetes' }));
    await eventually(() => expect(inventory.snapshot().problems.map((p) => p.reason)).toEqual(['data.server is neither an http(s) URL nor an EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)']));
    expect(await counted()).toEqual([{ value: 2, labels: { inventory: 'argocd' } }]);
  });

  it('adds the in-cluster entry unless a Secret has its server, or it is disabled', async () => {
    const { fake, inventory } = await setUp();
    fake.putSecret(clusterSecret('prod-eu-blue'));
    await inventory.start().whenReady(5000);
    expect(names(inventory)).toEqual(['prod-eu-blue', 'in-cluster']);

    fake.putSecret(clusterSecret('management', { name: 'cluster-management', server: 'https://kubernetes.default.svc', config: { tlsClientConfig: { insecure: false } } }));
    await eventually(() => expect(names(inventory)).toEqual(['management', 'prod-eu-blue']));
    expect(inventory.connectionFor('management')).toMatchObject({ inCluster: true });
    expect(inventory.connectionFor('in-cluster')).toBeUndefined();

    const { fake: fake2, inventory: disabled } = await setUp({ inClusterEntry: false });
    fake2.putSecret(clusterSecret('prod-eu-blue'));
    await disabled.start().whenReady(5000);
    expect(names(disabled)).toEqual(['prod-eu-blue']);
  });

  it('refuses to answer when the watch has been failing longer than maxStaleMs, and recovers', async () => {
    const { fake, inventory } = await setUp({ maxStaleMs: 300 });
    fake.putSecret(clusterSecret('prod-eu-blue'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));

    fake.failRequests({ path: /\/secrets$/, status: 503, times: 1_000_000, message: 'etcdserver: leader changed' });
    fake.dropWatches();
    // Within the limit the last list is served...
    expect(names(inventory)).toEqual(['prod-eu-blue', 'in-cluster']);
    // ...after it, never.
    await eventually(() => expect(() => inventory.snapshot()).toThrow(/could not be watched for \d+ s \(last error: watch: HTTP 503/));
    expect(inventory.isReady()).toBe(true);

    fake.clearFailures();
    await eventually(() => expect(names(inventory)).toEqual(['prod-eu-blue', 'in-cluster']));
  });

  it('stays unavailable, saying why, while it may not list Secrets', async () => {
    const { fake, inventory } = await setUp();
    fake.failRequests({ path: '/api/v1/namespaces/argocd/secrets', status: 403, times: 1_000_000 });
    inventory.start();
    const failed = inventory.whenReady(300).then(
      () => undefined,
      (err: unknown) => err,
    );
    const err = await failed;
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/not loaded yet \(last error: list: HTTP 403: secrets is forbidden: User "system:serviceaccount:argocd:greenlight" cannot list/);
    expect(() => inventory.snapshot()).toThrow(UnavailableError);
  });

  it('relists periodically (resync)', async () => {
    const { fake, inventory } = await setUp({ resyncIntervalMs: 100 });
    fake.putSecret(clusterSecret('prod-eu-blue'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));
    fake.putSecret(clusterSecret('prod-eu-green'), { quiet: true });
    await eventually(() => expect(names(inventory)).toContain('prod-eu-green'));
    expect(listCount(fake)).toBeGreaterThanOrEqual(2);
  });

  it('stops watching on close', async () => {
    const { fake, inventory } = await setUp();
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));
    await inventory.close();
    await eventually(() => expect(fake.watchCount).toBe(0));
    const requests = fake.requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.requests.length).toBe(requests);
  });

  it('gives up a list whose continue tokens never end at the page cap, reports it, keeps serving the last list, and lists again after the backoff', async () => {
    const lines: string[] = [];
    const metrics = new Metrics({ defaultMetrics: false });
    // The staleness bound is crossed by moving this clock, not by waiting.
    const clock = { skewMs: 0 };
    const { fake, inventory } = await setUp(
      { anomalyCounter: metrics.inventoryAnomalies, listPageSize: 2, maxListPages: 4, maxStaleMs: 60_000, backoff: { initialMs: 20, maxMs: 200 }, now: () => Date.now() + clock.skewMs },
      lines,
    );
    fake.putSecret(clusterSecret('prod-eu-blue'));
    fake.putSecret(clusterSecret('prod-eu-green'));
    fake.putSecret(clusterSecret('prod-eu-red'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));
    const before = fake.secretListCount;

    fake.setSecretListPaging('endless-token');
    fake.forceGone();
    const anomalies = async () =>
      ((await metrics.registry.getSingleMetric('greenlight_inventory_anomalies_total')?.get())?.values ?? []).filter((v) => v.labels['reason'] === 'list-page-cap').map((v) => v.value)[0] ?? 0;
    await eventually(async () => expect(await anomalies()).toBeGreaterThanOrEqual(3));
    const attempts = await anomalies();
    // Every attempt stops at the cap: no more than 4 pages each (plus the attempt under way).
    expect(fake.secretListCount - before).toBeLessThanOrEqual((attempts + 1) * 4);
    expect(lines.some((l) => l.includes('list-page-cap') && l.includes('still had more pages after 4 pages of 2') && l.includes('lists again after a backoff'))).toBe(true);
    // The last complete list is served (not a half-read one) until the staleness bound...
    expect(names(inventory)).toEqual(['prod-eu-blue', 'prod-eu-green', 'prod-eu-red', 'in-cluster']);
    expect(inventoryReadiness(inventory)).toEqual({ ready: true, reasons: [] });
    // ...after which the inventory, and so /readyz, refuse it, saying why.
    clock.skewMs = 61_000;
    expect(inventoryReadiness(inventory).ready).toBe(false);
    expect(inventoryReadiness(inventory).reasons).toEqual([
      expect.stringMatching(/^GL_INVENTORY_UNAVAILABLE: Argo CD cluster Secrets in namespace "argocd" could not be watched for \d+ s \(last error: list: the list of cluster Secrets still had more pages after 4 pages of 2; the list was given up\)/),
    ]);

    fake.setSecretListPaging('normal');
    await eventually(() => expect(inventoryReadiness(inventory)).toEqual({ ready: true, reasons: [] }));
    expect(names(inventory)).toEqual(['prod-eu-blue', 'prod-eu-green', 'prod-eu-red', 'in-cluster']);
  });

  it('gives up a list handed the same continue token twice, and is not ready until a list completes', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const { fake, inventory } = await setUp({ anomalyCounter: metrics.inventoryAnomalies, listPageSize: 1, backoff: { initialMs: 20, maxMs: 100 } });
    fake.putSecret(clusterSecret('prod-eu-blue'));
    fake.putSecret(clusterSecret('prod-eu-green'));
    fake.setSecretListPaging('repeat-token');
    inventory.start();
    const repeatedCount = async () =>
      ((await metrics.registry.getSingleMetric('greenlight_inventory_anomalies_total')?.get())?.values ?? []).find((v) => v.labels['reason'] === 'list-token-repeated')?.value ?? 0;
    await eventually(async () => expect(await repeatedCount()).toBeGreaterThanOrEqual(1));
    const err = await inventory.whenReady(10).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain('(last error: list: the API server handed the same continue token twice (page 2); the list was given up)');
    // /readyz says why, in the words every getparams request gets.
    expect(inventoryReadiness(inventory)).toEqual({ ready: false, reasons: [`GL_INVENTORY_UNAVAILABLE: ${(err as Error).message}`] });
    const repeated = await repeatedCount();
    // Two pages an attempt, attempts spaced by the backoff: not thousands of calls.
    expect(fake.secretListCount).toBeLessThanOrEqual((repeated + 1) * 2);

    fake.setSecretListPaging('normal');
    await inventory.whenReady(5000);
    expect(names(inventory)).toEqual(['prod-eu-blue', 'prod-eu-green', 'in-cluster']);
  });

  it('ignores, logs and counts malformed watch events, which never become a nameless problem', async () => {
    const lines: string[] = [];
    const metrics = new Metrics({ defaultMetrics: false });
    const { fake, inventory } = await setUp({ anomalyCounter: metrics.inventoryAnomalies, problemCounter: metrics.inventoryProblems }, lines);
    fake.putSecret(clusterSecret('prod-eu-blue'));
    await inventory.start().whenReady(5000);
    await eventually(() => expect(fake.watchCount).toBe(1));

    fake.sendRawWatchEvent('ADDED', null);
    fake.sendRawWatchEvent('MODIFIED', { kind: 'Secret', metadata: { namespace: 'argocd' }, data: { name: 'c2VjcmV0' } });
    fake.sendRawWatchEvent('DELETED', ['not', 'a', 'secret']);
    fake.sendRawWatchEvent('ADDED', 'a string');
    fake.sendRawWatchEvent('ADDED', { metadata: { name: '' } });
    fake.sendRawWatchEvent('EXPLODED', { metadata: { name: 'cluster-prod-eu-blue' } });
    fake.sendRawWatchEvent('ADDED', { metadata: { name: 'cluster-odd', labels: 'greenlight.io/pair=prod-eu' }, data: { name: 'c2VjcmV0' } });
    fake.sendRawWatchEvent('MODIFIED', { metadata: { name: 'cluster-prod-eu-blue' }, data: 42 });
    // A real change after them still applies: the watch goes on.
    fake.putSecret(clusterSecret('prod-eu-green'));
    await eventually(() => expect(names(inventory)).toEqual(['prod-eu-blue', 'prod-eu-green', 'in-cluster']));

    expect(inventory.snapshot().problems).toEqual([]);
    const counted = (await metrics.registry.getSingleMetric('greenlight_inventory_anomalies_total')?.get())?.values ?? [];
    expect(Object.fromEntries(counted.map((v) => [String(v.labels['reason']), v.value]))).toEqual({ 'event-no-object': 3, 'event-no-name': 2, 'event-unknown-type': 1, 'event-wrong-shape': 2 });
    expect(counted.every((v) => v.labels['inventory'] === 'argocd')).toBe(true);
    expect((await metrics.registry.getSingleMetric('greenlight_inventory_problems_total')?.get())?.values ?? []).toEqual([]);
    const warned = lines.filter((l) => l.includes('"reason":"event-'));
    expect(warned).toHaveLength(8);
    // The last good version of a Secret stays when an event of the wrong shape names it.
    expect(inventory.snapshot().clusters[0]?.labels).toEqual({ ...CLUSTER_LABEL, 'greenlight.io/pair': 'prod-eu' });
    expect(warned.some((l) => l.includes('"object":"null"') && l.includes('a watch ADDED event carries no object; ignored'))).toBe(true);
    expect(warned.some((l) => l.includes('"object":"an object with keys [kind, metadata, data]"') && l.includes('without metadata.name'))).toBe(true);
    expect(warned.some((l) => l.includes('"eventType":"EXPLODED"'))).toBe(true);
    // Never the data of what was sent.
    expect(lines.join('\n')).not.toContain('c2VjcmV0');
    // The watch was never restarted for them.
    expect(watchCount(fake)).toBe(1);
  });
});
