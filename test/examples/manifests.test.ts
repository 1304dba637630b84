/**
 * The install manifests: rendered by kustomize (kubectl's, found on the machine; the test fails
 * if it is missing), every object validated against its Kubernetes schema, and the properties
 * the install promises checked.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { envSchema } from '../../plugin/config.js';
import { packageRoot } from '../../plugin/paths.js';

const root = packageRoot();
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/CronJob': CronJob,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

function kustomize(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('kubectl is not installed: these tests render the kustomizations with `kubectl kustomize`; install kubectl');
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

function validate(objects: readonly K8sObject[]): void {
  for (const obj of objects) {
    const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
    if (!Model) throw new Error(`no schema model for ${obj.apiVersion}/${obj.kind} (${obj.metadata.name})`);
    expect(() => new Model(obj as never).validate(), `${obj.kind}/${obj.metadata.name}`).not.toThrow();
  }
}

const byKind = (objects: readonly K8sObject[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as K8sObject;

describe('manifests/base', () => {
  const objects = kustomize(join(root, 'manifests', 'base'));

  it('renders objects that all validate against their schemas, in the argocd namespace', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    validate(objects);
    for (const o of objects) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('argocd');
  });

  it('runs two non-root replicas with a read-only root, probes, resources and topology spread', () => {
    const deploy = byKind(objects, 'Deployment') as unknown as {
      spec: { replicas: number; template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[]; securityContext: Record<string, unknown>; topologySpreadConstraints: unknown[] } } };
    };
    const pod = deploy.spec.template.spec;
    const container = pod.containers[0] as { securityContext: Record<string, unknown>; readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } }; resources: { requests: object; limits: object }; env: { name: string }[] };
    expect(deploy.spec.replicas).toBe(2);
    expect(pod.securityContext['runAsNonRoot']).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(Object.keys(container.resources.requests)).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources.limits)).toEqual(['memory']);
    expect(pod.topologySpreadConstraints).toHaveLength(2);
    expect(byKind(objects, 'PodDisruptionBudget')).toMatchObject({ spec: { minAvailable: 1 } });
  });

  it('sets only environment variables greenlight knows', () => {
    const deploy = byKind(objects, 'Deployment') as unknown as { spec: { template: { spec: { containers: { env: { name: string }[] }[] } } } };
    const known = new Set([...Object.keys(envSchema.shape), 'AWS_STS_REGIONAL_ENDPOINTS', 'GREENLIGHT_PROXY_SECRET_FILE']);
    for (const { name } of deploy.spec.template.spec.containers[0]?.env ?? []) expect(known, name).toContain(name);
  });

  it('admits only Argo CD’s ApplicationSet controller and server (Prometheus: manifests/prometheus-access)', () => {
    expect(byKind(objects, 'NetworkPolicy')).toMatchObject({
      spec: { ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['argocd-applicationset-controller', 'argocd-server'] }] } }] }] },
    });
  });

  it('reads only Secrets, Applications and the ConfigMap argocd-cm, and registers the plugin with a Secret reference, never a token', () => {
    expect(byKind(objects, 'Role')).toEqual(
      expect.objectContaining({
        rules: [
          { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
          { apiGroups: ['argoproj.io'], resources: ['applications'], verbs: ['get', 'list'] },
          { apiGroups: [''], resources: ['configmaps'], resourceNames: ['argocd-cm'], verbs: ['get'] },
        ],
      }),
    );
    const cm = byKind(objects, 'ConfigMap', 'greenlight') as unknown as { data: Record<string, string> };
    expect(cm.data).toEqual({ baseUrl: 'http://greenlight.argocd.svc.cluster.local:4355', token: '$greenlight-plugin:token', requestTimeout: '30' });
    expect(Number.isInteger(Number(cm.data['requestTimeout']))).toBe(true);
  });
});

describe('manifests/argocd-wiring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-wiring-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A stand-in for Argo CD's own install: the objects the component patches, as Argo CD ships them.
  cpSync(join(root, 'manifests', 'argocd-wiring'), join(dir, 'argocd-wiring'), { recursive: true });
  writeFileSync(
    join(dir, 'argocd.yaml'),
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm, namespace: argocd}\ndata: {url: https://argocd.example.com}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cmd-params-cm, namespace: argocd}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-rbac-cm, namespace: argocd}\ndata: {policy.csv: "g, platform-team, role:admin"}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: argocd-server, namespace: argocd}\nspec:\n  selector: {matchLabels: {app.kubernetes.io/name: argocd-server}}\n  template:\n    metadata: {labels: {app.kubernetes.io/name: argocd-server}}\n    spec:\n      containers:\n        - name: argocd-server\n          image: quay.io/argoproj/argocd:v3.5.1\n          volumeMounts: [{name: tmp, mountPath: /home/argocd/tmp}]\n      volumes: [{name: tmp, emptyDir: {}}]',
    ].join('\n---\n'),
  );
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [argocd.yaml]\ncomponents: [argocd-wiring]\n');
  const objects = kustomize(dir);

  it('renders into an Argo CD install and every object still validates', () => {
    validate(objects);
  });

  it('enables the proxy extension and routes it to greenlight with the shared secret header', () => {
    expect((byKind(objects, 'ConfigMap', 'argocd-cmd-params-cm') as unknown as { data: Record<string, string> }).data).toEqual({ 'server.enable.proxy.extension': 'true' });
    const cm = byKind(objects, 'ConfigMap', 'argocd-cm') as unknown as { data: Record<string, string> };
    expect(cm.data['url']).toBe('https://argocd.example.com');
    const extension = parseAllDocuments(cm.data['extension.config.greenlight'] ?? '')[0]?.toJS() as { services: { url: string; headers: { name: string; value: string }[] }[] };
    expect(extension.services).toEqual([
      { url: 'http://greenlight.argocd.svc.cluster.local:4355', headers: [{ name: 'Greenlight-Proxy-Secret', value: '$greenlight.proxy.secret' }] },
    ]);
  });

  it('adds RBAC for the extension without touching policy.csv', () => {
    const rbac = byKind(objects, 'ConfigMap', 'argocd-rbac-cm') as unknown as { data: Record<string, string> };
    expect(rbac.data['policy.csv']).toBe('g, platform-team, role:admin');
    expect(rbac.data['policy.greenlight.csv']).toContain('p, role:admin, extensions, invoke, greenlight, allow');
  });

  it('installs the UI bundle into argocd-server and keeps its own volumes', () => {
    const server = byKind(objects, 'Deployment', 'argocd-server') as unknown as {
      spec: { template: { spec: { initContainers: { name: string; command: string[] }[]; containers: { volumeMounts: { mountPath: string }[] }[]; volumes: { name: string }[] } } };
    };
    const pod = server.spec.template.spec;
    expect(pod.initContainers.map((c) => c.name)).toEqual(['greenlight-ui-extension']);
    expect(pod.initContainers[0]?.command.join(' ')).toContain('/tmp/extensions/greenlight/extension-greenlight.js');
    expect(pod.containers[0]?.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/home/argocd/tmp', '/tmp/extensions']);
    expect(pod.volumes.map((v) => v.name).sort()).toEqual(['greenlight-extensions', 'tmp']);
  });
});

type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
interface IngressRule {
  from: { podSelector?: LabelSelector; namespaceSelector?: LabelSelector }[];
  ports: { port: string | number; protocol: string }[];
}
type Policy = K8sObject & { spec: { podSelector: LabelSelector; ingress: IngressRule[] } };

/** Kubernetes' label selector semantics (the operators the manifests use). */
function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In') return labels[e.key] !== undefined && (e.values ?? []).includes(labels[e.key] as string);
    if (e.operator === 'Exists') return labels[e.key] !== undefined;
    throw new Error(`selects() does not know the operator ${e.operator}`);
  });
  return byLabel && byExpression;
}

