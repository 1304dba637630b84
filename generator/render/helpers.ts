/**
 * @module The helpers templates may call. Registered explicitly in a private environment;
 * every helper takes and returns strings and says what was wrong when it gets something else.
 */
import { toDnsLabel } from '../names.js';

type HelperFn = (...args: unknown[]) => unknown;

function str(helper: string, value: unknown, position: number): string {
  if (typeof value === 'string') return value;
  throw new Error(`helper "${helper}": argument ${position} must be a string, got ${value === null ? 'null' : typeof value}`);
}

/** Handlebars passes an options object last; helpers work on the arguments before it. */
function args(raw: unknown[]): unknown[] {
  return raw.slice(0, -1);
}

function fixed(name: string, arity: number, fn: (...values: string[]) => string | boolean): HelperFn {
  return (...raw) => {
    const values = args(raw);
    if (values.length !== arity) throw new Error(`helper "${name}" takes ${arity} argument(s), got ${values.length}`);
    return fn(...values.map((v, i) => str(name, v, i + 1)));
  };
}

/** name → [helper, one-line documentation]. The README's helper table is generated from this. */
export const HELPERS: Readonly<Record<string, readonly [HelperFn, string]>> = {
  lower: [fixed('lower', 1, (s) => s.toLowerCase()), '`{{lower cluster.name}}`: lowercase'],
  upper: [fixed('upper', 1, (s) => s.toUpperCase()), '`{{upper aws.region}}`: uppercase'],
  replace: [
    fixed('replace', 3, (s, from, to) => (from === '' ? s : s.split(from).join(to))),
    '`{{replace cluster.name "-" "."}}`: replace every occurrence',
  ],
  trimPrefix: [
    fixed('trimPrefix', 2, (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
    '`{{trimPrefix aws.oidcIssuer "https://"}}`: drop a prefix if present',
  ],
  trimSuffix: [
    fixed('trimSuffix', 2, (s, x) => (x !== '' && s.endsWith(x) ? s.slice(0, -x.length) : s)),
    '`{{trimSuffix cluster.name "-green"}}`: drop a suffix if present',
  ],
  default: [
    fixed('default', 2, (s, fallback) => (s === '' ? fallback : s)),
    '`{{default input.team "platform"}}`: the fallback when the value is empty (a missing key is still an error)',
  ],
  dnsLabel: [fixed('dnsLabel', 1, toDnsLabel), '`{{dnsLabel input.app}}`: a DNS-1123 label (lowercase, a-z 0-9 -, at most 63)'],
  join: [
    (...raw) => {
      const values = args(raw);
      if (values.length < 2) throw new Error('helper "join" takes a separator and at least one value');
      const [sep, ...parts] = values.map((v, i) => str('join', v, i + 1));
      return parts.filter((p) => p !== '').join(sep);
    },
    '`{{join "." "web" cluster.nameNormalized ingress.domain}}`: join non-empty values with a separator',
  ],
  eq: [fixed('eq', 2, (a, b) => a === b), '`{{#if (eq cluster.role "green")}}...{{/if}}`: string equality'],
  ne: [fixed('ne', 2, (a, b) => a !== b), '`{{#if (ne cluster.role "blue")}}...{{/if}}`: string inequality'],
};
