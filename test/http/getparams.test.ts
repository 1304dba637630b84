import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../generator/index.js';
import { aCluster, fullFacts } from '../support/builders.js';
import { blueGreenFleet, controllerBody, GETPARAMS, post } from '../support/getparams-requests.js';
import { InMemoryFleet } from '../support/in-memory-fleet.js';
import { TEST_TOKEN, testApp } from '../support/test-app.js';

const PATH = GETPARAMS;
const fleet = blueGreenFleet;

describe('POST /api/v1/getparams.execute', () => {
  it('answers one parameter set per selected cluster inside output.parameters', async () => {
    const res = await post(testApp(fleet()).app, controllerBody({ pair: 'prod-eu', role: 'green' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body.output.parameters).toHaveLength(1);
    expect(res.body.output.parameters[0].cluster).toEqual({
      name: 'prod-eu-green',
      nameNormalized: 'prod-eu-green',
      server: 'https://PRODEUGREEN.gr7.eu-west-1.eks.amazonaws.com',
      project: 'default',
      pair: 'prod-eu',
      role: 'green',
      weight: '0',
    });
  });

  it('fans out over many clusters without Node warning of a listener leak on the request signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const many = new InMemoryFleet();
      for (let i = 0; i < 30; i++) many.add(aCluster({ name: `prod-${i}` }), fullFacts(`prod-${i}`, '1.31'));
      const res = await post(testApp(many).app, controllerBody());
      expect(res.status).toBe(200);
      expect(res.body.output.parameters).toHaveLength(30);
      await new Promise((resolve) => setImmediate(resolve)); // Node emits warnings on a later tick
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('accepts "input":{} without parameters and unknown request fields', async () => {
    const res = await post(testApp(fleet()).app, '{"applicationSetName":"web","applicationSetNamespace":"team-a","input":{}}\n');
    expect(res.status).toBe(200);
    expect(res.body.output.parameters.map((p: { cluster: { name: string } }) => p.cluster.name)).toEqual(['prod-eu-blue', 'prod-eu-green']);
  });

  it('answers an empty list only when allowEmpty is set', async () => {
    const { app } = testApp(fleet());
    const refused = await post(app, controllerBody({ role: 'purple' }));
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('GL_SELECTION_EMPTY');
    const allowed = await post(app, controllerBody({ role: 'purple', allowEmpty: true }));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ output: { parameters: [] } });
  });

  describe('authentication', () => {
    it('401 without a token', async () => {
      const res = await request(testApp(fleet()).app).post(PATH).set('Content-Type', 'application/json').send(controllerBody());
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        code: 'GL_AUTH_MISSING',
        message: "no bearer token was sent. Argo CD sends none when the Secret value behind the plugin ConfigMap's `token` is empty: put greenlight's token there",
      });
    });

    it('403 with a wrong token, without echoing it', async () => {
      const res = await post(testApp(fleet()).app, controllerBody(), { Authorization: 'Bearer wrong-token-value-1' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        code: 'GL_AUTH_INVALID',
        message: "the bearer token is not greenlight's token: make the Secret key named by the plugin ConfigMap's `token` hold the same value as greenlight's token (GREENLIGHT_TOKEN)",
      });
      expect(JSON.stringify(res.body)).not.toContain('wrong-token-value-1');
    });

    it.each([['$plugin.greenlight.token', 'plugin.greenlight.token'], ['$token', 'token']])(
      '403 naming the missing Secret key when Argo CD sends the reference %s',
      async (ref, key) => {
        const res = await post(testApp(fleet()).app, controllerBody(), { Authorization: `Bearer ${ref}` });
        expect(res.status).toBe(403);
        expect(res.body).toEqual({
          code: 'GL_AUTH_UNRESOLVED_SECRET',
          message:
            `Argo CD sent the unresolved reference "${ref}" instead of a token: key "${key}" is missing from the Secret that the plugin ConfigMap's \`token\` names ` +
            `("$${key}" means Secret argocd-secret, "$<secret>:${key}" means Secret <secret>) in the Argo CD namespace. Add that key with greenlight's token (and label the Secret app.kubernetes.io/part-of: argocd)`,
        });
      },
    );

    it('never logs the token', async () => {
      const { app, logs } = testApp(fleet());
      await post(app, controllerBody());
      await post(app, controllerBody(), { Authorization: 'Bearer some-other-token-xyz' });
      expect(logs.lines().length).toBeGreaterThan(1);
      expect(logs.lines().join('\n')).not.toContain(TEST_TOKEN);
      expect(logs.lines().join('\n')).not.toContain('some-other-token-xyz');
    });
  });

  describe('bad input', () => {
    it('400 for a body that is not JSON', async () => {
      const res = await post(testApp(fleet()).app, '{"applicationSetName":"web","input":{');
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('GL_REQUEST_INVALID');
      expect(res.body.message).toMatch(/^the request body is not valid JSON: /);
    });

    it('400 for JSON that is not a plugin request', async () => {
      const res = await post(testApp(fleet()).app, '{"input":{"parameters":[]}}');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 'GL_REQUEST_INVALID',
        message:
          'the body is not an Argo CD plugin request: applicationSetName: Invalid input: expected string, received undefined; input.parameters: Invalid input: expected record, received array; expected {"applicationSetName": "...", "input": {"parameters": {...}}}',
      });
    });

    it('400 naming the parameter that is wrong', async () => {
      const res = await post(testApp(fleet()).app, controllerBody({ role: 7 }));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('GL_INPUT_INVALID');
      expect(res.body.message).toContain('input.parameters.role: Invalid input');
    });

    it('400 naming a Go-template habit in a vars template, with the Handlebars spelling', async () => {
      const res = await post(testApp(fleet()).app, controllerBody({ pair: 'prod-eu', vars: { host: 'web.{{ .cluster.name }}' } }));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        code: 'GL_TEMPLATE_INVALID',
        message: 'input.parameters.vars.host does not compile: {{ .cluster.name }} is Go template syntax; greenlight templates are Handlebars: write {{cluster.name}} (paths without a leading dot)',
      });
    });

    it('400 for __proto__ keys', async () => {
      const res = await post(testApp(fleet()).app, '{"applicationSetName":"web","input":{"parameters":{"__proto__":{"x":1}}}}');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 'GL_REQUEST_INVALID', message: 'the request body has a "__proto__" or "constructor.prototype" key, which greenlight refuses' });
    });

    it('400 for invalid UTF-8', async () => {
      const body = Buffer.concat([Buffer.from('{"applicationSetName":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","input":{}}')]);
      const res = await request(testApp(fleet()).app).post(PATH).set({ Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' })
        .serialize((b: Buffer) => b as unknown as string)
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ code: 'GL_REQUEST_INVALID', message: 'the request body is not valid UTF-8' });
    });

    it('413 for a body over the limit', async () => {
      const res = await post(testApp(fleet()).app, controllerBody({ echo: { big: 'x'.repeat(5000) } }));
      expect(res.status).toBe(413);
      expect(res.body).toEqual({
        code: 'GL_BODY_TOO_LARGE',
        message: 'the request body is larger than 4096 bytes (GREENLIGHT_MAX_BODY_BYTES); input.parameters is too large',
      });
    });

    it('415 for another content type', async () => {
      const res = await post(testApp(fleet()).app, controllerBody(), { 'Content-Type': 'text/plain' });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ code: 'GL_UNSUPPORTED_MEDIA_TYPE', message: 'the request must be application/json (as Argo CD sends it), got "text/plain"' });
    });

    it('405 with Allow for another method, 404 JSON for another path', async () => {
      const { app } = testApp(fleet());
      const get = await request(app).get(PATH);
      expect(get.status).toBe(405);
      expect(get.headers['allow']).toBe('POST');
      expect(get.body.code).toBe('GL_METHOD_NOT_ALLOWED');
      const other = await request(app).post('/prefix/api/v1/getparams.execute').send('{}');
      expect(other.status).toBe(404);
      expect(other.body).toEqual({
        code: 'GL_ROUTE_NOT_FOUND',
        message:
          "no endpoint POST /prefix/api/v1/getparams.execute; Argo CD calls POST /api/v1/getparams.execute (the plugin ConfigMap's baseUrl must be greenlight's root URL)",
      });
    });
  });

  describe('upstream failures are never a 2xx', () => {
    it('502 naming the cluster whose facts failed', async () => {
      const f = fleet();
      f.failures.set('prod-eu-green', new UpstreamError('GL_FACTS_UNAVAILABLE', 'facts of cluster "prod-eu-green" from eks are unavailable: AccessDeniedException'));
      const res = await post(testApp(f).app, controllerBody({ pair: 'prod-eu' }));
      expect(res.status).toBe(502);
      expect(res.body).toEqual({ code: 'GL_FACTS_UNAVAILABLE', message: 'facts of cluster "prod-eu-green" from eks are unavailable: AccessDeniedException' });
    });

    it('503 while the inventory is not ready', async () => {
      const f = fleet();
      f.ready = false;
      const res = await post(testApp(f).app, controllerBody());
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('GL_INVENTORY_UNAVAILABLE');
    });

    it('504 naming the slow cluster when the deadline passes', async () => {
      const f = fleet();
      f.deaf.add('prod-eu-blue');
      const res = await post(testApp(f, { requestDeadlineMs: 100 }).app, controllerBody());
      expect(res.status).toBe(504);
      expect(res.body).toEqual({ code: 'GL_DEADLINE_EXCEEDED', message: 'facts of cluster "prod-eu-blue" were not ready within the request deadline' });
    });

    it('500 without details for a bug, with the request id to find it in the log', async () => {
      const { app, logs } = testApp(fleet(), { generate: () => Promise.reject(new TypeError('boom at line 3')) });
      const res = await post(app, controllerBody(), { 'X-Request-Id': 'req-42' });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ code: 'GL_INTERNAL', message: 'greenlight failed unexpectedly; its log has the details under request id req-42' });
      expect(res.headers['x-request-id']).toBe('req-42');
      expect(logs.lines().some((l) => l.includes('boom at line 3') && l.includes('req-42'))).toBe(true);
    });
  });
});

describe('operations endpoints', () => {
  it('healthz, readyz and metrics', async () => {
    const f = fleet();
    const { app } = testApp(f);
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/readyz')).status).toBe(200);
    await post(app, controllerBody());
    await post(app, controllerBody({ role: 'nope' }));
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toContain('greenlight_http_requests_total{route="getparams",method="POST",status="200"} 1');
    expect(metrics.text).toContain('greenlight_http_requests_total{route="getparams",method="POST",status="404"} 1');
    expect(metrics.text).toContain('greenlight_parameter_sets_served_total 2');
    expect(metrics.text).toContain('greenlight_getparams_failures_total{code="GL_SELECTION_EMPTY"} 1');
    expect(metrics.text).toContain('greenlight_http_request_duration_seconds_bucket');
    f.ready = false;
    const notReady = await request(app).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ status: 'not ready', reasons: ['GL_INVENTORY_UNAVAILABLE: the in-memory fleet is not ready'] });
  });
});
