import { describe, expect, test } from 'vitest';
import { accountOfRole, isRegion, oidcProviderArn, parseArn, regionFromServer } from '../../../../../plugin/adapters/aws/aws-identifiers.js';

describe('regionFromServer', () => {
  test.each([
    ['https://B71D57034832AE613931C831654F488F.gr7.eu-west-1.eks.amazonaws.com', 'eu-west-1'],
    ['https://ABC.yl4.us-east-2.eks.amazonaws.com', 'us-east-2'],
    ['https://abc.sk1.ap-southeast-2.eks.amazonaws.com:443', 'ap-southeast-2'],
    ['https://ABC.gr7.us-gov-west-1.eks.amazonaws.com', 'us-gov-west-1'],
    ['https://ABC.yl4.cn-north-1.eks.amazonaws.com.cn', 'cn-north-1'],
    ['https://ABC.GR7.EU-WEST-1.EKS.AMAZONAWS.COM/', 'eu-west-1'],
  ])('%s is in %s', (server, region) => {
    expect(regionFromServer(server)).toBe(region);
  });

  test.each([
    'https://kubernetes.default.svc',
    'https://k8s.private.example.com',
    'https://eks.amazonaws.com',
    'https://abc.eu-west-1.eks.amazonaws.com.evil.example.com',
    'https://abc.not_a_region.eks.amazonaws.com',
    'not a url',
  ])('%s is not an EKS endpoint', (server) => {
    expect(regionFromServer(server)).toBeUndefined();
  });
});

test('isRegion', () => {
  expect(isRegion('eu-west-1')).toBe(true);
  expect(isRegion('il-central-1')).toBe(true);
  expect(isRegion('europe')).toBe(false);
});

describe('parseArn', () => {
  test('an EKS cluster ARN', () => {
    expect(parseArn('arn:aws:eks:eu-west-1:123456789012:cluster/prod')).toEqual({
      partition: 'aws',
      service: 'eks',
      region: 'eu-west-1',
      accountId: '123456789012',
      resource: 'cluster/prod',
    });
  });
  test('another partition', () => {
    expect(parseArn('arn:aws-cn:eks:cn-north-1:123456789012:cluster/x')?.partition).toBe('aws-cn');
  });
  test('not an ARN', () => {
    expect(parseArn('cluster/prod')).toBeUndefined();
    expect(parseArn('arn:aws:eks:eu-west-1:1234:cluster/prod')).toBeUndefined();
  });
});

test('accountOfRole', () => {
  expect(accountOfRole('arn:aws:iam::222222222222:role/path/reader')).toBe('222222222222');
  expect(accountOfRole('arn:aws:iam::222222222222:user/someone')).toBeUndefined();
  expect(accountOfRole('arn:aws:sts::222222222222:assumed-role/r/s')).toBeUndefined();
});

test('oidcProviderArn is what IRSA trust policies name, in the cluster’s partition', () => {
  expect(oidcProviderArn('aws', '123456789012', 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF')).toBe(
    'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF',
  );
  expect(oidcProviderArn('aws-cn', '123456789012', 'https://oidc.eks.cn-north-1.amazonaws.com.cn/id/X/')).toBe(
    'arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/X',
  );
});
