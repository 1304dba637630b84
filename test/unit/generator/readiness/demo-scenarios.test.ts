/**
 * Scenario tests on the demo pair (demo/fleet.yaml, loaded by the fleet-file adapter's own parser):
 * the pair as shipped, the pair with its two gaps fixed, and that fixed pair with one failure
 * seeded at a time, each reported with its exact message.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  addonCompatibilitySchema,
  readinessApplicationSchema,
  readinessVerdict,
  type ClusterFacts,
  type EksInsight,
  type ReadinessApplication,
  type ReadinessInput,
} from '../../../../generator/index.js';
import { parseFleet } from '../../../../plugin/adapters/fleet-file/fleet-file-inventory.js';
import { readFixture } from './fixtures.js';

const DEMO_FLEET = join(import.meta.dirname, '../../../../demo/fleet.yaml');
const fleet = parseFleet(readFileSync(DEMO_FLEET, 'utf8'), 'demo/fleet.yaml');
const member = (name: string) => {
  const c = fleet.clusters.find((x) => x.name === name);
  if (!c) throw new Error(`demo/fleet.yaml has no cluster ${name}`);
  return c;
};
const BLUE = member('prod-eu-blue');
const GREEN = member('prod-eu-green');
const COMPATIBILITY = z.object({ description: z.string(), addonCompatibility: addonCompatibilitySchema }).parse(readFixture('demo-addon-compatibility.json')).addonCompatibility;

/** The demo's checkout app on both clusters, on APIs that 1.31 and 1.32 both serve. */
const checkout = (cluster: { name: string; server: string }): ReadinessApplication =>
  readinessApplicationSchema.parse({
    metadata: { name: `checkout-${cluster.name}`, namespace: 'argocd', labels: { 'greenlight.io/app': 'checkout' } },
    spec: { destination: { server: cluster.server, namespace: 'checkout' } },
    status: {
      resources: [
        { version: 'v1', kind: 'Service', namespace: 'checkout', name: 'checkout' },
        { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'checkout', name: 'checkout' },
        { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', namespace: 'checkout', name: 'checkout' },
        { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', namespace: 'checkout', name: 'checkout' },
        { group: 'batch', version: 'v1', kind: 'CronJob', namespace: 'checkout', name: 'cart-cleanup' },
      ],
    },
  });
const APPS = [checkout(BLUE), checkout(GREEN)];

interface Seed {
  blue?: ((facts: ClusterFacts) => ClusterFacts) | undefined;
  green?: ((facts: ClusterFacts) => ClusterFacts) | undefined;
  input?: Partial<ReadinessInput> | undefined;
}

/** The demo pair as the verdict's input, each cluster's facts copied and then changed by `seed`. */
function demoPair(seed: Seed = {}): ReadinessInput {
  const blue = structuredClone(BLUE.facts);
  const green = structuredClone(GREEN.facts);
  return {
    pair: 'prod-eu',
    blue: { name: BLUE.name, server: BLUE.server, facts: seed.blue ? seed.blue(blue) : blue },
    green: { name: GREEN.name, server: GREEN.server, facts: seed.green ? seed.green(green) : green },
    ...seed.input,
  };
}

/** The demo's two gaps closed: the payments Pod Identity association and the Stripe key exist on green. */
const fixGaps = (green: ClusterFacts): ClusterFacts => ({
  ...green,
  podIdentity: [
    ...(green.podIdentity ?? []),
    { namespace: 'payments', serviceAccount: 'payments-api', roleArn: 'arn:aws:iam::111122223333:role/prod-eu-green-payments-api' },
  ],
  secrets: { prefix: '/greenlight/prod-eu-green/', names: [...(green.secrets?.names ?? []), '/greenlight/prod-eu-green/payments/stripe-api-key'] },
});

/** The fixed demo pair with every optional input, plus one seeded failure. */
function fixedPair(seed: Seed = {}): ReadinessInput {
  return demoPair({
    blue: seed.blue,
    green: (g) => (seed.green ? seed.green(fixGaps(g)) : fixGaps(g)),
    input: { applications: APPS, addonCompatibility: COMPATIBILITY, insights: { blue: [], green: [] }, ...seed.input },
  });
}

const messages = (input: ReadinessInput) => {
  const v = readinessVerdict(input);
  return { ready: v.ready, blockers: v.blockers.map((f) => [f.kind, f.message]), warnings: v.warnings.map((f) => [f.kind, f.message]) };
};

const STRIPE_BLOCKER = [
  'ssm-missing',
  "SSM parameter payments/stripe-api-key exists for prod-eu-blue (/greenlight/prod-eu-blue/payments/stripe-api-key) but not for prod-eu-green: apps that read it on prod-eu-green find nothing. Create /greenlight/prod-eu-green/payments/stripe-api-key with the value prod-eu-green should use (often the same as prod-eu-blue's).",
];
const PAYMENTS_BLOCKER = [
  'pod-identity-missing',
  'Pod Identity association payments/payments-api exists on prod-eu-blue but not on prod-eu-green: pods of service account payments-api in namespace payments get no AWS credentials there. Create it: aws eks create-pod-identity-association --cluster-name prod-eu-green --namespace payments --service-account payments-api --role-arn <role> (prod-eu-blue uses arn:aws:iam::111122223333:role/prod-eu-blue-payments-api).',
];

describe('the demo pair prod-eu (blue 1.31, green 1.32)', () => {
  it('is not ready, with exactly two blockers: the payments Stripe key and the payments Pod Identity association', () => {
    const verdict = readinessVerdict(demoPair());
    expect(verdict.ready).toBe(false);
    expect(verdict.blockers.map((f) => [f.kind, f.message])).toStrictEqual([STRIPE_BLOCKER, PAYMENTS_BLOCKER]);
    expect(verdict.warnings).toStrictEqual([]);
    // Without Applications, add-on compatibility data or insights, those checks say so instead of passing.
    expect(verdict.checks.map((c) => [c.check, c.outcome])).toStrictEqual([
      ['version-skew', 'ok'],
      ['removed-apis', 'skipped'],
      ['addons', 'ok'],
      ['addon-support', 'skipped'],
      ['ssm', 'blockers'],
      ['pod-identity', 'blockers'],
      ['eks-insights', 'skipped'],
      ['drift', 'skipped'],
    ]);
  });

  it('has the same two blockers, and nothing more, with Applications, add-on compatibility data and insights supplied', () => {
    const verdict = readinessVerdict(demoPair({ input: { applications: APPS, addonCompatibility: COMPATIBILITY, insights: { blue: [], green: [] } } }));
    expect(verdict.blockers.map((f) => [f.kind, f.message])).toStrictEqual([STRIPE_BLOCKER, PAYMENTS_BLOCKER]);
    expect(verdict.warnings).toStrictEqual([]);
    // Drift is scanned by greenlight drift, not from these inputs.
    expect(verdict.checks.filter((c) => c.outcome === 'skipped').map((c) => c.check)).toStrictEqual(['drift']);
  });

  it('is ready once both gaps are closed', () => {
    expect(messages(fixedPair())).toStrictEqual({ ready: true, blockers: [], warnings: [] });
  });
});

describe('each failure seeded into the fixed demo pair is reported with its message', () => {
  it('removed API: an Application on blue still ships a FlowSchema as flowcontrol.apiserver.k8s.io/v1beta3', () => {
    const platform = readinessApplicationSchema.parse({
      metadata: { name: 'platform-prod-eu-blue', namespace: 'argocd' },
      spec: { destination: { server: BLUE.server } },
      status: { resources: [{ group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', name: 'batch-low' }] },
    });
    expect(messages(fixedPair({ input: { applications: [...APPS, platform] } }))).toStrictEqual({
      ready: false,
      blockers: [
        [
          'removed-api',
          'Application argocd/platform-prod-eu-blue (on prod-eu-blue) manages FlowSchema batch-low as flowcontrol.apiserver.k8s.io/v1beta3, which Kubernetes 1.32 stopped serving; prod-eu-green runs 1.32 and rejects it. Move the manifest to flowcontrol.apiserver.k8s.io/v1 (served since 1.29, so prod-eu-blue on 1.31 accepts it too).',
        ],
      ],
      warnings: [],
    });
  });

  it("add-on skew: green's kube-proxy is still the 1.31 build, which EKS does not support on 1.32", () => {
    const seeded = fixedPair({
      green: (g) => ({ ...g, addons: (g.addons ?? []).map((a) => (a.name === 'kube-proxy' ? { ...a, version: 'v1.31.3-eksbuild.2' } : a)) }),
    });
    expect(messages(seeded)).toStrictEqual({
      ready: false,
      blockers: [
        [
          'addon-skew',
          'Add-on kube-proxy v1.31.3-eksbuild.2 on prod-eu-green is not a version EKS supports for Kubernetes 1.32. Update it to a supported version (newest: v1.32.0-eksbuild.2): aws eks update-addon --cluster-name prod-eu-green --addon-name kube-proxy --addon-version v1.32.0-eksbuild.2.',
        ],
      ],
      warnings: [],
    });
  });

  it("add-on skew: green's vpc-cni is older than blue's (a supported version: a warning only)", () => {
    const seeded = fixedPair({ green: (g) => ({ ...g, addons: (g.addons ?? []).map((a) => (a.name === 'vpc-cni' ? { ...a, version: 'v1.19.0-eksbuild.1' } : a)) }) });
    expect(messages(seeded)).toStrictEqual({
      ready: true,
      blockers: [],
      warnings: [
        [
          'addon-skew',
          "Add-on vpc-cni on prod-eu-green runs v1.19.0-eksbuild.1, older than v1.19.2-eksbuild.1 on prod-eu-blue: fixes that prod-eu-blue's workloads rely on may be missing. Update it on prod-eu-green to v1.19.2-eksbuild.1 or newer, if EKS supports that for prod-eu-green's Kubernetes version.",
        ],
      ],
    });
  });

  it("SSM: checkout's Redis URL exists for blue only", () => {
    const seeded = fixedPair({ green: (g) => ({ ...g, secrets: { prefix: g.secrets?.prefix ?? '', names: (g.secrets?.names ?? []).filter((n) => !n.endsWith('/checkout/redis-url')) } }) });
    expect(messages(seeded)).toStrictEqual({
      ready: false,
      blockers: [
        [
          'ssm-missing',
          "SSM parameter checkout/redis-url exists for prod-eu-blue (/greenlight/prod-eu-blue/checkout/redis-url) but not for prod-eu-green: apps that read it on prod-eu-green find nothing. Create /greenlight/prod-eu-green/checkout/redis-url with the value prod-eu-green should use (often the same as prod-eu-blue's).",
        ],
      ],
      warnings: [],
    });
  });

  it("Pod Identity: ExternalDNS's association exists on blue only", () => {
    const seeded = fixedPair({ green: (g) => ({ ...g, podIdentity: (g.podIdentity ?? []).filter((a) => a.namespace !== 'external-dns') }) });
    expect(messages(seeded)).toStrictEqual({
      ready: false,
      blockers: [
        [
          'pod-identity-missing',
          'Pod Identity association external-dns/external-dns-sa exists on prod-eu-blue but not on prod-eu-green: pods of service account external-dns-sa in namespace external-dns get no AWS credentials there. Create it: aws eks create-pod-identity-association --cluster-name prod-eu-green --namespace external-dns --service-account external-dns-sa --role-arn <role> (prod-eu-blue uses arn:aws:iam::111122223333:role/prod-eu-blue-external-dns).',
        ],
      ],
      warnings: [],
    });
  });

  const atVersion = (minor: number) => (g: ClusterFacts): ClusterFacts => ({
    ...g,
    ...(g.eks ? { eks: { ...g.eks, version: `1.${minor}` } } : {}),
    ...(g.kubernetes ? { kubernetes: { ...g.kubernetes, minor: String(minor), gitVersion: `v1.${minor}.0-eks-0000000` } } : {}),
  });

  it('version skew: green was built at 1.30, older than blue', () => {
    expect(messages(fixedPair({ green: atVersion(30), input: { addonCompatibility: undefined } }))).toStrictEqual({
      ready: false,
      blockers: [
        [
          'version-skew',
          "prod-eu-green runs Kubernetes 1.30, older than prod-eu-blue's 1.31: moving traffic to it would downgrade every workload. Rebuild prod-eu-green at 1.31 or newer, or fix the pair's greenlight.io/role labels if the roles are swapped.",
        ],
      ],
      warnings: [],
    });
  });

  it('version skew: green was built at 1.33, two minors ahead (a warning only)', () => {
    expect(messages(fixedPair({ green: atVersion(33), input: { addonCompatibility: undefined } }))).toStrictEqual({
      ready: true,
      blockers: [],
      warnings: [
        [
          'version-skew',
          "prod-eu-green runs Kubernetes 1.33, 2 minor versions newer than prod-eu-blue's 1.31: the API removals and default changes of 1.32, 1.33 all apply at once. Read each version's changes before the first weight step; rollback is moving the weight back to prod-eu-blue.",
        ],
      ],
    });
  });

  it('EKS insight: blue still calls an API removed in 1.32', () => {
    const insight: EksInsight = {
      id: 'a1b2c3d4-0000-1111-2222-333344445555',
      name: 'Deprecated APIs removed in Kubernetes v1.32',
      category: 'UPGRADE_READINESS',
      kubernetesVersion: '1.32',
      insightStatus: { status: 'ERROR', reason: 'Deprecated API usage detected within last 30 days.' },
    };
    expect(messages(fixedPair({ input: { insights: { blue: [insight], green: [] } } }))).toStrictEqual({
      ready: false,
      blockers: [
        [
          'eks-insight',
          'EKS upgrade insight "Deprecated APIs removed in Kubernetes v1.32" is ERROR on prod-eu-blue for Kubernetes 1.32, the version prod-eu-green runs: Deprecated API usage detected within last 30 days. Details: aws eks describe-insight --cluster-name prod-eu-blue --id a1b2c3d4-0000-1111-2222-333344445555.',
        ],
      ],
      warnings: [],
    });
  });

  it("facts missing: green's SSM facts are not known, so nothing can be said about its parameters", () => {
    const seeded = fixedPair({
      green: (g) => {
        const { secrets: _dropped, ...rest } = g;
        return rest;
      },
    });
    expect(messages(seeded)).toStrictEqual({
      ready: false,
      blockers: [
        [
          'facts-missing',
          'greenlight has SSM facts for prod-eu-blue but not for prod-eu-green, so it cannot compare the SSM parameters of prod-eu-blue and prod-eu-green. Enable the SSM fact source for prod-eu-green (or add the facts to its fleet file entry) and check again.',
        ],
      ],
      warnings: [],
    });
  });
});
