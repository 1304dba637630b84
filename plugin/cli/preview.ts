/** @module `greenlight preview`: what the generator would answer, as a table or as JSON. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GreenlightError, TemplateCache, type ParameterSet } from '../../generator/index.js';
import { bindGenerate, type Fleet } from '../compose.js';
import { isApplicationSet, pluginCalls, type PluginCall } from './applicationset-input.js';
import { openCliFleet } from './cli-fleet.js';
import { withProgress } from './live-access.js';
import type { Command } from './commands.js';
import type { Io } from './io.js';
import { OUTPUT_FORMATS, OUTPUT_OPTION, outputChoice, outputUsage, parseOutput, formatStructured, type OutputFormat } from './output.js';
import { INVENTORY_USAGE, inputFromFlags, SELECTION_CHOICES, SELECTION_OPTIONS, SELECTION_USAGE, UsageError } from './selection-flags.js';
import { fanOutSignal } from '../fan-out-signal.js';
import { parseCommandFlags } from './command-flags.js';

export type { Io } from './io.js';

/** The groups of a parameter set, in the order the table shows them; `--only` takes these. */
const GROUP_ORDER = ['vars', 'input', 'cluster', 'aws', 'kubernetes', 'addons', 'storage', 'ingress', 'podIdentity', 'secrets', 'facts'];
/** `-o table` was preview's name for `text`; still accepted. */
const PREVIEW_OUTPUT_ALIASES: Readonly<Record<string, OutputFormat>> = { table: 'text' };

export const PREVIEW_USAGE = `Usage: greenlight preview [input] [options]

Shows what greenlight would answer Argo CD for the given input parameters.

Input (combine a file with flags; flags win):
  [input], -f, --input FILE
                           input.parameters as YAML/JSON, or an ApplicationSet manifest
                           (every greenlight generator in it is previewed; inside a
                           matrix after a clusters generator, once per matching cluster)
${SELECTION_USAGE}

Where the clusters come from:
${INVENTORY_USAGE}

Output:
${outputUsage('a table per cluster; json and yaml are the exact answer Argo CD receives', PREVIEW_OUTPUT_ALIASES)}
      --only GROUPS        text only: show these groups, e.g. --only vars,cluster
                           (${GROUP_ORDER.join(', ')})

Exit status: 0 answered, 1 greenlight refused (the message says why), 2 usage error.`;


/** Flattens a parameter set to `group.key = value` lines, the keys as templates address them. */
export function flatten(set: object, prefix = ''): [string, string][] {
  return Object.entries(set).flatMap(([k, v]) =>
    typeof v === 'string' ? [[`${prefix}${k}`, v] as [string, string]] : flatten(v as object, `${prefix}${k}.`),
  );
}


export function formatTable(sets: readonly ParameterSet[], only?: readonly string[]): string {
  const lines: string[] = [];
  for (const set of sets) {
    const c = set.cluster;
    const roleInfo = [c.pair && `pair ${c.pair}`, c.role && `role ${c.role}`, c.weight !== undefined && `weight ${c.weight}`].filter(Boolean).join(' · ');
    lines.push(`● ${c.name}${roleInfo ? `   ${roleInfo}` : ''}`);
    const rows = flatten(set).filter(([key]) => !only || only.includes(key.split('.')[0] as string));
    const rank = (key: string) => {
      const i = GROUP_ORDER.indexOf(key.split('.')[0] as string);
      return i === -1 ? GROUP_ORDER.length : i;
    };
    rows.sort((a, b) => rank(a[0]) - rank(b[0]));
    const width = Math.min(48, Math.max(...rows.map(([k]) => k.length), 10));
    for (const [key, value] of rows) lines.push(`  ${key.padEnd(width)}  ${value}`);
    lines.push('');
  }
  lines.push('Templates read these keys as {{ .group.key }} with goTemplate: true, or {{group.key}} without.');
  return lines.join('\n');
}

