/**
 * @module Configuration: read from the environment once, at boot, into a frozen object.
 * Every problem is reported at once. `process.env` is read only by `main.ts`, which passes it here.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssues, gateConfigFileSchema, gateSettings, LABEL_NAME, type GateSettings } from '../generator/index.js';
import { prometheusPlainHttpProblem, prometheusUrlProblem } from './adapters/prometheus/prometheus-client.js';
import { ZONE_ID } from './adapters/route53/zone-id.js';
import { MIN_SECRET_LENGTH, secretFileProblem } from './auth/token-source.js';

const int = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** The environment variables greenlight reads. The README's configuration table mirrors this. */
export const envSchema = z.object({
  PORT: int('PORT', 0, 65535, 4355),
  GREENLIGHT_HOST: optionalString.transform((v) => v ?? '127.0.0.1'),
  GREENLIGHT_INVENTORY: optionalString.transform((v) => v ?? 'demo'),
  GREENLIGHT_TOKEN_FILE: optionalString,
  /** @secret */
  GREENLIGHT_TOKEN: optionalString,
  GREENLIGHT_PROXY_SECRET_FILE: optionalString,
  /** @secret */
  GREENLIGHT_PROXY_SECRET: optionalString,
  GREENLIGHT_REQUEST_DEADLINE_MS: int('GREENLIGHT_REQUEST_DEADLINE_MS', 100, 28_000, 20_000),
  GREENLIGHT_ANSWER_CACHE_MS: int('GREENLIGHT_ANSWER_CACHE_MS', 0, 60_000, 1_000),
  GREENLIGHT_ANSWER_CACHE_BYTES: int('GREENLIGHT_ANSWER_CACHE_BYTES', 1024 * 1024, 4 * 1024 ** 3, 64 * 1024 * 1024),
  GREENLIGHT_MAX_BODY_BYTES: int('GREENLIGHT_MAX_BODY_BYTES', 1024, 10 * 1024 * 1024, 256 * 1024),
  GREENLIGHT_TOKEN_RELOAD_MS: int('GREENLIGHT_TOKEN_RELOAD_MS', 100, 600_000, 2_000),
  GREENLIGHT_SHUTDOWN_GRACE_MS: int('GREENLIGHT_SHUTDOWN_GRACE_MS', 0, 120_000, 10_000),
  GREENLIGHT_RENDER_BUDGET_MS: int('GREENLIGHT_RENDER_BUDGET_MS', 10, 10_000, 100),
  GREENLIGHT_TEMPLATE_CACHE_BYTES: int('GREENLIGHT_TEMPLATE_CACHE_BYTES', 64 * 1024, 1024 * 1024 * 1024, 4 * 1024 * 1024),
  ARGOCD_NAMESPACE: optionalString.transform((v) => v ?? 'argocd'),
  GREENLIGHT_REMOVAL_GRACE_MS: int('GREENLIGHT_REMOVAL_GRACE_MS', 0, 86_400_000, 120_000),
  GREENLIGHT_INVENTORY_MAX_STALENESS_MS: int('GREENLIGHT_INVENTORY_MAX_STALENESS_MS', 1000, 86_400_000, 300_000),
  GREENLIGHT_FLEET_FILE_SETTLE_MS: int('GREENLIGHT_FLEET_FILE_SETTLE_MS', 0, 60_000, 1_000),
  GREENLIGHT_FLEET_FILE_POLL_MS: int('GREENLIGHT_FLEET_FILE_POLL_MS', 50, 600_000, 2_000),
  GREENLIGHT_SSM_PREFIX: optionalString.transform((v) => v ?? '/greenlight/{{cluster.name}}/'),
  GREENLIGHT_FACTS_TTL_MS: int('GREENLIGHT_FACTS_TTL_MS', 1000, 86_400_000, 300_000),
  GREENLIGHT_FACTS_REFRESH_AHEAD_MS: int('GREENLIGHT_FACTS_REFRESH_AHEAD_MS', 0, 86_400_000, 60_000),
  GREENLIGHT_FACTS_MAX_STALENESS_MS: int('GREENLIGHT_FACTS_MAX_STALENESS_MS', 0, 7 * 86_400_000, 3_600_000),
  GREENLIGHT_FACTS_FAILURE_COOLDOWN_MS: int('GREENLIGHT_FACTS_FAILURE_COOLDOWN_MS', 0, 3_600_000, 15_000),
  GREENLIGHT_FACTS_ATTEMPT_TIMEOUT_MS: int('GREENLIGHT_FACTS_ATTEMPT_TIMEOUT_MS', 100, 60_000, 10_000),
  GREENLIGHT_FACTS_CONCURRENCY: int('GREENLIGHT_FACTS_CONCURRENCY', 1, 1000, 16),
  GREENLIGHT_FACTS_MAX_ENTRIES: int('GREENLIGHT_FACTS_MAX_ENTRIES', 10, 1_000_000, 10_000),
  GREENLIGHT_FACTS_CACHE_BYTES: int('GREENLIGHT_FACTS_CACHE_BYTES', 1024 * 1024, 4 * 1024 ** 3, 64 * 1024 * 1024),
  GREENLIGHT_READINESS_CACHE_BYTES: int('GREENLIGHT_READINESS_CACHE_BYTES', 1024 * 1024, 4 * 1024 ** 3, 16 * 1024 * 1024),
  GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS: int('GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS', 1, 10, 4),
  GREENLIGHT_EKS_RATE_PER_SECOND: int('GREENLIGHT_EKS_RATE_PER_SECOND', 1, 10_000, 20),
  GREENLIGHT_SSM_RATE_PER_SECOND: int('GREENLIGHT_SSM_RATE_PER_SECOND', 1, 10_000, 40),
  GREENLIGHT_KUBERNETES_RATE_PER_SECOND: int('GREENLIGHT_KUBERNETES_RATE_PER_SECOND', 0, 100_000, 0),
  GREENLIGHT_DRIFT_TOOL_MANAGERS: optionalString,
  GREENLIGHT_DRIFT_ACCEPT: optionalString,
  GREENLIGHT_DRIFT_RATE_PER_SECOND: int('GREENLIGHT_DRIFT_RATE_PER_SECOND', 0, 100_000, 20),
  GREENLIGHT_DRIFT_PAGE_SIZE: int('GREENLIGHT_DRIFT_PAGE_SIZE', 1, 10_000, 500),
  GREENLIGHT_DRIFT_TTL_MS: int('GREENLIGHT_DRIFT_TTL_MS', 0, 86_400_000, 600_000),
  GREENLIGHT_DRIFT_CACHE_BYTES: int('GREENLIGHT_DRIFT_CACHE_BYTES', 1024 * 1024, 16 * 1024 ** 3, 64 * 1024 * 1024),
  GREENLIGHT_DRIFT_MAX_OBJECTS: int('GREENLIGHT_DRIFT_MAX_OBJECTS', 1, 100_000_000, 1_000_000),
  GREENLIGHT_DRIFT_TIMEOUT_MS: int('GREENLIGHT_DRIFT_TIMEOUT_MS', 1000, 3_600_000, 300_000),
  GREENLIGHT_DRIFT_AUDITS: z
    .enum(['on', 'off'])
    .optional()
    .transform((v) => v ?? 'on'),
  AWS_REGION: optionalString,
  AWS_DEFAULT_REGION: optionalString,
  AWS_ENDPOINT_URL_STS: optionalString,
  GREENLIGHT_PROMETHEUS_URL: optionalString,
  GREENLIGHT_PROMETHEUS_CLUSTER_LABEL: optionalString.transform((v) => v ?? 'cluster'),
  GREENLIGHT_PROMETHEUS_TIMEOUT_MS: int('GREENLIGHT_PROMETHEUS_TIMEOUT_MS', 100, 60_000, 10_000),
  GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: optionalString,
  GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER: optionalString,
  GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: optionalString,
  GREENLIGHT_PROMETHEUS_TENANT: optionalString,
  GREENLIGHT_PROMETHEUS_SIGV4_REGION: optionalString,
  GREENLIGHT_PROMETHEUS_CA_FILE: optionalString,
  GREENLIGHT_ROUTE53_ZONES: optionalString,
  GREENLIGHT_GATE_CONFIG: optionalString,
  GREENLIGHT_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .transform((v) => v ?? 'info'),
});

