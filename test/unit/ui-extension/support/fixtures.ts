/** Argo CD objects and a facts answer for component tests: the demo pair prod-eu, blue and green. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { clusterFactsSchema, type ClusterFacts } from '../../../../generator/contract/cluster-facts.js';
import type { ArgoApplication, ArgoCluster, ArgoResourceStatus } from '../../../../generator/contract/ui-api.js';
import { driftReportSchema, type CoverageGap, type DriftReport } from '../../../../generator/contract/drift.js';
import type { FactsResponse, ServedDrift, ServedGate } from '../../../../generator/contract/facts-api.js';
import type { ExternalDnsSide, GateAnswer, SignalName, SignalResult } from '../../../../generator/contract/gate.js';
import { servedDrift } from '../../../../generator/drift/served.js';
import { gateAnswer } from '../../../../generator/gate/decision.js';
import { ALPHA_PREFIX, externalDnsVersion, judgePrefix } from '../../../../generator/gate/external-dns.js';
import { DEFAULT_SIGNALS, judgeSignal } from '../../../../generator/gate/health.js';
import { DEFAULT_PLAN } from '../../../../generator/gate/plan.js';
import { fillQuery } from '../../../../generator/gate/promql.js';
import { splitRows, type SplitMember, type WeightedRecord } from '../../../../generator/gate/split.js';
import { diffFacts } from '../../../../generator/parity.js';
import { familyApplications, servedReadiness } from '../../../../generator/readiness/served.js';
import { readinessVerdict } from '../../../../generator/readiness/verdict.js';

/** When the fixtures' verdicts were made. */
export const VERDICT_AT = '2026-11-26T07:59:30.000Z';

export const BLUE = 'https://6A1F0B3C.gr7.eu-west-1.eks.amazonaws.com';
export const GREEN = 'https://0F9E8D7C.gr7.eu-west-1.eks.amazonaws.com';
export const SHA_A = '1a2b3c4d5e6f708192a3b4c5d6e7f80912a3b4c5';
export const SHA_B = '9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5';

