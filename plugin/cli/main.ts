/**
 * @module The `greenlight` command. Like plugin/main.ts, an entry point: it alone reads argv and
 * the environment. Commands come from the command table (commands.ts), each loaded when it runs.
 */
import { findCommand, topLevelHelp, unknownCommand } from './commands.js';
import type { Io } from './io.js';
import { didYouMean } from './suggest.js';

/** Progress on a terminal; GREENLIGHT_PROGRESS=always reports waits elsewhere too, =never nowhere. */
function progressMode(setting: string | undefined, tty: boolean): Io['progress'] {
  if (setting === 'never') return undefined;
  if (tty) return 'rewrite';
  return setting === 'always' ? 'lines' : undefined;
}

const io: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  progress: progressMode(process.env['GREENLIGHT_PROGRESS'], process.stderr.isTTY === true),
};

async function run(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(`${topLevelHelp()}\n`);
    return 2;
  }
  if (first === '--help' || first === '-h') return findCommand('help')?.load().then((c) => c.run(rest, process.env, io)) ?? 2;
  if (first === '--version') return findCommand('version')?.load().then((c) => c.run(rest, process.env, io)) ?? 2;
  if (first.startsWith('-')) {
    const flag = first.replace(/=.*/, '');
    // `greenlight --inventory demo preview`: show the line the way it works.
    const at = argv.findIndex((a) => findCommand(a) !== undefined);
    const instead = at > 0 ? `greenlight ${[argv[at], ...argv.slice(0, at), ...argv.slice(at + 1)].join(' ')}` : `greenlight COMMAND ${first} ...`;
    const suggestion = didYouMean(flag, ['--help', '--version']);
    io.err(`greenlight: unknown flag ${flag} before the command${suggestion}\n${suggestion === '' ? `Flags go after the command: ${instead}\n` : ''}Run "greenlight help" for the commands.\n`);
    return 2;
  }
  const entry = findCommand(first);
  if (entry === undefined) {
    io.err(unknownCommand(first));
    return 2;
  }
  return (await entry.load()).run(rest, process.env, io);
}

run(process.argv.slice(2)).then(
  (status) => {
    if (status >= 0) process.exitCode = status;
  },
  (err: unknown) => {
    process.stderr.write(`greenlight: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
