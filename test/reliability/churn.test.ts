/**
 * Churn never drops a cluster. The service runs as a process under a steady loop of getparams
 * requests while its inventory churns: cluster Secrets deleted and created again (as `kubectl
 * replace --force` does), fleet files written in place in two steps, malformed watch events. The
 * invariant checked on EVERY answer: a 2xx has every selected cluster; the only other answer
 * allowed is 503 GL_CLUSTER_LEAVING naming the cluster that is away. After the removal grace a
 * deleted cluster is dropped (deliberately). And a Secret list that never ends shows in /readyz.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FLEET_PATH } from '../../plugin/paths.js';
import { b64, FakeKubeApiServer, hasOpenssl, makeTestPki, writeKubeconfig, type TestPki } from '../support/fake-kube-apiserver.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

const TOKEN = 'test-token-churn-not-a-secret';
const MEMBER_TOKEN = 'member-cluster-token-not-a-secret';
const CLUSTERS = ['churn-a', 'churn-b', 'churn-c'] as const;
const PAIR = { pair: 'churn' };

interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
  readonly clusters?: string[];
}

async function getparams(service: ServiceProcess, parameters: object): Promise<Answer> {
  const res = await fetch(`${service.url}/api/v1/getparams.execute`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ applicationSetName: 'churn', input: { parameters } }),
  });
  const body = (await res.json()) as { output?: { parameters: { cluster: { name: string } }[] }; code?: string; message?: string };
  if (res.ok) return { status: res.status, clusters: (body.output?.parameters ?? []).map((p) => p.cluster.name) };
  return { status: res.status, ...(body.code !== undefined ? { code: body.code } : {}), ...(body.message !== undefined ? { message: body.message } : {}) };
}

/**
 * Requests `parameters` in `concurrency` loops until stopped and checks every answer: a 2xx must
 * have exactly `expected()` (read when the answer arrives), anything else must be a 503
 * GL_CLUSTER_LEAVING. Violations are kept with the answer, for the assertion at the end.
 */