/** The pair as Argo CD lists it, with the versions it last read from each cluster (EKS answers "1.31+"). */
export const clusters: ArgoCluster[] = [
  { name: 'prod-eu-blue', server: BLUE, labels: { 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'blue' }, annotations: { 'greenlight.io/weight': '100' }, info: { serverVersion: '1.31+' } },
  { name: 'prod-eu-green', server: GREEN, labels: { 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': 'green' }, annotations: { 'greenlight.io/weight': '0' }, info: { serverVersion: '1.32+' } },
];

/** A FlowSchema in flowcontrol v1beta3: served by blue (1.31), no longer by green (1.32). */
export const FLOW_SCHEMA_V1BETA3: ArgoResourceStatus = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', name: 'reports-batch' };

export interface AppOptions {
  readonly family?: string;
  readonly server?: string;
  readonly sync?: string;
  readonly health?: string;
  readonly revision?: string;
  readonly images?: string[];
  readonly owner?: string;
  /** The destination namespace; default `apps`. */
  readonly namespace?: string;
  /** `status.resources`; default: a Deployment (apps/v1) named after the app. */
  readonly resources?: ArgoResourceStatus[];
}

export function app(name: string, o: AppOptions = {}): ArgoApplication {
  return {
    metadata: {
      name,
      namespace: 'argocd',
      labels: o.family ? { 'greenlight.io/app': o.family } : {},
      ...(o.owner ? { ownerReferences: [{ kind: 'ApplicationSet', name: o.owner }] } : {}),
    },
    spec: { project: 'default', source: { repoURL: 'https://git.example.com/apps.git', path: name.replace(/-(blue|green)$/, '') }, destination: { server: o.server ?? BLUE, namespace: o.namespace ?? 'apps' } },
    status: {
      sync: { status: o.sync ?? 'Synced' },
      health: { status: o.health ?? 'Healthy' },
      summary: { images: o.images ?? [`ghcr.io/example/${o.family ?? name}:1.4.2`] },
      operationState: { phase: 'Succeeded', finishedAt: '2026-11-26T07:55:00Z', operation: { sync: { revision: o.revision ?? SHA_A } } },
      resources: o.resources ?? [{ group: 'apps', version: 'v1', kind: 'Deployment', namespace: o.namespace ?? 'apps', name: o.family ?? name }],
    },
  };
}

/** payments-api runs as service account payments/payments-api, which has Pod Identity on blue only (demo/fleet.yaml). */
const PAYMENTS_RESOURCES = [
  { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'payments', name: 'payments-api' },
  { group: '', version: 'v1', kind: 'ServiceAccount', namespace: 'payments', name: 'payments-api' },
];

export const applications: ArgoApplication[] = [
  app('web-blue', { family: 'web' }),
  app('web-green', { family: 'web', server: GREEN }),
  app('payments-api-blue', { family: 'payments-api', namespace: 'payments', resources: PAYMENTS_RESOURCES }),
  app('payments-api-green', { family: 'payments-api', namespace: 'payments', resources: PAYMENTS_RESOURCES, server: GREEN, health: 'Degraded' }),
  app('reports-blue', { family: 'reports', resources: [{ group: 'batch', version: 'v1', kind: 'CronJob', namespace: 'apps', name: 'nightly' }, FLOW_SCHEMA_V1BETA3] }),
  app('legacy-cron', {}),
];

function demoFacts(): Record<string, ClusterFacts> {
  const path = join(import.meta.dirname, '..', '..', '..', '..', 'demo', 'fleet.yaml');
  const doc = parseYaml(readFileSync(path, 'utf8')) as { clusters: { name: string; facts: unknown }[] };
  return Object.fromEntries(doc.clusters.map((c) => [c.name, clusterFactsSchema.parse(c.facts)]));
}

/**
 * The facts answer for `viewer` (an Application of `all`), with the readiness verdict the service
 * would serve for it: the pure verdict over the members' facts and `all`, reduced for the viewer's
 * family, made by the same functions the service uses.
 */
export function factsResponse(viewer = 'web-green', all: readonly ArgoApplication[] = applications): FactsResponse {
  const facts = demoFacts();
  const blue = facts['prod-eu-blue'] ?? {};
  const green = facts['prod-eu-green'] ?? {};
  const origins = [{ source: 'fleet' as const, fetchedAt: '2026-11-26T07:59:00.000Z', stale: false }];
  const response: FactsResponse = {
    application: { namespace: 'argocd', name: viewer, project: 'default' },
    cluster: 'prod-eu-green',
    pair: 'prod-eu',
    members: [
      { name: 'prod-eu-blue', server: BLUE, pair: 'prod-eu', role: 'blue', weight: '100', facts: blue, origins, error: null },
      { name: 'prod-eu-green', server: GREEN, pair: 'prod-eu', role: 'green', weight: '0', facts: green, origins, error: null },
    ],
    comparisons: [{ baseline: 'prod-eu-blue', candidate: 'prod-eu-green', differences: diffFacts({ name: 'prod-eu-blue', facts: blue }, { name: 'prod-eu-green', facts: green }) }],
  };
  return withServedReadiness(response, all);
}

/** `response` with the verdict the service would serve for its Application, judged on its members and `all`. */
export function withServedReadiness(response: FactsResponse, all: readonly ArgoApplication[] = applications): FactsResponse {
  const [blue, green] = response.members;
  if (!blue || !green || response.pair === null) return response;
  const member = (m: typeof blue) => ({ name: m.name, server: m.server, facts: m.facts ?? undefined, factsError: m.error?.message });
  const verdict = readinessVerdict({ pair: response.pair, blue: member(blue), green: member(green), applications: all });
  const listed = all.map((a) => ({ ...a, metadata: { ...a.metadata, namespace: a.metadata.namespace ?? 'argocd' } }));
  return { ...response, readiness: servedReadiness(verdict, familyApplications(listed, response.application.namespace, response.application.name), VERDICT_AT) };
}

// ---------------------------------------------------------------------------------------------
// Drift audit and traffic gate, made by the service's pure functions
// ---------------------------------------------------------------------------------------------

/** When the fixtures' audit finished and gate was evaluated. */
export const AUDIT_AT = '2026-11-26T07:58:00.000Z';

/** The apps of the drift seeds (test/fixtures/drift): checkout on both clusters, postgres (its EBS volume) on blue. */
export const driftApplications: ArgoApplication[] = [
  ...applications,
  // Named as the seeds' objects track it (argocd.argoproj.io/tracking-id "checkout:...").
  app('checkout', { family: 'checkout', namespace: 'checkout' }),
  app('checkout-green', { family: 'checkout', namespace: 'checkout', server: GREEN }),
  { ...app('postgres', { family: 'postgres', namespace: 'data' }), metadata: { name: 'postgres', namespace: 'argocd', labels: { 'greenlight.io/app': 'postgres' } } },
];

/**
 * prod-eu's drift audit: the seeds on blue (a CronJob made with kubectl in an incident,
 * a hotfixed ConfigMap, RBAC nobody remembers, a debugging Ingress, a kubectl-applied Secret, a
 * signed-off ConfigMap, one object green has too) and postgres's EBS volume, over an EKS
 * baseline, as auditPair reports it (test/fixtures/drift/prod-eu-report.json, kept equal to the
 * audit's answer by test/unit/generator/drift/ui-report-fixture.test.ts); plus one resource type
 * greenlight may not list.
 */
export function driftReport(): DriftReport {
  const path = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'drift', 'prod-eu-report.json');
  const report = driftReportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const gap: CoverageGap = {
    cluster: 'prod-eu-blue',
    resource: 'backups.velero.io',
    reason: 'forbidden',
    detail: 'backups.velero.io is forbidden: User "system:serviceaccount:argocd:greenlight" cannot list resource "backups" in API group "velero.io" at the cluster scope',
  };
  return { ...report, gaps: [...report.gaps, gap] };
}

/** The audit as the service serves it to `viewer`'s family among `all`. */
export function servedDriftFor(viewer: string, all: readonly ArgoApplication[] = driftApplications, report: DriftReport = driftReport()): ServedDrift {
  const listed = all.map((a) => ({ ...a, metadata: { ...a.metadata, namespace: a.metadata.namespace ?? 'argocd' } }));
  return servedDrift(report, familyApplications(listed, 'argocd', viewer), listed, AUDIT_AT);
}

const BLUE_MEMBER: SplitMember = { name: 'prod-eu-blue', role: 'blue', desired: 80, owner: 'prod-eu-blue' };
const GREEN_MEMBER: SplitMember = { name: 'prod-eu-green', role: 'green', desired: 20, owner: 'prod-eu-green' };

/** ExternalDNS's weighted record of one cluster with its ownership TXT record, as Route 53 lists them. */
function ownedRecord(cluster: string, owner: string, weight: number): WeightedRecord[] {
  const name = 'shop.example.com.';
  return [
    { zoneId: 'Z0123456789ABCDEFGHIJ', name, type: 'CNAME', setIdentifier: cluster, weight, values: ['k8s-shop-1234567890.eu-west-1.elb.amazonaws.com'] },
    { zoneId: 'Z0123456789ABCDEFGHIJ', name: `cname-${name}`, type: 'TXT', setIdentifier: cluster, weight, values: [`"heritage=external-dns,external-dns/owner=${owner},external-dns/resource=ingress/apps/web"`] },
  ];
}

/** Prometheus's answer for one cluster: a number, no series (null), or a failure. */
type Value = number | null | { readonly error: string };

function signal(name: SignalName, blue: Value, green: Value, greenWeight: number, namespace?: string): SignalResult {
  const spec = DEFAULT_SIGNALS[name];
  const reading = (cluster: string, v: Value) => {
    const query = fillQuery(spec.query, { clusterLabel: 'cluster', cluster, namespace, window: '10m' });
    return typeof v === 'object' && v !== null ? { query, error: v.error } : { query, value: v };
  };
  return judgeSignal({ signal: name, spec, blue: { name: 'prod-eu-blue', reading: reading('prod-eu-blue', blue) }, green: { name: 'prod-eu-green', weight: greenWeight, reading: reading('prod-eu-green', green) } });
}

const side = (cluster: string, image: string, prefix: string): ExternalDnsSide => ({
  cluster,
  found: true,
  version: externalDnsVersion(image) ?? null,
  prefix,
  ownerId: cluster,
  txtPrefix: null,
  source: `Deployment external-dns/external-dns (image ${image})`,
});

export type GateScenario =
  /** At 80/20, green healthy, Route 53 at 80/20: go to 50/50. */
  | 'go'
  /** At 80/20, green's 5xx ratio far above blue's, and Route 53 still at 100/0 (ExternalDNS has not applied the step). */
  | 'hold'
  /** At 100/0: green has no traffic, so no live evidence yet; Prometheus did not answer for restarts. */
  | 'first-step';

/** The gate as `greenlight gate` answers for prod-eu in `scenario`, made by the service's pure functions. */
export function gateAnswerFor(scenario: GateScenario): GateAnswer {
  const first = scenario === 'first-step';
  const blue = { ...BLUE_MEMBER, desired: first ? 100 : 80 };
  const green = { ...GREEN_MEMBER, desired: first ? 0 : 20 };
  const health =
    scenario === 'hold'
      ? [signal('error-ratio', 0.004, 0.042, 20), signal('p99-latency', 0.21, 0.24, 20), signal('restarts', 0, 0, 20)]
      : first
        ? [signal('error-ratio', 0.004, null, 0), signal('p99-latency', 0.21, null, 0), signal('restarts', 0, { error: 'Prometheus at http://prometheus.monitoring:9090 did not answer within 5 s' }, 0)]
        : [signal('error-ratio', 0.004, 0.005, 20), signal('p99-latency', 0.21, 0.22, 20), signal('restarts', 0, 1, 20)];
  const records = scenario === 'hold' ? [...ownedRecord('prod-eu-blue', 'prod-eu-blue', 100), ...ownedRecord('prod-eu-green', 'prod-eu-green', 0)] : [...ownedRecord('prod-eu-blue', 'prod-eu-blue', blue.desired), ...ownedRecord('prod-eu-green', 'prod-eu-green', green.desired)];
  const sides = [side('prod-eu-blue', 'registry.k8s.io/external-dns/external-dns:v0.21.0', ALPHA_PREFIX), side('prod-eu-green', 'registry.k8s.io/external-dns/external-dns:v0.21.0', ALPHA_PREFIX)] as const;
  return gateAnswer({
    pair: 'prod-eu',
    window: '10m',
    plan: DEFAULT_PLAN,
    blue,
    green,
    readiness: { outcome: 'ready', warnings: 0 },
    health,
    split: splitRows([blue, green], records),
    zones: ['Z0123456789ABCDEFGHIJ'],
    externalDns: { sides: [...sides], judgment: judgePrefix(sides[0], sides[1]) },
  });
}

/** The gate as the service serves it, with the live health of `namespaces` (the viewed family's). */
export function servedGateFor(scenario: GateScenario, namespaces: readonly string[] = ['apps']): ServedGate {
  const answer = gateAnswerFor(scenario);
  const weight = answer.step.current.green ?? 0;
  const family = namespaces.map((namespace) => ({
    namespace,
    health: scenario === 'hold' ? [signal('error-ratio', 0.003, 0.051, weight, namespace), signal('restarts', 0, 4, weight, namespace)] : [signal('error-ratio', 0.003, weight === 0 ? null : 0.003, weight, namespace)],
  }));
  return { state: 'evaluated', at: AUDIT_AT, answer, family };
}

/** The facts answer for `viewer` with the pair's drift audit and gate as the service serves them. */
export function factsWithAudit(viewer = 'checkout-green', scenario: GateScenario = 'hold', all: readonly ArgoApplication[] = driftApplications): FactsResponse {
  const namespaces = [...new Set(all.filter((a) => a.metadata.labels?.['greenlight.io/app'] === all.find((v) => v.metadata.name === viewer)?.metadata.labels?.['greenlight.io/app']).flatMap((a) => a.spec?.destination?.namespace ?? []))];
  return { ...factsResponse(viewer, all), drift: servedDriftFor(viewer, all), gate: servedGateFor(scenario, namespaces) };
}
