import { describe, expect, it } from 'vitest';
import { insightRule } from '../../../../generator/index.js';
import { eksFactsFor } from '../../../support/builders.js';
import { loadInput, pairOf } from './fixtures.js';

const INSIGHTS_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/view-cluster-insights.html';

describe('insightRule: EKS upgrade insights (ListInsights, fixture eks-insights.json)', () => {
  it("keeps blue's insights for the versions the move crosses and green's for its own version, by name; leaves out PASSING, later versions and other categories", () => {
    const input = loadInput('eks-insights.json');
    expect(insightRule(pairOf(input), input.insights)).toStrictEqual({
      detail: 'upgrade insights of prod-eu-blue and prod-eu-green that concern the move to 1.32: 4',
      findings: [
        {
          kind: 'eks-insight',
          severity: 'warning',
          subject: 'insight:prod-eu-blue/11111111-aaaa-4bbb-8ccc-000000000003',
          message:
            'EKS upgrade insight "Cluster health issues" is UNKNOWN on prod-eu-blue for Kubernetes 1.32, the version prod-eu-green runs: Unable to determine status. Details: aws eks describe-insight --cluster-name prod-eu-blue --id 11111111-aaaa-4bbb-8ccc-000000000003.',
          cluster: 'prod-eu-blue',
          app: null,
          resource: null,
          reference: INSIGHTS_DOC,
          workload: null,
        },
        {
          kind: 'eks-insight',
          severity: 'blocker',
          subject: 'insight:prod-eu-blue/11111111-aaaa-4bbb-8ccc-000000000001',
          message:
            'EKS upgrade insight "Deprecated APIs removed in Kubernetes v1.32" is ERROR on prod-eu-blue for Kubernetes 1.32, the version prod-eu-green runs: Deprecated API usage detected within last 30 days. Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.32. Details: aws eks describe-insight --cluster-name prod-eu-blue --id 11111111-aaaa-4bbb-8ccc-000000000001.',
          cluster: 'prod-eu-blue',
          app: null,
          resource: null,
          reference: INSIGHTS_DOC,
          workload: null,
        },
        {
          kind: 'eks-insight',
          severity: 'warning',
          subject: 'insight:prod-eu-green/22222222-aaaa-4bbb-8ccc-000000000002',
          message:
            'EKS upgrade insight "kube-proxy version skew" is WARNING on prod-eu-green for Kubernetes 1.32: kube-proxy on some nodes is older than the control plane. Details: aws eks describe-insight --cluster-name prod-eu-green --id 22222222-aaaa-4bbb-8ccc-000000000002.',
          cluster: 'prod-eu-green',
          app: null,
          resource: null,
          reference: INSIGHTS_DOC,
          workload: null,
        },
      ],
    });
  });

  it('treats a WARNING on blue for a version the move crosses as a blocker (EKS says WARNING for N+2, but green runs it now)', () => {
    const input = loadInput('eks-insights.json');
    const pair = pairOf(input);
    const blueAt130 = { ...pair, blue: { ...pair.blue, facts: { eks: eksFactsFor('prod-eu-blue', '1.30') } } };
    const insights = {
      blue: [
        { id: 'i-131', name: 'Deprecated APIs removed in Kubernetes v1.31', category: 'UPGRADE_READINESS', kubernetesVersion: '1.31', insightStatus: { status: 'ERROR' as const } },
        { id: 'i-132', name: 'Deprecated APIs removed in Kubernetes v1.32', category: 'UPGRADE_READINESS', kubernetesVersion: '1.32', insightStatus: { status: 'WARNING' as const } },
      ],
    };
    const result = insightRule(blueAt130, insights);
    expect('findings' in result && result.findings.map((f) => [f.severity, f.message])).toStrictEqual([
      [
        'blocker',
        'EKS upgrade insight "Deprecated APIs removed in Kubernetes v1.31" is ERROR on prod-eu-blue for Kubernetes 1.31, which the move to prod-eu-green (1.32) crosses. Details: aws eks describe-insight --cluster-name prod-eu-blue --id i-131.',
      ],
      [
        'blocker',
        'EKS upgrade insight "Deprecated APIs removed in Kubernetes v1.32" is WARNING on prod-eu-blue for Kubernetes 1.32, the version prod-eu-green runs. Details: aws eks describe-insight --cluster-name prod-eu-blue --id i-132.',
      ],
    ]);
  });

  it('is skipped without insights', () => {
    const pair = pairOf(loadInput('eks-insights.json'));
    expect(insightRule(pair, undefined)).toStrictEqual({ skipped: 'no EKS upgrade insights were supplied (ListInsights)' });
    expect(insightRule(pair, {})).toStrictEqual({ skipped: 'no EKS upgrade insights were supplied (ListInsights)' });
  });
});
