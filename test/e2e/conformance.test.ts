/**
 * greenlight as Argo CD's ApplicationSet controller sees it: the real service as a process,
 * driven only with the controller's byte-exact requests (test/support/argocd-controller.ts), its
 * answers read the way the controller reads them, in both template modes. Cases follow §6
 * "Suggested additional conformance cases" (a)-(k) of reference/argocd-plugin-contract.md.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkResponse,
  combineMatrixParams,
  conditionMessage,
  decodeServiceResponse,
  encodeGoJSON,
  encodeRequest,
  flattenForFasttemplate,
  interpolateParameters,
  openConnection,
  paramsFor,
  pluginRequestTarget,
  rawRequest,
  renderFastTemplate,
  renderGoTemplate,
  resolveToken,
  sendRaw,
  type DecodedSet,
  type RawResponse,
} from '../support/argocd-controller.js';
import { REPO_ROOT, startService, type ServiceProcess } from '../support/service-process.js';
import { PATIENCE_MS } from '../support/patience.js';

const DEMO_TOKEN = 'greenlight-demo-token';
const GETPARAMS = '/api/v1/getparams.execute';
const APPSET = 'payments';
const GREEN_SERVER = 'https://0F9E8D7C6B5A4F3E2D1C0B9A8F7E6D5C.gr7.eu-west-1.eks.amazonaws.com';

interface CallOptions {
  /** The resolved token; `''` sends no Authorization header. Default: the demo token. */
  readonly token?: string;
  /** The plugin ConfigMap's baseUrl. Default: the service's root URL. */
  readonly baseUrl?: string;
}

/** The exact request bytes the controller sends for `body` (§1.1, §1.2). */
function requestBytes(port: number, body: string, options: CallOptions = {}): Buffer {
  const { hostHeader, path } = pluginRequestTarget(options.baseUrl ?? `http://127.0.0.1:${port}`);
  return rawRequest({ hostHeader, path, token: options.token ?? DEMO_TOKEN, body });
}

