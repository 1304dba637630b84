/**
 * @module Argo CD cluster Secrets → cluster records and connections (contract reference §7.1, §5.4).
 * Pure: no I/O. Credentials go into the `ClusterConnection` only, never into a `ClusterRecord`,
 * an `InventoryProblem` or a message: problem reasons name keys, never values.
 */
import { z } from 'zod';
import { describeIssues, normalizeName, type ClusterRecord, type InventoryProblem, type InventorySnapshot } from '../../../generator/index.js';
import { readEksClusterArn, type EksClusterArn } from '../aws/aws-identifiers.js';
import { hasUserinfo, withoutUserinfo } from '../upstream-text.js';
import {
  apiServerUrl,
  awsAuthOf,
  clusterConfigSchema,
  credentialsSentTo,
  IN_CLUSTER_SERVER,
  usesInClusterConfig,
  type ClusterConfig,
  type ClusterConnection,
} from './cluster-connection.js';

/** The label that makes a Secret an Argo CD cluster registration (with value `cluster`). */
export const SECRET_TYPE_LABEL = 'argocd.argoproj.io/secret-type';
/** The label selector Argo CD itself lists cluster Secrets with. */
export const CLUSTER_SECRET_SELECTOR = `${SECRET_TYPE_LABEL}=cluster`;
/** The name of Argo CD's built-in entry for the cluster it runs in. */
export const IN_CLUSTER_NAME = 'in-cluster';

/** kubectl's copy of an applied Secret holds its `stringData` (tokens, keys) in clear: never pass it on. */
const DROPPED_ANNOTATIONS: ReadonlySet<string> = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

const stringMap = z
  .record(z.string(), z.string())
  .nullish()
  .transform((v) => v ?? {});

/** The parts of a Secret greenlight reads; the rest of the object is ignored. */
export const clusterSecretSchema = z
  .object({
    metadata: z
      .object({
        name: z.string().min(1),
        namespace: z.string().nullish(),
        resourceVersion: z.string().nullish(),
        labels: stringMap,
        annotations: stringMap,
      })
      .loose(),
    data: stringMap,
  })
  .loose();

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** One Secret, read: a cluster, or the reason it cannot be one. */
export type SecretEntry =
  | {
      readonly kind: 'cluster';
      readonly secretName: string;
      readonly resourceVersion: string | undefined;
      readonly record: ClusterRecord;
      readonly connection: ClusterConnection;
    }
  | {
      readonly kind: 'problem';
      readonly secretName: string;
      readonly resourceVersion: string | undefined;
      readonly problem: InventoryProblem;
      /** `data.server` when it could be read: a broken in-cluster Secret still hides the in-cluster entry. */
      readonly server: string | undefined;
    };

class SecretDataError extends Error {}

function decode(data: Readonly<Record<string, string>>, key: string): string | undefined {
  const raw = data[key];
  if (raw === undefined) return undefined;
  const compact = raw.replace(/\s/g, '');
  if (!base64.test(compact) || compact.length % 4 === 1) throw new SecretDataError(`data.${key} is not base64`);
  return Buffer.from(compact, 'base64').toString('utf8');
}

/**
 * Reads one cluster Secret (as listed or watched: `data` values are base64).
 * @param namespace the namespace being watched, for origins when the object omits it
 */
