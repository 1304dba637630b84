/** @module Time as a dependency: the facts cache reads the clock and sleeps only through these, so tests drive both. */
import type { CancelSignal } from '../../../generator/index.js';

/** Milliseconds since the epoch, like `Date.now`. */
export type Clock = () => number;

/**
 * Waits `ms` milliseconds. Resolves early (never rejects) when `signal` aborts: callers check
 * the signal themselves, which keeps every wait free of rejection plumbing.
 */
export type Sleep = (ms: number, signal?: CancelSignal) => Promise<void>;

/** The real clock. */
export const systemClock: Clock = () => Date.now();

/** The real sleep: a `setTimeout` that does not keep the process alive. */
export const systemSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted === true || ms <= 0) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    // A pending backoff or attempt timer must not keep a shutting-down process alive.
    timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
