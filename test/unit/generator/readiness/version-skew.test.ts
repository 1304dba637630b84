import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kubernetesVersionOf, parseMinor, versionSkewRule, type ClusterFacts, type ReadinessPair } from '../../../../generator/index.js';
import { eksFactsFor } from '../../../support/builders.js';
import { readFixture } from './fixtures.js';

const casesSchema = z.object({
  description: z.string(),
  cases: z.array(z.object({ blue: z.string(), green: z.string(), expect: z.enum(['blocker', 'warning']).nullable() })),
});

const pairAt = (blue: string, green: string): ReadinessPair => ({
  pair: 'prod-eu',
  blue: { name: 'prod-eu-blue', facts: { eks: eksFactsFor('prod-eu-blue', blue) } },
  green: { name: 'prod-eu-green', facts: { eks: eksFactsFor('prod-eu-green', green) } },
});

describe('Kubernetes versions', () => {
  it('parses minor versions in the forms clusters report them', () => {
    expect(parseMinor('1.32')).toStrictEqual({ major: 1, minor: 32 });
    expect(parseMinor('v1.31.4-eks-2d5f260')).toStrictEqual({ major: 1, minor: 31 });
    expect(parseMinor('1.9')).toStrictEqual({ major: 1, minor: 9 });
    expect(parseMinor('latest')).toBeUndefined();
    expect(parseMinor(undefined)).toBeUndefined();
  });

  it("takes the cluster's own /version first (EKS appends + to the minor), then EKS DescribeCluster", () => {
    const own: ClusterFacts = { eks: eksFactsFor('c', '1.31'), kubernetes: { gitVersion: 'v1.32.1-eks-5d4a308', major: '1', minor: '32+', storageClasses: [], ingressClasses: [], apiVersions: [] } };
    expect(kubernetesVersionOf(own)).toStrictEqual({ major: 1, minor: 32 });
    expect(kubernetesVersionOf({ eks: eksFactsFor('c', '1.30') })).toStrictEqual({ major: 1, minor: 30 });
    expect(kubernetesVersionOf({})).toBeUndefined();
  });
});

describe('versionSkewRule (fixture version-skew.json)', () => {
  const { cases } = casesSchema.parse(readFixture('version-skew.json'));

  it.each(cases)('blue $blue, green $green: $expect', ({ blue, green, expect: severity }) => {
    const result = versionSkewRule(pairAt(blue, green));
    expect('findings' in result && result.findings.map((f) => [f.kind, f.severity, f.subject])).toStrictEqual(
      severity === null ? [] : [['version-skew', severity, 'kubernetes.minor']],
    );
  });

  it('blocks a green older than blue, saying why and what to do', () => {
    expect(versionSkewRule(pairAt('1.31', '1.30'))).toStrictEqual({
      detail: 'prod-eu-green runs 1.30, prod-eu-blue runs 1.31',
      findings: [
        {
          kind: 'version-skew',
          severity: 'blocker',
          subject: 'kubernetes.minor',
          message:
            "prod-eu-green runs Kubernetes 1.30, older than prod-eu-blue's 1.31: moving traffic to it would downgrade every workload. Rebuild prod-eu-green at 1.31 or newer, or fix the pair's greenlight.io/role labels if the roles are swapped.",
          cluster: 'prod-eu-green',
          app: null,
          resource: null,
          reference: null,
          workload: null,
        },
      ],
    });
  });

  it('warns when green skips minor versions, naming each one in between', () => {
    const result = versionSkewRule(pairAt('1.29', '1.32'));
    expect('findings' in result && result.findings.map((f) => f.message)).toStrictEqual([
      "prod-eu-green runs Kubernetes 1.32, 3 minor versions newer than prod-eu-blue's 1.29: the API removals and default changes of 1.30, 1.31, 1.32 all apply at once. Read each version's changes before the first weight step; rollback is moving the weight back to prod-eu-blue.",
    ]);
  });

  it('blocks when a version is unknown, since no version rule can run', () => {
    const pair = pairAt('1.31', '1.32');
    expect(versionSkewRule({ ...pair, green: { ...pair.green, facts: {} } })).toStrictEqual({
      detail: 'the Kubernetes version of a cluster is unknown',
      findings: [
        {
          kind: 'facts-missing',
          severity: 'blocker',
          subject: 'facts:prod-eu-green:kubernetes',
          message:
            'greenlight knows no Kubernetes version for prod-eu-green (neither its own API nor EKS DescribeCluster answered), so it cannot check version skew or removed APIs. Enable the kubernetes or eks fact source for prod-eu-green and check again.',
          cluster: 'prod-eu-green',
          app: null,
          resource: null,
          reference: null,
          workload: null,
        },
      ],
    });
  });
});
