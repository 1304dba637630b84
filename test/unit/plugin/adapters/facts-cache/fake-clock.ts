/**
 * @module A manual clock for the facts-cache tests: `clock` and `sleep` to inject, `advance` to
 * move time and fire due timers in order. Tests never wait on the real clock.
 */
import type { CancelSignal } from '../../../../../generator/index.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/** Lets every queued promise callback run (p-limit, awaits, `.then` chains). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Time that moves only when a test says so. */
export class FakeClock {
  now: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = Date.parse('2025-06-01T12:00:00.000Z')) {
    this.now = start;
  }

  readonly clock = (): number => this.now;

  readonly sleep = (ms: number, signal?: CancelSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true || ms <= 0) {
        resolve();
        return;
      }
      const timer: Timer = {
        at: this.now + ms,
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      this.timers.push(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing each due timer at its own time, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    await flush();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.now = Math.max(this.now, due.at);
      due.fire();
      await flush();
    }
    this.now = target;
    await flush();
  }

  /** Advances in steps until `promise` settles (at most `limitMs`), then returns it. */
  async until<T>(promise: Promise<T>, stepMs = 10, limitMs = 120_000): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await flush();
    for (let elapsed = 0; !settled && elapsed < limitMs; elapsed += stepMs) await this.advance(stepMs);
    if (!settled) throw new Error(`promise still pending after ${limitMs} ms of fake time`);
    return promise;
  }
}
