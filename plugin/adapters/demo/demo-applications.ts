/**
 * @module The demo fleet's Argo CD Applications and ApplicationSets (demo mode only): the same
 * apps on each cluster of the demo pair, green part-way through its upgrade, with the managed
 * resources Argo CD records in `status.resources` (one of them in an API version that the demo's
 * green cluster no longer serves). The demo UI's Argo CD stand-in serves them, and readiness reads
 * them as it reads Argo CD's Applications in live mode.
 */
import { BLUE_GREEN_KEYS, type ArgoApplication, type ArgoApplicationSet, type ArgoResourceStatus, type ClusterRecord } from '../../../generator/index.js';

const REPO = 'https://github.com/example/platform-apps.git';
const REV = '4f1c9e2a7b3d5c6e8f9a0b1c2d3e4f5a6b7c8d9e';
const NEWER_REV = '7d2e4b6a8c0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a';

interface DemoApp {
  /** greenlight.io/app, or undefined for apps grouped by ApplicationSet or not at all. */
  readonly family?: string;
  readonly name: string;
  readonly owner?: string;
  readonly path: string;
  readonly namespace: string;
  readonly images: readonly string[];
  /** Which roles run it (default: every cluster). */
  readonly on?: readonly string[];
  /** What Argo CD records in `status.resources`: the manifests' group, version, kind (default: a Deployment and a Service). */
  readonly resources?: readonly ArgoResourceStatus[];
  /** How the app looks on green, when it is not at parity there. */
  readonly green?: {
    readonly sync?: string;
    readonly health?: string;
    readonly healthMessage?: string;
    readonly revision?: string;
    readonly images?: readonly string[];
  };
}

const deployment = (namespace: string, name: string): ArgoResourceStatus => ({ group: 'apps', version: 'v1', kind: 'Deployment', namespace, name });
const service = (namespace: string, name: string): ArgoResourceStatus => ({ group: '', version: 'v1', kind: 'Service', namespace, name });
const serviceAccount = (namespace: string, name: string): ArgoResourceStatus => ({ group: '', version: 'v1', kind: 'ServiceAccount', namespace, name });
const ingress = (namespace: string, name: string): ArgoResourceStatus => ({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', namespace, name });

const DEMO_APPS: readonly DemoApp[] = [
  {
    family: 'checkout',
    name: 'checkout',
    path: 'apps/checkout',
    namespace: 'checkout',
    images: ['ghcr.io/example/checkout:3.8.1', 'docker.io/library/redis:7.4'],
    resources: [
      deployment('checkout', 'checkout'),
      service('checkout', 'checkout'),
      ingress('checkout', 'checkout'),
      { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', namespace: 'checkout', name: 'checkout' },
      { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', namespace: 'checkout', name: 'checkout' },
    ],
  },
  {
    family: 'payments-api',
    name: 'payments-api',
    path: 'apps/payments-api',
    namespace: 'payments',
    images: ['ghcr.io/example/payments-api:2.14.0'],
    resources: [deployment('payments', 'payments-api'), service('payments', 'payments-api'), serviceAccount('payments', 'payments-api')],
    green: { health: 'Degraded', healthMessage: 'Deployment payments-api: pods crash: no AWS credentials for service account payments/payments-api (no Pod Identity association)' },
  },
  { family: 'web', name: 'web', path: 'apps/web', namespace: 'web', images: ['ghcr.io/example/web:5.2.0'], resources: [deployment('web', 'web'), service('web', 'web'), ingress('web', 'web')], green: { sync: 'OutOfSync', revision: NEWER_REV } },
  { family: 'search', name: 'search', path: 'apps/search', namespace: 'search', images: ['ghcr.io/example/search:2.3.0'], green: { images: ['ghcr.io/example/search:2.3.1'] } },
  {
    // Not on green yet: its API priority settings are still flowcontrol v1beta3, which 1.32 no longer serves.
    family: 'reports',
    name: 'reports',
    path: 'apps/reports',
    namespace: 'reports',
    images: ['ghcr.io/example/reports:1.0.7'],
    on: ['blue'],
    resources: [
      { group: 'batch', version: 'v1', kind: 'CronJob', namespace: 'reports', name: 'nightly' },
      serviceAccount('reports', 'reports'),
      { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', name: 'reports-batch' },
      { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'PriorityLevelConfiguration', name: 'reports-batch' },
    ],
  },
  {
    family: 'external-dns',
    name: 'external-dns',
    path: 'platform/external-dns',
    namespace: 'external-dns',
    images: ['registry.k8s.io/external-dns/external-dns:v0.15.1'],
    resources: [
      deployment('external-dns', 'external-dns'),
      serviceAccount('external-dns', 'external-dns-sa'),
      { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', name: 'external-dns' },
      { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', name: 'external-dns' },
    ],
  },
  { name: 'guestbook', owner: 'guestbook', path: 'apps/guestbook', namespace: 'guestbook', images: ['ghcr.io/example/guestbook:0.9.0'] },
  { name: 'legacy-cron', path: 'legacy/cron', namespace: 'batch', images: ['ghcr.io/example/cron:0.3.2'], on: ['blue'], resources: [{ group: 'batch', version: 'v1', kind: 'CronJob', namespace: 'batch', name: 'cleanup' }] },
];

/** The demo's Applications and ApplicationSets on the given clusters. */
export function demoApplications(clusters: readonly ClusterRecord[], now: number): { applications: ArgoApplication[]; applicationSets: ArgoApplicationSet[] } {
  const applications: ArgoApplication[] = [];
  const generated = new Map<string, string[]>();
  const finished = new Date(now - 7 * 60_000).toISOString();
  const started = new Date(now - 8 * 60_000).toISOString();
  for (const cluster of clusters) {
    const role = cluster.labels[BLUE_GREEN_KEYS.role] ?? '';
    for (const d of DEMO_APPS) {
      if (d.on && !d.on.includes(role)) continue;
      const g = role === 'green' ? d.green ?? {} : {};
      const revision = g.revision ?? REV;
      const name = `${d.name}-${cluster.name}`;
      applications.push({
        metadata: {
          name,
          namespace: 'argocd',
          labels: d.family ? { [`greenlight.io/app`]: d.family } : {},
          ...(d.owner ? { ownerReferences: [{ kind: 'ApplicationSet', name: d.owner }] } : {}),
        },
        spec: { project: 'default', source: { repoURL: REPO, path: d.path, targetRevision: 'main' }, destination: { server: cluster.server, namespace: d.namespace } },
        status: {
          sync: { status: g.sync ?? 'Synced', revision },
          health: { status: g.health ?? 'Healthy', ...(g.healthMessage ? { message: g.healthMessage } : {}) },
          summary: { images: [...(g.images ?? d.images)] },
          operationState: {
            phase: 'Succeeded',
            message: 'successfully synced (all tasks run)',
            startedAt: started,
            finishedAt: finished,
            operation: { sync: { revision: REV } },
            syncResult: { revision: REV },
          },
          resources: (d.resources ?? [deployment(d.namespace, d.name), service(d.namespace, d.name)]).map((r) => ({ ...r })),
        },
      });
      if (d.owner) generated.set(d.owner, [...(generated.get(d.owner) ?? []), name]);
    }
  }
  const applicationSets: ArgoApplicationSet[] = [...generated].map(([set, names]) => ({
    metadata: { name: set, namespace: 'argocd' },
    status: { resources: names.map((n) => ({ kind: 'Application', name: n, namespace: 'argocd' })) },
  }));
  return { applications, applicationSets };
}