/** The fixed token of the bundled demo fleet. It protects nothing and is only accepted in demo mode. */
export const DEMO_TOKEN = 'greenlight-demo-token';
/** The demo's proxy-extension secret, used by the demo page's stand-in for Argo CD's proxy. */
export const DEMO_PROXY_SECRET = 'greenlight-demo-proxy-secret';

export type InventoryConfig = { kind: 'demo' } | { kind: 'fleet-file'; path: string } | { kind: 'argocd'; namespace: string };

/** How live facts are cached (used with the `argocd` inventory). */
export interface FactsConfig {
  readonly ttlMs: number;
  readonly refreshAheadMs: number;
  readonly maxStalenessMs: number;
  readonly failureCooldownMs: number;
  readonly attemptTimeoutMs: number;
  readonly concurrency: number;
  readonly maxEntries: number;
  /** Bound on the facts cache, in estimated bytes. */
  readonly cacheBytes: number;
  /** Bound on the cache of EKS readiness data (add-on versions, insights), in estimated bytes. */
  readonly readinessCacheBytes: number;
  readonly retryMaxAttempts: number;
  /** Requests per second per replica; `null` is unlimited. */
  readonly ratePerSecond: { readonly eks: number; readonly ssm: number; readonly kubernetes: number | null };
  /** Handlebars template of each cluster's SSM prefix. */
  readonly ssmPrefix: string;
  /** greenlight's own region (STS, and clusters whose server URL does not name one). */
  readonly awsRegion: string | undefined;
  /** STS endpoint override, also used for the EKS tokens greenlight signs (AWS_ENDPOINT_URL_STS). */
  readonly stsEndpoint: string | undefined;
}
/** How the inventory rides out churn and outages (every inventory kind). */
export interface InventoryPolicy {
  /** How long a cluster that left the inventory fails the requests that may select it before answers omit it. */
  readonly removalGraceMs: number;
  /** How long the Argo CD Secret list/watch may fail before the inventory (and /readyz) refuses to answer from memory. */
  readonly maxStalenessMs: number;
  /** How long a changed fleet file must stay unchanged before it is read (a file written in place in steps). */
  readonly fleetFileSettleMs: number;
  /** How often a fleet file is checked for changes. */
  readonly fleetFilePollMs: number;
}

