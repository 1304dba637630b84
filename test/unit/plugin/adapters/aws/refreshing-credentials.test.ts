import type { AwsCredentialIdentity } from '@smithy/types';
import { expect, test } from 'vitest';
import { refreshingCredentials } from '../../../../../plugin/adapters/aws/refreshing-credentials.js';

const MIN = 60_000;

function source(lifetimeMs: number | undefined, clock: { now: number }) {
  let n = 0;
  let failNext = false;
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    n += 1;
    if (failNext) throw new Error('sts down');
    return {
      accessKeyId: `AKIAFAKE${n}`,
      secretAccessKey: 'fake-secret-not-real',
      ...(lifetimeMs !== undefined ? { expiration: new Date(clock.now + lifetimeMs) } : {}),
    };
  };
  return {
    fetch,
    calls: () => n,
    fail: (v: boolean) => {
      failNext = v;
    },
  };
}

test('static credentials (no expiration) are fetched once', async () => {
  const clock = { now: 0 };
  const s = source(undefined, clock);
  const provider = refreshingCredentials(s.fetch, { now: () => clock.now });
  await provider();
  clock.now += 10 * 24 * 60 * MIN;
  await provider();
  expect(s.calls()).toBe(1);
});

test('concurrent callers share one fetch', async () => {
  const clock = { now: 0 };
  const s = source(60 * MIN, clock);
  const provider = refreshingCredentials(s.fetch, { now: () => clock.now });
  const all = await Promise.all([provider(), provider(), provider()]);
  expect(s.calls()).toBe(1);
  expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1);
});

test('refreshes once inside the margin before expiry', async () => {
  const clock = { now: 0 };
  const s = source(60 * MIN, clock);
  const provider = refreshingCredentials(s.fetch, { now: () => clock.now, refreshBeforeExpiryMs: 5 * MIN });
  expect((await provider()).accessKeyId).toBe('AKIAFAKE1');
  clock.now = 54 * MIN;
  expect((await provider()).accessKeyId).toBe('AKIAFAKE1');
  clock.now = 56 * MIN;
  expect((await provider()).accessKeyId).toBe('AKIAFAKE2');
});

test('a failed early refresh serves the still-valid credentials; a failure after expiry rejects; failures are not cached', async () => {
  const clock = { now: 0 };
  const s = source(60 * MIN, clock);
  const provider = refreshingCredentials(s.fetch, { now: () => clock.now });
  await provider();
  s.fail(true);
  clock.now = 58 * MIN;
  expect((await provider()).accessKeyId).toBe('AKIAFAKE1');
  clock.now = 61 * MIN;
  await expect(provider()).rejects.toThrow('sts down');
  s.fail(false);
  expect((await provider()).accessKeyId).toMatch(/^AKIAFAKE/);
});
