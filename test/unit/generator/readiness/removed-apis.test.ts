import { describe, expect, it } from 'vitest';
import {
  DEPRECATION_GUIDE_URL,
  REMOVED_APIS,
  insteadOf,
  parseMinor,
  readinessApplicationSchema,
  removalOf,
  removedApiRule,
  removedIn,
  servedReplacement,
  type KubeMinor,
  type ReadinessPair,
} from '../../../../generator/index.js';
import { loadInput } from './fixtures.js';

const v = (text: string): KubeMinor => {
  const parsed = parseMinor(text);
  if (!parsed) throw new Error(`bad version ${text}`);
  return parsed;
};

const removal = (group: string, version: string, kind: string) => {
  const r = removalOf(group, version, kind);
  if (!r) throw new Error(`${group}/${version} ${kind} is not in the table`);
  return r;
};

describe('the removed-API table (upstream Deprecated API Migration Guide)', () => {
  it('lists the releases of the guide, and nothing the guide does not', () => {
    const byRelease = new Map<string, number>();
    for (const r of REMOVED_APIS) byRelease.set(r.removedIn, (byRelease.get(r.removedIn) ?? 0) + 1);
    expect(Object.fromEntries(byRelease)).toStrictEqual({ '1.32': 2, '1.29': 2, '1.27': 1, '1.26': 3, '1.25': 7, '1.22': 23, '1.16': 12 });
  });

  it('has one row per group/version/kind, each with a replacement or an alternative, and the guide section it comes from', () => {
    const keys = REMOVED_APIS.map((r) => `${r.group}/${r.version}/${r.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of REMOVED_APIS) {
      expect(r.replacements.length > 0 || r.instead !== undefined, `${r.group}/${r.version} ${r.kind}`).toBe(true);
      expect(r.reference.startsWith(`${DEPRECATION_GUIDE_URL}#`)).toBe(true);
      expect(r.reference.endsWith(`-v${r.removedIn.replace('.', '')}`), r.reference).toBe(true);
      for (const to of r.replacements) {
        // A replacement is served no later than the release that removes the old version (flowcontrol v1 came with 1.29, which removed v1beta2).
        if (to.since !== undefined) expect(v(to.since).minor, `${r.kind} → ${to.apiVersion}`).toBeLessThanOrEqual(v(r.removedIn).minor);
      }
    }
  });

  it.each([
    ['extensions', 'v1beta1', 'Deployment', '1.16'],
    ['apps', 'v1beta1', 'StatefulSet', '1.16'],
    ['apps', 'v1beta2', 'DaemonSet', '1.16'],
    ['extensions', 'v1beta1', 'NetworkPolicy', '1.16'],
    ['extensions', 'v1beta1', 'PodSecurityPolicy', '1.16'],
    ['admissionregistration.k8s.io', 'v1beta1', 'ValidatingWebhookConfiguration', '1.22'],
    ['apiextensions.k8s.io', 'v1beta1', 'CustomResourceDefinition', '1.22'],
    ['apiregistration.k8s.io', 'v1beta1', 'APIService', '1.22'],
    ['authorization.k8s.io', 'v1beta1', 'SelfSubjectRulesReview', '1.22'],
    ['certificates.k8s.io', 'v1beta1', 'CertificateSigningRequest', '1.22'],
    ['coordination.k8s.io', 'v1beta1', 'Lease', '1.22'],
    ['extensions', 'v1beta1', 'Ingress', '1.22'],
    ['networking.k8s.io', 'v1beta1', 'Ingress', '1.22'],
    ['networking.k8s.io', 'v1beta1', 'IngressClass', '1.22'],
    ['rbac.authorization.k8s.io', 'v1beta1', 'ClusterRoleBinding', '1.22'],
    ['scheduling.k8s.io', 'v1beta1', 'PriorityClass', '1.22'],
    ['storage.k8s.io', 'v1beta1', 'StorageClass', '1.22'],
    ['storage.k8s.io', 'v1beta1', 'VolumeAttachment', '1.22'],
    ['batch', 'v1beta1', 'CronJob', '1.25'],
    ['discovery.k8s.io', 'v1beta1', 'EndpointSlice', '1.25'],
    ['events.k8s.io', 'v1beta1', 'Event', '1.25'],
    ['autoscaling', 'v2beta1', 'HorizontalPodAutoscaler', '1.25'],
    ['policy', 'v1beta1', 'PodDisruptionBudget', '1.25'],
    ['policy', 'v1beta1', 'PodSecurityPolicy', '1.25'],
    ['node.k8s.io', 'v1beta1', 'RuntimeClass', '1.25'],
    ['flowcontrol.apiserver.k8s.io', 'v1beta1', 'FlowSchema', '1.26'],
    ['autoscaling', 'v2beta2', 'HorizontalPodAutoscaler', '1.26'],
    ['storage.k8s.io', 'v1beta1', 'CSIStorageCapacity', '1.27'],
    ['flowcontrol.apiserver.k8s.io', 'v1beta2', 'PriorityLevelConfiguration', '1.29'],
    ['flowcontrol.apiserver.k8s.io', 'v1beta3', 'FlowSchema', '1.32'],
  ])('%s/%s %s is removed in %s: served by the release before, rejected from then on', (group, version, kind, release) => {
    const at = v(release);
    expect(removedIn({ major: at.major, minor: at.minor - 1 }, group, version, kind)).toBeUndefined();
    expect(removedIn(at, group, version, kind)?.removedIn).toBe(release);
    expect(removedIn({ major: 1, minor: 40 }, group, version, kind)?.removedIn).toBe(release);
  });

  it('judges nothing it does not list: core v1, current versions, custom resources', () => {
    expect(removedIn(v('1.32'), '', 'v1', 'Service')).toBeUndefined();
    expect(removedIn(v('1.32'), undefined, 'v1', 'ConfigMap')).toBeUndefined();
    expect(removedIn(v('1.32'), 'apps', 'v1', 'Deployment')).toBeUndefined();
    expect(removedIn(v('1.32'), 'argoproj.io', 'v1alpha1', 'Application')).toBeUndefined();
    // A kind the guide names for another group is not removed in this one.
    expect(removedIn(v('1.32'), 'apps', 'v1beta2', 'Ingress')).toBeUndefined();
  });
});

