import { describe, expect, it } from 'vitest';
import { SharedLoads } from '../../../ui-extension/containers/shared-load.js';

/** A load that the test settles by hand, recording whether it was aborted. */
function manual<T>() {
  let settle: { resolve: (v: T) => void; reject: (e: Error) => void } | undefined;
  const runs: AbortSignal[] = [];
  const load = (signal: AbortSignal) => {
    runs.push(signal);
    return new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  };
  return { load, runs, settle: () => settle as NonNullable<typeof settle> };
}

describe('SharedLoads', () => {
  it('runs one load for callers of the same key, and keeps its result for a moment', async () => {
    let now = 0;
    const loads = new SharedLoads(2_000, () => now);
    const m = manual<string>();
    const a = loads.get('k', m.load, new AbortController().signal);
    const b = loads.get('k', m.load, new AbortController().signal);
    m.settle().resolve('family');
    expect(await Promise.all([a, b])).toEqual(['family', 'family']);
    now = 1_000;
    expect(await loads.get('k', m.load, new AbortController().signal)).toBe('family');
    expect(m.runs).toHaveLength(1);
    now = 3_500;
    void loads.get('k', m.load, new AbortController().signal);
    expect(m.runs).toHaveLength(2);
  });

  it('aborts the load only when every caller has gone', async () => {
    const loads = new SharedLoads();
    const m = manual<string>();
    const first = new AbortController();
    const second = new AbortController();
    const a = loads.get('k', m.load, first.signal);
    const b = loads.get('k', m.load, second.signal);
    first.abort(new Error('first left'));
    await expect(a).rejects.toThrow('first left');
    expect(m.runs[0]?.aborted).toBe(false);
    second.abort(new Error('second left'));
    await expect(b).rejects.toThrow('second left');
    expect(m.runs[0]?.aborted).toBe(true);
  });

  it('starts a new load for a caller that asks for fresh data (Retry, Refresh)', async () => {
    const loads = new SharedLoads();
    const m = manual<string>();
    const a = loads.get('k', m.load, new AbortController().signal);
    m.settle().resolve('old');
    await a;
    const b = loads.get('k', m.load, new AbortController().signal, { fresh: true });
    m.settle().resolve('new');
    expect(await b).toBe('new');
    expect(m.runs).toHaveLength(2);
  });

  it('keeps no failure: the next caller loads again', async () => {
    const loads = new SharedLoads();
    const m = manual<string>();
    const a = loads.get('k', m.load, new AbortController().signal);
    m.settle().reject(new Error('403'));
    await expect(a).rejects.toThrow('403');
    void loads.get('k', m.load, new AbortController().signal);
    expect(m.runs).toHaveLength(2);
  });
});
