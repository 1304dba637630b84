/**
 * @module Templates are data: a private, strict Handlebars environment. No prototype access,
 * no partials, no helpers but ours, bounded size. `[[ ]]` is accepted as well as `{{ }}`, so
 * that a template survives Argo CD's own rendering of `input.parameters` inside a matrix.
 */
import Handlebars from 'handlebars';
import { InputError } from '../errors.js';
import { HELPERS } from './helpers.js';

export const MAX_RENDERED_LENGTH = 16 * 1024;

const hb = Handlebars.create();
hb.unregisterHelper('log');
hb.unregisterHelper('lookup');
for (const [name, [fn]] of Object.entries(HELPERS)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);

const KNOWN_HELPERS = Object.fromEntries(
  [...Object.keys(HELPERS), 'if', 'unless', 'each', 'with', 'blockHelperMissing'].map((n) => [n, true]),
);
const BLOCK_SCOPES = new Set(['each', 'with']);

/**
 * Rewrites `[[ expr ]]` to `{{ expr }}`. Argo CD renders `{{ }}` in a nested plugin's input
 * with the first generator's parameters before calling us, and leaves `[[ ]]` alone.
 * `\[[` stands for a literal `[[`.
 */
export function translateBrackets(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('\\[[', i)) {
      out += '[[';
      i += 3;
    } else if (source.startsWith('[[', i)) {
      const end = source.indexOf(']]', i + 2);
      if (end === -1) throw new Error(`"[[" at character ${i + 1} is never closed with "]]"`);
      out += `{{${source.slice(i + 2, end)}}}`;
      i = end + 2;
    } else {
      out += source[i];
      i += 1;
    }
  }
  return out;
}

type Node = { type: string; [key: string]: unknown };
interface PathNode extends Node {
  original: string;
  parts: string[];
  data: boolean;
  depth: number;
}

/**
 * Every path the template reads from the root context (outside `#each` / `#with`), in order,
 * so that a missing key is reported with its whole path: Handlebars' strict mode names only
 * the last segment.
 */
function rootPaths(program: Node): string[][] {
  const found: string[][] = [];
  const visitPath = (node: unknown, scoped: boolean) => {
    const p = node as PathNode;
    // Parts, not a joined string: `labels.[greenlight.io/pair]` is one segment with dots in it.
    if (p?.type === 'PathExpression' && !scoped && !p.data && p.depth === 0 && p.parts.length > 0) found.push(p.parts);
  };
  const visitExpr = (node: unknown, scoped: boolean): void => {
    const n = node as Node | undefined;
    if (!n) return;
    if (n.type === 'PathExpression') visitPath(n, scoped);
    if (n.type === 'SubExpression') visitCall(n, scoped);
  };
  const visitCall = (n: Node, scoped: boolean): void => {
    const path = n['path'] as PathNode;
    const params = (n['params'] as Node[]) ?? [];
    const isHelper = params.length > 0 || Object.hasOwn(KNOWN_HELPERS, path.original);
    if (!isHelper) visitPath(path, scoped);
    for (const p of params) visitExpr(p, scoped);
    for (const pair of ((n['hash'] as Node | undefined)?.['pairs'] as Node[] | undefined) ?? []) visitExpr(pair['value'], scoped);
  };
  const visitProgram = (prog: Node | undefined, scoped: boolean): void => {
    for (const stmt of (prog?.['body'] as Node[] | undefined) ?? []) {
      if (stmt.type === 'MustacheStatement') visitCall(stmt, scoped);
      if (stmt.type === 'BlockStatement') {
        visitCall(stmt, scoped);
        const name = (stmt['path'] as PathNode).original;
        visitProgram(stmt['program'] as Node, scoped || BLOCK_SCOPES.has(name));
        visitProgram(stmt['inverse'] as Node | undefined, scoped);
      }
    }
  };
  visitProgram(program, false);
  return found;
}

function lookup(context: unknown, parts: readonly string[]): { ok: true } | { ok: false; parent: string; available: string[] } {
  let current: unknown = context;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) {
      const available = current !== null && typeof current === 'object' ? Object.keys(current).sort() : [];
      return { ok: false, parent: parts.slice(0, i).join('.'), available };
    }
    current = (current as Record<string, unknown>)[part];
  }
  return { ok: true };
}

/** A compiled template; `render` throws `Error` with an operator-readable message. */
export interface CompiledTemplate {
  readonly source: string;
  render(context: object): string;
}

/** Compiles a template; throws `InputError` (GL_TEMPLATE_INVALID) naming `label` when it cannot. */
export function compileTemplate(source: string, label: string): CompiledTemplate {
  let ast: Node;
  let render: Handlebars.TemplateDelegate;
  const options = { strict: true, noEscape: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true };
  try {
    const translated = translateBrackets(source);
    ast = hb.parse(translated) as unknown as Node;
    const forbidden = findForbidden(ast);
    if (forbidden) throw new Error(`${forbidden} are not supported in greenlight templates`);
    // compile() is lazy; precompile() runs the compiler now, so that unknown helpers and
    // partials fail here, once, instead of on every cluster.
    hb.precompile(translated, options);
    render = hb.compile(translated, options);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InputError('GL_TEMPLATE_INVALID', `${label} does not compile: ${firstLine(message)}`, { cause: err });
  }
  const paths = rootPaths(ast);
  return {
    source,
    render(context: object): string {
      for (const parts of paths) {
        const found = lookup(context, parts);
        if (!found.ok) {
          const where = found.parent === '' ? 'the top level' : `"${found.parent}"`;
          const keys = found.available.length > 0 ? found.available.join(', ') : 'nothing';
          throw new Error(`"${parts.join('.')}" is not defined (${where} has: ${keys})`);
        }
      }
      const out = render(context, { allowProtoMethodsByDefault: false, allowProtoPropertiesByDefault: false });
      if (out.length > MAX_RENDERED_LENGTH) throw new Error(`renders to ${out.length} characters, more than ${MAX_RENDERED_LENGTH}`);
      return out;
    },
  };
}

/** Partials and decorators reach outside the template; greenlight has neither. */
function findForbidden(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object') return undefined;
  const type = (node as Node).type;
  if (typeof type === 'string' && type.includes('Partial')) return 'partials ({{> name}})';
  if (typeof type === 'string' && type.includes('Decorator')) return 'decorators ({{* name}})';
  // Handlebars always treats these built-ins as known helpers; greenlight removed them.
  const head = (node as { path?: { original?: unknown } }).path?.original;
  if ((type === 'MustacheStatement' || type === 'SubExpression' || type === 'BlockStatement') && (head === 'log' || head === 'lookup')) {
    return `the "${head}" helper and other helpers outside the documented set`;
  }
  for (const value of Object.values(node)) {
    const found = Array.isArray(value) ? value.map(findForbidden).find((f) => f !== undefined) : findForbidden(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n').filter((l) => l.trim() !== '' && !/^-*\^$/.test(l.trim())).join(' ').replace(/\s+/g, ' ');
}
