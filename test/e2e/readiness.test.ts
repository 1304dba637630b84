/**
 * `greenlight readiness` as a process: on the demo fleet, and live (`--inventory argocd`) against
 * the local stand-ins for Argo CD's cluster (cluster Secrets, Application custom resources), EKS,
 * STS and SSM (SigV4 checked), and each cluster's own API (EKS tokens verified). A clean pair is
 * ready; each failure seeded in turn is reported with its message, then put right.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READINESS_EXIT_CODES, readinessVerdictSchema, type ReadinessVerdict } from '../../generator/index.js';
import { FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY, startFakeAws, type FakeAws, fakeAwsEnv } from '../support/fake-aws.js';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { FakeKubeApiServer, writeKubeconfig } from '../support/fake-kube-apiserver.js';
import { eksStore } from '../support/drift-clusters.js';
import { runGreenlight } from '../support/cli-process.js';

let aws: FakeAws;
let argocd: FakeKubeApiServer;
let blueApi: FakeKubeApiServer;
let greenApi: FakeKubeApiServer;
let dir: string;
let liveEnv: Record<string, string>;
let demoEnv: Record<string, string>;

function readiness(env: Record<string, string>, ...args: string[]) {
  return runGreenlight(['readiness', ...args], env);
}

/** The live verdict as JSON, with the exit status. */
async function liveVerdict(): Promise<{ code: number; verdict: ReadinessVerdict; stderr: string }> {
  const res = await readiness(liveEnv, '--pair', 'prod-eu', '-o', 'json');
  if (res.stdout.trim() === '') throw new Error(`no verdict (exit ${res.code}): ${res.stderr}`);
  return { code: res.code, verdict: readinessVerdictSchema.parse(JSON.parse(res.stdout)), stderr: res.stderr };
}

const subjects = (v: ReadinessVerdict) => v.blockers.map((f) => f.subject);

function clusterSecret(name: string, role: string, server: string) {
  return {
    name: `cluster-${name}`,
    namespace: 'argocd',
    labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu', 'greenlight.io/role': role },
    annotations: { 'greenlight.io/weight': role === 'blue' ? '100' : '0' },
    stringData: { name, server, project: 'platform', config: JSON.stringify({ awsAuthConfig: { clusterName: name }, tlsClientConfig: { caData: clusterCaData() } }) },
  };
}

/** The checkout app on one cluster, on APIs that 1.31 and 1.32 both serve. */
function checkout(cluster: string, server: string, extra: object[] = []) {
  return {
    name: `checkout-${cluster}`,
    labels: { 'greenlight.io/app': 'checkout' },
    spec: { project: 'default', source: { repoURL: 'https://github.com/example/apps.git', path: 'apps/checkout' }, destination: { server, namespace: 'checkout' } },
    status: {
      sync: { status: 'Synced', revision: '4f1c9e2a7b3d5c6e8f9a0b1c2d3e4f5a6b7c8d9e' },
      health: { status: 'Healthy' },
      resources: [
        { version: 'v1', kind: 'Service', namespace: 'checkout', name: 'checkout', status: 'Synced' },
        { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'checkout', name: 'checkout', status: 'Synced' },
        { group: 'batch', version: 'v1', kind: 'CronJob', namespace: 'checkout', name: 'cart-cleanup', status: 'Synced' },
        ...extra,
      ],
    },
  };
}

