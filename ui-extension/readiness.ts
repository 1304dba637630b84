/**
 * @module Upgrade readiness as the UI shows it, computed in the browser with the pure rules of
 * `generator/readiness/`. Per app: the pair's verdict from greenlight's facts answer and the
 * family's Applications, narrowed to what concerns the app. On the fleet page, which cannot reach
 * the facts (a system-level page has no Application for the proxy's headers, argo-cd#25613): what
 * Applications and Argo CD's cluster versions alone show, removed APIs and version skew. Pure.
 */
import type { ClusterFacts } from '../generator/contract/cluster-facts.js';
import type { Finding, ReadinessCheckName, ReadinessVerdict } from '../generator/contract/readiness.js';
import type { ArgoApplication, ArgoCluster, FactsResponse, PairMember } from '../generator/contract/ui-api.js';
import { clusterInfoOf, type ClusterInfo } from '../generator/parity.js';
import { findingConcern } from '../generator/readiness/concerns.js';
import type { ReadinessPair } from '../generator/readiness/pair.js';
import { removedApiRule } from '../generator/readiness/removed-api-rule.js';
import { readinessVerdict, type ReadinessMemberInput } from '../generator/readiness/verdict.js';
import { versionSkewRule } from '../generator/readiness/version-skew-rule.js';
import { formatMinor, parseMinor, type KubeMinor } from '../generator/readiness/versions.js';

/** Checks whose input (EKS add-on compatibility, EKS insights) the browser cannot have: `greenlight readiness` runs them. */
export const CHECKS_NOT_IN_BROWSER: readonly ReadinessCheckName[] = ['addon-support', 'eks-insights', 'drift'];

/** The command that runs every check for a pair, for the UI to name. */
export const readinessCommand = (pair: string): string => `greenlight readiness --pair ${pair}`;

const byName = (a: { readonly name: string }, b: { readonly name: string }) => a.name.localeCompare(b.name);

// ---------------------------------------------------------------------------------------------
// Per app
// ---------------------------------------------------------------------------------------------

/** Findings of one kind of concern, by severity. */
export interface FindingGroup {
  readonly blockers: readonly Finding[];
  readonly warnings: readonly Finding[];
}

/**
 * The verdict on one blue → green step, split by whom each finding concerns
 * (`generator/readiness/concerns.ts`): the app, the whole pair, or other apps. The three add up
 * to the pair's verdict, so the counts agree with the pair's own.
 */
export interface AppVerdict {
  /** The verdict as the rules gave it, every check and every app included. */
  readonly verdict: ReadinessVerdict;
  /** About the app: its Applications' resources, the SSM keys of its namespaces, its service accounts' Pod Identity. */
  readonly blockers: readonly Finding[];
  readonly warnings: readonly Finding[];
  /** About the pair itself (versions, add-ons, facts that could not be read): they hold every app. */
  readonly pairWide: FindingGroup;
  /** About workloads of other apps: counted, listed in their own views. */
  readonly otherApps: { readonly blockers: number; readonly warnings: number };
  /** No blocker concerns the app or the whole pair. */
  readonly ready: boolean;
}

export type AppReadiness =
  | { readonly kind: 'no-pair'; readonly cluster: string }
  | { readonly kind: 'incomplete-pair'; readonly pair: string; readonly missing: string; readonly members: readonly string[] }
  | { readonly kind: 'verdicts'; readonly pair: string; readonly verdicts: readonly AppVerdict[] };

function memberInput(member: PairMember): ReadinessMemberInput {
  return { name: member.name, server: member.server, facts: member.facts ?? undefined, factsError: member.error?.message };
}

/**
 * The readiness of the app's pair from greenlight's facts answer (`GET /api/v1/facts`) and the
 * Applications to judge (the family's, with `status.resources`): one verdict per green cluster of
 * the pair, against its blue, its findings split into those that concern `concerning` (default:
 * all of `applications`), the pair-wide ones and other apps'. Add-on compatibility and EKS
 * insights are not passed (the browser has neither), so those checks read as skipped.
 */
export function appReadiness(
  facts: FactsResponse,
  applications: readonly ArgoApplication[],
  concerning: readonly { readonly metadata: { readonly namespace?: string | undefined; readonly name: string } }[] = applications,
): AppReadiness {
  if (facts.pair === null) return { kind: 'no-pair', cluster: facts.cluster };
  const blue = facts.members.filter((m) => m.role === 'blue').sort(byName)[0];
  const greens = facts.members.filter((m) => m.role === 'green').sort(byName);
  if (!blue || greens.length === 0) {
    const missing = !blue && greens.length === 0 ? 'blue or green' : !blue ? 'blue' : 'green';
    return { kind: 'incomplete-pair', pair: facts.pair, missing, members: facts.members.map((m) => m.name) };
  }
  const pair = facts.pair;
  const verdicts = greens.map((green): AppVerdict => {
    const verdict = readinessVerdict({ pair, blue: memberInput(blue), green: memberInput(green), applications });
    const split = (findings: readonly Finding[]) => {
      const by = { app: [] as Finding[], pair: [] as Finding[], 'other-app': [] as Finding[] };
      for (const f of findings) by[findingConcern(f, concerning)].push(f);
      return by;
    };
    const blockers = split(verdict.blockers);
    const warnings = split(verdict.warnings);
    return {
      verdict,
      blockers: blockers.app,
      warnings: warnings.app,
      pairWide: { blockers: blockers.pair, warnings: warnings.pair },
      otherApps: { blockers: blockers['other-app'].length, warnings: warnings['other-app'].length },
      ready: blockers.app.length === 0 && blockers.pair.length === 0,
    };
  });
  return { kind: 'verdicts', pair, verdicts };
}

