/**
 * @module The traffic gate of one pair: its readiness verdict, green's live health beside blue's
 * (Prometheus), the weights Route 53 holds against the desired ones, and the ExternalDNS prefix
 * of each cluster, combined by the pure rule into one answer for the next weight step. Shared by
 * `greenlight gate`, `greenlight weight --step` and the `greenlight_pair_gate` gauge.
 */
import {
  gateAnswer,
  judgePrefix,
  resolveBlueGreen,
  splitRows,
  type ClusterInventory,
  type ClusterRecord,
  type ExternalDnsReading,
  type ExternalDnsSide,
  type GateAnswer,
  type GateReadiness,
  type GateSettings,
  type PrefixJudgment,
  type ReadinessVerdict,
  type SplitMember,
} from '../../generator/index.js';
import type { ClusterConnections } from '../adapters/argocd/cluster-connection.js';
import type { ExternalDnsSource } from '../adapters/external-dns/kube-external-dns-source.js';
import { PrometheusClient } from '../adapters/prometheus/prometheus-client.js';
import { PrometheusHealthSource, type LiveHealthSource } from '../adapters/prometheus/prometheus-health-source.js';
import type { WeightedRecordSource } from '../adapters/route53/route53-record-source.js';
import type { FactsConfig, GateConfig, InventoryConfig } from '../config.js';
import type { LiveAws } from '../live-fleet.js';
import { createLogger, type Logger } from '../logger.js';
import type { AwsCredentials } from '../adapters/aws/aws-credentials.js';
import type { PrometheusAuth } from '../adapters/prometheus/prometheus-auth.js';
import type { PrometheusAuthConfig } from '../config.js';

/** On a cluster Secret: the ExternalDNS owner id (`--txt-owner-id`) its records carry, when greenlight cannot read its Deployment or it differs. */
export const EXTERNAL_DNS_OWNER_KEY = 'greenlight.io/external-dns-owner';

/** Where the gate's inputs come from in one configuration; a missing source makes its part unknown. */
export interface GateSources {
  readonly settings: GateSettings;
  readonly health?: LiveHealthSource | undefined;
  readonly records?: WeightedRecordSource | undefined;
  readonly externalDns?: ExternalDnsSource | undefined;
  close(): void;
}

/**
 * Prometheus when GREENLIGHT_PROMETHEUS_URL is set; Route 53 when GREENLIGHT_ROUTE53_ZONES is
 * (greenlight's own AWS identity, AWS_ENDPOINT_URL_ROUTE_53 honoured); ExternalDNS from each
 * cluster's API in live mode (`argocd`), where Argo CD's connection details are. The demo fleet
 * has built-in answers for all three (plugin/adapters/demo/demo-gate.ts).
 */
