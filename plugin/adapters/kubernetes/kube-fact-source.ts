/**
 * @module Facts a cluster's own API gives: its version, StorageClasses, IngressClasses and the API
 * group/versions it serves. Reached as Argo CD reaches it, from the cluster's Argo CD connection.
 * All or nothing: any failed read rejects with an `UpstreamError` that names the cluster, the
 * source ("kubernetes API <server>"), what failed and what to do.
 */
import {
  TimeoutError,
  UpstreamError,
  GreenlightError,
  describeIssues,
  type CancelSignal,
  type ClusterFacts,
  type ClusterRecord,
  type FactSource,
  type KubernetesFacts,
} from '../../../generator/index.js';
import type { z } from 'zod';
import type { Logger } from '../../logger.js';
import type { ClusterConnections } from '../argocd/cluster-connection.js';
import { KubeClientFactory, type KubeAuth, type KubeClientFactoryOptions, type KubeClients } from './kube-client-factory.js';
import {
  apiGroupListSchema,
  apiVersionsOf,
  apiVersionsSchema,
  ingressClassesOf,
  ingressClassListSchema,
  kubernetesFacts,
  serves,
  storageClassesOf,
  storageClassListSchema,
  versionInfoSchema,
  versionOf,
} from './kube-facts.js';
import { quoteUpstream } from '../upstream-text.js';
import { abortable, describeKubeFailure, raceAbort, type KubeFailure } from './kube-request.js';

export interface KubeFactSourceOptions {
  readonly logger: Logger;
  /** Budget for all reads of one cluster; the caller's signal can end it sooner. Default 10 s. */
  readonly requestTimeoutMs?: number | undefined;
}

/** `fromConfig` options: where connections come from, and the client factory's (how to sign EKS tokens). */
export interface KubeFactSourceConfig extends KubeFactSourceOptions, KubeClientFactoryOptions {
  /** Usually the `ArgoCdClusterInventory`. */
  readonly connections: ClusterConnections;
}

/** One read greenlight makes, with what an operator must grant for it. */
export interface KubeRead {
  readonly what: string;
  readonly path: string;
  /** The resource and verb RBAC must allow, for reads of resources. */
  readonly rbac?: { readonly resource: string; readonly verb: 'list' | 'get' };
  /** For class lists: a 404 is an empty list when discovery says the group/version is not served. */
  readonly groupVersion?: string;
}

const READS = {
  version: { what: 'the server version', path: '/version' },
  core: { what: 'API discovery', path: '/api' },
  groups: { what: 'API discovery', path: '/apis' },
  storage: {
    what: 'storageclasses',
    path: '/apis/storage.k8s.io/v1/storageclasses',
    rbac: { resource: 'storageclasses.storage.k8s.io', verb: 'list' },
    groupVersion: 'storage.k8s.io/v1',
  },
  ingress: {
    what: 'ingressclasses',
    path: '/apis/networking.k8s.io/v1/ingressclasses',
    rbac: { resource: 'ingressclasses.networking.k8s.io', verb: 'list' },
    groupVersion: 'networking.k8s.io/v1',
  },
} as const satisfies Record<string, KubeRead>;

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * `FactSource` for the `kubernetes` group of facts.
 *
 * @example
 * const kube = KubeFactSource.fromConfig({ connections: inventory, logger, awsCredentials });
 * const facts = await kube.fetch(cluster, AbortSignal.timeout(5000));
 */
export class KubeFactSource implements FactSource {
  readonly source = 'kubernetes' as const;
  private readonly timeoutMs: number;
  private readonly logger: Logger;

  constructor(
    options: KubeFactSourceOptions,
    private readonly connections: ClusterConnections,
    private readonly clients: KubeClientFactory,
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.logger = options.logger.child({ source: 'kubernetes' });
  }

  static fromConfig(config: KubeFactSourceConfig): KubeFactSource {
    return new KubeFactSource(config, config.connections, new KubeClientFactory(config));
  }

  /** Clusters Argo CD has connection details for. */
  appliesTo(cluster: ClusterRecord): boolean {
    return this.connections.connectionFor(cluster.name) !== undefined;
  }

  async fetch(cluster: ClusterRecord, signal: CancelSignal): Promise<ClusterFacts> {
    const connection = this.connections.connectionFor(cluster.name);
    if (!connection) {
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `cluster "${cluster.name}" has no connection details in Argo CD (${cluster.origin}), so greenlight cannot read kubernetes API ${cluster.server}`,
      );
    }
    let server = connection.server;
    const cancelled = () =>
      new TimeoutError(
        'GL_DEADLINE_EXCEEDED',
        `reading facts of cluster "${cluster.name}" from kubernetes API ${server} was cut off by the request deadline`,
      );
    if (signal.aborted) throw cancelled();

