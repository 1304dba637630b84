/**
 * @module The pair's drift audit (what blue runs that Git does not) and its traffic gate as the UI
 * shows them: both as greenlight's service made them (served in the facts answer, the same
 * evaluation as `greenlight drift`, `greenlight gate` and their gauges), never the browser's own.
 * Absent (a service older than this extension) and null (no pair) are said as such. Pure.
 */
import type { DriftFinding, ManagerEntry } from '../generator/contract/drift.js';
import type { FactsResponse, ServedDrift, ServedGate } from '../generator/contract/facts-api.js';

export const driftCommand = (pair: string): string => `greenlight drift --pair ${pair}`;
export const driftManifestsCommand = (pair: string): string => `greenlight drift --pair ${pair} -o manifests`;
export const gateCommand = (pair: string): string => `greenlight gate --pair ${pair}`;
export const stepCommand = (pair: string): string => `greenlight weight --pair ${pair} --step`;

export type AuditedDrift = Extract<ServedDrift, { state: 'audited' }>;
export type EvaluatedGate = Extract<ServedGate, { state: 'evaluated' }>;

/** What the facts answer says of one of the pair's evaluations. */
export type PairPart<T> =
  | { readonly kind: 'no-pair'; readonly cluster: string }
  | { readonly kind: 'unavailable'; readonly pair: string; readonly reason: string }
  | { readonly kind: 'served'; readonly pair: string; readonly served: T };

export type AppDrift = PairPart<AuditedDrift>;
export type AppGate = PairPart<EvaluatedGate>;

const olderService = (what: string, command: string) => `this greenlight service serves no ${what} (it is older than this UI extension): upgrade it, or run "${command}"`;

/** The pair's drift audit from greenlight's facts answer. */
export function appDrift(facts: FactsResponse): AppDrift {
  if (facts.pair === null) return { kind: 'no-pair', cluster: facts.cluster };
  const d = facts.drift;
  if (d === undefined || d === null) return { kind: 'unavailable', pair: facts.pair, reason: olderService('drift audit', driftCommand(facts.pair)) };
  if (d.state === 'unavailable') return { kind: 'unavailable', pair: facts.pair, reason: d.reason };
  return { kind: 'served', pair: facts.pair, served: d };
}

/** The pair's traffic gate from greenlight's facts answer. */
export function appGate(facts: FactsResponse): AppGate {
  if (facts.pair === null) return { kind: 'no-pair', cluster: facts.cluster };
  const g = facts.gate;
  if (g === undefined || g === null) return { kind: 'unavailable', pair: facts.pair, reason: olderService('traffic gate', gateCommand(facts.pair)) };
  if (g.state === 'unavailable') return { kind: 'unavailable', pair: facts.pair, reason: g.reason };
  return { kind: 'served', pair: facts.pair, served: g };
}

/** Findings of one kind in one namespace. */
export interface KindGroup {
  readonly kind: string;
  readonly findings: readonly DriftFinding[];
}

/** Findings of one namespace (null: cluster-scoped), by kind. */
export interface NamespaceGroup {
  readonly namespace: string | null;
  readonly kinds: readonly KindGroup[];
  readonly count: number;
}

/**
 * Findings grouped by namespace, then kind, each sorted by name; cluster-scoped objects first.
 * Linear in findings plus the sort.
 */
export function groupFindings(findings: readonly DriftFinding[]): NamespaceGroup[] {
  const byNamespace = new Map<string, Map<string, DriftFinding[]>>();
  for (const f of findings) {
    const ns = f.namespace ?? '';
    const kinds = byNamespace.get(ns) ?? new Map<string, DriftFinding[]>();
    byNamespace.set(ns, kinds);
    const list = kinds.get(f.kind) ?? [];
    kinds.set(f.kind, list);
    list.push(f);
  }
  return [...byNamespace.entries()]
    .sort(([a], [b]) => (a === b ? 0 : a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))
    .map(([ns, kinds]) => {
      const groups = [...kinds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([kind, list]) => ({ kind, findings: [...list].sort((x, y) => x.name.localeCompare(y.name)) }));
      return { namespace: ns === '' ? null : ns, kinds: groups, count: groups.reduce((n, g) => n + g.findings.length, 0) };
    });
}

/** Who made the object and who last changed it, from its managedFields (subresources such as status are controllers' writes). */
export function authorship(managers: readonly ManagerEntry[]): { readonly madeBy: ManagerEntry | undefined; readonly lastChangedBy: ManagerEntry | undefined } {
  const own = managers.filter((m) => m.subresource === null);
  const madeBy = own[0];
  let last: ManagerEntry | undefined;
  for (const m of own) {
    if (m.time === null) continue;
    if (last === undefined || (last.time !== null && Date.parse(m.time) > Date.parse(last.time))) last = m;
  }
  return { madeBy, lastChangedBy: last !== undefined && last !== madeBy ? last : undefined };
}

/** `kind namespace/name`, or `kind name` for a cluster-scoped object. */
export function objectRef(f: Pick<DriftFinding, 'kind' | 'namespace' | 'name'>): string {
  return f.namespace === null ? `${f.kind} ${f.name}` : `${f.kind} ${f.namespace}/${f.name}`;
}

/** A signal's number as an operator reads it (as `greenlight gate` prints it); "—" when there is none. */
export function signalValue(unit: 'ratio' | 'seconds' | 'count', v: number | null): string {
  if (v === null) return '—';
  if (unit === 'ratio') return `${(v * 100).toFixed(2)}%`;
  if (unit === 'seconds') return `${(v * 1000).toFixed(0)} ms`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** "100/0" (blue/green); "?" for a weight that is not set. */
export function weights(w: { readonly blue: number | null; readonly green: number | null }): string {
  return `${w.blue ?? '?'}/${w.green ?? '?'}`;
}
