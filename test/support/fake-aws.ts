/**
 * @module A local AWS for wire tests: one `node:http` server on 127.0.0.1 that speaks EKS
 * (REST-JSON), STS (query protocol, XML answers) and SSM (JSON 1.1) the way the real services
 * do, so that the real SDK clients can be pointed at it by endpoint override.
 *
 * Every request must be SigV4-signed by a key the fake knows; the signature is recomputed
 * with `@smithy/signature-v4` and compared. State is seeded by the test (clusters, Pod
 * Identity associations, add-ons, the add-on versions EKS offers per Kubernetes version,
 * upgrade insights, SSM parameters WITH values, assumable roles), resources
 * are visible only to callers in their account and region, and faults can be injected per
 * API: latency, hang, throttling, 5xx, access denied, not found, garbage bodies, connection
 * reset, and a per-API rate limit. Calls are counted per API.
 */
import { AwsCredentials, type AwsCredentialsFor } from '../../plugin/adapters/aws/aws-credentials.js';
import type { ClusterRecord } from '../../generator/index.js';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** greenlight's own identity in the fake: obviously fake, and the only base key it accepts. */
export const FAKE_ACCESS_KEY_ID = 'AKIAFAKEGREENLIGHT00';
export const FAKE_SECRET_ACCESS_KEY = 'fake-secret-not-real';
export const FAKE_ACCOUNT_ID = '111111111111';
export const FAKE_REGION = 'eu-west-1';
export const FAKE_CALLER_ARN = `arn:aws:iam::${FAKE_ACCOUNT_ID}:user/greenlight-fake`;
/** Static credentials for SDK clients talking to the fake. */
export const FAKE_CREDENTIALS = { accessKeyId: FAKE_ACCESS_KEY_ID, secretAccessKey: FAKE_SECRET_ACCESS_KEY } as const;

export const FAKE_AWS_APIS = [
  'DescribeCluster',
  'ListPodIdentityAssociations',
  'DescribePodIdentityAssociation',
  'ListAddons',
  'DescribeAddon',
  'DescribeAddonVersions',
  'ListInsights',
  'DescribeInsight',
  'ListAccessEntries',
  'CreateAccessEntry',
  'ListAssociatedAccessPolicies',
  'AssociateAccessPolicy',
  'AssumeRole',
  'GetCallerIdentity',
  'GetParametersByPath',
] as const;
export type FakeAwsApi = (typeof FAKE_AWS_APIS)[number];

/** A fault the next matching request(s) get instead of (or, for latency, before) the real answer. */
export type FakeFault =
  | { readonly kind: 'latency'; readonly ms: number }
  /** Never answers; the socket is closed when the fake closes. */
  | { readonly kind: 'hang' }
  /** The service's real throttling shape; `name` overrides the error name (e.g. TooManyRequestsException). */
  | { readonly kind: 'throttle'; readonly name?: string; readonly status?: number }
  | { readonly kind: 'server-error'; readonly status?: 500 | 502 | 503 }
  | { readonly kind: 'access-denied' }
  | { readonly kind: 'not-found' }
  /** A body that is not what the protocol promises. */
  | { readonly kind: 'garbage'; readonly body?: string; readonly status?: number }
  /** The TCP connection is destroyed before any answer. */
  | { readonly kind: 'reset' };

/** An access policy associated with an access entry, as ListAssociatedAccessPolicies shows it. */
export interface FakeAccessPolicy {
  readonly policyArn: string;
  readonly accessScope: { readonly type: string; readonly namespaces: readonly string[] };
}

export interface FakeCluster {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly arn: string;
  readonly version: string;
  readonly platformVersion: string;
  readonly endpoint: string;
  readonly oidcIssuer: string | undefined;
  readonly vpcId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly authenticationMode: string;
  readonly status: string;
  /** base64 of the CA's PEM, as EKS returns certificateAuthority.data. */
  readonly caData: string;
}

export interface FakeClusterInput {
  /** The API server URL EKS reports (default: a made-up *.eks.amazonaws.com host). */
  readonly endpoint?: string;
  /** base64 of the CA's PEM (default: base64 of a placeholder that is not a certificate). */
  readonly caData?: string;
  readonly name: string;
  readonly region?: string;
  readonly accountId?: string;
  readonly version?: string;
  readonly platformVersion?: string;
  /** `null` leaves the cluster without an OIDC issuer. */
  readonly oidcIssuer?: string | null;
  readonly vpcId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly authenticationMode?: string;
  readonly status?: string;
}

interface Scope {
  readonly region?: string;
  readonly accountId?: string;
}

interface Association {
  readonly clusterKey: string;
  readonly clusterName: string;
  readonly region: string;
  readonly accountId: string;
  readonly associationId: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly roleArn: string;
}

interface AddonRecord {
  readonly clusterKey: string;
  readonly name: string;
  readonly version: string;
  readonly status: string;
}

/** One version of an EKS add-on that EKS offers in a region, and the Kubernetes minors it supports. */
export interface FakeAddonVersionInput {
  readonly addonName: string;
  readonly addonVersion: string;
  /** Kubernetes minor versions ("1.32") this add-on version is compatible with. */
  readonly clusterVersions: readonly string[];
  /** Minors for which this is the default version. */
  readonly defaultFor?: readonly string[];
  /** Default the fake's region. */
  readonly region?: string;
  /** `networking`, `storage`, ... (default `networking`). */
  readonly type?: string;
}

interface AddonVersionRecord {
  readonly addonName: string;
  readonly addonVersion: string;
  readonly clusterVersions: readonly string[];
  readonly defaultFor: readonly string[];
  readonly region: string;
  readonly type: string;
}

export const FAKE_INSIGHT_STATUSES = ['PASSING', 'WARNING', 'ERROR', 'UNKNOWN'] as const;

/** An EKS cluster insight, as ListInsights and DescribeInsight show it. */
export interface FakeInsightInput extends Scope {
  readonly clusterName: string;
  /** Default: a stable id made from the cluster and `name`. The same id replaces an insight. */
  readonly id?: string;
  readonly name: string;
  /** Default UPGRADE_READINESS. */
  readonly category?: 'UPGRADE_READINESS' | 'MISCONFIGURATION';
  readonly kubernetesVersion?: string;
  readonly status: (typeof FAKE_INSIGHT_STATUSES)[number];
  readonly reason?: string;
  readonly description?: string;
  /** Only DescribeInsight returns it. */
  readonly recommendation?: string;
}

interface InsightRecord {
  readonly clusterKey: string;
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly kubernetesVersion: string | undefined;
  readonly status: string;
  readonly reason: string | undefined;
  readonly description: string | undefined;
  readonly recommendation: string | undefined;
}

interface ParameterRecord {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly region: string;
  readonly accountId: string;
}

interface Identity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly accountId: string;
  readonly arn: string;
  readonly expiresAt?: number;
}

/** One request the fake answered (or refused), for assertions. */
export interface FakeRequest {
  readonly api: FakeAwsApi | 'unknown';
  readonly service: string;
  readonly region: string;
  readonly accessKeyId: string;
  /** EKS: query parameters (ListInsights: the JSON body); SSM: the JSON body; STS: the form fields. */
  readonly input: Readonly<Record<string, unknown>>;
}

