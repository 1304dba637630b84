/**
 * @module EKS upgrade insights (`ListInsights`, category UPGRADE_READINESS) mapped to findings.
 * EKS checks each cluster against the Kubernetes versions after its own: ERROR usually marks an
 * issue for the next minor (N+1), WARNING one for N+2 or later, UNKNOWN a check EKS could not
 * decide, PASSING nothing found
 * (https://docs.aws.amazon.com/eks/latest/userguide/view-cluster-insights.html; statuses and
 * fields: https://docs.aws.amazon.com/eks/latest/APIReference/API_Insight.html).
 *
 * In a blue/green upgrade the workloads jump from blue's version to green's at once, so:
 * - blue's insights for a version after blue's and up to green's concern this move: ERROR and
 *   WARNING are blockers (EKS's N+1/N+2 split measures distance from blue, not whether green
 *   is affected), UNKNOWN a warning;
 * - green's insights for green's own version or earlier (or for no version): ERROR is a blocker,
 *   WARNING and UNKNOWN warnings;
 * - insights for versions after green's concern a later upgrade and are left out, as are
 *   other categories and PASSING insights.
 */
import type { EksInsight, Finding, PairInsights } from '../contract/readiness.js';
import { eksNameOf, finding, versionOf, type ReadinessMember, type ReadinessPair, type RuleResult } from './pair.js';
import { compareMinor, formatMinor, parseMinor } from './versions.js';

const INSIGHTS_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/view-cluster-insights.html';

function insightFinding(member: ReadinessMember, insight: EksInsight, severity: 'blocker' | 'warning', about: string): Finding {
  const reason = insight.insightStatus.reason?.trim();
  const recommendation = insight.recommendation?.trim();
  const parts = [
    `EKS upgrade insight "${insight.name}" is ${insight.insightStatus.status} on ${member.name}${about}${reason ? `: ${reason.replace(/\.$/, '')}` : ''}.`,
    ...(recommendation ? [recommendation.endsWith('.') ? recommendation : `${recommendation}.`] : []),
    `Details: aws eks describe-insight --cluster-name ${eksNameOf(member)} --id ${insight.id}.`,
  ];
  return finding('eks-insight', severity, `insight:${member.name}/${insight.id}`, parts.join(' '), { cluster: member.name, reference: INSIGHTS_DOC });
}

export function insightRule(pair: ReadinessPair, insights: PairInsights | undefined): RuleResult {
  const { blue, green } = pair;
  if (!insights || (insights.blue === undefined && insights.green === undefined)) {
    return { skipped: 'no EKS upgrade insights were supplied (ListInsights)' };
  }
  const b = versionOf(blue);
  const g = versionOf(green);
  if (!b || !g) return { skipped: 'the Kubernetes version of a cluster is unknown' };
  const greenText = formatMinor(g);

  const findings: Finding[] = [];
  let considered = 0;
  const upgrade = (list: readonly EksInsight[] | undefined) =>
    [...(list ?? [])].filter((i) => i.category === 'UPGRADE_READINESS').sort((x, y) => x.name.localeCompare(y.name) || x.id.localeCompare(y.id));

  for (const insight of upgrade(insights.blue)) {
    const v = parseMinor(insight.kubernetesVersion);
    const status = insight.insightStatus.status;
    if (v && (compareMinor(v, b) <= 0 || compareMinor(v, g) > 0)) continue;
    considered += 1;
    if (status === 'PASSING') continue;
    const about = v ? ` for Kubernetes ${formatMinor(v)}${compareMinor(v, g) === 0 ? `, the version ${green.name} runs` : `, which the move to ${green.name} (${greenText}) crosses`}` : '';
    const severity = v ? (status === 'UNKNOWN' ? 'warning' : 'blocker') : status === 'ERROR' ? 'blocker' : 'warning';
    findings.push(insightFinding(blue, insight, severity, about));
  }
  for (const insight of upgrade(insights.green)) {
    const v = parseMinor(insight.kubernetesVersion);
    const status = insight.insightStatus.status;
    if (v && compareMinor(v, g) > 0) continue;
    considered += 1;
    if (status === 'PASSING') continue;
    findings.push(insightFinding(green, insight, status === 'ERROR' ? 'blocker' : 'warning', v ? ` for Kubernetes ${formatMinor(v)}` : ''));
  }
  return { findings, detail: `upgrade insights of ${blue.name} and ${green.name} that concern the move to ${greenText}: ${considered}` };
}