export type TokenConfig =
  | { kind: 'file'; path: string; reloadMs: number }
  | { kind: 'static'; value: string }
  | { kind: 'demo'; value: string };

/** How greenlight authenticates to Prometheus (docs/gate.md, "Prometheus that needs credentials"); files are re-read every `reloadMs`. */
export type PrometheusAuthConfig =
  | { readonly kind: 'bearer'; readonly tokenFile: string; readonly reloadMs: number }
  | { readonly kind: 'basic'; readonly user: string; readonly passwordFile: string; readonly reloadMs: number }
  | { readonly kind: 'sigv4'; readonly region: string };

/** The traffic gate's sources and settings (see docs/gate.md). */
export interface GateConfig {
  /** Prometheus (or Thanos, Mimir) root; undefined: live health cannot be evaluated. */
  readonly prometheusUrl: string | undefined;
  /** Credentials for Prometheus; undefined: none are sent. */
  readonly prometheusAuth: PrometheusAuthConfig | undefined;
  /** Mimir/Cortex tenant (X-Scope-OrgID). */
  readonly prometheusTenant: string | undefined;
  /** PEM of the CA(s) that sign Prometheus's certificate (GREENLIGHT_PROMETHEUS_CA_FILE), read at start. */
  readonly prometheusCa: string | undefined;
  readonly prometheusTimeoutMs: number;
  /** The series label naming the cluster, matched to the Argo CD cluster name. */
  readonly clusterLabel: string;
  /** Hosted zone ids holding the pairs' weighted records; empty: the split cannot be read. */
  readonly route53Zones: readonly string[];
  /** Plan, window, queries and thresholds (GREENLIGHT_GATE_CONFIG, else the defaults). */
  readonly settings: GateSettings;
}

