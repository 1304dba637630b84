/**
 * @module The identity of every object a scan saw (group, kind, namespace, name), so that an
 * audit can ask whether the other cluster has an object. Held as group/kind → namespace → names
 * rather than one string per object: a scan adds 100,000s of objects, and a joined key was a new
 * string per object (made, hashed, then kept), which cost the scan more CPU than anything else it
 * does with an object. The names kept are the strings the list's JSON already holds.
 */
import { objectKey } from './objects.js';

/** Read side of {@link ObjectKeys}: what an audit asks of a scan. */
export interface ObjectKeyIndex extends Iterable<string> {
  /** Whether the scan saw this object (namespace null for a cluster-scoped one). */
  has(group: string, kind: string, namespace: string | null, name: string): boolean;
  /** Objects held. */
  readonly size: number;
  /** Characters of the strings held (type keys, namespaces, names): for a cache's estimate of its bytes. */
  readonly characters: number;
}

/** Namespaces → names of one group/kind; "" for cluster-scoped objects. */
type Names = Map<string, Set<string>>;

export class ObjectKeys implements ObjectKeyIndex {
  private readonly byType = new Map<string, Names>();
  private count = 0;
  private chars = 0;
  // Lists come one type at a time: the last type's names are looked up without a joined key.
  private lastGroup: string | undefined;
  private lastKind: string | undefined;
  private lastNames: Names | undefined;

  get size(): number {
    return this.count;
  }

  get characters(): number {
    return this.chars;
  }

  /** Adds an object; false when it was there already. */
  add(group: string, kind: string, namespace: string | null, name: string): boolean {
    const names = this.namesOf(group, kind, true);
    const ns = namespace ?? '';
    let set = names.get(ns);
    if (set === undefined) {
      names.set(ns, (set = new Set()));
      this.chars += ns.length;
    }
    if (set.has(name)) return false;
    set.add(name);
    this.count++;
    this.chars += name.length;
    return true;
  }

  has(group: string, kind: string, namespace: string | null, name: string): boolean {
    return this.namesOf(group, kind, false)?.get(namespace ?? '')?.has(name) ?? false;
  }

  /** Every object as its `objectKey`, type by type, in the order first seen. */
  *[Symbol.iterator](): Iterator<string> {
    for (const [type, names] of this.byType) {
      const slash = type.indexOf('/');
      const group = type.slice(0, slash);
      const kind = type.slice(slash + 1);
      for (const [ns, set] of names) for (const name of set) yield objectKey(group, kind, ns === '' ? null : ns, name);
    }
  }

  private namesOf(group: string, kind: string, create: true): Names;
  private namesOf(group: string, kind: string, create: false): Names | undefined;
  private namesOf(group: string, kind: string, create: boolean): Names | undefined {
    if (this.lastNames !== undefined && group === this.lastGroup && kind === this.lastKind) return this.lastNames;
    // A group never holds "/", so "<group>/<kind>" names one type.
    const type = `${group}/${kind}`;
    let names = this.byType.get(type);
    if (names === undefined) {
      if (!create) return undefined;
      this.byType.set(type, (names = new Map()));
      this.chars += type.length;
    }
    this.lastGroup = group;
    this.lastKind = kind;
    this.lastNames = names;
    return names;
  }
}
