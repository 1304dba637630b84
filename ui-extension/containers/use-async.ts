/** @module Loads data for a container: loading, ready or error, with a retry; stale answers are dropped. */
import * as React from 'react';

export type AsyncState<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly data: T; readonly loadedAt: number }
  | { readonly status: 'error'; readonly error: unknown };

/** Runs `load` when `deps` change or `retry` is called; aborts the previous run. Hooks only: works on React 16.14 and 19. */
export function useAsync<T>(load: (signal: AbortSignal, retried: boolean) => Promise<T>, deps: readonly unknown[]): [AsyncState<T>, () => void] {
  const [state, setState] = React.useState<AsyncState<T>>({ status: 'loading' });
  const [attempt, setAttempt] = React.useState(0);
  const loadRef = React.useRef(load);
  loadRef.current = load;
  React.useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    loadRef.current(controller.signal, attempt > 0).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'ready', data, loadedAt: Date.now() });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setState({ status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [...deps, attempt]);
  const retry = React.useCallback(() => setAttempt((n) => n + 1), []);
  return [state, retry];
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
