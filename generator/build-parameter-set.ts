/**
 * @module Turns a cluster's facts into its parameter set. Pure. A fact that is unknown is left
 * out (never an empty string), so that a template using it fails loudly with missingkey=error
 * instead of rendering a silently wrong value.
 */
import type { FactsOrigin } from './contract/cluster-facts.js';
import type { ParameterSet } from './contract/plugin-response.js';
import { UpstreamError } from './errors.js';
import type { BlueGreen, ClusterRecord, FactsResult } from './model.js';
import { normalizeName, toOutputKey } from './names.js';

type StringMap = Record<string, string>;

/** Adds `key → value` unless value is undefined or empty. */
function put(target: StringMap, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') target[key] = value;
}

/** Keys derived from names must not collide (`a-b` and `a_b` both become `a_b`). */
function keyed(cluster: ClusterRecord, group: string, names: readonly string[]): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const name of names) {
    const key = toOutputKey(name);
    const other = byKey.get(key);
    if (other !== undefined && other !== name) {
      throw new UpstreamError(
        'GL_CLUSTER_INVALID',
        `cluster "${cluster.name}": ${group} "${other}" and "${name}" both become the output key "${key}"; rename one of them`,
      );
    }
    byKey.set(key, name);
  }
  return byKey;
}

function factsSummary(origins: readonly FactsOrigin[]): ParameterSet['facts'] {
  const sorted = [...origins].sort((a, b) => a.fetchedAt.localeCompare(b.fetchedAt));
  return {
    sources: [...new Set(origins.map((o) => o.source))].sort().join(','),
    fetchedAt: sorted[0]?.fetchedAt ?? '',
    stale: String(origins.some((o) => o.stale)),
  };
}

export interface BuildOptions {
  readonly gitopsBridge: boolean;
}

