/**
 * Load: 100 concurrent clients against greenlight in live mode (20 clusters behind the fake
 * Argo CD, EKS, SSM and cluster APIs) for a bounded time, with a 1 s facts TTL so that facts are
 * refreshed in the background all along. No answer may be other than a complete 200, and memory
 * measured after a full GC (SIGUSR2, see support/gc-on-signal.mjs) may not grow beyond a stated
 * bound between the end of a warm-up and the end of the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_REGION, startFakeAws, type FakeAws, fakeAwsEnv } from '../support/fake-aws.js';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { GETPARAMS } from './support/bad-input.js';
import { rss } from './support/process-memory.js';
import { RawClient } from './support/raw-http.js';
import { PATIENCE_MS } from '../support/patience.js';

const TOKEN = 'reliability-load-token-not-secret';
const CLUSTERS = 20;
const CLIENTS = 100;
const WARMUP_MS = 2_000;
const LOAD_MS = 5_000;
/** Stated bounds on growth from the end of the warm-up to the end of the load, after a full GC. */
const HEAP_GROWTH_BOUND = 24 * 2 ** 20;
const RSS_GROWTH_BOUND = 96 * 2 ** 20;

const BODY = `${JSON.stringify({ applicationSetName: 'load', input: { parameters: { selector: { matchLabels: { load: 'yes' } }, vars: { host: 'web.{{cluster.nameNormalized}}.example.com' } } } })}\n`;
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'argocd-applicationset' };

let aws: FakeAws;
let argocd: FakeKubeApiServer;
let target: FakeKubeApiServer;
let service: ServiceProcess;
let client: RawClient;
let dir: string;


async function heapAfterGc(): Promise<{ heap: number; rss: number }> {
  process.kill(service.pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 500));
  const metrics = await client.send({ method: 'GET', path: '/metrics' });
  const heap = metrics.ok ? Number(/^greenlight_nodejs_heap_size_used_bytes (\S+)/m.exec(metrics.answer.body)?.[1]) : Number.NaN;
  return { heap, rss: rss(service.pid) };
}

interface Tally {
  answers: number;
  bad: string[];
}

/** Requests each client sends at least, so that a busy machine still puts every client's load through the service. */
const MIN_PER_CLIENT = 3;

/**
 * `CLIENTS` loops asking back to back until `ms` have passed, each at least `MIN_PER_CLIENT`
 * times however slow the machine is; every answer must be a complete 200.
 */
async function drive(ms: number, tally: Tally): Promise<void> {
  const until = Date.now() + ms;
  const loop = async () => {
    for (let sent = 0; Date.now() < until || sent < MIN_PER_CLIENT; sent++) {
      const outcome = await client.send({ path: GETPARAMS, headers: HEADERS, body: BODY });
      tally.answers++;
      if (!outcome.ok) {
        tally.bad.push(`no answer: ${outcome.error}`);
        continue;
      }
      if (outcome.answer.status !== 200) {
        tally.bad.push(`${outcome.answer.status}: ${outcome.answer.body.slice(0, 300)}`);
        continue;
      }
      const sets = (JSON.parse(outcome.answer.body) as { output: { parameters: { facts?: { sources?: string } }[] } }).output.parameters;
      if (sets.length !== CLUSTERS || sets.some((s) => s.facts?.sources !== 'eks,kubernetes,ssm')) tally.bad.push(`a 200 with ${sets.length} sets or facts missing`);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, loop));
}

