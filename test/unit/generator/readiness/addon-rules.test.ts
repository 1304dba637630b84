import { describe, expect, it } from 'vitest';
import { addonRule, addonSupportRule, compareAddonVersions, newestAddonVersion } from '../../../../generator/index.js';
import { loadInput, pairOf } from './fixtures.js';

const ADDONS_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/managing-add-ons.html';
const addonFinding = (severity: 'blocker' | 'warning', name: string, message: string) => ({
  kind: 'addon-skew',
  severity,
  subject: `addon:${name}`,
  message,
  cluster: 'prod-eu-green',
  app: null,
  resource: null,
  reference: ADDONS_DOC,
  workload: null,
});

describe('add-on versions', () => {
  it('orders EKS add-on versions by their numbers', () => {
    expect(compareAddonVersions('v1.19.10-eksbuild.1', 'v1.19.9-eksbuild.3')).toBeGreaterThan(0);
    expect(compareAddonVersions('v1.11.4-eksbuild.1', 'v1.11.4-eksbuild.2')).toBeLessThan(0);
    expect(compareAddonVersions('v1.3.4-eksbuild.1', 'v1.3.4-eksbuild.1')).toBe(0);
    expect(newestAddonVersion(['v1.32.0-eksbuild.2', 'v1.32.0-eksbuild.10', 'v1.31.3-eksbuild.2'])).toBe('v1.32.0-eksbuild.10');
    expect(newestAddonVersion([])).toBeUndefined();
  });
});

describe('addonRule: green against blue (fixture addon-skew.json)', () => {
  it('warns about add-ons missing on green and older on green; newer and green-only add-ons are fine', () => {
    expect(addonRule(pairOf(loadInput('addon-skew.json')))).toStrictEqual({
      detail: '5 add-ons of prod-eu-blue compared with 6 add-ons on prod-eu-green',
      findings: [
        addonFinding(
          'warning',
          'aws-ebs-csi-driver',
          'Add-on aws-ebs-csi-driver runs on prod-eu-blue (v1.38.1-eksbuild.1) but is not installed as an EKS add-on on prod-eu-green. Install it (aws eks create-addon --cluster-name prod-eu-green --addon-name aws-ebs-csi-driver), or confirm that prod-eu-green runs it another way (Helm, manifests).',
        ),
        addonFinding(
          'warning',
          'coredns',
          "Add-on coredns on prod-eu-green runs v1.11.1-eksbuild.1, older than v1.11.4-eksbuild.2 on prod-eu-blue: fixes that prod-eu-blue's workloads rely on may be missing. Update it on prod-eu-green to v1.11.4-eksbuild.2 or newer, if EKS supports that for prod-eu-green's Kubernetes version.",
        ),
      ],
    });
  });

  it('needs add-on facts for both clusters: one side only is a facts-missing blocker, neither skips', () => {
    const pair = pairOf(loadInput('addon-skew.json'));
    const { addons: _dropped, ...greenFacts } = pair.green.facts;
    expect(addonRule({ ...pair, green: { ...pair.green, facts: greenFacts } })).toStrictEqual({
      detail: 'add-on facts are known for one cluster only',
      findings: [
        {
          kind: 'facts-missing',
          severity: 'blocker',
          subject: 'facts:prod-eu-green:addons',
          message:
            'greenlight has EKS add-on facts for prod-eu-blue but not for prod-eu-green, so it cannot compare the EKS add-ons of prod-eu-blue and prod-eu-green. Enable the EKS add-on fact source for prod-eu-green (or add the facts to its fleet file entry) and check again.',
          cluster: 'prod-eu-green',
          app: null,
          resource: null,
          reference: null,
          workload: null,
        },
      ],
    });
    const { addons: _also, ...blueFacts } = pair.blue.facts;
    expect(addonRule({ ...pair, blue: { ...pair.blue, facts: blueFacts }, green: { ...pair.green, facts: greenFacts } })).toStrictEqual({
      skipped: 'neither cluster has EKS add-on facts (the eks fact source is not used for this pair)',
    });
  });
});

describe("addonSupportRule: green against EKS's supported versions (DescribeAddonVersions, fixture addon-skew.json)", () => {
  it('blocks on unsupported versions and on add-ons EKS supports on no version for green; warns where the data has no entry', () => {
    const input = loadInput('addon-skew.json');
    expect(addonSupportRule(pairOf(input), input.addonCompatibility)).toStrictEqual({
      detail: "6 add-ons of prod-eu-green checked against EKS's supported versions for 1.32",
      findings: [
        addonFinding(
          'warning',
          'aws-efs-csi-driver',
          'greenlight has no EKS compatibility data for add-on aws-efs-csi-driver, so it cannot tell whether v2.1.0-eksbuild.1 on prod-eu-green is supported on Kubernetes 1.32. Check with: aws eks describe-addon-versions --addon-name aws-efs-csi-driver --kubernetes-version 1.32.',
        ),
        addonFinding(
          'blocker',
          'kube-proxy',
          'Add-on kube-proxy v1.31.3-eksbuild.2 on prod-eu-green is not a version EKS supports for Kubernetes 1.32. Update it to a supported version (newest: v1.32.0-eksbuild.2): aws eks update-addon --cluster-name prod-eu-green --addon-name kube-proxy --addon-version v1.32.0-eksbuild.2.',
        ),
        addonFinding(
          'blocker',
          'snapshot-controller',
          'Add-on snapshot-controller v8.1.0-eksbuild.1 on prod-eu-green is not a version EKS supports for Kubernetes 1.32. EKS lists no version of snapshot-controller for 1.32: replace it (or install it outside EKS add-ons) before moving traffic; aws eks describe-addon-versions --addon-name snapshot-controller --kubernetes-version 1.32 shows what EKS offers.',
        ),
      ],
    });
  });

  it('is skipped without compatibility data, without add-on facts for green, or without its version', () => {
    const input = loadInput('addon-skew.json');
    const pair = pairOf(input);
    expect(addonSupportRule(pair, undefined)).toStrictEqual({ skipped: 'no EKS add-on compatibility data was supplied (DescribeAddonVersions)' });
    expect(addonSupportRule({ ...pair, green: { ...pair.green, facts: {} } }, input.addonCompatibility)).toStrictEqual({
      skipped: 'greenlight has no EKS add-on facts for prod-eu-green',
    });
    const { eks: _eks, ...noVersion } = pair.green.facts;
    expect(addonSupportRule({ ...pair, green: { ...pair.green, facts: noVersion } }, input.addonCompatibility)).toStrictEqual({
      skipped: 'the Kubernetes version of prod-eu-green is unknown',
    });
  });
});
