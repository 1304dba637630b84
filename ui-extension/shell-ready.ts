/**
 * @module Waits for Argo CD's app shell before a system-level registration. Argo CD 3.5 mounts
 * with React 19 `createRoot`, so `App` (whose constructor subscribes to system-level
 * registrations, and replays none) may not exist yet when the deferred `extensions.js` runs; a
 * registration made then is dropped (argo-cd#29095). Once `#app` has children, `App` was built.
 * On Argo CD 3.4 and older (synchronous `ReactDOM.render`) it already has them.
 */

/** Calls `register` once `#app` has rendered (at once if it has, or if there is no `#app`). */
export function whenAppShellReady(doc: Document, register: () => void, timeoutMs = 30_000): void {
  const root = doc.getElementById('app');
  if (!root || root.childElementCount > 0) {
    register();
    return;
  }
  let done = false;
  const finish = (timedOut: boolean) => {
    if (done) return;
    done = true;
    observer.disconnect();
    clearTimeout(timer);
    if (timedOut) console.warn(`greenlight: Argo CD's app shell did not render within ${timeoutMs / 1000} s; registering the Blue/Green page anyway`);
    register();
  };
  const observer = new MutationObserver(() => {
    if (root.childElementCount > 0) finish(false);
  });
  observer.observe(root, { childList: true });
  const timer = setTimeout(() => finish(true), timeoutMs);
}