export async function openGateSources(
  config: { readonly gate: GateConfig; readonly inventory: InventoryConfig; readonly facts: FactsConfig },
  options: {
    readonly connections?: ClusterConnections | undefined;
    readonly aws?: LiveAws | undefined;
    readonly demoInventory?: ClusterInventory | undefined;
    /** Where a rotated Prometheus credential file is reported (default: nowhere, as in the CLI). */
    readonly logger?: Logger | undefined;
  } = {},
): Promise<GateSources> {
  const gate = config.gate;
  if (config.inventory.kind === 'demo' && options.demoInventory) {
    const { DemoExternalDns, DemoPrometheus, DemoRecords } = await import('../adapters/demo/demo-gate.js');
    const inventory = options.demoInventory;
    return {
      settings: gate.settings,
      health: new PrometheusHealthSource({ clusterLabel: gate.clusterLabel, signals: gate.settings.signals }, new DemoPrometheus(gate.clusterLabel)),
      records: new DemoRecords(() => inventory.snapshot().clusters),
      externalDns: new DemoExternalDns(),
      close: () => undefined,
    };
  }
  const closers: (() => void)[] = [];
  let health: LiveHealthSource | undefined;
  let records: WeightedRecordSource | undefined;
  let externalDns: ExternalDnsSource | undefined;
  const prometheusAuth = gate.prometheusUrl !== undefined ? gate.prometheusAuth : undefined;
  const needsAws = gate.route53Zones.length > 0 || (config.inventory.kind === 'argocd' && options.connections !== undefined) || prometheusAuth?.kind === 'sigv4';
  let credentials: AwsCredentials | undefined;
  if (needsAws) {
    // Loaded only here: the AWS SDK and the Kubernetes client stay out of the demo.
    const { AwsCredentials } = await import('../adapters/aws/aws-credentials.js');
    const own = AwsCredentials.sharedOrOwn(options.aws?.credentials, config.facts);
    credentials = own.credentials;
    closers.push(() => own.close());
  }
  if (gate.prometheusUrl !== undefined) {
    // A credential file that changed since loadConfig checked it fails here, with its message.
    let auth: PrometheusAuth | undefined;
    try {
      auth = await openPrometheusAuth(prometheusAuth, credentials, options.logger ?? createLogger('silent'));
    } catch (err) {
      closers.forEach((c) => c());
      throw err;
    }
    const client = new PrometheusClient({ url: gate.prometheusUrl, timeoutMs: gate.prometheusTimeoutMs, auth, tenant: gate.prometheusTenant, ca: gate.prometheusCa });
    closers.push(() => client.close());
    health = new PrometheusHealthSource({ clusterLabel: gate.clusterLabel, signals: gate.settings.signals }, client);
  }
  if (credentials) {
    if (gate.route53Zones.length > 0) {
      const { Route53RecordSource } = await import('../adapters/route53/route53-record-source.js');
      records = Route53RecordSource.fromConfig({ zones: gate.route53Zones, credentials: credentials.credentialsFor(), maxAttempts: 2 });
    }
    if (config.inventory.kind === 'argocd' && options.connections) {
      const { KubeExternalDnsSource } = await import('../adapters/external-dns/kube-external-dns-source.js');
      const { EksEndpoints } = await import('../adapters/eks/eks-endpoints.js');
      const eksEndpoints = EksEndpoints.fromConfig({ credentials, maxAttempts: 1, ...(options.aws?.decorateEksClient ? { decorateClient: options.aws.decorateEksClient } : {}) });
      closers.push(() => eksEndpoints.close());
      externalDns = KubeExternalDnsSource.fromConfig({
        connections: options.connections,
        awsCredentials: credentials,
        eksEndpoints,
        defaultRegion: config.facts.awsRegion,
        stsEndpoint: config.facts.stsEndpoint,
      });
    }
  }
  return { settings: gate.settings, health, records, externalDns, close: () => closers.forEach((c) => c()) };
}

/** The credentials of Prometheus's queries: files re-read when they change, SigV4 with greenlight's own AWS identity. */
async function openPrometheusAuth(config: PrometheusAuthConfig | undefined, aws: AwsCredentials | undefined, logger: Logger): Promise<PrometheusAuth | undefined> {
  if (config === undefined) return undefined;
  const { basicAuth, bearerAuth, sigv4Auth } = await import('../adapters/prometheus/prometheus-auth.js');
  const { FileTokenSource } = await import('../auth/token-source.js');
  switch (config.kind) {
    case 'bearer':
      return bearerAuth(new FileTokenSource(config.tokenFile, config.reloadMs, logger, 'GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE'));
    case 'basic':
      return basicAuth(config.user, new FileTokenSource(config.passwordFile, config.reloadMs, logger, 'GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE'));
    case 'sigv4':
      if (!aws) throw new Error('GREENLIGHT_PROMETHEUS_SIGV4_REGION is set but greenlight has no AWS credentials to sign with');
      return sigv4Auth(config.region, aws.credentialsFor());
  }
}