    const controller = new AbortController();
    let timedOut = false;
    const onCancel = () => controller.abort();
    signal.addEventListener('abort', onCancel, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    timer.unref();

    let clients: KubeClients;
    try {
      // A cluster registered by EKS ARN is first looked up (DescribeCluster) for its endpoint and CA.
      clients = await this.clients.connect(connection, controller.signal);
      server = clients.connection.server;
    } catch (err) {
      clearTimeout(timer);
      signal.removeEventListener('abort', onCancel);
      if (signal.aborted) throw cancelled();
      if (timedOut) {
        throw new UpstreamError(
          'GL_FACTS_UNAVAILABLE',
          `greenlight could not reach cluster "${cluster.name}": looking up its EKS endpoint for ${server} (DescribeCluster) took longer than ${this.timeoutMs} ms. Retry later; if it persists, check greenlight's network path to the EKS API.`,
          { cause: err },
        );
      }
      if (err instanceof GreenlightError) throw err;
      throw new UpstreamError(
        'GL_FACTS_UNAVAILABLE',
        `greenlight could not set up a client for kubernetes API ${server} of cluster "${cluster.name}": ${quoteUpstream((err as Error).message)}. Check ${cluster.origin}.`,
        { cause: err },
      );
    }

    const run = (call: () => Promise<unknown>): Promise<Outcome> => {
      let work: Promise<unknown>;
      try {
        work = call();
      } catch (error) {
        return Promise.resolve({ ok: false, error });
      }
      return raceAbort(work, controller.signal).then(
        (value) => ({ ok: true, value }),
        (error: unknown) => {
          // The answer is decided by the first failure: stop the other reads rather than wait for them.
          // A 404 is not decisive yet (an unserved group/version has no classes).
          if (describeKubeFailure(error).status !== 404) controller.abort();
          return { ok: false, error };
        },
      );
    };
    try {
      const options = abortable(controller.signal);
      const [version, core, groups, storage, ingress] = await Promise.all([
        run(() => clients.version.getCode({}, options)),
        run(() => clients.core.getAPIVersions({}, options)),
        run(() => clients.apis.getAPIVersions({}, options)),
        run(() => clients.storage.listStorageClass({}, options)),
        run(() => clients.networking.listIngressClass({}, options)),
      ]);
      if (signal.aborted) throw cancelled();

      const fail = (read: KubeRead, error: unknown, shape = false): never => {
        if (error instanceof GreenlightError) throw error;
        let failure: KubeFailure = shape ? { kind: 'other', detail: quoteUpstream((error as Error).message) } : describeKubeFailure(error);
        if (failure.kind === 'aborted' && timedOut) failure = { kind: 'aborted', detail: `no answer within ${this.timeoutMs} ms` };
        const message = explainFailure({ cluster, server, auth: clients.auth, read, failure, shape });
        this.logger.debug({ cluster: cluster.name, server, read: read.path, status: failure.status, error: failure.detail }, 'kubernetes facts failed');
        throw new UpstreamError('GL_FACTS_UNAVAILABLE', message, { cause: error });
      };
      const parse = <S extends z.ZodType>(read: KubeRead, outcome: Outcome, schema: S): z.infer<S> => {
        if (!outcome.ok) return fail(read, outcome.error);
        const parsed = schema.safeParse(outcome.value);
        if (!parsed.success) return fail(read, new Error(describeIssues(parsed.error.issues, '')), true);
        return parsed.data;
      };

      const discovery = core.ok && groups.ok ? apiVersionsOf(parse(READS.core, core, apiVersionsSchema), parse(READS.groups, groups, apiGroupListSchema)) : undefined;
      // A group/version the cluster does not serve has no classes; a 404 on one it serves is a failure.
      const notServed = (read: KubeRead, outcome: Outcome) =>
        !outcome.ok && discovery !== undefined && read.groupVersion !== undefined && !serves(discovery, read.groupVersion) && describeKubeFailure(outcome.error).status === 404;
      const failed = (
        [
          [READS.version, version],
          [READS.core, core],
          [READS.groups, groups],
          [READS.storage, storage],
          [READS.ingress, ingress],
        ] as const
      ).filter(([read, outcome]) => !outcome.ok && !notServed(read, outcome));
      // Report the most telling failure: a refusal or an error beats a read cut short because another failed.
      const worst = failed.find(([, outcome]) => !outcome.ok && describeKubeFailure(outcome.error).kind !== 'aborted') ?? failed[0];
      if (worst && !worst[1].ok) fail(worst[0], worst[1].error);

      let versionParts: Pick<KubernetesFacts, 'gitVersion' | 'major' | 'minor'>;
      try {
        versionParts = versionOf(parse(READS.version, version, versionInfoSchema));
      } catch (err) {
        if (err instanceof GreenlightError) throw err;
        return fail(READS.version, err, true);
      }
      const apiVersions = discovery ?? [];
      const facts = kubernetesFacts({
        ...versionParts,
        storageClasses: notServed(READS.storage, storage) ? [] : storageClassesOf(parse(READS.storage, storage, storageClassListSchema)),
        ingressClasses: notServed(READS.ingress, ingress) ? [] : ingressClassesOf(parse(READS.ingress, ingress, ingressClassListSchema)),
        apiVersions,
      });
      return { kubernetes: facts };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onCancel);
      // Ends requests still running after another read failed: the answer is decided.
      controller.abort();
    }
  }
}

