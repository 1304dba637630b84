/**
 * @module What every reader of a periodic fleet evaluation shares: one evaluation at a time, its
 * result served while fresh, and a reader who finds it stale waiting a bounded time for the next
 * (getting the previous result meanwhile, or undefined before the first).
 */
export interface FreshOrWaitOptions {
  readonly clock: () => number;
  /** How long a result is served. */
  readonly ttlMs: number;
  /** How long a reader waits for a new result. */
  readonly waitMs: number;
}

export class FreshOrWait<T extends { readonly at: number }> {
  private current: T | undefined;
  private pending: Promise<T> | undefined;
  private waiting: Promise<T | undefined> | undefined;

  constructor(
    private readonly make: () => Promise<T>,
    private readonly options: FreshOrWaitOptions,
  ) {}

  /** The current result while fresh, else a new one if it is ready in time, else the previous one. */
  get(): Promise<T | undefined> {
    if (this.current && this.options.clock() - this.current.at < this.options.ttlMs) return Promise.resolve(this.current);
    // Every reader of the moment shares one wait.
    this.waiting ??= (async () => {
      const next = this.refresh();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), this.options.waitMs);
        timer.unref();
      });
      try {
        return (await Promise.race([next.catch(() => undefined), timeout])) ?? this.current;
      } finally {
        clearTimeout(timer);
        this.waiting = undefined;
      }
    })();
    return this.waiting;
  }

  /** The last result, fresh or not (undefined before the first), and whether it is still fresh; never starts a new one. */
  last(): { readonly result: T; readonly fresh: boolean } | undefined {
    return this.current && { result: this.current, fresh: this.options.clock() - this.current.at < this.options.ttlMs };
  }

  /** A new result now (joining one under way); it becomes the current one. */
  refresh(): Promise<T> {
    this.pending ??= this.make()
      .then((result) => {
        this.current = result;
        return result;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