/**
 * Whether the policies admit a pod with `labels` in namespace `namespace` (with its
 * kubernetes.io/metadata.name label) to the greenlight pod's named port `port`, as the API
 * server's NetworkPolicy semantics say: any policy's any rule; within a `from` item, both
 * selectors must match; a podSelector alone means the policy's own namespace.
 */
function admits(policies: readonly Policy[], target: { namespace: string; labels: Record<string, string> }, peer: { namespace: string; labels: Record<string, string> }, port: string): boolean {
  return policies.some(
    (p) =>
      (p.metadata.namespace ?? '') === target.namespace &&
      selects(p.spec.podSelector, target.labels) &&
      p.spec.ingress.some(
        (rule) =>
          rule.ports.some((q) => q.port === port && q.protocol === 'TCP') &&
          rule.from.some(
            (f) =>
              (f.namespaceSelector ? selects(f.namespaceSelector, { 'kubernetes.io/metadata.name': peer.namespace }) : peer.namespace === target.namespace) &&
              (f.podSelector ? selects(f.podSelector, peer.labels) : true),
          ),
      ),
  );
}

describe('image tags', () => {
  it('are the version in package.json, wherever the manifests name greenlight’s image', () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const files = execFileSync('git', ['ls-files', 'manifests'], { cwd: root, encoding: 'utf8' }).split('\n').filter((f) => /\.ya?ml$/.test(f));
    const tags = files.flatMap((f) => {
      const text = readFileSync(join(root, f), 'utf8');
      return [...text.matchAll(/ghcr\.io\/greenlight-io\/greenlight:(\S+)|newTag: (\S+)/g)].map((m) => `${f}: ${m[1] ?? m[2]}`);
    });
    expect(tags.length).toBeGreaterThanOrEqual(5);
    expect(tags).toEqual(tags.map((t) => t.replace(/: \S+$/, `: ${version}`)));
  });
});

