/**
 * @module A cluster of `objects` objects over about 200 resource types, for the drift benchmark:
 * the EKS baseline's types and objects, and synthetic custom resources (as operators install
 * them: some groups served in two versions, a type served only in the non-preferred one), each
 * object with labels, annotations and two or three managedFields entries, a tenth made by hand.
 */
import type { FakeResourceType, KubeObject } from '../test/support/fake-kube-objects.js';
import { EKS_TYPES, eksBaseline } from '../test/fixtures/drift/eks-baseline.js';
import { mf, at } from '../test/fixtures/drift/builders.js';
import { eksStore } from '../test/support/drift-clusters.js';
import type { FakeKubeObjects } from '../test/support/fake-kube-objects.js';

export function benchCluster(objects: number, types = 200): FakeKubeObjects {
  const base = eksBaseline();
  const synthetic = Math.max(1, types - EKS_TYPES.length);
  const defs: FakeResourceType[] = [];
  for (let i = 0; i < synthetic; i++) {
    const group = `bench${i % 25}.example.com`;
    // Every fifth group also serves v1beta1; one type in ten only there.
    const versions = i % 10 === 9 ? ['v1beta1'] : i % 25 < 5 ? ['v1', 'v1beta1'] : ['v1'];
    defs.push({ group, versions, resource: `widgets${i}`, kind: `Widget${i}`, namespaced: true, subresources: ['status'] });
  }
  const store = eksStore(base);
  store.define(...defs);
  let n = store.size;
  const perType = Math.ceil((objects - n) / synthetic);
  for (const [t, def] of defs.entries()) {
    const batch: KubeObject[] = [];
    for (let i = 0; i < perType && n < objects; i++, n++) {
      const ns = `team-${i % 50}`;
      const byHand = i % 10 === 0;
      batch.push({
        apiVersion: `${def.group}/${def.versions[0]}`,
        kind: def.kind,
        metadata: {
          name: `${def.resource}-${i}`,
          namespace: ns,
          creationTimestamp: at(i),
          labels: { 'app.kubernetes.io/name': `app-${t}`, 'app.kubernetes.io/part-of': ns, tier: 'backend' },
          annotations: byHand ? { 'kubectl.kubernetes.io/last-applied-configuration': `{"kind":"${def.kind}","metadata":{"name":"${def.resource}-${i}"}}` } : { 'argocd.argoproj.io/tracking-id': `app-${t}:${def.group}/${def.kind}:${ns}/${def.resource}-${i}` },
          managedFields: [
            mf(byHand ? 'kubectl-client-side-apply' : 'argocd-controller', byHand ? 'Update' : 'Apply', at(i), ['spec.replicas', 'spec.template', 'metadata.labels']),
            mf('widget-operator', 'Update', at(i + 1), ['status'], 'status'),
            ...(i % 7 === 0 ? [mf('widget-operator', 'Update', at(i + 2), ['metadata.finalizers'])] : []),
          ],
        },
        spec: { replicas: 2 },
      });
    }
    store.put(...batch);
  }
  return store;
}
