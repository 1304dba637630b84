/**
 * @module Renders a compiled template (compile.ts) over one cluster's parameter set. Strict: a
 * path reads own keys only (no prototype, no `constructor`, no `__proto__`), a value written out
 * must be a text (or a number or boolean: `@index`, `eq`), a loop needs a map or a list and
 * `#with` a map; anything else is a `TemplateError` naming the expression and what to write
 * instead. Every node visited, every loop iteration and every character a helper handles is
 * charged to the request's `RenderBudget`, and each var's output is checked as it grows.
 */
import { CHARACTERS_PER_STEP, MAX_RENDERED_LENGTH, type RenderBudget } from './budget.js';
import { textOf, type Call, type Expr, type Path, type Scoped, type Stmt } from './compile.js';
import { TemplateError } from './template-error.js';

/** A context: `this`, and the one around it (`../`). */
interface Frame {
  readonly ctx: unknown;
  /** Where `ctx` came from, for messages: `cluster.labels`, '' for the top level. */
  readonly where: string;
  readonly parent: Frame | undefined;
}

/** `@index`, `@key`, `@first`, `@last` of the innermost `#each`. */
interface Loop {
  readonly index: number;
  readonly key: string | number;
  readonly first: boolean;
  readonly last: boolean;
}

/** Values of block params (`as |value key|`), innermost first. */
interface Params {
  readonly values: readonly unknown[];
  readonly wheres: readonly string[];
  readonly parent: Params | undefined;
}

const MAX_KEYS_SHOWN = 20;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
const isMap = (v: unknown): v is Record<string, unknown> => isObject(v) && !Array.isArray(v);
const join = (where: string, key: string) => (where === '' ? key : `${where}.${key}`);
const place = (where: string) => (where === '' ? 'the top level' : `"${where}"`);

function keyList(v: Record<string, unknown>): string {
  const keys = Object.keys(v).sort();
  if (keys.length === 0) return 'nothing';
  const shown = keys.slice(0, MAX_KEYS_SHOWN).join(', ');
  return keys.length > MAX_KEYS_SHOWN ? `${shown} and ${keys.length - MAX_KEYS_SHOWN} more` : shown;
}

/** "a text", "a map (keys: a, b)", "a list of 3 items", "null"... */
function describe(v: unknown): string {
  if (typeof v === 'string') return 'a text';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length} item(s)`;
  if (isObject(v)) return `a map (keys: ${keyList(v)})`;
  if (v === undefined) return 'not defined';
  return `a ${typeof v}`;
}

/** A path as the user would write a key under it. */
function under(text: string, key: string): string {
  const segment = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${key}]`;
  return text === 'this' || text === '.' ? segment : `${text}.${segment}`;
}

/** What to write instead of using a map or a list as a text. */
function insteadOfText(text: string, v: unknown): string {
  if (Array.isArray(v)) return `loop over it with {{#each ${text}}}{{this}};{{/each}}`;
  if (isMap(v)) {
    const first = Object.keys(v).sort()[0];
    const example = first !== undefined ? `write one of its keys, like {{${under(text, first)}}}, or ` : '';
    return `${example}loop over it with {{#each ${text}}}{{@key}}={{this}};{{/each}}`;
  }
  return 'write a key that holds a text';
}

function notText(text: string, v: unknown): string {
  return `"${text}" is ${describe(v)}, not a text: ${insteadOfText(text, v)}`;
}

class Run {
  out = '';
  /** Where the value resolve() returned came from (scratch, to avoid an allocation per path). */
  where = '';

  constructor(
    readonly root: unknown,
    readonly budget: RenderBudget,
  ) {}

  emit(s: string): void {
    const length = this.out.length + s.length;
    if (length > MAX_RENDERED_LENGTH) {
      throw new TemplateError(`renders to ${length} characters, more than ${MAX_RENDERED_LENGTH} (stopped there): render less, or split it into several vars`);
    }
    this.budget.emit(s.length);
    this.out += s;
  }
}

/** Renders `program` over `root` within `budget`; throws `TemplateError` or `RenderBudgetExceeded`. */
export function interpret(program: readonly Stmt[], root: object, budget: RenderBudget): string {
  const run = new Run(root, budget);
  exec(program, run, { ctx: root, where: '', parent: undefined }, undefined, undefined);
  return run.out;
}

