/**
 * @module The demo fleet's clusters as a drift scan sees them: a small EKS baseline (what the
 * cluster and its controllers made), Argo CD-managed objects, and on prod-eu-blue the drift the
 * audit exists for: a CronJob made with kubectl during an incident, a ConfigMap hotfixed with
 * `kubectl edit`, a ClusterRole nobody remembers, an EBS-bound claim, and a signed-off
 * ServiceAccount. The same pure rules judge it as a real scan (generator/drift's ScanBuilder).
 */
import {
  describeEbsClaims,
  ebsClaims,
  ScanBuilder,
  type CancelSignal,
  type ClusterRecord,
  type ClusterScan,
  type ClusterScanner,
  type DriftRules,
  type ObjectMetadata,
  type ObjectRef,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type ResourceType,
} from '../../../generator/index.js';
import type { CacheStats, StatsSource } from '../../cache-stats.js';

const type = (group: string, version: string, resource: string, kind: string, namespaced = true): ResourceType => ({ group, version, resource, kind, namespaced });
const T = {
  namespace: type('', 'v1', 'namespaces', 'Namespace', false),
  configMap: type('', 'v1', 'configmaps', 'ConfigMap'),
  serviceAccount: type('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  secret: type('', 'v1', 'secrets', 'Secret'),
  pvc: type('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  pv: type('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  deployment: type('apps', 'v1', 'deployments', 'Deployment'),
  statefulSet: type('apps', 'v1', 'statefulsets', 'StatefulSet'),
  cronJob: type('batch', 'v1', 'cronjobs', 'CronJob'),
  ingress: type('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  clusterRole: type('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  clusterRoleBinding: type('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
} as const;

interface DemoObject {
  readonly type: ResourceType;
  readonly metadata: ObjectMetadata;
  /** What `-o manifests` prints besides the metadata. */
  readonly body?: Readonly<Record<string, unknown>>;
}

const write = (manager: string, time: string, operation = 'Update', fields: Record<string, unknown> = { 'f:metadata': {} }) => ({ manager, operation, time, fieldsV1: fields });
const tracked = (app: string, t: ResourceType, namespace: string | null, name: string) => `${app}:${t.group}/${t.kind}:${namespace ?? ''}/${name}`;

/** The objects every demo cluster has: made by Kubernetes, EKS and the controllers, or by Argo CD. */
/** The demo's Applications are named `<app>-<cluster>` (plugin/adapters/demo/demo-applications.ts). */
function baseline(cluster: string, created: string): DemoObject[] {
  const out: DemoObject[] = [];
  const apps: [string, string][] = [
    ['checkout', 'checkout'],
    ['payments-api', 'payments'],
    ['web', 'web'],
    ['search', 'search'],
    ['reports', 'reports'],
    ['guestbook', 'guestbook'],
  ];
  for (const ns of ['default', 'kube-system', 'kube-public', ...apps.map(([, n]) => n)]) {
    out.push({ type: T.namespace, metadata: { name: ns, creationTimestamp: created, managedFields: [write('kube-apiserver', created)] } });
    out.push({ type: T.serviceAccount, metadata: { name: 'default', namespace: ns, creationTimestamp: created, managedFields: [write('kube-controller-manager', created)] } });
    out.push({ type: T.configMap, metadata: { name: 'kube-root-ca.crt', namespace: ns, creationTimestamp: created, managedFields: [write('kube-controller-manager', created)] } });
  }
  for (const [app, ns] of apps) {
    out.push({
      type: T.deployment,
      metadata: {
        name: app,
        namespace: ns,
        creationTimestamp: created,
        annotations: { 'argocd.argoproj.io/tracking-id': tracked(`${app}-${cluster}`, T.deployment, ns, app), 'deployment.kubernetes.io/revision': '7' },
        managedFields: [write('argocd-controller', created, 'Apply'), write('kube-controller-manager', created)],
      },
    });
  }
  out.push({ type: T.clusterRole, metadata: { name: 'eks:addon-manager', creationTimestamp: created, managedFields: [write('eks', created)] } });
  out.push({ type: T.clusterRoleBinding, metadata: { name: 'eks:addon-manager', creationTimestamp: created, managedFields: [write('eks', created)] } });
  out.push({
    type: T.secret,
    // Its value is nowhere here: a scan never keeps a Secret's data.
    metadata: { name: `${cluster}-tls`, namespace: 'web', creationTimestamp: created, ownerReferences: [{ kind: 'Certificate', name: 'web-tls' }], managedFields: [write('cert-manager-certificates-issuing', created)] },
  });
  return out;
}

/** What someone did on blue outside Git. */
function blueDrift(cluster: string): DemoObject[] {
  const webConfig = 'web-config';
  return [
    {
      type: T.cronJob,
      metadata: { name: 'db-cleanup-manual', namespace: 'payments', creationTimestamp: '2023-11-02T02:14:09Z', managedFields: [write('kubectl-create', '2023-11-02T02:14:09Z')] },
      body: { spec: { schedule: '17 3 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'cleanup', image: 'ghcr.io/example/db-tools:1.4.2', args: ['vacuum', '--older-than=30d'] }] } } } } } },
    },
    {
      type: T.configMap,
      metadata: {
        name: webConfig,
        namespace: 'web',
        creationTimestamp: '2025-03-10T09:00:00Z',
        annotations: { 'argocd.argoproj.io/tracking-id': tracked(`web-${cluster}`, T.configMap, 'web', webConfig) },
        managedFields: [
          write('argocd-controller', '2026-11-20T10:00:00Z', 'Apply', { 'f:data': { 'f:LOG_LEVEL': {}, 'f:FEATURE_SEARCH_V2': {} } }),
          write('kubectl-edit', '2026-11-28T02:41:30Z', 'Update', { 'f:data': { 'f:LOG_LEVEL': {} } }),
        ],
      },
    },
    {
      type: T.clusterRole,
      metadata: { name: 'debug-admin', creationTimestamp: '2024-06-18T23:52:11Z', managedFields: [write('kubectl-client-side-apply', '2024-06-18T23:52:11Z')] },
      body: { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] },
    },
    {
      type: T.ingress,
      metadata: { name: 'web-debug', namespace: 'web', creationTimestamp: '2025-09-04T01:03:00Z', managedFields: [write('kubectl-create', '2025-09-04T01:03:00Z')] },
      body: { spec: { ingressClassName: 'alb', rules: [{ host: 'debug.web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } },
    },
    {
      type: T.serviceAccount,
      metadata: {
        name: 'ci-deployer',
        namespace: 'checkout',
        creationTimestamp: '2024-01-15T12:00:00Z',
        annotations: { 'greenlight.io/drift': 'ignore' },
        managedFields: [write('kubectl-create', '2024-01-15T12:00:00Z')],
      },
    },
    {
      type: T.statefulSet,
      metadata: {
        name: 'reports-db',
        namespace: 'reports',
        creationTimestamp: '2025-02-01T08:00:00Z',
        annotations: { 'argocd.argoproj.io/tracking-id': tracked(`reports-${cluster}`, T.statefulSet, 'reports', 'reports-db') },
        managedFields: [write('argocd-controller', '2026-11-20T10:00:00Z', 'Apply')],
      },
    },
    {
      type: T.pvc,
      metadata: { name: 'data-reports-db-0', namespace: 'reports', creationTimestamp: '2025-02-01T08:00:05Z', managedFields: [write('kube-controller-manager', '2025-02-01T08:00:05Z')] },
    },
  ];
}

/** The Ingress someone also made on green by hand: the audit says green has it. */
const greenDrift = (): DemoObject[] => [
  {
    type: T.ingress,
    metadata: { name: 'web-debug', namespace: 'web', creationTimestamp: '2026-11-30T14:00:00Z', managedFields: [write('kubectl-create', '2026-11-30T14:00:00Z')] },
  },
];

const BLUE_CLAIM: PersistentVolumeClaim = {
  metadata: { name: 'data-reports-db-0', namespace: 'reports', creationTimestamp: '2025-02-01T08:00:05Z' },
  spec: { volumeName: 'pvc-3f6b2a10-demo', storageClassName: 'gp3', resources: { requests: { storage: '50Gi' } } },
  status: { phase: 'Bound', capacity: { storage: '50Gi' } },
};
const BLUE_VOLUME: PersistentVolume = {
  metadata: { name: 'pvc-3f6b2a10-demo', labels: { 'topology.kubernetes.io/zone': 'eu-west-1a' } },
  spec: { capacity: { storage: '50Gi' }, csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0demo1234567890ab' }, storageClassName: 'gp3' },
};

/** The demo fleet's drift scanner: blue and green of the demo pair, by name. */
export class DemoDriftScanner implements ClusterScanner, StatsSource {
  constructor(private readonly clock: () => number = Date.now) {}

  private objectsOf(cluster: ClusterRecord): DemoObject[] {
    const role = cluster.labels['greenlight.io/role'];
    const created = role === 'green' ? '2026-11-25T09:00:00Z' : '2024-03-01T09:00:00Z';
    return [...baseline(cluster.name, created), ...(role === 'blue' ? blueDrift(cluster.name) : role === 'green' ? greenDrift() : [])];
  }

  scan(cluster: ClusterRecord, rules: DriftRules, _signal: CancelSignal): Promise<ClusterScan> {
    const builder = new ScanBuilder(cluster.name, rules);
    for (const t of Object.values(T)) builder.listed(t);
    for (const o of this.objectsOf(cluster)) builder.add(o.type, o.metadata);
    const blue = cluster.labels['greenlight.io/role'] === 'blue';
    const ebs = blue ? ebsClaims([BLUE_CLAIM], [BLUE_VOLUME]) : [];
    const claims = describeEbsClaims(ebs, new Map([['reports/data-reports-db-0', [{ kind: 'StatefulSet', name: 'reports-db' }]]]), new Map([['reports/StatefulSet/reports-db', { workload: 'StatefulSet/reports-db', app: `reports-${cluster.name}` }]]));
    return Promise.resolve(builder.finish({ claims, gaps: [], scannedAt: new Date(this.clock()).toISOString() }));
  }

  readObject(cluster: ClusterRecord, ref: ObjectRef, _signal: CancelSignal): Promise<Record<string, unknown> | undefined> {
    if (ref.group === '' && ref.resource === 'secrets') return Promise.reject(new Error('greenlight never reads a Secret in full'));
    const found = this.objectsOf(cluster).find((o) => o.type.group === ref.group && o.type.resource === ref.resource && (o.metadata.namespace ?? null) === ref.namespace && o.metadata.name === ref.name);
    if (!found) return Promise.resolve(undefined);
    const { group, version, kind } = found.type;
    return Promise.resolve({ apiVersion: group === '' ? version : `${group}/${version}`, kind, metadata: { ...found.metadata, uid: 'demo', resourceVersion: '1' }, ...(found.body ?? {}) });
  }

  /** Nothing is cached: the demo's objects are built on each scan. */
  stats(): CacheStats {
    return { entries: 0, bytes: 0, maxBytes: 0 };
  }
}
