/**
 * @module greenlight in live (`argocd`) mode with every upstream behind a fault proxy: the Argo
 * CD kube-apiserver (cluster Secrets, list + watch), EKS, STS and SSM (one fake AWS, a proxy per
 * service) and the clusters' own API. Two greenlight processes share them: one that fails closed
 * at once (no last-known-good facts) and one that serves last-known-good facts (marked stale).
 * Clusters come in groups, one group per test case, each with its own IAM role, so that a case
 * meets its fault on its first request (expired facts, a role session STS must renew).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_ACCOUNT_ID, FAKE_AWS_APIS, FAKE_REGION, startFakeAws, type FakeAws, type FakeAwsApi, fakeAwsEnv } from '../../support/fake-aws.js';
import { clusterCaData, clusterTls } from '../../support/cluster-tls.js';
import { FakeKubeApiServer, writeKubeconfig } from '../../support/fake-kube-apiserver.js';
import { startService, type ServiceProcess } from '../../support/service-process.js';
import { PATIENCE_MS } from '../../support/patience.js';
import { FaultProxy } from './fault-proxy.js';
import { RawClient } from './raw-http.js';

export const TOKEN = 'reliability-live-token-not-secret';
export const CANARY = 'canary-ssm-value-7f3a9c-must-never-leak';
/** The cluster Secret's bearer token (unused by the anonymous fake API, but a secret all the same). */
export const SECRET_CANARY = 'canary-cluster-secret-41d8-must-never-leak';

export const UPSTREAMS = ['kube-watch', 'eks', 'sts', 'ssm', 'cluster-api'] as const;
export type Upstream = (typeof UPSTREAMS)[number];
export const FAULTS = ['refused', 'reset', 'slow', '5xx', 'throttling', 'garbage', 'wrong-shape'] as const;
export type Fault = (typeof FAULTS)[number];

const STS_APIS: readonly FakeAwsApi[] = ['AssumeRole', 'GetCallerIdentity'];
const SSM_APIS: readonly FakeAwsApi[] = ['GetParametersByPath'];
const AWS_APIS: Readonly<Record<'eks' | 'sts' | 'ssm', readonly FakeAwsApi[]>> = {
  // Every other API the fake speaks is EKS's.
  eks: FAKE_AWS_APIS.filter((api) => !STS_APIS.includes(api) && !SSM_APIS.includes(api)),
  sts: STS_APIS,
  ssm: SSM_APIS,
};

/**
 * Timings small enough for a bounded suite, in the proportions of the defaults, and large enough
 * that a healthy upstream answers within them on a busy two-core machine. Only the proportions
 * matter to the assertions (no test asserts how long anything took).
 */
export const TIMINGS = {
  deadlineMs: 2000,
  attemptTimeoutMs: 900,
  /** Longer than the deadline: a slow upstream answers after greenlight gave up. */
  slowMs: 3500,
  ttlMs: 1000,
} as const;

export interface Services {
  /** GREENLIGHT_FACTS_MAX_STALENESS_MS=0: a failed refresh fails the answer. */
  readonly failClosed: ServiceProcess;
  /** Last-known-good facts (1 h): a failed refresh is answered from them, marked stale. */
  readonly lastKnownGood: ServiceProcess;
}

export class LiveWorld {
  readonly clients = new Map<ServiceProcess, RawClient>();
  private nextCluster = 0;

  private constructor(
    readonly aws: FakeAws,
    readonly argocd: FakeKubeApiServer,
    readonly target: FakeKubeApiServer,
    readonly proxies: Readonly<Record<Upstream, FaultProxy>>,
    private readonly dir: string,
    readonly services: Services,
  ) {
    for (const s of new Set([services.failClosed, services.lastKnownGood])) this.clients.set(s, new RawClient(s.url, { maxSockets: 8 }));
  }

