import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../../../../plugin/adapters/facts-cache/rate-budget.js';
import { FakeClock, flush } from './fake-clock.js';

describe('RateBudget', () => {
  it('lets a burst through at once, then one caller per 1/rate seconds, in order', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ ratePerSecond: 10, burst: 2 }, clock.clock, clock.sleep);
    const start = clock.now;
    const grantedAt: number[] = [];
    const all = Promise.all(Array.from({ length: 5 }, () => budget.acquire().then(() => grantedAt.push(clock.now - start))));
    await clock.until(all, 1);
    expect(grantedAt).toEqual([0, 0, 100, 200, 300]);
  });

  it('refills while idle, up to the burst', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ ratePerSecond: 10, burst: 3 }, clock.clock, clock.sleep);
    for (let i = 0; i < 3; i++) await budget.acquire();
    expect(budget.waitMs()).toBe(100);
    await clock.advance(10_000);
    expect(budget.waitMs()).toBe(0);
    for (let i = 0; i < 3; i++) await budget.acquire();
    expect(budget.waitMs()).toBe(100);
  });

  it('gives the token back when the wait is cancelled, so later callers are not delayed by it', async () => {
    const clock = new FakeClock();
    const budget = new RateBudget({ ratePerSecond: 10, burst: 1 }, clock.clock, clock.sleep);
    const start = clock.now;
    await budget.acquire();
    const cancelled = new AbortController();
    const abandoned = budget.acquire(cancelled.signal);
    await clock.advance(50);
    cancelled.abort();
    await expect(abandoned).resolves.toBe(false);
    let grantedAt = 0;
    const next = budget.acquire().then(() => (grantedAt = clock.now - start));
    await clock.until(next, 1);
    expect(grantedAt).toBe(100);
    await flush();
    expect(clock.pending).toBe(0);
  });

  it('defaults the burst to one second of rate and refuses nonsense', () => {
    expect(new RateBudget({ ratePerSecond: 40 }, Date.now, async () => {}).burst).toBe(40);
    expect(new RateBudget({ ratePerSecond: 0.5 }, Date.now, async () => {}).burst).toBe(1);
    expect(() => new RateBudget({ ratePerSecond: 0 }, Date.now, async () => {})).toThrow(RangeError);
    expect(() => new RateBudget({ ratePerSecond: 5, burst: 0 }, Date.now, async () => {})).toThrow(RangeError);
  });
});
