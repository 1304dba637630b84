/**
 * @module The live fleet: Argo CD's cluster Secrets, with facts from EKS, each cluster's API and
 * SSM behind the facts cache. Imported by `openFleet` only when the configuration asks for it.
 */
import type { EKSClient } from '@aws-sdk/client-eks';
import type { MiddlewareStack } from '@smithy/types';
import { ArgoCdApplicationSource } from './adapters/argocd/application-source.js';
import { ArgoCdClusterInventory } from './adapters/argocd/argocd-cluster-inventory.js';
import { AwsCredentials } from './adapters/aws/aws-credentials.js';
import { EksEndpoints } from './adapters/eks/eks-endpoints.js';
import { EksFactSource } from './adapters/eks/eks-fact-source.js';
import { EksReadinessSource } from './adapters/eks/eks-readiness-source.js';
import { CachedFactsProvider } from './adapters/facts-cache/cached-facts-provider.js';
import { RateBudget } from './adapters/facts-cache/rate-budget.js';
import { systemSleep } from './adapters/facts-cache/timing.js';
import { KubeFactSource } from './adapters/kubernetes/kube-fact-source.js';
import { SsmSecretPathSource } from './adapters/ssm/ssm-secret-path-source.js';
import type { Fleet } from './compose.js';
import type { FactsConfig } from './config.js';
import type { ReadinessInputs, ReadinessInputsOptions } from './pairs/inputs.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** The AWS side of a live fleet, for other EKS readers to share (one AssumeRole per role, one EKS budget). */
export interface LiveAws {
  readonly credentials: AwsCredentials;
  readonly decorateEksClient: (client: EKSClient) => void;
}

/** Adds a token bucket in front of every call a client makes: the per-API rate budget. */
function rateLimited(budget: RateBudget) {
  return <I extends object, O extends object>(client: { middlewareStack: MiddlewareStack<I, O> }) => {
    client.middlewareStack.add(
      (next) => async (args) => {
        await budget.acquire();
        return next(args);
      },
      { step: 'initialize', name: 'greenlightRateBudget' },
    );
  };
}

/**
 * Argo CD's cluster Secrets, with facts from EKS, each cluster's own API and SSM behind the facts
 * cache. AWS calls are made once by the SDK (maxAttempts 1): the cache retries whole fetches with
 * backoff, so retries do not multiply.
 */
export function openLiveFleet(namespace: string, facts: FactsConfig, logger: Logger, metrics: Metrics, options: { maxStalenessMs?: number } = {}): Fleet {
  const inventory = ArgoCdClusterInventory.fromConfig({
    namespace,
    logger: logger.child({ component: 'inventory' }),
    problemCounter: metrics.inventoryProblems,
    anomalyCounter: metrics.inventoryAnomalies,
    maxStaleMs: options.maxStalenessMs,
  }).start();
  const aws = AwsCredentials.fromConfig({
    ...(facts.awsRegion !== undefined ? { stsRegion: facts.awsRegion } : {}),
    ...(facts.stsEndpoint !== undefined ? { stsEndpoint: facts.stsEndpoint } : {}),
  });
  const region = facts.awsRegion !== undefined ? { region: facts.awsRegion } : {};
  const decorateEksClient = rateLimited(new RateBudget({ ratePerSecond: facts.ratePerSecond.eks }, Date.now, systemSleep));
  const eks = EksFactSource.fromConfig({
    credentials: aws,
    ...region,
    maxAttempts: 1,
    logger: logger.child({ component: 'eks' }),
    decorateClient: decorateEksClient,
  });
  const ssm = SsmSecretPathSource.fromConfig({
    credentials: aws,
    prefixTemplate: facts.ssmPrefix,
    ...region,
    maxAttempts: 1,
    logger: logger.child({ component: 'ssm' }),
    decorateClient: rateLimited(new RateBudget({ ratePerSecond: facts.ratePerSecond.ssm }, Date.now, systemSleep)),
  });
  const eksEndpoints = EksEndpoints.fromConfig({ credentials: aws, maxAttempts: 1, decorateClient: decorateEksClient });
  const kube = KubeFactSource.fromConfig({
    connections: inventory,
    logger: logger.child({ component: 'kubernetes' }),
    awsCredentials: aws,
    eksEndpoints,
    defaultRegion: facts.awsRegion,
    stsEndpoint: facts.stsEndpoint,
  });
  const cache = new CachedFactsProvider({
    sources: [eks, kube, ssm],
    ttlMs: facts.ttlMs,
    refreshAheadMs: facts.refreshAheadMs,
    maxStalenessMs: facts.maxStalenessMs,
    failureCooldownMs: facts.failureCooldownMs,
    attemptTimeoutMs: facts.attemptTimeoutMs,
    concurrency: facts.concurrency,
    maxEntries: facts.maxEntries,
    maxBytes: facts.cacheBytes,
    retry: { maxAttempts: facts.retryMaxAttempts, baseDelayMs: 200, maxDelayMs: 3000 },
    // EKS and SSM are budgeted per API call above; the cluster API per fetch, if at all.
    rateBudgets: { eks: null, ssm: null, kubernetes: facts.ratePerSecond.kubernetes === null ? null : { ratePerSecond: facts.ratePerSecond.kubernetes } },
    metrics: metrics.registry,
    logger: logger.child({ component: 'facts-cache' }),
  });
  // Forget facts of clusters that left the inventory, and facts nothing can be served from any more.
  const sweep = setInterval(() => {
    if (inventory.isReady()) cache.retainOnly(inventory.snapshot().clusters.map((c) => c.name));
    cache.sweep();
  }, 60_000);
  sweep.unref();
  return {
    inventory,
    connections: inventory,
    facts: cache,
    aws: { credentials: aws, decorateEksClient },
    caches: { facts: cache },
    description: `Argo CD cluster Secrets in namespace ${namespace}`,
    whenReady: (timeoutMs) => inventory.whenReady(timeoutMs),
    close: async () => {
      clearInterval(sweep);
      await inventory.close();
      eks.close();
      eksEndpoints.close();
      ssm.close();
      aws.close();
    },
  };
}

/**
 * Readiness inputs in live mode: Applications from the Argo CD namespace and EKS readiness data,
 * with the live fleet's credentials and EKS budget when given (`options.aws`).
 */
export function openLiveReadinessInputs(namespace: string, facts: FactsConfig, options: ReadinessInputsOptions): ReadinessInputs {
  // Without the live fleet's credentials (tests, tools), make and own a set.
  const aws = AwsCredentials.sharedOrOwn(options.aws?.credentials, facts);
  const credentials = aws.credentials;
  const eks = EksReadinessSource.fromConfig({
    credentials,
    ...(facts.awsRegion !== undefined ? { region: facts.awsRegion } : {}),
    maxAttempts: 2,
    ...(options.aws?.decorateEksClient ? { decorateClient: options.aws.decorateEksClient } : {}),
    ...(options.logger ? { logger: options.logger.child({ component: 'eks-readiness' }) } : {}),
  });
  return {
    applications: ArgoCdApplicationSource.fromConfig({ namespace }),
    readiness: eks,
    close: () => {
      eks.close();
      aws.close();
    },
  };
}
