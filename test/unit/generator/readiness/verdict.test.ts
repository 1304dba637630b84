import { describe, expect, it } from 'vitest';
import {
  FINDING_KINDS,
  READINESS_CHECKS,
  findingCounts,
  readinessExitCode,
  readinessReportSchema,
  readinessVerdict,
  readinessVerdictSchema,
} from '../../../../generator/index.js';
import { loadInput } from './fixtures.js';

describe('readinessVerdict: one verdict per pair', () => {
  it('finds a clean pair ready, with every check run and nothing found (fixture clean-pair.json)', () => {
    expect(readinessVerdict(loadInput('clean-pair.json'))).toStrictEqual({
      pair: 'prod-us',
      blue: 'prod-us-blue',
      green: 'prod-us-green',
      blueVersion: '1.31',
      greenVersion: '1.32',
      ready: true,
      blockers: [],
      warnings: [],
      checks: [
        { check: 'version-skew', outcome: 'ok', detail: 'prod-us-green runs 1.32, prod-us-blue runs 1.31' },
        { check: 'removed-apis', outcome: 'ok', detail: '12 resources of 2 Applications on prod-us-blue and prod-us-green checked against Kubernetes 1.32' },
        { check: 'addons', outcome: 'ok', detail: '3 add-ons of prod-us-blue compared with 3 add-ons on prod-us-green' },
        { check: 'addon-support', outcome: 'ok', detail: "3 add-ons of prod-us-green checked against EKS's supported versions for 1.32" },
        { check: 'ssm', outcome: 'ok', detail: '2 parameters under /greenlight/prod-us-blue/ compared with 2 parameters under /greenlight/prod-us-green/' },
        { check: 'pod-identity', outcome: 'ok', detail: '2 associations of prod-us-blue compared with 2 associations on prod-us-green' },
        { check: 'eks-insights', outcome: 'ok', detail: 'upgrade insights of prod-us-blue and prod-us-green that concern the move to 1.32: 1' },
        { check: 'drift', outcome: 'skipped', detail: 'drift was not scanned here: run greenlight drift --pair prod-us' },
      ],
    });
  });

  it('splits findings into blockers and warnings, keeps the check order, and says how each check ended', () => {
    const verdict = readinessVerdict(loadInput('addon-skew.json'));
    expect(verdict.ready).toBe(false);
    expect(verdict.blockers.map((f) => f.subject)).toStrictEqual(['addon:kube-proxy', 'addon:snapshot-controller']);
    expect(verdict.warnings.map((f) => f.subject)).toStrictEqual(['addon:aws-ebs-csi-driver', 'addon:coredns', 'addon:aws-efs-csi-driver']);
    expect(verdict.checks.map((c) => [c.check, c.outcome])).toStrictEqual([
      ['version-skew', 'ok'],
      ['removed-apis', 'skipped'],
      ['addons', 'warnings'],
      ['addon-support', 'blockers'],
      ['ssm', 'skipped'],
      ['pod-identity', 'skipped'],
      ['eks-insights', 'skipped'],
      ['drift', 'skipped'],
    ]);
    expect(verdict.checks.map((c) => c.check)).toStrictEqual([...READINESS_CHECKS]);
  });

  it.each(['removed-apis.json', 'addon-skew.json', 'ssm-missing.json', 'pod-identity-missing.json', 'eks-insights.json', 'clean-pair.json'])(
    '%s: the verdict is valid readiness JSON (the CLI and UI contract) and the same on every run',
    (name) => {
      const verdict = readinessVerdict(loadInput(name));
      expect(readinessVerdictSchema.parse(JSON.parse(JSON.stringify(verdict)))).toStrictEqual(verdict);
      expect(readinessVerdict(loadInput(name))).toStrictEqual(verdict);
    },
  );

  it('blocks, naming the cluster and the cause, when facts could not be read at all; every other check is skipped', () => {
    const input = loadInput('clean-pair.json');
    const verdict = readinessVerdict({ ...input, green: { ...input.green, facts: undefined, factsError: 'EKS DescribeCluster failed: AccessDeniedException.' } });
    expect(verdict).toStrictEqual({
      pair: 'prod-us',
      blue: 'prod-us-blue',
      green: 'prod-us-green',
      blueVersion: '1.31',
      greenVersion: null,
      ready: false,
      blockers: [
        {
          kind: 'facts-missing',
          severity: 'blocker',
          subject: 'facts:prod-us-green',
          message:
            'greenlight could not read the facts of prod-us-green (EKS DescribeCluster failed: AccessDeniedException), so it cannot judge pair prod-us. Fix the fact source for prod-us-green and check again.',
          cluster: 'prod-us-green',
          app: null,
          resource: null,
          reference: null,
          workload: null,
        },
      ],
      warnings: [],
      checks: [
        { check: 'version-skew', outcome: 'blockers', detail: 'no facts for prod-us-green' },
        ...(['removed-apis', 'addons', 'addon-support', 'ssm', 'pod-identity', 'eks-insights'] as const).map((check) => ({
          check,
          outcome: 'skipped',
          detail: 'no facts for prod-us-green',
        })),
        { check: 'drift', outcome: 'skipped', detail: 'drift was not scanned here: run greenlight drift --pair prod-us' },
      ],
    });
  });

  it('counts findings by kind and severity, every kind present, for the metrics gauges', () => {
    const counts = findingCounts(readinessVerdict(loadInput('eks-insights.json')));
    expect(Object.keys(counts)).toStrictEqual([...FINDING_KINDS]);
    expect(counts['eks-insight']).toStrictEqual({ blocker: 1, warning: 2 });
    expect(counts['removed-api']).toStrictEqual({ blocker: 0, warning: 0 });
  });

  it('gives the exit code a CI job gates on: 0 when every pair is ready, 2 when any has blockers', () => {
    const ready = readinessVerdict(loadInput('clean-pair.json'));
    const blocked = readinessVerdict(loadInput('ssm-missing.json'));
    expect(readinessExitCode([ready])).toBe(0);
    expect(readinessExitCode([])).toBe(0);
    expect(readinessExitCode([ready, blocked])).toBe(2);
    expect(readinessReportSchema.parse({ verdicts: [ready, blocked] }).verdicts).toHaveLength(2);
  });
});
