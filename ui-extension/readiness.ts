/**
 * @module Upgrade readiness as the UI shows it: the verdict greenlight's service made for the
 * pair (the same evaluation as `greenlight readiness` and the `greenlight_readiness_*` gauges,
 * served in the facts answer), never one of the browser's own, so every place shows the same
 * counts. An app's view shows the findings about its family and the pair-wide ones; the fleet page
 * reads each pair's verdict through one Application of the pair the user may see (a system-level
 * page has no Application of its own for the proxy's headers, argo-cd#25613). Pure.
 */
import type { FactsResponse, ServedReadiness } from '../generator/contract/facts-api.js';
import type { ArgoApplication, ArgoCluster } from '../generator/contract/ui-api.js';
import { clusterInfoOf } from '../generator/parity.js';
import type { AppDrift, AppGate } from './drift-gate.js';

/** The command that prints a pair's whole verdict, for the UI to name. */
export const readinessCommand = (pair: string): string => `greenlight readiness --pair ${pair}`;

/** The service's verdict on a pair, as served. */
export type JudgedReadiness = Extract<ServedReadiness, { state: 'judged' }>;

// ---------------------------------------------------------------------------------------------
// Per app
// ---------------------------------------------------------------------------------------------

export type AppReadiness =
  | { readonly kind: 'no-pair'; readonly cluster: string }
  | { readonly kind: 'unavailable'; readonly pair: string; readonly reason: string }
  | {
      readonly kind: 'judged';
      readonly served: JudgedReadiness;
      /** No blocker about the app's family or the whole pair (other apps' blockers do not hold it). */
      readonly ready: boolean;
    };

/** The app's readiness from greenlight's facts answer (`GET /api/v1/facts`). */
export function appReadiness(facts: FactsResponse): AppReadiness {
  if (facts.pair === null) return { kind: 'no-pair', cluster: facts.cluster };
  const served = facts.readiness;
  if (served === undefined || served === null) {
    return { kind: 'unavailable', pair: facts.pair, reason: `this greenlight service serves no readiness verdict (it is older than this UI extension): upgrade it, or run "${readinessCommand(facts.pair)}"` };
  }
  if (served.state === 'unavailable') return { kind: 'unavailable', pair: facts.pair, reason: served.reason };
  return { kind: 'judged', served, ready: served.app.blockers.length === 0 && served.pairWide.blockers.length === 0 };
}

// ---------------------------------------------------------------------------------------------
// Fleet page
// ---------------------------------------------------------------------------------------------

/** An Application as the proxy names it. */
export interface ProxiedApp {
  readonly namespace: string;
  readonly name: string;
  readonly project: string;
}

/** Each pair of the fleet page, and how its verdict can be asked for. */
export type FleetPairPlan =
  | { readonly kind: 'incomplete-pair'; readonly pair: string; readonly missing: string }
  /** No Application the user may see deploys to the pair: the proxy has nothing to ask through. */
  | { readonly kind: 'no-app'; readonly pair: string }
  | { readonly kind: 'ask'; readonly pair: string; readonly via: ProxiedApp };

/**
 * What the same facts answer says of the pair's drift audit and traffic gate. The drift served
 * for `via` has its family's findings in full and other apps' counted.
 */
export interface FleetPairAudit {
  readonly via: ProxiedApp;
  readonly drift: AppDrift;
  readonly gate: AppGate;
}

/** A pair's line on the fleet page; `audit` when greenlight answered (one request per pair gives all three). */
export type FleetPairReadiness =
  | Exclude<FleetPairPlan, { kind: 'ask' }>
  | { readonly kind: 'loading'; readonly pair: string }
  | { readonly kind: 'unavailable'; readonly pair: string; readonly reason: string; readonly audit?: FleetPairAudit }
  | { readonly kind: 'judged'; readonly pair: string; readonly served: JudgedReadiness; readonly audit?: FleetPairAudit };

const trimServer = (server: string) => server.trim().replace(/\/+$/, '');

/**
 * Per pair (from the clusters' labels), the Application to ask the pair's verdict through: the
 * first by namespace and name of those deploying to one of its clusters. Linear in Applications.
 */
export function fleetReadinessPlan(applications: readonly ArgoApplication[], clusters: readonly ArgoCluster[]): FleetPairPlan[] {
  const pairOfServer = new Map<string, string>();
  const pairOfName = new Map<string, string>();
  const roles = new Map<string, Set<string>>();
  for (const cluster of clusters) {
    const info = clusterInfoOf(cluster);
    if (info.pair === undefined) continue;
    pairOfServer.set(trimServer(info.server), info.pair);
    pairOfName.set(info.name, info.pair);
    const set = roles.get(info.pair) ?? new Set<string>();
    if (info.role !== undefined) set.add(info.role);
    roles.set(info.pair, set);
  }
  const via = new Map<string, ProxiedApp>();
  const key = (a: ProxiedApp) => `${a.namespace}/${a.name}`;
  for (const app of applications) {
    const dest = app.spec?.destination;
    const pair = (dest?.server ? pairOfServer.get(trimServer(dest.server)) : undefined) ?? (dest?.name ? pairOfName.get(dest.name) : undefined);
    if (pair === undefined) continue;
    const candidate = { namespace: app.metadata.namespace ?? '', name: app.metadata.name, project: app.spec?.project || 'default' };
    const current = via.get(pair);
    if (!current || key(candidate) < key(current)) via.set(pair, candidate);
  }
  return [...roles.keys()].sort().map((pair): FleetPairPlan => {
    const has = roles.get(pair) ?? new Set<string>();
    if (!has.has('blue') || !has.has('green')) {
      return { kind: 'incomplete-pair', pair, missing: !has.has('blue') && !has.has('green') ? 'blue or green' : !has.has('blue') ? 'blue' : 'green' };
    }
    const app = via.get(pair);
    return app ? { kind: 'ask', pair, via: app } : { kind: 'no-app', pair };
  });
}
