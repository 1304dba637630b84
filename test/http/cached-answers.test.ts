/**
 * The answer cache and its fast path below express: a cached answer is the same answer, given
 * only to a request that express would have answered with it, and never kept past its time.
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../generator/index.js';
import type { TokenSource } from '../../plugin/auth/token-source.js';
import { AnswerCache } from '../../plugin/http/answer-cache.js';
import { blueGreenFleet, controllerBody, GETPARAMS, post } from '../support/getparams-requests.js';
import { TEST_TOKEN, testApp } from '../support/test-app.js';

class RotatingToken implements TokenSource {
  readonly origin = 'the test token file';
  constructor(public value: string) {}
  current(): string {
    return this.value;
  }
  close(): void {}
}

function metricValue(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('cached answers', () => {
  it('answers identical request bytes again with the same bytes and headers, logged and counted like any answer', async () => {
    const f = blueGreenFleet();
    const { app, logs } = testApp(f);
    const first = await post(app, controllerBody({ pair: 'prod-eu' }));
    const again = await post(app, controllerBody({ pair: 'prod-eu' }));
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(f.calls).toEqual(['prod-eu-blue', 'prod-eu-green']);
    const headerNames = (h: IncomingHttpHeaders) => Object.keys(h).filter((k) => k !== 'date').sort();
    expect(headerNames(again.headers)).toEqual(headerNames(first.headers));
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.headers['content-length']).toBe(first.headers['content-length']);
    expect(again.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);

    const lines = logs.lines().map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === 'request');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      level: 'info',
      method: 'POST',
      path: GETPARAMS,
      status: 200,
      applicationSet: 'web',
      clusters: 2,
      cached: true,
      requestId: again.headers['x-request-id'],
    });
    // The same line as the first answer's, plus "cached".
    expect(Object.keys(lines[1] ?? {}).sort()).toEqual([...Object.keys(lines[0] ?? {}), 'cached'].sort());
    expect(lines[0]).not.toHaveProperty('cached');

    const metrics = (await request(app).get('/metrics')).text;
    expect(metricValue(metrics, 'greenlight_http_requests_total{route="getparams",method="POST",status="200"}')).toBe(2);
    expect(metricValue(metrics, 'greenlight_http_request_duration_seconds_count{route="getparams"}')).toBe(2);
    expect(metricValue(metrics, 'greenlight_parameter_sets_served_total')).toBe(4);
  });

  it('answers any other bytes anew, and never keeps an error', async () => {
    const f = blueGreenFleet();
    const { app } = testApp(f);
    await post(app, controllerBody({ pair: 'prod-eu' }));
    await post(app, controllerBody({ pair: 'prod-eu', role: 'blue' }));
    expect(f.calls).toHaveLength(3);
    // The same request with other whitespace is other bytes.
    await post(app, controllerBody({ pair: 'prod-eu' }).trimEnd());
    expect(f.calls).toHaveLength(5);

    // Once the cause is gone, the next identical request succeeds.
    f.failures.set('prod-eu-green', new UpstreamError('GL_FACTS_UNAVAILABLE', 'down'));
    expect((await post(app, controllerBody({ role: 'green' }))).status).toBe(502);
    f.failures.clear();
    expect((await post(app, controllerBody({ role: 'green' }))).status).toBe(200);
  });

  it('checks the token on every request: a cached answer goes only to the current token', async () => {
    const f = blueGreenFleet();
    const tokens = new RotatingToken('first-test-token-not-a-secret');
    const { app, logs } = testApp(f, { tokens });
    const body = controllerBody({ pair: 'prod-eu' });
    expect((await post(app, body, { Authorization: 'Bearer first-test-token-not-a-secret' })).status).toBe(200);

    const missing = await request(app).post(GETPARAMS).set('Content-Type', 'application/json').send(body);
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('GL_AUTH_MISSING');
    const wrong = await post(app, body, { Authorization: 'Bearer not-the-test-token' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('GL_AUTH_INVALID');

    tokens.value = 'second-test-token-not-a-secret';
    const old = await post(app, body, { Authorization: 'Bearer first-test-token-not-a-secret' });
    expect(old.status).toBe(403);
    expect(old.body.code).toBe('GL_AUTH_INVALID');
    const rotated = await post(app, body, { Authorization: 'Bearer second-test-token-not-a-secret' });
    expect(rotated.status).toBe(200);
    expect(f.calls).toHaveLength(2);
    expect(logs.lines().filter((l) => l.includes('"cached":true'))).toHaveLength(1);
    expect(logs.lines().join('\n')).not.toContain('test-token-not-a-secret');
  });

  it('leaves to express what it cannot prove identical: another content type, compression, a query string', async () => {
    const f = blueGreenFleet();
    const { app } = testApp(f);
    const body = controllerBody({ pair: 'prod-eu' });
    const answer = (await post(app, body)).text;

    const plain = await post(app, body, { 'Content-Type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(plain.body.code).toBe('GL_UNSUPPORTED_MEDIA_TYPE');
    const gzip = await post(app, body, { 'Content-Encoding': 'gzip' });
    expect(gzip.status).toBe(415);
    expect(gzip.body.message).toBe('the request body uses a Content-Encoding greenlight does not read; send it uncompressed');

    const query = await request(app).post(`${GETPARAMS}?refresh=1`).set({ Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' }).send(body);
    expect(query.status).toBe(200);
    expect(query.text).toBe(answer);
    expect(f.calls).toHaveLength(4); // answered anew by express
  });

  it('answers a chunked body (no Content-Length) through express, with the same answer', async () => {
    const f = blueGreenFleet();
    const { app } = testApp(f);
    const body = controllerBody({ pair: 'prod-eu' });
    const answer = (await post(app, body)).text;
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const chunked = await new Promise<{ status: number; headers: IncomingHttpHeaders; text: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: GETPARAMS, headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 10));
        req.end(body.slice(10));
      });
      expect(chunked.status).toBe(200);
      expect(chunked.text).toBe(answer);
      expect(f.calls).toHaveLength(4);
    } finally {
      server.close();
    }
  });

  it("echoes the caller's X-Request-Id, and asks to close the connection while greenlight stops", async () => {
    let stopping = false;
    const { app } = testApp(blueGreenFleet(), { stopping: () => stopping });
    const body = controllerBody({ pair: 'prod-eu' });
    await post(app, body);
    // A keep-alive client, as Argo CD's is (supertest asks for Connection: close itself).
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${GETPARAMS}`;
      const send = (headers: Record<string, string> = {}) =>
        fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', ...headers }, body });
      const cached = await send({ 'X-Request-Id': 'argocd-reconcile-42' });
      await cached.arrayBuffer();
      expect(cached.headers.get('x-request-id')).toBe('argocd-reconcile-42');
      expect(cached.headers.get('connection')).toBe('keep-alive');
      stopping = true;
      const closing = await send();
      await closing.arrayBuffer();
      expect(closing.status).toBe(200);
      expect(closing.headers.get('connection')).toBe('close');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('keeps an answer only for its time to live', async () => {
    const f = blueGreenFleet();
    let now = 1_000_000;
    const { app } = testApp(f, { answers: new AnswerCache(1000, undefined, () => now) });
    const body = controllerBody({ pair: 'prod-eu' });
    await post(app, body);
    now += 999;
    await post(app, body);
    expect(f.calls).toHaveLength(2);
    now += 1;
    await post(app, body);
    expect(f.calls).toHaveLength(4);
  });

  it('is off when the time to live is 0 (GREENLIGHT_ANSWER_CACHE_MS=0), and with no cache at all', async () => {
    for (const answers of [new AnswerCache(0), undefined]) {
      const f = blueGreenFleet();
      const { app, logs } = testApp(f, { answers });
      const body = controllerBody({ pair: 'prod-eu' });
      expect((await post(app, body)).status).toBe(200);
      expect((await post(app, body)).status).toBe(200);
      expect(f.calls).toHaveLength(4);
      expect(logs.lines().some((l) => l.includes('"cached":true'))).toBe(false);
    }
  });
});
