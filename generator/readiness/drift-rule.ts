/**
 * @module The readiness check over a pair's drift report: blue's unmanaged objects and hotfixes
 * that green lacks are warnings (look before the step: they are lost at cutover); data on EBS
 * volumes is a blocker for the Applications using it (it must be migrated first). Signed-off
 * findings are counted as accepted, never raised.
 */
import type { DriftFinding, DriftReport } from '../contract/drift.js';
import { count, finding, type ReadinessPair, type RuleResult } from './pair.js';

const where = (f: DriftFinding) => `${f.namespace ? `${f.namespace}/` : ''}${f.name}`;

/** The Application of a tracking id or instance label: "name", or "namespace_name" for apps in any namespace. */
function trackedApp(app: string): { namespace: string; name: string } {
  const at = app.indexOf('_');
  return at > 0 ? { namespace: app.slice(0, at), name: app.slice(at + 1) } : { namespace: '', name: app };
}

/** The drift check; skipped when no drift report was supplied. */
export function driftRule(pair: ReadinessPair, report: DriftReport | { readonly skipped: string } | undefined): RuleResult {
  if (!report) return { skipped: `drift was not scanned here: run greenlight drift --pair ${pair.pair}` };
  if ('skipped' in report) return { skipped: report.skipped };
  const open = report.findings.filter((f) => !f.accepted && f.missingOnGreen);
  const accepted = report.findings.filter((f) => f.accepted);
  const findings = open.map((f) => {
    const subject = `drift:${f.cluster}/${f.group === '' ? '' : `${f.group}/`}${f.kind}/${where(f)}`;
    const resource = { group: f.group, version: f.version, kind: f.kind, namespace: f.namespace, name: f.name };
    const app = f.app === null ? null : trackedApp(f.app);
    // A namespaced object concerns the apps of its namespace (readiness/concerns.ts), when no Application tracks it.
    const workload = f.namespace === null ? null : { namespace: f.namespace, serviceAccount: null };
    switch (f.class) {
      case 'unmanaged':
        return finding(
          'drift-unmanaged',
          'warning',
          subject,
          `${f.kind} ${where(f)} on ${f.cluster} was made outside Git (${f.managers.find((m) => m.subresource === null)?.manager ?? 'a client tool'}) and ${report.green} has no such object: it is lost at cutover. Put it in Git (greenlight drift --pair ${report.pair} -o manifests), delete it, or sign it off with the annotation greenlight.io/drift: ignore.`,
          { cluster: f.cluster, resource, workload },
        );
      case 'hotfix':
        return finding(
          'drift-hotfix',
          'warning',
          subject,
          `${f.kind} ${where(f)} on ${f.cluster}${f.app ? ` (Application ${f.app})` : ''} was changed after Argo CD's last apply${f.fields.length > 0 ? ` (${f.fields.join(', ')})` : ''}; ${report.green} runs what Git says. Put the change in Git or undo it on ${f.cluster}.`,
          { cluster: f.cluster, resource, app, workload },
        );
      case 'stateful': {
        const v = f.volume;
        const used = v && v.workloads.length > 0 ? ` used by ${v.workloads.join(', ')}${v.apps.length > 0 ? ` (Application ${v.apps.join(', ')})` : ''}` : '';
        return finding(
          'drift-stateful',
          'blocker',
          subject,
          `PersistentVolumeClaim ${where(f)} on ${f.cluster}${used} holds its data on EBS volume ${v?.volumeId ?? v?.volumeName ?? '?'} (${v?.size ?? 'size unknown'}, ${v?.zone ?? 'zone unknown'}), which ${report.green} cannot attach: migrate the data (snapshot and restore, or the application's replication) before ${report.green} takes the traffic, then sign it off with greenlight.io/drift: ignore on the claim.`,
          { cluster: f.cluster, resource, app, workload },
        );
      }
    }
  });
  // A detail is one line: long lists name their first few.
  const some = (names: readonly string[]) => (names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', '));
  // What could not be listed is not audited: said per cluster, never counted as clean.
  for (const cluster of [...new Set(report.gaps.map((g) => g.cluster))]) {
    const mine = report.gaps.filter((g) => g.cluster === cluster);
    const forbidden = mine.filter((g) => g.reason === 'forbidden').map((g) => g.resource);
    const unavailable = mine.filter((g) => g.reason === 'unavailable').map((g) => g.resource);
    const what = [forbidden.length > 0 ? `forbidden: ${some(forbidden)}` : '', unavailable.length > 0 ? `unavailable: ${some(unavailable)}` : ''].filter((t) => t !== '').join('; ');
    const fix = [
      forbidden.length > 0 ? `grant greenlight's identity on ${cluster} list on them (metadata only is read)` : '',
      unavailable.length > 0 ? `check those APIs' services on ${cluster} (kubectl get apiservices)` : '',
    ].filter((t) => t !== '');
    findings.push(
      finding(
        'drift-coverage',
        'warning',
        `drift-coverage:${cluster}`,
        `${count(mine.length, 'resource type')} on ${cluster} could not be listed (${what}), so what ${cluster} runs there is not audited: ${fix.join(', and ')}.`,
        { cluster },
      ),
    );
  }
  const gaps = report.gaps.length > 0 ? `; ${count(report.gaps.length, 'resource type')} not scanned (${some(report.gaps.map((g) => `${g.cluster} ${g.resource}`))})` : '';
  const acceptedText = accepted.length > 0 ? `; ${accepted.length} accepted (${some(accepted.map((f) => `${f.kind} ${where(f)}`))})` : '';
  const scanned = report.scans.map((s) => `${s.objects} on ${s.cluster}`).join(', ');
  return { findings, detail: `${count(report.findings.length, 'drift finding')} among the objects scanned (${scanned}); ${open.length} missing on ${report.green}${acceptedText}${gaps}` };
}
