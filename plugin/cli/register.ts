/**
 * @module `greenlight register`: one command turns an EKS cluster into a correct Argo CD cluster
 * Secret, checked first the way Argo CD will connect (an EKS token through the given role).
 */
import { stringify } from 'yaml';
import { BLUE_GREEN_KEYS, GreenlightError } from '../../generator/index.js';
import { apiServerUrl, type ClusterConnection } from '../adapters/argocd/cluster-connection.js';
import { buildClusterSecret, buildManagedClusterSecret } from '../adapters/argocd/cluster-secret.js';
import { ClusterSecretStore } from '../adapters/argocd/cluster-secret-store.js';
import { AwsCredentials } from '../adapters/aws/aws-credentials.js';
import { accountOfRole, readEksClusterArn } from '../adapters/aws/aws-identifiers.js';
import { accessEntryCommands, accessPolicyArn, DEFAULT_ACCESS_POLICY, EksAccessEntries, type AccessEntryPlan, type AccessEntryState } from '../adapters/eks/eks-access-entries.js';
import { EksClusterDescriber, type EksClusterRegistration } from '../adapters/eks/eks-cluster-describer.js';
import { KubeClientFactory } from '../adapters/kubernetes/kube-client-factory.js';
import { abortable, describeKubeFailure, raceAbort } from '../adapters/kubernetes/kube-request.js';
import type { Command } from './commands.js';
import type { Io } from './io.js';
import { chooseInventory, INVENTORY_OPTION } from './inventory-flag.js';
import { awsProfileProblem, kubeconfigProblem, withProgress } from './live-access.js';
import { formatStructured, OUTPUT_CHOICE, OUTPUT_FORMATS, OUTPUT_OPTION, outputUsage, parseOutput, type OutputFormat } from './output.js';
import { UsageError } from './usage-error.js';
import { parseCommandFlags } from './command-flags.js';

export const REGISTER_USAGE = `Usage: greenlight register EKS_CLUSTER [options]

Reads the EKS cluster (DescribeCluster) and writes its Argo CD cluster Secret: the endpoint,
the CA, awsAuthConfig with the role Argo CD assumes, greenlight's pair/role/weight, and the
gitops-bridge annotations. Never a token or password. Before printing or applying, it connects
the way Argo CD will (an EKS token through the role) and reports what would fail.

  --region REGION          the cluster's region (default: $AWS_REGION)
  --role-arn ARN           the role Argo CD assumes for this cluster (awsAuthConfig.roleARN)
  --name NAME              the Argo CD cluster name (default: the EKS cluster name)
  --project PROJECT        restrict the cluster to an Argo CD project
  --pair PAIR              greenlight.io/pair label
  --role ROLE              greenlight.io/role label (blue, green, ...)
  --weight 0-255           greenlight.io/weight annotation (Route 53 weight)
  --domain DOMAIN          greenlight.io/domain annotation
  --label KEY=VALUE        an extra label (repeatable)
  --annotation KEY=VALUE   an extra annotation (repeatable)
  --namespace NS           Argo CD's namespace (default: $ARGOCD_NAMESPACE, else argocd)
  --apply                  create the Secret (or update the one of that name) instead of printing it
  --force                  with --apply, write it even if a check failed
  --inventory SRC          where --apply writes: "argocd" (the cluster Secrets, through KUBECONFIG;
                           default: $GREENLIGHT_INVENTORY, else argocd). With "demo" or a fleet file
                           the Secret is printed only: --apply is refused
${outputUsage('the Secret as a YAML manifest, for kubectl apply -f')}

For the EKS-managed Argo CD capability (clusters registered by EKS cluster ARN):
  --managed-argocd         write the capability's form of the Secret (server: the cluster ARN, no
                           config), and check (or, with --apply, create) the EKS access entry and
                           access policy of the capability's role on the cluster
  --capability-role-arn ARN  the capability's IAM role (required with --managed-argocd)
  --access-policy POLICY   the access policy for that role (default ${DEFAULT_ACCESS_POLICY},
                           what Argo CD needs to apply cluster-scoped objects; a name or an ARN)
  --access-namespace NS    scope the policy to this namespace (repeatable; default: the cluster)

The checks go to stderr, the Secret to stdout: greenlight register X > cluster-X.yaml
Exit status: 0 written or printed with every check passing, 1 a check or the write failed, 2 usage error.`;

interface Check {
  readonly ok: boolean;
  readonly text: string;
}

