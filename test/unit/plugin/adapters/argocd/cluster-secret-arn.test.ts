/** Cluster Secrets whose `server` is an EKS cluster ARN, as the EKS-managed Argo CD capability registers them. */
import { describe, expect, it } from 'vitest';
import { buildManagedClusterSecret, parseClusterSecret, type SecretEntry } from '../../../../../plugin/adapters/argocd/cluster-secret.js';
import { eksEndpointDiffers, readEksClusterArn, regionFromServer } from '../../../../../plugin/adapters/aws/aws-identifiers.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const LABELS = { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu' };
const ARN = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu-green';
const encoded = (plain: Record<string, string>) => Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, b64(v)]));
const secret = (data: Record<string, string>) => ({ metadata: { name: 'cluster-x', namespace: 'argocd', resourceVersion: '7', labels: LABELS }, data: encoded(data) });

function problemOf(entry: SecretEntry) {
  if (entry.kind !== 'problem') throw new Error(`expected a problem, got ${entry.kind}`);
  return entry.problem.reason;
}

describe('readEksClusterArn', () => {
  it.each([
    [ARN, { partition: 'aws', region: 'eu-west-1', accountId: '111122223333', name: 'prod-eu-green' }],
    ['arn:aws-cn:eks:cn-north-1:111122223333:cluster/c_1', { partition: 'aws-cn', region: 'cn-north-1', accountId: '111122223333', name: 'c_1' }],
    ['arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/G', { partition: 'aws-us-gov', region: 'us-gov-west-1', accountId: '111122223333', name: 'G' }],
  ])('reads %s', (arn, parts) => {
    expect(readEksClusterArn(arn)).toEqual({ arn: { arn, ...parts } });
  });

  it.each([
    ['arn:aws:eks:eu-west-1:111122223333:cluster', 'it does not name a cluster (cluster/NAME)'],
    ['arn:aws:eks:eu-west-1:cluster/a', 'it is not of the form arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME'],
    ['arn:aws:eks:eu-west-1:111122223333:cluster/a:b', 'it is not of the form arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME'],
    ['arn:aws-iso:eks:us-iso-east-1:111122223333:cluster/a', 'its partition "aws-iso" is not aws, aws-cn or aws-us-gov'],
    ['arn:aws:iam::111122223333:role/a', 'its service "iam" is not eks'],
    ['arn:aws:eks:EU-WEST-1:111122223333:cluster/a', 'its region "EU-WEST-1" is not an AWS region name such as eu-west-1'],
    ['arn:aws:eks:cn-north-1:111122223333:cluster/a', 'its region "cn-north-1" is not in partition aws'],
    ['arn:aws-cn:eks:eu-west-1:111122223333:cluster/a', 'its region "eu-west-1" is not in partition aws-cn'],
    ['arn:aws:eks:eu-west-1:11112222333:cluster/a', 'its account "11112222333" is not a 12-digit AWS account ID'],
    ['arn:aws:eks:eu-west-1:111122223333:nodegroup/a/b/c', 'it does not name a cluster (cluster/NAME)'],
    ['arn:aws:eks:eu-west-1:111122223333:cluster/-a', 'its cluster name "-a" is not an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit)'],
    ['arn:aws:eks:eu-west-1:111122223333:cluster/a/b', 'its cluster name "a/b" is not an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit)'],
    [`arn:aws:eks:eu-west-1:111122223333:cluster/${'a'.repeat(101)}`, `its cluster name "${'a'.repeat(101)}" is not an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit)`],
  ])('refuses %s', (arn, problem) => {
    expect(readEksClusterArn(arn)).toEqual({ problem });
  });

  it('gives the region of an ARN server, and never calls it another endpoint', () => {
    expect(regionFromServer(ARN)).toBe('eu-west-1');
    expect(regionFromServer('arn:aws:eks:nowhere:1:cluster/x')).toBeUndefined();
    expect(eksEndpointDiffers(ARN, 'https://ABC.gr7.eu-west-1.eks.amazonaws.com')).toBe(false);
  });
});

describe('parseClusterSecret with an ARN server', () => {
  it('reads the capability\'s Secret (no config): the ARN stays the server, the EKS cluster name comes from it', () => {
    const entry = parseClusterSecret(secret({ name: 'prod-eu-green', server: ARN, project: 'default' }), 'argocd');
    expect(entry).toEqual({
      kind: 'cluster',
      secretName: 'cluster-x',
      resourceVersion: '7',
      record: { name: 'prod-eu-green', server: ARN, project: 'default', labels: LABELS, annotations: {}, origin: 'Secret argocd/cluster-x', aws: { clusterName: 'prod-eu-green' } },
      connection: {
        name: 'prod-eu-green',
        server: ARN,
        inCluster: false,
        config: { tlsClientConfig: { insecure: false } },
        secret: { namespace: 'argocd', name: 'cluster-x' },
        eksArn: { arn: ARN, partition: 'aws', region: 'eu-west-1', accountId: '111122223333', name: 'prod-eu-green' },
      },
    });
  });

  it('names what is wrong with an ARN that is not an EKS cluster ARN', () => {
    expect(problemOf(parseClusterSecret(secret({ name: 'a', server: 'arn:aws:eks:eu-west-1:111122223333:nodegroup/a/b/c' }), 'argocd'))).toBe(
      'data.server (arn:aws:eks:eu-west-1:111122223333:nodegroup/a/b/c) is not an EKS cluster ARN: it does not name a cluster (cluster/NAME). ' +
        "The EKS-managed Argo CD registers clusters by ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME); others by the API server's https:// URL",
    );
  });

  it('refuses credentials in the config of an ARN Secret, naming them but never their values', () => {
    const config = JSON.stringify({ bearerToken: 'fake-token-must-not-leak' });
    const reason = problemOf(parseClusterSecret(secret({ name: 'a', server: ARN, config }), 'argocd'));
    expect(reason).toBe(
      `data.server is an EKS cluster ARN (${ARN}), reached with greenlight's own AWS identity through an EKS access entry, but data.config gives a bearerToken, ` +
        "which greenlight does not use with an ARN: remove it from data.config, or set data.server to the cluster's https:// endpoint",
    );
    const aws = JSON.stringify({ awsAuthConfig: { clusterName: 'other' } });
    expect(problemOf(parseClusterSecret(secret({ name: 'a', server: ARN, config: aws }), 'argocd'))).toContain('data.config gives an EKS token (awsAuthConfig)');
  });

  it('reads back what register --managed-argocd writes', () => {
    const built = buildManagedClusterSecret({ name: 'green', namespace: 'argocd', clusterArn: ARN, project: 'platform', labels: { 'greenlight.io/role': 'green' }, annotations: { 'greenlight.io/weight': '0' } });
    expect(built).toEqual({
      ref: { namespace: 'argocd', name: 'cluster-green' },
      labels: { 'greenlight.io/role': 'green', 'argocd.argoproj.io/secret-type': 'cluster' },
      annotations: { 'greenlight.io/weight': '0' },
      stringData: { name: 'green', server: ARN, project: 'platform' },
    });
    const entry = parseClusterSecret({ metadata: { name: built.ref.name, labels: built.labels, annotations: built.annotations }, data: encoded(built.stringData) }, 'argocd');
    expect(entry).toMatchObject({ kind: 'cluster', record: { name: 'green', server: ARN, aws: { clusterName: 'prod-eu-green' }, labels: { 'greenlight.io/role': 'green' } } });
  });
});
