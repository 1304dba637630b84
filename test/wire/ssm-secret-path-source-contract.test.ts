/** SsmSecretPathSource passes the FactSource contract over the local fake AWS. */
import { SSMClient } from '@aws-sdk/client-ssm';
import { SsmSecretPathSource } from '../../plugin/adapters/ssm/ssm-secret-path-source.js';
import { factSourceContract } from '../contract/fact-source.contract.js';
import { clusterRecordFor, startFakeAws, withoutAws, fakeAwsCredentials } from '../support/fake-aws.js';

factSourceContract('SsmSecretPathSource over the fake AWS', async () => {
  const fake = await startFakeAws();
  const credentials = fakeAwsCredentials(fake);
  const source = new SsmSecretPathSource({ credentials }, (region, creds) => new SSMClient({ region, credentials: creds, endpoint: fake.endpoint, maxAttempts: 1 }));
  const known = clusterRecordFor(fake.addCluster({ name: 'contract-green' }));
  fake.putParameter({ name: '/greenlight/contract-green/db/password', value: 'CANARY-contract' });
  const unrelated = withoutAws(known);
  return {
    source,
    known,
    unrelated: { ...unrelated, name: 'not-on-aws', server: 'https://kubernetes.default.svc' },
    failing: () => {
      fake.inject('GetParametersByPath', { kind: 'access-denied' });
      return known;
    },
    slow: () => {
      fake.inject('GetParametersByPath', { kind: 'hang' });
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
