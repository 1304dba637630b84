/** Builders for core tests: realistic clusters and facts with obviously fake identifiers. */
import type { ClusterFacts, ClusterRecord } from '../../generator/index.js';

export function aCluster(overrides: Partial<ClusterRecord> & { name: string }): ClusterRecord {
  return {
    server: `https://${overrides.name.toUpperCase().replace(/[^A-Z0-9]/g, '')}.gr7.eu-west-1.eks.amazonaws.com`,
    project: 'default',
    labels: {},
    annotations: {},
    origin: `test fleet (cluster ${overrides.name})`,
    ...overrides,
  };
}

export function blueGreenLabels(pair: string, role: string): Record<string, string> {
  return { 'greenlight.io/pair': pair, 'greenlight.io/role': role };
}

export function eksFactsFor(clusterName: string, version = '1.31', extra: Partial<NonNullable<ClusterFacts['eks']>> = {}): NonNullable<ClusterFacts['eks']> {
  const id = clusterName.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(8, '0');
  return {
    accountId: '111122223333',
    region: 'eu-west-1',
    clusterName,
    clusterArn: `arn:aws:eks:eu-west-1:111122223333:cluster/${clusterName}`,
    version,
    platformVersion: 'eks.10',
    endpoint: `https://${id}.gr7.eu-west-1.eks.amazonaws.com`,
    vpcId: 'vpc-0123456789abcdef0',
    oidcIssuer: `https://oidc.eks.eu-west-1.amazonaws.com/id/${id}`,
    oidcProviderArn: `arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/${id}`,
    authenticationMode: 'API',
    tags: {},
    ...extra,
  };
}

export function fullFacts(clusterName: string, version = '1.31'): ClusterFacts {
  return {
    eks: eksFactsFor(clusterName, version),
    podIdentity: [
      { namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller-sa', roleArn: `arn:aws:iam::111122223333:role/${clusterName}-lbc` },
      { namespace: 'external-dns', serviceAccount: 'external-dns-sa', roleArn: `arn:aws:iam::111122223333:role/${clusterName}-external-dns` },
    ],
    addons: [
      { name: 'vpc-cni', version: 'v1.19.2-eksbuild.1' },
      { name: 'coredns', version: 'v1.11.4-eksbuild.2' },
    ],
    kubernetes: {
      gitVersion: `v${version}.4-eks-2d5f260`,
      major: '1',
      minor: `${version.split('.')[1]}+`,
      storageClasses: [
        { name: 'gp3', provisioner: 'ebs.csi.aws.com', default: true },
        { name: 'gp2', provisioner: 'kubernetes.io/aws-ebs', default: false },
      ],
      ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb', default: true }],
      apiVersions: ['v1', 'apps/v1'],
    },
    secrets: {
      prefix: `/greenlight/${clusterName}/`,
      names: [`/greenlight/${clusterName}/payments/db-password`, `/greenlight/${clusterName}/checkout/redis-url`],
    },
  };
}
