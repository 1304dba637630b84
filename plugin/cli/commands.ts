/**
 * @module The command table: every `greenlight` command, with its one-line summary. A command's
 * module (its usage, flags and code, and the SDKs it needs) is loaded only when that command runs
 * or shows its usage: `register` brings the AWS SDK and the Kubernetes client, which `preview` on
 * a fleet file never needs. A new command is one entry here and a module exporting a `Command`.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Io } from './io.js';
import { didYouMean } from './suggest.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What a command's module exports. */
export interface Command {
  /** Its whole usage, printed by `greenlight help NAME` and `greenlight NAME --help`. */
  readonly usage: string;
  /** Its flags (node:util parseArgs options), for completion. */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** The values of flags that take a closed set, for completion (`output: ['text', 'json', 'yaml']`). */
  readonly values?: Readonly<Record<string, readonly string[]>>;
  /** Runs it; the exit status, or -1 when the command keeps the process running (serve). */
  run(argv: readonly string[], env: Env, io: Io): Promise<number>;
}

export interface CommandEntry {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'preview', summary: 'show what the plugin generator would answer for some input', load: async () => (await import('./preview.js')).previewCommand },
  { name: 'readiness', summary: 'is a pair ready for the next weight step? (exit 0 ready, 2 blockers)', load: async () => (await import('./readiness.js')).readinessCommand },
  { name: 'gate', summary: 'may traffic move one step now? readiness, live health, the Route 53 split (exit 0 go, 2 hold)', load: async () => (await import('./gate.js')).gateCommand },
  { name: 'drift', summary: 'what blue runs that Git does not (exit 0 nothing green lacks, 2 drift)', load: async () => (await import('./drift.js')).driftCommand },
  { name: 'weight', summary: "change the traffic weights of a pair's clusters, all or nothing", load: async () => (await import('./weight.js')).pairChangeCommand('weight') },
  { name: 'role', summary: "change the roles of a pair's clusters, all or nothing", load: async () => (await import('./weight.js')).pairChangeCommand('role') },
  { name: 'register', summary: 'turn an EKS cluster into a checked Argo CD cluster Secret', load: async () => (await import('./register.js')).registerCommand },
  { name: 'annotate', summary: 'write the facts onto Argo CD cluster Secrets (Argo CD without plugin generators)', load: async () => (await import('./annotate.js')).annotateCommand },
  { name: 'serve', summary: 'start the service (same as npm start)', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'version', summary: "print greenlight's version", load: async () => (await import('./version.js')).versionCommand },
  { name: 'completion', summary: 'print a shell completion script: bash, zsh or fish', load: async () => (await import('./completion.js')).completionCommand },
  { name: 'help', summary: "show a command's usage", load: async () => helpCommand },
];

/** The global flags, which may come before the command. */
export const GLOBAL_FLAGS = ['--help', '-h', '--version'] as const;

export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The message for a command greenlight does not have, with the nearest it does. */
export function unknownCommand(name: string): string {
  return `greenlight: unknown command "${name}"${didYouMean(name, COMMANDS.map((c) => c.name))}\nRun "greenlight help" for the commands.\n`;
}

/** The top-level help: a screenful, one line per command. */
export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `greenlight: facts about EKS clusters for Argo CD ApplicationSets, and the steps of a blue-green upgrade.

Usage:
  greenlight COMMAND [flags]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Global flags:
  -h, --help      show this help; after a command, that command's usage
      --version   print greenlight's version (as greenlight version does)

Use "greenlight help COMMAND" (or "greenlight COMMAND --help") for a command's flags.`;
}

/** `greenlight help [COMMAND]`. */
export const helpCommand: Command = {
  usage: `Usage: greenlight help [COMMAND]

Shows the commands, or one command's usage and flags.`,
  options: {},
  async run(argv, _env, io) {
    const [name, ...extra] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      io.out(`${topLevelHelp()}\n`);
      return 0;
    }
    const entry = findCommand(name);
    if (entry === undefined || extra.length > 0) {
      io.err(extra.length > 0 ? 'greenlight help: give one command\n' : unknownCommand(name));
      return 2;
    }
    io.out(`${(await entry.load()).usage}\n`);
    return 0;
  },
};