export const PREVIEW_OPTIONS = {
  ...SELECTION_OPTIONS,
  input: { type: 'string', short: 'f' },
  output: OUTPUT_OPTION,
  only: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Reads an input file, naming it in every failure. */
function readInputFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no input file ${path} (${resolve(path)} does not exist)`);
    if (code === 'EISDIR') throw new UsageError(`${path} is a directory; give the input file (or ApplicationSet manifest) in it`);
    throw new UsageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new UsageError(`${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Runs the command; returns the exit status. */
export async function runPreview(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io): Promise<number> {
  const parsed = parseCommandFlags('preview', PREVIEW_USAGE, { args: [...argv], allowPositionals: true, options: PREVIEW_OPTIONS }, io, {
    choices: { ...SELECTION_CHOICES, output: outputChoice(PREVIEW_OUTPUT_ALIASES), only: { values: GROUP_ORDER, list: true } },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values, positionals } = parsed;
  const output = parseOutput(values.output, PREVIEW_OUTPUT_ALIASES);
  const usageError = (message: string) => {
    io.err(`greenlight preview: ${message}\nRun "greenlight preview --help" for its usage.\n`);
    return 2;
  };
  if (positionals.length > 1) return usageError(`give one input file, got ${positionals.length}: ${positionals.join(' ')}`);
  if (positionals.length === 1 && values.input !== undefined && values.input !== positionals[0]) {
    return usageError(`give the input file once: as an argument or with -f, not both (${positionals[0]}, ${values.input})`);
  }
  const inputFile = values.input ?? positionals[0];

  let fleet: Fleet;
  try {
    fleet = await openCliFleet(values.inventory, env, io);
  } catch (err) {
    io.err(`greenlight preview: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }

  let calls: PluginCall[];
  try {
    let fileParams: Record<string, unknown> = {};
    let fromAppSet: PluginCall[] | undefined;
    if (inputFile !== undefined) {
      const doc = readInputFile(inputFile);
      if (isApplicationSet(doc)) fromAppSet = pluginCalls(doc, fleet.inventory.snapshot().clusters);
      else if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) fileParams = doc as Record<string, unknown>;
      else if (doc !== null && doc !== undefined) throw new UsageError(`${inputFile} must hold input.parameters as a mapping, or an ApplicationSet`);
    }
    const flags = inputFromFlags(values);
    calls = fromAppSet
      ? fromAppSet.map((c) => ({ ...c, parameters: { ...c.parameters, ...flags } }))
      : [{ where: inputFile ?? 'flags', parameters: { ...fileParams, ...flags } }];
    if (calls.length === 0) throw new UsageError(`${inputFile} has no greenlight (plugin) generator whose input greenlight can preview`);
  } catch (err) {
    io.err(`greenlight preview: ${(err as Error).message}\n`);
    await fleet.close();
    return err instanceof UsageError ? 2 : 1;
  }

  const generate = bindGenerate(fleet, new TemplateCache());
  let status = 0;
  const answers: { where: string; renderedFor?: string; parameters: ParameterSet[] }[] = [];
  for (const call of calls) {
    const label = call.renderedFor !== undefined ? `${call.where} (for cluster ${call.renderedFor})` : call.where;
    try {
      const parameters = await withProgress(io, `the facts of the clusters ${label} selects (${fleet.description})`, generate({ applicationSetName: 'preview', parameters: call.parameters }, fanOutSignal(AbortSignal.timeout(20_000))));
      answers.push({ where: call.where, ...(call.renderedFor !== undefined ? { renderedFor: call.renderedFor } : {}), parameters });
      if (output === 'text') {
        if (calls.length > 1) io.out(`── ${label}\n`);
        io.out(`${parameters.length} parameter set${parameters.length === 1 ? '' : 's'} from ${fleet.description}\n\n${formatTable(parameters, values.only?.split(','))}\n`);
      }
    } catch (err) {
      status = 1;
      const code = err instanceof GreenlightError ? ` [${err.code}]` : '';
      io.err(`greenlight would refuse ${label}${code}:\n  ${(err as Error).message}\n`);
      if (err instanceof GreenlightError && err.code === 'GL_TEMPLATE_FAILED') {
        io.err('  Run without --var and with --only <group> to see the keys each cluster has.\n');
      }
    }
  }
  if (output !== 'text') {
    const body = calls.length === 1 && answers.length === 1 ? { output: { parameters: answers[0]?.parameters ?? [] } } : answers;
    if (status === 0 || answers.length > 0) io.out(formatStructured(output, body));
  }
  await fleet.close();
  return status;
}

export const previewCommand: Command = {
  usage: PREVIEW_USAGE,
  options: PREVIEW_OPTIONS,
  values: { output: OUTPUT_FORMATS, only: GROUP_ORDER, compat: SELECTION_CHOICES.compat.values },
  run: runPreview,
};
