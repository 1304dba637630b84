/**
 * @module One pair's drift audit over two cluster scans: blue's unmanaged objects, hotfixes and
 * EBS-bound data, each marked with whether green has it. Pure: the scans come from the
 * scanner (plugin/adapters/kubernetes/drift-scanner.ts).
 */
import {
  DRIFT_CLASSES,
  DRIFT_EXIT_CODES,
  type ClusterScanSummary,
  type CoverageGap,
  type DriftFinding,
  type DriftReport,
  type ObjectClass,
} from '../contract/drift.js';
import { acceptedBy, type AcceptRule } from './accept.js';
import { classifyObject, hotfixFields, isHotfix, trackingApp } from './classify.js';
import type { ObjectKeyIndex } from './object-keys.js';
import { keyOf, objectKey, type ScannedObject } from './objects.js';
import type { DriftRules } from './rules.js';
import type { EbsClaim } from './stateful.js';

/** What a scan of one cluster keeps: enough for the findings, never the objects themselves. */
export interface ClusterScan {
  readonly cluster: string;
  readonly scannedAt: string;
  readonly resourceTypes: number;
  readonly objects: number;
  readonly classes: Readonly<Record<ObjectClass, number>>;
  /** The identity of every object: does the other cluster have it? */
  readonly keys: ObjectKeyIndex;
  /** The objects that may be findings: unmanaged ones, and managed ones a client tool wrote. */
  readonly candidates: readonly ScannedObject[];
  readonly claims: readonly EbsClaim[];
  readonly gaps: readonly CoverageGap[];
}

/** Whether a scanned object is worth keeping: it is unmanaged, or a hotfix candidate. */
export function isCandidate(object: ScannedObject, rules: DriftRules): { class: ObjectClass; keep: boolean } {
  const cls = classifyObject(object, rules);
  return { class: cls, keep: cls === 'unmanaged' || (cls === 'managed' && isHotfix(object, rules)) };
}

export interface AuditInput {
  readonly pair: string;
  readonly blue: ClusterScan;
  readonly green: ClusterScan;
  readonly rules: DriftRules;
  readonly accept?: readonly AcceptRule[] | undefined;
}

const CLASS_ORDER = Object.fromEntries(DRIFT_CLASSES.map((c, i) => [c, i])) as Record<DriftFinding['class'], number>;

const summary = (scan: ClusterScan): ClusterScanSummary => ({
  cluster: scan.cluster,
  objects: scan.objects,
  resourceTypes: scan.resourceTypes,
  scannedAt: scan.scannedAt,
  classes: { ...scan.classes },
});

/** The drift report of a pair. Same input, same output: findings are sorted. */
export function auditPair(input: AuditInput): DriftReport {
  const { blue, green, rules } = input;
  const accept = input.accept ?? [];
  const greenHotfixes = new Set(green.candidates.filter((o) => isHotfix(o, rules)).map(keyOf));
  const findings: DriftFinding[] = [];
  const signOff = (ignored: boolean, object: { group: string; kind: string; namespace: string | null; name: string }) => {
    if (ignored) return { accepted: true, acceptedBy: 'annotation' as const };
    return acceptedBy(accept, { cluster: blue.cluster, ...object }) ? { accepted: true, acceptedBy: 'config' as const } : { accepted: false, acceptedBy: null };
  };
  for (const o of blue.candidates) {
    const cls = classifyObject(o, rules);
    const base = {
      cluster: blue.cluster,
      group: o.type.group,
      version: o.type.version,
      kind: o.type.kind,
      resource: o.type.resource,
      namespace: o.namespace,
      name: o.name,
      createdAt: o.createdAt,
      managers: [...o.managers],
      volume: null,
      ...signOff(o.ignored, { group: o.type.group, kind: o.type.kind, namespace: o.namespace, name: o.name }),
    };
    if (cls === 'unmanaged') {
      findings.push({ ...base, class: 'unmanaged', missingOnGreen: !green.keys.has(o.type.group, o.type.kind, o.namespace, o.name), app: null, fields: [] });
    } else if (cls === 'managed' && isHotfix(o, rules)) {
      findings.push({ ...base, class: 'hotfix', missingOnGreen: !greenHotfixes.has(keyOf(o)), app: trackingApp(o, rules), fields: hotfixFields(o, rules) });
    }
  }
  for (const c of blue.claims) {
    findings.push({
      cluster: blue.cluster,
      group: '',
      version: 'v1',
      kind: 'PersistentVolumeClaim',
      resource: 'persistentvolumeclaims',
      namespace: c.namespace,
      name: c.name,
      class: 'stateful',
      createdAt: c.createdAt,
      managers: [...c.managers],
      // The data is on blue's volume whatever green has: a claim of the same name on green is another, empty volume.
      missingOnGreen: true,
      app: c.apps[0] ?? null,
      fields: [],
      volume: {
        claim: `${c.namespace}/${c.name}`,
        volumeName: c.volumeName,
        driver: c.volume.driver,
        volumeId: c.volume.volumeId,
        size: c.volume.size,
        zone: c.volume.zone,
        storageClass: c.storageClass,
        workloads: [...c.workloads],
        apps: [...c.apps],
      },
      ...signOff(c.ignored, { group: '', kind: 'PersistentVolumeClaim', namespace: c.namespace, name: c.name }),
    });
  }
  findings.sort(
    (a, b) =>
      CLASS_ORDER[a.class] - CLASS_ORDER[b.class] ||
      (a.namespace ?? '').localeCompare(b.namespace ?? '') ||
      a.kind.localeCompare(b.kind) ||
      a.name.localeCompare(b.name),
  );
  return {
    pair: input.pair,
    blue: blue.cluster,
    green: green.cluster,
    trackingMethod: rules.tracking.method,
    findings,
    gaps: [...blue.gaps, ...green.gaps],
    scans: [summary(blue), summary(green)],
  };
}

/** The findings that make the audit fail: not accepted, and missing on green. */
export const unresolvedFindings = (report: DriftReport): DriftFinding[] => report.findings.filter((f) => !f.accepted && f.missingOnGreen);

/** `greenlight drift`'s exit status for a report: 0 when blue has nothing green lacks, else 2. */
export const driftExitCode = (report: DriftReport): number => (unresolvedFindings(report).length > 0 ? DRIFT_EXIT_CODES.drift : DRIFT_EXIT_CODES.clean);

/** Identity of a finding's object, comparable with scan keys. */
export const findingKey = (f: DriftFinding): string => objectKey(f.group, f.kind, f.namespace, f.name);
