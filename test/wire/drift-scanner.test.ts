/**
 * The drift scanner at the wire: the real Kubernetes client's credentials and TLS against the
 * fake API server holding a realistic EKS cluster (discovery with subresources, create-only
 * types, a group served in a non-preferred version; metadata-only lists; paging; 403s).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPair, driftRules, UpstreamError, type ClusterScan } from '../../generator/index.js';
import { KubeClientFactory } from '../../plugin/adapters/kubernetes/kube-client-factory.js';
import { KubeDriftScanner, type KubeDriftScannerOptions } from '../../plugin/adapters/kubernetes/drift-scanner.js';
import { createLogger } from '../../plugin/logger.js';
import { eksBaseline } from '../fixtures/drift/eks-baseline.js';
import { scanFixture } from '../fixtures/drift/scan.js';
import { blueSeeds, CANARY, postgres } from '../fixtures/drift/seeds.js';
import { clusterCaData } from '../support/cluster-tls.js';
import { connectionsOf, DRIFT_TOKEN, startDriftCluster, type DriftCluster } from '../support/drift-clusters.js';
import { kubeServersPerTest } from '../support/kube-servers.js';

const serve = kubeServersPerTest();
// Async: the fake server runs in this process, so a synchronous child would starve it.
const run = promisify(execFile);
const rules = driftRules();
const logger = createLogger('silent');
const blueObjects = () => [...eksBaseline(), ...postgres('blue'), ...blueSeeds()];

function scannerFor(clusters: DriftCluster[], options: Partial<KubeDriftScannerOptions> = {}) {
  return new KubeDriftScanner({ logger, ratePerSecond: null, ...options }, connectionsOf(...clusters), new KubeClientFactory());
}

/** What a scan says, comparable across scans (keys as a sorted list). */
const comparable = (scan: ClusterScan) => ({ ...scan, scannedAt: 'x', keys: [...scan.keys].sort(), candidates: [...scan.candidates].sort((a, b) => `${a.type.kind}/${a.name}`.localeCompare(`${b.type.kind}/${b.name}`)) });

