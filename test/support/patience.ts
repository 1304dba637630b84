/**
 * @module How long a test waits for a condition before it calls the condition unmet. Tests wait
 * on conditions, never on wall-clock margins: this bound only turns a hang into a failure, so it
 * is generous enough for a two-core machine that is busy with other work (`stress-ng --cpu 2`).
 * Speed is measured in bench/, never here.
 */
export const PATIENCE_MS = 120_000;

/** Polls `check` until it passes, rethrowing its last failure after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = PATIENCE_MS, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