async function call(port: number, body: string, options: CallOptions = {}): Promise<RawResponse> {
  return sendRaw(port, requestBytes(port, body, options));
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every leaf of a parameter set with its path. */
function leaves(value: Record<string, unknown>, path: string[] = []): [string[], unknown][] {
  return Object.entries(value).flatMap(([k, v]) => (isObject(v) ? leaves(v, [...path, k]) : [[[...path, k], v] as [string[], unknown]]));
}

/**
 * (g)(h): a 200 whose body has the `output.parameters` wrapper, objects only, `[A-Za-z0-9_]`
 * keys, string leaves and no key the controller overwrites; the controller's decoder reads the
 * same sets; and both template modes see the same strings (no "1e+06" surprises).
 */
function expectConformingAnswer(res: RawResponse, inputParameters?: Record<string, unknown>): DecodedSet[] {
  expect(res.status, res.bodyText).toBe(200);
  expect(checkResponse(res.status, res.bodyText)).toEqual({ ok: true });
  expect(res.headers['content-type']).toMatch(/^application\/json\b/);
  const raw: unknown = JSON.parse(res.bodyText);
  expect(isObject(raw) && Object.keys(raw)).toEqual(['output']);
  const output = (raw as { output: unknown }).output;
  expect(isObject(output) && Object.keys(output)).toEqual(['parameters']);
  const sets = (output as { parameters: unknown }).parameters;
  expect(Array.isArray(sets)).toBe(true);
  const problems: string[] = [];
  (sets as unknown[]).forEach((set, i) => {
    if (!isObject(set)) return problems.push(`parameters[${i}] is not an object`);
    for (const reserved of ['generator', 'values']) if (reserved in set) problems.push(`parameters[${i}] has the reserved key ${reserved}`);
    for (const [path, leaf] of leaves(set)) {
      if (typeof leaf !== 'string') problems.push(`parameters[${i}].${path.join('.')} is a ${leaf === null ? 'null' : Array.isArray(leaf) ? 'array' : typeof leaf}, not a string`);
      for (const key of path) if (!/^[A-Za-z0-9_]+$/.test(key)) problems.push(`parameters[${i}] key "${key}" is not [A-Za-z0-9_]+`);
    }
    return undefined;
  });
  expect(problems).toEqual([]);

  const decoded = decodeServiceResponse(res.body);
  if (!decoded.ok) throw new Error(`the controller cannot decode the answer: ${decoded.error}`);
  expect(decoded.parameters).toEqual(sets);
  for (const set of decoded.parameters) {
    const fast = paramsFor(set, { goTemplate: false, inputParameters });
    const paths = leaves(set);
    for (const [path, leaf] of paths) expect(fast[path.join('.')], path.join('.')).toBe(leaf);
    expect(Object.keys(fast).filter((k) => k !== 'generator').sort()).toEqual(paths.map(([p]) => p.join('.')).sort());
    expect(paramsFor(set, { goTemplate: true, inputParameters })).toEqual({ ...set, generator: { input: { parameters: inputParameters ?? {} } } });
  }
  return decoded.parameters;
}

const clusterNames = (sets: DecodedSet[]) => sets.map((s) => (s['cluster'] as Record<string, string>)['name']);

/** What the error looks like in the ApplicationSet's conditions (§3.2, §3.6). */
function shownByArgo(res: RawResponse): string {
  const checked = checkResponse(res.status, res.bodyText);
  if (checked.ok) throw new Error(`expected an error status, got ${res.status}`);
  return conditionMessage(APPSET, checked.error);
}

/** Polls `probe` every 50 ms until it returns a value, or fails after `timeoutMs` with the last state. */
async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the demo fleet, as the controller calls it', () => {
  let svc: ServiceProcess;
  let port: number;
  const greenOnly = { cluster: 'prod-eu-green' };
  let baseline: RawResponse;

  beforeAll(async () => {
    // A small body limit for the 413 case; every other request here is far below it.
    svc = await startService({ env: { GREENLIGHT_MAX_BODY_BYTES: '4096' } });
    port = svc.port;
    baseline = await call(port, encodeRequest(APPSET, greenOnly));
  });
  afterAll(async () => {
    await svc?.stop();
  });

  describe('(a)-(c) the request itself', () => {
    it('(a) answers the exact request bytes of §1.2 with one conforming set', async () => {
      const bytes = requestBytes(port, encodeRequest(APPSET, greenOnly));
      expect(bytes.toString('utf8')).toBe(
        `POST ${GETPARAMS} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: argocd-applicationset\r\nContent-Length: 85\r\n` +
          `Authorization: Bearer ${DEMO_TOKEN}\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n` +
          '{"applicationSetName":"payments","input":{"parameters":{"cluster":"prod-eu-green"}}}\n',
      );
      const res = await sendRaw(port, bytes);
      expect(res.httpVersion).toBe('1.1');
      const sets = expectConformingAnswer(res, greenOnly);
      expect(clusterNames(sets)).toEqual(['prod-eu-green']);
      expect(sets[0]).toMatchObject({
        cluster: { name: 'prod-eu-green', server: GREEN_SERVER, project: 'platform', pair: 'prod-eu', role: 'green', weight: '0' },
        aws: { accountId: '111122223333', region: 'eu-west-1', clusterName: 'prod-eu-green' },
        kubernetes: { version: '1.32' },
        input: { cluster: 'prod-eu-green' },
      });
      expect(res.bodyText).toBe(baseline.bodyText);
    });

    it('(a) does not check the Host header: a trailing-slash baseUrl and the docs\' FQDN with a trailing dot answer the same', async () => {
      const body = encodeRequest(APPSET, greenOnly);
      const slash = await call(port, body, { baseUrl: `http://127.0.0.1:${port}/` });
      expect(slash.bodyText).toBe(baseline.bodyText);
      const fqdn = await sendRaw(
        port,
        rawRequest({ ...pluginRequestTarget('http://greenlight.argocd.svc.cluster.local.:4355'), token: DEMO_TOKEN, body }),
      );
      expect(fqdn.status).toBe(200);
      expect(fqdn.bodyText).toBe(baseline.bodyText);
    });

    it('(b) "input":{} (no parameters key) selects every cluster of the fleet', async () => {
      const body = encodeRequest(APPSET);
      expect(body).toBe('{"applicationSetName":"payments","input":{}}\n');
      const sets = expectConformingAnswer(await call(port, body));
      expect(clusterNames(sets)).toEqual(['prod-eu-blue', 'prod-eu-green']);
      expect(sets.map((s) => (s['cluster'] as Record<string, string>)['role'])).toEqual(['blue', 'green']);
      expect(sets.every((s) => !('input' in s))).toBe(true);
    });

    it('(c) ignores unknown request fields such as a future applicationSetNamespace', async () => {
      const body = `${encodeGoJSON({
        applicationSetName: APPSET,
        applicationSetNamespace: 'team-a',
        input: { parameters: greenOnly, somethingNew: { x: 1 } },
        version: 2,
      })}\n`;
      expect(body).toBe(
        '{"applicationSetName":"payments","applicationSetNamespace":"team-a","input":{"parameters":{"cluster":"prod-eu-green"},"somethingNew":{"x":1}},"version":2}\n',
      );
      const res = await call(port, body);
      expectConformingAnswer(res, greenOnly);
      expect(res.bodyText).toBe(baseline.bodyText);
    });

    it('reads <, > and & whether sent raw (the controller\'s encoder) or \\u-escaped (stored by another Go encoder)', async () => {
      const parameters = { cluster: 'prod-eu-green', vars: { q: 'a<b>&c={{cluster.name}}' } };
      const rawBody = encodeRequest(APPSET, parameters);
      expect(rawBody).toContain('"a<b>&c={{cluster.name}}"');
      const escapedBody = encodeRequest(APPSET, parameters, { escapeHTML: true });
      expect(escapedBody).toContain('"a\\u003cb\\u003e\\u0026c={{cluster.name}}"');
      const [raw, escaped] = [await call(port, rawBody), await call(port, escapedBody)];
      const [set] = expectConformingAnswer(raw, parameters);
      expect(set?.['vars']).toEqual({ q: 'a<b>&c=prod-eu-green' });
      expect(escaped.bodyText).toBe(raw.bodyText);
    });
  });

  describe('(d)(e) the bearer token, shown as Argo CD shows it', () => {
    const body = () => encodeRequest(APPSET, greenOnly);

    it('(d) no Authorization header → 401', async () => {
      const res = await call(port, body(), { token: '' });
      expect(res.status).toBe(401);
      const message =
        "no bearer token was sent. Argo CD sends none when the Secret value behind the plugin ConfigMap's `token` is empty: put greenlight's token there";
      expect(JSON.parse(res.bodyText)).toEqual({ message, code: 'GL_AUTH_MISSING' });
      expect(shownByArgo(res)).toBe(`error listing params: error get api 'payments': API error with status code 401: ${message}`);
    });

    it('(d) a whitespace-only Secret value is trimmed to nothing, so no header is sent → 401', async () => {
      const token = resolveToken('$plugin.greenlight.token', { 'argocd-secret': { 'plugin.greenlight.token': ' \n' } });
      expect(token).toBe('');
      const res = await call(port, body(), { token });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.bodyText)).toMatchObject({ code: 'GL_AUTH_MISSING' });
    });

    it('(d) the right token with the whitespace a Secret file often has is trimmed by the controller → 200', async () => {
      const token = resolveToken('$plugin.greenlight.token', { 'argocd-secret': { 'plugin.greenlight.token': `${DEMO_TOKEN}\n` } });
      const res = await call(port, body(), { token });
      expect(res.bodyText).toBe(baseline.bodyText);
    });

    it('(d) a wrong token → 403', async () => {
      const res = await call(port, body(), { token: 'not-the-token' });
      expect(res.status).toBe(403);
      const message =
        "the bearer token is not greenlight's token: make the Secret key named by the plugin ConfigMap's `token` hold the same value as greenlight's token (the demo token)";
      expect(JSON.parse(res.bodyText)).toEqual({ message, code: 'GL_AUTH_INVALID' });
      expect(shownByArgo(res)).toBe(`error listing params: error get api 'payments': API error with status code 403: ${message}`);
    });

    it('(e) the literal $plugin.greenlight.token (key missing from argocd-secret) → 403 naming the Secret and the key', async () => {
      const token = resolveToken('$plugin.greenlight.token', { 'argocd-secret': {} });
      expect(token).toBe('$plugin.greenlight.token');
      const res = await call(port, body(), { token });
      expect(res.status).toBe(403);
      const message =
        'Argo CD sent the unresolved reference "$plugin.greenlight.token" instead of a token: key "plugin.greenlight.token" is missing from the Secret that the plugin ConfigMap\'s `token` names ' +
        '("$plugin.greenlight.token" means Secret argocd-secret, "$<secret>:plugin.greenlight.token" means Secret <secret>) in the Argo CD namespace. Add that key with greenlight\'s token (and label the Secret app.kubernetes.io/part-of: argocd)';
      expect(JSON.parse(res.bodyText)).toEqual({ message, code: 'GL_AUTH_UNRESOLVED_SECRET' });
      expect(checkResponse(res.status, res.bodyText)).toEqual({ ok: false, error: `API error with status code 403: ${message}` });
    });

    it('(e) what the controller really sends for $my-secret:tok with the key missing ("$tok") → 403 naming key tok', async () => {
      // ReplaceStringSecret returns the key reference "$tok", not the whole "$my-secret:tok" (§2.2),
      // so greenlight cannot know the Secret's name here.
      const token = resolveToken('$my-secret:tok', { 'my-secret': {} });
      expect(token).toBe('$tok');
      const res = await call(port, body(), { token });
      expect(res.status).toBe(403);
      const parsed = JSON.parse(res.bodyText) as { message: string; code: string };
      expect(parsed.code).toBe('GL_AUTH_UNRESOLVED_SECRET');
      expect(parsed.message).toContain('key "tok" is missing');
      expect(parsed.message).toContain('"$<secret>:tok" means Secret <secret>');
    });
  });

  describe('(f)(g)(h) what the answer holds', () => {
    it('selects nothing → 404 with a message, never 200 with an empty list', async () => {
      const res = await call(port, encodeRequest(APPSET, { pair: 'prod-us' }));
      expect(res.status).toBe(404);
      const message =
        'no cluster matches pair=prod-us (2 clusters registered: "prod-eu-blue", "prod-eu-green"). An empty answer would delete every Application of ApplicationSet "payments", so greenlight refuses it; check the selection, or set allowEmpty: true if an empty list is really meant.';
      expect(JSON.parse(res.bodyText)).toEqual({ message, code: 'GL_SELECTION_EMPTY' });
      expect(shownByArgo(res)).toBe(`error listing params: error get api 'payments': API error with status code 404: ${message}`);
    });

    it('allowEmpty: true (or "true") → 200 with the wrapper and an empty list', async () => {
      for (const allowEmpty of [true, 'true']) {
        const res = await call(port, encodeRequest(APPSET, { pair: 'prod-us', allowEmpty }));
        expect(res.status).toBe(200);
        expect(res.bodyText).toBe('{"output":{"parameters":[]}}');
        expect(expectConformingAnswer(res, { pair: 'prod-us', allowEmpty })).toEqual([]);
      }
    });

    it('an unknown cluster name → 404 naming it and the known ones', async () => {
      const res = await call(port, encodeRequest(APPSET, { cluster: 'prod-us-green' }));
      expect(res.status).toBe(404);
      expect(JSON.parse(res.bodyText)).toEqual({
        message:
          'no cluster named "prod-us-green" is registered in Argo CD (known: "prod-eu-blue", "prod-eu-green"); register it or fix the name in the ApplicationSet "payments"',
        code: 'GL_CLUSTER_NOT_FOUND',
      });
    });

    it('(h) numbers come back as strings: the weights read the same in both modes ("100", never "1e+02")', async () => {
      const [blue, green] = expectConformingAnswer(await call(port, encodeRequest(APPSET)));
      for (const [set, weight] of [
        [blue, '100'],
        [green, '0'],
      ] as const) {
        const fast = paramsFor(set ?? {}, { goTemplate: false, inputParameters: {} });
        const go = paramsFor(set ?? {}, { goTemplate: true, inputParameters: {} });
        expect(fast['cluster.weight']).toBe(weight);
        expect(renderFastTemplate('{{cluster.weight}}/{{secrets.count}}', fast)).toBe(`${weight}/${flattenForFasttemplate(set ?? {})['secrets.count']}`);
        expect(renderGoTemplate('{{ .cluster.weight }}', go, { missingKey: 'error' })).toBe(weight);
      }
    });

    it('the same ApplicationSet template renders the same in goTemplate and fasttemplate mode', async () => {
      const sets = expectConformingAnswer(await call(port, encodeRequest(APPSET)));
      const rendered = sets.map((set) => ({
        go: renderGoTemplate(
          '{{ .cluster.name }}|{{ .aws.region }}|{{ .kubernetes.version }}|{{ .storage.defaultClass }}|{{ .ingress.clusterDomain }}|{{ .podIdentity.kube_system.aws_load_balancer_controller_sa }}',
          paramsFor(set, { goTemplate: true, inputParameters: {}, goTemplateOptions: ['missingkey=error'] }),
        ),
        fast: renderFastTemplate(
          '{{cluster.name}}|{{aws.region}}|{{kubernetes.version}}|{{storage.defaultClass}}|{{ingress.clusterDomain}}|{{podIdentity.kube_system.aws_load_balancer_controller_sa}}',
          paramsFor(set, { goTemplate: false, inputParameters: {} }),
          { allowUnresolved: false },
        ),
      }));
      expect(rendered).toEqual([
        {
          go: 'prod-eu-blue|eu-west-1|1.31|gp3|prod-eu-blue.eu.example.com|arn:aws:iam::111122223333:role/prod-eu-blue-aws-load-balancer-controller',
          fast: 'prod-eu-blue|eu-west-1|1.31|gp3|prod-eu-blue.eu.example.com|arn:aws:iam::111122223333:role/prod-eu-blue-aws-load-balancer-controller',
        },
        {
          go: 'prod-eu-green|eu-west-1|1.32|gp3|prod-eu-green.eu.example.com|arn:aws:iam::111122223333:role/prod-eu-green-aws-load-balancer-controller',
          fast: 'prod-eu-green|eu-west-1|1.32|gp3|prod-eu-green.eu.example.com|arn:aws:iam::111122223333:role/prod-eu-green-aws-load-balancer-controller',
        },
      ]);
    });

    it('a top-level vars template with {{ }} is rendered per cluster', async () => {
      const parameters = { vars: { host: 'web.{{ingress.clusterDomain}}' } };
      const sets = expectConformingAnswer(await call(port, encodeRequest(APPSET, parameters)), parameters);
      expect(sets.map((s) => s['vars'])).toEqual([{ host: 'web.prod-eu-blue.eu.example.com' }, { host: 'web.prod-eu-green.eu.example.com' }]);
      const go = paramsFor(sets[1] ?? {}, { goTemplate: true, inputParameters: parameters });
      expect(renderGoTemplate('{{ .vars.host }}', go)).toBe('web.prod-eu-green.eu.example.com');
      const fast = paramsFor(sets[1] ?? {}, { goTemplate: false, inputParameters: parameters });
      expect(renderFastTemplate('{{vars.host}}', fast, { allowUnresolved: false })).toBe('web.prod-eu-green.eu.example.com');
    });

    it("the generator's own values (never sent to greenlight) render against greenlight's answer", async () => {
      const sets = expectConformingAnswer(await call(port, encodeRequest(APPSET, greenOnly)), greenOnly);
      const set = sets[0] ?? {};
      expect(
        paramsFor(set, {
          goTemplate: true,
          inputParameters: greenOnly,
          values: { host: 'web.{{ .ingress.clusterDomain }}' },
          goTemplateOptions: ['missingkey=error'],
        })['values'],
      ).toEqual({ host: 'web.prod-eu-green.eu.example.com' });
      expect(
        paramsFor(set, { goTemplate: false, inputParameters: greenOnly, values: { host: 'web.{{ingress.clusterDomain}}' } })['values.host'],
      ).toBe('web.prod-eu-green.eu.example.com');
    });
  });

  describe('matrix(clusters × greenlight): the body the controller sends for the 2nd child (§5.2)', () => {
    const spec = { cluster: '', vars: { host: 'web.[[ingress.clusterDomain]]' } };
    const expectedBody = '{"applicationSetName":"web","input":{"parameters":{"cluster":"prod-eu-green","vars":{"host":"web.[[ingress.clusterDomain]]"}}}}\n';
    const labels = {
      'argocd.argoproj.io/secret-type': 'cluster',
      environment: 'prod',
      'greenlight.io/pair': 'prod-eu',
      'greenlight.io/role': 'green',
    };
    const annotations = { 'greenlight.io/weight': '0', 'greenlight.io/domain': 'eu.example.com' };

    it('goTemplate: cluster "{{.name}}" is rendered by the controller, [[ ]] reaches greenlight', async () => {
      // The cluster generator's set for the green cluster's Secret (§5.4).
      const clusterParams = { name: 'prod-eu-green', nameNormalized: 'prod-eu-green', server: GREEN_SERVER, project: 'platform', metadata: { labels, annotations } };
      const rendered = interpolateParameters({ ...spec, cluster: '{{.name}}' }, clusterParams, { goTemplate: true, goTemplateOptions: ['missingkey=error'] });
      const body = encodeRequest('web', rendered);
      expect(body).toBe(expectedBody);
      const [set, ...rest] = expectConformingAnswer(await call(port, body), rendered);
      expect(rest).toEqual([]);
      expect(set?.['vars']).toEqual({ host: 'web.prod-eu-green.eu.example.com' });
      const params = combineMatrixParams(clusterParams, paramsFor(set ?? {}, { goTemplate: true, inputParameters: rendered }), true);
      expect(renderGoTemplate('{{ .name }}|{{ .vars.host }}|{{ .aws.region }}|{{ .cluster.role }}|{{ index .metadata.labels "greenlight.io/pair" }}', params)).toBe(
        'prod-eu-green|web.prod-eu-green.eu.example.com|eu-west-1|green|prod-eu',
      );
    });

    it('fasttemplate: cluster "{{name}}" is rendered, and no key collides with the cluster generator\'s', async () => {
      const clusterParams: Record<string, string> = { name: 'prod-eu-green', nameNormalized: 'prod-eu-green', server: GREEN_SERVER, project: 'platform' };
      for (const [k, v] of Object.entries(labels)) clusterParams[`metadata.labels.${k}`] = v;
      for (const [k, v] of Object.entries(annotations)) clusterParams[`metadata.annotations.${k}`] = v;
      const rendered = interpolateParameters({ ...spec, cluster: '{{name}}' }, clusterParams, { goTemplate: false });
      const body = encodeRequest('web', rendered);
      expect(body).toBe(expectedBody);
      const [set] = expectConformingAnswer(await call(port, body), rendered);
      const params = combineMatrixParams(clusterParams, paramsFor(set ?? {}, { goTemplate: false, inputParameters: rendered }), false);
      expect(renderFastTemplate('{{name}}|{{vars.host}}|{{aws.region}}|{{cluster.role}}|{{metadata.labels.greenlight.io/pair}}', params, { allowUnresolved: false })).toBe(
        'prod-eu-green|web.prod-eu-green.eu.example.com|eu-west-1|green|prod-eu',
      );
    });
  });

  describe('bad requests: exact errors, and the same keep-alive connection still answers right afterwards', () => {
    const oversized = encodeRequest(APPSET, { cluster: 'prod-eu-green', vars: { a: 'x'.repeat(5000) } });
    const cases: { label: string; bytes: () => Buffer; status: number; body: { message: string | RegExp; code: string } }[] = [
      {
        label: 'oversized body → 413',
        bytes: () => requestBytes(port, oversized),
        status: 413,
        body: { message: 'the request body is larger than 4096 bytes (GREENLIGHT_MAX_BODY_BYTES); input.parameters is too large', code: 'GL_BODY_TOO_LARGE' },
      },
      {
        label: 'wrong content type → 415',
        bytes: () => Buffer.from(requestBytes(port, encodeRequest(APPSET, greenOnly)).toString('utf8').replace('Content-Type: application/json', 'Content-Type: text/plain')),
        status: 415,
        body: { message: 'the request must be application/json (as Argo CD sends it), got "text/plain"', code: 'GL_UNSUPPORTED_MEDIA_TYPE' },
      },
      {
        label: 'truncated JSON → 400',
        bytes: () => requestBytes(port, encodeRequest(APPSET, greenOnly).slice(0, 40)),
        status: 400,
        body: { message: /^the request body is not valid JSON: \S/, code: 'GL_REQUEST_INVALID' },
      },
      {
        label: 'input is not an object → 400 naming the field',
        bytes: () => requestBytes(port, '{"applicationSetName":"payments","input":[]}\n'),
        status: 400,
        body: {
          message:
            'the body is not an Argo CD plugin request: input: Invalid input: expected object, received array; expected {"applicationSetName": "...", "input": {"parameters": {...}}}',
          code: 'GL_REQUEST_INVALID',
        },
      },
      {
        label: 'a parameter of the wrong type → 400 naming it',
        bytes: () => requestBytes(port, encodeRequest(APPSET, { cluster: 5 })),
        status: 400,
        body: {
          message:
            "invalid plugin input: input.parameters.cluster: Invalid input: expected string, received number. The accepted parameters are documented in greenlight's README (schema/input-parameters.schema.json).",
          code: 'GL_INPUT_INVALID',
        },
      },
      {
        label: 'an unknown parameter → 400 naming it',
        bytes: () => requestBytes(port, encodeRequest(APPSET, { clustr: 'prod-eu-green' })),
        status: 400,
        body: {
          message:
            'invalid plugin input: input.parameters: Unrecognized key: "clustr". The accepted parameters are documented in greenlight\'s README (schema/input-parameters.schema.json).',
          code: 'GL_INPUT_INVALID',
        },
      },
      {
        label: 'a path prefix other than the root → 404',
        bytes: () => requestBytes(port, encodeRequest(APPSET, greenOnly), { baseUrl: `http://127.0.0.1:${port}/prefix/` }),
        status: 404,
        body: {
          message:
            "no endpoint POST /prefix/api/v1/getparams.execute; Argo CD calls POST /api/v1/getparams.execute (the plugin ConfigMap's baseUrl must be greenlight's root URL)",
          code: 'GL_ROUTE_NOT_FOUND',
        },
      },
      {
        label: 'a query string in baseUrl (which swallows the path) → 404',
        bytes: () => requestBytes(port, encodeRequest(APPSET, greenOnly), { baseUrl: `http://127.0.0.1:${port}?team=a` }),
        status: 404,
        body: {
          message:
            "no endpoint POST /; Argo CD calls POST /api/v1/getparams.execute (the plugin ConfigMap's baseUrl must be greenlight's root URL)",
          code: 'GL_ROUTE_NOT_FOUND',
        },
      },
      {
        label: 'GET on the endpoint → 405',
        bytes: () => Buffer.from(`GET ${GETPARAMS} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: argocd-applicationset\r\nAccept-Encoding: gzip\r\n\r\n`),
        status: 405,
        body: { message: "/api/v1/getparams.execute takes POST only (the way Argo CD's ApplicationSet controller calls it)", code: 'GL_METHOD_NOT_ALLOWED' },
      },
      {
        label: 'no token, with a body the server never reads → 401',
        bytes: () => requestBytes(port, encodeRequest(APPSET, { vars: { a: 'x'.repeat(3000) } }), { token: '' }),
        status: 401,
        body: { message: /^no bearer token was sent/, code: 'GL_AUTH_MISSING' },
      },
    ];

    for (const c of cases) {
      it(c.label, async () => {
        let conn = await openConnection(port);
        try {
          const res = await conn.send(c.bytes());
          expect(res.status, res.bodyText).toBe(c.status);
          expect(res.headers['content-type']).toMatch(/^application\/json\b/);
          const body = JSON.parse(res.bodyText) as { message: string; code: string };
          expect(Object.keys(body).sort()).toEqual(['code', 'message']);
          expect(body.code).toBe(c.body.code);
          if (typeof c.body.message === 'string') expect(body.message).toBe(c.body.message);
          else expect(body.message).toMatch(c.body.message);
          expect(checkResponse(res.status, res.bodyText)).toEqual({ ok: false, error: `API error with status code ${c.status}: ${body.message}` });
          if (c.status === 405) expect(res.headers['allow']).toBe('POST');
          // Go's transport reuses the connection unless the server said close.
          if (conn.closed || /close/i.test(res.headers['connection'] ?? '')) {
            conn.close();
            conn = await openConnection(port);
          }
          const next = await conn.send(requestBytes(port, encodeRequest(APPSET, greenOnly)));
          expect(next.bodyText).toBe(baseline.bodyText);
        } finally {
          conn.close();
        }
      });
    }

    it('after all of them, a fresh valid request still answers exactly as before', async () => {
      const res = await call(port, encodeRequest(APPSET, greenOnly));
      expectConformingAnswer(res, greenOnly);
      expect(res.bodyText).toBe(baseline.bodyText);
    });
  });

  describe('(j)(k) concurrency and repetition', () => {
    it('(j) 10 concurrent requests all answer identically', async () => {
      const body = encodeRequest(APPSET);
      const reference = await call(port, body);
      expect(expectConformingAnswer(reference)).toHaveLength(2);
      const answers = await Promise.all(Array.from({ length: 10 }, () => call(port, body)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      expect(new Set(answers.map((a) => a.bodyText))).toEqual(new Set([reference.bodyText]));
    });

    it('(k) repeated identical requests, on new and on reused connections, answer identically', async () => {
      const bytes = requestBytes(port, encodeRequest(APPSET, greenOnly));
      const fresh: string[] = [];
      for (let i = 0; i < 3; i++) fresh.push((await sendRaw(port, bytes)).bodyText);
      const conn = await openConnection(port);
      const reused: string[] = [];
      try {
        for (let i = 0; i < 3; i++) reused.push((await conn.send(bytes)).bodyText);
      } finally {
        conn.close();
      }
      expect([...fresh, ...reused]).toEqual(Array(6).fill(baseline.bodyText));
    });
  });
});

