/** The error a promise must reject with: a GreenlightError, or the test fails saying so. */
import { expect } from 'vitest';
import { GreenlightError } from '../../generator/index.js';

export async function rejection(promise: Promise<unknown>): Promise<GreenlightError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(GreenlightError);
  return err as GreenlightError;
}
