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

export function runLoad(options: LoadOptions): Promise<LoadResult> {
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
        const sorted = times.subarray(0, count).sort();
        resolve({
          connections: options.connections,
          requestsPerSecond: (count - non2xx) / Math.min(elapsed, result.duration || elapsed),
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
