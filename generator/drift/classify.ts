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
  if (rules.tracking.method === 'label') return object.instanceLabel;
  const id = object.trackingId;
  if (id === null) return null;
  const end = appEnd(id, object.type.group, object.type.kind, object.namespace, object.name);
  return end < 0 ? null : id.slice(0, end);
}

/**
 * `trackingApp(...) !== null` for an object not reduced yet (the scan's every object): whether
 * Argo CD tracks it, without making the Application's name.
 */
export function isTracked(group: string, kind: string, namespace: string | null, name: string, trackingId: string | null, instanceLabel: string | null, rules: DriftRules): boolean {
  if (rules.tracking.method === 'label') return instanceLabel !== null;
  return trackingId !== null && appEnd(trackingId, group, kind, namespace, name) >= 0;
}

/**
 * Where the Application's name ends in a tracking id that names this very object, or -1.
 * `<app>:<group>/<kind>:<namespace>/<name>`; the app may be "<namespace>_<name>". Read by
 * position rather than with a regular expression (the scan checks every object's annotation):
 * no part may hold the separator that ends it, so each ends at its first separator.
 */
function appEnd(id: string, group: string, kind: string, namespace: string | null, name: string): number {
  const app = id.indexOf(':');
  if (app <= 0) return -1;
  const groupEnd = id.indexOf('/', app + 1);
  if (groupEnd < 0) return -1;
  const kindEnd = id.indexOf(':', groupEnd + 1);
  if (kindEnd <= groupEnd + 1) return -1;
  const namespaceEnd = id.indexOf('/', kindEnd + 1);
  if (namespaceEnd < 0 || namespaceEnd === id.length - 1) return -1;
  if (!partIs(id, app + 1, groupEnd, group) || !partIs(id, groupEnd + 1, kindEnd, kind) || !partIs(id, namespaceEnd + 1, id.length, name)) return -1;
  // A name never holds a line break; an annotation that does is not Argo CD's.
  if (LINE_BREAK.test(name)) return -1;
  if (namespaceEnd > kindEnd + 1 && namespace !== null && !partIs(id, kindEnd + 1, namespaceEnd, namespace)) return -1;
  return app;
}

const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** Whether `id` from `start` to `end` is `value`, without cutting it out. */
const partIs = (id: string, start: number, end: number, value: string): boolean => end - start === value.length && id.startsWith(value, start);

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
