/**
 * What an operator reads in a cluster: `/readyz` says why greenlight is not ready (a fleet file
 * that stopped parsing: the file, the line, what to do), and the access log puts refused
 * requests (4xx) at warn and failed ones (5xx) at error, with the code and the message the
 * caller got, so that `level >= warn` finds every request that went wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../generator/index.js';
import { FleetFileInventory } from '../../plugin/adapters/fleet-file/fleet-file-inventory.js';
import { inventoryReadiness } from '../../plugin/http/routes/operations.js';
import { createLogger } from '../../plugin/logger.js';
import { DEMO_FLEET_PATH } from '../../plugin/paths.js';
import { blueGreenFleet, controllerBody, GETPARAMS, post } from '../support/getparams-requests.js';
import { eventually } from '../support/patience.js';
import { testApp } from '../support/test-app.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('/readyz', () => {
  it('answers 503 naming the fleet file, the line of its YAML error and what to do, and 200 again once it is fixed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-readyz-'));
    const path = join(dir, 'fleet.yaml');
    const demo = readFileSync(DEMO_FLEET_PATH, 'utf8');
    writeFileSync(path, demo);
    const inventory = new FleetFileInventory(path, createLogger('silent')).load().watch(20, 0);
    cleanups.push(() => {
      inventory.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const { app } = testApp(blueGreenFleet(), { readiness: () => inventoryReadiness(inventory) });
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', reasons: [] });

    // A mapping key indented less than the list item it belongs to, on line 5.
    writeFileSync(path, 'apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters:\n - name: a\n  server: https://a.example.com\n');
    const notReady = await eventually(async () => {
      const res = await request(app).get('/readyz');
      expect(res.status).toBe(503);
      return res;
    });
    expect(notReady.body).toEqual({
      status: 'not ready',
      reasons: [
        `GL_INVENTORY_UNAVAILABLE: fleet file ${path} is not valid YAML: Sequence item without - indicator at line 5, column 1. ` +
          'greenlight answers nothing until the fleet file is fixed.',
      ],
    });

    writeFileSync(path, demo);
    await eventually(async () => expect((await request(app).get('/readyz')).status).toBe(200));
  });

  it('names the schema problem of a fleet file that parses but is not a fleet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-readyz-'));
    const path = join(dir, 'fleet.yaml');
    writeFileSync(path, readFileSync(DEMO_FLEET_PATH, 'utf8'));
    const inventory = new FleetFileInventory(path, createLogger('silent')).load().watch(20, 0);
    cleanups.push(() => {
      inventory.close();
      rmSync(dir, { recursive: true, force: true });
    });
    writeFileSync(path, 'apiVersion: greenlight.io/v1alpha1\nkind: Fleet\nclusters:\n  - name: a\n');
    await eventually(() => expect(inventoryReadiness(inventory).ready).toBe(false));
    expect(inventoryReadiness(inventory).reasons).toEqual([
      `GL_INVENTORY_UNAVAILABLE: fleet file ${path} is not a valid fleet file: clusters.0.server: Invalid input: expected string, received undefined. ` +
        'greenlight answers nothing until the fleet file is fixed.',
    ]);
  });
});

describe('access log levels', () => {
  const accessLines = (lines: string[]) =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => ['request', 'request refused', 'request failed'].includes(String(l['msg'])));

  it('info for answers, warn with code and message for 4xx, error for 5xx', async () => {
    const f = blueGreenFleet();
    f.failures.set('prod-eu-green', new UpstreamError('GL_FACTS_UNAVAILABLE', 'EKS DescribeCluster for cluster "prod-eu-green" failed: throttled'));
    const { app, logs } = testApp(f);
    const ok = await post(app, controllerBody({ pair: 'prod-eu', role: 'blue' }));
    const forbidden = await post(app, controllerBody({ pair: 'prod-eu' }), { Authorization: 'Bearer some-other-token-xyz' });
    const unknown = await post(app, controllerBody({ pair: 'no-such-pair' }));
    const failed = await post(app, controllerBody({ pair: 'prod-eu', role: 'green' }));
    expect([ok.status, forbidden.status, unknown.status, failed.status]).toEqual([200, 403, 404, 502]);

    const lines = accessLines(logs.lines());
    expect(lines.map((l) => [l['level'], l['msg'], l['status'], l['code']])).toEqual([
      ['info', 'request', 200, undefined],
      ['warn', 'request refused', 403, 'GL_AUTH_INVALID'],
      ['warn', 'request refused', 404, 'GL_SELECTION_EMPTY'],
      ['error', 'request failed', 502, 'GL_FACTS_UNAVAILABLE'],
    ]);
    // The message is the one the caller got, so the log line alone says what to fix.
    expect(lines.map((l) => l['error'])).toEqual([undefined, forbidden.body.message, unknown.body.message, failed.body.message]);
    expect(lines.every((l) => l['path'] === GETPARAMS)).toBe(true);
    expect(logs.lines().join('\n')).not.toContain('some-other-token-xyz');
  });
});
