/**
 * The checks the drift scan runs on every object without zod or a regular expression (for
 * speed), held to the schema and the pattern they replace: the same verdict on the same input.
 */
import { describe, expect, it } from 'vitest';
import { driftRules, isObjectMetadata, isTracked, objectMetadataSchema, ObjectKeys, objectKey, scannedObject, trackingApp, type ResourceType } from '../../../../generator/index.js';
import { at, mf } from '../../../fixtures/drift/builders.js';

const valid = {
  name: 'settings',
  namespace: 'checkout',
  uid: 'not-read',
  creationTimestamp: at(1),
  labels: { 'app.kubernetes.io/instance': 'checkout' },
  annotations: { 'argocd.argoproj.io/tracking-id': 'checkout:/ConfigMap:checkout/settings' },
  ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u' }],
  managedFields: [mf('kubectl-edit', 'Update', at(2)), mf('kube-controller-manager', 'Update', at(3), ['status'], 'status')],
};

/** Odd values for any field: every JSON type, and the shapes one level down. */
const odd: unknown[] = [undefined, null, '', 'x', 0, 1, true, false, {}, [], [null], [{}], ['x'], { a: 'b' }, { a: 1 }, [[]]];

/** `valid` with one field (or one field of an owner or managedFields entry) set to each odd value, or left out. */
function variants(): unknown[] {
  const out: unknown[] = [valid, undefined, null, 'x', [], [valid], {}];
  for (const key of [...Object.keys(valid), 'extra']) {
    const { [key]: _gone, ...without } = valid as Record<string, unknown>;
    out.push(without);
    for (const v of odd) out.push({ ...valid, [key]: v });
  }
  for (const key of ['kind', 'name', 'apiVersion']) for (const v of odd) out.push({ ...valid, ownerReferences: [valid.ownerReferences[0], { ...valid.ownerReferences[0], [key]: v }] });
  for (const key of ['manager', 'operation', 'time', 'subresource', 'fieldsV1', 'apiVersion']) {
    for (const v of odd) out.push({ ...valid, managedFields: [valid.managedFields[0], { ...valid.managedFields[1], [key]: v }] });
  }
  return out;
}

describe('isObjectMetadata', () => {
  it('gives objectMetadataSchema’s verdict on every variant of a metadata object', () => {
    const cases = variants();
    const verdicts = cases.map((c) => [isObjectMetadata(c), objectMetadataSchema.safeParse(c).success]);
    for (const [i, [check, schema]] of verdicts.entries()) expect(check, JSON.stringify(cases[i]) ?? 'undefined').toBe(schema);
    // Both verdicts occur, many times each: the comparison is not vacuous.
    expect(verdicts.filter(([, ok]) => ok).length).toBeGreaterThan(40);
    expect(verdicts.filter(([, ok]) => !ok).length).toBeGreaterThan(100);
  });

  it('hands back the object itself, so what the rules read is what the schema would have kept', () => {
    const rules = driftRules();
    const type: ResourceType = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true };
    const value: unknown = structuredClone(valid);
    if (!isObjectMetadata(value)) throw new Error('the valid metadata was refused');
    expect(scannedObject(type, value, rules)).toEqual(scannedObject(type, objectMetadataSchema.parse(valid), rules));
  });
});

/** The pattern Argo CD's tracking id was read with before it was read by position. */
const TRACKING_ID = /^([^:]+):([^/]*)\/([^:]+):([^/]*)\/(.+)$/;
function byPattern(id: string, object: { group: string; kind: string; namespace: string | null; name: string }): string | null {
  const m = TRACKING_ID.exec(id);
  if (!m) return null;
  const [, app = '', group, kind, namespace, name] = m;
  if (group !== object.group || kind !== object.kind || name !== object.name) return null;
  if (namespace !== '' && object.namespace !== null && namespace !== object.namespace) return null;
  return app;
}