function keyValues(values: readonly string[] | undefined, flag: string): Record<string, string> {
  return Object.fromEntries(
    (values ?? []).map((kv) => {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got "${kv}"`);
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
}

/** Connects as Argo CD will; every failure says what to do. */
async function verify(reg: EksClusterRegistration, roleArn: string | undefined, aws: AwsCredentials, clients: KubeClientFactory, connection: ClusterConnection): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(
    reg.status === undefined || reg.status === 'ACTIVE'
      ? { ok: true, text: `EKS cluster ${reg.name} (Kubernetes ${reg.version}) in ${reg.region}, ${reg.status ?? 'status unknown'}` }
      : { ok: false, text: `EKS cluster ${reg.name} is ${reg.status}, not ACTIVE: wait until it is` },
  );
  if (roleArn !== undefined) {
    try {
      await aws.credentialsFor(roleArn)();
      checks.push({ ok: true, text: `role ${roleArn} can be assumed` });
    } catch (err) {
      checks.push({
        ok: false,
        text: `role ${roleArn} cannot be assumed (${(err as Error).message}). Its trust policy must allow sts:AssumeRole to the role Argo CD runs as (and to greenlight's)`,
      });
      return checks;
    }
  } else {
    checks.push({ ok: true, text: "no --role-arn: Argo CD will sign with its own identity, so the API check below used yours (it proves the endpoint, not Argo CD's access)" });
  }
  const signal = AbortSignal.timeout(API_CHECK_TIMEOUT_MS);
  try {
    const version = await raceAbort(clients.clientsFor(connection).version.getCode({}, abortable(signal)), signal);
    checks.push({ ok: true, text: `API server ${connection.server} answers as Kubernetes ${version.gitVersion} to an EKS token${roleArn !== undefined ? ' for that role' : ''}` });
  } catch (err) {
    checks.push({ ok: false, text: apiCheckFailure(err, reg, roleArn, connection.server) });
  }
  return checks;
}

/** How long the API check waits for /version before calling the endpoint unreachable. */
const API_CHECK_TIMEOUT_MS = 20_000;

/** What a failed GET /version means, in words that fit what happened: "cannot be reached" only when nothing answered. */
export function apiCheckFailure(err: unknown, reg: Pick<EksClusterRegistration, 'name' | 'authenticationMode'>, roleArn: string | undefined, server: string): string {
  // greenlight's own refusals (no token could be made, the token's destination): already explained.
  if (err instanceof GreenlightError) return err.message;
  const f = describeKubeFailure(err);
  const who = roleArn ?? 'your identity';
  switch (f.kind) {
    case 'http':
      if (f.status === 401) {
        return (
          `the API server does not accept ${who}: give it an access entry, e.g. aws eks create-access-entry --cluster-name ${reg.name} --principal-arn ${who} and aws eks associate-access-policy --cluster-name ${reg.name} --principal-arn ${who} --access-scope type=cluster --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy` +
          (reg.authenticationMode === 'CONFIG_MAP' ? ' (the cluster uses only the aws-auth ConfigMap: switch it to API_AND_CONFIG_MAP, or map the role there)' : '')
        );
      }
      if (f.status === 403) return `${who} is authenticated but not allowed to read /version: its access policy is too narrow for Argo CD`;
      if (f.status === 404) return `the API server at ${server} answered 404 to GET ${server}/version (${f.detail}): it is reachable, but that URL is not a Kubernetes API server; check the cluster's endpoint`;
      if (f.status !== undefined && f.status >= 500) {
        return `the API server at ${server} is reachable but answered ${f.status} to GET /version (${f.detail}): it is failing or still starting; run register again once it is healthy`;
      }
      return `the API server at ${server} is reachable but answered ${f.status ?? 'an error'} to GET /version (${f.detail})`;
    case 'tls':
      return `the API server's certificate does not match the CA from EKS (${f.detail})`;
    case 'network':
      return `the API server cannot be reached from here (${f.detail}): is its endpoint private? Argo CD needs a network path to it`;
    case 'aborted':
      return `the API server cannot be reached from here: no answer to GET /version within ${API_CHECK_TIMEOUT_MS / 1000} s: is its endpoint private? Argo CD needs a network path to it`;
    case 'other':
      return `the API check failed: ${f.detail}`;
  }
}

export interface RegisterDeps {
  readonly store?: () => Pick<ClusterSecretStore, 'create' | 'patch'>;
  readonly accessEntries?: () => Pick<EksAccessEntries, 'state' | 'ensure'>;
}

interface ManagedRegistration {
  readonly reg: EksClusterRegistration;
  readonly argoName: string;
  readonly namespace: string;
  readonly project: string | undefined;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly capabilityRole: string;
  readonly policy: string | undefined;
  readonly namespaces: readonly string[];
}

