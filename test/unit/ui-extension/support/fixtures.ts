/** Argo CD objects and a facts answer for component tests: the demo pair prod-eu, blue and green. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { clusterFactsSchema, type ClusterFacts } from '../../../../generator/contract/cluster-facts.js';
import type { ArgoApplication, ArgoCluster, ArgoResourceStatus } from '../../../../generator/contract/ui-api.js';
import type { FactsResponse } from '../../../../generator/contract/facts-api.js';
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