describe('servedReplacement: what to move to so that green serves it', () => {
  it("follows replacements that green no longer serves either (flowcontrol v1beta1 → v1beta2 → v1)", () => {
    expect(servedReplacement(removal('flowcontrol.apiserver.k8s.io', 'v1beta1', 'FlowSchema'), v('1.32'), v('1.31'))).toStrictEqual({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      since: '1.29',
      servedByCurrent: true,
    });
    // On 1.28, v1beta2 is still served; the guide gives no release for it.
    expect(servedReplacement(removal('flowcontrol.apiserver.k8s.io', 'v1beta1', 'FlowSchema'), v('1.28'), v('1.27'))).toStrictEqual({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
      servedByCurrent: undefined,
    });
  });

  it('prefers a replacement blue serves too, so that one manifest fits both clusters', () => {
    // Guide, v1.29: v1 (since 1.29) or v1beta3 (since 1.26). Blue on 1.28 serves only v1beta3.
    expect(servedReplacement(removal('flowcontrol.apiserver.k8s.io', 'v1beta2', 'FlowSchema'), v('1.29'), v('1.28'))).toStrictEqual({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
      since: '1.26',
      servedByCurrent: true,
    });
    // On 1.32 v1beta3 is gone too: v1 it is.
    expect(servedReplacement(removal('flowcontrol.apiserver.k8s.io', 'v1beta2', 'FlowSchema'), v('1.32'), v('1.28'))).toStrictEqual({
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      since: '1.29',
      servedByCurrent: false,
    });
  });

  it('has none for PodSecurityPolicy once policy/v1beta1 is gone, and says what to do instead', () => {
    const psp = removal('extensions', 'v1beta1', 'PodSecurityPolicy');
    expect(servedReplacement(psp, v('1.20'))).toStrictEqual({ apiVersion: 'policy/v1beta1', since: '1.10', servedByCurrent: undefined });
    expect(servedReplacement(psp, v('1.25'))).toBeUndefined();
    expect(insteadOf(psp, v('1.25'))).toBe(
      'PodSecurityPolicy has no successor API: delete it from the manifests and enforce the same rules with Pod Security Admission (namespace labels) or an admission webhook',
    );
  });
});

