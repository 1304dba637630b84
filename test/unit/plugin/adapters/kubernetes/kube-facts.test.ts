import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  apiGroupListSchema,
  apiVersionsOf,
  ingressClassesOf,
  ingressClassListSchema,
  storageClassesOf,
  storageClassListSchema,
  versionOf,
} from '../../../../../plugin/adapters/kubernetes/kube-facts.js';
import { describeKubeFailure } from '../../../../../plugin/adapters/kubernetes/kube-request.js';

describe('versionOf', () => {
  it('strips the "+" managed control planes add to minor', () => {
    expect(versionOf({ gitVersion: 'v1.31.4-eks-2d5f260', major: '1', minor: '31+' })).toEqual({ gitVersion: 'v1.31.4-eks-2d5f260', major: '1', minor: '31' });
  });

  it('falls back to gitVersion when major or minor is empty', () => {
    expect(versionOf({ gitVersion: 'v1.30.2+k3s1', major: '', minor: '' })).toEqual({ gitVersion: 'v1.30.2+k3s1', major: '1', minor: '30' });
  });

  it('throws when no version can be read', () => {
    expect(() => versionOf({ gitVersion: 'unknown', major: '', minor: '' })).toThrow('has no major.minor');
  });
});

describe('class lists', () => {
  it('marks the default StorageClass by the GA or the beta annotation', () => {
    const list = storageClassListSchema.parse({
      items: [
        { metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'ebs.csi.aws.com' },
        { metadata: { name: 'gp2', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kubernetes.io/aws-ebs' },
        { metadata: { name: 'efs' }, provisioner: 'efs.csi.aws.com' },
        { metadata: { name: 'io2', annotations: { 'storageclass.kubernetes.io/is-default-class': 'false' } }, provisioner: 'ebs.csi.aws.com' },
      ],
    });
    expect(storageClassesOf(list)).toEqual([
      { name: 'efs', provisioner: 'efs.csi.aws.com', default: false },
      { name: 'gp2', provisioner: 'kubernetes.io/aws-ebs', default: true },
      { name: 'gp3', provisioner: 'ebs.csi.aws.com', default: true },
      { name: 'io2', provisioner: 'ebs.csi.aws.com', default: false },
    ]);
  });

  it('marks the default IngressClass by its annotation', () => {
    const list = ingressClassListSchema.parse({
      items: [
        { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } },
        { metadata: { name: 'alb', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'ingress.k8s.aws/alb' } },
      ],
    });
    expect(ingressClassesOf(list)).toEqual([
      { name: 'alb', controller: 'ingress.k8s.aws/alb', default: true },
      { name: 'nginx', controller: 'k8s.io/ingress-nginx', default: false },
    ]);
  });

  it('rejects answers without what greenlight relies on', () => {
    expect(storageClassListSchema.safeParse({ items: [{ metadata: { name: 'x' } }] }).success).toBe(false);
    expect(ingressClassListSchema.safeParse({ items: [{ metadata: { name: 'x' }, spec: {} }] }).success).toBe(false);
  });
});

describe('apiVersionsOf', () => {
  it('merges core versions and group versions, sorted and unique', () => {
    const groups = apiGroupListSchema.parse({
      groups: [
        { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] },
        { name: 'autoscaling', versions: [{ groupVersion: 'autoscaling/v2' }, { groupVersion: 'autoscaling/v1' }] },
      ],
    });
    expect(apiVersionsOf({ versions: ['v1'] }, groups)).toEqual(['apps/v1', 'autoscaling/v1', 'autoscaling/v2', 'v1']);
  });
});

describe('describeKubeFailure', () => {
  it('reads the Status message of an API error', () => {
    const body = JSON.stringify({ kind: 'Status', code: 403, message: 'secrets is forbidden: User "x" cannot list resource "secrets"' });
    expect(describeKubeFailure(new ApiException(403, 'Unknown API Status Code!', body, {}))).toEqual({
      kind: 'http',
      status: 403,
      detail: 'secrets is forbidden: User "x" cannot list resource "secrets"',
    });
    expect(describeKubeFailure(new ApiException(401, 'Unauthorized', undefined, {}))).toEqual({ kind: 'http', status: 401, detail: 'HTTP 401' });
  });

  it('tells network, TLS and cancellation apart', () => {
    const refused = Object.assign(new Error('request to https://10.0.0.1/version failed, reason: connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });
    expect(describeKubeFailure(refused)).toEqual({ kind: 'network', detail: 'connect ECONNREFUSED 10.0.0.1:443' });
    const tls = Object.assign(new Error('request to https://x/version failed, reason: self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(describeKubeFailure(tls)).toEqual({ kind: 'tls', detail: 'self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)' });
    expect(describeKubeFailure(Object.assign(new Error('aborted'), { name: 'AbortError' })).kind).toBe('aborted');
    expect(describeKubeFailure(Object.assign(new Error('Gone'), { statusCode: 410 }))).toEqual({ kind: 'http', status: 410, detail: 'Gone' });
  });
});
