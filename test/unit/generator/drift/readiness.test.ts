import { describe, expect, it } from 'vitest';
import { auditPair, driftRule, driftRules, readinessVerdict } from '../../../../generator/index.js';
import { eksBaseline } from '../../../fixtures/drift/eks-baseline.js';
import { scanFixture } from '../../../fixtures/drift/scan.js';
import { blueSeeds, bothSeeds, postgres } from '../../../fixtures/drift/seeds.js';
import { loadInput } from '../readiness/fixtures.js';

const rules = driftRules();
const report = auditPair({
  pair: 'prod-us',
  blue: scanFixture('prod-us-blue', [...eksBaseline(), ...postgres('blue'), ...blueSeeds()], rules),
  green: scanFixture('prod-us-green', [...eksBaseline(), ...postgres('green'), ...bothSeeds()], rules),
  rules,
});

describe('the drift check of the readiness verdict', () => {
  it('EBS-bound data blocks, naming the Application using it; unmanaged objects and hotfixes green lacks warn; accepted ones are counted as accepted', () => {
    const verdict = readinessVerdict({ ...loadInput('clean-pair.json'), drift: report });
    expect(verdict.ready).toBe(false);
    const drift = [...verdict.blockers, ...verdict.warnings].filter((f) => f.kind.startsWith('drift-'));
    expect(drift.map((f) => [f.severity, f.kind, f.subject])).toEqual([
      ['blocker', 'drift-stateful', 'drift:prod-us-blue/PersistentVolumeClaim/data/data-postgres-0'],
      ['warning', 'drift-unmanaged', 'drift:prod-us-blue/rbac.authorization.k8s.io/ClusterRoleBinding/debug-admin'],
      ['warning', 'drift-unmanaged', 'drift:prod-us-blue/Namespace/ops'],
      ['warning', 'drift-unmanaged', 'drift:prod-us-blue/batch/CronJob/checkout/nightly-report'],
      ['warning', 'drift-unmanaged', 'drift:prod-us-blue/networking.k8s.io/Ingress/checkout/checkout-debug'],
      ['warning', 'drift-unmanaged', 'drift:prod-us-blue/Secret/checkout/legacy-api-key'],
      ['warning', 'drift-unmanaged', 'drift:prod-us-blue/rbac.authorization.k8s.io/Role/ops/debug-pods'],
      ['warning', 'drift-unmanaged', 'drift:prod-us-blue/rbac.authorization.k8s.io/RoleBinding/ops/debug-pods'],
      ['warning', 'drift-unmanaged', 'drift:prod-us-blue/ServiceAccount/ops/debug-admin'],
      ['warning', 'drift-hotfix', 'drift:prod-us-blue/ConfigMap/checkout/checkout-config'],
    ]);
    expect(verdict.blockers.find((f) => f.kind === 'drift-stateful')).toMatchObject({
      cluster: 'prod-us-blue',
      app: { namespace: '', name: 'postgres' },
      message:
        "PersistentVolumeClaim data/data-postgres-0 on prod-us-blue used by StatefulSet/postgres (Application postgres) holds its data on EBS volume vol-0a1b2c3d4e5f60718 (50Gi, eu-west-1a), which prod-us-green cannot attach: migrate the data (snapshot and restore, or the application's replication) before prod-us-green takes the traffic, then sign it off with greenlight.io/drift: ignore on the claim.",
    });
    expect(verdict.warnings.find((f) => f.subject.endsWith('nightly-report'))?.message).toBe(
      'CronJob checkout/nightly-report on prod-us-blue was made outside Git (kubectl-create) and prod-us-green has no such object: it is lost at cutover. Put it in Git (greenlight drift --pair prod-us -o manifests), delete it, or sign it off with the annotation greenlight.io/drift: ignore.',
    );
    const check = verdict.checks.find((c) => c.check === 'drift');
    expect(check?.outcome).toBe('blockers');
    expect(check?.detail).toMatch(/^12 drift findings among the objects scanned \(\d+ on prod-us-blue, \d+ on prod-us-green\); 10 missing on prod-us-green; 1 accepted \(ConfigMap checkout\/runbook-notes\)$/);
  });

  it('a clean drift report passes; none skips', () => {
    const clean = auditPair({ pair: 'prod-us', blue: scanFixture('prod-us-blue', eksBaseline(), rules), green: scanFixture('prod-us-green', eksBaseline(), rules), rules });
    const pair = { pair: 'prod-us', blue: { name: 'prod-us-blue', facts: {} }, green: { name: 'prod-us-green', facts: {} } };
    expect(driftRule(pair, clean)).toMatchObject({ findings: [] });
    expect(driftRule(pair, undefined)).toEqual({ skipped: 'drift was not scanned here: run greenlight drift --pair prod-us' });
  });
});