export function parseClusterSecret(secret: unknown, namespace: string): SecretEntry {
  const parsed = clusterSecretSchema.safeParse(secret);
  if (!parsed.success) {
    const name = z.object({ metadata: z.object({ name: z.string() }).loose() }).loose().safeParse(secret);
    const secretName = name.success ? name.data.metadata.name : '';
    return {
      kind: 'problem',
      secretName,
      resourceVersion: undefined,
      server: undefined,
      problem: {
        origin: `Secret ${namespace}/${secretName || '(unnamed)'}`,
        labels: {},
        reason: `the Secret is not readable: ${describeIssues(parsed.error.issues, '')}`,
      },
    };
  }
  const { metadata, data } = parsed.data;
  const origin = `Secret ${metadata.namespace ?? namespace}/${metadata.name}`;
  const resourceVersion = metadata.resourceVersion ?? undefined;
  const labels = metadata.labels;
  let name: string | undefined;
  let server: string | undefined;
  const problem = (reason: string): SecretEntry => ({
    kind: 'problem',
    secretName: metadata.name,
    resourceVersion,
    server,
    problem: { origin, ...(name ? { name } : {}), labels, reason },
  });

  let project: string;
  let configText: string | undefined;
  try {
    name = decode(data, 'name');
    server = decode(data, 'server');
    project = decode(data, 'project') ?? '';
    configText = decode(data, 'config');
  } catch (err) {
    if (err instanceof SecretDataError) return problem(err.message);
    throw err;
  }
  if (server !== undefined && hasUserinfo(server)) {
    // Argo CD would send these credentials to the cluster; greenlight neither uses nor shows them.
    server = withoutUserinfo(server);
    return problem(
      `data.server (${server}) has a user name or password in it, which greenlight does not use or show: remove them from data.server ` +
        '(the Secret\'s config gives credentials: awsAuthConfig, bearerToken or tlsClientConfig)',
    );
  }
  if (!name) return problem('data.name is missing: Argo CD cluster Secrets need the cluster name');
  if (!server) return problem('data.server is missing: Argo CD cluster Secrets need the API server URL');
  let eksArn: EksClusterArn | undefined;
  if (server.startsWith('arn:')) {
    const read = readEksClusterArn(server);
    if (!read.arn) {
      return problem(
        `data.server (${server}) is not an EKS cluster ARN: ${read.problem}. ` +
          'The EKS-managed Argo CD registers clusters by ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME); others by the API server\'s https:// URL',
      );
    }
    eksArn = read.arn;
  } else if (!/^https?:\/\//.test(server) || !URL.canParse(server)) {
    return problem('data.server is neither an http(s) URL nor an EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)');
  }

  // Argo CD reads a Secret without `config` as an empty config (util/db/cluster.go): so do we.
  let json: unknown = {};
  if (configText !== undefined && configText.trim() !== '') {
    try {
      json = JSON.parse(configText);
    } catch {
      // JSON.parse's message quotes the text, which holds credentials: never pass it on.
      return problem('data.config is not JSON');
    }
  }
  const checked = clusterConfigSchema.safeParse(json);
  if (!checked.success) return problem(`data.config is not a valid Argo CD cluster config: ${describeIssues(checked.error.issues, 'config')}`);
  const config: ClusterConfig = checked.data;

  const sent = credentialsSentTo(config);
  const annotations = Object.fromEntries(Object.entries(metadata.annotations).filter(([key]) => !DROPPED_ANNOTATIONS.has(key)));
  if (eksArn) {
    // The capability reaches an ARN through EKS access entries; credentials here would be ignored
    // by it and would make greenlight act as someone else than Argo CD does: refuse, don't guess.
    if (sent !== undefined || config.execProviderConfig !== undefined || config.tlsClientConfig.certData !== undefined) {
      return problem(
        `data.server is an EKS cluster ARN (${server}), reached with greenlight's own AWS identity through an EKS access entry, but data.config gives ` +
          `${sent ?? (config.execProviderConfig ? 'an execProviderConfig' : 'a client certificate')}, which greenlight does not use with an ARN: ` +
          "remove it from data.config, or set data.server to the cluster's https:// endpoint",
      );
    }
    return {
      kind: 'cluster',
      secretName: metadata.name,
      resourceVersion,
      record: { name, server, project, labels, annotations, origin, aws: { clusterName: eksArn.name } },
      connection: { name, server, inCluster: false, config, secret: { namespace, name: metadata.name }, eksArn },
    };
  }
  const aws = awsAuthOf(config);
  if (sent !== undefined && new URL(server).protocol === 'http:') {
    return problem(
      `data.server is plain http:// (${server}), but the Secret's config gives ${sent}, which greenlight never sends unencrypted: ` +
        'set data.server to the cluster\'s https:// endpoint (with tlsClientConfig.caData for its CA)',
    );
  }
  return {
    kind: 'cluster',
    secretName: metadata.name,
    resourceVersion,
    record: {
      name,
      server,
      project,
      labels,
      annotations,
      origin,
      ...(aws ? { aws: { clusterName: aws.clusterName, roleArn: aws.roleArn, profile: aws.profile } } : {}),
    },
    connection: { name, server: apiServerUrl(server), inCluster: usesInClusterConfig(server, config), config, secret: { namespace, name: metadata.name } },
  };
}

/** Argo CD's in-cluster pseudo-entry (cluster.go): no Secret, no metadata, project "". */
export const IN_CLUSTER_RECORD: ClusterRecord = Object.freeze({
  name: IN_CLUSTER_NAME,
  server: IN_CLUSTER_SERVER,
  project: '',
  labels: Object.freeze({}),
  annotations: Object.freeze({}),
  origin: "Argo CD's built-in in-cluster entry (no cluster Secret)",
});

/** How to reach the in-cluster entry: the pod's own in-cluster config. */
export const IN_CLUSTER_CONNECTION: ClusterConnection = Object.freeze({
  name: IN_CLUSTER_NAME,
  server: IN_CLUSTER_SERVER,
  inCluster: true,
  config: clusterConfigSchema.parse({}),
});

/** What an inventory shows: the snapshot, and how to reach each of its clusters. */
export interface InventoryView {
  readonly snapshot: InventorySnapshot;
  readonly connections: ReadonlyMap<string, ClusterConnection>;
}

/**
 * Builds the snapshot from every Secret read.
 * - Two Secrets with the same `data.name` are both problems: Argo CD keeps one of them arbitrarily,
 *   and greenlight must not guess which one's credentials and labels are true.
 * - The in-cluster entry is added last, as Argo CD does, unless disabled, unless a Secret has the
 *   in-cluster server (even a broken one: Argo CD checks `data.server` only), and unless a Secret
 *   already uses the name `in-cluster` (names must stay unique).
 */
