import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { factsResponseSchema, UpstreamError, type ClusterFacts } from '../../generator/index.js';
import type { DriftAuditReader } from '../../plugin/pairs/drift-audits.js';
import { demoPairServices } from '../support/demo-pair-services.js';
import { StaticTokenSource } from '../../plugin/auth/token-source.js';
import { errorHandler } from '../../plugin/http/error-handler.js';
import { requestContext } from '../../plugin/http/middleware/request-context.js';
import { FACTS_PATH, factsRouter, PROXY_SECRET_HEADER, type FactsRouteDeps } from '../../plugin/http/routes/facts.js';
import { createLogger } from '../../plugin/logger.js';
import { Metrics } from '../../plugin/metrics.js';
import type { ListedApplication } from '../../plugin/adapters/argocd/application-source.js';
import { PairEvaluator } from '../../plugin/pairs/evaluation.js';
import { aCluster, blueGreenLabels, fullFacts } from '../support/builders.js';
import { InMemoryFleet } from '../support/in-memory-fleet.js';
import { captureLogs } from '../support/test-app.js';

const SECRET = 'proxy-secret-not-a-secret-0001';

/** The builders' facts, with the numeric minor the contract schema requires (EKS itself says "31+"). */
function facts(name: string, version = '1.31'): ClusterFacts {
  const f = fullFacts(name, version);
  if (f.kubernetes) f.kubernetes.minor = f.kubernetes.minor.replace(/\D+$/, '');
  return f;
}

function fleet(): InMemoryFleet {
  const green: ClusterFacts = facts('prod-eu-green', '1.32');
  green.podIdentity = green.podIdentity?.filter((p) => p.namespace !== 'external-dns');
  return new InMemoryFleet()
    .add(aCluster({ name: 'prod-eu-blue', labels: blueGreenLabels('prod-eu', 'blue'), annotations: { 'greenlight.io/weight': '100' } }), facts('prod-eu-blue', '1.31'))
    .add(aCluster({ name: 'prod-eu-green', labels: blueGreenLabels('prod-eu', 'green'), annotations: { 'greenlight.io/weight': '0' } }), green)
    .add(aCluster({ name: 'prod-us-blue', labels: blueGreenLabels('prod-us', 'blue') }), facts('prod-us-blue'))
    .add(aCluster({ name: 'tools' }), facts('tools'));
}

/** createApp's pieces around the facts router: request context, the router, the error handler. */
function factsApp(f: InMemoryFleet, secret: string | null = SECRET, requestDeadlineMs = 1000, verdicts?: PairEvaluator, more: Pick<FactsRouteDeps, 'drifts' | 'gates'> = {}) {
  const logs = captureLogs();
  const logger = createLogger('debug', logs.stream);
  const app = express();
  app.use(requestContext({ logger, metrics: new Metrics({ defaultMetrics: false }) }));
  app.use(factsRouter({ inventory: f, facts: f, verdicts, ...more, proxySecret: secret === null ? undefined : new StaticTokenSource(secret), requestDeadlineMs }));
  app.use(errorHandler({ logger, maxBodyBytes: 4096 }));
  return { app, logs };
}

const GREEN_URL = 'https://PRODEUGREEN.gr7.eu-west-1.eks.amazonaws.com';

/** The headers Argo CD's proxy sends for Application argocd:web-green (destination by server). */
function proxied(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    [PROXY_SECRET_HEADER]: SECRET,
    'Argocd-Application-Name': 'argocd:web-green',
    'Argocd-Project-Name': 'default',
    'Argocd-Namespace': 'argocd',
    'Argocd-Target-Cluster-URL': GREEN_URL,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
}

const get = (app: express.Express, headers: Record<string, string>) => request(app).get(FACTS_PATH).set(headers);