function exec(stmts: readonly Stmt[], run: Run, frame: Frame, loop: Loop | undefined, params: Params | undefined): void {
  for (const s of stmts) {
    run.budget.step();
    switch (s.k) {
      case 'text':
        run.emit(s.value);
        break;
      case 'out': {
        const v = evaluate(s.expr, run, frame, loop, params);
        if (typeof v === 'string') run.emit(v);
        else if (typeof v === 'number' || typeof v === 'boolean') run.emit(String(v));
        else throw new TemplateError(notText(textOf(s.expr), v));
        break;
      }
      case 'if': {
        const v = evaluate(s.cond, run, frame, loop, params);
        if (s.cond.k !== 'literal' && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          const advice = isObject(v) ? `; to test whether it has entries write {{#each ${textOf(s.cond)}}}...{{else}}...{{/each}}` : '';
          throw new TemplateError(`${s.text}: "${textOf(s.cond)}" is ${describe(v)}, not a text (#${s.negate ? 'unless' : 'if'} tests a text: "" is false)${advice}`);
        }
        exec(Boolean(v) !== s.negate ? s.then : s.otherwise, run, frame, loop, params);
        break;
      }
      case 'with': {
        const v = resolve(s.value, run, frame, loop, params);
        const where = run.where;
        if (!isMap(v)) {
          const advice = Array.isArray(v) ? `loop over it with {{#each ${s.value.text}}}` : typeof v === 'string' ? `write {{${s.value.text}}} to use it` : 'name a map, like {{#with cluster}}';
          throw new TemplateError(`${s.text}: "${s.value.text}" is ${describe(v)}, not a map: ${advice}`);
        }
        const inner = s.params > 0 ? { values: [v], wheres: [where], parent: params } : params;
        exec(s.body, run, { ctx: v, where, parent: frame }, loop, inner);
        break;
      }
      case 'each':
        each(s, run, frame, loop, params);
        break;
    }
  }
}

function each(s: Scoped<'each'>, run: Run, frame: Frame, loop: Loop | undefined, params: Params | undefined): void {
  const v = resolve(s.value, run, frame, loop, params);
  const where = run.where;
  if (!isObject(v)) {
    const advice = typeof v === 'string' ? `write {{${s.value.text}}} to use it` : 'name a map or a list, like {{#each cluster.labels}}';
    throw new TemplateError(`${s.text}: "${s.value.text}" is ${describe(v)}, not a map or a list: ${advice}`);
  }
  const keys: readonly (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : Object.keys(v);
  if (keys.length === 0) {
    exec(s.otherwise, run, frame, loop, params);
    return;
  }
  for (let i = 0; i < keys.length; i++) {
    run.budget.step();
    const key = keys[i] as string | number;
    const item = (v as Record<string | number, unknown>)[key];
    const itemWhere = join(where, String(key));
    const inner = s.params > 0 ? { values: [item, key], wheres: [itemWhere, `@key of ${itemWhere}`], parent: params } : params;
    exec(s.body, run, { ctx: item, where: itemWhere, parent: frame }, { index: i, key, first: i === 0, last: i === keys.length - 1 }, inner);
  }
}

function evaluate(e: Expr, run: Run, frame: Frame, loop: Loop | undefined, params: Params | undefined): unknown {
  switch (e.k) {
    case 'literal':
      return e.value;
    case 'path':
      return resolve(e, run, frame, loop, params);
    case 'call':
      return call(e, run, frame, loop, params);
  }
}

function call(c: Call, run: Run, frame: Frame, loop: Loop | undefined, params: Params | undefined): unknown {
  run.budget.step();
  const args: string[] = [];
  let characters = 0;
  for (let i = 0; i < c.args.length; i++) {
    const arg = c.args[i] as Expr;
    const v = evaluate(arg, run, frame, loop, params);
    if (typeof v !== 'string') {
      const advice = isObject(v) ? insteadOfText(textOf(arg), v) : 'pass a key that holds a text, or a quoted string';
      const got = v === null ? 'null' : Array.isArray(v) ? 'a list' : isObject(v) ? 'a map' : typeof v;
      throw new TemplateError(`helper "${c.name}": argument ${i + 1} must be a string, got ${got} ("${textOf(arg)}" in {{${textOf(c)}}}): ${advice}`);
    }
    characters += v.length;
    args.push(v);
  }
  run.budget.step(Math.floor(characters / CHARACTERS_PER_STEP));
  const result = c.fn(...args);
  if (typeof result === 'string') {
    if (result.length > MAX_RENDERED_LENGTH) throw new TemplateError(`{{${textOf(c)}}} gives ${result.length} characters, more than ${MAX_RENDERED_LENGTH}`);
    run.budget.step(Math.floor(result.length / CHARACTERS_PER_STEP));
  }
  return result;
}

function resolve(p: Path, run: Run, frame: Frame, loop: Loop | undefined, params: Params | undefined): unknown {
  run.budget.step();
  let value: unknown;
  let where: string;
  switch (p.base) {
    case 'data':
      // compile.ts allows @index & co. only inside #each.
      run.where = `@${p.data as string}`;
      return (loop as Loop)[p.data as 'index'];
    case 'root':
      value = run.root;
      where = '';
      break;
    case 'param': {
      let ps = params as Params;
      for (let i = 0; i < p.up; i++) ps = ps.parent as Params;
      value = ps.values[p.index];
      where = ps.wheres[p.index] as string;
      break;
    }
    case 'context': {
      let f = frame;
      for (let i = 0; i < p.up; i++) f = f.parent as Frame;
      value = f.ctx;
      where = f.where;
      break;
    }
  }
  for (const part of p.parts) {
    if (!isObject(value) || !Object.hasOwn(value, part)) {
      const has = isObject(value) ? `has: ${keyList(value)}` : `is ${describe(value)}, which has no keys`;
      throw new TemplateError(`"${p.text}" is not defined (${place(where)} ${has})`);
    }
    value = value[part];
    where = join(where, part);
  }
  run.where = where;
  return value;
}
