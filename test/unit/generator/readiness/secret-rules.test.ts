import { describe, expect, it } from 'vitest';
import { podIdentityRule, ssmRule } from '../../../../generator/index.js';
import { loadInput, pairOf } from './fixtures.js';

describe('ssmRule: SSM keys under blue\'s prefix missing under green\'s (fixture ssm-missing.json)', () => {
  it('compares names relative to each prefix and reports each key only blue has, with the path to create', () => {
    expect(ssmRule(pairOf(loadInput('ssm-missing.json')))).toStrictEqual({
      detail: '4 parameters under /greenlight/prod-eu-blue/ compared with 3 parameters under /greenlight/prod-eu-green/',
      findings: ['payments/stripe-api-key', 'shared/datadog-api-key'].map((key) => ({
        kind: 'ssm-missing',
        severity: 'blocker',
        subject: `ssm:${key}`,
        message: `SSM parameter ${key} exists for prod-eu-blue (/greenlight/prod-eu-blue/${key}) but not for prod-eu-green: apps that read it on prod-eu-green find nothing. Create /greenlight/prod-eu-green/${key} with the value prod-eu-green should use (often the same as prod-eu-blue's).`,
        cluster: 'prod-eu-green',
        app: null,
        resource: null,
        reference: null,
        // The key's first segment names the namespace whose apps read it.
        workload: { namespace: key.slice(0, key.indexOf('/')), serviceAccount: null },
      })),
    });
  });

  it('finds nothing when green has every key (and more)', () => {
    const pair = pairOf(loadInput('ssm-missing.json'));
    const green = { prefix: '/greenlight/prod-eu-green/', names: ['payments/db-password', 'payments/stripe-api-key', 'checkout/redis-url', 'shared/datadog-api-key', 'extra/key'].map((k) => `/greenlight/prod-eu-green/${k}`) };
    expect(ssmRule({ ...pair, green: { ...pair.green, facts: { ...pair.green.facts, secrets: green } } })).toStrictEqual({
      detail: '4 parameters under /greenlight/prod-eu-blue/ compared with 5 parameters under /greenlight/prod-eu-green/',
      findings: [],
    });
  });

  it("blocks when only one cluster has SSM facts (whichever), and is skipped when neither has", () => {
    const pair = pairOf(loadInput('ssm-missing.json'));
    const { secrets: _g, ...greenFacts } = pair.green.facts;
    const { secrets: _b, ...blueFacts } = pair.blue.facts;
    const missing = ssmRule({ ...pair, blue: { ...pair.blue, facts: blueFacts } });
    expect(missing).toStrictEqual({
      detail: 'SSM facts are known for one cluster only',
      findings: [
        {
          kind: 'facts-missing',
          severity: 'blocker',
          subject: 'facts:prod-eu-blue:ssm',
          message:
            'greenlight has SSM facts for prod-eu-green but not for prod-eu-blue, so it cannot compare the SSM parameters of prod-eu-blue and prod-eu-green. Enable the SSM fact source for prod-eu-blue (or add the facts to its fleet file entry) and check again.',
          cluster: 'prod-eu-blue',
          app: null,
          resource: null,
          reference: null,
          workload: null,
        },
      ],
    });
    expect(ssmRule({ ...pair, blue: { ...pair.blue, facts: blueFacts }, green: { ...pair.green, facts: greenFacts } })).toStrictEqual({
      skipped: 'neither cluster has SSM facts (the SSM fact source is not used for this pair)',
    });
  });
});

describe('podIdentityRule: associations on blue missing on green (fixture pod-identity-missing.json)', () => {
  it('compares by namespace and service account, ignores role ARNs, and names the command with green\'s EKS cluster name', () => {
    const missing = [
      ['payments', 'payments-api', 'arn:aws:iam::111122223333:role/prod-eu-blue-payments-api'],
      ['reports', 'reports-exporter', 'arn:aws:iam::111122223333:role/prod-eu-blue-reports-exporter'],
    ] as const;
    expect(podIdentityRule(pairOf(loadInput('pod-identity-missing.json')))).toStrictEqual({
      detail: '3 associations of prod-eu-blue compared with 2 associations on prod-eu-green',
      findings: missing.map(([ns, sa, role]) => ({
        kind: 'pod-identity-missing',
        severity: 'blocker',
        subject: `podidentity:${ns}/${sa}`,
        message: `Pod Identity association ${ns}/${sa} exists on prod-eu-blue but not on prod-eu-green: pods of service account ${sa} in namespace ${ns} get no AWS credentials there. Create it: aws eks create-pod-identity-association --cluster-name eks-prod-eu-green --namespace ${ns} --service-account ${sa} --role-arn <role> (prod-eu-blue uses ${role}).`,
        cluster: 'prod-eu-green',
        app: null,
        resource: null,
        reference: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html',
        workload: { namespace: ns, serviceAccount: sa },
      })),
    });
  });

  it('blocks when green has no Pod Identity facts while blue has', () => {
    const pair = pairOf(loadInput('pod-identity-missing.json'));
    const { podIdentity: _p, ...greenFacts } = pair.green.facts;
    const result = podIdentityRule({ ...pair, green: { ...pair.green, facts: greenFacts } });
    expect('findings' in result && result.findings.map((f) => [f.kind, f.subject, f.message])).toStrictEqual([
      [
        'facts-missing',
        'facts:prod-eu-green:podIdentity',
        'greenlight has EKS Pod Identity facts for prod-eu-blue but not for prod-eu-green, so it cannot compare the Pod Identity associations of prod-eu-blue and prod-eu-green. Enable the EKS Pod Identity fact source for prod-eu-green (or add the facts to its fleet file entry) and check again.',
      ],
    ]);
  });
});