// ---------------------------------------------------------------------------------------------
// Fleet page
// ---------------------------------------------------------------------------------------------

/** One blue → green step of a pair, judged from Applications and Argo CD's cluster versions only. */
export type FleetPairReadiness =
  | { readonly kind: 'incomplete-pair'; readonly pair: string; readonly missing: string }
  | { readonly kind: 'versions-unknown'; readonly pair: string; readonly blue: string; readonly green: string; readonly unknown: readonly string[] }
  | {
      readonly kind: 'checked';
      readonly pair: string;
      readonly blue: string;
      readonly green: string;
      readonly blueVersion: string | null;
      readonly greenVersion: string;
      readonly blockers: readonly Finding[];
      readonly warnings: readonly Finding[];
      /** What was compared: resources and Applications, the versions. */
      readonly detail: string;
    };

/** The Kubernetes version Argo CD last read from a cluster (`info.serverVersion`, EKS: "1.32+"). */
export function argoServerVersion(cluster: ArgoCluster): KubeMinor | undefined {
  return parseMinor(cluster.info?.serverVersion || cluster.serverVersion);
}

/** Facts that say only what Argo CD knows: the Kubernetes version. */
function versionFacts(v: KubeMinor): ClusterFacts {
  return { kubernetes: { gitVersion: `v${formatMinor(v)}`, major: String(v.major), minor: String(v.minor), storageClasses: [], ingressClasses: [], apiVersions: [] } };
}

const trimServer = (server: string) => server.trim().replace(/\/+$/, '');

/**
 * Per pair and green cluster, what the fleet page can judge without greenlight's facts: removed
 * APIs in the Applications that deploy to the pair (needs green's version from Argo CD) and
 * version skew (needs both versions). Applications are split by pair once, so the cost is linear
 * in Applications and resources; the caller memoizes the result per load.
 */
export function fleetReadiness(applications: readonly ArgoApplication[], clusters: readonly ArgoCluster[]): FleetPairReadiness[] {
  const infos = clusters.map((c) => ({ cluster: c, info: clusterInfoOf(c) }));
  const byPair = new Map<string, { cluster: ArgoCluster; info: ClusterInfo }[]>();
  for (const entry of infos) {
    if (entry.info.pair === undefined) continue;
    byPair.set(entry.info.pair, [...(byPair.get(entry.info.pair) ?? []), entry]);
  }
  const pairOfServer = new Map<string, string>();
  const pairOfName = new Map<string, string>();
  for (const { info } of infos) {
    if (info.pair === undefined) continue;
    pairOfServer.set(trimServer(info.server), info.pair);
    pairOfName.set(info.name, info.pair);
  }
  const appsOfPair = new Map<string, ArgoApplication[]>();
  for (const app of applications) {
    const dest = app.spec?.destination;
    const pair = (dest?.server ? pairOfServer.get(trimServer(dest.server)) : undefined) ?? (dest?.name ? pairOfName.get(dest.name) : undefined);
    if (pair === undefined) continue;
    const list = appsOfPair.get(pair) ?? [];
    list.push(app);
    appsOfPair.set(pair, list);
  }

  const out: FleetPairReadiness[] = [];
  for (const pair of [...byPair.keys()].sort()) {
    const members = byPair.get(pair) ?? [];
    const blue = members.filter((m) => m.info.role === 'blue').sort((a, b) => byName(a.info, b.info))[0];
    const greens = members.filter((m) => m.info.role === 'green').sort((a, b) => byName(a.info, b.info));
    if (!blue || greens.length === 0) {
      out.push({ kind: 'incomplete-pair', pair, missing: !blue && greens.length === 0 ? 'blue or green' : !blue ? 'blue' : 'green' });
      continue;
    }
    const blueVersion = argoServerVersion(blue.cluster);
    for (const green of greens) {
      const greenVersion = argoServerVersion(green.cluster);
      if (!greenVersion) {
        out.push({ kind: 'versions-unknown', pair, blue: blue.info.name, green: green.info.name, unknown: [...(blueVersion ? [] : [blue.info.name]), green.info.name] });
        continue;
      }
      const readinessPair: ReadinessPair = {
        pair,
        blue: { name: blue.info.name, server: blue.info.server, facts: blueVersion ? versionFacts(blueVersion) : {} },
        green: { name: green.info.name, server: green.info.server, facts: versionFacts(greenVersion) },
      };
      const findings: Finding[] = [];
      const details: string[] = [];
      for (const result of [blueVersion ? versionSkewRule(readinessPair) : undefined, removedApiRule(readinessPair, appsOfPair.get(pair) ?? [])]) {
        if (!result) continue;
        if ('skipped' in result) details.push(result.skipped);
        else {
          findings.push(...result.findings);
          details.push(result.detail);
        }
      }
      out.push({
        kind: 'checked',
        pair,
        blue: blue.info.name,
        green: green.info.name,
        blueVersion: blueVersion ? formatMinor(blueVersion) : null,
        greenVersion: formatMinor(greenVersion),
        blockers: findings.filter((f) => f.severity === 'blocker'),
        warnings: findings.filter((f) => f.severity === 'warning'),
        detail: details.join('; '),
      });
    }
  }
  return out;
}
