import { describe, expect, it } from 'vitest';
import { buildParameterSet, GreenlightError, parameterSetSchema, resolveBlueGreen } from '../../../generator/index.js';
import { aCluster, blueGreenLabels, fullFacts } from '../../support/builders.js';

const origins = [{ source: 'eks' as const, fetchedAt: '2026-11-26T08:00:00.000Z', stale: false }, { source: 'ssm' as const, fetchedAt: '2026-11-26T07:59:00.000Z', stale: false }];
const green = aCluster({
  name: 'prod-eu-green',
  project: 'platform',
  labels: { ...blueGreenLabels('prod-eu', 'green'), environment: 'prod' },
  annotations: { 'greenlight.io/weight': '020', 'greenlight.io/domain': 'eu.example.com.' },
});

describe('buildParameterSet', () => {
  it('maps every fact into its group, every leaf a string', () => {
    const facts = fullFacts('prod-eu-green', '1.32');
    const set = buildParameterSet(green, resolveBlueGreen(green, facts), { facts, origins }, { gitopsBridge: false });
    expect(set).toStrictEqual({
      cluster: {
        name: 'prod-eu-green',
        nameNormalized: 'prod-eu-green',
        server: 'https://PRODEUGREEN.gr7.eu-west-1.eks.amazonaws.com',
        project: 'platform',
        pair: 'prod-eu',
        role: 'green',
        weight: '20',
        domain: 'eu.example.com',
      },
      facts: { sources: 'eks,ssm', fetchedAt: '2026-11-26T07:59:00.000Z', stale: 'false' },
      aws: {
        accountId: '111122223333',
        region: 'eu-west-1',
        clusterName: 'prod-eu-green',
        clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu-green',
        version: '1.32',
        platformVersion: 'eks.10',
        endpoint: 'https://PRODEUGREEN.gr7.eu-west-1.eks.amazonaws.com',
        vpcId: 'vpc-0123456789abcdef0',
        oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/PRODEUGREEN',
        oidcIssuerHost: 'oidc.eks.eu-west-1.amazonaws.com/id/PRODEUGREEN',
        oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/PRODEUGREEN',
        authenticationMode: 'API',
      },
      kubernetes: { version: '1.32', gitVersion: 'v1.32.4-eks-2d5f260', major: '1', minor: '32' },
      addons: { vpc_cni: 'v1.19.2-eksbuild.1', coredns: 'v1.11.4-eksbuild.2' },
      storage: { classes: 'gp2,gp3', defaultClass: 'gp3' },
      ingress: { classes: 'alb', defaultClass: 'alb', domain: 'eu.example.com', clusterDomain: 'prod-eu-green.eu.example.com' },
      podIdentity: {
        kube_system: { aws_load_balancer_controller_sa: 'arn:aws:iam::111122223333:role/prod-eu-green-lbc' },
        external_dns: { external_dns_sa: 'arn:aws:iam::111122223333:role/prod-eu-green-external-dns' },
      },
      secrets: {
        prefix: '/greenlight/prod-eu-green/',
        count: '2',
        paths: '/greenlight/prod-eu-green/checkout/redis-url,/greenlight/prod-eu-green/payments/db-password',
        keys: {
          checkout_redis_url: '/greenlight/prod-eu-green/checkout/redis-url',
          payments_db_password: '/greenlight/prod-eu-green/payments/db-password',
        },
      },
    });
    expect(parameterSetSchema.safeParse(set).success).toBe(true);
  });

  it('adds the flat gitops-bridge keys on request', () => {
    const facts = fullFacts('prod-eu-green', '1.32');
    const set = buildParameterSet(green, resolveBlueGreen(green, facts), { facts, origins }, { gitopsBridge: true });
    expect(Object.fromEntries(Object.entries(set).filter(([, v]) => typeof v === 'string'))).toStrictEqual({
      cluster_name: 'prod-eu-green',
      environment: 'prod',
      aws_cluster_name: 'prod-eu-green',
      aws_region: 'eu-west-1',
      aws_account_id: '111122223333',
      aws_vpc_id: 'vpc-0123456789abcdef0',
      kubernetes_version: '1.32',
      route53_weight: '20',
      eks_cluster_domain: 'eu.example.com',
      aws_load_balancer_controller_iam_role_arn: 'arn:aws:iam::111122223333:role/prod-eu-green-lbc',
      aws_load_balancer_controller_namespace: 'kube-system',
      aws_load_balancer_controller_service_account: 'aws-load-balancer-controller-sa',
      external_dns_iam_role_arn: 'arn:aws:iam::111122223333:role/prod-eu-green-external-dns',
      external_dns_namespace: 'external-dns',
      external_dns_service_account: 'external-dns-sa',
    });
  });

  it('leaves out what is unknown instead of answering an empty string', () => {
    const bare = aCluster({ name: 'bare' });
    const facts = fullFacts('bare');
    const kube = facts.kubernetes!;
    const set = buildParameterSet(
      bare,
      {},
      { facts: { kubernetes: { ...kube, storageClasses: [{ name: 'a', provisioner: 'x', default: true }, { name: 'b', provisioner: 'x', default: true }], ingressClasses: [] } }, origins },
      { gitopsBridge: false },
    );
    expect(set.cluster).toStrictEqual({ name: 'bare', nameNormalized: 'bare', server: bare.server, project: 'default' });
    expect(set.storage).toStrictEqual({ classes: 'a,b' });
    expect(set.ingress).toStrictEqual({ classes: '' });
    expect(set.aws).toBeUndefined();
    expect(set.secrets).toBeUndefined();
  });

  it('takes the Kubernetes version from EKS when the cluster API was not read', () => {
    const set = buildParameterSet(aCluster({ name: 'x' }), {}, { facts: { eks: fullFacts('x', '1.30').eks }, origins }, { gitopsBridge: false });
    expect(set.kubernetes).toStrictEqual({ version: '1.30', major: '1', minor: '30' });
  });

  it('refuses names that collide as output keys', () => {
    const facts = { addons: [{ name: 'my-addon', version: '1' }, { name: 'my_addon', version: '2' }] };
    expect(() => buildParameterSet(aCluster({ name: 'x' }), {}, { facts, origins }, { gitopsBridge: false })).toThrow(GreenlightError);
    expect(() => buildParameterSet(aCluster({ name: 'x' }), {}, { facts, origins }, { gitopsBridge: false })).toThrow(
      'cluster "x": add-ons "my-addon" and "my_addon" both become the output key "my_addon"; rename one of them',
    );
  });
});
