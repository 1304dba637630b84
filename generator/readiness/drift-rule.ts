/**
 * @module The readiness check over a pair's drift report: blue's unmanaged objects and hotfixes
 * that green lacks are warnings (look before the step: they are lost at cutover); data on EBS
 * volumes is a blocker for the Applications using it (it must be migrated first). Signed-off
 * findings are counted as accepted, never raised.
 */
import type { DriftFinding, DriftReport } from '../contract/drift.js';
import { count, finding, type ReadinessPair, type RuleResult } from './pair.js';

const where = (f: DriftFinding) => `${f.namespace ? `${f.namespace}/` : ''}${f.name}`;

/** The drift check; skipped when no drift report was supplied. */
export function driftRule(pair: ReadinessPair, report: DriftReport | undefined): RuleResult {
  if (!report) return { skipped: `drift was not scanned here: run greenlight drift --pair ${pair.pair}` };
  const open = report.findings.filter((f) => !f.accepted && f.missingOnGreen);
  const accepted = report.findings.filter((f) => f.accepted);
  const findings = open.map((f) => {
    const subject = `drift:${f.cluster}/${f.group === '' ? '' : `${f.group}/`}${f.kind}/${where(f)}`;
    const resource = { group: f.group, version: f.version, kind: f.kind, namespace: f.namespace, name: f.name };
    const app = f.app === null ? null : { namespace: '', name: f.app };
    switch (f.class) {
      case 'unmanaged':
        return finding(
          'drift-unmanaged',
          'warning',
          subject,
          `${f.kind} ${where(f)} on ${f.cluster} was made outside Git (${f.managers.find((m) => m.subresource === null)?.manager ?? 'a client tool'}) and ${report.green} has no such object: it is lost at cutover. Put it in Git (greenlight drift --pair ${report.pair} -o manifests), delete it, or sign it off with the annotation greenlight.io/drift: ignore.`,
          { cluster: f.cluster, resource },
        );
      case 'hotfix':
        return finding(
          'drift-hotfix',
          'warning',
          subject,
          `${f.kind} ${where(f)} on ${f.cluster}${f.app ? ` (Application ${f.app})` : ''} was changed after Argo CD's last apply${f.fields.length > 0 ? ` (${f.fields.join(', ')})` : ''}; ${report.green} runs what Git says. Put the change in Git or undo it on ${f.cluster}.`,
          { cluster: f.cluster, resource, app },
        );
      case 'stateful': {
        const v = f.volume;
        const used = v && v.workloads.length > 0 ? ` used by ${v.workloads.join(', ')}${v.apps.length > 0 ? ` (Application ${v.apps.join(', ')})` : ''}` : '';
        return finding(
          'drift-stateful',
          'blocker',
          subject,
          `PersistentVolumeClaim ${where(f)} on ${f.cluster}${used} holds its data on EBS volume ${v?.volumeId ?? v?.volumeName ?? '?'} (${v?.size ?? 'size unknown'}, ${v?.zone ?? 'zone unknown'}), which ${report.green} cannot attach: migrate the data (snapshot and restore, or the application's replication) before ${report.green} takes the traffic, then sign it off with greenlight.io/drift: ignore on the claim.`,
          { cluster: f.cluster, resource, app },
        );
      }
    }
  });
  const gaps = report.gaps.length > 0 ? `; ${count(report.gaps.length, 'resource type')} not scanned (${report.gaps.map((g) => `${g.cluster} ${g.resource}`).join(', ')})` : '';
  const acceptedText = accepted.length > 0 ? `; ${accepted.length} accepted (${accepted.map((f) => `${f.kind} ${where(f)}`).join(', ')})` : '';
  const scanned = report.scans.map((s) => `${s.objects} on ${s.cluster}`).join(', ');
  return { findings, detail: `${count(report.findings.length, 'drift finding')} among ${scanned} objects; ${open.length} missing on ${report.green}${acceptedText}${gaps}` };
}
