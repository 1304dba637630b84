/** Construction and per-cluster checks that need no network: the client factory must never be called. */
import { expect, test } from 'vitest';
import { InputError, UpstreamError } from '../../../../../generator/index.js';
import { DEFAULT_SSM_PREFIX_TEMPLATE, SsmSecretPathSource } from '../../../../../plugin/adapters/ssm/ssm-secret-path-source.js';
import { anAwsCluster as cluster, noAwsClient as noClient, OFFLINE_CREDENTIALS as credentials, withoutAws } from '../../../../support/fake-aws.js';

const make = (prefixTemplate?: string, region?: string) =>
  new SsmSecretPathSource({ credentials, ...(prefixTemplate !== undefined ? { prefixTemplate } : {}), ...(region !== undefined ? { region } : {}) }, noClient);


test('the default prefix is /greenlight/{{cluster.name}}/', () => {
  expect(DEFAULT_SSM_PREFIX_TEMPLATE).toBe('/greenlight/{{cluster.name}}/');
  expect(() => make()).not.toThrow();
});

test.each([
  ['/greenlight/{{cluster.name', /does not compile/],
  ['/greenlight/{{cluster.nmae}}/', /"cluster.nmae" is not defined/],
  ['/greenlight/{{cluster.name}}', /must start and end with "\/"/],
  ['greenlight/{{cluster.name}}/', /must start and end with "\/"/],
  ['/green light/{{cluster.name}}/', /must start and end with "\/"/],
  ['/', /must start and end with "\/"/],
])('template %s fails at construction', (template, message) => {
  expect(() => make(template)).toThrow(InputError);
  expect(() => make(template)).toThrow(message);
});

test('labels, annotations and [[ ]] are accepted at construction (checked per cluster)', () => {
  expect(() => make('/apps/{{cluster.labels.env}}/{{cluster.annotations.team}}/')).not.toThrow();
  expect(() => make('/apps/[[aws.region]]/[[cluster.nameNormalized]]/')).not.toThrow();
});

test('a fallback region must be a region name', () => {
  expect(() => make(undefined, 'Ireland')).toThrow(/not an AWS region name/);
});

test('appliesTo: clusters with awsAuthConfig', () => {
  const plain = withoutAws(cluster());
  expect(make().appliesTo(cluster())).toBe(true);
  expect(make().appliesTo(plain)).toBe(false);
});

test('a label the cluster lacks fails that cluster, naming it, without calling AWS', async () => {
  const err = await make('/apps/{{cluster.labels.env}}/').fetch(cluster(), new AbortController().signal).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UpstreamError);
  expect((err as UpstreamError).code).toBe('GL_CLUSTER_INVALID');
  expect((err as UpstreamError).message).toContain('cluster "prod" (Secret argocd/prod): the SSM prefix template "/apps/{{cluster.labels.env}}/" fails for this cluster');
});

test('a server that is not an EKS endpoint and no fallback region fails naming the cluster', async () => {
  const err = await make().fetch(cluster({ server: 'https://k8s.example.com' }), new AbortController().signal).catch((e: unknown) => e);
  expect((err as UpstreamError).code).toBe('GL_CLUSTER_INVALID');
  expect((err as UpstreamError).message).toContain("set greenlight's SSM fallback region");
});
