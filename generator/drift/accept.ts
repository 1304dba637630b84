/**
 * @module Signing off a finding: `greenlight.io/drift: ignore` on the object, or an entry of the
 * configured list (GREENLIGHT_DRIFT_ACCEPT). An accepted finding is still shown, as accepted.
 */

/**
 * One entry of the accept list: `[cluster:]Kind[.group]/[namespace/]name`, each part a glob
 * where `*` matches anything. `CronJob/payments/nightly-report`, `ClusterRole.rbac.authorization.k8s.io/debug-*`,
 * `prod-eu-blue:ConfigMap/*\/feature-flags`.
 */
export interface AcceptRule {
  readonly text: string;
  readonly cluster: RegExp | null;
  readonly kind: RegExp;
  readonly group: RegExp | null;
  /** Null: the entry names a cluster-scoped object (two parts). */
  readonly namespace: RegExp | null;
  readonly name: RegExp;
}

const glob = (text: string): RegExp => new RegExp(`^${text.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** Parses accept-list entries; throws `Error` naming each malformed entry. */
export function parseAcceptRules(entries: readonly string[]): AcceptRule[] {
  const rules: AcceptRule[] = [];
  const bad: string[] = [];
  for (const raw of entries) {
    const text = raw.trim();
    if (text === '') continue;
    const colon = text.indexOf(':');
    const slash = text.indexOf('/');
    const cluster = colon > 0 && (slash < 0 || colon < slash) ? text.slice(0, colon) : null;
    const rest = cluster === null ? text : text.slice(colon + 1);
    const parts = rest.split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
      bad.push(`"${text}"`);
      continue;
    }
    const [kindGroup = '', second = '', third] = parts;
    const dot = kindGroup.indexOf('.');
    rules.push({
      text,
      cluster: cluster === null ? null : glob(cluster),
      kind: glob(dot < 0 ? kindGroup : kindGroup.slice(0, dot)),
      group: dot < 0 ? null : glob(kindGroup.slice(dot + 1)),
      namespace: third === undefined ? null : glob(second),
      name: glob(third ?? second),
    });
  }
  if (bad.length > 0) throw new Error(`drift accept list entries must be [cluster:]Kind[.group]/[namespace/]name: ${bad.join(', ')}`);
  return rules;
}

/** The accept-list entry that covers an object, if any. */
export function acceptedBy(
  rules: readonly AcceptRule[],
  object: { readonly cluster: string; readonly group: string; readonly kind: string; readonly namespace: string | null; readonly name: string },
): AcceptRule | undefined {
  return rules.find(
    (r) =>
      (r.cluster === null || r.cluster.test(object.cluster)) &&
      r.kind.test(object.kind) &&
      (r.group === null || r.group.test(object.group)) &&
      (r.namespace === null ? object.namespace === null : object.namespace !== null && r.namespace.test(object.namespace)) &&
      r.name.test(object.name),
  );
}
