/**
 * Credentials and URLs, against greenlight as a process:
 * - canaries: a cluster Secret whose server carries a user name and password, and upstream
 *   errors (a cluster API's 500 body, an SSM AccessDenied, an STS error) whose text carries
 *   bearer and EKS tokens, AWS key ids, signatures, passwords and PEM blocks. None of them
 *   appears in a getparams answer, an error body, /api/v1/facts, the log (stdout, stderr, at
 *   debug level) or /metrics;
 * - the token and proxy-secret files are held to the variables' minimum, and a missing one is a
 *   configuration problem listed with the others, not a stack trace;
 * - with GREENLIGHT_PROXY_SECRET set, the demo page's stand-in for Argo CD's proxy does not open
 *   the facts route to callers without the secret.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SERVICE_ENTRY, startService, type ServiceProcess } from '../support/service-process.js';
import { PATIENCE_MS } from '../support/patience.js';
import { CANARY, groupRequest, LiveWorld, REQUEST_HEADERS, SECRET_CANARY, TIMINGS } from './support/live-world.js';
import type { RawOutcome } from './support/raw-http.js';

const PROXY_SECRET = 'reliability-proxy-secret-credentials-0000';
const USERINFO = { user: 'canary-user', password: 'CANARY-PASSWORD-0000' } as const;

/** Credentials as upstream error text carries them. */
const UPSTREAM_CANARIES = {
  bearer: 'CANARYBEARERTOKEN0000aaaa',
  eksToken: 'aHR0cHM6Ly9jYW5hcnktZWtzLXRva2VuLTAwMDA',
  accessKey: 'AKIACANARY0000000042',
  signature: 'canarysignature0000beef',
  password: 'canary-upstream-password-0000',
  pem: 'MIIEcanaryPEMblock0000',
  userinfoPassword: 'CANARY-UPSTREAM-PASSWORD-0000',
} as const;
const LEAKY_TEXT =
  `upstream said: Authorization: Bearer ${UPSTREAM_CANARIES.bearer}; token k8s-aws-v1.${UPSTREAM_CANARIES.eksToken}; key ${UPSTREAM_CANARIES.accessKey}; ` +
  `https://sts.amazonaws.com/?X-Amz-Signature=${UPSTREAM_CANARIES.signature}; password=${UPSTREAM_CANARIES.password}; ` +
  `from https://admin:${UPSTREAM_CANARIES.userinfoPassword}@proxy.example.com; -----BEGIN RSA PRIVATE KEY-----\n${UPSTREAM_CANARIES.pem}\n-----END RSA PRIVATE KEY-----`;

const CANARIES: Readonly<Record<string, string>> = {
  'the userinfo user': USERINFO.user,
  'the userinfo password': USERINFO.password,
  'an SSM value': CANARY,
  "a cluster Secret's bearer token": SECRET_CANARY,
  ...Object.fromEntries(Object.entries(UPSTREAM_CANARIES).map(([k, v]) => [`upstream ${k}`, v])),
};

function leaksIn(where: string, text: string): string[] {
  return Object.entries(CANARIES)
    .filter(([, canary]) => text.includes(canary))
    .map(([name, canary]) => `${name} in ${where}: …${text.slice(Math.max(0, text.indexOf(canary) - 200), text.indexOf(canary) + 60)}…`);
}

/** Runs the service expecting it not to start; resolves with its exit code and stderr. */
function failedStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'PORT' && !k.startsWith('GREENLIGHT_')) childEnv[k] = v;
  Object.assign(childEnv, { PORT: '0', GREENLIGHT_HOST: '127.0.0.1' }, env);
  const child = spawn(process.execPath, [SERVICE_ENTRY], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr, stdout })));
}

describe('token and proxy-secret files at start', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gl-credentials-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing token file is a configuration problem listed with the others: exit 1, no stack trace', async () => {
    const missing = join(dir, 'no-such-token');
    const run = await failedStart({ GREENLIGHT_INVENTORY: 'argocd', GREENLIGHT_TOKEN_FILE: missing, GREENLIGHT_MAX_BODY_BYTES: 'lots' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'greenlight cannot start; fix its configuration:\n' +
        '  - GREENLIGHT_MAX_BODY_BYTES must be a whole number from 1024 to 10485760, got "lots"\n' +
        `  - GREENLIGHT_TOKEN_FILE: cannot read ${missing} (it does not exist); mount the Secret there or fix the path\n`,
    );
    expect(run.stdout).toBe('');
  });

  it('a one-character token file, or proxy-secret file, is refused as the variables are', async () => {
    const short = join(dir, 'short');
    writeFileSync(short, 'x\n');
    const run = await failedStart({ GREENLIGHT_TOKEN_FILE: short, GREENLIGHT_PROXY_SECRET_FILE: short });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'greenlight cannot start; fix its configuration:\n' +
        `  - GREENLIGHT_TOKEN_FILE: the token in the file ${short} is shorter than 16 characters; put a random value of at least 16 characters in it (e.g. openssl rand -hex 32)\n` +
        `  - GREENLIGHT_PROXY_SECRET_FILE: the token in the file ${short} is shorter than 16 characters; put a random value of at least 16 characters in it (e.g. openssl rand -hex 32)\n`,
    );
  });
});

