/** EksFactSource passes the FactSource contract over the local fake AWS. */
import { EKSClient } from '@aws-sdk/client-eks';
import { EksFactSource } from '../../plugin/adapters/eks/eks-fact-source.js';
import { factSourceContract } from '../contract/fact-source.contract.js';
import { clusterRecordFor, startFakeAws, withoutAws, fakeAwsCredentials } from '../support/fake-aws.js';

factSourceContract('EksFactSource over the fake AWS', async () => {
  const fake = await startFakeAws();
  const credentials = fakeAwsCredentials(fake);
  const source = new EksFactSource({ credentials }, (region, creds) => new EKSClient({ region, credentials: creds, endpoint: fake.endpoint, maxAttempts: 1 }));
  const cluster = fake.addCluster({ name: 'contract-green', tags: { 'greenlight.io/role': 'green' } });
  fake.addPodIdentityAssociation({ clusterName: cluster.name, namespace: 'kube-system', serviceAccount: 'ebs-csi', roleArn: 'arn:aws:iam::111111111111:role/ebs' });
  fake.addAddon({ clusterName: cluster.name, name: 'vpc-cni', version: 'v1.19.2-eksbuild.1' });
  const known = clusterRecordFor(cluster);
  const unrelated = withoutAws(known);
  return {
    source,
    known,
    unrelated: { ...unrelated, name: 'not-on-aws', server: 'https://kubernetes.default.svc' },
    // A cluster name EKS does not know: ResourceNotFoundException.
    failing: () => clusterRecordFor(cluster, { name: 'contract-typo', clusterName: 'contract-typo' }),
    slow: () => {
      fake.inject('DescribeCluster', { kind: 'hang' });
      return known;
    },
    reset: () => fake.clearFaults(),
    close: async () => {
      source.close();
      credentials.close();
      await fake.close();
    },
  };
});
