/** @module Runs AWS work under the request's `CancelSignal`: rejects as soon as it aborts, and aborts what is still in flight. */
import type { CancelSignal, GreenlightError } from '../../../generator/index.js';

/**
 * Runs `work` with an `AbortSignal` linked to `signal`. When `signal` aborts, the returned
 * promise rejects at once with `onCancel()` (no waiting for the SDK to notice), and the
 * linked signal aborts the requests still in flight. When `work` settles, the linked signal
 * aborts too, so that stragglers of a failed fan-out stop instead of running on.
 */
export async function runCancellable<T>(
  signal: CancelSignal,
  onCancel: () => GreenlightError,
  work: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (signal.aborted) throw onCancel();
  const controller = new AbortController();
  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => {
      controller.abort(signal.reason);
      reject(onCancel());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(controller.signal), cancelled]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    controller.abort();
    // The race may have been won by `work`; keep the losing promise from being reported as unhandled.
    cancelled.catch(() => undefined);
  }
}