describe("the demo page's facts route with GREENLIGHT_PROXY_SECRET set", () => {
  const headers = { 'Argocd-Application-Name': 'argocd:web-prod-eu-green', 'Argocd-Project-Name': 'default' };

  it('answers only with the secret; the demo stand-in never adds the configured one', async () => {
    const services: ServiceProcess[] = [];
    try {
      const secured = await startService({ env: { GREENLIGHT_PROXY_SECRET: PROXY_SECRET } });
      services.push(secured);
      const viaDemo = await fetch(`${secured.url}/extensions/greenlight/api/v1/facts`, { headers });
      const body = await viaDemo.text();
      expect(viaDemo.status).toBe(403);
      expect(JSON.parse(body)).toEqual({
        code: 'GL_AUTH_INVALID',
        message: "the Greenlight-Proxy-Secret header does not hold greenlight's proxy secret (GREENLIGHT_PROXY_SECRET_FILE); make both the same",
      });
      // A forged header does not get through either: the stand-in replaces it.
      expect((await fetch(`${secured.url}/extensions/greenlight/api/v1/facts`, { headers: { ...headers, 'Greenlight-Proxy-Secret': 'forged-secret-0000000000' } })).status).toBe(403);
      // Argo CD's proxy, which adds the configured secret, is answered.
      const direct = await fetch(`${secured.url}/api/v1/facts`, { headers: { ...headers, 'Argocd-Target-Cluster-Name': 'prod-eu-green', 'Greenlight-Proxy-Secret': PROXY_SECRET } });
      expect(direct.status).toBe(200);
      expect(secured.stdoutLines.join('\n') + secured.stderr()).not.toContain(PROXY_SECRET);

      // Without a configured secret the demo keeps working with its own.
      const demo = await startService();
      services.push(demo);
      const open = await fetch(`${demo.url}/extensions/greenlight/api/v1/facts`, { headers });
      expect(open.status).toBe(200);
      expect(((await open.json()) as { cluster: string }).cluster).toBe('prod-eu-green');
    } finally {
      await Promise.all(services.map((s) => s.stop('SIGTERM')));
    }
  });
});