describe('removedApiRule: Applications of the pair against green', () => {
  it('reports every resource in an API green no longer serves, per Application, with the fix (fixture removed-apis.json)', () => {
    const input = loadInput('removed-apis.json');
    const pair: ReadinessPair = { pair: input.pair, blue: { ...input.blue, facts: input.blue.facts ?? {} }, green: { ...input.green, facts: input.green.facts ?? {} } };
    const result = removedApiRule(pair, input.applications ?? []);
    expect(result).toStrictEqual({
      detail: '9 resources of 3 Applications on prod-eu-blue and prod-eu-green checked against Kubernetes 1.32',
      findings: [
        {
          kind: 'removed-api',
          severity: 'blocker',
          subject: 'argocd/platform-prod-eu-green: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema platform-high',
          message:
            'Application argocd/platform-prod-eu-green (on prod-eu-green) manages FlowSchema platform-high as flowcontrol.apiserver.k8s.io/v1beta3, which Kubernetes 1.32 stopped serving; prod-eu-green runs 1.32 and rejects it. Move the manifest to flowcontrol.apiserver.k8s.io/v1 (served since 1.29, so prod-eu-blue on 1.31 accepts it too).',
          cluster: 'prod-eu-green',
          app: { namespace: 'argocd', name: 'platform-prod-eu-green' },
          resource: { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', namespace: null, name: 'platform-high' },
          reference: 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/#flowcontrol-resources-v132',
          workload: null,
        },
        {
          kind: 'removed-api',
          severity: 'blocker',
          subject: 'argocd/platform-prod-eu-green: policy/v1beta1 PodSecurityPolicy restricted',
          message:
            'Application argocd/platform-prod-eu-green (on prod-eu-green) manages PodSecurityPolicy restricted as policy/v1beta1, which Kubernetes 1.25 stopped serving; prod-eu-green runs 1.32 and rejects it. PodSecurityPolicy has no successor API: delete it from the manifests and enforce the same rules with Pod Security Admission (namespace labels) or an admission webhook.',
          cluster: 'prod-eu-green',
          app: { namespace: 'argocd', name: 'platform-prod-eu-green' },
          resource: { group: 'policy', version: 'v1beta1', kind: 'PodSecurityPolicy', namespace: null, name: 'restricted' },
          reference: 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/#psp-v125',
          workload: null,
        },
        {
          kind: 'removed-api',
          severity: 'blocker',
          subject: 'argocd/platform-prod-eu-green: autoscaling/v2beta2 HorizontalPodAutoscaler platform/api',
          message:
            'Application argocd/platform-prod-eu-green (on prod-eu-green) manages HorizontalPodAutoscaler platform/api as autoscaling/v2beta2, which Kubernetes 1.26 stopped serving; prod-eu-green runs 1.32 and rejects it. Move the manifest to autoscaling/v2 (served since 1.23, so prod-eu-blue on 1.31 accepts it too).',
          cluster: 'prod-eu-green',
          app: { namespace: 'argocd', name: 'platform-prod-eu-green' },
          resource: { group: 'autoscaling', version: 'v2beta2', kind: 'HorizontalPodAutoscaler', namespace: 'platform', name: 'api' },
          reference: 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/#horizontalpodautoscaler-v126',
          workload: null,
        },
        {
          kind: 'removed-api',
          severity: 'blocker',
          subject: 'argocd/reports-prod-eu-blue: batch/v1beta1 CronJob reports/nightly',
          message:
            'Application argocd/reports-prod-eu-blue (on prod-eu-blue) manages CronJob reports/nightly as batch/v1beta1, which Kubernetes 1.25 stopped serving; prod-eu-green runs 1.32 and rejects it. Move the manifest to batch/v1 (served since 1.21, so prod-eu-blue on 1.31 accepts it too).',
          cluster: 'prod-eu-blue',
          app: { namespace: 'argocd', name: 'reports-prod-eu-blue' },
          resource: { group: 'batch', version: 'v1beta1', kind: 'CronJob', namespace: 'reports', name: 'nightly' },
          reference: 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/#cronjob-v125',
          workload: null,
        },
        {
          kind: 'removed-api',
          severity: 'blocker',
          subject: 'argocd/reports-prod-eu-blue: policy/v1beta1 PodDisruptionBudget reports/reports',
          message:
            'Application argocd/reports-prod-eu-blue (on prod-eu-blue) manages PodDisruptionBudget reports/reports as policy/v1beta1, which Kubernetes 1.25 stopped serving; prod-eu-green runs 1.32 and rejects it. Move the manifest to policy/v1 (served since 1.21, so prod-eu-blue on 1.31 accepts it too).',
          cluster: 'prod-eu-blue',
          app: { namespace: 'argocd', name: 'reports-prod-eu-blue' },
          resource: { group: 'policy', version: 'v1beta1', kind: 'PodDisruptionBudget', namespace: 'reports', name: 'reports' },
          reference: 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/#poddisruptionbudget-v125',
          workload: null,
        },
      ],
    });
  });

  const pairAt = (blue: string, green: string): ReadinessPair => ({
    pair: 'prod-eu',
    blue: { name: 'prod-eu-blue', server: 'https://blue.example.com', facts: { eks: { accountId: '111122223333', region: 'eu-west-1', clusterName: 'prod-eu-blue', clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu-blue', version: blue, tags: {} } } },
    green: { name: 'prod-eu-green', server: 'https://green.example.com', facts: { eks: { accountId: '111122223333', region: 'eu-west-1', clusterName: 'prod-eu-green', clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu-green', version: green, tags: {} } } },
  });
  const hpaApp = readinessApplicationSchema.parse({
    metadata: { name: 'api-prod-eu-blue', namespace: 'argocd' },
    spec: { destination: { server: 'https://blue.example.com' } },
    status: { resources: [{ group: 'autoscaling', version: 'v2beta1', kind: 'HorizontalPodAutoscaler', namespace: 'api', name: 'api' }] },
  });

  it('says when blue does not serve the replacement yet: render the apiVersion per cluster', () => {
    const result = removedApiRule(pairAt('1.22', '1.25'), [hpaApp]);
    expect('findings' in result && result.findings.map((f) => f.message)).toStrictEqual([
      "Application argocd/api-prod-eu-blue (on prod-eu-blue) manages HorizontalPodAutoscaler api/api as autoscaling/v2beta1, which Kubernetes 1.25 stopped serving; prod-eu-green runs 1.25 and rejects it. Move the manifest to autoscaling/v2 (served since 1.23); prod-eu-blue on 1.22 does not serve it yet, so render the apiVersion per cluster from greenlight's kubernetes.minor parameter until prod-eu-blue is gone.",
    ]);
  });

  it('finds nothing while green still serves the version', () => {
    expect(removedApiRule(pairAt('1.23', '1.24'), [hpaApp])).toStrictEqual({
      findings: [],
      detail: '1 resource of 1 Application on prod-eu-blue and prod-eu-green checked against Kubernetes 1.24',
    });
  });

  it("is skipped when green's version is unknown", () => {
    const pair = pairAt('1.31', '1.32');
    expect(removedApiRule({ ...pair, green: { ...pair.green, facts: {} } }, [hpaApp])).toStrictEqual({ skipped: 'the Kubernetes version of prod-eu-green is unknown' });
  });
});
