/** @module The deadline of one request: aborted after `ms`, or when the caller hangs up. */
import type { Response } from 'express';
import { fanOutSignal } from '../../fan-out-signal.js';

export interface Deadline {
  readonly signal: AbortSignal;
  /** Call when the answer is sent (or failed): clears the timer and the listener. */
  done(): void;
}

/**
 * Every answer must come well inside Argo CD's own timeout (the controller allows 30 s), and work
 * for a caller that has gone is wasted upstream load: both abort the signal.
 */
export function requestDeadline(res: Response, ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('deadline')), ms);
  const onClose = () => {
    if (!res.writableEnded) controller.abort(new Error('client closed the connection'));
  };
  res.on('close', onClose);
  return {
    signal: fanOutSignal(controller.signal),
    done: () => {
      clearTimeout(timer);
      res.off('close', onClose);
    },
  };
}
