import { expect, test } from 'vitest';
import { TimeoutError } from '../../../../../generator/index.js';
import { runCancellable } from '../../../../../plugin/adapters/aws/cancellable.js';

const cancelled = () => new TimeoutError('GL_DEADLINE_EXCEEDED', 'cancelled');

test('an already aborted signal rejects without running the work', async () => {
  const controller = new AbortController();
  controller.abort();
  let ran = false;
  await expect(
    runCancellable(controller.signal, cancelled, async () => {
      ran = true;
    }),
  ).rejects.toBeInstanceOf(TimeoutError);
  expect(ran).toBe(false);
});

test('aborting rejects at once and aborts the linked signal', async () => {
  const controller = new AbortController();
  let linked: AbortSignal | undefined;
  const pending = runCancellable(controller.signal, cancelled, (signal) => {
    linked = signal;
    return new Promise(() => undefined);
  });
  controller.abort();
  await expect(pending).rejects.toBeInstanceOf(TimeoutError);
  expect(linked?.aborted).toBe(true);
});

test('when the work settles, the linked signal aborts (stragglers stop) and the listener is removed', async () => {
  const controller = new AbortController();
  let linked: AbortSignal | undefined;
  await expect(
    runCancellable(controller.signal, cancelled, async (signal) => {
      linked = signal;
      return 42;
    }),
  ).resolves.toBe(42);
  expect(linked?.aborted).toBe(true);
  // Aborting later does nothing (no unhandled rejection).
  controller.abort();
});