beforeAll(async () => {
  aws = await startFakeAws();
  target = await FakeKubeApiServer.start({ tls: clusterTls(), storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com' }], ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb' }] });
  argocd = await FakeKubeApiServer.start();
  for (let i = 0; i < CLUSTERS; i++) {
    const name = `load-${i}`;
    aws.addCluster({ name, region: FAKE_REGION, caData: clusterCaData() });
    aws.addPodIdentityAssociation({ clusterName: name, namespace: 'payments', serviceAccount: 'payments-api', roleArn: `arn:aws:iam::111111111111:role/${name}-payments` });
    aws.addAddon({ clusterName: name, name: 'vpc-cni', version: 'v1.19.2-eksbuild.1' });
    aws.putParameter({ name: `/greenlight/${name}/payments/db-password`, value: 'load-canary-value' });
    argocd.putSecret({
      name: `cluster-${name}`,
      labels: { 'argocd.argoproj.io/secret-type': 'cluster', load: 'yes' },
      stringData: { name, server: target.url, config: JSON.stringify({ awsAuthConfig: { clusterName: name }, tlsClientConfig: { caData: clusterCaData() } }) },
    });
  }
  dir = mkdtempSync(join(tmpdir(), 'greenlight-load-'));
  const kubeconfig = writeKubeconfig(dir, argocd.url);

  const preload = join(dirname(fileURLToPath(import.meta.url)), 'support', 'gc-on-signal.mjs');
  service = await startService({
    env: {
      NODE_OPTIONS: `--expose-gc --import=${preload}`,
      GREENLIGHT_INVENTORY: 'argocd',
      GREENLIGHT_TOKEN: TOKEN,
      KUBECONFIG: kubeconfig,
      ...fakeAwsEnv(aws.endpoint),
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      // Facts expire every second and are refreshed ahead in the background, under load.
      GREENLIGHT_FACTS_TTL_MS: '1000',
      GREENLIGHT_FACTS_REFRESH_AHEAD_MS: '500',
      GREENLIGHT_EKS_RATE_PER_SECOND: '1000',
      GREENLIGHT_SSM_RATE_PER_SECOND: '1000',
    },
  });
  client = new RawClient(service.url, { maxSockets: CLIENTS, timeoutMs: PATIENCE_MS });
  const ready = Date.now() + PATIENCE_MS;
  for (;;) {
    const r = await client.send({ method: 'GET', path: '/readyz' });
    if (r.ok && r.answer.status === 200) break;
    if (Date.now() > ready) throw new Error(`greenlight never became ready: ${JSON.stringify(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

afterAll(async () => {
  client?.close();
  await service?.stop('SIGTERM');
  await Promise.all([aws?.close(), argocd?.close(), target?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe(`load: ${CLIENTS} concurrent clients`, () => {
  it(`answers every request with a complete 200 for ${(WARMUP_MS + LOAD_MS) / 1000} s, and memory stays within bounds`, async () => {
    const warm: Tally = { answers: 0, bad: [] };
    await drive(WARMUP_MS, warm);
    const before = await heapAfterGc();
    const load: Tally = { answers: 0, bad: [] };
    // GREENLIGHT_LOAD_PHASES=5 repeats the load to see whether memory keeps growing (it plateaus).
    const phases = Number(process.env['GREENLIGHT_LOAD_PHASES'] ?? 1);
    let after = before;
    for (let p = 0; p < phases; p++) {
      await drive(LOAD_MS, load);
      after = await heapAfterGc();
      if (phases > 1) process.stdout.write(`load phase ${p + 1}: heap ${(after.heap / 2 ** 20).toFixed(1)} MiB, RSS ${(after.rss / 2 ** 20).toFixed(0)} MiB, ${load.answers} answers\n`);
    }
    const report =
      `warm-up ${warm.answers} answers, load ${load.answers} answers (${Math.round(load.answers / (LOAD_MS / 1000))}/s); ` +
      `heap after GC ${(before.heap / 2 ** 20).toFixed(1)} → ${(after.heap / 2 ** 20).toFixed(1)} MiB, RSS ${(before.rss / 2 ** 20).toFixed(0)} → ${(after.rss / 2 ** 20).toFixed(0)} MiB`;
    process.stdout.write(`load: ${report}\n`);
    expect([...warm.bad, ...load.bad].slice(0, 5), report).toEqual([]);
    expect(after.heap - before.heap, report).toBeLessThan(HEAP_GROWTH_BOUND);
    expect(after.rss - before.rss, report).toBeLessThan(RSS_GROWTH_BOUND);
    expect(service.stderr()).not.toMatch(/Uncaught|FATAL/);
  });
});
