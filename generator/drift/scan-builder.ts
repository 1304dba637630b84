/**
 * @module Builds a `ClusterScan` one object at a time, keeping only what the findings need: the
 * key of every object (does the other cluster have it?), the counts per class, and the objects
 * that may be findings. The scanner feeds it page by page, so memory grows with the candidates,
 * not with the cluster.
 */
import type { CoverageGap, ObjectClass } from '../contract/drift.js';
import { isCandidate, type ClusterScan } from './audit.js';
import { keyOf, scannedObject, type ObjectMetadata, type ResourceType, type ScannedObject } from './objects.js';
import type { DriftRules } from './rules.js';
import type { EbsClaim } from './stateful.js';

export class ScanBuilder {
  private readonly keys = new Set<string>();
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
    this.types.add(`${type.resource}.${type.group}`);
    const object = scannedObject(type, metadata, this.rules);
    const key = keyOf(object);
    // The same object listed twice (a server repeating an item across pages) counts once.
    if (this.keys.has(key)) return isCandidate(object, this.rules).class;
    this.keys.add(key);
    this.objects++;
    const { class: cls, keep } = isCandidate(object, this.rules);
    this.classes[cls]++;
    if (keep) this.candidates.push(object);
    return cls;
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
