/**
 * Fake EKS clusters for the drift audit: a fake API server (TLS, a bearer token) holding the EKS
 * baseline and whatever a test adds, with the Argo CD connection greenlight would read from the
 * cluster Secret. Closed after each test by `kubeServersPerTest`.
 */
import type { ClusterRecord } from '../../generator/index.js';
import { clusterConfigSchema, type ClusterConnection } from '../../plugin/adapters/argocd/cluster-connection.js';
import { clusterCaData, clusterTls } from './cluster-tls.js';
import type { FakeKubeApiServer, FakeKubeApiServerOptions } from './fake-kube-apiserver.js';
import { FakeKubeObjects, type KubeObject } from './fake-kube-objects.js';
import { EKS_PREFERRED, EKS_TYPES, eksBaseline } from '../fixtures/drift/eks-baseline.js';

export const DRIFT_TOKEN = 'fake-drift-bearer-token-not-secret';

export interface DriftCluster {
  readonly api: FakeKubeApiServer;
  readonly store: FakeKubeObjects;
  readonly record: ClusterRecord;
  readonly connection: ClusterConnection;
}

/** A store with the EKS resource types and preferred versions, and `objects`. */
export function eksStore(objects: readonly KubeObject[] = eksBaseline()): FakeKubeObjects {
  const store = new FakeKubeObjects().define(...EKS_TYPES);
  for (const [group, version] of Object.entries(EKS_PREFERRED)) store.prefer(group, version);
  return store.put(...objects);
}

export async function startDriftCluster(
  serve: (options: FakeKubeApiServerOptions) => Promise<FakeKubeApiServer>,
  name: string,
  objects: readonly KubeObject[] = eksBaseline(),
): Promise<DriftCluster> {
  const store = eksStore(objects);
  const api = await serve({ tls: clusterTls(), auth: { bearerTokens: { [DRIFT_TOKEN]: 'system:serviceaccount:argocd:argocd-manager' } }, objects: store });
  const record: ClusterRecord = { name, server: api.url, project: 'default', labels: {}, annotations: {}, origin: `Secret argocd/cluster-${name}` };
  const connection: ClusterConnection = {
    name,
    server: api.url,
    inCluster: false,
    config: clusterConfigSchema.parse({ bearerToken: DRIFT_TOKEN, tlsClientConfig: { caData: clusterCaData(), insecure: false } }),
  };
  return { api, store, record, connection };
}

/** `ClusterConnections` over some drift clusters. */
export const connectionsOf = (...clusters: DriftCluster[]) => {
  const byName = new Map(clusters.map((c) => [c.record.name, c.connection]));
  return { connectionFor: (name: string) => byName.get(name) };
};