/** The parameter set of one cluster, without `vars` and `input` (added by the use case). */
export function buildParameterSet(
  cluster: ClusterRecord,
  blueGreen: BlueGreen,
  { facts, origins }: FactsResult,
  options: BuildOptions,
): ParameterSet {
  const clusterGroup: ParameterSet['cluster'] = {
    name: cluster.name,
    nameNormalized: normalizeName(cluster.name),
    server: cluster.server,
    project: cluster.project,
  };
  if (blueGreen.pair !== undefined) clusterGroup.pair = blueGreen.pair;
  if (blueGreen.role !== undefined) clusterGroup.role = blueGreen.role;
  if (blueGreen.weight !== undefined) clusterGroup.weight = blueGreen.weight;
  if (blueGreen.domain !== undefined) clusterGroup.domain = blueGreen.domain;

  const set: ParameterSet = { cluster: clusterGroup, facts: factsSummary(origins) };

  const eks = facts.eks;
  if (eks) {
    const aws: StringMap = {};
    put(aws, 'accountId', eks.accountId);
    put(aws, 'region', eks.region);
    put(aws, 'clusterName', eks.clusterName);
    put(aws, 'clusterArn', eks.clusterArn);
    put(aws, 'version', eks.version);
    put(aws, 'platformVersion', eks.platformVersion);
    put(aws, 'endpoint', eks.endpoint);
    put(aws, 'vpcId', eks.vpcId);
    put(aws, 'oidcIssuer', eks.oidcIssuer);
    // IRSA trust policies name the issuer without its scheme.
    put(aws, 'oidcIssuerHost', eks.oidcIssuer?.replace(/^https:\/\//, ''));
    put(aws, 'oidcProviderArn', eks.oidcProviderArn);
    put(aws, 'authenticationMode', eks.authenticationMode);
    set.aws = aws;
  }

  const kube = facts.kubernetes;
  if (kube) {
    const minor = kube.minor.replace(/\+$/, '');
    set.kubernetes = {
      version: `${kube.major}.${minor}`,
      gitVersion: kube.gitVersion,
      major: kube.major,
      minor,
    };
  } else if (eks) {
    const [major = '', minor = ''] = eks.version.split('.');
    set.kubernetes = { version: eks.version, major, minor };
  }

  if (facts.addons) {
    const addons: StringMap = {};
    const byKey = keyed(cluster, 'add-ons', facts.addons.map((a) => a.name));
    for (const [key, name] of byKey) put(addons, key, facts.addons.find((a) => a.name === name)?.version);
    set.addons = addons;
  }

  if (kube) {
    const storage: StringMap = { classes: kube.storageClasses.map((c) => c.name).sort().join(',') };
    const defaults = kube.storageClasses.filter((c) => c.default);
    // Two defaults make the choice depend on creation time; leave it out rather than guess.
    if (defaults.length === 1) put(storage, 'defaultClass', defaults[0]?.name);
    set.storage = storage;

    const ingress: StringMap = { classes: kube.ingressClasses.map((c) => c.name).sort().join(',') };
    const ingressDefaults = kube.ingressClasses.filter((c) => c.default);
    if (ingressDefaults.length === 1) put(ingress, 'defaultClass', ingressDefaults[0]?.name);
    set.ingress = ingress;
  }
  if (blueGreen.domain !== undefined) {
    set.ingress ??= {};
    set.ingress.domain = blueGreen.domain;
    set.ingress.clusterDomain = `${clusterGroup.nameNormalized}.${blueGreen.domain}`;
  }

  if (facts.podIdentity) {
    const podIdentity: Record<string, StringMap> = {};
    const namespaces = keyed(cluster, 'namespaces', [...new Set(facts.podIdentity.map((a) => a.namespace))]);
    for (const [nsKey, namespace] of namespaces) {
      const associations = facts.podIdentity.filter((a) => a.namespace === namespace);
      const accounts = keyed(cluster, `service accounts in ${namespace}`, associations.map((a) => a.serviceAccount));
      const group: StringMap = {};
      for (const [saKey, sa] of accounts) put(group, saKey, associations.find((a) => a.serviceAccount === sa)?.roleArn);
      podIdentity[nsKey] = group;
    }
    set.podIdentity = podIdentity;
  }

  if (facts.secrets) {
    const { prefix } = facts.secrets;
    const names = [...facts.secrets.names].sort();
    const relative = names.map((n) => (n.startsWith(prefix) ? n.slice(prefix.length) : n));
    const byKey = keyed(cluster, 'SSM parameters', relative);
    const keys: StringMap = {};
    for (const [key, rel] of byKey) keys[key] = names[relative.indexOf(rel)] as string;
    set.secrets = { prefix, count: String(names.length), paths: names.join(','), keys };
  }

  if (options.gitopsBridge) Object.assign(set, gitopsBridgeKeys(cluster, blueGreen, { facts, origins }));
  return set;
}

/** Service accounts whose gitops-bridge key is not their own name (without "-sa"). */
const GITOPS_BRIDGE_ALIASES: Readonly<Record<string, string>> = {
  ebs_csi_controller: 'aws_ebs_csi_driver',
  efs_csi_controller: 'aws_efs_csi_driver',
  fsx_csi_controller: 'aws_fsx_csi_driver',
};

/**
 * The flat keys gitops-bridge writes as cluster Secret annotations
 * (terraform-helm-gitops-bridge, eks-blueprints-addons `gitops_metadata`), so that
 * ApplicationSets written for it work unchanged.
 */
export function gitopsBridgeKeys(cluster: ClusterRecord, blueGreen: BlueGreen, { facts }: FactsResult): StringMap {
  const out: StringMap = {};
  put(out, 'cluster_name', cluster.name);
  put(out, 'environment', cluster.labels['environment']);
  put(out, 'aws_cluster_name', facts.eks?.clusterName);
  put(out, 'aws_region', facts.eks?.region);
  put(out, 'aws_account_id', facts.eks?.accountId);
  put(out, 'aws_vpc_id', facts.eks?.vpcId);
  put(out, 'kubernetes_version', facts.eks?.version);
  put(out, 'route53_weight', blueGreen.weight);
  put(out, 'eks_cluster_domain', blueGreen.domain);
  for (const assoc of facts.podIdentity ?? []) {
    const base = toOutputKey(assoc.serviceAccount.replace(/-sa$/, ''));
    const key = GITOPS_BRIDGE_ALIASES[base] ?? base;
    put(out, `${key}_iam_role_arn`, assoc.roleArn);
    put(out, `${key}_namespace`, assoc.namespace);
    put(out, `${key}_service_account`, assoc.serviceAccount);
  }
  return out;
}
