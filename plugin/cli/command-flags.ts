/** @module How every greenlight command reads its flags. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Io } from './preview.js';

/**
 * Parses one command's flags the way every command does: a parse error is printed with the
 * usage and ends the command with `statuses.error`; `--help` prints the usage and ends it with
 * `statuses.help`. Otherwise the parsed flags.
 */
export function parseCommandFlags<T extends ParseArgsConfig>(
  command: string,
  usage: string,
  config: T,
  io: Io,
  statuses: { readonly error: number; readonly help: number } = { error: 2, help: 0 },
): ReturnType<typeof parseArgs<T>> | { readonly exit: number } {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    io.err(`greenlight ${command}: ${(err as Error).message}\n\n${usage}\n`);
    return { exit: statuses.error };
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    io.out(`${usage}\n`);
    return { exit: statuses.help };
  }
  return parsed;
}
