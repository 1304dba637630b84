/** @module The drift inputs of a live fleet: the scanner over each cluster's own API, and argocd-cm. Imported only in live mode. */
import { ArgoCdSettings } from '../adapters/argocd/argocd-settings.js';
import type { ClusterConnections } from '../adapters/argocd/cluster-connection.js';
import { AwsCredentials } from '../adapters/aws/aws-credentials.js';
import { EksEndpoints } from '../adapters/eks/eks-endpoints.js';
import { KubeDriftScanner } from '../adapters/kubernetes/drift-scanner.js';
import type { Config } from '../config.js';
import type { LiveAws } from '../live-fleet.js';
import type { Logger } from '../logger.js';
import type { DriftInputs } from './drift.js';

export function openLiveDriftInputs(config: Config, namespace: string, connections: ClusterConnections, aws: LiveAws | undefined, logger: Logger): DriftInputs {
  const { facts, drift } = config;
  // Without the live fleet's credentials (tests, tools), make and own a set.
  const own = AwsCredentials.sharedOrOwn(aws?.credentials, facts);
  const credentials = own.credentials;
  const eksEndpoints = EksEndpoints.fromConfig({ credentials, maxAttempts: 1, ...(aws ? { decorateClient: aws.decorateEksClient } : {}) });
  const scanner = KubeDriftScanner.fromConfig({
    connections,
    logger,
    awsCredentials: credentials,
    eksEndpoints,
    defaultRegion: facts.awsRegion,
    stsEndpoint: facts.stsEndpoint,
    ratePerSecond: drift.ratePerSecond,
    pageSize: drift.pageSize,
    ttlMs: drift.ttlMs,
    maxCacheBytes: drift.cacheBytes,
    maxObjects: drift.maxObjects,
    timeoutMs: drift.timeoutMs,
  });
  return {
    scanner,
    tracking: ArgoCdSettings.fromConfig({ namespace }),
    close: () => {
      scanner.close();
      eksEndpoints.close();
      own.close();
    },
  };
}