describe('manifests/prometheus-access and manifests/servicemonitor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-monitoring-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // kustomize takes only relative paths: the manifests as a user's checkout or remote base has them.
  cpSync(join(root, 'manifests'), join(dir, 'manifests'), { recursive: true });
  const overlay = (name: string, kustomization: string) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'kustomization.yaml'), kustomization);
    return kustomize(join(dir, name));
  };
  const base = kustomize(join(root, 'manifests', 'base'));
  const objects = overlay('default', 'resources: [../manifests/base]\ncomponents: [../manifests/prometheus-access, ../manifests/servicemonitor]\n');
  const patched = overlay(
    'patched',
    [
      'resources: [../manifests/base]',
      'components: [../manifests/prometheus-access, ../manifests/servicemonitor]',
      'patches:',
      '  - target: { kind: NetworkPolicy, name: greenlight-prometheus }',
      '    patch: |-',
      '      - op: replace',
      '        path: /spec/ingress/0/from/0',
      '        value:',
      '          namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: observability } }',
      '          podSelector: { matchLabels: { app: prometheus-server } }',
      '  - target: { kind: ServiceMonitor, name: greenlight }',
      '    patch: |-',
      '      - op: add',
      '        path: /metadata/labels/release',
      '        value: kube-prometheus-stack',
      '',
    ].join('\n'),
  );
  const pod = (objs: readonly K8sObject[]) => {
    const deploy = byKind(objs, 'Deployment') as unknown as { metadata: { namespace: string }; spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports: { name: string; containerPort: number }[] }[] } } } };
    return { namespace: deploy.metadata.namespace, labels: deploy.spec.template.metadata.labels, ports: deploy.spec.template.spec.containers[0]?.ports ?? [] };
  };
  const policies = (objs: readonly K8sObject[]) => objs.filter((o) => o.kind === 'NetworkPolicy') as Policy[];
  const prometheus = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus', 'prometheus': 'kube-prometheus-stack-prometheus' } };

  it('render with the base into objects that all validate, in greenlight’s namespace', () => {
    validate(objects);
    expect(objects.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'NetworkPolicy', 'NetworkPolicy', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    for (const o of objects) expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('argocd');
  });

  it('admit Prometheus pods of the monitoring namespace to greenlight’s port, and nothing else new', () => {
    const target = pod(objects);
    expect(target.ports).toEqual([{ name: 'http', containerPort: 4355 }]);
    expect(admits(policies(base), target, prometheus, 'http')).toBe(false);
    expect(admits(policies(objects), target, prometheus, 'http')).toBe(true);
    // Only Prometheus there, and Prometheus only there.
    expect(admits(policies(objects), target, { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'grafana' } }, 'http')).toBe(false);
    expect(admits(policies(objects), target, { namespace: 'tenant-a', labels: prometheus.labels }, 'http')).toBe(false);
    // Argo CD is still let in, by the base policy.
    expect(admits(policies(objects), target, { namespace: 'argocd', labels: { 'app.kubernetes.io/name': 'argocd-server' } }, 'http')).toBe(true);
    expect(admits(policies(objects), target, { namespace: 'argocd', labels: { 'app.kubernetes.io/name': 'argocd-repo-server' } }, 'http')).toBe(false);
  });

  it('take the namespace and labels a user patches in, as the component’s comment shows', () => {
    validate(patched);
    const target = pod(patched);
    expect(admits(policies(patched), target, { namespace: 'observability', labels: { app: 'prometheus-server' } }, 'http')).toBe(true);
    expect(admits(policies(patched), target, prometheus, 'http')).toBe(false);
    expect((byKind(patched, 'ServiceMonitor').metadata.labels ?? {})['release']).toBe('kube-prometheus-stack');
    // The comments in the components are the documentation: the patches above are theirs.
    const comment = readFileSync(join(root, 'manifests', 'prometheus-access', 'kustomization.yaml'), 'utf8');
    expect(comment).toContain('podSelector: { matchLabels: { app: prometheus-server } }');
    expect(readFileSync(join(root, 'manifests', 'servicemonitor', 'kustomization.yaml'), 'utf8')).toContain('path: /metadata/labels/release');
  });

  it('scrape /metrics on the port the Service names, from the Service greenlight installs', () => {
    const monitor = byKind(objects, 'ServiceMonitor') as unknown as { spec: { selector: LabelSelector; namespaceSelector?: unknown; endpoints: { port: string; path: string; interval: string; scrapeTimeout: string }[] } };
    const service = byKind(objects, 'Service') as unknown as { metadata: { labels: Record<string, string> }; spec: { ports: { name: string }[] } };
    expect(selects(monitor.spec.selector, service.metadata.labels)).toBe(true);
    expect(monitor.spec.namespaceSelector).toBeUndefined();
    expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    expect(service.spec.ports.map((p) => p.name)).toContain(monitor.spec.endpoints[0]?.port);
  });
});

