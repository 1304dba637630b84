import { describe, expect, it } from 'vitest';
import { ENTRY_OVERHEAD_BYTES } from '../../../plugin/cache-stats.js';
import { AnswerCache } from '../../../plugin/http/answer-cache.js';

const key = (body: string) => AnswerCache.keyOf(Buffer.from(body));
/** What an entry of `bodyBytes` counts, with its key and the ApplicationSet name "web". */
const entryBytes = (bodyBytes: number) => bodyBytes + key('x').length * 2 + 'web'.length * 2 + ENTRY_OVERHEAD_BYTES;

describe('AnswerCache', () => {
  it('answers exactly the same bytes until the TTL ends', () => {
    let now = 1000;
    const cache = new AnswerCache(1000, 1024 * 1024, () => now);
    cache.set(key('{"a":1}'), { body: Buffer.from('answer'), sets: 2, applicationSetName: 'web' });
    expect(cache.get(key('{"a":1}'))).toMatchObject({ body: Buffer.from('answer'), sets: 2, applicationSetName: 'web', expires: 2000 });
    expect(cache.get(key('{"a": 1}'))).toBeUndefined();
    now = 1999;
    expect(cache.get(key('{"a":1}'))?.sets).toBe(2);
    now = 2000;
    expect(cache.get(key('{"a":1}'))).toBeUndefined();
    cache.close();
  });

  it('keys entries by a digest of the request, never the request itself', () => {
    const body = Buffer.from(`{"applicationSetName":"web","input":{"parameters":{"echo":{"x":"${'y'.repeat(200_000)}"}}}}`);
    const k = AnswerCache.keyOf(body);
    expect(k).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(AnswerCache.keyOf(Buffer.from(body))).toBe(k);
    expect(AnswerCache.keyOf(Buffer.concat([body, Buffer.from(' ')]))).not.toBe(k);
  });

  it('keeps at most maxBytes, counting answers, keys and names, dropping the oldest', () => {
    const cache = new AnswerCache(60_000, 2 * entryBytes(400) + 10);
    cache.set(key('a'), { body: Buffer.alloc(400), sets: 1, applicationSetName: 'web' });
    cache.set(key('b'), { body: Buffer.alloc(400), sets: 1, applicationSetName: 'web' });
    expect(cache.stats()).toEqual({ entries: 2, bytes: 2 * entryBytes(400), maxBytes: 2 * entryBytes(400) + 10 });
    cache.set(key('c'), { body: Buffer.alloc(400), sets: 1, applicationSetName: 'web' });
    expect(cache.get(key('a'))).toBeUndefined();
    expect(cache.get(key('b'))).toBeDefined();
    expect(cache.get(key('c'))).toBeDefined();
    cache.set(key('huge'), { body: Buffer.alloc(2 * entryBytes(400)), sets: 1, applicationSetName: 'web' });
    expect(cache.get(key('huge'))).toBeUndefined();
    expect(cache.stats().entries).toBe(2);
    cache.close();
  });

  it('sweeps expired entries without waiting for the same request to come again', () => {
    let now = 0;
    const cache = new AnswerCache(1000, 1024 * 1024, () => now);
    for (let i = 0; i < 5; i++) cache.set(key(`first-${i}`), { body: Buffer.alloc(100), sets: 1, applicationSetName: 'web' });
    now = 500;
    cache.set(key('later'), { body: Buffer.alloc(100), sets: 1, applicationSetName: 'web' });
    now = 1000;
    cache.sweep();
    expect(cache.stats()).toEqual({ entries: 1, bytes: entryBytes(100), maxBytes: 1024 * 1024 });
    now = 1499;
    // An insert sweeps too.
    cache.set(key('other'), { body: Buffer.alloc(100), sets: 1, applicationSetName: 'web' });
    expect(cache.stats().entries).toBe(2);
    now = 1500;
    cache.set(key('third'), { body: Buffer.alloc(100), sets: 1, applicationSetName: 'web' });
    expect(cache.stats().entries).toBe(2);
    expect(cache.get(key('later'))).toBeUndefined();
    cache.close();
    expect(cache.stats()).toEqual({ entries: 0, bytes: 0, maxBytes: 1024 * 1024 });
  });

  it('sweeps on a timer that stops once the cache is empty', async () => {
    const cache = new AnswerCache(20);
    cache.set(key('a'), { body: Buffer.alloc(100), sets: 1, applicationSetName: 'web' });
    expect(cache.stats().entries).toBe(1);
    const until = Date.now() + 10_000;
    while (cache.stats().entries > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    cache.close();
  });

  it('keeps a small answer in a buffer of its own, not a slice of the shared pool', () => {
    const cache = new AnswerCache(60_000);
    const pooled = Buffer.from('{"output":{"parameters":[]}}');
    cache.set(key('a'), { body: pooled, sets: 0, applicationSetName: 'web' });
    const kept = cache.get(key('a'))?.body;
    expect(kept).toEqual(pooled);
    expect(kept?.buffer.byteLength).toBe(pooled.length);
    cache.close();
  });

  it('keeps nothing when the TTL is 0', () => {
    const cache = new AnswerCache(0);
    cache.set(key('a'), { body: Buffer.from('x'), sets: 1, applicationSetName: 'web' });
    expect(cache.enabled).toBe(false);
    expect(cache.get(key('a'))).toBeUndefined();
  });
});