export interface FakeAwsOptions {
  /** Items per EKS list page, at most the requested maxResults (forces pagination with few items). */
  eksPageSize?: number | undefined;
  /** Items per SSM page, at most the requested MaxResults. */
  ssmPageSize?: number | undefined;
  /** Empty pages (no items, but a NextToken) served before each EKS page that has items. */
  eksEmptyPages?: number | undefined;
  /** Empty pages (no items, but a NextToken) served before each SSM page that has items, as SSM does. */
  ssmEmptyPages?: number | undefined;
  /** Lifetime of AssumeRole sessions the fake issues, unless the caller asks for less. */
  credentialLifetimeSeconds?: number | undefined;
}

interface FaultEntry {
  readonly fault: FakeFault;
  remaining: number;
}

interface Bucket {
  readonly perSecond: number;
  readonly burst: number;
  tokens: number;
  last: number;
}

const SERVICE_OF: Readonly<Record<FakeAwsApi, 'eks' | 'sts' | 'ssm'>> = {
  DescribeCluster: 'eks',
  ListPodIdentityAssociations: 'eks',
  DescribePodIdentityAssociation: 'eks',
  ListAddons: 'eks',
  DescribeAddon: 'eks',
  DescribeAddonVersions: 'eks',
  ListAccessEntries: 'eks',
  CreateAccessEntry: 'eks',
  ListAssociatedAccessPolicies: 'eks',
  AssociateAccessPolicy: 'eks',
  ListInsights: 'eks',
  DescribeInsight: 'eks',
  AssumeRole: 'sts',
  GetCallerIdentity: 'sts',
  GetParametersByPath: 'ssm',
};

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

const MAX_BODY_BYTES = 1024 * 1024;

/** Starts a fake AWS on 127.0.0.1 and a free port. */
export async function startFakeAws(options: FakeAwsOptions = {}): Promise<FakeAws> {
  const fake = new FakeAws(options);
  await fake.listen();
  return fake;
}

export class FakeAws {
  /** The secret key of a known identity (the fake one, or an AssumeRole session), for token verifiers. */
  secretFor(accessKeyId: string): string | undefined {
    return this.identities.get(accessKeyId)?.secretAccessKey;
  }

  /** The role an AssumeRole session belongs to (undefined for the base identity). */
  roleOf(accessKeyId: string): string | undefined {
    return this.assumedRoles.find((r) => r.accessKeyId === accessKeyId)?.roleArn;
  }

  /** Pagination and session settings; tests may change them between calls. */
  readonly options: FakeAwsOptions;
  /** Every request, in arrival order. */
  readonly requests: FakeRequest[] = [];
  /** Why requests were refused at the signature check (empty when every client signs correctly). */
  readonly signatureFailures: string[] = [];
  /** Sessions handed out by AssumeRole. */
  readonly assumedRoles: { readonly roleArn: string; readonly sessionName: string; readonly accessKeyId: string }[] = [];

  private readonly server: Server;
  private readonly identities = new Map<string, Identity>();
  private readonly clusters = new Map<string, FakeCluster>();
  private readonly associations: Association[] = [];
  private readonly addons: AddonRecord[] = [];
  private readonly addonVersions: AddonVersionRecord[] = [];
  private readonly insights: InsightRecord[] = [];
  private readonly parameters: ParameterRecord[] = [];
  /** Access entries per cluster key: principal ARN → its associated access policies. */
  private readonly accessEntries = new Map<string, Map<string, FakeAccessPolicy[]>>();
  private readonly roles = new Set<string>();
  private readonly faults = new Map<FakeAwsApi, FaultEntry[]>();
  private readonly buckets = new Map<FakeAwsApi | 'all', Bucket>();
  private readonly counts = new Map<FakeAwsApi, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly open = new Set<ServerResponse>();
  private sessions = 0;
  private port = 0;

