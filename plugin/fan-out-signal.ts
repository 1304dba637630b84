/** @module Signals for work that fans out over the fleet. */
import { setMaxListeners } from 'node:events';

/**
 * Marks `signal` as one that work fans out under: the core and the facts cache add a listener
 * per selected cluster (each removed as that cluster settles), so more than Node's default of 10
 * at once is by design. Without this, Node prints a MaxListenersExceededWarning ("Possible
 * EventTarget memory leak") for any selection of more than five clusters.
 */
export function fanOutSignal<T extends AbortSignal>(signal: T): T {
  setMaxListeners(0, signal);
  return signal;
}