/** How the drift audit scans clusters and what it counts as a client tool or a sign-off (docs/drift.md). */
export interface DriftConfig {
  /** Field managers (names or `*` globs) that count as client tools, besides the built-in ones. */
  readonly toolManagers: readonly string[];
  /** Sign-offs: `[cluster:]Kind[.group]/[namespace/]name` globs. */
  readonly accept: readonly string[];
  /** Requests per second to one cluster's API during a scan; `null` is unlimited. */
  readonly ratePerSecond: number | null;
  readonly pageSize: number;
  readonly ttlMs: number;
  /** Bound on the cached scans, in estimated bytes. */
  readonly cacheBytes: number;
  readonly maxObjects: number;
  readonly timeoutMs: number;
  /** Whether the service audits every pair in the background (the CLI always audits when asked). */
  readonly serviceAudits: boolean;
}

export interface Config {
  /** The traffic gate (greenlight gate, weight --step, greenlight_pair_gate). */
  readonly gate: GateConfig;
  readonly port: number;
  readonly host: string;
  readonly inventory: InventoryConfig;
  readonly inventoryPolicy: InventoryPolicy;
  readonly facts: FactsConfig;
  readonly drift: DriftConfig;
  readonly token: TokenConfig;
  /** The proxy extension's shared secret (GET /api/v1/facts); absent turns that endpoint off. */
  readonly proxySecret: TokenConfig | undefined;
  /** Serve the demo UI at `/` (demo fleet only). */
  readonly demoUi: boolean;
  readonly requestDeadlineMs: number;
  /** How long a complete answer is reused for the same request bytes (0: never). */
  readonly answerCacheMs: number;
  /** Bound on the answer cache, in bytes (answers and keys). */
  readonly answerCacheBytes: number;
  readonly maxBodyBytes: number;
  readonly shutdownGraceMs: number;
  /** CPU milliseconds (and 10,000 steps per ms) that rendering one request's templates may take. */
  readonly renderBudgetMs: number;
  /** Bound of the compiled-template cache, in estimated bytes. */
  readonly templateCacheBytes: number;
  readonly logLevel: string;
}

/** Thrown by `loadConfig` with every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`greenlight cannot start; fix its configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads a token or proxy-secret file at start, so that `loadConfig` can list its problems with the others. */
export type SecretFileReader = (path: string) => string;

const readSecretFileFromDisk: SecretFileReader = (path) => readFileSync(path, 'utf8');

const RANDOM_SECRET_ADVICE = `put a random value of at least ${MIN_SECRET_LENGTH} characters in it (e.g. openssl rand -hex 32)`;
/** For a credential greenlight sends (it does not choose it). */
const UPSTREAM_SECRET_ADVICE = 'put the credential Prometheus (or the proxy in front of it) accepts in it, on one line';

/** The problem with a token or proxy-secret file named by `variable`, or `undefined`. Never quotes the file's text. */
function secretFileCheck(variable: string, path: string, read: SecretFileReader, advice = RANDOM_SECRET_ADVICE): string | undefined {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    return `${variable}: cannot read ${path} (${why}); mount the Secret there or fix the path`;
  }
  const problem = secretFileProblem(path, text);
  return problem === undefined ? undefined : `${variable}: ${problem}; ${advice}`;
}

