import { describe, expect, it } from 'vitest';
import { ConfigError, DEMO_TOKEN, loadConfig, type SecretFileReader } from '../../../plugin/config.js';
import { gateSettings } from '../../../generator/index.js';

/** Token files as a mounted Secret holds them: every path holds a good token unless listed. */
function files(contents: Record<string, string> = {}): SecretFileReader {
  return (path) => {
    if (path in contents) return contents[path] as string;
    if (path === '/missing') throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return 'a-mounted-token-0123456789\n';
  };
}

function problems(env: Record<string, string>, read: SecretFileReader = files()): readonly string[] {
  try {
    loadConfig(env, read);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('starts on the demo fleet with the demo token and safe defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 4355,
      host: '127.0.0.1',
      inventory: { kind: 'demo' },
      inventoryPolicy: { removalGraceMs: 120_000, maxStalenessMs: 300_000, fleetFileSettleMs: 1_000, fleetFilePollMs: 2_000 },
      facts: {
        ttlMs: 300_000,
        refreshAheadMs: 60_000,
        maxStalenessMs: 3_600_000,
        failureCooldownMs: 15_000,
        attemptTimeoutMs: 10_000,
        concurrency: 16,
        maxEntries: 10_000,
        cacheBytes: 64 * 1024 * 1024,
        readinessCacheBytes: 16 * 1024 * 1024,
        retryMaxAttempts: 4,
        ratePerSecond: { eks: 20, ssm: 40, kubernetes: null },
        ssmPrefix: '/greenlight/{{cluster.name}}/',
        awsRegion: undefined,
        stsEndpoint: undefined,
      },
      gate: { prometheusUrl: undefined, prometheusTimeoutMs: 10_000, clusterLabel: 'cluster', route53Zones: [], settings: gateSettings() },
      drift: { toolManagers: [], accept: [], ratePerSecond: 20, pageSize: 500, ttlMs: 600_000, cacheBytes: 64 * 1024 * 1024, maxObjects: 1_000_000, timeoutMs: 300_000, serviceAudits: true },
      token: { kind: 'demo', value: DEMO_TOKEN },
      proxySecret: { kind: 'demo', value: 'greenlight-demo-proxy-secret' },
      demoUi: true,
      requestDeadlineMs: 20_000,
      answerCacheMs: 1_000,
      answerCacheBytes: 64 * 1024 * 1024,
      maxBodyBytes: 262_144,
      shutdownGraceMs: 10_000,
      renderBudgetMs: 100,
      templateCacheBytes: 4 * 1024 * 1024,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the drift audit’s tools, sign-offs and scan bounds, and names malformed sign-offs', () => {
    const config = loadConfig({
      GREENLIGHT_DRIFT_TOOL_MANAGERS: 'ops-bootstrap.sh, terraform-provider-*',
      GREENLIGHT_DRIFT_ACCEPT: 'CronJob/payments/nightly-*,prod-eu-blue:ClusterRole.rbac.authorization.k8s.io/debug-*',
      GREENLIGHT_DRIFT_RATE_PER_SECOND: '0',
    });
    expect(config.drift).toMatchObject({ toolManagers: ['ops-bootstrap.sh', 'terraform-provider-*'], accept: ['CronJob/payments/nightly-*', 'prod-eu-blue:ClusterRole.rbac.authorization.k8s.io/debug-*'], ratePerSecond: null });
    expect(problems({ GREENLIGHT_DRIFT_ACCEPT: 'CronJob,a/b/c/d' })).toEqual(['GREENLIGHT_DRIFT_ACCEPT entries must be [cluster:]Kind[.group]/[namespace/]name, got "CronJob", "a/b/c/d"']);
    // The service's background audits: on unless turned off.
    expect(config.drift.serviceAudits).toBe(true);
    expect(loadConfig({ GREENLIGHT_DRIFT_AUDITS: 'off' }).drift.serviceAudits).toBe(false);
    expect(problems({ GREENLIGHT_DRIFT_AUDITS: 'no' })).toEqual(['GREENLIGHT_DRIFT_AUDITS: Invalid option: expected one of "on"|"off"']);
  });

  it('reads the inventory policy: removal grace, staleness bound, fleet file settle and poll periods', () => {
    const config = loadConfig({
      GREENLIGHT_REMOVAL_GRACE_MS: '0',
      GREENLIGHT_INVENTORY_MAX_STALENESS_MS: '600000',
      GREENLIGHT_FLEET_FILE_SETTLE_MS: '250',
      GREENLIGHT_FLEET_FILE_POLL_MS: '100',
    });
    expect(config.inventoryPolicy).toEqual({ removalGraceMs: 0, maxStalenessMs: 600_000, fleetFileSettleMs: 250, fleetFilePollMs: 100 });
    expect(problems({ GREENLIGHT_REMOVAL_GRACE_MS: '-1', GREENLIGHT_INVENTORY_MAX_STALENESS_MS: '10' })).toEqual([
      'GREENLIGHT_REMOVAL_GRACE_MS must be a whole number from 0 to 86400000, got "-1"',
      'GREENLIGHT_INVENTORY_MAX_STALENESS_MS must be a whole number from 1000 to 86400000, got "10"',
    ]);
  });

  it('reads the byte bound of each cache', () => {
    const config = loadConfig({ GREENLIGHT_ANSWER_CACHE_BYTES: '8388608', GREENLIGHT_FACTS_CACHE_BYTES: '16777216', GREENLIGHT_READINESS_CACHE_BYTES: '2097152' });
    expect([config.answerCacheBytes, config.facts.cacheBytes, config.facts.readinessCacheBytes]).toEqual([8 * 2 ** 20, 16 * 2 ** 20, 2 * 2 ** 20]);
    expect(problems({ GREENLIGHT_ANSWER_CACHE_BYTES: '1000' })).toEqual(['GREENLIGHT_ANSWER_CACHE_BYTES must be a whole number from 1048576 to 4294967296, got "1000"']);
  });

  it('reads a fleet file and a token file', () => {
    const config = loadConfig({ GREENLIGHT_INVENTORY: '/etc/greenlight/fleet.yaml', GREENLIGHT_TOKEN_FILE: '/var/run/greenlight/token', PORT: '8080' }, files());
    expect(config.inventory).toEqual({ kind: 'fleet-file', path: '/etc/greenlight/fleet.yaml' });
    expect(config.token).toEqual({ kind: 'file', path: '/var/run/greenlight/token', reloadMs: 2000 });
    expect(config.port).toBe(8080);
  });

  it('lists every problem at once', () => {
    expect(
      problems({
        PORT: 'eighty',
        GREENLIGHT_REQUEST_DEADLINE_MS: '60000',
        GREENLIGHT_LOG_LEVEL: 'loud',
      }),
    ).toEqual([
      'PORT must be a whole number from 0 to 65535, got "eighty"',
      'GREENLIGHT_REQUEST_DEADLINE_MS must be a whole number from 100 to 28000, got "60000"',
      'GREENLIGHT_LOG_LEVEL: Invalid option: expected one of "fatal"|"error"|"warn"|"info"|"debug"|"trace"|"silent"',
    ]);
  });

  it('reads Argo CD cluster Secrets from ARGOCD_NAMESPACE', () => {
    const config = loadConfig({ GREENLIGHT_INVENTORY: 'argocd', ARGOCD_NAMESPACE: 'gitops', GREENLIGHT_TOKEN_FILE: '/t' }, files());
    expect(config.inventory).toEqual({ kind: 'argocd', namespace: 'gitops' });
    expect(loadConfig({ GREENLIGHT_INVENTORY: 'argocd', GREENLIGHT_TOKEN_FILE: '/t' }, files()).inventory).toEqual({ kind: 'argocd', namespace: 'argocd' });
  });

  it('checks that the facts settings fit together', () => {
    expect(
      problems({
        GREENLIGHT_FACTS_TTL_MS: '60000',
        GREENLIGHT_FACTS_REFRESH_AHEAD_MS: '60000',
        GREENLIGHT_FACTS_ATTEMPT_TIMEOUT_MS: '25000',
        GREENLIGHT_SSM_PREFIX: 'greenlight/{{cluster.name}}',
      }),
    ).toEqual([
      'GREENLIGHT_FACTS_REFRESH_AHEAD_MS must be less than GREENLIGHT_FACTS_TTL_MS',
      'GREENLIGHT_FACTS_ATTEMPT_TIMEOUT_MS must be less than GREENLIGHT_REQUEST_DEADLINE_MS, so that a slow upstream is cut off before the answer is due',
      'GREENLIGHT_SSM_PREFIX must start and end with "/", got "greenlight/{{cluster.name}}"',
    ]);
  });

  it('requires a token outside demo mode and refuses two', () => {
    expect(problems({ GREENLIGHT_INVENTORY: './fleet.yaml' })).toEqual([
      'a token is required outside demo mode: set GREENLIGHT_TOKEN_FILE to a mounted Secret file (or GREENLIGHT_TOKEN)',
    ]);
    expect(problems({ GREENLIGHT_TOKEN_FILE: '/t', GREENLIGHT_TOKEN: 'x'.repeat(20) })).toEqual([
      'set only one of GREENLIGHT_TOKEN_FILE and GREENLIGHT_TOKEN (the file, a mounted Secret, is preferred)',
    ]);
    expect(problems({ GREENLIGHT_TOKEN: 'short' })).toEqual(['GREENLIGHT_TOKEN must be at least 16 characters']);
  });

  it('holds token and proxy-secret files to the same minimum as the variables, and lists a missing file with the other problems', () => {
    const read = files({ '/short': 'x\n', '/empty': ' \n', '/proxy-short': 'fifteen-chars-x' });
    expect(problems({ GREENLIGHT_TOKEN_FILE: '/short', GREENLIGHT_PROXY_SECRET_FILE: '/proxy-short' }, read)).toEqual([
      'GREENLIGHT_TOKEN_FILE: the token in the file /short is shorter than 16 characters; put a random value of at least 16 characters in it (e.g. openssl rand -hex 32)',
      'GREENLIGHT_PROXY_SECRET_FILE: the token in the file /proxy-short is shorter than 16 characters; put a random value of at least 16 characters in it (e.g. openssl rand -hex 32)',
    ]);
    expect(problems({ GREENLIGHT_TOKEN_FILE: '/empty' }, read)).toEqual([
      'GREENLIGHT_TOKEN_FILE: the token file /empty is empty; put a random value of at least 16 characters in it (e.g. openssl rand -hex 32)',
    ]);
    expect(problems({ GREENLIGHT_TOKEN_FILE: '/missing', GREENLIGHT_FACTS_TTL_MS: '5' }, read)).toEqual([
      'GREENLIGHT_FACTS_TTL_MS must be a whole number from 1000 to 86400000, got "5"',
      'GREENLIGHT_TOKEN_FILE: cannot read /missing (it does not exist); mount the Secret there or fix the path',
    ]);
    expect(problems({ GREENLIGHT_TOKEN_FILE: '/missing', GREENLIGHT_SSM_PREFIX: 'x' }, read)).toEqual([
      'GREENLIGHT_TOKEN_FILE: cannot read /missing (it does not exist); mount the Secret there or fix the path',
      'GREENLIGHT_SSM_PREFIX must start and end with "/", got "x"',
    ]);
    // Sixteen characters after trimming are enough, as for the variables.
    expect(loadConfig({ GREENLIGHT_TOKEN_FILE: '/ok', GREENLIGHT_PROXY_SECRET_FILE: '/ok' }, files({ '/ok': ' sixteen-chars-xx \n' })).token.kind).toBe('file');
  });

  it('never puts a token value in its messages', () => {
    const secret = 'tok-not-a-secret-but-private';
    const message = (() => {
      try {
        loadConfig({ GREENLIGHT_TOKEN: secret, GREENLIGHT_TOKEN_FILE: '/t', PORT: 'x' }, files());
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message).toContain('greenlight cannot start; fix its configuration:');
    expect(message).not.toContain(secret);
  });
});