  constructor(options: FakeAwsOptions = {}) {
    this.options = { ...options };
    this.identities.set(FAKE_ACCESS_KEY_ID, {
      accessKeyId: FAKE_ACCESS_KEY_ID,
      secretAccessKey: FAKE_SECRET_ACCESS_KEY,
      accountId: FAKE_ACCOUNT_ID,
      arn: FAKE_CALLER_ARN,
    });
    this.server = createServer((req, res) => {
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`fake-aws bug: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    });
  }

  /** `http://127.0.0.1:<port>`: the endpoint override for every SDK client. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- seeding -------------------------------------------------------------------------

  /** Adds an EKS cluster (defaults: eu-west-1, the fake's account, Kubernetes 1.31, an OIDC issuer). */
  addCluster(input: FakeClusterInput): FakeCluster {
    const region = input.region ?? FAKE_REGION;
    const accountId = input.accountId ?? FAKE_ACCOUNT_ID;
    const id = createHash('md5').update(`${accountId}/${region}/${input.name}`).digest('hex').toUpperCase();
    const cluster: FakeCluster = {
      name: input.name,
      region,
      accountId,
      arn: `arn:aws:eks:${region}:${accountId}:cluster/${input.name}`,
      version: input.version ?? '1.31',
      platformVersion: input.platformVersion ?? 'eks.12',
      endpoint: input.endpoint ?? `https://${id}.gr7.${region}.eks.amazonaws.com`,
      oidcIssuer: input.oidcIssuer === null ? undefined : (input.oidcIssuer ?? `https://oidc.eks.${region}.amazonaws.com/id/${id}`),
      vpcId: input.vpcId ?? `vpc-${id.slice(0, 17).toLowerCase()}`,
      tags: { ...(input.tags ?? {}) },
      authenticationMode: input.authenticationMode ?? 'API_AND_CONFIG_MAP',
      status: input.status ?? 'ACTIVE',
      caData: input.caData ?? Buffer.from('fake CA, not a certificate').toString('base64'),
    };
    this.clusters.set(clusterKey(accountId, region, input.name), cluster);
    return cluster;
  }

  /** Adds a Pod Identity association to a cluster added before; returns its id. */
  addPodIdentityAssociation(input: { clusterName: string; namespace: string; serviceAccount: string; roleArn: string } & Scope): string {
    const cluster = this.mustCluster(input.clusterName, input);
    const associationId = `a-${createHash('md5').update(`${cluster.arn}/${input.namespace}/${input.serviceAccount}`).digest('hex').slice(0, 17)}`;
    this.associations.push({
      clusterKey: clusterKey(cluster.accountId, cluster.region, cluster.name),
      clusterName: cluster.name,
      region: cluster.region,
      accountId: cluster.accountId,
      associationId,
      namespace: input.namespace,
      serviceAccount: input.serviceAccount,
      roleArn: input.roleArn,
    });
    return associationId;
  }

  /** Adds an EKS add-on to a cluster added before. */
  addAddon(input: { clusterName: string; name: string; version: string; status?: string } & Scope): void {
    const cluster = this.mustCluster(input.clusterName, input);
    this.addons.push({
      clusterKey: clusterKey(cluster.accountId, cluster.region, cluster.name),
      name: input.name,
      version: input.version,
      status: input.status ?? 'ACTIVE',
    });
  }

  /**
   * Adds an add-on version to what EKS offers in a region (DescribeAddonVersions); the same
   * add-on name and version replaces the earlier entry.
   */
  addAddonVersion(input: FakeAddonVersionInput): void {
    const record: AddonVersionRecord = {
      addonName: input.addonName,
      addonVersion: input.addonVersion,
      clusterVersions: [...input.clusterVersions],
      defaultFor: [...(input.defaultFor ?? [])],
      region: input.region ?? FAKE_REGION,
      type: input.type ?? 'networking',
    };
    const at = this.addonVersions.findIndex((v) => v.region === record.region && v.addonName === record.addonName && v.addonVersion === record.addonVersion);
    if (at >= 0) this.addonVersions[at] = record;
    else this.addonVersions.push(record);
  }

  /** Adds an insight to a cluster added before, or replaces the one with the same id; returns its id. */
  addInsight(input: FakeInsightInput): string {
    const cluster = this.mustCluster(input.clusterName, input);
    const key = clusterKey(cluster.accountId, cluster.region, cluster.name);
    const id = input.id ?? createHash('md5').update(`${key}/${input.name}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const record: InsightRecord = {
      clusterKey: key,
      id,
      name: input.name,
      category: input.category ?? 'UPGRADE_READINESS',
      kubernetesVersion: input.kubernetesVersion,
      status: input.status,
      reason: input.reason,
      description: input.description,
      recommendation: input.recommendation,
    };
    const at = this.insights.findIndex((i) => i.clusterKey === key && i.id === id);
    if (at >= 0) this.insights[at] = record;
    else this.insights.push(record);
    return id;
  }

  /** Stores an SSM parameter WITH its value, so that tests can prove values never leak. */
  putParameter(input: { name: string; value: string; type?: 'String' | 'StringList' | 'SecureString' } & Scope): void {
    this.parameters.push({
      name: input.name,
      value: input.value,
      type: input.type ?? 'SecureString',
      region: input.region ?? FAKE_REGION,
      accountId: input.accountId ?? FAKE_ACCOUNT_ID,
    });
  }

  /** Lets greenlight's identity assume `roleArn` (any other role is AccessDenied). */
  allowRole(roleArn: string): void {
    this.roles.add(roleArn);
  }

  // ---- faults, limits, counters --------------------------------------------------------

  /** The next `times` calls of `api` (every call when omitted) get `fault`. Faults queue in order. */
  inject(api: FakeAwsApi, fault: FakeFault, options: { times?: number } = {}): void {
    const list = this.faults.get(api) ?? [];
    list.push({ fault, remaining: options.times ?? Number.POSITIVE_INFINITY });
    this.faults.set(api, list);
  }

  /** Removes every injected fault (of one API, or all). */
  clearFaults(api?: FakeAwsApi): void {
    if (api) this.faults.delete(api);
    else this.faults.clear();
  }

  /**
   * Answers at most `perSecond` requests per second (token bucket, `burst` at once: `perSecond`
   * by default) for one API or for all of them together; the rest get the service's throttling
   * error. `undefined` removes the limit. A tiny rate with a burst answers exactly `burst`
   * requests however slowly they come (a busy machine).
   */
  rateLimit(api: FakeAwsApi | 'all', perSecond: number | undefined, burst = perSecond): void {
    if (perSecond === undefined || burst === undefined) this.buckets.delete(api);
    else this.buckets.set(api, { perSecond, burst, tokens: burst, last: Date.now() });
  }

  /** How many requests reached `api` (including refused and faulted ones). */
  calls(api: FakeAwsApi): number {
    return this.counts.get(api) ?? 0;
  }

  /** Requests per API, for benchmarks and assertions. */
  callCounts(): Record<FakeAwsApi, number> {
    return Object.fromEntries(FAKE_AWS_APIS.map((api) => [api, this.calls(api)])) as Record<FakeAwsApi, number>;
  }

  resetCounts(): void {
    this.counts.clear();
    this.requests.length = 0;
  }

  /** Adds an access entry (as the capability does for its own cluster), with these policies. */
  addAccessEntry(clusterName: string, principalArn: string, policies: readonly FakeAccessPolicy[] = [], scope: Scope = {}): void {
    const c = this.mustCluster(clusterName, scope);
    const key = clusterKey(c.accountId, c.region, c.name);
    const entries = this.accessEntries.get(key) ?? new Map<string, FakeAccessPolicy[]>();
    entries.set(principalArn, [...policies]);
    this.accessEntries.set(key, entries);
  }

  /** The access entries of a cluster: principal ARN → associated policies. */
  accessEntriesOf(clusterName: string, scope: Scope = {}): Record<string, FakeAccessPolicy[]> {
    const c = this.mustCluster(clusterName, scope);
    return Object.fromEntries(this.accessEntries.get(clusterKey(c.accountId, c.region, c.name)) ?? []);
  }

  // ---- request handling ----------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) {
      res.writeHead(413).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://fake-aws.invalid');
    const auth = AUTHORIZATION.exec(header(req, 'authorization') ?? '');
    if (!auth) {
      this.signatureFailures.push(`no SigV4 Authorization header on ${req.method} ${url.pathname}`);
      return this.refuse(res, guessService(req), 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const [, accessKeyId, date, region, service, signedHeaderList, signature] = auth as unknown as [string, string, string, string, string, string, string];
    const route = this.route(service, req, url, body);
    if (route.api !== 'unknown') this.counts.set(route.api, this.calls(route.api) + 1);
    this.requests.push({ api: route.api, service, region, accessKeyId, input: route.input });

    const identity = this.identities.get(accessKeyId);
    if (!identity) {
      this.signatureFailures.push(`unknown access key ${accessKeyId}`);
      return this.refuse(res, service, service === 'sts' ? 'InvalidClientTokenId' : 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    const problem = await verifySignature(req, url, body, identity, { date, region, service, signedHeaderList, signature });
    if (problem) {
      this.signatureFailures.push(problem);
      return this.refuse(res, service, service === 'sts' ? 'SignatureDoesNotMatch' : 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
    }
    if (identity.expiresAt !== undefined && identity.expiresAt <= Date.now()) {
      return this.refuse(res, service, service === 'sts' ? 'ExpiredToken' : 'ExpiredTokenException', 'The security token included in the request is expired');
    }
    if (route.api === 'unknown') return sendJson(res, 400, { message: `fake-aws does not know ${req.method} ${url.pathname} for ${service}` });

    const api = route.api;
    const ctx: Ctx = { api, region, identity, input: route.input, params: route.params };
    if (!this.takeToken(api)) return this.sendFault(res, ctx, { kind: 'throttle' });
    const fault = this.nextFault(api);
    if (fault?.kind === 'latency') await this.sleep(fault.ms);
    else if (fault) return this.sendFault(res, ctx, fault);
    if (res.destroyed) return;
    return this.answer(res, ctx);
  }

  private route(service: string, req: IncomingMessage, url: URL, body: string): { api: FakeAwsApi | 'unknown'; input: Record<string, unknown>; params: string[] } {
    if (service === 'eks' && req.method === 'GET') {
      const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
      const input = Object.fromEntries(url.searchParams);
      if (segments[0] === 'clusters' && segments.length >= 2) {
        const name = segments[1] as string;
        if (segments.length === 2) return { api: 'DescribeCluster', input, params: [name] };
        if (segments[2] === 'pod-identity-associations' && segments.length === 3) return { api: 'ListPodIdentityAssociations', input, params: [name] };
        if (segments[2] === 'pod-identity-associations' && segments.length === 4)
          return { api: 'DescribePodIdentityAssociation', input, params: [name, segments[3] as string] };
        if (segments[2] === 'addons' && segments.length === 3) return { api: 'ListAddons', input, params: [name] };
        if (segments[2] === 'addons' && segments.length === 4) return { api: 'DescribeAddon', input, params: [name, segments[3] as string] };
        if (segments[2] === 'insights' && segments.length === 4) return { api: 'DescribeInsight', input, params: [name, segments[3] as string] };
        if (segments[2] === 'access-entries' && segments.length === 3) return { api: 'ListAccessEntries', input, params: [name] };
        if (segments[2] === 'access-entries' && segments.length === 5 && segments[4] === 'access-policies')
          return { api: 'ListAssociatedAccessPolicies', input, params: [name, segments[3] as string] };
      }
      if (segments[0] === 'addons' && segments[1] === 'supported-versions' && segments.length === 2) {
        // Repeated list parameters (types, publishers, owners) arrive as repeated keys.
        const all: Record<string, unknown> = {};
        for (const key of new Set(url.searchParams.keys())) {
          const values = url.searchParams.getAll(key);
          all[key] = values.length > 1 ? values : values[0];
        }
        return { api: 'DescribeAddonVersions', input: all, params: [] };
      }
    }
    if (service === 'eks' && req.method === 'POST') {
      const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
      if (segments[0] === 'clusters' && segments.length === 3 && segments[2] === 'insights') {
        let input: Record<string, unknown> = {};
        try {
          const parsed: unknown = body === '' ? {} : JSON.parse(body);
          if (typeof parsed === 'object' && parsed !== null) input = parsed as Record<string, unknown>;
        } catch {
          // Answered as a validation error below.
        }
        return { api: 'ListInsights', input, params: [segments[1] as string] };
      }
      if (segments[0] === 'clusters' && segments[2] === 'access-entries') {
        let input: Record<string, unknown> = {};
        try {
          const parsed: unknown = body === '' ? {} : JSON.parse(body);
          if (typeof parsed === 'object' && parsed !== null) input = parsed as Record<string, unknown>;
        } catch {
          // Answered as a validation error below.
        }
        if (segments.length === 3) return { api: 'CreateAccessEntry', input, params: [segments[1] as string] };
        if (segments.length === 5 && segments[4] === 'access-policies') return { api: 'AssociateAccessPolicy', input, params: [segments[1] as string, segments[3] as string] };
      }
    }
    if (service === 'sts' && req.method === 'POST') {
      const input = Object.fromEntries(new URLSearchParams(body));
      if (input['Action'] === 'AssumeRole' || input['Action'] === 'GetCallerIdentity') return { api: input['Action'], input, params: [] };
    }
    if (service === 'ssm' && req.method === 'POST' && header(req, 'x-amz-target') === 'AmazonSSM.GetParametersByPath') {
      let input: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed === 'object' && parsed !== null) input = parsed as Record<string, unknown>;
      } catch {
        // Answered as a validation error below.
      }
      return { api: 'GetParametersByPath', input, params: [] };
    }
    return { api: 'unknown', input: {}, params: [] };
  }

  private takeToken(api: FakeAwsApi): boolean {
    const now = Date.now();
    let ok = true;
    for (const key of ['all', api] as const) {
      const bucket = this.buckets.get(key);
      if (!bucket) continue;
      bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.last) / 1000) * bucket.perSecond);
      bucket.last = now;
      if (bucket.tokens >= 1) bucket.tokens -= 1;
      else ok = false;
    }
    return ok;
  }

  private nextFault(api: FakeAwsApi): FakeFault | undefined {
    const list = this.faults.get(api);
    const entry = list?.[0];
    if (!list || !entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) list.shift();
    return entry.fault;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  // ---- answers -------------------------------------------------------------------------

  private answer(res: ServerResponse, ctx: Ctx): void {
    switch (ctx.api) {
      case 'DescribeCluster':
        return this.describeCluster(res, ctx);
      case 'ListPodIdentityAssociations':
        return this.listAssociations(res, ctx);
      case 'DescribePodIdentityAssociation':
        return this.describeAssociation(res, ctx);
      case 'ListAddons':
        return this.listAddons(res, ctx);
      case 'DescribeAddon':
        return this.describeAddon(res, ctx);
      case 'DescribeAddonVersions':
        return this.describeAddonVersions(res, ctx);
      case 'ListInsights':
        return this.listInsights(res, ctx);
      case 'DescribeInsight':
        return this.describeInsight(res, ctx);
      case 'ListAccessEntries':
      case 'CreateAccessEntry':
      case 'ListAssociatedAccessPolicies':
      case 'AssociateAccessPolicy':
        return this.accessEntryCall(res, ctx);
      case 'AssumeRole':
        return this.assumeRole(res, ctx);
      case 'GetCallerIdentity':
        return sendXml(
          res,
          200,
          `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${xml(ctx.identity.arn)}</Arn><UserId>${xml(ctx.identity.accessKeyId)}</UserId><Account>${ctx.identity.accountId}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
      case 'GetParametersByPath':
        return this.getParametersByPath(res, ctx);
    }
  }

  /** The cluster the caller may see (its own account, the signed region), else a 404 sent. */
  private visibleCluster(res: ServerResponse, ctx: Ctx): FakeCluster | undefined {
    const name = ctx.params[0] ?? '';
    const cluster = this.clusters.get(clusterKey(ctx.identity.accountId, ctx.region, name));
    if (!cluster) sendEksError(res, 404, 'ResourceNotFoundException', `No cluster found for name: ${name}.`, { clusterName: name });
    return cluster;
  }

  private describeCluster(res: ServerResponse, ctx: Ctx): void {
    const c = this.visibleCluster(res, ctx);
    if (!c) return;
    sendJson(res, 200, {
      cluster: {
        name: c.name,
        arn: c.arn,
        createdAt: 1_700_000_000.123,
        version: c.version,
        endpoint: c.endpoint,
        roleArn: `arn:aws:iam::${c.accountId}:role/${c.name}-cluster`,
        resourcesVpcConfig: {
          subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
          securityGroupIds: [],
          clusterSecurityGroupId: 'sg-0a1b2c3d4e5f60001',
          vpcId: c.vpcId,
          endpointPublicAccess: true,
          endpointPrivateAccess: true,
          publicAccessCidrs: ['0.0.0.0/0'],
        },
        kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16', ipFamily: 'ipv4' },
        logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: false }] },
        ...(c.oidcIssuer !== undefined ? { identity: { oidc: { issuer: c.oidcIssuer } } } : {}),
        status: c.status,
        certificateAuthority: { data: c.caData },
        platformVersion: c.platformVersion,
        tags: c.tags,
        health: { issues: [] },
        accessConfig: { bootstrapClusterCreatorAdminPermissions: false, authenticationMode: c.authenticationMode },
        upgradePolicy: { supportType: 'STANDARD' },
      },
    });
  }

