/**
 * @module Fleets of N clusters for benchmarks: fleet files with the facts a real EKS cluster has
 * (the demo fleet's shape: five Pod Identity associations, five add-ons, storage and ingress
 * classes, three SSM paths), and the getparams request that selects all of them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterFacts } from '../../generator/index.js';

export const BENCH_TOKEN = 'bench-token-not-a-secret-000000';
export const GETPARAMS_PATH = '/api/v1/getparams.execute';

const ACCOUNT = '111122223333';

/** A cluster name with a pair and role, so that the answer exercises the blue/green keys. */
export function benchClusterName(i: number): string {
  return `prod-${String(Math.floor(i / 2)).padStart(4, '0')}-${i % 2 === 0 ? 'blue' : 'green'}`;
}

/** The labels and annotations of bench cluster `i`: its pair, role (even blue, odd green) and weight. */
export function benchClusterMetadata(name: string, i: number): { labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    labels: {
      'argocd.argoproj.io/secret-type': 'cluster',
      environment: 'prod',
      'greenlight.io/pair': name.replace(/-(blue|green)$/, ''),
      'greenlight.io/role': i % 2 === 0 ? 'blue' : 'green',
    },
    annotations: { 'greenlight.io/weight': i % 2 === 0 ? '100' : '0', 'greenlight.io/domain': 'eu.example.com' },
  };
}

function hexId(i: number): string {
  return (i.toString(16).toUpperCase().padStart(8, '0') + '6A1F0B3C9D2E4F5A6B7C8D9E').slice(0, 32);
}

/** Facts as EKS, the cluster's API and SSM give them for a production cluster. */
export function realisticFacts(name: string, i: number): ClusterFacts {
  const id = hexId(i);
  const version = i % 2 === 0 ? '1.31' : '1.32';
  const role = (sa: string) => `arn:aws:iam::${ACCOUNT}:role/${name}-${sa}`;
  return {
    eks: {
      accountId: ACCOUNT,
      region: 'eu-west-1',
      clusterName: name,
      clusterArn: `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/${name}`,
      version,
      platformVersion: 'eks.21',
      endpoint: `https://${id}.gr7.eu-west-1.eks.amazonaws.com`,
      vpcId: `vpc-0a1b2c3d${i.toString(16).padStart(9, '0')}`,
      oidcIssuer: `https://oidc.eks.eu-west-1.amazonaws.com/id/${id}`,
      oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/${id}`,
      authenticationMode: 'API_AND_CONFIG_MAP',
      status: 'ACTIVE',
      tags: { team: 'platform' },
    },
    podIdentity: [
      { namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller-sa', roleArn: role('aws-load-balancer-controller') },
      { namespace: 'external-dns', serviceAccount: 'external-dns-sa', roleArn: role('external-dns') },
      { namespace: 'external-secrets', serviceAccount: 'external-secrets-sa', roleArn: role('external-secrets') },
      { namespace: 'kube-system', serviceAccount: 'ebs-csi-controller-sa', roleArn: role('ebs-csi') },
      { namespace: 'payments', serviceAccount: 'payments-api', roleArn: role('payments-api') },
    ],
    addons: [
      { name: 'vpc-cni', version: 'v1.19.2-eksbuild.1' },
      { name: 'coredns', version: 'v1.11.4-eksbuild.2' },
      { name: 'kube-proxy', version: `v${version}.3-eksbuild.2` },
      { name: 'aws-ebs-csi-driver', version: 'v1.38.1-eksbuild.1' },
      { name: 'eks-pod-identity-agent', version: 'v1.3.4-eksbuild.1' },
    ],
    kubernetes: {
      gitVersion: `v${version}.4-eks-2d5f260`,
      major: '1',
      minor: version.split('.')[1] ?? '31',
      storageClasses: [
        { name: 'gp2', provisioner: 'kubernetes.io/aws-ebs', default: false },
        { name: 'gp3', provisioner: 'ebs.csi.aws.com', default: true },
      ],
      ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb', default: true }],
      apiVersions: ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'policy/v1', 'autoscaling/v2', 'storage.k8s.io/v1'],
    },
    secrets: {
      prefix: `/greenlight/${name}/`,
      names: [`/greenlight/${name}/payments/db-password`, `/greenlight/${name}/payments/stripe-api-key`, `/greenlight/${name}/checkout/redis-url`],
    },
  };
}

/** The fleet file document for `count` clusters (JSON, which is YAML). */
export function fleetDocument(count: number): object {
  return {
    apiVersion: 'greenlight.io/v1alpha1',
    kind: 'Fleet',
    clusters: Array.from({ length: count }, (_, i) => {
      const name = benchClusterName(i);
      return {
        name,
        server: `https://${hexId(i)}.gr7.eu-west-1.eks.amazonaws.com`,
        project: 'platform',
        ...benchClusterMetadata(name, i),
        aws: { clusterName: name, roleArn: `arn:aws:iam::${ACCOUNT}:role/argocd-deployer` },
        facts: realisticFacts(name, i),
      };
    }),
  };
}

/** A temporary directory holding fleet files; `remove()` deletes it. */
export class FleetFiles {
  readonly dir = mkdtempSync(join(tmpdir(), 'greenlight-bench-'));

  /** Writes the fleet of `count` clusters and returns its path. */
  write(count: number): string {
    const path = join(this.dir, `fleet-${count}.yaml`);
    writeFileSync(path, JSON.stringify(fleetDocument(count)));
    return path;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The controller's request for every cluster of the fleet, with one `vars` template: what a
 * typical ApplicationSet asks (the trailing newline is Go's encoder's).
 */
export function allClustersRequest(applicationSetName = 'bench'): string {
  return `${JSON.stringify({
    applicationSetName,
    input: { parameters: { selector: { matchLabels: { environment: 'prod' } }, vars: { host: 'web.{{cluster.nameNormalized}}.{{ingress.domain}}' } } },
  })}\n`;
}

/** Headers the controller sends (contract §1.2), minus those the load generator sets itself. */
export function controllerHeaders(token = BENCH_TOKEN): Record<string, string> {
  return {
    'user-agent': 'argocd-applicationset',
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
}