async function failure(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

describe('the drift scan of a cluster', () => {
  it.each([true, false])('reads every object of every listable type, metadata only, and keeps what the pure rules keep (aggregated discovery: %s)', async (aggregated) => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    blue.store.aggregatedDiscovery = aggregated;
    const scanner = scannerFor([blue]);
    const scan = await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000));
    scanner.close();

    expect(scan.objects).toBe(blue.store.size);
    expect(scan.gaps).toEqual([]);
    const expected = scanFixture('prod-eu-blue', blueObjects(), rules);
    expect(comparable({ ...scan, resourceTypes: 0 })).toEqual(comparable({ ...expected, resourceTypes: 0 }));
    // Listable types only, each once: no subresources, no create-only reviews, autoscaling in its preferred v2,
    // CNINodes from the non-preferred v1alpha1 that alone serves them.
    const lists = blue.store.requests.filter((r) => r.query.has('limit')).map((r) => r.path);
    expect(lists).toContain('/apis/vpcresources.k8s.aws/v1alpha1/cninodes');
    expect(lists).toContain('/apis/autoscaling/v2/horizontalpodautoscalers');
    expect(lists.filter((p) => p.includes('horizontalpodautoscalers'))).toHaveLength(1);
    expect(lists.some((p) => /tokenreviews|\/bindings$|subjectaccessreviews|\/status$|\/log$|\/scale$/.test(p))).toBe(false);
    expect(scan.resourceTypes).toBe(blue.store.resourceTypes.filter((t) => (t.verbs ?? ['list']).includes('list')).length);
    // Metadata-only, except the claims and volumes (and the pods of the claims' namespace), read in full for the EBS rule.
    const full = blue.store.requests.filter((r) => r.query.has('limit') && !r.accept.includes('as=PartialObjectMetadataList')).map((r) => r.path);
    expect(full.sort()).toEqual(['/api/v1/namespaces/data/pods', '/api/v1/persistentvolumeclaims', '/api/v1/persistentvolumes']);
    expect(blue.store.requests.find((r) => r.path === '/api/v1/secrets')?.accept).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    // Authenticated as the cluster Secret says.
    expect(blue.api.authFailures).toEqual([]);
  });

  it('follows continue tokens whatever the page size, when the server returns fewer items than the limit', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    blue.store.pageCap = 3;
    const scanner = scannerFor([blue], { pageSize: 7 });
    const scan = await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000));
    scanner.close();
    expect(scan.objects).toBe(blue.store.size);
    expect(blue.store.requests.filter((r) => r.query.has('continue')).length).toBeGreaterThan(40);
    expect(comparable({ ...scan, resourceTypes: 0 })).toEqual(comparable({ ...scanFixture('prod-eu-blue', blueObjects(), rules), resourceTypes: 0 }));
  });

  it('reads aggregated discovery (two requests) when the server has it, and a stale group/version is a gap', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    blue.store.makeUnavailable('networking.k8s.aws/v1alpha1');
    const scanner = scannerFor([blue]);
    const scan = await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000));
    scanner.close();
    // Discovery: two requests (the third read without a limit is the StatefulSet behind the EBS claim).
    expect(blue.store.requests.filter((r) => !r.query.has('limit') && !r.path.includes('/namespaces/')).map((r) => r.path).sort()).toEqual(['/api', '/apis']);
    expect(scan.gaps).toEqual([
      {
        cluster: 'prod-eu-blue',
        resource: 'networking.k8s.aws/v1alpha1',
        reason: 'unavailable',
        detail: `kubernetes API ${blue.api.url} of cluster "prod-eu-blue" lists networking.k8s.aws/v1alpha1 as stale in its discovery (the API server behind it does not answer), so its resources were not scanned; check the APIService of networking.k8s.aws/v1alpha1.`,
      },
    ]);
    expect(scan.objects).toBe(blue.store.size);
  });

  it('reports a type it may not list, and a group whose discovery fails, as gaps in coverage (per group/version discovery)', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    blue.store.aggregatedDiscovery = false;
    blue.store.forbid('secrets').makeUnavailable('networking.k8s.aws/v1alpha1');
    const scanner = scannerFor([blue]);
    const scan = await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000));
    scanner.close();
    expect(scan.gaps).toEqual([
      {
        cluster: 'prod-eu-blue',
        resource: 'networking.k8s.aws/v1alpha1',
        reason: 'unavailable',
        detail: `kubernetes API ${blue.api.url} answered 503 while greenlight read API discovery of networking.k8s.aws/v1alpha1 (/apis/networking.k8s.aws/v1alpha1) for cluster "prod-eu-blue": the server is currently unable to handle the request. Retry later; if it persists, check the API server's health.`,
      },
      {
        cluster: 'prod-eu-blue',
        resource: 'secrets',
        reason: 'forbidden',
        detail: `greenlight's identity is not allowed to read secrets (drift audit) on cluster "prod-eu-blue" (kubernetes API ${blue.api.url}): grant it list on secrets (a ClusterRole bound to the identity of the bearer token in Secret argocd/cluster-prod-eu-blue (usually the argocd-manager ServiceAccount)). The API server said: secrets is forbidden: User "system:serviceaccount:argocd:argocd-manager" cannot list resource "secrets" in API group "" at the cluster scope`,
      },
    ]);
    expect(scan.candidates.some((o) => o.type.resource === 'secrets')).toBe(false);
  });

  it('drops a Secret’s data when the server answers with full objects anyway, and the last-applied annotation always', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    blue.store.fullObjectsAnyway = true;
    const scanner = scannerFor([blue]);
    const scan = await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000));
    scanner.close();
    const kept = JSON.stringify({ ...scan, keys: [...scan.keys] });
    expect(kept).toContain('legacy-api-key');
    expect(kept).not.toContain(CANARY);
    expect(kept).not.toContain(Buffer.from(CANARY).toString('base64'));
    expect(kept).not.toContain('last-applied-configuration');
  });

  it('is cached per cluster for its TTL, and bounded in bytes', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    let now = 1_000_000;
    const scanner = scannerFor([blue], { ttlMs: 60_000, clock: () => now });
    const first = await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000));
    const requests = blue.store.requests.length;
    expect(await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000))).toBe(first);
    expect(blue.store.requests.length).toBe(requests);
    const stats = scanner.stats();
    expect(stats.entries).toBe(1);
    expect(stats.bytes).toBeGreaterThan(blue.store.size * 40);
    now += 60_001;
    expect(await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000))).not.toBe(first);
    expect(blue.store.requests.length).toBeGreaterThan(requests);
    scanner.close();

    const tiny = scannerFor([blue], { maxCacheBytes: 1000 });
    await tiny.scan(blue.record, rules, AbortSignal.timeout(60_000));
    expect(tiny.stats()).toEqual({ entries: 0, bytes: 0, maxBytes: 1000 });
    tiny.close();
  });

  it('holds the configured requests per second', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    let now = 0;
    const sleep = async (ms: number) => {
      now += ms;
    };
    const scanner = scannerFor([blue], { ratePerSecond: 25, clock: () => now, sleep });
    await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000));
    scanner.close();
    const requests = blue.store.requests.length;
    expect(requests).toBeGreaterThan(40);
    // Burst of 25, then one request every 40 ms of (simulated) time.
    expect(now).toBeGreaterThanOrEqual(((requests - 25) * 1000) / 25);
  });

  it('fails, naming the cluster and what to do, when a server repeats its continue token', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    const scanner = scannerFor([blue], { pageSize: 2 });
    blue.store.pageCap = 2;
    // A proxy that drops the continue parameter: every page is the first one.
    const original = blue.store.handle.bind(blue.store);
    blue.store.handle = (req, res, path, query, user, base) => {
      query.delete('continue');
      return original(req, res, path, query, user, base);
    };
    const err = await failure(scanner.scan(blue.record, rules, AbortSignal.timeout(60_000)));
    scanner.close();
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toMatch(
      new RegExp(`^kubernetes API ${blue.api.url.replace(/[.]/g, '\\.')} of cluster "prod-eu-blue" answered the list of [a-z.]+ with a continue token it had already given, so the list would never end; check for a proxy in front of the API server that drops the continue parameter$`),
    );
  });

  it('fails with the credentials advice when the cluster refuses the token', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    const scanner = new KubeDriftScanner({ logger, ratePerSecond: null }, { connectionFor: () => ({ ...blue.connection, config: { ...blue.connection.config, bearerToken: 'fake-wrong-token' } }) }, new KubeClientFactory());
    const err = await failure(scanner.scan(blue.record, rules, AbortSignal.timeout(60_000)));
    scanner.close();
    expect(err.message).toBe(
      `kubernetes API ${blue.api.url} rejected greenlight's credentials for cluster "prod-eu-blue" while reading API discovery (401 Unauthorized). The bearerToken in Secret argocd/cluster-prod-eu-blue is invalid or expired: re-register the cluster (argocd cluster add) or update the Secret.`,
    );
    expect(err.message).not.toContain('fake-wrong-token');
  });

  it('reads single objects in full for manifests, never a Secret', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    const scanner = scannerFor([blue]);
    const cron = await scanner.readObject(blue.record, { group: 'batch', version: 'v1', resource: 'cronjobs', namespace: 'checkout', name: 'nightly-report' }, AbortSignal.timeout(60_000));
    expect(cron).toMatchObject({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly-report', namespace: 'checkout' } });
    expect(await scanner.readObject(blue.record, { group: 'batch', version: 'v1', resource: 'cronjobs', namespace: 'checkout', name: 'gone' }, AbortSignal.timeout(60_000))).toBeUndefined();
    await expect(scanner.readObject(blue.record, { group: '', version: 'v1', resource: 'secrets', namespace: 'checkout', name: 'legacy-api-key' }, AbortSignal.timeout(60_000))).rejects.toThrow(
      'greenlight never reads a Secret in full (checkout/legacy-api-key on cluster "prod-eu-blue")',
    );
    expect(blue.store.requests.some((r) => r.path.includes('/secrets/'))).toBe(false);
    scanner.close();
  });

  it('names the get to grant when a single object may not be read (manifests/target-cluster does not grant it)', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    blue.store.forbid('cronjobs.batch');
    const scanner = scannerFor([blue]);
    const err = await failure(scanner.readObject(blue.record, { group: 'batch', version: 'v1', resource: 'cronjobs', namespace: 'checkout', name: 'nightly-report' }, AbortSignal.timeout(60_000)));
    scanner.close();
    expect(err.message).toBe(
      `greenlight's identity is not allowed to read cronjobs.batch checkout/nightly-report on cluster "prod-eu-blue" (kubernetes API ${blue.api.url}): grant it get on cronjobs.batch (a ClusterRole bound to the identity of the bearer token in Secret argocd/cluster-prod-eu-blue (usually the argocd-manager ServiceAccount)). The API server said: cronjobs.batch is forbidden: User "system:serviceaccount:argocd:argocd-manager" cannot get resource "cronjobs" in API group "batch" in the namespace "checkout"`,
    );
  });

  it('scans only the clusters it is asked for, and the audit over two scans matches the pure rules', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    const green = await startDriftCluster(serve, 'prod-eu-green', [...eksBaseline(), ...postgres('green')]);
    const other = await startDriftCluster(serve, 'prod-us-blue', eksBaseline());
    const scanner = scannerFor([blue, green, other]);
    const [b, g] = await Promise.all([scanner.scan(blue.record, rules, AbortSignal.timeout(60_000)), scanner.scan(green.record, rules, AbortSignal.timeout(60_000))]);
    scanner.close();
    expect(other.store.requests).toEqual([]);
    const wire = auditPair({ pair: 'prod-eu', blue: b, green: g, rules });
    const pure = auditPair({ pair: 'prod-eu', blue: scanFixture('prod-eu-blue', blueObjects(), rules), green: scanFixture('prod-eu-green', [...eksBaseline(), ...postgres('green')], rules), rules });
    const strip = (r: typeof wire) => ({ ...r, scans: r.scans.map((s) => ({ ...s, scannedAt: 'x', resourceTypes: 0 })) });
    expect(strip(wire)).toEqual(strip(pure));
    expect(wire.findings.find((f) => f.class === 'stateful')?.managers.map((m) => m.manager)).toEqual(['kube-controller-manager', 'kube-controller-manager']);
  });
});

