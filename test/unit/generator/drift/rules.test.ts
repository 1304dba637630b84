import { describe, expect, it } from 'vitest';
import {
  acceptedBy,
  classifyObject,
  driftRules,
  ebsVolume,
  fieldPaths,
  hotfixFields,
  isHotfix,
  managerMatches,
  objectMetadataSchema,
  parseAcceptRules,
  persistentVolumeSchema,
  scannedObject,
  trackingApp,
  trackingFromArgoCdConfig,
  type DriftRules,
  type ScannedObject,
} from '../../../../generator/index.js';
import { argo, at, mf, obj } from '../../../fixtures/drift/builders.js';
import type { KubeObject } from '../../../support/fake-kube-objects.js';
import { typeOf } from '../../../fixtures/drift/scan.js';

const rules = driftRules();
const scan = (o: KubeObject, r: DriftRules = rules): ScannedObject => scannedObject(typeOf(o), objectMetadataSchema.parse(o.metadata), r);
const classOf = (o: KubeObject, r: DriftRules = rules) => classifyObject(scan(o, r), r);

describe('client tools, from managedFields', () => {
  it('matches a tool by its name or glob, in any case, and nothing else', () => {
    for (const m of ['kubectl', 'kubectl-edit', 'kubectl-client-side-apply', 'kubectl-patch', 'helm', 'k9s', 'Lens', 'OpenLens']) expect(managerMatches(m, rules.toolManagers), m).toBe(true);
    for (const m of ['kubectlx', 'kube-controller-manager', 'argocd-controller', 'eks', 'kubelet', 'helm-controller', 'kustomize-controller']) {
      expect(managerMatches(m, rules.toolManagers), m).toBe(false);
    }
  });

  it('takes more tools from config', () => {
    const o = obj('v1', 'ConfigMap', 'made-by-script', { namespace: 'ops', managers: [mf('ops-bootstrap.sh', 'Update', at(1))] });
    expect(classOf(o)).toBe('cluster');
    expect(classOf(o, driftRules({ extraToolManagers: ['ops-bootstrap.sh'] }))).toBe('unmanaged');
  });
});

describe('classification', () => {
  it('managed: the tracking annotation naming this very object', () => {
    expect(classOf(argo('checkout', 'v1', 'ConfigMap', 'settings', { namespace: 'checkout', managers: [mf('kubectl-edit', 'Update', at(1))] }))).toBe('managed');
  });

  it('a tracking annotation copied onto another object does not make it managed', () => {
    const copied = argo('checkout', 'v1', 'ConfigMap', 'settings', { namespace: 'checkout', managers: [mf('kubectl-create', 'Update', at(200))] });
    copied.metadata.name = 'settings-copy';
    expect(trackingApp(scan(copied), rules)).toBeNull();
    expect(classOf(copied)).toBe('unmanaged');
  });

  it('honours the tracking method of argocd-cm: label tracking reads app.kubernetes.io/instance (or instanceLabelKey), not the annotation', () => {
    const labelled = obj('v1', 'ConfigMap', 'settings', { namespace: 'checkout', labels: { 'app.kubernetes.io/instance': 'checkout' }, managers: [mf('kubectl-client-side-apply', 'Update', at(1))] });
    const annotated = argo('checkout', 'v1', 'ConfigMap', 'settings', { namespace: 'checkout', managers: [mf('kubectl-edit', 'Update', at(300))] });
    const label = driftRules({ tracking: trackingFromArgoCdConfig({ 'application.resourceTrackingMethod': 'label' }) });
    const both = driftRules({ tracking: trackingFromArgoCdConfig({ 'application.resourceTrackingMethod': 'annotation+label' }) });
    expect([classOf(labelled, label), classOf(annotated, label)]).toEqual(['managed', 'unmanaged']);
    expect([classOf(labelled, both), classOf(annotated, both)]).toEqual(['unmanaged', 'managed']);
    expect([classOf(labelled), classOf(annotated)]).toEqual(['unmanaged', 'managed']);
    const custom = driftRules({ tracking: trackingFromArgoCdConfig({ 'application.resourceTrackingMethod': 'label', 'application.instanceLabelKey': 'argocd.argoproj.io/instance' }) });
    const customLabelled = obj('v1', 'ConfigMap', 'x', { namespace: 'a', labels: { 'argocd.argoproj.io/instance': 'app' }, managers: [mf('kubectl', 'Update', at(1))] });
    expect(classOf(customLabelled, custom)).toBe('managed');
  });

  it('reads the tracking method from argocd-cm, annotation by default, and names an unknown one', () => {
    expect(trackingFromArgoCdConfig(undefined)).toEqual({ method: 'annotation', labelKey: 'app.kubernetes.io/instance' });
    expect(trackingFromArgoCdConfig({ 'application.resourceTrackingMethod': ' label ' })).toEqual({ method: 'label', labelKey: 'app.kubernetes.io/instance' });
    expect(() => trackingFromArgoCdConfig({ 'application.resourceTrackingMethod': 'labels' })).toThrow(
      'argocd-cm sets application.resourceTrackingMethod to "labels", which Argo CD does not know (annotation, label or annotation+label)',
    );
  });

  it('owned: ownerReferences, whoever wrote it', () => {
    expect(classOf(obj('batch/v1', 'Job', 'run-1', { namespace: 'a', owner: { apiVersion: 'batch/v1', kind: 'CronJob', name: 'run' }, managers: [mf('kubectl-create', 'Update', at(1))] }))).toBe('owned');
  });

  it('made by the cluster: no client tool wrote it, or only on a subresource, or nothing says who', () => {
    expect(classOf(obj('v1', 'ServiceAccount', 'default', { namespace: 'a', managers: [mf('kube-controller-manager', 'Update', at(1))] }))).toBe('cluster');
    expect(classOf(obj('v1', 'Node', 'n1', { managers: [mf('kubelet', 'Update', at(1)), mf('kubectl-cordon', 'Update', at(2), ['spec.unschedulable'], 'status')] }))).toBe('cluster');
    expect(classOf(obj('v1', 'ConfigMap', 'cluster-info', { namespace: 'kube-public' }))).toBe('cluster');
  });

  it('unmanaged: a client tool wrote it and Argo CD does not track it', () => {
    expect(classOf(obj('batch/v1', 'CronJob', 'nightly', { namespace: 'a', managers: [mf('kubectl-create', 'Update', at(1)), mf('kube-controller-manager', 'Update', at(2), ['status'], 'status')] }))).toBe('unmanaged');
    expect(classOf(obj('v1', 'Secret', 'sh.helm.release.v1.redis.v1', { namespace: 'a', managers: [mf('helm', 'Update', at(1))] }))).toBe('unmanaged');
  });
});