  /** The four access entry APIs greenlight register --managed-argocd calls, with EKS's validation and errors. */
  private accessEntryCall(res: ServerResponse, ctx: Ctx): void {
    const c = this.visibleCluster(res, ctx);
    if (!c) return;
    const key = clusterKey(c.accountId, c.region, c.name);
    const entries = this.accessEntries.get(key) ?? new Map<string, FakeAccessPolicy[]>();
    this.accessEntries.set(key, entries);
    const entryArn = (principal: string) => `arn:aws:eks:${c.region}:${c.accountId}:access-entry/${c.name}/${principal.split(':').pop() ?? ''}/fake`;
    if (ctx.api === 'ListAccessEntries') {
      const page = this.eksPage(res, ctx, [...entries.keys()].sort());
      if (!page) return;
      return sendJson(res, 200, { accessEntries: page.items, nextToken: page.next ?? null });
    }
    const principal = ctx.api === 'CreateAccessEntry' ? ctx.input['principalArn'] : ctx.params[1];
    if (typeof principal !== 'string' || !/^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)\/.+$/.test(principal)) {
      return sendEksError(res, 400, 'InvalidParameterException', `The specified principalArn is invalid: ${String(principal)}`);
    }
    if (ctx.api === 'CreateAccessEntry') {
      if (entries.has(principal)) return sendEksError(res, 409, 'ResourceInUseException', `The specified access entry resource is already in use on this cluster.`);
      const type = ctx.input['type'] ?? 'STANDARD';
      if (type !== 'STANDARD') return sendEksError(res, 400, 'InvalidParameterException', `fake-aws only takes access entries of type STANDARD, got ${String(type)}`);
      entries.set(principal, []);
      return sendJson(res, 200, {
        accessEntry: { clusterName: c.name, principalArn: principal, kubernetesGroups: [], accessEntryArn: entryArn(principal), createdAt: 1_700_000_000, modifiedAt: 1_700_000_000, tags: {}, username: principal, type: 'STANDARD' },
      });
    }
    const policies = entries.get(principal);
    if (!policies) return sendEksError(res, 404, 'ResourceNotFoundException', `The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`);
    if (ctx.api === 'ListAssociatedAccessPolicies') {
      const page = this.eksPage(res, ctx, policies);
      if (!page) return;
      return sendJson(res, 200, {
        clusterName: c.name,
        principalArn: principal,
        associatedAccessPolicies: page.items.map((p) => ({ policyArn: p.policyArn, accessScope: p.accessScope, associatedAt: 1_700_000_000, modifiedAt: 1_700_000_000 })),
        nextToken: page.next ?? null,
      });
    }
    const policyArn = ctx.input['policyArn'];
    const scope = ctx.input['accessScope'] as { type?: unknown; namespaces?: unknown } | undefined;
    if (typeof policyArn !== 'string' || !/^arn:aws[a-z-]*:eks::aws:cluster-access-policy\/[A-Za-z]+$/.test(policyArn)) {
      return sendEksError(res, 400, 'InvalidParameterException', `The specified policyArn is invalid: ${String(policyArn)}`);
    }
    if (scope?.type !== 'cluster' && !(scope?.type === 'namespace' && Array.isArray(scope.namespaces) && scope.namespaces.length > 0)) {
      return sendEksError(res, 400, 'InvalidParameterException', 'accessScope must be of type cluster, or of type namespace with namespaces');
    }
    const accessScope = scope.type === 'cluster' ? { type: 'cluster', namespaces: [] } : { type: 'namespace', namespaces: (scope.namespaces as unknown[]).map(String) };
    const kept = policies.filter((p) => p.policyArn !== policyArn);
    kept.push({ policyArn, accessScope });
    entries.set(principal, kept);
    return sendJson(res, 200, { clusterName: c.name, principalArn: principal, associatedAccessPolicy: { policyArn, accessScope, associatedAt: 1_700_000_000, modifiedAt: 1_700_000_000 } });
  }

  private listAssociations(res: ServerResponse, ctx: Ctx): void {
    const c = this.visibleCluster(res, ctx);
    if (!c) return;
    const key = clusterKey(c.accountId, c.region, c.name);
    const items = this.associations.filter((a) => a.clusterKey === key).sort((a, b) => a.associationId.localeCompare(b.associationId));
    const page = this.eksPage(res, ctx, items);
    if (!page) return;
    sendJson(res, 200, {
      associations: page.items.map((a) => ({
        clusterName: a.clusterName,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        associationArn: associationArn(a),
        associationId: a.associationId,
      })),
      nextToken: page.next ?? null,
    });
  }

  private describeAssociation(res: ServerResponse, ctx: Ctx): void {
    const c = this.visibleCluster(res, ctx);
    if (!c) return;
    const key = clusterKey(c.accountId, c.region, c.name);
    const a = this.associations.find((x) => x.clusterKey === key && x.associationId === ctx.params[1]);
    if (!a) return sendEksError(res, 404, 'ResourceNotFoundException', `No Pod Identity Association found for id: ${ctx.params[1] ?? ''}`);
    sendJson(res, 200, {
      association: {
        clusterName: a.clusterName,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        roleArn: a.roleArn,
        associationArn: associationArn(a),
        associationId: a.associationId,
        tags: {},
        createdAt: 1_700_000_000,
        modifiedAt: 1_700_000_000,
        disableSessionTags: false,
      },
    });
  }

  private listAddons(res: ServerResponse, ctx: Ctx): void {
    const c = this.visibleCluster(res, ctx);
    if (!c) return;
    const key = clusterKey(c.accountId, c.region, c.name);
    const items = this.addons.filter((a) => a.clusterKey === key).sort((a, b) => a.name.localeCompare(b.name));
    const page = this.eksPage(res, ctx, items);
    if (!page) return;
    sendJson(res, 200, { addons: page.items.map((a) => a.name), nextToken: page.next ?? null });
  }

  private describeAddon(res: ServerResponse, ctx: Ctx): void {
    const c = this.visibleCluster(res, ctx);
    if (!c) return;
    const key = clusterKey(c.accountId, c.region, c.name);
    const a = this.addons.find((x) => x.clusterKey === key && x.name === ctx.params[1]);
    if (!a) return sendEksError(res, 404, 'ResourceNotFoundException', `No addon: ${ctx.params[1] ?? ''} found in cluster: ${c.name}`, { clusterName: c.name, addonName: ctx.params[1] });
    sendJson(res, 200, {
      addon: {
        addonName: a.name,
        clusterName: c.name,
        status: a.status,
        addonVersion: a.version,
        health: { issues: [] },
        addonArn: `arn:aws:eks:${c.region}:${c.accountId}:addon/${c.name}/${a.name}/fake`,
        createdAt: 1_700_000_000,
        modifiedAt: 1_700_000_000,
        tags: {},
      },
    });
  }

  /**
   * `GET /addons/supported-versions`: the add-ons EKS offers in the signed region, each with
   * the versions compatible with `kubernetesVersion` (every version without it), filtered by
   * `addonName` and `types`; paginated over add-ons. Add-ons with no version left are omitted.
   */
  private describeAddonVersions(res: ServerResponse, ctx: Ctx): void {
    const kubernetesVersion = typeof ctx.input['kubernetesVersion'] === 'string' ? ctx.input['kubernetesVersion'] : undefined;
    const addonName = typeof ctx.input['addonName'] === 'string' ? ctx.input['addonName'] : undefined;
    const typesInput = ctx.input['types'];
    const types = typesInput === undefined ? undefined : Array.isArray(typesInput) ? typesInput.map(String) : [String(typesInput)];
    const byName = new Map<string, AddonVersionRecord[]>();
    for (const v of this.addonVersions) {
      if (v.region !== ctx.region) continue;
      if (addonName !== undefined && v.addonName !== addonName) continue;
      if (types !== undefined && !types.includes(v.type)) continue;
      if (kubernetesVersion !== undefined && !v.clusterVersions.includes(kubernetesVersion)) continue;
      byName.set(v.addonName, [...(byName.get(v.addonName) ?? []), v]);
    }
    const items = [...byName].sort(([a], [b]) => a.localeCompare(b));
    const page = this.eksPage(res, ctx, items);
    if (!page) return;
    sendJson(res, 200, {
      addons: page.items.map(([name, versions]) => ({
        addonName: name,
        type: versions[0]?.type ?? 'networking',
        addonVersions: [...versions]
          .sort((a, b) => b.addonVersion.localeCompare(a.addonVersion, undefined, { numeric: true }))
          .map((v) => ({
            addonVersion: v.addonVersion,
            architecture: ['amd64', 'arm64'],
            computeTypes: ['ec2'],
            compatibilities: v.clusterVersions.map((clusterVersion) => ({ clusterVersion, platformVersions: ['*'], defaultVersion: v.defaultFor.includes(clusterVersion) })),
            requiresConfiguration: false,
            requiresIamPermissions: false,
          })),
        publisher: 'eks',
        owner: 'aws',
      })),
      nextToken: page.next ?? null,
    });
  }

  /** `POST /clusters/<name>/insights`: the cluster's insights, filtered as the body's `filter` says, paginated. */
  private listInsights(res: ServerResponse, ctx: Ctx): void {
    const c = this.visibleCluster(res, ctx);
    if (!c) return;
    const filter = (typeof ctx.input['filter'] === 'object' && ctx.input['filter'] !== null ? ctx.input['filter'] : {}) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : undefined);
    const categories = list(filter['categories']);
    const versions = list(filter['kubernetesVersions']);
    const statuses = list(filter['statuses']);
    const key = clusterKey(c.accountId, c.region, c.name);
    const items = this.insights
      .filter((i) => i.clusterKey === key)
      .filter((i) => !categories || categories.includes(i.category))
      .filter((i) => !versions || (i.kubernetesVersion !== undefined && versions.includes(i.kubernetesVersion)))
      .filter((i) => !statuses || statuses.includes(i.status))
      .sort((a, b) => a.id.localeCompare(b.id));
    // ListInsights takes maxResults and nextToken in the body, not the query.
    const page = this.eksPage(res, { ...ctx, input: { maxResults: ctx.input['maxResults'], nextToken: ctx.input['nextToken'] } }, items);
    if (!page) return;
    sendJson(res, 200, { insights: page.items.map((i) => insightSummary(i)), nextToken: page.next ?? null });
  }

  private describeInsight(res: ServerResponse, ctx: Ctx): void {
    const c = this.visibleCluster(res, ctx);
    if (!c) return;
    const key = clusterKey(c.accountId, c.region, c.name);
    const i = this.insights.find((x) => x.clusterKey === key && x.id === ctx.params[1]);
    if (!i) return sendEksError(res, 404, 'ResourceNotFoundException', `No insight found for id: ${ctx.params[1] ?? ''}`, { clusterName: c.name });
    sendJson(res, 200, {
      insight: {
        ...insightSummary(i),
        ...(i.recommendation !== undefined ? { recommendation: i.recommendation } : {}),
        additionalInfo: {},
        resources: [],
        categorySpecificSummary: { deprecationDetails: [], addonCompatibilityDetails: [] },
      },
    });
  }

  /** One page of an EKS list, honouring maxResults (1–100) and the fake's page settings. */
  private eksPage<T>(res: ServerResponse, ctx: Ctx, items: readonly T[]): { items: readonly T[]; next?: string } | undefined {
    const max = ctx.input['maxResults'] === undefined ? 100 : Number(ctx.input['maxResults']);
    if (!Number.isInteger(max) || max < 1 || max > 100) {
      sendEksError(res, 400, 'InvalidParameterException', 'maxResults must be between 1 and 100');
      return undefined;
    }
    const token = ctx.input['nextToken'];
    const page = paginate(items, typeof token === 'string' ? token : undefined, Math.min(max, this.options.eksPageSize ?? max), this.options.eksEmptyPages ?? 0);
    if (!page) sendEksError(res, 400, 'InvalidParameterException', 'The nextToken is not valid');
    return page;
  }

  private assumeRole(res: ServerResponse, ctx: Ctx): void {
    const roleArn = String(ctx.input['RoleArn'] ?? '');
    const sessionName = String(ctx.input['RoleSessionName'] ?? '');
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      return sendStsError(res, 400, 'ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`);
    }
    if (!this.roles.has(roleArn)) {
      return sendStsError(res, 403, 'AccessDenied', `User: ${ctx.identity.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const requested = ctx.input['DurationSeconds'] === undefined ? 3600 : Number(ctx.input['DurationSeconds']);
    const lifetime = Math.min(requested, this.options.credentialLifetimeSeconds ?? requested);
    this.sessions += 1;
    const accessKeyId = `ASIAFAKE${String(this.sessions).padStart(4, '0')}${randomBytes(4).toString('hex').toUpperCase()}`;
    const accountId = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(roleArn)?.[1] ?? FAKE_ACCOUNT_ID;
    const roleName = roleArn.split('/').pop() ?? 'role';
    const expiresAt = Date.now() + lifetime * 1000;
    const identity: Identity = {
      accessKeyId,
      secretAccessKey: `fake-session-secret-not-real-${this.sessions}`,
      sessionToken: `fake-session-token-${randomBytes(12).toString('hex')}`,
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
      expiresAt,
    };
    this.identities.set(accessKeyId, identity);
    this.assumedRoles.push({ roleArn, sessionName, accessKeyId });
    sendXml(
      res,
      200,
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><SourceIdentity></SourceIdentity><AssumedRoleUser><AssumedRoleId>AROAFAKE${this.sessions}:${xml(sessionName)}</AssumedRoleId><Arn>${xml(identity.arn)}</Arn></AssumedRoleUser><Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${xml(identity.secretAccessKey)}</SecretAccessKey><SessionToken>${xml(identity.sessionToken ?? '')}</SessionToken><Expiration>${new Date(expiresAt).toISOString()}</Expiration></Credentials><PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  private getParametersByPath(res: ServerResponse, ctx: Ctx): void {
    const { Path: path, Recursive: recursive, MaxResults: maxResults, NextToken: token } = ctx.input;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      return sendSsmError(res, 400, 'ValidationException', "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must start with /");
    }
    const max = maxResults === undefined ? 10 : Number(maxResults);
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      return sendSsmError(
        res,
        400,
        'ValidationException',
        `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10`,
      );
    }
    const base = path.endsWith('/') ? path : `${path}/`;
    const items = this.parameters
      .filter((p) => p.accountId === ctx.identity.accountId && p.region === ctx.region)
      .filter((p) => p.name.startsWith(base) && (recursive === true || !p.name.slice(base.length).includes('/')))
      .sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(items, typeof token === 'string' ? token : undefined, Math.min(max, this.options.ssmPageSize ?? max), this.options.ssmEmptyPages ?? 0);
    if (!page) return sendSsmError(res, 400, 'InvalidNextToken', 'The specified token is not valid.');
    sendJson(
      res,
      200,
      {
        Parameters: page.items.map((p) => ({
          Name: p.name,
          Type: p.type,
          // SSM returns the value (ciphertext for SecureString without decryption); the adapter must drop it.
          Value: p.value,
          Version: 1,
          LastModifiedDate: 1_700_000_000.5,
          ARN: `arn:aws:ssm:${p.region}:${p.accountId}:parameter${p.name}`,
          DataType: 'text',
        })),
        ...(page.next !== undefined ? { NextToken: page.next } : {}),
      },
      'application/x-amz-json-1.1',
    );
  }

  // ---- faults and refusals -------------------------------------------------------------

  private sendFault(res: ServerResponse, ctx: Ctx, fault: Exclude<FakeFault, { kind: 'latency' }>): void {
    const service = SERVICE_OF[ctx.api];
    switch (fault.kind) {
      case 'hang':
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'garbage': {
        const contentType = service === 'sts' ? 'text/xml' : service === 'ssm' ? 'application/x-amz-json-1.1' : 'application/json';
        res.writeHead(fault.status ?? 200, { 'content-type': contentType, 'x-amzn-requestid': requestId() });
        res.end(fault.body ?? '<html><body><h1>502 Bad Gateway</h1>not an AWS answer</body></html>');
        return;
      }
      case 'throttle':
        if (service === 'eks') return sendEksError(res, fault.status ?? 429, fault.name ?? 'ThrottlingException', 'Rate exceeded');
        if (service === 'ssm') return sendSsmError(res, fault.status ?? 400, fault.name ?? 'ThrottlingException', 'Rate exceeded');
        return sendStsError(res, fault.status ?? 400, fault.name ?? 'Throttling', 'Rate exceeded');
      case 'server-error': {
        const status = fault.status ?? 500;
        if (service === 'eks') return sendEksError(res, status, status === 503 ? 'ServiceUnavailableException' : 'ServerException', 'Service is unavailable');
        if (service === 'ssm') return sendSsmError(res, status, 'InternalServerError', 'An error occurred on the server side.');
        return sendStsError(res, status, 'InternalFailure', 'An internal error occurred.', 'Receiver');
      }
      case 'access-denied': {
        const who = ctx.identity.arn;
        if (service === 'eks') {
          // DescribeAddonVersions is on no resource; every other EKS call is on a cluster.
          const resource = ctx.api === 'DescribeAddonVersions' ? '*' : `arn:aws:eks:${ctx.region}:${ctx.identity.accountId}:cluster/${ctx.params[0] ?? ''}`;
          return sendEksError(res, 403, 'AccessDeniedException', `User: ${who} is not authorized to perform: eks:${ctx.api} on resource: ${resource}`);
        }
        if (service === 'ssm') {
          const resource = `arn:aws:ssm:${ctx.region}:${ctx.identity.accountId}:parameter${String(ctx.input['Path'] ?? '')}`;
          return sendSsmError(
            res,
            400,
            'AccessDeniedException',
            `User: ${who} is not authorized to perform: ssm:GetParametersByPath on resource: ${resource} because no identity-based policy allows the ssm:GetParametersByPath action`,
          );
        }
        return sendStsError(res, 403, 'AccessDenied', `User: ${who} is not authorized to perform: sts:${ctx.api} on resource: ${String(ctx.input['RoleArn'] ?? '*')}`);
      }
      case 'not-found':
        if (service === 'eks') return sendEksError(res, 404, 'ResourceNotFoundException', `No cluster found for name: ${ctx.params[0] ?? ''}.`);
        if (service === 'ssm') return sendSsmError(res, 400, 'ResourceNotFoundException', 'Resource not found.');
        return sendStsError(res, 404, 'NoSuchEntity', 'The role cannot be found.');
    }
  }

  private refuse(res: ServerResponse, service: string, name: string, message: string): void {
    if (service === 'sts') return sendStsError(res, 403, name, message);
    if (service === 'ssm') return sendSsmError(res, 400, name, message);
    return sendEksError(res, 403, name, message);
  }

  private mustCluster(name: string, scope: Scope): FakeCluster {
    const cluster = this.clusters.get(clusterKey(scope.accountId ?? FAKE_ACCOUNT_ID, scope.region ?? FAKE_REGION, name));
    if (!cluster) throw new Error(`fake-aws: add cluster "${name}" first`);
    return cluster;
  }
}

interface Ctx {
  readonly api: FakeAwsApi;
  readonly region: string;
  readonly identity: Identity;
  readonly input: Readonly<Record<string, unknown>>;
  readonly params: readonly string[];
}

function clusterKey(accountId: string, region: string, name: string): string {
  return `${accountId}/${region}/${name}`;
}

/** An insight as ListInsights shows it (an InsightSummary: no recommendation). */
function insightSummary(i: InsightRecord): Record<string, unknown> {
  return {
    id: i.id,
    name: i.name,
    category: i.category,
    ...(i.kubernetesVersion !== undefined ? { kubernetesVersion: i.kubernetesVersion } : {}),
    lastRefreshTime: 1_700_000_000,
    lastTransitionTime: 1_700_000_000,
    ...(i.description !== undefined ? { description: i.description } : {}),
    insightStatus: { status: i.status, ...(i.reason !== undefined ? { reason: i.reason } : {}) },
  };
}

function associationArn(a: Association): string {
  return `arn:aws:eks:${a.region}:${a.accountId}:podidentityassociation/${a.clusterName}/${a.associationId}`;
}

/**
 * A page of `items` from an opaque token; `emptyPages` empty pages (with a token) come before
 * each page that has items, as SSM's best-effort paging does. `undefined` for a bad token.
 */
function paginate<T>(items: readonly T[], token: string | undefined, size: number, emptyPages: number): { items: readonly T[]; next?: string } | undefined {
  let offset = 0;
  let empties = 0;
  if (token !== undefined) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
      const p = parsed as { o?: unknown; e?: unknown };
      if (typeof p.o !== 'number' || typeof p.e !== 'number') return undefined;
      offset = p.o;
      empties = p.e;
    } catch {
      return undefined;
    }
  }
  const encode = (o: number, e: number) => Buffer.from(JSON.stringify({ o, e })).toString('base64url');
  if (offset < items.length && empties < emptyPages) return { items: [], next: encode(offset, empties + 1) };
  const slice = items.slice(offset, offset + size);
  const end = offset + size;
  return end < items.length ? { items: slice, next: encode(end, 0) } : { items: slice };
}

/** What a SigV4 Authorization header says: who signed, for which region and service. */
export interface SigV4Claim {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

/**
 * Checks a request's SigV4 signature against the secret of `identity` (the one verifier of the
 * fakes: fake-aws and the Amazon Managed Prometheus stand-in use it). Returns who signed for
 * which region and service, or the reason the signature does not hold.
 */
export async function verifySigV4(
  req: IncomingMessage,
  url: URL,
  body: string,
  identity: Pick<Identity, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>,
): Promise<{ claim: SigV4Claim } | { problem: string }> {
  const auth = AUTHORIZATION.exec(header(req, 'authorization') ?? '');
  if (!auth) return { problem: `no SigV4 Authorization header on ${req.method} ${url.pathname}` };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = auth as unknown as [string, string, string, string, string, string, string];
  if (accessKeyId !== identity.accessKeyId) return { problem: `unknown access key ${accessKeyId}` };
  const problem = await verifySignature(req, url, body, identity, { date, region, service, signedHeaderList, signature });
  return problem === undefined ? { claim: { accessKeyId, region, service } } : { problem };
}

/** Recomputes the SigV4 signature with the identity's secret; a reason when it does not match. */
async function verifySignature(
  req: IncomingMessage,
  url: URL,
  body: string,
  identity: Pick<Identity, 'accessKeyId' | 'secretAccessKey' | 'sessionToken'>,
  auth: { date: string; region: string; service: string; signedHeaderList: string; signature: string },
): Promise<string | undefined> {
  const signedHeaders = auth.signedHeaderList.split(';');
  for (const required of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(required)) return `SignedHeaders lacks ${required}`;
  }
  const amzDate = header(req, 'x-amz-date') ?? '';
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!match) return `x-amz-date "${amzDate}" is not yyyyMMddTHHmmssZ`;
  if (!amzDate.startsWith(auth.date)) return `credential scope date ${auth.date} is not the date of x-amz-date ${amzDate}`;
  if (identity.sessionToken !== undefined && header(req, 'x-amz-security-token') !== identity.sessionToken) return 'x-amz-security-token does not belong to the access key';
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const signingDate = new Date(Date.UTC(y, mo - 1, d, h, mi, s));

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = header(req, name) ?? '';
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prior = query[k];
    query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  const request = new HttpRequest({
    method: req.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: url.pathname,
    query,
    headers,
    ...(body.length > 0 ? { body } : {}),
  });
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(identity.sessionToken !== undefined ? { sessionToken: identity.sessionToken } : {}),
    },
    region: auth.region,
    service: auth.service,
    sha256: Hash.bind(null, 'sha256'),
    // Only hash the payload into a header when the client did (S3 does, EKS/SSM/STS do not).
    applyChecksum: signedHeaders.includes('x-amz-content-sha256'),
  });
  const signed = await signer.sign(request, { signingDate, signingRegion: auth.region, signingService: auth.service });
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers['authorization'] ?? ''))?.[1];
  return expected === auth.signature ? undefined : `signature mismatch for ${req.method} ${url.pathname} (${auth.service})`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function guessService(req: IncomingMessage): string {
  if (header(req, 'x-amz-target')?.startsWith('AmazonSSM.')) return 'ssm';
  return req.method === 'GET' ? 'eks' : 'sts';
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function requestId(): string {
  return randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
}

function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': requestId() });
  res.end(text);
}

/** EKS (REST-JSON): the error name in `x-amzn-ErrorType`, the message in the body. */
function sendEksError(res: ServerResponse, status: number, name: string, message: string, extra: Record<string, unknown> = {}): void {
  const text = JSON.stringify({ ...extra, message });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazonaws.eks/`,
    'x-amzn-requestid': requestId(),
  });
  res.end(text);
}

