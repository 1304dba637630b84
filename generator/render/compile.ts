/**
 * @module Handlebars' syntax tree → greenlight's own small program, checked once per source.
 * Handlebars is only the parser (its `parse` applies whitespace control); everything it can
 * express that greenlight does not document is refused here with what to write instead, so
 * that rendering (interpret.ts) only meets constructs it knows.
 */
import { HELPERS, arityProblem, type HelperFn } from './helpers.js';

/** Blocks and subexpressions may nest this deep; deeper is refused (it bounds the interpreter's stack). */
export const MAX_NESTING = 100;

export type DataName = 'index' | 'key' | 'first' | 'last';

/** A literal argument: `"text"`, `3`, `true`, `null`, `undefined`. */
export interface Literal {
  readonly k: 'literal';
  readonly value: string | number | boolean | null | undefined;
  readonly text: string;
}

/** A path. `base` says where it starts; `parts` are the own keys read from there. */
export interface Path {
  readonly k: 'path';
  /** As written (Handlebars' spelling: `[a.b]` segments without brackets). */
  readonly text: string;
  readonly base: 'context' | 'root' | 'param' | 'data';
  /** `../` count for `context`; block-param frames up for `param`. */
  readonly up: number;
  /** The block param's position (`param`). */
  readonly index: number;
  readonly data: DataName | undefined;
  readonly parts: readonly string[];
}

/** A helper call; its text is rebuilt only for a message (see `textOf`), so nesting costs no copies. */
export interface Call {
  readonly k: 'call';
  readonly name: string;
  readonly fn: HelperFn;
  readonly args: readonly Expr[];
}

export type Expr = Literal | Path | Call;

/** An expression as written (near enough): `lower (trimPrefix aws.oidcIssuer "https://")`. */
export function textOf(e: Expr): string {
  if (e.k !== 'call') return e.text;
  return [e.name, ...e.args.map((a) => (a.k === 'call' ? `(${textOf(a)})` : a.text))].join(' ');
}

export type Stmt =
  | { readonly k: 'text'; readonly value: string }
  | { readonly k: 'out'; readonly expr: Expr; readonly text: string }
  | { readonly k: 'if'; readonly negate: boolean; readonly cond: Expr; readonly then: readonly Stmt[]; readonly otherwise: readonly Stmt[]; readonly text: string }
  | Scoped<'each'>
  | Scoped<'with'>;

/** `#each` and `#with`: a new context (and block params) for the body. */
export interface Scoped<K extends 'each' | 'with'> {
  readonly k: K;
  readonly value: Path;
  /** How many block params the body names (`as |value key|`). */
  readonly params: number;
  readonly body: readonly Stmt[];
  readonly otherwise: readonly Stmt[];
  readonly text: string;
}

/** A compile problem: the message says what is wrong and what to write instead. */
export class TemplateSyntaxError extends Error {}

type Node = { readonly type: string; readonly [key: string]: unknown };
interface HbPath extends Node {
  readonly data: boolean;
  readonly depth: number;
  readonly parts: readonly string[];
  readonly original: string;
}
interface HbCall extends Node {
  readonly path: Node;
  readonly params: readonly Node[];
  readonly hash?: { readonly pairs: readonly { readonly key: string }[] };
}
interface HbProgram extends Node {
  readonly body: readonly Node[];
  readonly blockParams?: readonly string[];
}
interface HbBlock extends HbCall {
  readonly program?: HbProgram;
  readonly inverse?: HbProgram;
}

const BLOCKS = ['if', 'unless', 'each', 'with'] as const;
const DATA_NAMES: readonly string[] = ['index', 'key', 'first', 'last'];
const HELPER_LIST = Object.keys(HELPERS).join(', ');

/** Where the compiler is: block params in scope (innermost last), context depth, loops around. */
interface Scope {
  readonly params: readonly (readonly string[])[];
  /** Context-changing blocks (`#each`, `#with` bodies) around this point: how far `../` may go. */
  readonly contexts: number;
  /** `#each` bodies around this point (where `@index` & co. are defined). */
  readonly loops: number;
  readonly nesting: number;
}