describe('hotfixes', () => {
  const cm = (...managers: ReturnType<typeof mf>[]) => scan(argo('checkout', 'v1', 'ConfigMap', 'settings', { namespace: 'checkout', time: at(100), managers }));

  it('a client tool writing after Argo CD’s last apply, with the fields it wrote', () => {
    const o = cm(mf('kubectl-edit', 'Update', at(200), ['data.LOG_LEVEL']), mf('kubectl-patch', 'Update', at(210), ['data.FEATURE_X']));
    expect(isHotfix(o, rules)).toBe(true);
    expect(hotfixFields(o, rules)).toEqual(['data.LOG_LEVEL', 'data.FEATURE_X']);
  });

  it('not: a tool write before Argo CD’s last apply (Argo CD put Git back)', () => {
    expect(isHotfix(cm(mf('kubectl-edit', 'Update', at(50), ['data.LOG_LEVEL'])), rules)).toBe(false);
  });

  it('not: controllers’ writes after Argo CD’s (revision annotation, autoscaler replicas, load balancer finalizer, status)', () => {
    const o = scan(
      argo('checkout', 'apps/v1', 'Deployment', 'checkout', {
        namespace: 'checkout',
        time: at(100),
        managers: [
          mf('kube-controller-manager', 'Update', at(200), ['metadata.annotations.deployment.kubernetes.io/revision']),
          mf('kube-controller-manager', 'Update', at(201), ['spec.replicas'], 'scale'),
          mf('aws-load-balancer-controller', 'Update', at(202), ['metadata.finalizers']),
          mf('kube-controller-manager', 'Update', at(203), ['status'], 'status'),
          mf('kubectl-scale', 'Update', at(204), ['spec.replicas'], 'scale'),
        ],
      }),
    );
    expect(isHotfix(o, rules)).toBe(false);
  });

  it('not: kubectl rollout restart (only the restartedAt stamp)', () => {
    const o = scan(
      argo('checkout', 'apps/v1', 'Deployment', 'checkout', {
        namespace: 'checkout',
        time: at(100),
        managers: [mf('kubectl-rollout', 'Update', at(200), ['spec.template.metadata.annotations.kubectl.kubernetes.io/restartedAt'])],
      }),
    );
    expect(o.toolFields).toEqual(['spec.template.metadata.annotations.kubectl.kubernetes.io/restartedAt']);
    expect(isHotfix(o, rules)).toBe(false);
  });

  it('not: without an Argo CD write to compare with', () => {
    const o = scan(obj('v1', 'ConfigMap', 'settings', { namespace: 'checkout', annotations: { 'argocd.argoproj.io/tracking-id': 'checkout:/ConfigMap:checkout/settings' }, managers: [mf('kubectl-edit', 'Update', at(200))] }));
    expect(isHotfix(o, rules)).toBe(false);
  });
});

