/**
 * @module One scanned object, reduced to what the drift rules read: its identity, who wrote it
 * (managedFields without the fields, and the fields only of client-tool writes), its tracking
 * and its sign-off. Everything else an API server sends is dropped here, on arrival: a Secret's
 * data and the last-applied-configuration annotation (which holds a `kubectl apply`d Secret's
 * values) never get past this module.
 */
import { z } from 'zod';
import type { ManagerEntry } from '../contract/drift.js';
import { ACCEPT_ANNOTATION, ACCEPT_VALUE, managerMatches, TRACKING_ANNOTATION, type DriftRules } from './rules.js';

/** A listable resource type, from discovery. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  /** Plural: "cronjobs". */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** A map of labels or annotations: only the keys the rules name are read, each checked to be a string. */
const stringMap = z.custom<Readonly<Record<string, unknown>>>((v) => v !== null && typeof v === 'object' && !Array.isArray(v), 'expected an object of strings');

/** The value of `key` in a label or annotation map, if it is a string. */
export const stringAt = (map: Readonly<Record<string, unknown>> | null | undefined, key: string): string | undefined => {
  const v = map?.[key];
  return typeof v === 'string' ? v : undefined;
};

/** The metadata fields the rules read; the rest of an item is ignored (and so never kept). */
export const objectMetadataSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  creationTimestamp: z.string().nullish(),
  labels: stringMap.nullish(),
  annotations: stringMap.nullish(),
  ownerReferences: z.array(z.object({ kind: z.string(), name: z.string() }).loose()).nullish(),
  managedFields: z
    .array(
      z.object({
        manager: z.string().optional(),
        operation: z.string().optional(),
        time: z.string().nullish(),
        subresource: z.string().nullish(),
        fieldsV1: z.unknown().optional(),
      }),
    )
    .nullish(),
});
export type ObjectMetadata = z.infer<typeof objectMetadataSchema>;

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isOptionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isNullishString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';
const isEntry = (e: unknown): boolean =>
  isRecord(e) && isOptionalString(e['manager']) && isOptionalString(e['operation']) && isNullishString(e['time']) && isNullishString(e['subresource']);
const isOwner = (o: unknown): boolean => isRecord(o) && typeof o['kind'] === 'string' && typeof o['name'] === 'string';
/** Null, undefined, or an array whose every item passes `check`. */
function isNullishArrayOf(value: unknown, check: (item: unknown) => boolean): boolean {
  if (value === undefined || value === null) return true;
  if (!Array.isArray(value)) return false;
  for (const item of value) if (!check(item)) return false;
  return true;
}

/**
 * Whether `value` has the shape {@link objectMetadataSchema} describes: the same verdict, without
 * the copy. The drift scan checks every item of every list (100,000s per cluster) and keeps
 * nothing of most of them; `safeParse` copied each metadata object and each managedFields entry
 * only to drop them, which made the scan CPU-bound. The unit tests hold this check to the schema's
 * verdict. Unlike the schema's output, the value keeps its other keys: the rules read only the
 * fields the type names, and `scannedObject` copies only those.
 */
export function isObjectMetadata(value: unknown): value is ObjectMetadata {
  if (!isRecord(value)) return false;
  const name = value['name'];
  if (typeof name !== 'string' || name.length === 0) return false;
  if (!isOptionalString(value['namespace']) || !isNullishString(value['creationTimestamp'])) return false;
  const { labels, annotations, ownerReferences, managedFields } = value;
  if ((labels != null && !isRecord(labels)) || (annotations != null && !isRecord(annotations))) return false;
  return isNullishArrayOf(ownerReferences, isOwner) && isNullishArrayOf(managedFields, isEntry);
}

/** An object as the drift rules keep it. */
export interface ScannedObject {
  readonly type: ResourceType;
  readonly namespace: string | null;
  readonly name: string;
  readonly createdAt: string | null;
  /** The tracking annotation's value, if any. */
  readonly trackingId: string | null;
  /** The instance label's value (label tracking), if any. */
  readonly instanceLabel: string | null;
  /** `greenlight.io/drift: ignore`. */
  readonly ignored: boolean;
  readonly owners: readonly { readonly kind: string; readonly name: string }[];
  readonly managers: readonly ManagerEntry[];
  /**
   * Fields written by client tools (not on subresources) since Argo CD's last write, or ever when
   * Argo CD never wrote, as dotted paths; at most MAX_FIELDS.
   */
  readonly toolFields: readonly string[];
}