describe('GET /api/v1/facts', () => {
  it("answers the facts of the destination cluster's pair with blue and green compared", async () => {
    const res = await get(factsApp(fleet()).app, proxied());
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = factsResponseSchema.parse(res.body);
    expect(body.application).toEqual({ namespace: 'argocd', name: 'web-green', project: 'default' });
    expect(body.cluster).toBe('prod-eu-green');
    expect(body.pair).toBe('prod-eu');
    expect(body.members.map((m) => [m.name, m.role, m.weight, m.error])).toEqual([
      ['prod-eu-blue', 'blue', '100', null],
      ['prod-eu-green', 'green', '0', null],
    ]);
    expect(body.members[0]?.origins).toEqual([{ source: 'fleet', fetchedAt: '2026-11-26T08:00:00.000Z', stale: false }]);
    expect(body.comparisons).toHaveLength(1);
    const [comparison] = body.comparisons;
    expect(comparison?.baseline).toBe('prod-eu-blue');
    expect(comparison?.candidate).toBe('prod-eu-green');
    const unexpected = comparison?.differences.filter((d) => !d.expected).map((d) => d.subject);
    expect(unexpected).toEqual(['kubernetes.minor', 'podidentity:external-dns/external-dns-sa']);
    expect(comparison?.differences.filter((d) => d.expected).map((d) => d.subject)).toContain('eks.oidcIssuer');
  });

  it('accepts the destination by name, and both headers when they agree', async () => {
    const { app } = factsApp(fleet());
    const byName = await get(app, proxied({ 'Argocd-Target-Cluster-URL': undefined, 'Argocd-Target-Cluster-Name': 'prod-eu-blue' }));
    expect(byName.status).toBe(200);
    expect(byName.body.cluster).toBe('prod-eu-blue');
    const both = await get(app, proxied({ 'Argocd-Target-Cluster-URL': `${GREEN_URL}/`, 'Argocd-Target-Cluster-Name': 'prod-eu-green' }));
    expect(both.status).toBe(200);
    expect(both.body.cluster).toBe('prod-eu-green');
  });

  it('answers only for the pair: other pairs and unpaired clusters stay out', async () => {
    const res = await get(factsApp(fleet()).app, proxied());
    expect(res.body.members.map((m: { name: string }) => m.name)).not.toContain('prod-us-blue');
    expect(res.body.members.map((m: { name: string }) => m.name)).not.toContain('tools');
  });

  it('answers a cluster without a pair alone, with no comparison', async () => {
    const res = await get(factsApp(fleet()).app, proxied({ 'Argocd-Target-Cluster-URL': undefined, 'Argocd-Target-Cluster-Name': 'tools' }));
    expect(res.status).toBe(200);
    expect(res.body.pair).toBeNull();
    expect(res.body.members.map((m: { name: string }) => m.name)).toEqual(['tools']);
    expect(res.body.comparisons).toEqual([]);
  });

  it('finds pair members whose pair is an EKS tag rather than a label', async () => {
    const f = fleet();
    const purple = facts('prod-eu-purple');
    if (purple.eks) purple.eks.tags = { 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'purple' };
    f.add(aCluster({ name: 'prod-eu-purple', aws: { clusterName: 'prod-eu-purple' } }), purple);
    const res = await get(factsApp(f).app, proxied());
    expect(res.body.members.map((m: { name: string; role: string }) => `${m.name}:${m.role}`)).toEqual(['prod-eu-blue:blue', 'prod-eu-green:green', 'prod-eu-purple:purple']);
    expect(res.body.comparisons.map((c: { candidate: string }) => c.candidate)).toEqual(['prod-eu-green', 'prod-eu-purple']);
  });

  it("reports a member whose facts fail as that member's error and still compares the rest", async () => {
    const f = fleet();
    f.failures.set('prod-eu-blue', new UpstreamError('GL_FACTS_UNAVAILABLE', 'cluster "prod-eu-blue": EKS DescribeCluster failed: AccessDenied'));
    const res = await get(factsApp(f).app, proxied());
    expect(res.status).toBe(200);
    expect(res.body.members[0]).toMatchObject({
      name: 'prod-eu-blue',
      facts: null,
      error: { code: 'GL_FACTS_UNAVAILABLE', message: 'cluster "prod-eu-blue": EKS DescribeCluster failed: AccessDenied' },
    });
    expect(res.body.comparisons).toEqual([]);
  });

  it('answers within the deadline when a member never answers', async () => {
    const f = fleet();
    f.hanging.add('prod-eu-blue');
    // The member never answers: an answer at all is the deadline's.
    const res = await get(factsApp(f, SECRET, 200).app, proxied());
    expect(res.status).toBe(200);
    expect(res.body.members[0].error.code).toMatch(/GL_DEADLINE_EXCEEDED|GL_FACTS_UNAVAILABLE/);
  });

  describe('the shared secret of the proxy extension', () => {
    it('is required: 401 without it, naming the header and the Argo CD setting', async () => {
      const res = await get(factsApp(fleet()).app, proxied({ [PROXY_SECRET_HEADER]: undefined }));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        code: 'GL_AUTH_MISSING',
        message:
          "the request carries no Greenlight-Proxy-Secret header: /api/v1/facts answers only through Argo CD's proxy extension; in argocd-cm extension.config, give the greenlight backend service \"headers: [{name: Greenlight-Proxy-Secret, value: '$greenlight.proxy.secret'}]\" and put greenlight's proxy secret under that key in argocd-secret",
      });
    });

    it('must match: 403 otherwise, and the values are never logged', async () => {
      const { app, logs } = factsApp(fleet());
      const res = await get(app, proxied({ [PROXY_SECRET_HEADER]: 'guessed-secret-value' }));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('GL_AUTH_INVALID');
      await get(app, proxied());
      expect(logs.lines().join('\n')).not.toContain('guessed-secret-value');
      expect(logs.lines().join('\n')).not.toContain(SECRET);
    });

    it("names the missing argocd-secret key when Argo CD sent its unresolved reference", async () => {
      const res = await get(factsApp(fleet()).app, proxied({ [PROXY_SECRET_HEADER]: '$greenlight.proxy.secret' }));
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('GL_AUTH_UNRESOLVED_SECRET');
      expect(res.body.message).toContain('key "greenlight.proxy.secret" is missing from Secret "argocd-secret"');
    });

    it('turns the endpoint off when greenlight has no secret configured', async () => {
      const res = await get(factsApp(fleet(), null).app, proxied());
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('GL_ROUTE_NOT_FOUND');
      expect(res.body.message).toContain('GREENLIGHT_PROXY_SECRET_FILE');
    });
  });

  describe("the proxy's headers", () => {
    it.each([
      [{ 'Argocd-Application-Name': undefined }, 'header Argocd-Application-Name is missing'],
      [{ 'Argocd-Application-Name': 'web-green' }, 'header Argocd-Application-Name must be "<namespace>:<application name>"'],
      [{ 'Argocd-Application-Name': 'Argo_CD:web' }, '"Argo_CD" in Argocd-Application-Name is not a valid namespace'],
      [{ 'Argocd-Application-Name': 'argocd:Web Green' }, '"Web Green" in Argocd-Application-Name is not a valid application name'],
      [{ 'Argocd-Project-Name': undefined }, 'header Argocd-Project-Name is missing'],
      [{ 'Argocd-Project-Name': '../etc' }, '"../etc" in Argocd-Project-Name is not a valid project name'],
    ])('are validated: %o → 400', async (overrides, message) => {
      const res = await get(factsApp(fleet()).app, proxied(overrides));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('GL_REQUEST_INVALID');
      expect(res.body.message).toContain(message);
    });

    it('must name a destination cluster', async () => {
      const res = await get(factsApp(fleet()).app, proxied({ 'Argocd-Target-Cluster-URL': undefined }));
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('names no destination cluster');
    });

    it('refuse a destination URL and name that disagree (a client may add the header Argo CD left unset)', async () => {
      const res = await get(factsApp(fleet()).app, proxied({ 'Argocd-Target-Cluster-Name': 'prod-us-blue' }));
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(
        `Argocd-Target-Cluster-URL names cluster "prod-eu-green" but Argocd-Target-Cluster-Name names "prod-us-blue"; refusing to guess which is Application argocd:web-green's destination`,
      );
    });

    it('404 for a destination greenlight does not know', async () => {
      const res = await get(factsApp(fleet()).app, proxied({ 'Argocd-Target-Cluster-URL': 'https://kubernetes.default.svc' }));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        code: 'GL_CLUSTER_NOT_FOUND',
        message:
          'Application argocd:web-green deploys to cluster "https://kubernetes.default.svc", which is not in greenlight\'s inventory (4 clusters); register it in Argo CD (or the fleet file) to see its facts',
      });
    });
  });

  it('answers 503 while the inventory is not loaded', async () => {
    const f = fleet();
    f.ready = false;
    const res = await get(factsApp(f).app, proxied());
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('GL_INVENTORY_UNAVAILABLE');
  });

  it('takes GET only', async () => {
    const res = await request(factsApp(fleet()).app).post(FACTS_PATH).set(proxied()).send({});
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET');
  });
});

