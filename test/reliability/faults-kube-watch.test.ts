/**
 * Faults of the Argo CD kube-apiserver that greenlight lists and watches cluster Secrets from
 * (refused, reset, slow, 5xx, throttling, garbage, JSON of the wrong shape): answers stay whole,
 * and a cluster registered during the outage is known once the API is back. Each case gets its
 * own processes; the last test shows why: the reconnect backoff carries from outage to outage.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { defineFaultSuite } from './support/fault-suite.js';
import { eventually, PATIENCE_MS } from '../support/patience.js';
import { groupRequest, LiveWorld, REQUEST_HEADERS } from './support/live-world.js';

defineFaultSuite(['kube-watch'], { worldPerCase: true });

/** Outages, each after the watch was healthy for longer than `healthyWatchMs` (1 s). */
const OUTAGES = 5;
/** The first backoff step (250 ms) with its jitter (±20 %): what a reconnect after a healthy watch waits. */
const FIRST_STEP_MAX_MS = 300;

let world: LiveWorld | undefined;
afterAll(async () => {
  await world?.close();
});

describe('the Argo CD watch after repeated outages', () => {
  // plugin/adapters/argocd/argocd-cluster-inventory.ts once reset the reconnect backoff only when a
  // watch that lived >= healthyWatchMs ended WITHOUT an error, so every outage of a watch that had
  // been healthy for minutes doubled the delay (250 ms, 0.5, 1, 2, 4, 8 s ... 30 s) during which
  // new or removed cluster Secrets were unseen. The process logs each pause it chooses (debug), so
  // the test reads the delay itself instead of timing the reconnect on a possibly busy machine.
  it(`starts each of ${OUTAGES} outages after a healthy watch at the first backoff step, and sees the cluster registered meanwhile`, async () => {
    const w = await LiveWorld.start(['blips'], {}, { lastKnownGood: false });
    world = w;
    const service = w.services.failClosed;
    await w.firstAnswer(service, groupRequest('blips'));
    const firstPauses: number[] = [];
    for (let i = 0; i < OUTAGES; i++) {
      // Healthy for longer than healthyWatchMs (1 s), on a busy machine too: waited for, not assumed.
      await new Promise((r) => setTimeout(r, 1_300));
      const from = service.logs().length;
      await w.inject('kube-watch', 'reset');
      const late = w.addCluster('blips');
      const pause = await eventually(() => {
        const line = service.logs().slice(from).find((l) => l['msg'] === 'reading Argo CD cluster Secrets again after a pause');
        if (!line) throw new Error(`no pause logged after outage ${i + 1}`);
        return line;
      }, PATIENCE_MS, 50);
      firstPauses.push(Number(pause['delayMs']));
      await w.heal('kube-watch');
      await eventually(async () => {
        const r = await w.client(service).send({ path: '/api/v1/getparams.execute', headers: REQUEST_HEADERS, body: groupRequest('blips') });
        expect(r.ok && r.answer.status === 200 && r.answer.body.includes(`"${late}"`), `cluster ${late} registered during outage ${i + 1}`).toBe(true);
      }, PATIENCE_MS, 50);
    }
    expect(firstPauses.length).toBe(OUTAGES);
    for (const ms of firstPauses) expect(ms, `first pauses after each outage: ${firstPauses.join(', ')} ms`).toBeLessThanOrEqual(FIRST_STEP_MAX_MS);
  });
});
