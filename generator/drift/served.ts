/**
 * @module A pair's drift audit as one Application's viewer is shown it (the facts answer's
 * `drift`), reduced like the readiness verdict: the pair's counts, the findings that concern the
 * viewed family and the pair-wide ones in full (up to a bound), other apps' counted by namespace
 * and kind. Pure.
 */
import type { DriftFinding, DriftReport } from '../contract/drift.js';
import { MAX_SERVED_DRIFT_FINDINGS, type DriftTally, type ServedDrift } from '../contract/facts-api.js';
import type { ReadinessApplication } from '../contract/readiness.js';
import { namespacesOf, type FindingConcern } from '../readiness/concerns.js';

/** How an Application may be named in a tracking id or an instance label: "name", or "namespace_name" (apps in any namespace). */
const trackingNames = (apps: readonly ReadinessApplication[]): Set<string> => {
  const out = new Set<string>();
  for (const a of apps) {
    out.add(a.metadata.name);
    if (a.metadata.namespace) out.add(`${a.metadata.namespace}_${a.metadata.name}`);
  }
  return out;
};

/**
 * Whom a drift finding concerns:
 * - `app`: an object one of `concerning` tracks or uses, or one in a namespace they deploy to;
 * - `other-app`: another listed Application's object, or one in a namespace only other apps deploy to;
 * - `pair`: a cluster-scoped object, or one in a namespace no Application deploys to (the platform's).
 */
export function driftConcern(
  finding: Pick<DriftFinding, 'app' | 'namespace'>,
  context: { readonly ownNamespaces: ReadonlySet<string>; readonly allNamespaces: ReadonlySet<string>; readonly ownNames: ReadonlySet<string>; readonly allNames: ReadonlySet<string> },
): FindingConcern {
  // An Application that is not listed (deleted, or another Argo CD's) says nothing: its namespace decides.
  if (finding.app !== null && context.ownNames.has(finding.app)) return 'app';
  if (finding.app !== null && context.allNames.has(finding.app)) return 'other-app';
  if (finding.namespace === null) return 'pair';
  if (context.ownNamespaces.has(finding.namespace)) return 'app';
  return context.allNamespaces.has(finding.namespace) ? 'other-app' : 'pair';
}

/**
 * The report reduced for a viewer whose own Applications are `concerning`, among every
 * Application `applications` (which say which namespaces belong to apps); `at` is when the audit
 * finished.
 */
export function servedDrift(report: DriftReport, concerning: readonly ReadinessApplication[], applications: readonly ReadinessApplication[], at: string): ServedDrift {
  const context = { ownNamespaces: namespacesOf(concerning), allNamespaces: namespacesOf(applications), ownNames: trackingNames(concerning), allNames: trackingNames(applications) };
  const app: DriftFinding[] = [];
  const pairWide: DriftFinding[] = [];
  const tallies = new Map<string, DriftTally>();
  for (const f of report.findings) {
    const concern = driftConcern(f, context);
    if (concern === 'app') app.push(f);
    else if (concern === 'pair') pairWide.push(f);
    else {
      const namespace = f.namespace ?? '';
      const key = `${namespace}\u0000${f.kind}`;
      const tally = tallies.get(key) ?? { namespace, kind: f.kind, count: 0 };
      tally.count += 1;
      tallies.set(key, tally);
    }
  }
  const open = report.findings.filter((f) => !f.accepted);
  const count = (cls: DriftFinding['class']) => open.filter((f) => f.class === cls).length;
  return {
    state: 'audited',
    at,
    pair: report.pair,
    blue: report.blue,
    green: report.green,
    counts: {
      unmanaged: count('unmanaged'),
      hotfix: count('hotfix'),
      stateful: count('stateful'),
      accepted: report.findings.length - open.length,
      missingOnGreen: open.filter((f) => f.missingOnGreen).length,
    },
    app: app.slice(0, MAX_SERVED_DRIFT_FINDINGS),
    pairWide: pairWide.slice(0, MAX_SERVED_DRIFT_FINDINGS),
    otherApps: [...tallies.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind)).slice(0, MAX_SERVED_DRIFT_FINDINGS),
    omitted: { app: Math.max(0, app.length - MAX_SERVED_DRIFT_FINDINGS), pairWide: Math.max(0, pairWide.length - MAX_SERVED_DRIFT_FINDINGS) },
    gaps: report.gaps,
    scans: report.scans,
  };
}
