/**
 * @module Version skew between the pair's clusters. Green replaces blue, so it should run the
 * same Kubernetes minor version (a rebuild) or a newer one (an upgrade):
 *
 * - either version unknown: blocker (`facts-missing`), since no version rule can run;
 * - green older than blue: blocker, moving traffic would downgrade every workload;
 * - green the same as blue, or one minor newer: nothing (the normal blue/green upgrade);
 * - green more than one minor newer: warning, the removals and default changes of every minor in
 *   between arrive at once (EKS itself upgrades in place one minor at a time:
 *   https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html).
 */
import type { Finding } from '../contract/readiness.js';
import { DEPRECATION_GUIDE_URL } from './removed-apis.js';
import { finding, versionOf, type ReadinessPair, type RuleResult } from './pair.js';
import { compareMinor, formatMinor } from './versions.js';

export function versionSkewRule(pair: ReadinessPair): RuleResult {
  const { blue, green } = pair;
  const b = versionOf(blue);
  const g = versionOf(green);
  const findings: Finding[] = [];
  for (const [member, version] of [[blue, b], [green, g]] as const) {
    if (version) continue;
    findings.push(
      finding(
        'facts-missing',
        'blocker',
        `facts:${member.name}:kubernetes`,
        `greenlight knows no Kubernetes version for ${member.name} (neither its own API nor EKS DescribeCluster answered), so it cannot check version skew or removed APIs. Enable the kubernetes or eks fact source for ${member.name} and check again.`,
        { cluster: member.name },
      ),
    );
  }
  if (!b || !g) return { findings, detail: 'the Kubernetes version of a cluster is unknown' };

  const detail = `${green.name} runs ${formatMinor(g)}, ${blue.name} runs ${formatMinor(b)}`;
  const order = compareMinor(g, b);
  if (order < 0) {
    findings.push(
      finding(
        'version-skew',
        'blocker',
        'kubernetes.minor',
        `${green.name} runs Kubernetes ${formatMinor(g)}, older than ${blue.name}'s ${formatMinor(b)}: moving traffic to it would downgrade every workload. Rebuild ${green.name} at ${formatMinor(b)} or newer, or fix the pair's greenlight.io/role labels if the roles are swapped.`,
        { cluster: green.name },
      ),
    );
  } else if (g.major !== b.major || g.minor - b.minor > 1) {
    const between =
      g.major === b.major ? Array.from({ length: g.minor - b.minor }, (_, i) => `${g.major}.${b.minor + i + 1}`).join(', ') : `${formatMinor(b)} to ${formatMinor(g)}`;
    const span = g.major === b.major ? `${g.minor - b.minor} minor versions newer than` : 'a major version newer than';
    findings.push(
      finding(
        'version-skew',
        'warning',
        'kubernetes.minor',
        `${green.name} runs Kubernetes ${formatMinor(g)}, ${span} ${blue.name}'s ${formatMinor(b)}: the API removals and default changes of ${between} all apply at once. Read each version's changes before the first weight step; rollback is moving the weight back to ${blue.name}.`,
        { cluster: green.name, reference: DEPRECATION_GUIDE_URL },
      ),
    );
  }
  return { findings, detail };
}