export function buildInventoryView(entries: Iterable<SecretEntry>, options: { inClusterEntry: boolean }): InventoryView {
  const byName = new Map<string, Extract<SecretEntry, { kind: 'cluster' }>[]>();
  const problems: InventoryProblem[] = [];
  let inClusterTaken = false;
  for (const entry of entries) {
    if (entry.kind === 'problem') {
      problems.push(entry.problem);
      if (entry.server === IN_CLUSTER_SERVER || entry.problem.name === IN_CLUSTER_NAME) inClusterTaken = true;
      continue;
    }
    if (entry.record.server === IN_CLUSTER_SERVER || entry.record.name === IN_CLUSTER_NAME) inClusterTaken = true;
    const same = byName.get(entry.record.name) ?? [];
    same.push(entry);
    byName.set(entry.record.name, same);
  }
  const clusters: ClusterRecord[] = [];
  const connections = new Map<string, ClusterConnection>();
  for (const [name, same] of byName) {
    const [only] = same;
    if (same.length === 1 && only) {
      clusters.push(only.record);
      connections.set(name, only.connection);
      continue;
    }
    const origins = same.map((e) => e.record.origin).sort();
    for (const entry of same) {
      problems.push({
        origin: entry.record.origin,
        name,
        labels: entry.record.labels,
        reason: `cluster name "${name}" is registered by ${origins.length} Secrets (${origins.join(', ')}); Argo CD keeps only one of them, so greenlight uses none until one is renamed or removed`,
      });
    }
  }
  clusters.sort((a, b) => a.name.localeCompare(b.name));
  problems.sort((a, b) => a.origin.localeCompare(b.origin) || a.reason.localeCompare(b.reason));
  if (options.inClusterEntry && !inClusterTaken) {
    clusters.push(IN_CLUSTER_RECORD);
    connections.set(IN_CLUSTER_NAME, IN_CLUSTER_CONNECTION);
  }
  return { snapshot: { clusters, problems }, connections };
}

/** What `greenlight register` puts in a cluster Secret. */
export interface ClusterSecretInput {
  /** Argo CD cluster name (`data.name`). */
  readonly name: string;
  readonly namespace: string;
  readonly server: string;
  /** base64 of the CA's PEM. */
  readonly caData: string;
  readonly eksClusterName: string;
  /** The role Argo CD assumes for this cluster; without it Argo CD signs with its own identity. */
  readonly roleArn?: string | undefined;
  readonly project?: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The Secret's name: `cluster-<name normalized>` (Argo CD's own ones are `cluster-<host>-<hash>`). */
export function clusterSecretName(name: string): string {
  return `cluster-${normalizeName(name)}`.slice(0, 253).replace(/[-.]+$/, '');
}

/**
 * A declarative Argo CD cluster Secret for an EKS cluster (contract reference §7.2): `awsAuthConfig`
 * and the CA, never a token or password. The inverse of `parseClusterSecret`.
 */
export function buildClusterSecret(input: ClusterSecretInput): {
  readonly ref: { readonly namespace: string; readonly name: string };
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly stringData: Record<string, string>;
} {
  const config = {
    awsAuthConfig: { clusterName: input.eksClusterName, ...(input.roleArn !== undefined ? { roleARN: input.roleArn } : {}) },
    tlsClientConfig: { insecure: false, caData: input.caData },
  };
  return clusterSecretOf(input, input.server, JSON.stringify(config));
}

/** The Secret both forms share: Argo CD's name, server and project, greenlight's labels and annotations, and `config` when given. */
function clusterSecretOf(
  input: Pick<ManagedClusterSecretInput, 'name' | 'namespace' | 'project' | 'labels' | 'annotations'>,
  server: string,
  config?: string,
): ReturnType<typeof buildClusterSecret> {
  return {
    ref: { namespace: input.namespace, name: clusterSecretName(input.name) },
    labels: { ...input.labels, [SECRET_TYPE_LABEL]: 'cluster' },
    annotations: { ...input.annotations },
    stringData: {
      name: input.name,
      server,
      ...(input.project !== undefined && input.project !== '' ? { project: input.project } : {}),
      ...(config !== undefined ? { config } : {}),
    },
  };
}

/** What `greenlight register --managed-argocd` puts in a cluster Secret. */
export interface ManagedClusterSecretInput {
  /** Argo CD cluster name (`data.name`). */
  readonly name: string;
  readonly namespace: string;
  /** The EKS cluster ARN: the capability's `server`. */
  readonly clusterArn: string;
  readonly project?: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * A cluster Secret the way the EKS-managed Argo CD capability registers a cluster: `server` is
 * the EKS cluster ARN and there is no `config` (no awsAuthConfig, execProviderConfig or CA): the
 * capability reaches the cluster through an EKS access entry for its capability role.
 */
export function buildManagedClusterSecret(input: ManagedClusterSecretInput): ReturnType<typeof buildClusterSecret> {
  return clusterSecretOf(input, input.clusterArn);
}