/** Who greenlight is on the cluster, for RBAC advice. */
function identityOf(auth: KubeAuth, cluster: ClusterRecord): string {
  switch (auth.kind) {
    case 'eks':
      return `the Kubernetes user that IAM ${auth.aws.roleArn ? `role ${auth.aws.roleArn}` : "identity greenlight runs as"} maps to (an EKS access entry or aws-auth mapping)`;
    case 'in-cluster':
      return "greenlight's ServiceAccount";
    case 'bearer-token':
      return `the identity of the bearer token in ${cluster.origin} (usually the argocd-manager ServiceAccount)`;
    case 'client-certificate':
      return `the user of the client certificate in ${cluster.origin}`;
    case 'basic':
      return `the user named in ${cluster.origin}`;
    case 'anonymous':
      return 'system:anonymous (the Secret gives no credentials)';
  }
}

/** What to do when the cluster rejects greenlight's credentials. */
function credentialAdvice(auth: KubeAuth, cluster: ClusterRecord): string {
  switch (auth.kind) {
    case 'eks': {
      if (auth.arn !== undefined) {
        return `The EKS token greenlight made with its own AWS identity for ${auth.arn} was refused: give that identity an EKS access entry on the cluster (aws eks create-access-entry --cluster-name ${auth.aws.clusterName} --region ${auth.aws.region} --principal-arn <greenlight's IAM role>), with a Kubernetes group that may read what greenlight reads.`;
      }
      const who = auth.aws.roleArn ? `role ${auth.aws.roleArn}` : "greenlight's own AWS identity";
      return `The EKS token made for EKS cluster "${auth.aws.clusterName}" with ${who} was refused: check that awsAuthConfig.clusterName is the EKS cluster's name and that ${auth.aws.roleArn ? 'the role' : 'that identity'} has an EKS access entry (or aws-auth mapping) on it.`;
    }
    case 'in-cluster':
      return "greenlight's ServiceAccount token was refused: check the pod's token mount.";
    case 'bearer-token':
      return `The bearerToken in ${cluster.origin} is invalid or expired: re-register the cluster (argocd cluster add) or update the Secret.`;
    case 'client-certificate':
      return `The client certificate in ${cluster.origin} (tlsClientConfig.certData) is not accepted: renew it or check that the cluster trusts its CA.`;
    case 'basic':
      return `The username and password in ${cluster.origin} are not accepted.`;
    case 'anonymous':
      return `${cluster.origin} gives no credentials and the cluster refuses anonymous requests: add awsAuthConfig or a bearerToken.`;
  }
}

/** The operator-facing message for one failed read. Never includes credentials. */
export function explainFailure(input: {
  readonly cluster: ClusterRecord;
  readonly server: string;
  readonly auth: KubeAuth;
  readonly read: KubeRead;
  readonly failure: KubeFailure;
  readonly shape?: boolean;
}): string {
  const { cluster, server, auth, read, failure } = input;
  const source = `kubernetes API ${server}`;
  const where = `cluster "${cluster.name}" (${source})`;
  if (input.shape) {
    return `${source} answered ${read.what} (${read.path}) for cluster "${cluster.name}" in an unexpected shape (${failure.detail}); check that ${server} is the cluster's Kubernetes API server.`;
  }
  switch (failure.kind) {
    case 'http':
      if (failure.status === 401) {
        return `${source} rejected greenlight's credentials for cluster "${cluster.name}" while reading ${read.what} (401 Unauthorized). ${credentialAdvice(auth, cluster)}`;
      }
      if (failure.status === 403) {
        const grant = read.rbac
          ? `grant it ${read.rbac.verb} on ${read.rbac.resource} (a ClusterRole bound to ${identityOf(auth, cluster)})`
          : `grant it get on the non-resource URL ${read.path} (the default system:discovery ClusterRole does), bound to ${identityOf(auth, cluster)}`;
        return `greenlight's identity is not allowed to read ${read.what} on ${where}: ${grant}. The API server said: ${failure.detail}`;
      }
      return `${source} answered ${failure.status ?? 'an error'} while greenlight read ${read.what} (${read.path}) for cluster "${cluster.name}": ${failure.detail}. Retry later; if it persists, check the API server's health.`;
    case 'tls':
      return `TLS to ${source} failed for cluster "${cluster.name}" while reading ${read.what}: ${failure.detail}. Check tlsClientConfig in ${cluster.origin}: caData must be the base64 of the cluster's CA certificate (PEM) and serverName must match the server's certificate.`;
    case 'network':
      return `${source} of cluster "${cluster.name}" could not be reached while reading ${read.what}: ${failure.detail}. Check the server URL in ${cluster.origin} and that greenlight's pod can reach it.`;
    case 'aborted':
      return `${source} did not answer ${read.what} for cluster "${cluster.name}": ${failure.detail}. The API server may be overloaded or unreachable from greenlight.`;
    case 'other':
      return `greenlight could not read ${read.what} for cluster "${cluster.name}" from ${source}: ${failure.detail}.`;
  }
}
