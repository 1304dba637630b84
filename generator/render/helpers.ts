/**
 * @module The helpers templates may call. Every helper takes strings and returns a string (or,
 * for `eq`/`ne`, a boolean for `#if`); the interpreter checks the number of arguments when the
 * template compiles and their types before the call, so a helper only sees strings.
 */
import { toDnsLabel } from '../names.js';
import { MAX_RENDERED_LENGTH } from './budget.js';
import { TemplateError } from './template-error.js';

export type HelperFn = (...values: string[]) => string | boolean;

/** name → [helper, one-line documentation, [fewest, most] arguments]. The README's helper table follows this. */
export type HelperEntry = readonly [HelperFn, string, readonly [number, number]];

function tooLong(name: string, length: number): TemplateError {
  return new TemplateError(`helper "${name}" would give ${length} characters, more than ${MAX_RENDERED_LENGTH}`);
}

/** `split/join` would build its result before anyone could check its size: count it first. */
function replaceAll(s: string, from: string, to: string): string {
  if (from === '') return s;
  const parts = s.split(from);
  const length = s.length + (parts.length - 1) * (to.length - from.length);
  if (length > MAX_RENDERED_LENGTH) throw tooLong('replace', length);
  return parts.join(to);
}

function join(sep: string, ...values: string[]): string {
  const parts = values.filter((p) => p !== '');
  const length = parts.reduce((n, p) => n + p.length, 0) + Math.max(0, parts.length - 1) * sep.length;
  if (length > MAX_RENDERED_LENGTH) throw tooLong('join', length);
  return parts.join(sep);
}

export const HELPERS: Readonly<Record<string, HelperEntry>> = {
  lower: [(s) => s.toLowerCase(), '`{{lower cluster.name}}`: lowercase', [1, 1]],
  upper: [(s) => s.toUpperCase(), '`{{upper aws.region}}`: uppercase', [1, 1]],
  replace: [(s, from, to) => replaceAll(s, from, to), '`{{replace cluster.name "-" "."}}`: replace every occurrence', [3, 3]],
  trimPrefix: [
    (s, p) => (s.startsWith(p) ? s.slice(p.length) : s),
    '`{{trimPrefix aws.oidcIssuer "https://"}}`: drop a prefix if present',
    [2, 2],
  ],
  trimSuffix: [
    (s, x) => (x !== '' && s.endsWith(x) ? s.slice(0, -x.length) : s),
    '`{{trimSuffix cluster.name "-green"}}`: drop a suffix if present',
    [2, 2],
  ],
  default: [
    (s, fallback) => (s === '' ? fallback : s),
    '`{{default input.team "platform"}}`: the fallback when the value is empty (a missing key is still an error)',
    [2, 2],
  ],
  dnsLabel: [(s) => toDnsLabel(s), '`{{dnsLabel input.app}}`: a DNS-1123 label (lowercase, a-z 0-9 -, at most 63)', [1, 1]],
  join: [(sep, ...values) => join(sep, ...values), '`{{join "." "web" cluster.nameNormalized ingress.domain}}`: join non-empty values with a separator', [2, Infinity]],
  eq: [(a, b) => a === b, '`{{#if (eq cluster.role "green")}}...{{/if}}`: string equality', [2, 2]],
  ne: [(a, b) => a !== b, '`{{#if (ne cluster.role "blue")}}...{{/if}}`: string inequality', [2, 2]],
};

/** The message for a call with the wrong number of arguments. */
export function arityProblem(name: string, got: number): string | undefined {
  const entry = HELPERS[name];
  if (entry === undefined) return undefined;
  const [min, max] = entry[2];
  if (got >= min && got <= max) return undefined;
  if (name === 'join') return 'helper "join" takes a separator and at least one value';
  return `helper "${name}" takes ${min} argument(s), got ${got}`;
}