  /**
   * `extraEnv` is added to both processes' environment. With `lastKnownGood: false` only the
   * fail-closed process runs (and stands for both), where staleness does not matter.
   */
  static async start(groups: readonly string[], extraEnv: Readonly<Record<string, string>> = {}, options: { lastKnownGood?: boolean } = {}): Promise<LiveWorld> {
    // Sessions last 2 s: STS is asked again all the time, so its faults matter.
    const aws = await startFakeAws({ credentialLifetimeSeconds: 2 });
    const argocd = await FakeKubeApiServer.start();
    const target = await FakeKubeApiServer.start({
      version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' },
      storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }],
      ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb' }],
    });
    const proxies = {
      'kube-watch': await FaultProxy.start(argocd.url, { slowMs: TIMINGS.slowMs }),
      eks: await FaultProxy.start(aws.endpoint, { slowMs: TIMINGS.slowMs }),
      sts: await FaultProxy.start(aws.endpoint, { slowMs: TIMINGS.slowMs }),
      ssm: await FaultProxy.start(aws.endpoint, { slowMs: TIMINGS.slowMs }),
      // HTTPS with the cluster's CA: greenlight sends a cluster's EKS token only to a server that proves to be it.
      'cluster-api': await FaultProxy.start(target.url, { slowMs: TIMINGS.slowMs, tls: clusterTls() }),
    };
    const dir = mkdtempSync(join(tmpdir(), 'greenlight-reliability-'));
    const kubeconfig = writeKubeconfig(dir, proxies['kube-watch'].url);

    const partial = { aws, argocd, target, proxies };
    const world = { ...partial, register: (group: string) => registerGroup(partial, group) };
    for (const group of groups) world.register(group);

    const env = (maxStalenessMs: number) => ({
      GREENLIGHT_INVENTORY: 'argocd',
      ARGOCD_NAMESPACE: 'argocd',
      GREENLIGHT_TOKEN: TOKEN,
      GREENLIGHT_LOG_LEVEL: 'debug',
      KUBECONFIG: kubeconfig,
      ...fakeAwsEnv({ eks: proxies.eks.url, ssm: proxies.ssm.url, sts: proxies.sts.url }),
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      GREENLIGHT_REQUEST_DEADLINE_MS: String(TIMINGS.deadlineMs),
      GREENLIGHT_FACTS_ATTEMPT_TIMEOUT_MS: String(TIMINGS.attemptTimeoutMs),
      GREENLIGHT_FACTS_TTL_MS: String(TIMINGS.ttlMs),
      GREENLIGHT_FACTS_REFRESH_AHEAD_MS: '0',
      GREENLIGHT_FACTS_MAX_STALENESS_MS: String(maxStalenessMs),
      GREENLIGHT_FACTS_FAILURE_COOLDOWN_MS: '0',
      GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS: '2',
      GREENLIGHT_EKS_RATE_PER_SECOND: '1000',
      GREENLIGHT_SSM_RATE_PER_SECOND: '1000',
      GREENLIGHT_FACTS_CONCURRENCY: '32',
      ...extraEnv,
    });
    const [failClosed, lastKnownGood] = await Promise.all([
      startService({ env: env(0) }),
      options.lastKnownGood === false ? undefined : startService({ env: env(3_600_000) }),
    ]);
    if (!failClosed) throw new Error('greenlight did not start');
    const services = { failClosed, lastKnownGood: lastKnownGood ?? failClosed };
    const live = new LiveWorld(aws, argocd, target, proxies, dir, services);
    live.nextCluster = 1000;
    await live.whenReady();
    return live;
  }

  /** Resolves once both processes have listed the cluster Secrets (`/readyz` 200); bounded. */
  async whenReady(timeoutMs = PATIENCE_MS): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (const service of new Set([this.services.failClosed, this.services.lastKnownGood])) {
      for (;;) {
        const r = await this.client(service).send({ method: 'GET', path: '/readyz' });
        if (r.ok && r.answer.status === 200) break;
        if (Date.now() > until) throw new Error(`greenlight at ${service.url} did not become ready: ${JSON.stringify(r).slice(0, 300)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  /** Asks until a 200 (the first answers may meet the deadline while facts are read); bounded. */
  async firstAnswer(service: ServiceProcess, body: string, timeoutMs = PATIENCE_MS): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.client(service).send({ path: '/api/v1/getparams.execute', headers: REQUEST_HEADERS, body });
      if (r.ok && r.answer.status === 200) return;
      if (Date.now() > until) throw new Error(`greenlight at ${service.url} never answered 200: ${JSON.stringify(r).slice(0, 500)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Registers one more cluster in `group` (in EKS, SSM and as an Argo CD cluster Secret). */
  addCluster(group: string): string {
    return registerCluster(this, group, `${group}-late-${this.nextCluster++}`);
  }

  client(service: ServiceProcess): RawClient {
    const c = this.clients.get(service);
    if (!c) throw new Error('unknown service');
    return c;
  }

  /** `upstream` takes requests and never answers: no answer, no error, no close. `heal` undoes it. */
  async hang(upstream: Upstream): Promise<void> {
    await this.proxies[upstream].setMode('hang');
  }

  /**
   * Registers cluster `name` of `group` again, now reached through another IAM role: the same
   * name, another identity (as when a Secret is rewritten for a re-created cluster).
   */
  changeRole(group: string, name: string, roleArn: string): void {
    this.aws.allowRole(roleArn);
    putClusterSecret(this, group, name, roleArn);
  }

  /** Breaks `upstream` the way `fault` says; `heal` undoes it. */
  async inject(upstream: Upstream, fault: Fault): Promise<void> {
    const proxy = this.proxies[upstream];
    switch (fault) {
      case 'refused':
        return proxy.setMode('refuse');
      case 'reset':
        return proxy.setMode('reset');
      case 'slow':
        return proxy.setMode('slow');
      case 'garbage':
        return proxy.setMode('garbage');
      case 'wrong-shape':
        return proxy.setMode('wrong-shape');
      case '5xx':
      case 'throttling': {
        if (upstream === 'eks' || upstream === 'sts' || upstream === 'ssm') {
          for (const api of AWS_APIS[upstream]) this.aws.inject(api, fault === '5xx' ? { kind: 'server-error', status: 503 } : { kind: 'throttle' });
          return;
        }
        const status = fault === '5xx' ? 500 : 429;
        if (upstream === 'cluster-api') {
          this.target.failRequests({ path: /./, status, times: 1_000_000 });
          return;
        }
        this.argocd.failRequests({ path: /\/secrets$/, status, times: 1_000_000, message: `injected ${status}` });
        // Open watches are cut, as an apiserver restart does, so the failures are met.
        this.argocd.dropWatches();
        return;
      }
    }
  }

  async heal(upstream: Upstream): Promise<void> {
    await this.proxies[upstream].setMode('pass');
    if (upstream === 'eks' || upstream === 'sts' || upstream === 'ssm') for (const api of AWS_APIS[upstream]) this.aws.clearFaults(api);
    if (upstream === 'cluster-api') this.target.reset();
    if (upstream === 'kube-watch') this.argocd.reset();
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    await Promise.all([...new Set([this.services.failClosed, this.services.lastKnownGood])].map((s) => s.stop('SIGTERM')));
    await Promise.all(Object.values(this.proxies).map((p) => p.close()));
    await Promise.all([this.aws.close(), this.argocd.close(), this.target.close()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Registry {
  readonly aws: FakeAws;
  readonly argocd: FakeKubeApiServer;
  readonly proxies: Readonly<Record<Upstream, FaultProxy>>;
}

function registerCluster(world: Registry, group: string, name: string): string {
  const roleArn = `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/greenlight-${group}`;
  world.aws.allowRole(roleArn);
  world.aws.addCluster({ name, region: FAKE_REGION, tags: { team: 'platform' }, caData: clusterCaData() });
  world.aws.putParameter({ name: `/greenlight/${name}/payments/db-password`, value: CANARY, type: 'SecureString' });
  putClusterSecret(world, group, name, roleArn);
  return name;
}

function putClusterSecret(world: Registry, group: string, name: string, roleArn: string): void {
  world.argocd.putSecret({
    name: `cluster-${name}`,
    namespace: 'argocd',
    labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'reliability-group': group, reliability: 'yes' },
    annotations: { 'greenlight.io/weight': '0' },
    stringData: {
      name,
      server: world.proxies['cluster-api'].url,
      project: 'platform',
      config: JSON.stringify({ bearerToken: SECRET_CANARY, awsAuthConfig: { clusterName: name, roleARN: roleArn }, tlsClientConfig: { caData: clusterCaData() } }),
    },
  });
}

/** Two clusters per group, sharing the group's IAM role. */
function registerGroup(world: Registry, group: string): string[] {
  return [registerCluster(world, group, `${group}-a`), registerCluster(world, group, `${group}-b`)];
}

/** The request that selects every cluster of `group`. */
export function groupRequest(group: string): string {
  return `${JSON.stringify({ applicationSetName: `reliability-${group}`, input: { parameters: { selector: { matchLabels: { 'reliability-group': group } }, vars: { host: 'web.{{cluster.nameNormalized}}.example.com' } } } })}\n`;
}

export const REQUEST_HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'argocd-applicationset' } as const;