describe('the tracking id, read by position', () => {
  const rules = driftRules();
  const objects = [
    { group: '', kind: 'ConfigMap', namespace: 'checkout', name: 'settings' },
    { group: 'apps', kind: 'Deployment', namespace: 'checkout', name: 'web' },
    { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', namespace: null, name: 'reader' },
    { group: '', kind: 'ConfigMap', namespace: 'a', name: 'x/y' },
    { group: '', kind: 'ConfigMap', namespace: 'a', name: 'line\nbreak' },
    { group: 'g:1', kind: 'K/ind', namespace: 'n:s', name: 'a:b/c' },
  ];
  const ids = [
    'checkout:/ConfigMap:checkout/settings',
    'checkout_checkout:/ConfigMap:checkout/settings',
    'checkout:apps/Deployment:checkout/web',
    'checkout:apps/Deployment:/web',
    'rbac:rbac.authorization.k8s.io/ClusterRole:/reader',
    'rbac:rbac.authorization.k8s.io/ClusterRole:other/reader',
    'app:/ConfigMap:a/x/y',
    'app:/ConfigMap:a/line\nbreak',
    'app:g:1/K/ind:n:s/a:b/c',
    'app:g/K/ind:n:s/a:b/c',
    ':/ConfigMap:checkout/settings',
    'checkout/ConfigMap:checkout/settings',
    'checkout:/:checkout/settings',
    'checkout:/ConfigMap:checkout/',
    'checkout:/ConfigMap:checkout',
    'checkout:/ConfigMapcheckout/settings',
    'checkout:/ConfigMap:checkout/settings2',
    'checkout:/ConfigMap:checkout/setting',
    'checkout:/ConfigMap:checkou/settings',
    'checkout:apps/ConfigMap:checkout/settings',
    '',
    ':',
    'a:/b:/',
    'a:/b:c/d\n',
  ];

  it('names the same Application as the pattern for every id and object', () => {
    let named = 0;
    for (const id of ids) {
      for (const o of objects) {
        const type: ResourceType = { group: o.group, version: 'v1', resource: 'r', kind: o.kind, namespaced: o.namespace !== null };
        const scanned = scannedObject(type, { name: o.name, ...(o.namespace !== null ? { namespace: o.namespace } : {}), annotations: { 'argocd.argoproj.io/tracking-id': id } }, rules);
        const expected = byPattern(id, o);
        expect(trackingApp(scanned, rules), `${JSON.stringify(id)} on ${JSON.stringify(o)}`).toBe(expected);
        expect(isTracked(o.group, o.kind, o.namespace, o.name, id, null, rules)).toBe(expected !== null);
        if (expected !== null) named++;
      }
    }
    expect(named).toBeGreaterThanOrEqual(8);
  });

  it('under label tracking, the label alone counts', () => {
    const label = driftRules({ tracking: { method: 'label', labelKey: 'app.kubernetes.io/instance' } });
    expect(isTracked('', 'ConfigMap', 'a', 'x', 'app:/ConfigMap:a/x', null, label)).toBe(false);
    expect(isTracked('', 'ConfigMap', 'a', 'x', null, 'app', label)).toBe(true);
  });
});

describe('ObjectKeys', () => {
  it('holds each object once, by group, kind, namespace and name, and lists them as objectKey strings', () => {
    const keys = new ObjectKeys();
    const added = [
      keys.add('', 'ConfigMap', 'a', 'x'),
      keys.add('', 'ConfigMap', 'a', 'x'),
      keys.add('', 'ConfigMap', 'b', 'x'),
      keys.add('apps', 'Deployment', 'a', 'x'),
      keys.add('', 'ConfigMap', 'a', 'y'),
      keys.add('', 'Namespace', null, 'a'),
      keys.add('apps', 'Deployment', 'a', 'x'),
    ];
    expect(added).toEqual([true, false, true, true, true, true, false]);
    expect(keys.size).toBe(5);
    expect([...keys].sort()).toEqual(
      [objectKey('', 'ConfigMap', 'a', 'x'), objectKey('', 'ConfigMap', 'b', 'x'), objectKey('', 'ConfigMap', 'a', 'y'), objectKey('apps', 'Deployment', 'a', 'x'), objectKey('', 'Namespace', null, 'a')].sort(),
    );
    expect(keys.has('', 'ConfigMap', 'b', 'x')).toBe(true);
    expect(keys.has('', 'ConfigMap', 'c', 'x')).toBe(false);
    expect(keys.has('', 'Secret', 'a', 'x')).toBe(false);
    expect(keys.has('apps', 'ConfigMap', 'a', 'x')).toBe(false);
    expect(keys.has('', 'Namespace', null, 'a')).toBe(true);
    // Characters held: each type key, namespace and name once.
    expect(keys.characters).toBe('/ConfigMap'.length + 'a'.length + 'x'.length + 'b'.length + 'x'.length + 'y'.length + 'apps/Deployment'.length + 'a'.length + 'x'.length + '/Namespace'.length + 'a'.length);
  });
});