/** An Application of family `family` on `server`, deploying to `namespace`, managing `resources`. */
function listed(name: string, family: string, server: string, namespace: string, resources: { group: string; version: string; kind: string; name: string }[] = []): ListedApplication {
  return {
    metadata: { name, namespace: 'argocd', labels: { 'greenlight.io/app': family } },
    spec: { project: 'default', destination: { server, namespace } },
    status: { resources: resources.map((r) => ({ ...r, namespace })) },
  };
}

describe("GET /api/v1/facts: the pair's verdict from the service's one evaluation", () => {
  const BLUE_URL = 'https://PRODEUBLUE.gr7.eu-west-1.eks.amazonaws.com';
  const sa = { group: '', version: 'v1', kind: 'ServiceAccount', name: 'external-dns-sa' };
  const applications = [
    listed('web-blue', 'web', BLUE_URL, 'web'),
    listed('web-green', 'web', GREEN_URL, 'web'),
    listed('external-dns-blue', 'external-dns', BLUE_URL, 'external-dns', [sa]),
    listed('external-dns-green', 'external-dns', GREEN_URL, 'external-dns', [sa]),
  ];
  const evaluator = (f: InMemoryFleet, list: () => Promise<ListedApplication[]> = async () => applications) => new PairEvaluator({ inventory: f, facts: f, applications: { list } });

  it("serves the pair's counts to every viewer, and each viewer only its family's findings in full", async () => {
    const f = fleet();
    const verdicts = evaluator(f);
    const { app } = factsApp(f, SECRET, 1000, verdicts);
    const pairVerdict = (await verdicts.evaluation())?.pairs.get('prod-eu')?.verdict;
    const web = factsResponseSchema.parse((await get(app, proxied())).body).readiness;
    const dns = factsResponseSchema.parse((await get(app, proxied({ 'Argocd-Application-Name': 'argocd:external-dns-green' }))).body).readiness;
    if (web?.state !== 'judged' || dns?.state !== 'judged' || !pairVerdict) throw new Error(`not judged: ${JSON.stringify([web, dns])}`);
    const counts = { blockers: pairVerdict.blockers.length, warnings: pairVerdict.warnings.length };
    expect(counts.blockers).toBeGreaterThan(0);
    expect(web.counts).toEqual(counts);
    expect(dns.counts).toEqual(counts);
    expect(web.app).toEqual({ blockers: [], warnings: [] });
    expect(dns.app.blockers.map((b) => b.subject)).toEqual(['podidentity:external-dns/external-dns-sa']);
    expect(web.otherApps.blockers).toBe(dns.app.blockers.length);
    expect(web.ready).toBe(false);
    expect(web.at).toBe(new Date((await verdicts.evaluation())?.at ?? 0).toISOString());
  });

  it('says why there is no verdict: no evaluation here, the pair incomplete, the Applications unreadable', async () => {
    const f = fleet();
    const none = factsResponseSchema.parse((await get(factsApp(f).app, proxied())).body).readiness;
    expect(none).toEqual({ state: 'unavailable', reason: 'this greenlight service does not evaluate readiness; run "greenlight readiness --pair prod-eu" for the verdict' });
    const us = factsResponseSchema.parse((await get(factsApp(f, SECRET, 1000, evaluator(f)).app, proxied({ 'Argocd-Target-Cluster-URL': undefined, 'Argocd-Target-Cluster-Name': 'prod-us-blue' }))).body).readiness;
    expect(us).toEqual({ state: 'unavailable', reason: 'greenlight could not judge pair prod-us: pair prod-us has no cluster with greenlight.io/role=green (its clusters: prod-us-blue)' });
    const failing = evaluator(f, async () => {
      throw new UpstreamError('GL_FACTS_UNAVAILABLE', 'Argo CD Applications in namespace argocd: 403 Forbidden; grant list on applications.argoproj.io');
    });
    const denied = factsResponseSchema.parse((await get(factsApp(f, SECRET, 1000, failing).app, proxied())).body).readiness;
    expect(denied).toEqual({
      state: 'unavailable',
      reason: 'greenlight could not judge pair prod-eu: Argo CD Applications could not be listed: Argo CD Applications in namespace argocd: 403 Forbidden; grant list on applications.argoproj.io',
    });
  });

  it('answers null for a cluster without a pair', async () => {
    const f = fleet();
    const body = factsResponseSchema.parse((await get(factsApp(f, SECRET, 1000, evaluator(f)).app, proxied({ 'Argocd-Target-Cluster-URL': undefined, 'Argocd-Target-Cluster-Name': 'tools' }))).body);
    expect(body.readiness).toBeNull();
  });
});

