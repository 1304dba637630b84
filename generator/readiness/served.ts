/**
 * @module A pair's verdict as one Application's viewer is shown it (the facts answer's
 * `readiness`): the pair's counts, which are the CLI's and the gauges', the findings about the
 * app's family and the pair-wide ones in full, other apps' findings counted only. Pure.
 */
import type { ServedReadiness } from '../contract/facts-api.js';
import type { Finding, ReadinessApplication, ReadinessVerdict } from '../contract/readiness.js';
import type { ArgoApplication } from '../contract/ui-api.js';
import { familyOf, ownerIndexOf } from '../parity.js';
import { findingConcern } from './concerns.js';

const same = (a: { readonly metadata: { readonly namespace?: string | null | undefined; readonly name: string } }, namespace: string, name: string) =>
  a.metadata.name === name && (a.metadata.namespace ?? '') === namespace;

/**
 * The Applications whose findings are the viewer's own: the family of the Application
 * `namespace/name` among `applications` (same `greenlight.io/app` label, or same ApplicationSet
 * and source), or that Application alone when it has no family; none when it is not listed.
 */
export function familyApplications<A extends ArgoApplication & ReadinessApplication>(applications: readonly A[], namespace: string, name: string): A[] {
  const self = applications.find((a) => same(a, namespace, name));
  if (!self) return [];
  const owners = ownerIndexOf(applications);
  const id = familyOf(self, owners);
  if (!id) return [self];
  return applications.filter((a) => familyOf(a, owners)?.key === id.key);
}

/** The verdict reduced for a viewer whose own Applications are `concerning`; `at` is when it was made. */
export function servedReadiness(verdict: ReadinessVerdict, concerning: readonly ReadinessApplication[], at: string): ServedReadiness {
  const split = (findings: readonly Finding[]) => {
    const by = { app: [] as Finding[], pair: [] as Finding[], 'other-app': [] as Finding[] };
    for (const f of findings) by[findingConcern(f, concerning)].push(f);
    return by;
  };
  const blockers = split(verdict.blockers);
  const warnings = split(verdict.warnings);
  return {
    state: 'judged',
    at,
    pair: verdict.pair,
    blue: verdict.blue,
    green: verdict.green,
    blueVersion: verdict.blueVersion,
    greenVersion: verdict.greenVersion,
    ready: verdict.ready,
    counts: { blockers: verdict.blockers.length, warnings: verdict.warnings.length },
    app: { blockers: blockers.app, warnings: warnings.app },
    pairWide: { blockers: blockers.pair, warnings: warnings.pair },
    otherApps: { blockers: blockers['other-app'].length, warnings: warnings['other-app'].length },
    checks: verdict.checks,
  };
}