/** Most field paths kept per object: enough to say what a hotfix changed. */
export const MAX_FIELDS = 20;

/** Identity of an object across versions and clusters: group, kind, namespace, name. */
export function objectKey(group: string, kind: string, namespace: string | null, name: string): string {
  return `${group}/${kind}/${namespace ?? ''}/${name}`;
}

export const keyOf = (o: ScannedObject): string => objectKey(o.type.group, o.type.kind, o.namespace, o.name);

/**
 * The dotted leaf paths of a `fieldsV1` set ({"f:spec":{"f:replicas":{}}} → "spec.replicas"),
 * keys of list items as `[...]`, at most `max`.
 */
export function fieldPaths(fieldsV1: unknown, max = MAX_FIELDS): string[] {
  const out: string[] = [];
  collectPaths(fieldsV1, '', 0, max, out);
  return out;
}

/** `fieldPaths`' walk: a plain recursive function and a loop over keys (no closures, no entry arrays per node). */
function collectPaths(node: unknown, prefix: string, depth: number, max: number, out: string[]): void {
  if (out.length >= max || !isRecord(node)) return;
  const fields = node;
  let leaf = true;
  if (depth < 8) {
    for (const k in fields) {
      if (k === '.' || !Object.hasOwn(fields, k)) continue;
      leaf = false;
      const part = k.startsWith('f:') ? k.slice(2) : k.startsWith('k:') || k.startsWith('v:') || k.startsWith('i:') ? `[${k.slice(2)}]` : k;
      collectPaths(fields[k], prefix === '' ? part : part.startsWith('[') ? `${prefix}${part}` : `${prefix}.${part}`, depth + 1, max, out);
      if (out.length >= max) return;
    }
  }
  if (leaf && prefix !== '') out.push(prefix);
}

const timeOf = (t: string | null | undefined): number => (t == null ? Number.NaN : Date.parse(t));

/** The time of the last write by one of `managers`, or undefined when none wrote (with a time). */
export function lastWrite(entries: readonly { manager?: string | undefined; time?: string | null | undefined }[], managers: readonly string[]): number | undefined {
  let last: number | undefined;
  for (const e of entries) {
    if (e.manager === undefined || !managers.includes(e.manager)) continue;
    const t = timeOf(e.time);
    if (!Number.isNaN(t) && (last === undefined || t > last)) last = t;
  }
  return last;
}

/** Whether an entry of managedFields is a client tool writing the object itself (not a subresource). */
export const isToolWrite = (entry: { manager?: string | undefined; subresource?: string | null | undefined }, rules: DriftRules): boolean =>
  entry.manager !== undefined && (entry.subresource ?? '') === '' && managerMatches(entry.manager, rules.toolManagers);

/**
 * Reduces one object's metadata (from a metadata-only list, or a full object) to a
 * `ScannedObject`. Secret data, last-applied-configuration and every other field stay behind.
 */
export function scannedObject(type: ResourceType, metadata: ObjectMetadata, rules: DriftRules): ScannedObject {
  const annotations = metadata.annotations;
  const toolFields: string[] = [];
  const managers: ManagerEntry[] = [];
  const entries = metadata.managedFields ?? [];
  // Fields of client-tool writes since Argo CD's last write (all of them when Argo CD never wrote).
  const since = lastWrite(entries, rules.argoCdManagers);
  for (const entry of entries) {
    managers.push({ manager: entry.manager ?? '', operation: entry.operation ?? '', time: entry.time ?? null, subresource: entry.subresource || null });
    if (isToolWrite(entry, rules) && toolFields.length < MAX_FIELDS && (since === undefined || timeOf(entry.time) > since)) {
      for (const path of fieldPaths(entry.fieldsV1, MAX_FIELDS - toolFields.length)) if (!toolFields.includes(path)) toolFields.push(path);
    }
  }
  return {
    type,
    namespace: type.namespaced ? (metadata.namespace ?? null) : null,
    name: metadata.name,
    createdAt: metadata.creationTimestamp ?? null,
    trackingId: stringAt(annotations, TRACKING_ANNOTATION) ?? null,
    instanceLabel: stringAt(metadata.labels, rules.tracking.labelKey) ?? null,
    ignored: stringAt(annotations, ACCEPT_ANNOTATION)?.trim() === ACCEPT_VALUE,
    owners: (metadata.ownerReferences ?? []).map((o) => ({ kind: o.kind, name: o.name })),
    managers,
    toolFields,
  };
}