/** A readiness verdict (or why there is none) as the gate reads it. */
export function gateReadiness(verdict: ReadinessVerdict | { readonly error: string }): GateReadiness {
  if ('error' in verdict) return { outcome: 'unknown', error: verdict.error };
  return verdict.ready ? { outcome: 'ready', warnings: verdict.warnings.length } : { outcome: 'blockers', blockers: verdict.blockers.map((b) => ({ subject: b.subject, message: b.message })) };
}

function desiredWeight(cluster: ClusterRecord): number | null {
  try {
    const w = resolveBlueGreen(cluster).weight;
    return w === undefined ? null : Number(w);
  } catch {
    return null;
  }
}

export interface AssessGateInput {
  readonly pair: string;
  readonly blue: ClusterRecord;
  readonly green: ClusterRecord;
  readonly readiness: GateReadiness;
  readonly sources: GateSources;
  /** Default: the settings' window. */
  readonly window?: string | undefined;
  /** Only this namespace's series (one app family). */
  readonly namespace?: string | undefined;
  readonly signal: AbortSignal;
}

/** The gate's answer for one pair. Never rejects for a source that fails: that part is unknown. */
export async function assessGate(input: AssessGateInput): Promise<GateAnswer> {
  const { sources, blue, green } = input;
  const window = input.window ?? sources.settings.window;
  const blueWeight = desiredWeight(blue);
  const greenWeight = desiredWeight(green);

  const readExternalDns = async (c: ClusterRecord): Promise<ExternalDnsReading | undefined> => (sources.externalDns ? sources.externalDns.read(c, input.signal) : undefined);
  const [blueDns, greenDns] = await Promise.all([readExternalDns(blue), readExternalDns(green)]);

  const member = (c: ClusterRecord, role: 'blue' | 'green', desired: number | null, dns: ExternalDnsReading | undefined): SplitMember => {
    const side = dns && !('error' in dns) ? dns : undefined;
    return { name: c.name, role, desired, owner: c.annotations[EXTERNAL_DNS_OWNER_KEY] ?? side?.ownerId ?? 'default', txtPrefix: side?.txtPrefix ?? undefined };
  };
  const blueMember = member(blue, 'blue', blueWeight, blueDns);
  const greenMember = member(green, 'green', greenWeight, greenDns);

  const healthPromise = sources.health
    ? sources.health.health({ blue: { name: blue.name }, green: { name: green.name, weight: greenWeight ?? 0 }, window, namespace: input.namespace }, input.signal)
    : Promise.resolve({ error: "GREENLIGHT_PROMETHEUS_URL is not set, so green's live health cannot be seen: point it at a Prometheus (or Thanos, Mimir) whose series carry the cluster label" });
  const splitPromise = sources.records
    ? sources.records.recordsFor([blue.name, green.name], input.signal).then(
        (records) => splitRows([blueMember, greenMember], records),
        (err: unknown) => ({ error: (err as Error).message }),
      )
    : Promise.resolve({ error: 'GREENLIGHT_ROUTE53_ZONES is not set, so the real split cannot be read: list the hosted zone ids that hold the weighted records' });
  const [health, split] = await Promise.all([healthPromise, splitPromise]);

  let judgment: PrefixJudgment;
  const sides: ExternalDnsSide[] = [];
  if (blueDns && greenDns) {
    judgment = judgePrefix(blueDns, greenDns);
    for (const d of [blueDns, greenDns]) if (!('error' in d)) sides.push(d);
  } else {
    judgment = { outcome: 'skipped', message: "ExternalDNS annotation prefixes not checked: greenlight reads them from each cluster's API, which it reaches with --inventory argocd (Argo CD's connection details) only", evidence: {} };
  }

  return gateAnswer({
    pair: input.pair,
    window,
    plan: sources.settings.plan,
    blue: blueMember,
    green: greenMember,
    readiness: input.readiness,
    health,
    split,
    zones: sources.records?.zones ?? [],
    externalDns: { sides, judgment },
  });
}

