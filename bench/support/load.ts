/**
 * @module Drives a server with autocannon at a fixed concurrency for a fixed time. autocannon's
 * own latency histogram has 1 ms resolution; the exact response times (its `response` events,
 * in fractional milliseconds) are kept instead, so that p50/p99 below a millisecond are real.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  readonly connections: number;
  /** 2xx answers per second over the whole run. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly answers: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly bytesPerAnswer: number;
}

export function percentile(sorted: Float64Array | readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** One run as measured: its result, plus every response time (sorted) and its length, to combine runs. */
export interface LoadRun extends LoadResult {
  readonly seconds: number;
  readonly sortedTimes: Float64Array;
}

/** Several runs at one concurrency as one: requests/s over their summed time, percentiles over all their responses. */
export function combineRuns(runs: readonly LoadRun[]): LoadResult {
  const first = runs[0];
  if (first === undefined) throw new Error('combineRuns: no runs');
  const total = runs.reduce((n, r) => n + r.sortedTimes.length, 0);
  const times = new Float64Array(total);
  let at = 0;
  for (const r of runs) {
    times.set(r.sortedTimes, at);
    at += r.sortedTimes.length;
  }
  times.sort();
  const sum = (f: (r: LoadRun) => number) => runs.reduce((n, r) => n + f(r), 0);
  const answers = sum((r) => r.answers);
  const non2xx = sum((r) => r.non2xx);
  return {
    connections: first.connections,
    requestsPerSecond: (answers - non2xx) / sum((r) => r.seconds),
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    answers,
    non2xx,
    errors: sum((r) => r.errors),
    bytesPerAnswer: answers > 0 ? sum((r) => r.bytesPerAnswer * r.answers) / answers : 0,
  };
}

export function runLoad(options: LoadOptions): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    let times = new Float64Array(1 << 16);
    let count = 0;
    let non2xx = 0;
    let bytes = 0;
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: options.headers,
        body: options.body,
        connections: options.connections,
        duration: options.durationSeconds,
        pipelining: 1,
        timeout: 30,
      },
      (err, result) => {
        if (err) return reject(err);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
        const seconds = Math.min(elapsed, result.duration || elapsed);
        const sorted = times.subarray(0, count).sort();
        resolve({
          seconds,
          sortedTimes: sorted,
          connections: options.connections,
          requestsPerSecond: (count - non2xx) / seconds,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          answers: count,
          non2xx,
          errors: result.errors,
          bytesPerAnswer: count > 0 ? bytes / count : 0,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, resBytes: number, responseTime: number) => {
      if (count === times.length) {
        const bigger = new Float64Array(times.length * 2);
        bigger.set(times);
        times = bigger;
      }
      times[count++] = responseTime;
      bytes += resBytes;
      if (statusCode < 200 || statusCode > 299) non2xx++;
    });
  });
}