const isHelper = (name: string) => Object.hasOwn(HELPERS, name);
const isLiteral = (n: Node) => n.type.endsWith('Literal');
/** `this.x`, `./x`, `../x` never name a helper or a block param. */
const scoped = (p: HbPath) => /^(\.|this\b)/.test(p.original);
const simpleName = (p: Node): string | undefined => {
  if (p.type !== 'PathExpression') return undefined;
  const path = p as HbPath;
  return !path.data && path.depth === 0 && path.parts.length === 1 && !scoped(path) ? path.parts[0] : undefined;
};

function literalText(n: Node): string {
  const value = n['value'];
  if (n.type === 'StringLiteral') return JSON.stringify(value);
  if (n.type === 'NullLiteral') return 'null';
  if (n.type === 'UndefinedLiteral') return 'undefined';
  return String(value);
}

function typeOfLiteral(n: Node): string {
  return n.type.replace('Literal', '').toLowerCase();
}

/** Compiles a parsed template (Handlebars' `parse` output). Throws `TemplateSyntaxError`. */
export function compileProgram(ast: Node): { program: readonly Stmt[]; nodes: number } {
  let nodes = 0;

  const program = (prog: HbProgram | undefined, scope: Scope): Stmt[] => {
    const out: Stmt[] = [];
    for (const stmt of prog?.body ?? []) {
      nodes += 1;
      const compiled = statement(stmt, scope);
      if (compiled !== undefined) out.push(compiled);
    }
    return out;
  };

  const statement = (n: Node, scope: Scope): Stmt | undefined => {
    switch (n.type) {
      case 'ContentStatement':
        return { k: 'text', value: n['value'] as string };
      case 'CommentStatement':
        return undefined;
      case 'MustacheStatement':
        return mustache(n as HbCall, scope);
      case 'BlockStatement':
        return block(n as HbBlock, scope);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        throw new TemplateSyntaxError('partials ({{> name}}) are not supported in greenlight templates: write the text in the template itself');
      case 'Decorator':
      case 'DecoratorBlock':
        throw new TemplateSyntaxError('decorators ({{* name}}) are not supported in greenlight templates');
      default:
        throw new TemplateSyntaxError(`${n.type} is not supported in greenlight templates`);
    }
  };

  const refuseHash = (n: HbCall, text: string) => {
    const pair = n.hash?.pairs[0];
    if (pair !== undefined) {
      throw new TemplateSyntaxError(`hash arguments (${pair.key}=...) are not supported, in ${text}: greenlight's helpers take plain arguments only`);
    }
  };

  const refuseForbidden = (name: string | undefined) => {
    if (name === 'log' || name === 'lookup') {
      throw new TemplateSyntaxError(
        `the "${name}" helper and other helpers outside the documented set are not supported in greenlight templates (the helpers are: ${HELPER_LIST}); ${name === 'lookup' ? 'write the path itself, like {{aws.region}} (a key with dots: {{a.[b.c]}})' : 'remove it'}`,
      );
    }
  };

  const mustache = (n: HbCall, scope: Scope): Stmt => {
    const text = `{{${callText(n)}}}`;
    if (isLiteral(n.path)) {
      throw new TemplateSyntaxError(`${text} is not an expression greenlight renders: write text outside {{ }} as it is, or a path without quotes like {{cluster.name}}`);
    }
    if (n.path.type !== 'PathExpression') throw new TemplateSyntaxError(`${text} is not supported: start with a path or a helper name`);
    refuseHash(n, text);
    const name = simpleName(n.path);
    refuseForbidden(name);
    refuseBlockName(name, scope, text);
    const helper = name !== undefined && isHelper(name) && !isBlockParam(name, scope);
    if (n.params.length === 0 && !helper) return { k: 'out', expr: path(n.path as HbPath, scope, text), text };
    return { k: 'out', expr: call(n, scope, text, scope.nesting), text };
  };

  const call = (n: HbCall, scope: Scope, where: string, nesting: number): Call => {
    if (nesting > MAX_NESTING) throw new TemplateSyntaxError(`subexpressions are nested more than ${MAX_NESTING} deep, in ${where}: split the template`);
    if (isLiteral(n.path)) throw new TemplateSyntaxError(`${where}: a helper name is written without quotes (the helpers are: ${HELPER_LIST})`);
    if (n.path.type !== 'PathExpression') throw new TemplateSyntaxError(`${where}: a helper name must come first in ( )`);
    refuseHash(n, where);
    const name = simpleName(n.path);
    refuseForbidden(name);
    refuseBlockName(name, scope, where);
    if (name === undefined || !isHelper(name) || isBlockParam(name, scope)) {
      const written = (n.path as HbPath).original;
      if (n.type === 'SubExpression' && n.params.length === 0) {
        throw new TemplateSyntaxError(`(${written}) in ${where}: parentheses call a helper; to read a value write ${written} without them (the helpers are: ${HELPER_LIST})`);
      }
      throw new TemplateSyntaxError(`unknown helper ${written}, in ${where}: the helpers are ${HELPER_LIST}`);
    }
    const problem = arityProblem(name, n.params.length);
    if (problem !== undefined) throw new TemplateSyntaxError(`${problem}, in ${where}`);
    nodes += 1;
    const args = n.params.map((p, i) => {
      if (p.type === 'SubExpression') return call(p as HbCall, scope, where, nesting + 1);
      if (p.type === 'PathExpression') return path(p as HbPath, scope, where);
      if (p.type !== 'StringLiteral') {
        throw new TemplateSyntaxError(`helper "${name}": argument ${i + 1} must be a string, got ${typeOfLiteral(p)}, in ${where}: quote it, like "${literalText(p)}"`);
      }
      return literal(p);
    });
    return { k: 'call', name, fn: (HELPERS[name] as (typeof HELPERS)[string])[0], args };
  };

  const literal = (n: Node): Literal => {
    nodes += 1;
    return { k: 'literal', value: n['value'] as Literal['value'], text: literalText(n) };
  };

  const block = (n: HbBlock, scope: Scope): Stmt => {
    const head = (n.path as HbPath).original ?? literalText(n.path);
    const text = `{{#${callText(n)}}}`;
    const name = simpleName(n.path);
    if (scope.nesting >= MAX_NESTING) throw new TemplateSyntaxError(`blocks are nested more than ${MAX_NESTING} deep, at ${text}: split the template`);
    if (n.program === undefined) {
      throw new TemplateSyntaxError(`inverted blocks ({{^${head}}}) are not supported: write {{#unless ...}}...{{/unless}}, or {{else}} inside {{#each}}`);
    }
    refuseHash(n, text);
    refuseForbidden(name);
    if (name === undefined || !(BLOCKS as readonly string[]).includes(name)) {
      if (name !== undefined && isHelper(name)) throw new TemplateSyntaxError(`helper "${name}" is not a block, at ${text}: write {{${name} ...}} without # and /`);
      if (n.params.length === 0 && !isLiteral(n.path)) {
        throw new TemplateSyntaxError(`${text} is not supported: write {{#with ${head}}}, {{#each ${head}}} or {{#if ${head}}}`);
      }
      throw new TemplateSyntaxError(`unknown block ${head}, at ${text}: the blocks are #if, #unless, #each and #with`);
    }
    if (n.params.length !== 1) throw new TemplateSyntaxError(`{{#${name}}} takes exactly one expression, got ${n.params.length}, at ${text}: like {{#${name} ${name === 'if' || name === 'unless' ? '(eq cluster.role "green")' : 'cluster.labels'}}}`);
    const params = n.program.blockParams ?? [];
    const maxParams = name === 'each' ? 2 : name === 'with' ? 1 : 0;
    if (params.length > maxParams) {
      throw new TemplateSyntaxError(
        maxParams === 0
          ? `{{#${name}}} takes no block params (as |...|), at ${text}`
          : `{{#${name}}} takes at most ${maxParams} block param(s), at ${text}: ${name === 'each' ? 'as |value key|' : 'as |value|'}`,
      );
    }
    const inner: Scope = { ...scope, nesting: scope.nesting + 1 };
    const param = n.params[0] as Node;
    if (name === 'if' || name === 'unless') {
      const cond = param.type === 'SubExpression' ? call(param as HbCall, inner, text, inner.nesting) : param.type === 'PathExpression' ? path(param as HbPath, scope, text) : literal(param);
      return { k: 'if', negate: name === 'unless', cond, then: program(n.program, inner), otherwise: program(n.inverse, inner), text };
    }
    if (param.type !== 'PathExpression') {
      throw new TemplateSyntaxError(`{{#${name}}} needs a path to a ${name === 'each' ? 'map or list' : 'map'}, at ${text}: like {{#${name} cluster.labels}}`);
    }
    const value = path(param as HbPath, scope, text);
    const bodyScope: Scope = {
      params: params.length > 0 ? [...scope.params, params] : scope.params,
      contexts: scope.contexts + 1,
      loops: scope.loops + (name === 'each' ? 1 : 0),
      nesting: inner.nesting,
    };
    return { k: name as 'each' | 'with', value, params: params.length, body: program(n.program, bodyScope), otherwise: program(n.inverse, inner), text };
  };

  const refuseBlockName = (name: string | undefined, scope: Scope, where: string) => {
    if (name !== undefined && (BLOCKS as readonly string[]).includes(name) && !isBlockParam(name, scope)) {
      throw new TemplateSyntaxError(`${name} is a block, in ${where}: write {{#${name} ...}}...{{/${name}}}`);
    }
  };

  const isBlockParam = (name: string, scope: Scope) => scope.params.some((p) => p.includes(name));

  const path = (p: HbPath, scope: Scope, where: string): Path => {
    nodes += 1;
    const text = p.original;
    if (p.data) {
      if (p.depth > 0) throw new TemplateSyntaxError(`@../ is not supported, in ${where}: name the outer loop's values with block params, like {{#each a as |item i|}}`);
      const [head, ...rest] = p.parts;
      if (head === 'root') return { k: 'path', text, base: 'root', up: 0, index: 0, data: undefined, parts: rest };
      if (head === undefined || !DATA_NAMES.includes(head)) {
        throw new TemplateSyntaxError(`@${head ?? ''} is not defined, in ${where}: the @ variables are @root, and inside {{#each}} @index, @key, @first and @last`);
      }
      if (rest.length > 0) throw new TemplateSyntaxError(`@${head} has no keys, in ${where}: write @${head}`);
      if (scope.loops === 0) throw new TemplateSyntaxError(`@${head} is only defined inside {{#each}}, in ${where}`);
      return { k: 'path', text, base: 'data', up: 0, index: 0, data: head as DataName, parts: [] };
    }
    if (!scoped(p) && p.depth === 0 && p.parts.length > 0) {
      const head = p.parts[0] as string;
      for (let f = scope.params.length - 1; f >= 0; f--) {
        const index = (scope.params[f] as readonly string[]).indexOf(head);
        if (index !== -1) return { k: 'path', text, base: 'param', up: scope.params.length - 1 - f, index, data: undefined, parts: p.parts.slice(1) };
      }
    }
    if (p.depth > scope.contexts) {
      throw new TemplateSyntaxError(`${text} goes above the top level, in ${where}: "../" steps out of one {{#each}} or {{#with}}; use @root.${p.parts.join('.')} for the top level`);
    }
    return { k: 'path', text, base: 'context', up: p.depth, index: 0, data: undefined, parts: p.parts };
  };

  const compiled = program(ast as HbProgram, { params: [], contexts: 0, loops: 0, nesting: 0 });
  return { program: compiled, nodes };
}

/** `lower (trimPrefix aws.oidcIssuer "https://")`, as written (near enough) for messages. */
function callText(n: HbCall): string {
  const head = n.path.type === 'PathExpression' ? (n.path as HbPath).original : literalText(n.path);
  const param = (p: Node): string =>
    p.type === 'SubExpression' ? `(${callText(p as HbCall)})` : p.type === 'PathExpression' ? (p as HbPath).original : p.type.endsWith('Literal') ? literalText(p) : '...';
  const hash = (n.hash?.pairs ?? []).map((pair) => `${pair.key}=...`);
  return [head, ...n.params.map(param), ...hash].join(' ');
}