describe('credential canaries', () => {
  const GROUP = 'creds';
  let world: LiveWorld;
  const answers: { what: string; text: string }[] = [];

  const record = (what: string, outcome: RawOutcome): RawOutcome => {
    answers.push({ what, text: outcome.ok ? `${outcome.answer.status} ${JSON.stringify(outcome.answer.headers)} ${outcome.answer.body}` : outcome.error });
    return outcome;
  };
  const ask = async (what: string, body = groupRequest(GROUP)) => record(what, await world.client(world.services.failClosed).send({ path: '/api/v1/getparams.execute', headers: REQUEST_HEADERS, body }));
  const expire = () => new Promise((r) => setTimeout(r, TIMINGS.ttlMs + 100));
  /** Asks until an answer quotes the fault (a busy machine may first meet the deadline); every answer is searched. */
  const askUntilQuoted = async (what: string): Promise<RawOutcome> => {
    let last: RawOutcome | undefined;
    for (const until = Date.now() + PATIENCE_MS; Date.now() < until; ) {
      last = await ask(what);
      if (last.ok && last.answer.status >= 500 && last.answer.body.includes('[redacted]')) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${what}: no answer quoted the fault in time; the last was ${JSON.stringify(last).slice(0, 600)}`);
  };

  beforeAll(async () => {
    // No removal grace: the userinfo Secret is deleted mid-test, and churn is not what this test is about.
    world = await LiveWorld.start([GROUP], { GREENLIGHT_PROXY_SECRET: PROXY_SECRET, GREENLIGHT_REMOVAL_GRACE_MS: '0' }, { lastKnownGood: false });
    await world.firstAnswer(world.services.failClosed, groupRequest(GROUP));
  });
  afterAll(async () => {
    await world?.close();
  });

  it('never show a userinfo or an upstream credential in answers, errors, /api/v1/facts, logs or metrics', async () => {
    const service = world.services.failClosed;
    const client = world.client(service);
    const clusterApi = world.proxies['cluster-api'].url;
    const leakyServer = clusterApi.replace('https://', `https://${USERINFO.user}:${USERINFO.password}@`);
    world.argocd.putSecret({
      name: 'cluster-creds-userinfo',
      namespace: 'argocd',
      labels: { 'argocd.argoproj.io/secret-type': 'cluster', 'reliability-group': GROUP },
      stringData: { name: `${GROUP}-userinfo`, server: leakyServer, project: 'platform', config: '{}' },
    });

    // The Secret becomes an inventory problem, named without its userinfo; every request that might select it fails.
    const expected = `Secret argocd/cluster-creds-userinfo (cluster "${GROUP}-userinfo") cannot be read: data.server (${clusterApi}) has a user name or password in it`;
    const messageOf = (o: RawOutcome | undefined) => (o?.ok ? String((JSON.parse(o.answer.body) as { message?: unknown }).message) : '');
    let refused: RawOutcome | undefined;
    for (const until = Date.now() + PATIENCE_MS; Date.now() < until; ) {
      refused = await ask('the group with the userinfo Secret');
      if (messageOf(refused).includes(expected)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused?.ok && refused.answer.status).toBe(502);
    expect(messageOf(refused)).toContain(expected);
    // The Application's destination names the server with its userinfo: the facts route does not repeat it.
    record(
      'facts for a destination URL with userinfo',
      await client.send({
        method: 'GET',
        path: '/api/v1/facts',
        headers: { 'Greenlight-Proxy-Secret': PROXY_SECRET, 'Argocd-Application-Name': 'argocd:web', 'Argocd-Project-Name': 'platform', 'Argocd-Target-Cluster-URL': leakyServer },
      }),
    );
    world.argocd.deleteSecret('cluster-creds-userinfo', { namespace: 'argocd' });

    // Upstream error text with credentials in it: a cluster API's 500, an SSM AccessDenied, an STS error.
    await expire();
    world.target.failRequests({ path: /./, status: 500, times: 1_000_000, message: LEAKY_TEXT });
    const clusterApiFailure = await askUntilQuoted('a cluster API 500 with credentials in its body');
    world.target.reset();
    await expire();
    world.aws.inject('GetParametersByPath', { kind: 'garbage', status: 400, body: JSON.stringify({ __type: 'AccessDeniedException', message: LEAKY_TEXT }) }, { times: 1_000 });
    const ssmFailure = await askUntilQuoted('an SSM AccessDenied with credentials in its message');
    world.aws.clearFaults('GetParametersByPath');
    await expire();
    const stsXml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${LEAKY_TEXT.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message></Error><RequestId>x</RequestId></ErrorResponse>`;
    world.aws.inject('AssumeRole', { kind: 'garbage', status: 403, body: stsXml }, { times: 1_000 });
    // STS is asked when the role session (2 s) is renewed: the first answers may still use the old one.
    const stsFailure = await askUntilQuoted('an STS error with credentials in its message');
    world.aws.clearFaults('AssumeRole');
    // Each fault was met and quoted (scrubbed), so the canaries really were on their way out.
    for (const [what, outcome] of [
      ['cluster API', clusterApiFailure],
      ['SSM', ssmFailure],
      ['STS', stsFailure],
    ] as const) {
      expect(outcome.ok && outcome.answer.status, what).toBeGreaterThanOrEqual(500);
      expect(outcome.ok && outcome.answer.body, what).toContain('[redacted]');
    }

    record(
      'facts of a cluster of the group',
      await client.send({
        method: 'GET',
        path: '/api/v1/facts',
        headers: { 'Greenlight-Proxy-Secret': PROXY_SECRET, 'Argocd-Application-Name': 'argocd:web', 'Argocd-Project-Name': 'platform', 'Argocd-Target-Cluster-Name': `${GROUP}-a` },
      }),
    );
    const metrics = await client.send({ method: 'GET', path: '/metrics' });
    const everywhere = [
      ...answers.map((a) => ({ where: `answer to ${a.what}`, text: a.text })),
      { where: 'stdout (the log, at debug level)', text: service.stdoutLines.join('\n') },
      { where: 'stderr', text: service.stderr() },
      { where: '/metrics', text: metrics.ok ? metrics.answer.body : '' },
    ];
    expect(everywhere.flatMap(({ where, text }) => leaksIn(where, text))).toEqual([]);
    expect(service.stdoutLines.length).toBeGreaterThan(10);
  });
});
