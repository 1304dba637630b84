/** @module How every greenlight command reads its flags. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { labelValueSchema } from '../../generator/index.js';
import type { Io } from './io.js';
import { didYouMean } from './suggest.js';

/** What `parseCommandFlags` checks besides node's parseArgs. */
export interface FlagRules {
  /** Exit statuses for a usage error and for `--help` (default 2 and 0). */
  readonly statuses?: { readonly error: number; readonly help: number };
  /**
   * Flags whose values are a closed set. A comma-separated flag (`--only a,b`) lists each value;
   * an unknown value is a usage error naming the allowed ones.
   */
  readonly choices?: Readonly<Record<string, FlagChoice>>;
}

/** The values a flag takes. */
export interface FlagChoice {
  readonly values: readonly string[];
  /** Old values still accepted, not listed in messages (preview's `-o table`). */
  readonly aliases?: readonly string[];
  /** A comma-separated list of values (`--only a,b`). */
  readonly list?: boolean;
}

/** The flags a parseArgs options object declares, as typed on the command line (`--pair`, `-o`). */
export function flagNames(options: ParseArgsConfig['options']): string[] {
  return Object.entries(options ?? {}).flatMap(([name, o]) => [`--${name}`, ...(o.short !== undefined ? [`-${o.short}`] : [])]);
}

/** parseArgs' own message, in greenlight's words, with a suggestion for a mistyped flag. */
function describeParseError(err: Error & { code?: string }, config: ParseArgsConfig): string {
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const flag = unknown[1] as string;
    return `unknown flag ${flag}${didYouMean(flag.replace(/=.*/, ''), flagNames(config.options).filter((f) => f.startsWith('--')))}`;
  }
  const positional = /^Unexpected argument '([^']*)'/.exec(err.message);
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional) return `unexpected argument "${positional[1]}": this command takes flags only`;
  const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(err.message);
  if (missing) return `${missing[1]} needs a value`;
  return err.message;
}

/**
 * Parses one command's flags the way every command does: a parse error (with "did you mean" for
 * a mistyped flag) or a value outside a flag's choices is printed with where to find the usage,
 * and ends the command with `statuses.error`; `--help` prints the usage and ends it with
 * `statuses.help`. Otherwise the parsed flags.
 */
export function parseCommandFlags<T extends ParseArgsConfig>(
  command: string,
  usage: string,
  config: T,
  io: Io,
  rules: FlagRules = {},
): ReturnType<typeof parseArgs<T>> | { readonly exit: number } {
  const statuses = rules.statuses ?? { error: 2, help: 0 };
  const fail = (message: string) => {
    io.err(`greenlight ${command}: ${message}\nRun "greenlight ${command} --help" for its usage.\n`);
    return { exit: statuses.error };
  };
  // --help wins over everything else on the line, as in kubectl.
  if (config.args?.some((a) => a === '--help' || a === '-h') && config.args.indexOf('--') === -1) {
    io.out(`${usage}\n`);
    return { exit: statuses.help };
  }
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    return fail(describeParseError(err as Error & { code?: string }, config));
  }
  const values = parsed.values as Record<string, unknown>;
  for (const [flag, choice] of Object.entries(rules.choices ?? {})) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const given = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (choice.list === true ? String(v).split(',') : [String(v)])).map((v) => v.trim());
    const bad = given.filter((v) => !choice.values.includes(v) && !(choice.aliases ?? []).includes(v));
    if (bad.length > 0) {
      const first = bad[0] as string;
      return fail(`--${flag} ${choice.list === true ? 'takes' : 'is one of'} ${choice.values.join(', ')}${choice.list === true ? ' (comma-separated)' : ''}; got "${bad.join(',')}"${didYouMean(first, choice.values)}`);
    }
  }
  return parsed;
}

/** What is wrong with a `--pair` value (absent, empty, not a label value), or undefined. */
export function pairFlagProblem(pair: string | undefined): string | undefined {
  return pair === undefined || pair === '' || !labelValueSchema.safeParse(pair).success ? 'give --pair with the pair name (a label value)' : undefined;
}