beforeAll(async () => {
  aws = await startFakeAws();
  const credentials = { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY };
  const extraStsHosts = [new URL(aws.endpoint).host];
  // Each cluster serves a realistic EKS baseline for the drift audit's scan (nothing a person made).
  blueApi = await FakeKubeApiServer.start({ tls: clusterTls(), auth: { eks: { clusterName: 'prod-eu-blue', credentials, extraStsHosts } }, version: { major: '1', minor: '31+', gitVersion: 'v1.31.4-eks-2d5f260' }, objects: eksStore() });
  greenApi = await FakeKubeApiServer.start({ tls: clusterTls(), auth: { eks: { clusterName: 'prod-eu-green', credentials, extraStsHosts } }, version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' }, objects: eksStore() });

  aws.addCluster({ name: 'prod-eu-blue', version: '1.31', caData: clusterCaData() });
  aws.addCluster({ name: 'prod-eu-green', version: '1.32', caData: clusterCaData() });
  for (const [cluster, kubeProxy] of [['prod-eu-blue', 'v1.31.3-eksbuild.2'], ['prod-eu-green', 'v1.32.0-eksbuild.2']] as const) {
    aws.addAddon({ clusterName: cluster, name: 'vpc-cni', version: 'v1.19.2-eksbuild.1' });
    aws.addAddon({ clusterName: cluster, name: 'coredns', version: 'v1.11.4-eksbuild.2' });
    aws.addAddon({ clusterName: cluster, name: 'kube-proxy', version: kubeProxy });
    aws.addPodIdentityAssociation({ clusterName: cluster, namespace: 'external-dns', serviceAccount: 'external-dns-sa', roleArn: `arn:aws:iam::111111111111:role/${cluster}-external-dns` });
    aws.putParameter({ name: `/greenlight/${cluster}/checkout/redis-url`, value: 'redis://not-a-secret' });
  }
  for (const [name, version, minors] of [
    ['vpc-cni', 'v1.19.2-eksbuild.1', ['1.30', '1.31', '1.32']],
    ['coredns', 'v1.11.4-eksbuild.2', ['1.30', '1.31', '1.32']],
    ['kube-proxy', 'v1.30.9-eksbuild.1', ['1.30']],
    ['kube-proxy', 'v1.31.3-eksbuild.2', ['1.31']],
    ['kube-proxy', 'v1.32.0-eksbuild.2', ['1.32']],
  ] as const) {
    aws.addAddonVersion({ addonName: name, addonVersion: version, clusterVersions: minors });
  }
  aws.addInsight({ clusterName: 'prod-eu-blue', id: 'deprecated-apis-1-32', name: 'Deprecated APIs removed in Kubernetes v1.32', kubernetesVersion: '1.32', status: 'PASSING', reason: 'No deprecated API usage detected within the last 30 days.' });
  aws.addInsight({ clusterName: 'prod-eu-green', id: 'deprecated-apis-1-33', name: 'Deprecated APIs removed in Kubernetes v1.33', kubernetesVersion: '1.33', status: 'PASSING' });

  argocd = await FakeKubeApiServer.start();
  argocd.putSecret(clusterSecret('prod-eu-blue', 'blue', blueApi.url));
  argocd.putSecret(clusterSecret('prod-eu-green', 'green', greenApi.url));
  argocd.putApplication(checkout('prod-eu-blue', blueApi.url));
  argocd.putApplication(checkout('prod-eu-green', greenApi.url));

  dir = mkdtempSync(join(tmpdir(), 'gl-readiness-'));
  writeKubeconfig(dir, argocd.url);
  demoEnv = { PATH: process.env['PATH'] ?? '', HOME: dir };
  liveEnv = {
    ...demoEnv,
    GREENLIGHT_INVENTORY: 'argocd',
    ARGOCD_NAMESPACE: 'argocd',
    KUBECONFIG: join(dir, 'kubeconfig'),
    ...fakeAwsEnv(aws.endpoint),
    GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS: '1',
  };
});

afterAll(async () => {
  await Promise.all([argocd?.close(), blueApi?.close(), greenApi?.close(), aws?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('greenlight readiness on the demo fleet', () => {
  it('is not ready: the removed APIs of the demo Applications, the missing SSM key and Pod Identity association block, and the checks it cannot run say so', async () => {
    const json = await readiness(demoEnv, '--pair', 'prod-eu', '--output', 'json');
    expect(json.code, json.stderr).toBe(READINESS_EXIT_CODES.blockers);
    const verdict = readinessVerdictSchema.parse(JSON.parse(json.stdout));
    expect(verdict).toMatchObject({ pair: 'prod-eu', blue: 'prod-eu-blue', green: 'prod-eu-green', blueVersion: '1.31', greenVersion: '1.32', ready: false });
    expect(verdict.blockers.map((f) => [f.kind, f.subject, f.cluster])).toEqual([
      ['removed-api', 'argocd/reports-prod-eu-blue: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema reports-batch', 'prod-eu-blue'],
      ['removed-api', 'argocd/reports-prod-eu-blue: flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration reports-batch', 'prod-eu-blue'],
      ['ssm-missing', 'ssm:payments/stripe-api-key', 'prod-eu-green'],
      ['pod-identity-missing', 'podidentity:payments/payments-api', 'prod-eu-green'],
      ['drift-stateful', 'drift:prod-eu-blue/PersistentVolumeClaim/reports/data-reports-db-0', 'prod-eu-blue'],
    ]);
    // The demo's drift (plugin/adapters/demo/demo-drift.ts): what blue runs that Git does not.
    expect(verdict.warnings.map((f) => [f.kind, f.subject])).toEqual([
      ['drift-unmanaged', 'drift:prod-eu-blue/rbac.authorization.k8s.io/ClusterRole/debug-admin'],
      ['drift-unmanaged', 'drift:prod-eu-blue/batch/CronJob/payments/db-cleanup-manual'],
      ['drift-hotfix', 'drift:prod-eu-blue/ConfigMap/web/web-config'],
    ]);
    expect(verdict.checks.find((c) => c.check === 'addon-support')).toEqual({
      check: 'addon-support',
      outcome: 'skipped',
      detail: 'skipped: EKS add-on versions (DescribeAddonVersions) are read with --inventory argocd only',
    });

    const text = await readiness(demoEnv, '--pair', 'prod-eu');
    expect(text.code).toBe(READINESS_EXIT_CODES.blockers);
    expect(text.stdout).toContain('Pair prod-eu: NOT READY for the next weight step (5 blockers, 3 warnings)');
    const skipped = await readiness(demoEnv, '--pair', 'prod-eu', '--skip-drift');
    expect(skipped.stdout).toContain('Pair prod-eu: NOT READY for the next weight step (4 blockers, 0 warnings)');
    expect(skipped.stdout).toMatch(/– drift\s+skipped: not audited \(--skip-drift\)/);
    expect(text.stdout).toContain('which Kubernetes 1.32 stopped serving; prod-eu-green runs 1.32 and rejects it. Move the manifest to flowcontrol.apiserver.k8s.io/v1');
    expect(text.stdout).toContain('✗ [ssm-missing] ssm:payments/stripe-api-key (on prod-eu-green)');
    expect(text.stdout).toContain(
      'SSM parameter payments/stripe-api-key exists for prod-eu-blue (/greenlight/prod-eu-blue/payments/stripe-api-key) but not for prod-eu-green',
    );
    expect(text.stdout).toContain('✗ [pod-identity-missing] podidentity:payments/payments-api (on prod-eu-green)');
    expect(text.stdout).toMatch(/– eks-insights\s+skipped: EKS upgrade insights \(ListInsights\) are read with --inventory argocd only/);
  });

  it('refuses an unknown pair and a missing --pair with exit 1', async () => {
    const unknown = await readiness(demoEnv, '--pair', 'prod-mars');
    expect(unknown.code).toBe(READINESS_EXIT_CODES.error);
    expect(unknown.stderr).toContain('greenlight readiness: no cluster has greenlight.io/pair=prod-mars');
    const missing = await readiness(demoEnv, '-o', 'json');
    expect(missing.code).toBe(READINESS_EXIT_CODES.error);
    expect(missing.stderr).toContain('give --pair with the pair name');
  });
});

describe('greenlight readiness live', () => {
  it('a clean pair is ready, every check having run', async () => {
    const { code, verdict, stderr } = await liveVerdict();
    expect(code, `${stderr}\n${JSON.stringify(verdict, null, 2)}`).toBe(READINESS_EXIT_CODES.ready);
    expect(verdict).toMatchObject({ ready: true, blockers: [], warnings: [], blueVersion: '1.31', greenVersion: '1.32' });
    expect(verdict.checks.map((c) => [c.check, c.outcome])).toEqual([
      ['version-skew', 'ok'],
      ['removed-apis', 'ok'],
      ['addons', 'ok'],
      ['addon-support', 'ok'],
      ['ssm', 'ok'],
      ['pod-identity', 'ok'],
      ['eks-insights', 'ok'],
      ['drift', 'ok'],
    ]);
    // The drift audit scanned both clusters' APIs (the fake API server's objects) and found nothing blue runs that Git lacks.
    expect(verdict.checks.find((c) => c.check === 'drift')?.detail).toMatch(/^0 drift findings among the objects scanned \([1-9]\d* on prod-eu-blue, [1-9]\d* on prod-eu-green\); 0 missing on prod-eu-green$/);
    expect(verdict.checks.find((c) => c.check === 'removed-apis')?.detail).toBe(
      '6 resources of 2 Applications on prod-eu-blue and prod-eu-green checked against Kubernetes 1.32',
    );
    const text = await readiness(liveEnv, '--pair', 'prod-eu');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Pair prod-eu: READY for the next weight step (0 blockers, 0 warnings)');
    expect(text.stdout).toContain('Argo CD cluster Secrets in namespace argocd; 2 Argo CD Application(s)');
    // Read as greenlight would: every AWS call signed, every cluster API call with a verified EKS token.
    expect(aws.signatureFailures).toEqual([]);
    expect([...blueApi.authFailures, ...greenApi.authFailures]).toEqual([]);
    expect(aws.calls('DescribeAddonVersions')).toBeGreaterThanOrEqual(3);
    expect(aws.calls('ListInsights')).toBeGreaterThanOrEqual(2);
  });

  it('a removed API in an Application’s manifests', async () => {
    argocd.putApplication(
      checkout('prod-eu-blue', blueApi.url, [{ group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', name: 'checkout-priority', status: 'Synced' }]),
    );
    try {
      const { code, verdict } = await liveVerdict();
      expect(code).toBe(READINESS_EXIT_CODES.blockers);
      expect(verdict.blockers).toEqual([
        {
          kind: 'removed-api',
          severity: 'blocker',
          subject: 'argocd/checkout-prod-eu-blue: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema checkout-priority',
          message:
            'Application argocd/checkout-prod-eu-blue (on prod-eu-blue) manages FlowSchema checkout-priority as flowcontrol.apiserver.k8s.io/v1beta3, which Kubernetes 1.32 stopped serving; prod-eu-green runs 1.32 and rejects it. ' +
            'Move the manifest to flowcontrol.apiserver.k8s.io/v1 (served since 1.29, so prod-eu-blue on 1.31 accepts it too).',
          cluster: 'prod-eu-blue',
          app: { namespace: 'argocd', name: 'checkout-prod-eu-blue' },
          resource: { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', namespace: null, name: 'checkout-priority' },
          reference: 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/#flowcontrol-resources-v132',
          workload: null,
        },
      ]);
    } finally {
      argocd.putApplication(checkout('prod-eu-blue', blueApi.url));
    }
  });

  it('an add-on version EKS does not support on green’s Kubernetes version', async () => {
    for (const cluster of ['prod-eu-blue', 'prod-eu-green']) aws.addAddon({ clusterName: cluster, name: 'aws-ebs-csi-driver', version: 'v1.38.1-eksbuild.1' });
    aws.addAddonVersion({ addonName: 'aws-ebs-csi-driver', addonVersion: 'v1.38.1-eksbuild.1', clusterVersions: ['1.30', '1.31'] });
    aws.addAddonVersion({ addonName: 'aws-ebs-csi-driver', addonVersion: 'v1.39.0-eksbuild.1', clusterVersions: ['1.31', '1.32'] });
    try {
      const { code, verdict } = await liveVerdict();
      expect(code).toBe(READINESS_EXIT_CODES.blockers);
      expect(subjects(verdict)).toEqual(['addon:aws-ebs-csi-driver']);
      expect(verdict.blockers[0]?.message).toBe(
        'Add-on aws-ebs-csi-driver v1.38.1-eksbuild.1 on prod-eu-green is not a version EKS supports for Kubernetes 1.32. ' +
          'Update it to a supported version (newest: v1.39.0-eksbuild.1): aws eks update-addon --cluster-name prod-eu-green --addon-name aws-ebs-csi-driver --addon-version v1.39.0-eksbuild.1.',
      );
    } finally {
      aws.addAddonVersion({ addonName: 'aws-ebs-csi-driver', addonVersion: 'v1.38.1-eksbuild.1', clusterVersions: ['1.30', '1.31', '1.32'] });
    }
  });

  it('an SSM parameter blue has and green lacks', async () => {
    aws.putParameter({ name: '/greenlight/prod-eu-blue/payments/stripe-api-key', value: 'sk_live_canary_must_never_print' });
    try {
      const res = await readiness(liveEnv, '--pair', 'prod-eu');
      expect(res.code).toBe(READINESS_EXIT_CODES.blockers);
      expect(res.stdout).toContain('✗ [ssm-missing] ssm:payments/stripe-api-key (on prod-eu-green)');
      expect(res.stdout).toContain(
        'SSM parameter payments/stripe-api-key exists for prod-eu-blue (/greenlight/prod-eu-blue/payments/stripe-api-key) but not for prod-eu-green: apps that read it on prod-eu-green find nothing. Create /greenlight/prod-eu-green/payments/stripe-api-key',
      );
      expect(res.stdout + res.stderr).not.toContain('sk_live_canary_must_never_print');
    } finally {
      aws.putParameter({ name: '/greenlight/prod-eu-green/payments/stripe-api-key', value: 'sk_live_canary_must_never_print' });
    }
  });

  it('a Pod Identity association blue has and green lacks', async () => {
    aws.addPodIdentityAssociation({ clusterName: 'prod-eu-blue', namespace: 'payments', serviceAccount: 'payments-api', roleArn: 'arn:aws:iam::111111111111:role/prod-eu-blue-payments-api' });
    try {
      const { code, verdict } = await liveVerdict();
      expect(code).toBe(READINESS_EXIT_CODES.blockers);
      expect(subjects(verdict)).toEqual(['podidentity:payments/payments-api']);
      expect(verdict.blockers[0]?.message).toBe(
        'Pod Identity association payments/payments-api exists on prod-eu-blue but not on prod-eu-green: pods of service account payments-api in namespace payments get no AWS credentials there. ' +
          'Create it: aws eks create-pod-identity-association --cluster-name prod-eu-green --namespace payments --service-account payments-api --role-arn <role> (prod-eu-blue uses arn:aws:iam::111111111111:role/prod-eu-blue-payments-api).',
      );
    } finally {
      aws.addPodIdentityAssociation({ clusterName: 'prod-eu-green', namespace: 'payments', serviceAccount: 'payments-api', roleArn: 'arn:aws:iam::111111111111:role/prod-eu-green-payments-api' });
    }
  });

  it('green older than blue', async () => {
    greenApi.setVersion({ major: '1', minor: '30+', gitVersion: 'v1.30.9-eks-1a2b3c4' });
    aws.addCluster({ name: 'prod-eu-green', version: '1.30', caData: clusterCaData() });
    try {
      const { code, verdict } = await liveVerdict();
      expect(code).toBe(READINESS_EXIT_CODES.blockers);
      expect(verdict.greenVersion).toBe('1.30');
      const skew = verdict.blockers.find((f) => f.kind === 'version-skew');
      expect(skew?.message).toBe(
        "prod-eu-green runs Kubernetes 1.30, older than prod-eu-blue's 1.31: moving traffic to it would downgrade every workload. Rebuild prod-eu-green at 1.31 or newer, or fix the pair's greenlight.io/role labels if the roles are swapped.",
      );
      // kube-proxy v1.32 on a 1.30 control plane is not supported either: reported too.
      expect(subjects(verdict)).toEqual(['kubernetes.minor', 'addon:kube-proxy']);
    } finally {
      greenApi.setVersion({ major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' });
      aws.addCluster({ name: 'prod-eu-green', version: '1.32', caData: clusterCaData() });
    }
  });

  it('an EKS upgrade insight in ERROR', async () => {
    aws.addInsight({
      clusterName: 'prod-eu-blue',
      id: 'deprecated-apis-1-32',
      name: 'Deprecated APIs removed in Kubernetes v1.32',
      kubernetesVersion: '1.32',
      status: 'ERROR',
      reason: 'Deprecated API usage detected within last 30 days.',
      recommendation: 'Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.32',
    });
    try {
      const { code, verdict } = await liveVerdict();
      expect(code).toBe(READINESS_EXIT_CODES.blockers);
      expect(verdict.blockers.map((f) => [f.kind, f.subject, f.cluster])).toEqual([['eks-insight', 'insight:prod-eu-blue/deprecated-apis-1-32', 'prod-eu-blue']]);
      expect(verdict.blockers[0]?.message).toBe(
        'EKS upgrade insight "Deprecated APIs removed in Kubernetes v1.32" is ERROR on prod-eu-blue for Kubernetes 1.32, the version prod-eu-green runs: Deprecated API usage detected within last 30 days. ' +
          'Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading to Kubernetes v1.32. ' +
          'Details: aws eks describe-insight --cluster-name prod-eu-blue --id deprecated-apis-1-32.',
      );
    } finally {
      aws.addInsight({ clusterName: 'prod-eu-blue', id: 'deprecated-apis-1-32', name: 'Deprecated APIs removed in Kubernetes v1.32', kubernetesVersion: '1.32', status: 'PASSING' });
    }
  });

  it('Applications it may not list: exit 1, saying what to grant', async () => {
    argocd.failRequests({ path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', status: 403 });
    const res = await readiness(liveEnv, '--pair', 'prod-eu');
    expect(res.code).toBe(READINESS_EXIT_CODES.error);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(
      'greenlight readiness: readiness of pair prod-eu could not be evaluated: cannot list Argo CD Applications (applications.argoproj.io) in namespace argocd (HTTP 403: applications.argoproj.io is forbidden: User "system:anonymous" cannot list resource "applications" in API group "argoproj.io" in the namespace "argocd"): grant get and list on applications.argoproj.io in namespace argocd',
    );
  });

  it('is clean again once every seeded failure is put right', async () => {
    const { code, verdict } = await liveVerdict();
    expect(verdict.blockers).toEqual([]);
    expect(code).toBe(READINESS_EXIT_CODES.ready);
    expect(aws.signatureFailures).toEqual([]);
  });
});
