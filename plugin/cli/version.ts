/** @module `greenlight version` / `greenlight --version`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../paths.js';
import type { Command } from './commands.js';
import { parseCommandFlags } from './command-flags.js';
import { OUTPUT_CHOICE, OUTPUT_OPTION, outputUsage, parseOutput, printOutput } from './output.js';

export const VERSION_USAGE = `Usage: greenlight version [-o text|json|yaml]

Prints greenlight's version (from its package.json), and the Node.js and platform it runs on.

${outputUsage('"greenlight 0.1.0 (node v20.19.0, linux/x64)"')}`;

const VERSION_OPTIONS = { output: OUTPUT_OPTION, help: { type: 'boolean', short: 'h' } } as const;

/** greenlight's version, as its package.json says. */
export function greenlightVersion(): string {
  const pkg = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')));
  return pkg.version;
}

export const versionCommand: Command = {
  usage: VERSION_USAGE,
  options: VERSION_OPTIONS,
  values: { output: OUTPUT_CHOICE.values },
  async run(argv, _env, io) {
    const parsed = parseCommandFlags('version', VERSION_USAGE, { args: [...argv], allowPositionals: false, options: VERSION_OPTIONS }, io, { choices: { output: OUTPUT_CHOICE } });
    if ('exit' in parsed) return parsed.exit;
    const info = { version: greenlightVersion(), node: process.version, platform: `${process.platform}/${process.arch}` };
    printOutput(io, parseOutput(parsed.values.output), info, () => `greenlight ${info.version} (node ${info.node}, ${info.platform})\n`);
    return 0;
  },
};