describe('manifests/annotate-cronjob', () => {
  const objects = kustomize(join(root, 'manifests', 'annotate-cronjob'));

  it('renders valid objects: a non-root CronJob that may patch Secrets and nothing else', () => {
    validate(objects);
    expect(objects.map((o) => o.kind).sort()).toEqual(['CronJob', 'Role', 'RoleBinding', 'ServiceAccount']);
    expect(byKind(objects, 'Role')).toMatchObject({ rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch', 'patch'] }] });
    const job = byKind(objects, 'CronJob') as unknown as { spec: { concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: { containers: { args: string[] }[] } } } } } };
    expect(job.spec.concurrencyPolicy).toBe('Forbid');
    expect(job.spec.jobTemplate.spec.template.spec.containers[0]?.args).toEqual(['bin/greenlight.js', 'annotate', '--apply', '--compat', 'gitops-bridge']);
  });
});

describe('manifests/target-cluster and IAM', () => {
  const targetObjects = kustomize(join(root, 'manifests', 'target-cluster'));

  it('facts and gate: list on StorageClasses, IngressClasses and Deployments (ExternalDNS\'s, for the gate) only', () => {
    validate(targetObjects);
    expect(targetObjects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/greenlight-drift-reader',
      'ClusterRole/greenlight-facts-reader',
      'ClusterRoleBinding/greenlight-drift-reader',
      'ClusterRoleBinding/greenlight-facts-reader',
    ]);
    expect(byKind(targetObjects, 'ClusterRole', 'greenlight-facts-reader')).toMatchObject({
      rules: [
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['list'] },
        { apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['list'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'] },
      ],
    });
  });

  it('drift: list on every type (metadata-only lists, full lists of claims, volumes and pods), get on the workloads behind EBS claims, never get on Secrets', () => {
    const role = byKind(targetObjects, 'ClusterRole', 'greenlight-drift-reader') as unknown as { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    expect(role.rules).toEqual([
      { apiGroups: ['*'], resources: ['*'], verbs: ['list'] },
      { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get'] },
    ]);
    const getsSecrets = role.rules.some((r) => r.verbs.some((v) => v === 'get' || v === '*') && (r.apiGroups.includes('') || r.apiGroups.includes('*')) && (r.resources.includes('secrets') || r.resources.includes('*')));
    expect(getsSecrets).toBe(false);
    for (const name of ['greenlight-drift-reader', 'greenlight-facts-reader']) {
      expect(byKind(targetObjects, 'ClusterRoleBinding', name)).toMatchObject({ roleRef: { kind: 'ClusterRole', name }, subjects: [{ kind: 'Group', name: 'greenlight-readers' }] });
    }
  });

  it('allows exactly the AWS calls greenlight makes', () => {
    const policy = JSON.parse(readFileSync(join(root, 'manifests', 'iam', 'greenlight-policy.json'), 'utf8')) as { Statement: { Action: string[] }[] };
    const actions = policy.Statement.flatMap((s) => s.Action).sort();
    expect(actions).toEqual([
      'eks:DescribeAddon',
      'eks:DescribeAddonVersions',
      'eks:DescribeCluster',
      'eks:DescribeInsight',
      'eks:DescribePodIdentityAssociation',
      'eks:ListAddons',
      'eks:ListInsights',
      'eks:ListPodIdentityAssociations',
      'route53:ListResourceRecordSets',
      'ssm:GetParametersByPath',
      'sts:AssumeRole',
    ]);
    // The adapters' own SDK commands, so that a new call without a policy line fails here.
    const sources = ['eks/eks-fact-source.ts', 'eks/eks-readiness-source.ts', 'ssm/ssm-secret-path-source.ts', 'aws/aws-credentials.ts', 'route53/route53-record-source.ts']
      .map((f) => readFileSync(join(root, 'plugin', 'adapters', f), 'utf8'))
      .join('\n');
    const commands = [...sources.matchAll(/new (\w+)Command\(/g)].map((m) => m[1]).filter((c) => c !== 'GetCallerIdentity');
    // GetCallerIdentity needs no permission; every other call needs a policy line.
    expect(new Set(commands).size).toBe(11);
    const services: Record<string, string> = { GetParametersByPath: 'ssm', AssumeRole: 'sts', ListResourceRecordSets: 'route53' };
    for (const c of new Set(commands)) expect(actions, c).toContain(`${services[c as string] ?? 'eks'}:${c}`);
  });
});
