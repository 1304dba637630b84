/** Checks that need no network: the client factory must never be called. */
import { expect, test } from 'vitest';
import { UpstreamError } from '../../../../../generator/index.js';
import { EksFactSource } from '../../../../../plugin/adapters/eks/eks-fact-source.js';
import { anAwsCluster as cluster, noAwsClient as noClient, OFFLINE_CREDENTIALS as credentials, withoutAws } from '../../../../support/fake-aws.js';


test('appliesTo: clusters with awsAuthConfig.clusterName only', () => {
  const source = new EksFactSource({ credentials }, noClient);
  const plain = withoutAws(cluster());
  expect(source.appliesTo(cluster())).toBe(true);
  expect(source.appliesTo(plain)).toBe(false);
  expect(source.appliesTo(cluster({ aws: { clusterName: '' } }))).toBe(false);
});

test('a fallback region must be a region name', () => {
  expect(() => new EksFactSource({ credentials, region: 'Ireland' }, noClient)).toThrow(/not an AWS region name/);
});

test('without a region, the fetch fails naming the cluster and what to set', async () => {
  const err = await new EksFactSource({ credentials }, noClient)
    .fetch(cluster({ server: 'https://k8s.example.com' }), new AbortController().signal)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UpstreamError);
  expect((err as UpstreamError).code).toBe('GL_CLUSTER_INVALID');
  expect((err as UpstreamError).message).toBe(
    "cluster \"prod\" (Secret argocd/prod): EKS facts cannot tell the cluster's AWS region: its server https://k8s.example.com is not an EKS endpoint (https://<id>.<zone>.<region>.eks.amazonaws.com); set greenlight's EKS fallback region",
  );
});