describe('the fake API server’s discovery, as kubectl reads it', () => {
  it('kubectl api-resources lists the types the scanner lists', async () => {
    const blue = await startDriftCluster(serve, 'prod-eu-blue', blueObjects());
    const dir = mkdtempSync(join(tmpdir(), 'gl-drift-kubectl-'));
    try {
      const ca = join(dir, 'ca.crt');
      writeFileSync(ca, Buffer.from(clusterCaData(), 'base64'));
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${blue.api.url}", certificate-authority: "${ca}"}}]\nusers: [{name: u, user: {token: ${DRIFT_TOKEN}}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n`,
      );
      const { stdout: out } = await run('kubectl', ['--kubeconfig', kubeconfig, 'api-resources', '--verbs=list', '-o', 'name', '--cache-dir', join(dir, 'cache')]);
      const kubectl = out.trim().split('\n').sort();
      const scanner = scannerFor([blue]);
      const scan = await scanner.scan(blue.record, rules, AbortSignal.timeout(60_000));
      scanner.close();
      expect(kubectl).toHaveLength(scan.resourceTypes);
      expect(kubectl).toContain('cninodes.vpcresources.k8s.aws');
      expect(kubectl).toContain('horizontalpodautoscalers.autoscaling');
      const { stdout: names } = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'cronjobs', '-A', '-o', 'name', '--cache-dir', join(dir, 'cache')]);
      expect(names.trim().split('\n').sort()).toEqual(['cronjob.batch/cart-cleanup', 'cronjob.batch/nightly-report']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
