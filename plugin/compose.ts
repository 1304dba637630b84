/** @module Builds the adapters a configuration asks for. Shared by the server (`main.ts`) and the CLI. */
import type { EKSClient } from '@aws-sdk/client-eks';
import type { MiddlewareStack } from '@smithy/types';
import { generateParameters, TemplateCache, type ClusterFactsProvider, type ClusterInventory } from '../generator/index.js';
import { ArgoCdClusterInventory } from './adapters/argocd/argocd-cluster-inventory.js';
import { AwsCredentials } from './adapters/aws/aws-credentials.js';
import { EksFactSource } from './adapters/eks/eks-fact-source.js';
import { CachedFactsProvider } from './adapters/facts-cache/cached-facts-provider.js';
import { RateBudget } from './adapters/facts-cache/rate-budget.js';
import { systemSleep } from './adapters/facts-cache/timing.js';
import { FleetFileInventory } from './adapters/fleet-file/fleet-file-inventory.js';
import { KubeFactSource } from './adapters/kubernetes/kube-fact-source.js';
import { SsmSecretPathSource } from './adapters/ssm/ssm-secret-path-source.js';
import { FileTokenSource, StaticTokenSource, type TokenSource } from './auth/token-source.js';
import type { FactsConfig, InventoryConfig, TokenConfig } from './config.js';
import type { Generate } from './http/routes/getparams.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { DEMO_FLEET_PATH } from './paths.js';

/** The AWS side of a live fleet, for other EKS readers to share (one AssumeRole per role, one EKS budget). */
export interface LiveAws {
  readonly credentials: AwsCredentials;
  readonly decorateEksClient: (client: EKSClient) => void;
}

export interface Fleet {
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  /** Live fleets only. */
  readonly aws?: LiveAws;
  /** Where the clusters come from, for people: "the bundled demo fleet (demo/fleet.yaml)". */
  readonly description: string;
  /** Resolves once the inventory has a first complete list, or rejects after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a fleet file (or the demo); throws if it is invalid at start. */
function openFleetFile(config: InventoryConfig & { kind: 'demo' | 'fleet-file' }, logger: Logger, watch: boolean): Fleet {
  const path = config.kind === 'demo' ? DEMO_FLEET_PATH : config.path;
  const label = config.kind === 'demo' ? 'the bundled demo fleet' : `fleet file ${path}`;
  const fleet = new FleetFileInventory(path, logger, label).load();
  if (watch) fleet.watch();
  return {
    inventory: fleet,
    facts: fleet,
    description: config.kind === 'demo' ? `${label} (${path})` : label,
    whenReady: async () => {},
    close: async () => fleet.close(),
  };
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
function openLiveFleet(namespace: string, facts: FactsConfig, logger: Logger, metrics: Metrics): Fleet {
  const inventory = ArgoCdClusterInventory.fromConfig({
    namespace,
    logger: logger.child({ component: 'inventory' }),
    problemCounter: metrics.inventoryProblems,
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
  const kube = KubeFactSource.fromConfig({
    connections: inventory,
    logger: logger.child({ component: 'kubernetes' }),
    awsCredentials: aws,
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
    retry: { maxAttempts: facts.retryMaxAttempts, baseDelayMs: 200, maxDelayMs: 3000 },
    // EKS and SSM are budgeted per API call above; the cluster API per fetch, if at all.
    rateBudgets: { eks: null, ssm: null, kubernetes: facts.ratePerSecond.kubernetes === null ? null : { ratePerSecond: facts.ratePerSecond.kubernetes } },
    metrics: metrics.registry,
    logger: logger.child({ component: 'facts-cache' }),
  });
  // Forget facts of clusters that left the inventory.
  const sweep = setInterval(() => {
    if (inventory.isReady()) cache.retainOnly(inventory.snapshot().clusters.map((c) => c.name));
  }, 60_000);
  sweep.unref();
  return {
    inventory,
    facts: cache,
    aws: { credentials: aws, decorateEksClient },
    description: `Argo CD cluster Secrets in namespace ${namespace}`,
    whenReady: (timeoutMs) => inventory.whenReady(timeoutMs),
    close: async () => {
      clearInterval(sweep);
      await inventory.close();
      eks.close();
      ssm.close();
      aws.close();
    },
  };
}

/** Opens the inventory and fact sources the configuration names. */
export function openFleet(
  config: { inventory: InventoryConfig; facts: FactsConfig },
  logger: Logger,
  metrics: Metrics,
  options: { watch: boolean },
): Fleet {
  const inv = config.inventory;
  if (inv.kind === 'argocd') return openLiveFleet(inv.namespace, config.facts, logger, metrics);
  return openFleetFile(inv, logger, options.watch);
}

/** A token (or the proxy secret) from its configuration; `variable` names it in messages. */
export function openTokenSource(config: TokenConfig, logger: Logger, variable = 'GREENLIGHT_TOKEN'): TokenSource {
  if (config.kind === 'file') return new FileTokenSource(config.path, config.reloadMs, logger, `${variable}_FILE`);
  const demo = variable === 'GREENLIGHT_TOKEN' ? 'the demo token' : 'the demo proxy secret';
  return new StaticTokenSource(config.value, config.kind === 'demo' ? demo : variable);
}

/** The core use case bound to a fleet and a template cache. */
export function bindGenerate(fleet: Fleet, templates = new TemplateCache()): Generate {
  return (request, signal) => generateParameters(request, { inventory: fleet.inventory, facts: fleet.facts, templates }, signal);
}