describe('a fleet file with a token file: rotation, secrecy, failing closed', () => {
  const OLD_TOKEN = 'test-token-not-a-secret-1';
  const NEW_TOKEN = 'test-token-not-a-secret-2';
  let dir: string;
  let fleetPath: string;
  let tokenPath: string;
  let svc: ServiceProcess;
  let port: number;
  const brokenCluster = [
    '  - name: staging-broken',
    '    server: https://staging.example.com',
    '    project: platform',
    '    labels:',
    '      argocd.argoproj.io/secret-type: cluster',
    '      greenlight.io/pair: staging',
    '      greenlight.io/role: blue',
    '    annotations:',
    '      greenlight.io/weight: "300"',
    '',
  ].join('\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'greenlight-e2e-'));
    fleetPath = join(dir, 'fleet.yaml');
    tokenPath = join(dir, 'token');
    const demo = readFileSync(join(REPO_ROOT, 'demo', 'fleet.yaml'), 'utf8');
    writeFileSync(fleetPath, `${demo.endsWith('\n') ? demo : `${demo}\n`}${brokenCluster}`);
    writeFileSync(tokenPath, `${OLD_TOKEN}\n`);
    svc = await startService({ env: { GREENLIGHT_INVENTORY: fleetPath, GREENLIGHT_TOKEN_FILE: tokenPath, GREENLIGHT_TOKEN_RELOAD_MS: '100' } });
    port = svc.port;
  });
  afterAll(async () => {
    await svc?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const brokenMessage = () =>
    `cluster "staging-broken" (fleet file ${fleetPath} (cluster staging-broken)) has greenlight.io/weight="300": a Route 53 weight must be a whole number from 0 to 255; fix the annotation (or the EKS tag)`;

  it('(f) a selected cluster with invalid data fails the whole answer with 502 naming it, never a shorter list', async () => {
    const res = await call(port, encodeRequest(APPSET), { token: OLD_TOKEN });
    expect(res.status).toBe(502);
    expect(JSON.parse(res.bodyText)).toEqual({ message: brokenMessage(), code: 'GL_CLUSTER_INVALID' });
    expect(shownByArgo(res)).toBe(`error listing params: error get api 'payments': API error with status code 502: ${brokenMessage()}`);
  });

  it('selecting by name around the broken cluster still answers', async () => {
    const sets = expectConformingAnswer(await call(port, encodeRequest(APPSET, { cluster: 'prod-eu-green' }), { token: OLD_TOKEN }), { cluster: 'prod-eu-green' });
    expect(clusterNames(sets)).toEqual(['prod-eu-green']);
  });

  it('selecting by pair or role around the broken cluster (its labels rule it out) still answers', async () => {
    // The broken cluster's labels say pair=staging, role=blue: it cannot be selected by these, and
    // the equivalent label selector does answer. See the report: greenlight reads its invalid
    // weight annotation while deciding, and fails every pair/role selection in the fleet.
    const bySelector = await call(port, encodeRequest(APPSET, { selector: { matchLabels: { 'greenlight.io/pair': 'prod-eu' } } }), { token: OLD_TOKEN });
    expect(clusterNames(expectConformingAnswer(bySelector, { selector: { matchLabels: { 'greenlight.io/pair': 'prod-eu' } } }))).toEqual([
      'prod-eu-blue',
      'prod-eu-green',
    ]);
    const byPair = await call(port, encodeRequest(APPSET, { pair: 'prod-eu' }), { token: OLD_TOKEN });
    expect(byPair.status, byPair.bodyText).toBe(200);
    expect(clusterNames(expectConformingAnswer(byPair, { pair: 'prod-eu' }))).toEqual(['prod-eu-blue', 'prod-eu-green']);
    const byRole = await call(port, encodeRequest(APPSET, { role: 'green' }), { token: OLD_TOKEN });
    expect(byRole.status, byRole.bodyText).toBe(200);
    expect(clusterNames(expectConformingAnswer(byRole, { role: 'green' }))).toEqual(['prod-eu-green']);
  });

  it('a rotated token file takes effect without a restart: the new token is accepted, the old one refused', async () => {
    const body = encodeRequest(APPSET, { cluster: 'prod-eu-green' });
    expect((await call(port, body, { token: OLD_TOKEN })).status).toBe(200);
    expect((await call(port, body, { token: NEW_TOKEN })).status).toBe(403);
    // Kubernetes updates a mounted Secret by swapping the file, as this rename does.
    writeFileSync(`${tokenPath}.next`, `${NEW_TOKEN}\n`);
    renameSync(`${tokenPath}.next`, tokenPath);
    const accepted = await eventually('acceptance of the new token', PATIENCE_MS, async () => {
      const res = await call(port, body, { token: NEW_TOKEN });
      return res.status === 200 ? res : undefined;
    });
    expectConformingAnswer(accepted, { cluster: 'prod-eu-green' });
    const old = await call(port, body, { token: OLD_TOKEN });
    expect(old.status).toBe(403);
    expect(JSON.parse(old.bodyText)).toMatchObject({ code: 'GL_AUTH_INVALID' });
    await svc.waitForLog((l) => l['msg'] === 'bearer token file changed; the new token is in effect');
  });

  it('(f) a fleet file that turns invalid makes every answer 503 naming the file, never an empty 200', async () => {
    writeFileSync(fleetPath, 'apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters: [\n');
    const body = encodeRequest(APPSET, { cluster: 'prod-eu-green' });
    const failed = await eventually('the fleet file change to be noticed', PATIENCE_MS, async () => {
      const res = await call(port, body, { token: NEW_TOKEN });
      if (res.status === 200) {
        // Until the change is noticed, the answer must still be the whole, previous one.
        expect(clusterNames(expectConformingAnswer(res, { cluster: 'prod-eu-green' }))).toEqual(['prod-eu-green']);
        return undefined;
      }
      return res;
    });
    expect(failed.status).toBe(503);
    const parsed = JSON.parse(failed.bodyText) as { message: string; code: string };
    expect(parsed.code).toBe('GL_INVENTORY_UNAVAILABLE');
    expect(parsed.message.startsWith(`fleet file ${fleetPath} is not valid YAML: `)).toBe(true);
    expect(parsed.message.endsWith('. greenlight answers nothing until the fleet file is fixed.')).toBe(true);
    const all = await call(port, encodeRequest(APPSET, { allowEmpty: true }), { token: NEW_TOKEN });
    expect(all.status).toBe(503);
  });

  it('never writes either token to stdout or stderr', () => {
    const output = `${svc.stdoutLines.join('\n')}\n${svc.stderr()}`;
    expect(svc.stdoutLines.length).toBeGreaterThan(5);
    expect(output).not.toContain(OLD_TOKEN);
    expect(output).not.toContain(NEW_TOKEN);
    expect(output).not.toContain('test-token-not-a-secret');
  });
});

describe('SIGTERM', () => {
  const bytesFor = (port: number) => requestBytes(port, encodeRequest(APPSET, { cluster: 'prod-eu-green' }));

  // The grace period is long (a busy machine must not reach it by accident); that it was not needed
  // shows in the log: no "grace period over" line.
  it('closes idle keep-alive connections (Go keeps them 90 s) and exits 0 without waiting for the grace period', async () => {
    const graceMs = 60_000;
    const svc = await startService({ env: { GREENLIGHT_SHUTDOWN_GRACE_MS: String(graceMs) } });
    try {
      const idle = await openConnection(svc.port);
      expect((await idle.send(bytesFor(svc.port))).status).toBe(200);
      const exit = await svc.stop('SIGTERM', graceMs + PATIENCE_MS);
      expect(exit).toMatchObject({ code: 0, signal: null });
      await eventually('the server closing the idle connection', PATIENCE_MS, async () => (idle.closed ? true : undefined));
      const messages = svc.logs().map((l) => l['msg']);
      expect(messages).toContain('stopping: finishing requests in flight');
      expect(messages).toContain('stopped');
      expect(messages).not.toContain('grace period over; closing remaining connections');
      idle.close();
    } finally {
      await svc.stop('SIGKILL');
    }
  });

  it('answers a request in flight with Connection: close, then exits 0 within the grace period', async () => {
    const graceMs = 60_000;
    const svc = await startService({ env: { GREENLIGHT_SHUTDOWN_GRACE_MS: String(graceMs) } });
    try {
      const bytes = bytesFor(svc.port);
      const inFlight = await openConnection(svc.port);
      const split = bytes.length - 10;
      inFlight.write(bytes.subarray(0, split));
      await new Promise((r) => setTimeout(r, 100)); // the request is now being read

      const stopping = svc.stop('SIGTERM', graceMs + PATIENCE_MS);
      await svc.waitForLog((l) => l['msg'] === 'stopping: finishing requests in flight' && l['signal'] === 'SIGTERM');
      const answer = await inFlight.send(bytes.subarray(split));
      expectConformingAnswer(answer, { cluster: 'prod-eu-green' });

      const exit = await stopping;
      inFlight.close();
      expect(exit).toMatchObject({ code: 0, signal: null });
      // Without "Connection: close" Go's transport keeps the connection for its next request, and
      // greenlight waits for it until the grace period forces every connection shut.
      expect(answer.headers['connection'], 'the Connection header of the answer given while stopping').toBe('close');
      expect(svc.logs().map((l) => l['msg'])).not.toContain('grace period over; closing remaining connections');
    } finally {
      await svc.stop('SIGKILL');
    }
  });
});

describe('boot', () => {
  it('a bad configuration stops greenlight at boot with every problem on stderr, and the helper says so', async () => {
    const failure = await startService({ env: { GREENLIGHT_REQUEST_DEADLINE_MS: '5', GREENLIGHT_MAX_BODY_BYTES: 'lots' } }).then(
      () => undefined,
      (err: unknown) => (err as Error).message,
    );
    expect(failure).toMatch(/^greenlight did not start: greenlight exited \(code 1, signal null\)/);
    expect(failure).toContain('greenlight cannot start; fix its configuration:');
    expect(failure).toContain('GREENLIGHT_REQUEST_DEADLINE_MS must be a whole number from 100 to 28000, got "5"');
    expect(failure).toContain('GREENLIGHT_MAX_BODY_BYTES must be a whole number from 1024 to 10485760, got "lots"');
  });
});
