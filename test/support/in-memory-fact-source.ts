/**
 * @module An in-memory `FactSource` for tests: seeded facts per cluster, programmable failures
 * and latency, a gate to hold fetches open, and counters of what was asked.
 */
import {
  TimeoutError,
  UpstreamError,
  type CancelSignal,
  type ClusterFacts,
  type ClusterRecord,
  type FactSource,
  type FactSourceName,
} from '../../generator/index.js';

/** Waits `ms`; resolves early when `signal` aborts. Pass a fake clock's sleep to keep tests off the real clock. */
export type TestSleep = (ms: number, signal?: CancelSignal) => Promise<void>;

export interface InMemoryFactSourceOptions {
  /** The source name it reports. Default `eks`. */
  readonly source?: FactSourceName;
  /** Facts per cluster name. */
  readonly facts?: Readonly<Record<string, ClusterFacts>>;
  /** Which clusters it applies to. Default: clusters it has facts for. */
  readonly appliesTo?: (cluster: ClusterRecord) => boolean;
  /** Latency of every fetch. Default 0 (answers on the next microtask). */
  readonly latencyMs?: number;
  /** How latency is waited for. Default: `setTimeout`. */
  readonly sleep?: TestSleep;
}

const realSleep: TestSleep = (ms, signal) =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/** Builds an error shaped like an AWS SDK v3 service exception, e.g. `awsError('ThrottlingException', 400)`. */
export function awsError(name: string, httpStatusCode: number, message = `${name} from the fake upstream`): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** Builds a Node network error, e.g. `networkError('ECONNRESET')`. */
export function networkError(code: string): Error {
  return Object.assign(new Error(`read ${code}`), { code, syscall: 'read' });
}

/** Wraps an error the way adapters do: `UpstreamError` naming the cluster, the original as `cause`. */
export function wrapped(cause: Error, what = 'the fake upstream failed'): UpstreamError {
  return new UpstreamError('GL_FACTS_UNAVAILABLE', `${what}: ${cause.message}`, { cause });
}

/** What a fetch does next: answer with seeded facts, or fail with this error. */
type Failure = { readonly error: unknown; remaining: number };

/**
 * An in-memory fact source.
 *
 * @example
 * const eks = new InMemoryFactSource({ source: 'eks', facts: { green: { eks: greenEks } } });
 * eks.failNext(awsError('ThrottlingException', 400), 2);
 * await eks.fetch(green, signal); // throws, throws, then answers
 */
export class InMemoryFactSource implements FactSource {
  readonly source: FactSourceName;
  /** Fetches started, all clusters together. */
  calls = 0;
  /** Fetches running now, and the most that ever ran at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Fetches that saw their signal abort. */
  aborted = 0;
  private readonly callsByCluster = new Map<string, number>();
  private readonly facts = new Map<string, ClusterFacts>();
  private readonly failures: Failure[] = [];
  private readonly appliesToFn: ((cluster: ClusterRecord) => boolean) | undefined;
  private readonly sleep: TestSleep;
  private latencyMs: number;
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;

  constructor(options: InMemoryFactSourceOptions = {}) {
    this.source = options.source ?? 'eks';
    for (const [name, facts] of Object.entries(options.facts ?? {})) this.facts.set(name, facts);
    this.appliesToFn = options.appliesTo;
    this.latencyMs = options.latencyMs ?? 0;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Sets (or replaces) the facts of a cluster. */
  set(clusterName: string, facts: ClusterFacts): this {
    this.facts.set(clusterName, facts);
    return this;
  }

  /** Removes a cluster: later fetches of it fail with a permanent error. */
  delete(clusterName: string): this {
    this.facts.delete(clusterName);
    return this;
  }

  /** Makes the next `times` fetches fail with `error` (queued after earlier failures). */
  failNext(error: unknown, times = 1): this {
    this.failures.push({ error, remaining: times });
    return this;
  }

  /** Makes every fetch fail with `error` until `recover()`. */
  failAlways(error: unknown): this {
    this.failures.length = 0;
    this.failures.push({ error, remaining: Number.POSITIVE_INFINITY });
    return this;
  }

  /** Clears every programmed failure. */
  recover(): this {
    this.failures.length = 0;
    return this;
  }

  setLatency(ms: number): this {
    this.latencyMs = ms;
    return this;
  }

  /** Holds every fetch (running or new) open until the returned function is called. */
  hold(): () => void {
    if (!this.gate) this.gate = new Promise<void>((resolve) => (this.openGate = resolve));
    return () => this.release();
  }

  /** Opens the gate of `hold()`. */
  release(): void {
    this.openGate?.();
    this.gate = undefined;
    this.openGate = undefined;
  }

  /** Fetches of one cluster so far. */
  callsFor(clusterName: string): number {
    return this.callsByCluster.get(clusterName) ?? 0;
  }

  appliesTo(cluster: ClusterRecord): boolean {
    return this.appliesToFn ? this.appliesToFn(cluster) : this.facts.has(cluster.name);
  }

  async fetch(cluster: ClusterRecord, signal: CancelSignal): Promise<ClusterFacts> {
    this.calls += 1;
    this.callsByCluster.set(cluster.name, this.callsFor(cluster.name) + 1);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (signal.aborted) throw this.abortError(cluster);
      if (this.latencyMs > 0) await this.sleep(this.latencyMs, signal);
      if (this.gate) await this.gate;
      if (signal.aborted) throw this.abortError(cluster);
      const failure = this.failures[0];
      if (failure) {
        failure.remaining -= 1;
        if (failure.remaining <= 0) this.failures.shift();
        throw failure.error;
      }
      const facts = this.facts.get(cluster.name);
      if (!facts) {
        throw new UpstreamError('GL_FACTS_UNAVAILABLE', `cluster "${cluster.name}" is not known to the in-memory ${this.source} source`);
      }
      // A copy, as a real upstream would give: callers must not share the seed.
      return structuredClone(facts);
    } finally {
      this.inFlight -= 1;
    }
  }

  /** What real adapters throw when their signal aborts: a `TimeoutError` naming cluster and source. */
  private abortError(cluster: ClusterRecord): TimeoutError {
    this.aborted += 1;
    return new TimeoutError('GL_DEADLINE_EXCEEDED', `fetch of cluster "${cluster.name}" from the in-memory ${this.source} source was cancelled`);
  }
}
