/**
 * @module A token bucket that makes callers wait for a token instead of failing. One bucket per
 * upstream API keeps a replica under that API's throttling limit (SSM's GetParametersByPath is
 * 40 requests/s shared by the whole account and region), so reconcile storms queue up here
 * rather than turning into ThrottlingExceptions and retries upstream.
 */
import type { CancelSignal } from '../../../generator/index.js';
import type { Clock, Sleep } from './timing.js';

const isAborted = (signal: CancelSignal | undefined): boolean => signal?.aborted === true;

/** How fast one upstream may be called. */
export interface RateBudgetOptions {
  /** Tokens added per second: the sustained request rate. Must be greater than 0. */
  readonly ratePerSecond: number;
  /**
   * Most tokens the bucket holds: how many requests may start at once after a quiet spell.
   * Defaults to `ratePerSecond` (one second's worth), at least 1.
   */
  readonly burst?: number;
}

/**
 * A token bucket with reservations: each `acquire` takes a token at once (the count may go
 * below zero) and waits until that token would have been refilled. Waiters are served in the
 * order they asked, and no timer runs while nobody waits.
 *
 * @example
 * const ssm = new RateBudget({ ratePerSecond: 40 }, Date.now, systemSleep);
 * if (await ssm.acquire(signal)) await client.send(command);
 */
export class RateBudget {
  readonly ratePerSecond: number;
  readonly burst: number;
  private tokens: number;
  private updatedAt: number;

  constructor(
    options: RateBudgetOptions,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {
    if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
      throw new RangeError(`ratePerSecond must be a positive number, got ${options.ratePerSecond}`);
    }
    const burst = options.burst ?? Math.max(1, Math.floor(options.ratePerSecond));
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.ratePerSecond = options.ratePerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.updatedAt = clock();
  }

  /**
   * Takes one token, waiting as long as it takes. Resolves `true` once the caller may go, or
   * `false` if `signal` aborted first (the token is given back, so an abandoned wait costs
   * nobody else a slot).
   */
  async acquire(signal?: CancelSignal): Promise<boolean> {
    if (isAborted(signal)) return false;
    this.refill();
    this.tokens -= 1;
    if (this.tokens >= 0) return true;
    const waitMs = Math.ceil((-this.tokens * 1000) / this.ratePerSecond);
    await this.sleep(waitMs, signal);
    // Read again after the wait: the signal may have aborted meanwhile.
    if (isAborted(signal)) {
      this.refill();
      this.tokens = Math.min(this.burst, this.tokens + 1);
      return false;
    }
    return true;
  }

  /** Milliseconds a caller asking now would wait (0 when a token is available). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  private refill(): void {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.updatedAt = now;
  }
}
