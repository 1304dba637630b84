/** @module A mistake in how a command was called: printed with a hint, exit status 2. */
export class UsageError extends Error {}