/** SSM (JSON 1.1): the error name in `__type`. */
function sendSsmError(res: ServerResponse, status: number, name: string, message: string): void {
  sendJson(res, status, { __type: name, message }, 'application/x-amz-json-1.1');
}

/** STS (query protocol): an XML ErrorResponse. */
function sendStsError(res: ServerResponse, status: number, code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender'): void {
  sendXml(
    res,
    status,
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${xml(code)}</Code><Message>${xml(message)}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`,
  );
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId() });
  res.end(body);
}

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The environment that points greenlight (the service or a command) at the fake: obviously fake
 * keys, the fake's region, and the endpoint of EKS, SSM and STS (one for all, or one each, e.g.
 * fault-injecting proxies in front of the fake).
 */
export function fakeAwsEnv(endpoint: string | Readonly<Record<'eks' | 'ssm' | 'sts', string>>): Record<string, string> {
  const at = typeof endpoint === 'string' ? { eks: endpoint, ssm: endpoint, sts: endpoint } : endpoint;
  return {
    AWS_ACCESS_KEY_ID: FAKE_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: FAKE_SECRET_ACCESS_KEY,
    AWS_REGION: FAKE_REGION,
    AWS_ENDPOINT_URL_EKS: at.eks,
    AWS_ENDPOINT_URL_SSM: at.ssm,
    AWS_ENDPOINT_URL_STS: at.sts,
  };
}

/** SDK client settings that point at the fake: endpoint, obviously fake keys, no retries unless asked. */
export function fakeClientConfig(fake: FakeAws, region: string = FAKE_REGION, maxAttempts = 1) {
  return { region, endpoint: fake.endpoint, credentials: FAKE_CREDENTIALS, maxAttempts } as const;
}

/** The Argo CD cluster record of a seeded EKS cluster, as the Argo CD inventory would build it. */
export function clusterRecordFor(
  cluster: FakeCluster,
  overrides: { name?: string; roleArn?: string; server?: string; labels?: Record<string, string>; clusterName?: string } = {},
): {
  name: string;
  server: string;
  project: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  origin: string;
  aws: { clusterName: string; roleArn?: string };
} {
  const name = overrides.name ?? cluster.name;
  return {
    name,
    server: overrides.server ?? cluster.endpoint,
    project: 'default',
    labels: overrides.labels ?? {},
    annotations: {},
    origin: `Secret argocd/cluster-${name}`,
    aws: { clusterName: overrides.clusterName ?? cluster.name, ...(overrides.roleArn !== undefined ? { roleArn: overrides.roleArn } : {}) },
  };
}

/** The same record without `awsAuthConfig`: a cluster the AWS sources do not apply to. */
export function withoutAws<T extends object>(record: T): Omit<T, 'aws'> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => key !== 'aws')) as Omit<T, 'aws'>;
}

/** Credentials for adapters checked without the network (nothing is signed with them). */
export const OFFLINE_CREDENTIALS: AwsCredentialsFor = {
  credentialsFor: () => async () => ({ accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake-secret-not-real' }),
  accountIdFor: async () => '123456789012',
};

/** A client factory for checks that must make no AWS call. */
export const noAwsClient = (): never => {
  throw new Error('no AWS call expected');
};

/** Cluster "prod" as its Argo CD Secret registers it with awsAuthConfig, for adapter checks without the network. */
export function anAwsCluster(over: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    name: 'prod',
    server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
    project: 'default',
    labels: {},
    annotations: {},
    origin: 'Secret argocd/prod',
    aws: { clusterName: 'prod' },
    ...over,
  };
}

/** greenlight's AWS credentials as the fake's base identity, with STS (AssumeRole) at the fake. */
export function fakeAwsCredentials(fake: FakeAws): AwsCredentials {
  return AwsCredentials.fromConfig({ base: async () => FAKE_CREDENTIALS, stsRegion: FAKE_REGION, stsEndpoint: fake.endpoint, maxAttempts: 1 });
}