/**
 * @param readSecretFile reads the token and proxy-secret files (default: from disk), so that a
 *   missing, empty or short file is a problem listed with every other one.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, readSecretFile: SecretFileReader = readSecretFileFromDisk): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => (i.path.length > 0 && !i.message.includes(String(i.path[0])) ? `${String(i.path[0])}: ${i.message}` : i.message));
  if (!parsed.success) {
    // The files are checked even so: every problem is listed at once.
    for (const variable of ['GREENLIGHT_TOKEN_FILE', 'GREENLIGHT_PROXY_SECRET_FILE', 'GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE', 'GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE'] as const) {
      const path = env[variable]?.trim();
      const problem = path ? secretFileCheck(variable, path, readSecretFile, variable.startsWith('GREENLIGHT_PROMETHEUS_') ? UPSTREAM_SECRET_ADVICE : RANDOM_SECRET_ADVICE) : undefined;
      if (problem !== undefined) problems.push(problem);
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;

  let inventory: InventoryConfig;
  if (e.GREENLIGHT_INVENTORY === 'demo') inventory = { kind: 'demo' };
  else if (e.GREENLIGHT_INVENTORY === 'argocd') inventory = { kind: 'argocd', namespace: e.ARGOCD_NAMESPACE };
  else inventory = { kind: 'fleet-file', path: e.GREENLIGHT_INVENTORY };

  let token: TokenConfig;
  if (e.GREENLIGHT_TOKEN_FILE !== undefined && e.GREENLIGHT_TOKEN !== undefined) {
    problems.push('set only one of GREENLIGHT_TOKEN_FILE and GREENLIGHT_TOKEN (the file, a mounted Secret, is preferred)');
    token = { kind: 'file', path: e.GREENLIGHT_TOKEN_FILE, reloadMs: e.GREENLIGHT_TOKEN_RELOAD_MS };
  } else if (e.GREENLIGHT_TOKEN_FILE !== undefined) {
    token = { kind: 'file', path: e.GREENLIGHT_TOKEN_FILE, reloadMs: e.GREENLIGHT_TOKEN_RELOAD_MS };
    const problem = secretFileCheck('GREENLIGHT_TOKEN_FILE', e.GREENLIGHT_TOKEN_FILE, readSecretFile);
    if (problem !== undefined) problems.push(problem);
  } else if (e.GREENLIGHT_TOKEN !== undefined) {
    if (e.GREENLIGHT_TOKEN.trim().length < MIN_SECRET_LENGTH) problems.push(`GREENLIGHT_TOKEN must be at least ${MIN_SECRET_LENGTH} characters`);
    token = { kind: 'static', value: e.GREENLIGHT_TOKEN.trim() };
  } else if (inventory.kind === 'demo') {
    token = { kind: 'demo', value: DEMO_TOKEN };
  } else {
    problems.push('a token is required outside demo mode: set GREENLIGHT_TOKEN_FILE to a mounted Secret file (or GREENLIGHT_TOKEN)');
    token = { kind: 'demo', value: DEMO_TOKEN };
  }

  let proxySecret: TokenConfig | undefined;
  if (e.GREENLIGHT_PROXY_SECRET_FILE !== undefined && e.GREENLIGHT_PROXY_SECRET !== undefined) {
    problems.push('set only one of GREENLIGHT_PROXY_SECRET_FILE and GREENLIGHT_PROXY_SECRET');
  } else if (e.GREENLIGHT_PROXY_SECRET_FILE !== undefined) {
    proxySecret = { kind: 'file', path: e.GREENLIGHT_PROXY_SECRET_FILE, reloadMs: e.GREENLIGHT_TOKEN_RELOAD_MS };
    const problem = secretFileCheck('GREENLIGHT_PROXY_SECRET_FILE', e.GREENLIGHT_PROXY_SECRET_FILE, readSecretFile);
    if (problem !== undefined) problems.push(problem);
  } else if (e.GREENLIGHT_PROXY_SECRET !== undefined) {
    if (e.GREENLIGHT_PROXY_SECRET.trim().length < MIN_SECRET_LENGTH) problems.push(`GREENLIGHT_PROXY_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    proxySecret = { kind: 'static', value: e.GREENLIGHT_PROXY_SECRET.trim() };
  } else if (inventory.kind === 'demo') {
    proxySecret = { kind: 'demo', value: DEMO_PROXY_SECRET };
  }

  if (e.GREENLIGHT_FACTS_REFRESH_AHEAD_MS >= e.GREENLIGHT_FACTS_TTL_MS) {
    problems.push('GREENLIGHT_FACTS_REFRESH_AHEAD_MS must be less than GREENLIGHT_FACTS_TTL_MS');
  }
  if (e.GREENLIGHT_FACTS_ATTEMPT_TIMEOUT_MS >= e.GREENLIGHT_REQUEST_DEADLINE_MS) {
    problems.push('GREENLIGHT_FACTS_ATTEMPT_TIMEOUT_MS must be less than GREENLIGHT_REQUEST_DEADLINE_MS, so that a slow upstream is cut off before the answer is due');
  }
  if (!e.GREENLIGHT_SSM_PREFIX.startsWith('/') || !e.GREENLIGHT_SSM_PREFIX.endsWith('/')) {
    problems.push(`GREENLIGHT_SSM_PREFIX must start and end with "/", got "${e.GREENLIGHT_SSM_PREFIX}"`);
  }

  if (e.GREENLIGHT_PROMETHEUS_URL !== undefined) {
    const problem = prometheusUrlProblem(e.GREENLIGHT_PROMETHEUS_URL);
    if (problem !== undefined) problems.push(problem);
  }
  const prometheus = prometheusAccess(e, readSecretFile, problems);
  if (!LABEL_NAME.test(e.GREENLIGHT_PROMETHEUS_CLUSTER_LABEL)) problems.push(`GREENLIGHT_PROMETHEUS_CLUSTER_LABEL must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*), got "${e.GREENLIGHT_PROMETHEUS_CLUSTER_LABEL}"`);
  const zones = (e.GREENLIGHT_ROUTE53_ZONES ?? '').split(',').map((z) => z.trim()).filter((z) => z !== '');
  const badZones = zones.filter((z) => !ZONE_ID.test(z));
  if (badZones.length > 0) problems.push(`GREENLIGHT_ROUTE53_ZONES takes hosted zone ids separated by commas (such as Z0123456789ABCDEFGHIJ), got ${badZones.map((z) => `"${z}"`).join(', ')}`);
  let settings = gateSettings();
  if (e.GREENLIGHT_GATE_CONFIG !== undefined) {
    const path = e.GREENLIGHT_GATE_CONFIG;
    try {
      const parsedFile = gateConfigFileSchema.safeParse(parseYaml(readFileSync(path, 'utf8')) ?? {});
      if (parsedFile.success) settings = gateSettings(parsedFile.data);
      else problems.push(`GREENLIGHT_GATE_CONFIG ${path}: ${describeIssues(parsedFile.error.issues, '')}`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(`GREENLIGHT_GATE_CONFIG: cannot read ${path} (${code === 'ENOENT' ? 'it does not exist' : code ?? (err as Error).message}); mount the ConfigMap there or fix the path`);
    }
  }
  const list = (v: string | undefined) => (v ?? '').split(/[,\n]/).map((x) => x.trim()).filter((x) => x !== '');
  const accept = list(e.GREENLIGHT_DRIFT_ACCEPT);
  const badAccept = accept.filter((a) => !/^(?:[^:/]+:)?[^/:]+\/(?:[^/]+\/)?[^/]+$/.test(a));
  if (badAccept.length > 0) problems.push(`GREENLIGHT_DRIFT_ACCEPT entries must be [cluster:]Kind[.group]/[namespace/]name, got ${badAccept.map((a) => `"${a}"`).join(', ')}`);

  if (problems.length > 0) throw new ConfigError(problems);
  const drift: DriftConfig = Object.freeze({
    toolManagers: Object.freeze(list(e.GREENLIGHT_DRIFT_TOOL_MANAGERS)),
    accept: Object.freeze(accept),
    ratePerSecond: e.GREENLIGHT_DRIFT_RATE_PER_SECOND === 0 ? null : e.GREENLIGHT_DRIFT_RATE_PER_SECOND,
    pageSize: e.GREENLIGHT_DRIFT_PAGE_SIZE,
    ttlMs: e.GREENLIGHT_DRIFT_TTL_MS,
    cacheBytes: e.GREENLIGHT_DRIFT_CACHE_BYTES,
    maxObjects: e.GREENLIGHT_DRIFT_MAX_OBJECTS,
    timeoutMs: e.GREENLIGHT_DRIFT_TIMEOUT_MS,
    serviceAudits: e.GREENLIGHT_DRIFT_AUDITS === 'on',
  });
  const facts: FactsConfig = Object.freeze({
    ttlMs: e.GREENLIGHT_FACTS_TTL_MS,
    refreshAheadMs: e.GREENLIGHT_FACTS_REFRESH_AHEAD_MS,
    maxStalenessMs: e.GREENLIGHT_FACTS_MAX_STALENESS_MS,
    failureCooldownMs: e.GREENLIGHT_FACTS_FAILURE_COOLDOWN_MS,
    attemptTimeoutMs: e.GREENLIGHT_FACTS_ATTEMPT_TIMEOUT_MS,
    concurrency: e.GREENLIGHT_FACTS_CONCURRENCY,
    maxEntries: e.GREENLIGHT_FACTS_MAX_ENTRIES,
    cacheBytes: e.GREENLIGHT_FACTS_CACHE_BYTES,
    readinessCacheBytes: e.GREENLIGHT_READINESS_CACHE_BYTES,
    retryMaxAttempts: e.GREENLIGHT_FACTS_RETRY_MAX_ATTEMPTS,
    ratePerSecond: Object.freeze({
      eks: e.GREENLIGHT_EKS_RATE_PER_SECOND,
      ssm: e.GREENLIGHT_SSM_RATE_PER_SECOND,
      kubernetes: e.GREENLIGHT_KUBERNETES_RATE_PER_SECOND === 0 ? null : e.GREENLIGHT_KUBERNETES_RATE_PER_SECOND,
    }),
    ssmPrefix: e.GREENLIGHT_SSM_PREFIX,
    awsRegion: e.AWS_REGION ?? e.AWS_DEFAULT_REGION,
    stsEndpoint: e.AWS_ENDPOINT_URL_STS,
  });
  return Object.freeze({
    port: e.PORT,
    host: e.GREENLIGHT_HOST,
    inventory: Object.freeze(inventory),
    gate: Object.freeze({
      prometheusUrl: e.GREENLIGHT_PROMETHEUS_URL,
      prometheusAuth: prometheus.auth && Object.freeze(prometheus.auth),
      prometheusTenant: e.GREENLIGHT_PROMETHEUS_TENANT,
      prometheusCa: prometheus.ca,
      prometheusTimeoutMs: e.GREENLIGHT_PROMETHEUS_TIMEOUT_MS,
      clusterLabel: e.GREENLIGHT_PROMETHEUS_CLUSTER_LABEL,
      route53Zones: Object.freeze(zones),
      settings,
    }),
    inventoryPolicy: Object.freeze({
      removalGraceMs: e.GREENLIGHT_REMOVAL_GRACE_MS,
      maxStalenessMs: e.GREENLIGHT_INVENTORY_MAX_STALENESS_MS,
      fleetFileSettleMs: e.GREENLIGHT_FLEET_FILE_SETTLE_MS,
      fleetFilePollMs: e.GREENLIGHT_FLEET_FILE_POLL_MS,
    }),
    facts,
    drift,
    token: Object.freeze(token),
    proxySecret: proxySecret && Object.freeze(proxySecret),
    demoUi: inventory.kind === 'demo',
    requestDeadlineMs: e.GREENLIGHT_REQUEST_DEADLINE_MS,
    answerCacheMs: e.GREENLIGHT_ANSWER_CACHE_MS,
    answerCacheBytes: e.GREENLIGHT_ANSWER_CACHE_BYTES,
    maxBodyBytes: e.GREENLIGHT_MAX_BODY_BYTES,
    shutdownGraceMs: e.GREENLIGHT_SHUTDOWN_GRACE_MS,
    renderBudgetMs: e.GREENLIGHT_RENDER_BUDGET_MS,
    templateCacheBytes: e.GREENLIGHT_TEMPLATE_CACHE_BYTES,
    logLevel: e.GREENLIGHT_LOG_LEVEL,
  });
}

/** A Mimir/Cortex tenant id (one, or several joined by `|` for a federated query). */
const TENANT = /^[A-Za-z0-9!_.*'()-]{1,150}(?:\|[A-Za-z0-9!_.*'()-]{1,150})*$/;
/** An AWS region name, e.g. eu-west-1, us-gov-west-1. */
const AWS_REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** Amazon Managed Prometheus's endpoint host, whose second label is the workspace's region. */
const AMP_HOST = /^aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Prometheus's credentials (one of bearer, basic and SigV4), its tenant and CA, with every
 * problem pushed onto `problems`. Credentials go only to an https:// URL: greenlight never sends
 * a credential unencrypted (the rule for cluster Secrets too), not even to a loopback address.
 */
