/**
 * @module Whom a readiness finding concerns: the apps it is about, or the whole pair. An app's
 * view shows its own findings and summarizes the pair-wide ones; it never lists another app's
 * SSM keys or Pod Identity associations as its own blockers. Pure.
 */
import type { Finding, ReadinessApplication } from '../contract/readiness.js';

/**
 * - `app`: about one of `applications` (its resources, the SSM keys of its namespace, the Pod
 *   Identity of its service accounts);
 * - `other-app`: about workloads none of `applications` deploys;
 * - `pair`: about the pair itself (versions, add-ons, insights, facts that could not be read).
 */
export type FindingConcern = 'app' | 'other-app' | 'pair';

const key = (namespace: string | null | undefined, name: string) => `${namespace ?? ''}/${name}`;

/** Namespaces the Applications deploy to (destination and managed resources). */
export function namespacesOf(applications: readonly ReadinessApplication[]): Set<string> {
  const out = new Set<string>();
  for (const app of applications) {
    const destination = app.spec?.destination?.namespace;
    if (destination) out.add(destination);
    for (const r of app.status?.resources ?? []) if (r.namespace) out.add(r.namespace);
  }
  return out;
}

/**
 * Whom `finding` concerns among `applications` (one app's, e.g. a family on blue and green).
 * A Pod Identity association concerns the apps that manage its service account; where an
 * Application lists no resources (Argo CD has not reported them), its destination namespace
 * stands in for them.
 *
 * @example
 * findingConcern(podIdentity('payments', 'payments-api'), webApps); // 'other-app'
 */
export function findingConcern(finding: Finding, applications: readonly ReadinessApplication[]): FindingConcern {
  if (finding.app !== null) {
    const { namespace, name } = finding.app;
    // A tracking id names an Application without its namespace when it is in Argo CD's own ("" here).
    const own = applications.some((a) => a.metadata.name === name && (namespace === '' || (a.metadata.namespace ?? '') === namespace));
    return own ? 'app' : 'other-app';
  }
  const workload = finding.workload;
  if (workload === null) return 'pair';
  if (workload.serviceAccount === null) return namespacesOf(applications).has(workload.namespace) ? 'app' : 'other-app';
  const serviceAccount = key(workload.namespace, workload.serviceAccount);
  for (const app of applications) {
    const resources = app.status?.resources ?? [];
    if (resources.length === 0) {
      if (app.spec?.destination?.namespace === workload.namespace) return 'app';
    } else if (resources.some((r) => r.kind === 'ServiceAccount' && (r.group ?? '') === '' && r.name !== undefined && key(r.namespace, r.name) === serviceAccount)) {
      return 'app';
    }
  }
  return 'other-app';
}
