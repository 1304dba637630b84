/**
 * @module `-o text|json|yaml`: the one output flag every command with structured output takes,
 * the same values and the same default everywhere (kubectl's `-o`). A command keeps its own
 * text form and hands its data here for json and yaml.
 */
import { stringify } from 'yaml';
import type { Io } from './io.js';
import { UsageError } from './usage-error.js';

export const OUTPUT_FORMATS = ['text', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The parseArgs option; spread it into a command's options as `output`. */
export const OUTPUT_OPTION = { type: 'string', short: 'o', default: 'text' } as const;

/** The values `-o` takes, for parseCommandFlags' `choices` (and completion). */
export const OUTPUT_CHOICE = { values: OUTPUT_FORMATS } as const;

/** `OUTPUT_CHOICE` plus old values a command keeps accepting. */
export function outputChoice(aliases: Readonly<Record<string, OutputFormat>>): { readonly values: readonly string[]; readonly aliases: readonly string[] } {
  return { values: OUTPUT_FORMATS, aliases: Object.keys(aliases) };
}

/** The usage line for `-o`; `text` says what the text form is for this command. */
export function outputUsage(text: string, aliases: Readonly<Record<string, OutputFormat>> = {}): string {
  const alias = Object.entries(aliases).map(([old, now]) => `"${old}" is still accepted for ${now}`);
  return `  -o, --output FORMAT      text (default: ${text}), json or yaml${alias.length > 0 ? `\n                           (${alias.join('; ')})` : ''}`;
}

/**
 * The format asked for. `aliases` keeps an old value working (preview's `table` is `text`);
 * anything else is a `UsageError` naming the allowed values.
 */
export function parseOutput(value: string | undefined, aliases: Readonly<Record<string, OutputFormat>> = {}): OutputFormat {
  const v = value ?? 'text';
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  const alias = aliases[v];
  if (alias !== undefined) return alias;
  throw new UsageError(`--output is text, json or yaml, got "${v}"`);
}

/** `data` as JSON or YAML (a list of documents as a YAML stream when `stream`), ending with a newline. */
export function formatStructured(format: 'json' | 'yaml', data: unknown, options: { stream?: boolean } = {}): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  if (options.stream === true && Array.isArray(data)) return data.map((d) => stringify(d)).join('---\n');
  return stringify(data);
}

/** Prints `data` in `format`: the command's own `text` rendering, or JSON / YAML of the same data. */
export function printOutput(io: Io, format: OutputFormat, data: unknown, text: () => string): void {
  io.out(format === 'text' ? text() : formatStructured(format, data));
}

/** A plain-text table: columns padded to their widest cell, three spaces apart, each line after `indent`. */
export function tableLines(header: readonly string[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `${indent}${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('   ').trimEnd()}`;
  return [line(header), ...rows.map(line)];
}