function requestLoop(service: ServiceProcess, parameters: object, expected: () => readonly string[], concurrency = 3) {
  const violations: string[] = [];
  const counts = { ok: 0, leaving: 0 };
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      const answer = await getparams(service, parameters);
      if (answer.status === 200) {
        counts.ok++;
        const want = [...expected()].sort();
        if (JSON.stringify(answer.clusters) !== JSON.stringify(want)) violations.push(`2xx with ${JSON.stringify(answer.clusters)}, expected ${JSON.stringify(want)}`);
      } else if (answer.status === 503 && answer.code === 'GL_CLUSTER_LEAVING') {
        counts.leaving++;
      } else {
        violations.push(`${answer.status} ${answer.code ?? ''}: ${answer.message ?? ''}`);
      }
    }
  });
  return {
    violations,
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Polls `probe` until `ok` holds for what it returns; fails with the last value after `timeoutMs`. */
async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!hasOpenssl())('churn in Argo CD cluster Secrets', () => {
  let pki: TestPki;
  let member: FakeKubeApiServer;
  let argocd: FakeKubeApiServer;
  let dir: string;
  let patient: ServiceProcess;
  let brief: ServiceProcess;

  const secret = (name: string) => ({
    name: `cluster-${name}`,
    namespace: 'argocd',
    labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'churn' },
    stringData: {
      name,
      server: member.url,
      config: JSON.stringify({ bearerToken: MEMBER_TOKEN, tlsClientConfig: { caData: b64(pki.caCert) } }),
    },
  });

  const env = (graceMs: number, extra: Record<string, string> = {}) => ({
    GREENLIGHT_INVENTORY: 'argocd',
    ARGOCD_NAMESPACE: 'argocd',
    GREENLIGHT_TOKEN: TOKEN,
    KUBECONFIG: writeKubeconfig(dir, argocd.url),
    // No AWS here (the clusters are not EKS-registered); nothing may reach a real endpoint.
    AWS_ACCESS_KEY_ID: 'AKIAFAKECHURN0000000',
    AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key-churn',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    GREENLIGHT_ANSWER_CACHE_MS: '0',
    GREENLIGHT_REMOVAL_GRACE_MS: String(graceMs),
    ...extra,
  });

  beforeAll(async () => {
    pki = makeTestPki();
    member = await FakeKubeApiServer.start({
      tls: { key: pki.serverKey, cert: pki.serverCert },
      auth: { bearerTokens: { [MEMBER_TOKEN]: 'system:serviceaccount:argocd:argocd-manager' } },
      storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }],
    });
    argocd = await FakeKubeApiServer.start();
    for (const name of CLUSTERS) argocd.putSecret(secret(name));
    dir = mkdtempSync(join(tmpdir(), 'gl-churn-'));
    // A grace far longer than the test: nothing may be dropped while Secrets churn.
    patient = await startService({ env: env(600_000) });
    // A short grace, and a short staleness bound, to see both end.
    brief = await startService({ env: env(1_500, { GREENLIGHT_INVENTORY_MAX_STALENESS_MS: '1000' }) });
    for (const service of [patient, brief]) {
      await until(() => getparams(service, PAIR), (a) => a.status === 200 && a.clusters?.length === 3, 'the first answer');
    }
  });

  afterAll(async () => {
    await patient?.stop('SIGTERM', 30_000);
    await brief?.stop('SIGTERM', 30_000);
    await Promise.all([argocd?.close(), member?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('(a) a selected cluster Secret deleted and created again, repeatedly: never a 2xx without it', async () => {
    const loop = requestLoop(patient, PAIR, () => CLUSTERS);
    const selectors = requestLoop(patient, { selector: { matchLabels: { 'greenlight.io/pair': 'churn' } } }, () => CLUSTERS, 1);
    const byName = requestLoop(patient, { cluster: 'churn-b' }, () => ['churn-b'], 1);
    let failed: unknown;
    try {
      for (let round = 0; round < 6; round++) {
        argocd.deleteSecret('cluster-churn-b');
        // Away for at least 300 ms, and until the service has seen it leave.
        await sleep(300);
        const leaving = await until(() => getparams(patient, PAIR), (a) => a.status === 503, 'the 503 while churn-b is away');
        expect(leaving.code).toBe('GL_CLUSTER_LEAVING');
        expect(leaving.message).toMatch(/^cluster "churn-b" \(Secret argocd\/cluster-churn-b; gone since \S+Z, dropped at \S+Z\) has left greenlight's inventory and may be selected by pair=churn\./);
        argocd.putSecret(secret('churn-b'));
        await until(() => getparams(patient, PAIR), (a) => a.status === 200, 'churn-b back');
      }
    } catch (err) {
      failed = err;
    } finally {
      await Promise.all([loop.stop(), selectors.stop(), byName.stop()]);
    }
    // The answers seen first: they say more than a wait that ran out.
    expect([...loop.violations, ...selectors.violations, ...byName.violations].slice(0, 5)).toEqual([]);
    if (failed) throw failed;
    expect(loop.counts.ok).toBeGreaterThan(0);
    expect(loop.counts.leaving).toBeGreaterThan(0);
    // Selections that cannot include it were never held up.
    expect(await getparams(patient, { cluster: 'churn-a' })).toEqual({ status: 200, clusters: ['churn-a'] });
  });

  it('(c) malformed watch events are ignored and counted; requests keep succeeding', async () => {
    const loop = requestLoop(patient, PAIR, () => CLUSTERS);
    try {
      await until(async () => loop.counts.ok, (n) => n > 0, 'a first answer');
      argocd.sendRawWatchEvent('ADDED', null);
      argocd.sendRawWatchEvent('MODIFIED', { kind: 'Secret', metadata: { namespace: 'argocd' } });
      argocd.sendRawWatchEvent('DELETED', 'garbage');
      argocd.sendRawWatchEvent('SURPRISE', { metadata: { name: 'cluster-churn-a' } });
      argocd.sendRawWatchEvent('MODIFIED', { metadata: { name: 'cluster-churn-a', labels: ['greenlight.io/pair'] } });
      const counted = await until(
        async () => (await (await fetch(`${patient.url}/metrics`)).text()).split('\n').filter((l) => l.startsWith('greenlight_inventory_anomalies_total{')),
        (lines) => lines.length === 4,
        'the anomalies counted',
      );
      expect(counted.sort()).toEqual([
        'greenlight_inventory_anomalies_total{inventory="argocd",reason="event-no-name"} 1',
        'greenlight_inventory_anomalies_total{inventory="argocd",reason="event-no-object"} 2',
        'greenlight_inventory_anomalies_total{inventory="argocd",reason="event-unknown-type"} 1',
        'greenlight_inventory_anomalies_total{inventory="argocd",reason="event-wrong-shape"} 1',
      ]);
      const okBefore = loop.counts.ok;
      await until(async () => loop.counts.ok, (n) => n > okBefore + 5, 'answers after the malformed events');
    } finally {
      await loop.stop();
    }
    expect(loop.violations).toEqual([]);
    expect(loop.counts.leaving).toBe(0);
    expect(patient.logs().filter((l) => l['reason'] === 'event-no-object').length).toBe(2);
  });

  it('(d) a deleted cluster is dropped after the removal grace, and then only', async () => {
    argocd.deleteSecret('cluster-churn-c');
    const leaving = await until(() => getparams(brief, PAIR), (a) => a.status === 503, 'the 503 while churn-c leaves');
    expect(leaving.code).toBe('GL_CLUSTER_LEAVING');
    const dropAt = Date.parse(/dropped at (\S+Z)\)/.exec(leaving.message ?? '')?.[1] ?? '');
    expect(Number.isNaN(dropAt)).toBe(false);
    const after = await until(() => getparams(brief, PAIR), (a) => a.status === 200, 'the answer after the grace');
    expect(after.clusters).toEqual(['churn-a', 'churn-b']);
    // Never before the time the 503 named.
    expect(Date.now()).toBeGreaterThanOrEqual(dropAt);
    await brief.waitForLog((l) => l['cluster'] === 'churn-c' && String(l['msg']).includes('not back within the removal grace'), 10_000);
    argocd.putSecret(secret('churn-c'));
    await until(() => getparams(brief, PAIR), (a) => a.status === 200 && a.clusters?.length === 3, 'churn-c registered again');
  });

  it('a Secret list whose continue tokens never end makes /readyz 503 past the staleness bound, and ready again once lists end', async () => {
    const readyz = async () => {
      const res = await fetch(`${brief.url}/readyz`);
      return { status: res.status, body: (await res.json()) as { reasons: string[] } };
    };
    expect((await readyz()).status).toBe(200);
    argocd.setSecretListPaging('endless-token');
    argocd.forceGone();
    try {
      const down = await until(readyz, (r) => r.status === 503, '/readyz while lists never end');
      expect(down.body.reasons[0]).toMatch(/^GL_INVENTORY_UNAVAILABLE: Argo CD cluster Secrets in namespace "argocd" could not be watched for \d+ s \(last error: list: the list of cluster Secrets still had more pages after 200 pages of 500; the list was given up\)/);
      expect((await getparams(brief, PAIR)).code).toBe('GL_INVENTORY_UNAVAILABLE');
    } finally {
      argocd.setSecretListPaging('normal');
    }
    await until(readyz, (r) => r.status === 200, '/readyz after lists end again');
    await brief.waitForLog((l) => l['reason'] === 'list-page-cap' && String(l['msg']).includes('lists again after a backoff'), 10_000);
  });
});

describe('churn in a fleet file written in place', () => {
  let dir: string;
  let path: string;
  let service: ServiceProcess;
  const demo = readFileSync(DEMO_FLEET_PATH, 'utf8');
  const variant = (weight: string) => demo.replace('greenlight.io/weight: "100"', `greenlight.io/weight: "${weight}"`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gl-churn-fleet-'));
    path = join(dir, 'fleet.yaml');
    writeFileSync(path, demo);
    service = await startService({
      env: {
        GREENLIGHT_INVENTORY: path,
        GREENLIGHT_TOKEN: TOKEN,
        GREENLIGHT_ANSWER_CACHE_MS: '0',
        GREENLIGHT_FLEET_FILE_POLL_MS: '50',
        GREENLIGHT_FLEET_FILE_SETTLE_MS: '500',
        GREENLIGHT_REMOVAL_GRACE_MS: '600000',
      },
    });
  });

  afterAll(async () => {
    await service?.stop('SIGTERM', 30_000);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('(b) torn writes (truncate and part, a pause, the rest): never a 2xx without a cluster', async () => {
    const both = ['prod-eu-blue', 'prod-eu-green'];
    const loop = requestLoop(service, { pair: 'prod-eu' }, () => both);
    const weightOfBlue = async () => {
      const res = await fetch(`${service.url}/api/v1/getparams.execute`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ applicationSetName: 'churn', input: { parameters: { cluster: 'prod-eu-blue' } } }),
      });
      const body = (await res.json()) as { output?: { parameters: { cluster: { weight?: string } }[] } };
      return body.output?.parameters[0]?.cluster.weight;
    };
    try {
      for (let round = 0; round < 4; round++) {
        const weight = String(90 - round * 10);
        const text = variant(weight);
        // A prefix that is a valid fleet of blue alone: what a reader must never take for the fleet.
        const torn = text.slice(0, text.indexOf('\n  - name: prod-eu-green') + 1);
        writeFileSync(path, torn);
        await sleep(150);
        writeFileSync(path, text);
        await until(weightOfBlue, (w) => w === weight, `round ${round}: the whole file read`);
      }
    } finally {
      await loop.stop();
    }
    expect(loop.violations).toEqual([]);
    expect(loop.counts.ok).toBeGreaterThan(0);
  });
});
