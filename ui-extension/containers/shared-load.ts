/**
 * @module One load per page for the same data: the status-panel item and the Parity view (or its
 * flyout) of the same Application ask for the same family at the same moment, and Argo CD should
 * be asked once. A load is shared while it runs and for `keepMs` after it succeeded; it is
 * aborted only when every caller has gone. Failures are not kept: the next caller tries again,
 * and a caller that asks for `fresh` data (a Retry or Refresh button) always starts a new load.
 */

interface Entry {
  readonly promise: Promise<unknown>;
  readonly controller: AbortController;
  callers: number;
  settledAt?: number;
}

export class SharedLoads {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly keepMs = 2_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The result of `load` for `key`, started now or shared with a load under way or just done. */
  get<T>(key: string, load: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, options: { fresh?: boolean } = {}): Promise<T> {
    let entry = this.entries.get(key);
    if (entry?.settledAt !== undefined && (options.fresh === true || this.now() - entry.settledAt > this.keepMs)) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (!entry) {
      const controller = new AbortController();
      const created: Entry = { controller, callers: 0, promise: load(controller.signal) };
      created.promise.then(
        () => (created.settledAt = this.now()),
        () => {
          if (this.entries.get(key) === created) this.entries.delete(key);
        },
      );
      this.entries.set(key, created);
      entry = created;
    }
    const shared = entry;
    shared.callers += 1;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = () => {
        const first = !done;
        done = true;
        if (first) shared.callers -= 1;
        return first;
      };
      const leave = () => {
        if (!finish()) return;
        if (shared.callers === 0 && shared.settledAt === undefined) {
          shared.controller.abort(signal.reason);
          if (this.entries.get(key) === shared) this.entries.delete(key);
        }
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      (shared.promise as Promise<T>).then(
        (value) => {
          signal.removeEventListener('abort', leave);
          if (finish()) resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', leave);
          if (finish()) reject(err);
        },
      );
    });
  }
}