describe('what a scanned object keeps', () => {
  it('field paths of a fieldsV1 set, list keys in brackets, bounded', () => {
    expect(fieldPaths({ 'f:data': { 'f:A': {}, 'f:B': {} }, 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } } } })).toEqual([
      'data.A',
      'data.B',
      'spec.containers[{"name":"app"}].image',
    ]);
    expect(fieldPaths({ 'f:data': Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f:k${i}`, {}])) })).toHaveLength(20);
  });

  it('no Secret data and no last-applied-configuration: only identity, tracking and managers', () => {
    const secret = obj('v1', 'Secret', 's', {
      namespace: 'a',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"k":"canary-rules-test"}}' },
      managers: [mf('kubectl-client-side-apply', 'Update', at(1), ['data.k'])],
      body: { data: { k: Buffer.from('canary-rules-test').toString('base64') } },
    });
    const kept = scannedObject(typeOf(secret), objectMetadataSchema.parse({ ...secret.metadata, data: secret['data'] }), rules);
    expect(JSON.stringify(kept)).not.toContain('canary-rules-test');
    expect(JSON.stringify(kept)).not.toContain(Buffer.from('canary-rules-test').toString('base64'));
    expect(JSON.stringify(kept)).not.toContain('last-applied');
  });
});

describe('EBS volumes', () => {
  const pv = (spec: object, labels?: Record<string, string>) => persistentVolumeSchema.parse({ metadata: { name: 'pv', ...(labels ? { labels } : {}) }, spec });
  it('the CSI driver, with its zone from node affinity', () => {
    expect(
      ebsVolume(pv({ capacity: { storage: '50Gi' }, csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-1' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', operator: 'In', values: ['eu-west-1b'] }] }] } } })),
    ).toEqual({ driver: 'ebs.csi.aws.com', volumeId: 'vol-1', zone: 'eu-west-1b', size: '50Gi' });
  });
  it('in-tree awsElasticBlockStore, zone from the volume id or the labels', () => {
    expect(ebsVolume(pv({ capacity: { storage: '8Gi' }, awsElasticBlockStore: { volumeID: 'aws://eu-west-1c/vol-2' } }))).toEqual({ driver: 'kubernetes.io/aws-ebs', volumeId: 'vol-2', zone: 'eu-west-1c', size: '8Gi' });
    expect(ebsVolume(pv({ awsElasticBlockStore: { volumeID: 'vol-3' } }, { 'topology.kubernetes.io/zone': 'eu-west-1a' }))).toEqual({ driver: 'kubernetes.io/aws-ebs', volumeId: 'vol-3', zone: 'eu-west-1a', size: null });
  });
  it('EFS and anything else: not EBS', () => {
    expect(ebsVolume(pv({ csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-1' } }))).toBeNull();
    expect(ebsVolume(pv({ nfs: { server: 'x', path: '/' } }))).toBeNull();
  });
});

describe('signing off', () => {
  const rulesList = parseAcceptRules(['CronJob/payments/nightly-*', 'ClusterRole.rbac.authorization.k8s.io/debug-*', 'prod-eu-blue:ConfigMap/*/feature-flags', '  ']);
  const o = (cluster: string, group: string, kind: string, namespace: string | null, name: string) => ({ cluster, group, kind, namespace, name });
  it('matches kind, optional group, namespace and name globs, and an optional cluster', () => {
    expect(acceptedBy(rulesList, o('c', 'batch', 'CronJob', 'payments', 'nightly-report'))?.text).toBe('CronJob/payments/nightly-*');
    expect(acceptedBy(rulesList, o('c', 'batch', 'CronJob', 'other', 'nightly-report'))).toBeUndefined();
    expect(acceptedBy(rulesList, o('c', 'rbac.authorization.k8s.io', 'ClusterRole', null, 'debug-all'))?.text).toBe('ClusterRole.rbac.authorization.k8s.io/debug-*');
    expect(acceptedBy(rulesList, o('c', 'example.com', 'ClusterRole', null, 'debug-all'))).toBeUndefined();
    expect(acceptedBy(rulesList, o('prod-eu-blue', '', 'ConfigMap', 'web', 'feature-flags'))).toBeDefined();
    expect(acceptedBy(rulesList, o('prod-us-blue', '', 'ConfigMap', 'web', 'feature-flags'))).toBeUndefined();
  });
  it('names every malformed entry', () => {
    expect(() => parseAcceptRules(['CronJob', 'a/b/c/d', 'ok/x'])).toThrow('drift accept list entries must be [cluster:]Kind[.group]/[namespace/]name: "CronJob", "a/b/c/d"');
  });
});
