import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../../plugin/http/answer-cache.js';

describe('AnswerCache', () => {
  it('answers exactly the same bytes until the TTL ends', () => {
    let now = 1000;
    const cache = new AnswerCache(1000, 1024, () => now);
    cache.set('{"a":1}', { body: Buffer.from('answer'), sets: 2, applicationSetName: 'web' });
    expect(cache.get('{"a":1}')).toEqual({ body: Buffer.from('answer'), sets: 2, applicationSetName: 'web', expires: 2000 });
    expect(cache.get('{"a": 1}')).toBeUndefined();
    now = 1999;
    expect(cache.get('{"a":1}')?.sets).toBe(2);
    now = 2000;
    expect(cache.get('{"a":1}')).toBeUndefined();
  });

  it('keeps at most maxBytes, dropping the oldest', () => {
    const cache = new AnswerCache(60_000, 10);
    cache.set('a', { body: Buffer.alloc(4), sets: 1, applicationSetName: 'web' });
    cache.set('b', { body: Buffer.alloc(4), sets: 1, applicationSetName: 'web' });
    cache.set('c', { body: Buffer.alloc(4), sets: 1, applicationSetName: 'web' });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    cache.set('huge', { body: Buffer.alloc(11), sets: 1, applicationSetName: 'web' });
    expect(cache.get('huge')).toBeUndefined();
  });

  it('keeps nothing when the TTL is 0', () => {
    const cache = new AnswerCache(0);
    cache.set('a', { body: Buffer.from('x'), sets: 1, applicationSetName: 'web' });
    expect(cache.enabled).toBe(false);
    expect(cache.get('a')).toBeUndefined();
  });
});
