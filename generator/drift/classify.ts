/**
 * @module The classification of one object: managed (an Argo CD Application tracks it), owned
 * (it has ownerReferences), made by the cluster, or unmanaged. The rule that keeps up with
 * everything Kubernetes, EKS and controllers create, without a list of their names: an object
 * is unmanaged only if a client tool wrote it (managedFields) and Argo CD does not track it.
 */
import type { ObjectClass } from '../contract/drift.js';
import { isToolWrite, lastWrite, type ScannedObject } from './objects.js';
import type { DriftRules } from './rules.js';

/**
 * The Application an object's tracking names, when Argo CD tracks it by the configured method.
 * An annotation copied onto another object (its group, kind, namespace or name differ from the
 * object's) does not count, as in Argo CD.
 */
export function trackingApp(object: ScannedObject, rules: DriftRules): string | null {
  return trackingAppOf(object, object.trackingId, object.instanceLabel, rules);
}

/** `trackingApp` for an object not reduced yet: its identity, tracking annotation and instance label. */
export function trackingAppOf(
  object: { readonly type: { readonly group: string; readonly kind: string }; readonly namespace: string | null; readonly name: string },
  trackingId: string | null,
  instanceLabel: string | null,
  rules: DriftRules,
): string | null {
  const { method } = rules.tracking;
  if (method === 'label') return instanceLabel;
  const id = trackingId;
  if (id === null) return null;
  // <app>:<group>/<kind>:<namespace>/<name>; the app may be "<namespace>_<name>".
  const m = /^([^:]+):([^/]*)\/([^:]+):([^/]*)\/(.+)$/.exec(id);
  if (!m) return null;
  const [, app = '', group, kind, namespace, name] = m;
  if (group !== object.type.group || kind !== object.type.kind || name !== object.name) return null;
  if (namespace !== '' && object.namespace !== null && namespace !== object.namespace) return null;
  return app;
}

/** The class of one object. */
export function classifyObject(object: ScannedObject, rules: DriftRules): ObjectClass {
  if (trackingApp(object, rules) !== null) return 'managed';
  if (object.owners.length > 0) return 'owned';
  return object.managers.some((m) => isToolWrite(m, rules)) ? 'unmanaged' : 'cluster';
}

/**
 * Whether an Argo CD-managed object was changed by a client tool after Argo CD's last write.
 * Controllers' writes (revision annotations, replicas, finalizers, status) are never hotfixes,
 * since only client tools count; writes on subresources and benign fields (`kubectl rollout
 * restart`) do not count either. Without any Argo CD write to compare with, nothing is a
 * hotfix: greenlight cannot tell which came first.
 */
export function isHotfix(object: ScannedObject, rules: DriftRules): boolean {
  if (trackingApp(object, rules) === null) return false;
  const since = lastWrite(object.managers, rules.argoCdManagers);
  if (since === undefined) return false;
  if (!object.managers.some((m) => isToolWrite(m, rules) && m.time !== null && Date.parse(m.time) > since)) return false;
  return object.toolFields.length === 0 || object.toolFields.some((f) => !rules.benignFields.includes(f));
}

/** What a hotfix changed: the client tools' fields since Argo CD's last write, benign ones left out. */
export const hotfixFields = (object: ScannedObject, rules: DriftRules): string[] => object.toolFields.filter((f) => !rules.benignFields.includes(f));
