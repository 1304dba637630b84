/**
 * A fleet file written in place in steps (truncate, part of it, a pause, the rest) is never read
 * half-written: many prefixes of a fleet file are valid fleets with fewer clusters.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetFileInventory, parseFleet } from '../../../../../plugin/adapters/fleet-file/fleet-file-inventory.js';
import { createLogger } from '../../../../../plugin/logger.js';
import { DEMO_FLEET_PATH } from '../../../../../plugin/paths.js';

const DEMO = readFileSync(DEMO_FLEET_PATH, 'utf8');
const opened: { dir: string; inventory: FleetFileInventory }[] = [];
afterEach(() => {
  for (const { dir, inventory } of opened.splice(0)) {
    inventory.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The demo fleet in a file of its own, loaded; removed after the test. */
function demoFleetFile(): { dir: string; path: string; inventory: FleetFileInventory } {
  const dir = mkdtempSync(join(tmpdir(), 'greenlight-torn-'));
  const path = join(dir, 'fleet.yaml');
  writeFileSync(path, DEMO);
  const inventory = new FleetFileInventory(path, createLogger('silent')).load();
  opened.push({ dir, inventory });
  return { dir, path, inventory };
}

/** The demo fleet with blue's weight changed, so that a reload can be told apart. */
const changed = DEMO.replace('greenlight.io/weight: "100"', 'greenlight.io/weight: "80"');

/** A prefix of `text` that is itself a valid fleet with fewer clusters (the danger). */
function validShorterPrefix(text: string): string {
  const second = text.indexOf('\n  - name: prod-eu-green');
  const prefix = text.slice(0, second + 1);
  expect(parseFleet(prefix, 'prefix').clusters.map((c) => c.name)).toEqual(['prod-eu-blue']);
  return prefix;
}

describe('FleetFileInventory and files written in place', () => {
  it('waits until the file has settled: a two-step in-place write under a steady reader never shows fewer clusters', async () => {
    const { path, inventory } = demoFleetFile();
    // Poll fast, settle slowly: the pause between the two writes is far shorter than the settle period.
    inventory.watch(10, 400);

    const seen = new Set<number>();
    let reading = true;
    const reader = (async () => {
      while (reading) {
        seen.add(inventory.snapshot().clusters.length);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();

    const prefix = validShorterPrefix(changed);
    for (let round = 0; round < 3; round++) {
      const target = round % 2 === 0 ? changed : DEMO;
      writeFileSync(path, prefix); // truncates, writes part
      await new Promise((r) => setTimeout(r, 40));
      writeFileSync(path, target); // the rest
      const weight = round % 2 === 0 ? '80' : '100';
      for (;;) {
        const blue = inventory.snapshot().clusters.find((c) => c.name === 'prod-eu-blue');
        if (blue?.annotations['greenlight.io/weight'] === weight) break;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    reading = false;
    await reader;
    expect([...seen]).toEqual([2]);
    expect(inventory.isReady()).toBe(true);
  });

  it('tells its listeners after each reload', async () => {
    const { path, inventory } = demoFleetFile();
    let calls = 0;
    const stop = inventory.subscribe(() => calls++);
    inventory.watch(10, 30);
    writeFileSync(path, changed);
    for (;;) {
      if (calls > 0 && inventory.snapshot().clusters[0]?.annotations['greenlight.io/weight'] === '80') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    stop();
    const after = calls;
    writeFileSync(path, DEMO);
    for (;;) {
      if (inventory.snapshot().clusters[0]?.annotations['greenlight.io/weight'] === '100') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(calls).toBe(after);
  });

  it('fails closed while the file is missing, and reads it again when the same content comes back', async () => {
    const { dir, path, inventory } = demoFleetFile();
    inventory.watch(10, 30);
    renameSync(path, join(dir, 'moved.yaml'));
    while (inventory.isReady()) await new Promise((r) => setTimeout(r, 10));
    expect(() => inventory.snapshot()).toThrow(/ENOENT|no such file/);
    writeFileSync(path, DEMO);
    while (!inventory.isReady()) await new Promise((r) => setTimeout(r, 10));
    expect(inventory.snapshot().clusters).toHaveLength(2);
  });
});
