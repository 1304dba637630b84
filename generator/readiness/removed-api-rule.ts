/**
 * @module Removed APIs: every resource an Application of the pair manages (its
 * `status.resources`, group/version/kind as in the manifest) in an API version that green's
 * Kubernetes minor no longer serves is a blocker: green's API server rejects the manifest, so the
 * app cannot converge there. Source: the upstream Deprecated API Migration Guide, as tabled in
 * `removed-apis.ts`.
 *
 * Why `status.resources` and not the live objects or `last-applied-configuration`: the API server
 * converts between served versions, so the live version says nothing about the manifest
 * (FairwindsOps/pluto#109), and Argo CD with server-side apply leaves no
 * `last-applied-configuration` (doitintl/kube-no-trouble#435). Argo CD records the version of the
 * manifest in `status.resources`.
 *
 * Applications of both clusters are read: blue's show what will reach green through the same
 * ApplicationSets; green's show what already fails there. Findings are per Application, so a
 * manifest deployed to both clusters is reported for each app. Resources waiting to be pruned are
 * skipped, since they are no longer in Git and never reach green.
 */
import type { Finding, ReadinessApplication } from '../contract/readiness.js';
import { apiVersionOf, insteadOf, removedIn, servedReplacement } from './removed-apis.js';
import { count, finding, versionOf, type ReadinessMember, type ReadinessPair, type RuleResult } from './pair.js';
import { formatMinor } from './versions.js';

const trimServer = (server: string) => server.trim().replace(/\/+$/, '');

/** The member an Application deploys to (by server URL, else by cluster name), if it is one of the pair. */
export function destinationMember(app: ReadinessApplication, pair: ReadinessPair): ReadinessMember | undefined {
  const dest = app.spec?.destination;
  for (const member of [pair.blue, pair.green]) {
    if (dest?.server && member.server && trimServer(dest.server) === trimServer(member.server)) return member;
  }
  for (const member of [pair.blue, pair.green]) {
    if (dest?.name && dest.name === member.name) return member;
  }
  return undefined;
}

export function removedApiRule(pair: ReadinessPair, applications: readonly ReadinessApplication[]): RuleResult {
  const target = versionOf(pair.green);
  if (!target) return { skipped: `the Kubernetes version of ${pair.green.name} is unknown` };
  const current = versionOf(pair.blue);
  const targetText = formatMinor(target);

  const findings: Finding[] = [];
  let apps = 0;
  let resources = 0;
  const sorted = [...applications].sort(
    (a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name),
  );
  for (const app of sorted) {
    const member = destinationMember(app, pair);
    if (!member) continue;
    apps += 1;
    const appId = { namespace: app.metadata.namespace ?? '', name: app.metadata.name };
    const appText = appId.namespace ? `${appId.namespace}/${appId.name}` : appId.name;
    for (const r of app.status?.resources ?? []) {
      if (!r.version || !r.kind) continue;
      resources += 1;
      if (r.requiresPruning) continue;
      const group = r.group ?? '';
      const removal = removedIn(target, group, r.version, r.kind);
      if (!removal) continue;

      const apiVersion = apiVersionOf(group, r.version);
      const name = r.name ?? '(unnamed)';
      const object = r.namespace ? `${r.kind} ${r.namespace}/${name}` : `${r.kind} ${name}`;
      const replacement = servedReplacement(removal, target, current);
      let fix: string;
      if (!replacement) {
        fix = `${insteadOf(removal, target) ?? 'no API replaces it: remove it from the manifests'}.`;
      } else if (replacement.servedByCurrent === false && current) {
        fix = `Move the manifest to ${replacement.apiVersion} (served since ${replacement.since}); ${pair.blue.name} on ${formatMinor(current)} does not serve it yet, so render the apiVersion per cluster from greenlight's kubernetes.minor parameter until ${pair.blue.name} is gone.`;
      } else if (replacement.servedByCurrent === true && current) {
        fix = `Move the manifest to ${replacement.apiVersion} (served since ${replacement.since}, so ${pair.blue.name} on ${formatMinor(current)} accepts it too).`;
      } else {
        fix = `Move the manifest to ${replacement.apiVersion}.`;
      }
      findings.push(
        finding(
          'removed-api',
          'blocker',
          `${appText}: ${apiVersion} ${object}`,
          `Application ${appText} (on ${member.name}) manages ${object} as ${apiVersion}, which Kubernetes ${removal.removedIn} stopped serving; ${pair.green.name} runs ${targetText} and rejects it. ${fix}`,
          {
            cluster: member.name,
            app: appId,
            resource: { group, version: r.version, kind: r.kind, namespace: r.namespace ?? null, name },
            reference: removal.reference,
          },
        ),
      );
    }
  }
  return {
    findings,
    detail: `${count(resources, 'resource')} of ${count(apps, 'Application')} on ${pair.blue.name} and ${pair.green.name} checked against Kubernetes ${targetText}`,
  };
}