function prometheusAccess(
  e: z.infer<typeof envSchema>,
  readSecretFile: SecretFileReader,
  problems: string[],
): { auth: PrometheusAuthConfig | undefined; ca: string | undefined } {
  const reloadMs = e.GREENLIGHT_TOKEN_RELOAD_MS;
  const ways: string[] = [];
  if (e.GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE !== undefined) ways.push('GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE (bearer)');
  if (e.GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER !== undefined || e.GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE !== undefined) ways.push('GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER/_PASSWORD_FILE (basic)');
  if (e.GREENLIGHT_PROMETHEUS_SIGV4_REGION !== undefined) ways.push('GREENLIGHT_PROMETHEUS_SIGV4_REGION (SigV4)');
  if (ways.length > 1) problems.push(`set only one way to authenticate to Prometheus; got ${ways.join(' and ')}`);

  const advice = UPSTREAM_SECRET_ADVICE;
  let auth: PrometheusAuthConfig | undefined;
  if (e.GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE !== undefined) {
    const path = e.GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE;
    const problem = secretFileCheck('GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE', path, readSecretFile, advice);
    if (problem !== undefined) problems.push(problem);
    // Checked here so that it is listed with the rest; never quoted.
    else if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(readSecretFile(path).trim())) problems.push(`GREENLIGHT_PROMETHEUS_BEARER_TOKEN_FILE: the token in the file ${path} holds a line break or a control character, which no HTTP header carries; put the token on one line`);
    auth = { kind: 'bearer', tokenFile: path, reloadMs };
  } else if (e.GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER !== undefined || e.GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE !== undefined) {
    const user = e.GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER;
    const path = e.GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE;
    if (user === undefined) problems.push('GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE is set without GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER: basic auth needs both');
    else if (user.includes(':') || /[\u0000-\u001f\u007f]/.test(user)) problems.push('GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER must not contain ":" or control characters (basic auth, RFC 7617)');
    if (path === undefined) problems.push('GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER is set without GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: basic auth needs both (the password from a mounted Secret file)');
    else {
      const problem = secretFileCheck('GREENLIGHT_PROMETHEUS_BASIC_AUTH_PASSWORD_FILE', path, readSecretFile, advice);
      if (problem !== undefined) problems.push(problem);
    }
    if (user !== undefined && path !== undefined) auth = { kind: 'basic', user, passwordFile: path, reloadMs };
  } else if (e.GREENLIGHT_PROMETHEUS_SIGV4_REGION !== undefined) {
    const region = e.GREENLIGHT_PROMETHEUS_SIGV4_REGION;
    if (!AWS_REGION_NAME.test(region)) problems.push(`GREENLIGHT_PROMETHEUS_SIGV4_REGION must be an AWS region such as eu-west-1 (the workspace's), got "${region}"`);
    auth = { kind: 'sigv4', region };
  }

  const url = e.GREENLIGHT_PROMETHEUS_URL;
  let parsed: URL | undefined;
  try {
    parsed = url === undefined ? undefined : new URL(url);
  } catch {
    parsed = undefined; // prometheusUrlProblem reports it
  }
  if (url === undefined && (ways.length > 0 || e.GREENLIGHT_PROMETHEUS_TENANT !== undefined || e.GREENLIGHT_PROMETHEUS_CA_FILE !== undefined)) {
    problems.push('Prometheus credentials, tenant or CA are set but GREENLIGHT_PROMETHEUS_URL is not: set the server\'s root too');
  }
  if (ways.length > 0 && parsed?.protocol === 'http:') problems.push(prometheusPlainHttpProblem(url ?? '', `${ways.join(' and ')} ${ways.length > 1 ? 'give' : 'gives'} credentials`));
  if (auth?.kind === 'sigv4' && AWS_REGION_NAME.test(auth.region) && parsed !== undefined) {
    const workspaceRegion = AMP_HOST.exec(parsed.hostname)?.[1];
    if (workspaceRegion !== undefined && workspaceRegion !== auth.region) {
      problems.push(`GREENLIGHT_PROMETHEUS_SIGV4_REGION is "${auth.region}" but GREENLIGHT_PROMETHEUS_URL is a workspace in ${workspaceRegion}: sign for the workspace's region`);
    }
  }
  const tenant = e.GREENLIGHT_PROMETHEUS_TENANT;
  if (tenant !== undefined && !TENANT.test(tenant)) problems.push(`GREENLIGHT_PROMETHEUS_TENANT must be a Mimir tenant id (letters, digits and !-_.*'(), at most 150, several joined by |), got "${tenant}"`);

  let ca: string | undefined;
  const caFile = e.GREENLIGHT_PROMETHEUS_CA_FILE;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) problems.push(`GREENLIGHT_PROMETHEUS_CA_FILE: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----); mount the CA bundle there`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(`GREENLIGHT_PROMETHEUS_CA_FILE: cannot read ${caFile} (${code === 'ENOENT' ? 'it does not exist' : code ?? (err as Error).message}); mount the CA bundle there or fix the path`);
    }
  }
  return { auth, ca };
}