describe("GET /api/v1/facts: the pair's drift audit and traffic gate as the service made them", () => {
  const BLUE_URL = 'https://PRODEUBLUE.gr7.eu-west-1.eks.amazonaws.com';
  const applications = [
    // Named as the demo's objects track them: <app>-<cluster>.
    listed('web-prod-eu-blue', 'web', BLUE_URL, 'web'),
    listed('web-green', 'web', GREEN_URL, 'web'),
    listed('checkout-prod-eu-blue', 'checkout', BLUE_URL, 'checkout'),
    listed('checkout-green', 'checkout', GREEN_URL, 'checkout'),
    listed('reports-prod-eu-blue', 'reports', BLUE_URL, 'reports'),
  ];
  const service = (f: InMemoryFleet) => demoPairServices(f, async () => applications);

  it("serves the pair's drift counts to every viewer, each viewer its family's findings in full, pair-wide ones to all, and other apps' counted", async () => {
    const f = fleet();
    const { drifts, verdicts, gates } = service(f);
    const report = await drifts.refresh();
    const { app } = factsApp(f, SECRET, 1000, verdicts, { drifts, gates });
    const web = factsResponseSchema.parse((await get(app, proxied())).body).drift;
    const checkout = factsResponseSchema.parse((await get(app, proxied({ 'Argocd-Application-Name': 'argocd:checkout-green' }))).body).drift;
    if (web?.state !== 'audited' || checkout?.state !== 'audited') throw new Error(`not audited: ${JSON.stringify([web, checkout])}`);
    const where = (f: { kind: string; namespace: string | null; name: string }) => `${f.kind} ${f.namespace ?? ''}/${f.name}`;
    expect(web.counts).toEqual({ unmanaged: 3, hotfix: 1, stateful: 1, accepted: 1, missingOnGreen: 4 });
    expect(checkout.counts).toEqual(web.counts);
    expect(web.app.map(where)).toEqual(['Ingress web/web-debug', 'ConfigMap web/web-config']);
    expect(checkout.app.map(where)).toEqual(['ServiceAccount checkout/ci-deployer']);
    // Cluster-scoped, and namespaces no Application deploys to (payments), are the pair's; the claim tracked by "reports" is another app's.
    expect(web.pairWide.map(where)).toEqual(['ClusterRole /debug-admin', 'CronJob payments/db-cleanup-manual']);
    expect(web.otherApps).toEqual([
      { namespace: 'checkout', kind: 'ServiceAccount', count: 1 },
      { namespace: 'reports', kind: 'PersistentVolumeClaim', count: 1 },
    ]);
    expect(web.at).toBe(new Date(report.at).toISOString());
    expect(web.scans.map((s) => s.cluster)).toEqual(['prod-eu-blue', 'prod-eu-green']);
    // The same audit feeds the readiness verdict's drift check.
    const verdict = (await verdicts.evaluate()).pairs.get('prod-eu')?.verdict;
    expect(verdict?.checks.find((c) => c.check === 'drift')?.outcome).toBe('blockers');
  });

  it('says why there is no drift audit: none here, the first under way, the audit failed', async () => {
    const f = fleet();
    const none = factsResponseSchema.parse((await get(factsApp(f).app, proxied())).body).drift;
    expect(none).toEqual({
      state: 'unavailable',
      reason: 'this greenlight service does not audit drift: it needs each cluster\'s own API (GREENLIGHT_INVENTORY=argocd) and GREENLIGHT_DRIFT_AUDITS=on; run "greenlight drift --pair prod-eu" for the audit',
    });
    const underWay: DriftAuditReader = { latest: async () => undefined };
    const first = factsResponseSchema.parse((await get(factsApp(f, SECRET, 1000, undefined, { drifts: underWay }).app, proxied())).body).drift;
    expect(first).toEqual({
      state: 'unavailable',
      reason: "greenlight's first drift audit of pair prod-eu is under way (it scans both clusters under a rate budget); reload in a minute, or run \"greenlight drift --pair prod-eu\" for the audit",
    });
    const failed: DriftAuditReader = { latest: async () => ({ at: 0, pairs: new Map([['prod-eu', { at: 0, error: 'cluster "prod-eu-blue" (https://PRODEUBLUE…) could not be reached: ECONNREFUSED' }]]) }) };
    const broken = factsResponseSchema.parse((await get(factsApp(f, SECRET, 1000, undefined, { drifts: failed }).app, proxied())).body).drift;
    expect(broken).toEqual({ state: 'unavailable', reason: 'greenlight could not audit the drift of pair prod-eu: cluster "prod-eu-blue" (https://PRODEUBLUE…) could not be reached: ECONNREFUSED' });
  });

  it("serves the pair's gate with its reasons, and the viewed family's live health beside the pair's", async () => {
    const f = fleet();
    const { drifts, verdicts, gates } = service(f);
    await drifts.refresh();
    const { app } = factsApp(f, SECRET, 1000, verdicts, { drifts, gates });
    const gate = factsResponseSchema.parse((await get(app, proxied())).body).gate;
    if (gate?.state !== 'evaluated') throw new Error(`not evaluated: ${JSON.stringify(gate)}`);
    expect(gate.answer.decision).toBe('hold');
    expect(gate.answer.step.current).toEqual({ blue: 100, green: 0 });
    expect(gate.answer.step.next).toEqual({ blue: 80, green: 20 });
    expect(gate.answer.reasons.filter((r) => r.outcome === 'hold').map((r) => r.check)).toEqual(['readiness']);
    expect(gate.answer.split.map((r) => `${r.record} ${r.cluster} ${r.desired}/${r.actual} ${r.outcome}`)).toContain('shop.example.com. A prod-eu-green 0/0 ok');
    expect(gate.family.map((h) => h.namespace)).toEqual(['web']);
    expect(gate.family[0]?.health.map((h) => `${h.signal} ${h.outcome}`)).toEqual(['error-ratio no-evidence', 'p99-latency no-evidence', 'restarts ok']);
    expect(gate.family[0]?.health[0]?.query.blue).toBe('sum(rate(http_requests_total{cluster="prod-eu-blue",namespace="web",code=~"5.."}[10m])) / sum(rate(http_requests_total{cluster="prod-eu-blue",namespace="web"}[10m]))');
    const none = factsResponseSchema.parse((await get(factsApp(f).app, proxied())).body).gate;
    expect(none).toEqual({ state: 'unavailable', reason: 'this greenlight service does not evaluate the traffic gate; run "greenlight gate --pair prod-eu"' });
  });
});
