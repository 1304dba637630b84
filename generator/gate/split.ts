/**
 * @module The real split: the weights Route 53 holds for a pair against the ones its cluster
 * Secrets ask for. ExternalDNS writes one weighted record per cluster (SetIdentifier = the
 * cluster's `set-identifier` annotation, which greenlight expects to be the Argo CD cluster name),
 * and beside it a TXT ownership record with the same SetIdentifier saying
 * `heritage=external-dns,external-dns/owner=<txt-owner-id>,...`.
 */
import type { SplitRow } from '../contract/gate.js';

/** One record set as Route 53's ListResourceRecordSets gives it, reduced to what the split needs. */
export interface WeightedRecord {
  readonly zoneId: string;
  /** As Route 53 spells it: lower case, with the final dot. */
  readonly name: string;
  readonly type: string;
  readonly setIdentifier: string;
  /** Null for a record set that is not weighted. */
  readonly weight: number | null;
  /** The values (TXT values with their quotes). */
  readonly values: readonly string[];
}

export interface SplitMember {
  readonly name: string;
  readonly role: 'blue' | 'green';
  /** `greenlight.io/weight`, or null when the Secret has none. */
  readonly desired: number | null;
  /** The ExternalDNS owner id expected on this cluster's records (its `--txt-owner-id`). */
  readonly owner: string;
  /** ExternalDNS's `--txt-prefix` on this cluster, if any. */
  readonly txtPrefix?: string | undefined;
}

/** The `external-dns/owner` of an ExternalDNS TXT ownership value, or undefined for another TXT. */
export function ownerOf(txtValue: string): string | undefined {
  const text = txtValue.replace(/^"|"$/g, '');
  if (!/(^|,)heritage=external-dns(,|$)/.test(text)) return undefined;
  return /(?:^|,)external-dns\/owner=([^,]*)/.exec(text)?.[1] ?? '';
}

function ownershipNames(record: WeightedRecord, prefix: string): string[] {
  // ExternalDNS's TXT registry writes the old name (prefix + name) and the new one (prefix + type-name).
  return [`${prefix}${record.name}`, `${prefix}${record.type.toLowerCase()}-${record.name}`].map((n) => n.toLowerCase());
}

/**
 * Rows of the split: for each weighted record set (zone, name, type) with a SetIdentifier of the
 * pair, one row per cluster. A record that is not ExternalDNS's (no ownership TXT, or another
 * owner's) is `other-owner`, whatever its weight; then a weight other than the desired one is a
 * `mismatch`; a cluster without its record is `missing`. No record at all: one `missing` row per
 * cluster with record "".
 */
export function splitRows(members: readonly SplitMember[], records: readonly WeightedRecord[]): SplitRow[] {
  const ids = new Set(members.map((m) => m.name));
  const traffic = records.filter((r) => r.type !== 'TXT' && ids.has(r.setIdentifier));
  const txt = records.filter((r) => r.type === 'TXT' && ids.has(r.setIdentifier));
  const groups = new Map<string, WeightedRecord[]>();
  for (const r of traffic) {
    const key = `${r.zoneId}\u0000${r.name}\u0000${r.type}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  if (groups.size === 0) {
    return members.map((m) => ({ cluster: m.name, role: m.role, record: '', zoneId: '', desired: m.desired, actual: null, owner: null, outcome: 'missing' as const }));
  }
  const rows: SplitRow[] = [];
  for (const key of [...groups.keys()].sort()) {
    const group = groups.get(key) ?? [];
    const [zoneId = '', name = '', type = ''] = key.split('\u0000');
    for (const m of members) {
      const record = group.find((r) => r.setIdentifier === m.name);
      const row = { cluster: m.name, role: m.role, record: `${name} ${type}`, zoneId, desired: m.desired };
      if (!record) {
        rows.push({ ...row, actual: null, owner: null, outcome: 'missing' });
        continue;
      }
      const names = ownershipNames(record, m.txtPrefix ?? '');
      const owners = txt
        .filter((t) => t.zoneId === record.zoneId && t.setIdentifier === m.name && names.includes(t.name.toLowerCase()))
        .flatMap((t) => t.values.map(ownerOf))
        .filter((o): o is string => o !== undefined);
      const owner = owners.find((o) => o === m.owner) ?? owners[0] ?? null;
      const outcome = owner !== m.owner ? 'other-owner' : record.weight !== m.desired ? 'mismatch' : 'ok';
      rows.push({ ...row, actual: record.weight, owner, outcome });
    }
  }
  return rows;
}

/** What an operator is told about a row that is not ok. */
export function splitMessage(row: SplitRow, expectedOwner: string, zones: readonly string[], pairClusters: readonly string[]): string {
  const where = row.zoneId === '' ? '' : ` (zone ${row.zoneId})`;
  switch (row.outcome) {
    case 'ok':
      return `${row.record}${where}: ${row.cluster} has weight ${row.actual}, as asked`;
    case 'mismatch':
      return row.desired === null
        ? `${row.record}${where}: Route 53 gives ${row.cluster} weight ${row.actual}, but its cluster Secret has no greenlight.io/weight: set one with greenlight weight`
        : `${row.record}${where}: Route 53 gives ${row.cluster} weight ${row.actual}, but greenlight.io/weight asks for ${row.desired}: ExternalDNS on ${row.cluster} has not applied the last step yet (wait for its next sync, or read its logs)`;
    case 'missing':
      return row.record === ''
        ? `no weighted record in hosted zone(s) ${zones.join(', ')} has SetIdentifier ${pairClusters.join(' or ')}: give each cluster's Services/Ingresses the ExternalDNS set-identifier annotation with the Argo CD cluster name, and check GREENLIGHT_ROUTE53_ZONES`
        : `${row.record}${where}: ${row.cluster} has no weighted record (SetIdentifier ${row.cluster}) beside the pair's other one: ExternalDNS on ${row.cluster} has not created it (check its set-identifier annotation, domain filter and logs)`;
    case 'other-owner':
      return row.owner === null
        ? `${row.record}${where}: the record of ${row.cluster} has no ExternalDNS ownership TXT record, so something else (Terraform, a person) wrote it and greenlight.io/weight does not reach it: hand it to ExternalDNS (owner id ${expectedOwner}) or delete it`
        : `${row.record}${where}: the record of ${row.cluster} is owned by ExternalDNS owner "${row.owner}", not "${expectedOwner}": another ExternalDNS writes it; give each cluster its own --txt-owner-id, or set greenlight.io/external-dns-owner on the cluster Secret`;
  }
}
