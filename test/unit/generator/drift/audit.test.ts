import { describe, expect, it } from 'vitest';
import { auditPair, driftExitCode, driftReportSchema, driftRules, parseAcceptRules } from '../../../../generator/index.js';
import { eksBaseline } from '../../../fixtures/drift/eks-baseline.js';
import { scanFixture } from '../../../fixtures/drift/scan.js';
import { blueSeeds, bothSeeds, CANARY, postgres } from '../../../fixtures/drift/seeds.js';

const rules = driftRules();
const blueScan = (extra = blueSeeds()) => scanFixture('prod-eu-blue', [...eksBaseline(), ...postgres('blue'), ...extra], rules);
const greenScan = () => scanFixture('prod-eu-green', [...eksBaseline(), ...postgres('green'), ...bothSeeds()], rules);

describe('the EKS baseline and Argo CD-managed apps', () => {
  it('hold nothing unmanaged and no hotfix: zero findings besides the EBS data', () => {
    const blue = scanFixture('prod-eu-blue', eksBaseline(), rules);
    const green = scanFixture('prod-eu-green', eksBaseline(), rules);
    expect(blue.objects).toBeGreaterThan(200);
    expect(blue.classes.unmanaged).toBe(0);
    expect(blue.candidates).toEqual([]);
    const report = auditPair({ pair: 'prod-eu', blue, green, rules });
    expect(report.findings).toEqual([]);
    expect(driftExitCode(report)).toBe(0);
  });

  it('under label tracking too (the checkout app’s objects then count by their label, which they lack, yet no client tool wrote them)', () => {
    const label = driftRules({ tracking: { method: 'label', labelKey: 'app.kubernetes.io/instance' } });
    const blue = scanFixture('prod-eu-blue', eksBaseline(), label);
    expect(blue.classes.unmanaged).toBe(0);
    expect(blue.classes.managed).toBe(0);
  });
});

describe('the seeds on blue', () => {
  const report = auditPair({ pair: 'prod-eu', blue: blueScan(), green: greenScan(), rules });
  const rows = report.findings.map((f) => [f.class, f.kind, f.namespace, f.name, f.missingOnGreen, f.accepted]);

  it('are each found with the right class, and marked missing on green', () => {
    expect(rows).toEqual([
      ['unmanaged', 'ClusterRoleBinding', null, 'debug-admin', true, false],
      ['unmanaged', 'Namespace', null, 'ops', true, false],
      ['unmanaged', 'ConfigMap', 'checkout', 'runbook-notes', true, true],
      ['unmanaged', 'CronJob', 'checkout', 'nightly-report', true, false],
      ['unmanaged', 'Ingress', 'checkout', 'checkout-debug', true, false],
      ['unmanaged', 'Secret', 'checkout', 'legacy-api-key', true, false],
      ['unmanaged', 'ConfigMap', 'default', 'oncall-contacts', false, false],
      ['unmanaged', 'Role', 'ops', 'debug-pods', true, false],
      ['unmanaged', 'RoleBinding', 'ops', 'debug-pods', true, false],
      ['unmanaged', 'ServiceAccount', 'ops', 'debug-admin', true, false],
      ['hotfix', 'ConfigMap', 'checkout', 'checkout-config', true, false],
      ['stateful', 'PersistentVolumeClaim', 'data', 'data-postgres-0', true, false],
    ]);
    expect(driftExitCode(report)).toBe(2);
  });

  it('say who made them and when', () => {
    const cron = report.findings.find((f) => f.name === 'nightly-report');
    expect(cron).toMatchObject({ cluster: 'prod-eu-blue', group: 'batch', version: 'v1', resource: 'cronjobs', createdAt: '2025-06-14T21:20:00Z' });
    expect(cron?.managers).toEqual([
      { manager: 'kubectl-create', operation: 'Update', time: '2025-06-14T21:20:00Z', subresource: null },
      { manager: 'kube-controller-manager', operation: 'Update', time: '2025-06-14T23:00:00Z', subresource: 'status' },
    ]);
  });

  it('the hotfix names its Application and the fields kubectl changed', () => {
    expect(report.findings.find((f) => f.class === 'hotfix')).toMatchObject({ app: 'checkout', fields: ['data.LOG_LEVEL'] });
  });

  it('the EBS claim: volume, size, zone, StorageClass, the StatefulSet using it and its Application', () => {
    expect(report.findings.find((f) => f.class === 'stateful')?.volume).toEqual({
      claim: 'data/data-postgres-0',
      volumeName: 'pvc-0f3c9a7e-4b1d-4e2a-9c8f-1a2b3c4d5e6f',
      driver: 'ebs.csi.aws.com',
      volumeId: 'vol-0a1b2c3d4e5f60718',
      size: '50Gi',
      zone: 'eu-west-1a',
      storageClass: 'gp3',
      workloads: ['StatefulSet/postgres'],
      apps: ['postgres'],
    });
  });

  it('a hotfix green carries too is not missing on green', () => {
    const green = scanFixture('prod-eu-green', [...eksBaseline(), ...blueSeeds().filter((o) => o.metadata.name === 'checkout-config')], rules);
    const r = auditPair({ pair: 'prod-eu', blue: blueScan(), green, rules });
    expect(r.findings.find((f) => f.class === 'hotfix')?.missingOnGreen).toBe(false);
  });

  it('a config sign-off is shown as accepted, and accepted findings do not fail the audit', () => {
    const accept = parseAcceptRules(['CronJob/checkout/nightly-*']);
    const r = auditPair({ pair: 'prod-eu', blue: blueScan(), green: greenScan(), rules, accept });
    expect(r.findings.find((f) => f.name === 'nightly-report')).toMatchObject({ accepted: true, acceptedBy: 'config' });
    expect(r.findings.find((f) => f.name === 'runbook-notes')).toMatchObject({ accepted: true, acceptedBy: 'annotation' });
    const everything = parseAcceptRules(['*/*/*', '*/*']);
    expect(driftExitCode(auditPair({ pair: 'prod-eu', blue: blueScan(), green: greenScan(), rules, accept: everything }))).toBe(0);
  });

  it('the report is the contract’s shape, and no canary from the Secret is in it', () => {
    const text = JSON.stringify(driftReportSchema.parse(report));
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(Buffer.from(CANARY).toString('base64'));
  });
});
