/**
 * @module Builds a `ClusterScan` one object at a time, keeping only what the findings need: the
 * key of every object (does the other cluster have it?), the counts per class, and the objects
 * that may be findings. The scanner feeds it page by page, so memory grows with the candidates,
 * not with the cluster.
 */
import type { CoverageGap, ObjectClass } from '../contract/drift.js';
import { isCandidate, type ClusterScan } from './audit.js';
import { isTracked } from './classify.js';
import { ObjectKeys } from './object-keys.js';
import { isToolWrite, scannedObject, stringAt, type ObjectMetadata, type ResourceType, type ScannedObject } from './objects.js';
import { TRACKING_ANNOTATION, type DriftRules } from './rules.js';
import type { EbsClaim } from './stateful.js';

export class ScanBuilder {
  private readonly keys = new ObjectKeys();
  private readonly candidates: ScannedObject[] = [];
  private readonly classes: Record<ObjectClass, number> = { managed: 0, owned: 0, cluster: 0, unmanaged: 0 };
  private readonly types = new Set<string>();
  private objects = 0;

  constructor(
    readonly cluster: string,
    private readonly rules: DriftRules,
  ) {}

  /** Adds one object; returns its class. */
  add(type: ResourceType, metadata: ObjectMetadata): ObjectClass {
    const namespace = type.namespaced ? (metadata.namespace ?? null) : null;
    // The same object listed twice (a server repeating an item across pages) counts once.
    const repeated = !this.keys.add(type.group, type.kind, namespace, metadata.name);
    if (!repeated) this.objects++;
    // Most objects no client tool wrote: classified without being reduced (no garbage for them).
    if (!this.toolWrote(metadata.managedFields)) {
      const tracked = isTracked(type.group, type.kind, namespace, metadata.name, stringAt(metadata.annotations, TRACKING_ANNOTATION) ?? null, stringAt(metadata.labels, this.rules.tracking.labelKey) ?? null, this.rules);
      const cls: ObjectClass = tracked ? 'managed' : (metadata.ownerReferences?.length ?? 0) > 0 ? 'owned' : 'cluster';
      if (!repeated) this.classes[cls]++;
      return cls;
    }
    const object = scannedObject(type, metadata, this.rules);
    const { class: cls, keep } = isCandidate(object, this.rules);
    if (repeated) return cls;
    this.classes[cls]++;
    if (keep) this.candidates.push(object);
    return cls;
  }

  private toolWrote(entries: ObjectMetadata['managedFields']): boolean {
    if (!entries) return false;
    for (const e of entries) if (isToolWrite(e, this.rules)) return true;
    return false;
  }

  /** Counts a resource type that was listed, even when it had no objects. */
  listed(type: ResourceType): void {
    this.types.add(`${type.resource}.${type.group}`);
  }

  finish(input: { readonly claims: readonly EbsClaim[]; readonly gaps: readonly CoverageGap[]; readonly scannedAt: string }): ClusterScan {
    return {
      cluster: this.cluster,
      scannedAt: input.scannedAt,
      resourceTypes: this.types.size,
      objects: this.objects,
      classes: { ...this.classes },
      keys: this.keys,
      candidates: this.candidates,
      claims: input.claims,
      gaps: input.gaps,
    };
  }
}