/**
 * `register --managed-argocd`: the capability reaches the cluster by ARN through an EKS access
 * entry of its role, not through a token greenlight could test: the checks are the cluster's
 * state, its authentication mode and that access entry. With --apply the access entry comes
 * first, so that Argo CD never sees a Secret it cannot use.
 */
async function registerManaged(
  m: ManagedRegistration,
  flags: { readonly apply: boolean; readonly force: boolean; readonly output: OutputFormat },
  io: Io,
  deps: RegisterDeps,
): Promise<number> {
  const { reg } = m;
  const arn = readEksClusterArn(reg.arn).arn;
  if (!arn) {
    io.err(`✗ EKS DescribeCluster of "${reg.name}" gave the ARN "${reg.arn}", which is not an EKS cluster ARN, so the EKS-managed Argo CD cannot name the cluster by it\n`);
    return 1;
  }
  const plan: AccessEntryPlan = {
    clusterName: reg.name,
    region: reg.region,
    principalArn: m.capabilityRole,
    policyArn: accessPolicyArn(arn.partition, m.policy ?? DEFAULT_ACCESS_POLICY),
    namespaces: m.namespaces,
  };
  const scope = plan.namespaces.length === 0 ? 'the whole cluster' : `namespace${plan.namespaces.length === 1 ? '' : 's'} ${plan.namespaces.join(', ')}`;
  const checks: Check[] = [
    reg.status === undefined || reg.status === 'ACTIVE'
      ? { ok: true, text: `EKS cluster ${reg.arn} (Kubernetes ${reg.version}), ${reg.status ?? 'status unknown'}` }
      : { ok: false, text: `EKS cluster ${reg.name} is ${reg.status}, not ACTIVE: wait until it is` },
    reg.authenticationMode === 'CONFIG_MAP'
      ? {
          ok: false,
          text: `EKS cluster ${reg.name} authenticates only through the aws-auth ConfigMap, and the capability needs an access entry: aws eks update-cluster-config --region ${reg.region} --name ${reg.name} --access-config authenticationMode=API_AND_CONFIG_MAP`,
        }
      : { ok: true, text: `EKS cluster ${reg.name} takes access entries (authentication mode ${reg.authenticationMode ?? 'not reported'})` },
  ];
  const entries = deps.accessEntries?.() ?? EksAccessEntries.fromConfig();
  let state: AccessEntryState;
  try {
    state = await entries.state(plan);
  } catch (err) {
    io.err(`${checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.text}\n`).join('')}✗ ${(err as Error).message}\n`);
    return 1;
  }
  const commands = accessEntryCommands(plan);
  const missing = !state.entry || !state.policy;
  const clusterChecks = checks.filter((c) => !c.ok).length;
  if (!flags.apply || clusterChecks > 0) {
    checks.push(
      state.entry
        ? { ok: true, text: `the capability role ${plan.principalArn} has an access entry on ${reg.name}` }
        : { ok: false, text: `the capability role ${plan.principalArn} has no access entry on ${reg.name}: run again with --apply, or ${commands[0]}` },
      state.policy
        ? { ok: true, text: `${plan.policyArn} is associated with it for ${scope}` }
        : { ok: false, text: `${plan.policyArn} is not associated with it for ${scope}: run again with --apply, or ${commands[1]}` },
    );
  }
  for (const c of checks) io.err(`${c.ok ? '✓' : '✗'} ${c.text}\n`);
  const failed = checks.filter((c) => !c.ok).length;

  const secret = buildManagedClusterSecret({ name: m.argoName, namespace: m.namespace, clusterArn: reg.arn, project: m.project, labels: m.labels, annotations: m.annotations });
  if (!flags.apply) {
    const doc = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: secret.ref.name, namespace: m.namespace, labels: secret.labels, annotations: secret.annotations }, stringData: secret.stringData };
    io.out(flags.output === 'text' ? stringify(doc) : formatStructured(flags.output, doc));
    return failed === 0 ? 0 : 1;
  }
  if (failed > 0 && !flags.force) {
    io.err(`greenlight register: not applied: ${failed} check(s) failed, and the EKS-managed Argo CD could not use this cluster. Fix them, or --force to write anyway\n`);
    return 1;
  }
  if (missing) {
    try {
      await entries.ensure(plan, state);
    } catch (err) {
      io.err(`greenlight register: ${(err as Error).message}\n`);
      return 1;
    }
  }
  io.out(
    state.entry
      ? `access entry for ${plan.principalArn} on EKS cluster ${reg.name} already there\n`
      : `created access entry for ${plan.principalArn} on EKS cluster ${reg.name}\n`,
  );
  io.out(state.policy ? `${plan.policyArn} already associated for ${scope}\n` : `associated ${plan.policyArn} for ${scope}\n`);
  const store = deps.store?.() ?? ClusterSecretStore.fromConfig();
  if (await store.create(secret)) {
    io.out(`created Secret ${m.namespace}/${secret.ref.name} for cluster ${m.argoName} (server ${reg.arn})\n`);
  } else {
    // The ARN form has no config: an awsAuthConfig left from an earlier registration would be read by nobody.
    await store.patch(secret.ref, { labels: secret.labels, annotations: secret.annotations, stringData: secret.stringData, removeData: ['config'] });
    io.out(`updated Secret ${m.namespace}/${secret.ref.name} for cluster ${m.argoName} (labels and annotations merged; name and server replaced, config removed)\n`);
  }
  return 0;
}

export const REGISTER_OPTIONS = {
  region: { type: 'string' },
  'role-arn': { type: 'string' },
  name: { type: 'string' },
  project: { type: 'string' },
  pair: { type: 'string' },
  role: { type: 'string' },
  weight: { type: 'string' },
  domain: { type: 'string' },
  label: { type: 'string', multiple: true },
  annotation: { type: 'string', multiple: true },
  namespace: { type: 'string' },
  apply: { type: 'boolean' },
  force: { type: 'boolean' },
  'managed-argocd': { type: 'boolean' },
  'capability-role-arn': { type: 'string' },
  'access-policy': { type: 'string' },
  'access-namespace': { type: 'string', multiple: true },
  inventory: INVENTORY_OPTION,
  output: OUTPUT_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runRegister(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io, deps: RegisterDeps = {}): Promise<number> {
  const parsed = parseCommandFlags('register', REGISTER_USAGE, { args: [...argv], allowPositionals: true, options: REGISTER_OPTIONS }, io, { choices: { output: OUTPUT_CHOICE } });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  const region = values.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  const problems: string[] = [];
  if (positionals.length !== 1) problems.push('name exactly one EKS cluster');
  if (region === undefined) problems.push('give --region (or set AWS_REGION)');
  if (values.weight !== undefined && (!/^\d{1,3}$/.test(values.weight) || Number(values.weight) > 255)) problems.push(`--weight is a whole number from 0 to 255, got "${values.weight}"`);
  const output = parseOutput(values.output);
  const managed = values['managed-argocd'] === true;
  const capabilityRole = values['capability-role-arn'];
  if (managed) {
    if (values['role-arn'] !== undefined) problems.push('--role-arn is awsAuthConfig.roleARN, which the EKS-managed Argo CD does not use: give its capability role with --capability-role-arn');
    if (capabilityRole === undefined) problems.push('--managed-argocd needs --capability-role-arn (the IAM role of the Argo CD capability: aws eks describe-capability --query capability.roleArn)');
    else if (accountOfRole(capabilityRole) === undefined) problems.push(`--capability-role-arn is an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), got "${capabilityRole}"`);
  } else {
    for (const flag of ['capability-role-arn', 'access-policy', 'access-namespace'] as const) {
      if (values[flag] !== undefined) problems.push(`--${flag} goes with --managed-argocd`);
    }
  }
  let extraLabels: Record<string, string> = {};
  let extraAnnotations: Record<string, string> = {};
  try {
    extraLabels = keyValues(values.label, '--label');
    extraAnnotations = keyValues(values.annotation, '--annotation');
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (values.apply === true) {
    try {
      const inventory = chooseInventory(values.inventory, env, 'argocd');
      if (inventory.kind !== 'argocd') {
        problems.push(`--apply writes an Argo CD cluster Secret, and ${inventory.kind === 'demo' ? 'the bundled demo fleet' : `fleet file ${inventory.value}`} has none: leave out --apply to print the Secret, or use --inventory argocd`);
      }
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0 || region === undefined) {
    io.err(`greenlight register: ${problems.join('; ')}\nRun "greenlight register --help" for its usage.\n`);
    return 2;
  }
  // Before any wait: what this machine lacks to reach AWS, and the Kubernetes API for --apply.
  const missing = [awsProfileProblem(env), values.apply === true ? kubeconfigProblem(env) : undefined].filter((p) => p !== undefined);
  if (missing.length > 0) {
    io.err(`greenlight register: ${missing.join('; ')}\n`);
    return 1;
  }
  const eksName = positionals[0] as string;
  const roleArn = values['role-arn'];
  const namespace = values.namespace ?? env['ARGOCD_NAMESPACE'] ?? 'argocd';
  const stsEndpoint = env['AWS_ENDPOINT_URL_STS'];

  const aws = AwsCredentials.fromConfig({ stsRegion: region, ...(stsEndpoint !== undefined ? { stsEndpoint } : {}) });
  try {
    let reg: EksClusterRegistration;
    try {
      reg = await withProgress(io, `EKS DescribeCluster of ${eksName} in ${region}`, EksClusterDescriber.fromConfig().describe(eksName, region));
    } catch (err) {
      io.err(`✗ ${(err as Error).message}\n`);
      return 1;
    }
    const argoName = values.name ?? reg.name;
    const labels: Record<string, string> = { ...extraLabels };
    if (values.pair !== undefined) labels[BLUE_GREEN_KEYS.pair] = values.pair;
    if (values.role !== undefined) labels[BLUE_GREEN_KEYS.role] = values.role;
    const annotations: Record<string, string> = {
      // gitops-bridge's keys, for ApplicationSets that already read them.
      cluster_name: argoName,
      aws_cluster_name: reg.name,
      aws_region: reg.region,
      aws_account_id: reg.accountId,
      ...(reg.vpcId !== undefined ? { aws_vpc_id: reg.vpcId } : {}),
      ...extraAnnotations,
    };
    if (values.weight !== undefined) annotations[BLUE_GREEN_KEYS.weight] = String(Number(values.weight));
    if (values.domain !== undefined) annotations[BLUE_GREEN_KEYS.domain] = values.domain;
    if (managed) {
      return await registerManaged(
        { reg, argoName, namespace, project: values.project, labels, annotations, capabilityRole: capabilityRole as string, policy: values['access-policy'], namespaces: values['access-namespace'] ?? [] },
        { apply: values.apply === true, force: values.force === true, output },
        io,
        deps,
      );
    }
    const secret = buildClusterSecret({
      name: argoName,
      namespace,
      server: reg.endpoint,
      caData: reg.caData,
      eksClusterName: reg.name,
      roleArn,
      project: values.project,
      labels,
      annotations,
    });
    const connection: ClusterConnection = {
      name: argoName,
      server: apiServerUrl(reg.endpoint),
      inCluster: false,
      config: { tlsClientConfig: { insecure: false, caData: reg.caData }, awsAuthConfig: { clusterName: reg.name, ...(roleArn !== undefined ? { roleARN: roleArn } : {}) } },
    };
    const checks = await withProgress(io, `the checks of ${reg.name}: STS AssumeRole, then GET /version at ${reg.endpoint}`, verify(reg, roleArn, aws, new KubeClientFactory({
      awsCredentials: aws,
      // The endpoint and CA just read from DescribeCluster: the token goes there.
      eksEndpoints: { endpointOf: async () => ({ endpoint: reg.endpoint, caData: reg.caData }) },
      defaultRegion: region,
      stsEndpoint,
    }), connection));
    for (const c of checks) io.err(`${c.ok ? '✓' : '✗'} ${c.text}\n`);
    const failed = checks.filter((c) => !c.ok).length;

    if (!values.apply) {
      const doc = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: secret.ref.name, namespace, labels: secret.labels, annotations: secret.annotations }, stringData: secret.stringData };
      io.out(output === 'text' ? stringify(doc) : formatStructured(output, doc));
      return failed === 0 ? 0 : 1;
    }
    if (failed > 0 && !values.force) {
      io.err(`greenlight register: not applied: ${failed} check(s) failed, and Argo CD could not use this cluster. Fix them, or --force to write the Secret anyway\n`);
      return 1;
    }
    const store = deps.store?.() ?? ClusterSecretStore.fromConfig();
    if (await store.create(secret)) {
      io.out(`created Secret ${namespace}/${secret.ref.name} for cluster ${argoName}\n`);
    } else {
      await store.patch(secret.ref, { labels: secret.labels, annotations: secret.annotations, stringData: secret.stringData });
      io.out(`updated Secret ${namespace}/${secret.ref.name} for cluster ${argoName} (labels and annotations merged; name, server and config replaced)\n`);
    }
    return 0;
  } catch (err) {
    io.err(`greenlight register: ${(err as Error).message}\n`);
    return 1;
  } finally {
    aws.close();
  }
}

export const registerCommand: Command = {
  usage: REGISTER_USAGE,
  options: REGISTER_OPTIONS,
  values: { output: OUTPUT_FORMATS },
  run: (argv, env, io) => runRegister(argv, env, io),
};
