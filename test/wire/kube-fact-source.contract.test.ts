import { KubeClientFactory } from '../../plugin/adapters/kubernetes/kube-client-factory.js';
import { KubeFactSource } from '../../plugin/adapters/kubernetes/kube-fact-source.js';
import { clusterConfigSchema, type ClusterConnection } from '../../plugin/adapters/argocd/cluster-connection.js';
import { createLogger } from '../../plugin/logger.js';
import { factSourceContract } from '../contract/fact-source.contract.js';
import { aCluster } from '../support/builders.js';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver.js';

factSourceContract('KubeFactSource over the fake kube-apiserver', async () => {
  const api = await FakeKubeApiServer.start({ storageClasses: [{ name: 'gp3', provisioner: 'ebs.csi.aws.com' }] });
  const green = aCluster({ name: 'prod-eu-green', server: api.url });
  const connection: ClusterConnection = { name: green.name, server: api.url, inCluster: false, config: clusterConfigSchema.parse({ tlsClientConfig: { insecure: true } }) };
  const source = new KubeFactSource(
    { logger: createLogger('silent') },
    { connectionFor: (name) => (name === green.name ? connection : undefined) },
    new KubeClientFactory(),
  );
  return {
    source,
    known: green,
    unrelated: aCluster({ name: 'not-in-argocd' }),
    failing: () => (api.failRequests({ path: '/version', status: 500 }), green),
    slow: () => (api.delayRequests({ path: /./, ms: 10_000, times: 100 }), green),
    reset: () => api.reset(),
    close: () => api.close(),
  };
});
