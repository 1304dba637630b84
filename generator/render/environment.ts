/**
 * @module Templates are data. Handlebars parses them (its syntax, its whitespace control);
 * greenlight compiles the tree into its own small program (compile.ts) and renders it with a
 * strict, budgeted interpreter (interpret.ts): no prototype access, no partials, no helpers but
 * ours, every step and character counted while rendering. `[[ ]]` is accepted as well as
 * `{{ }}`, so that a template survives Argo CD's own rendering of `input.parameters` inside a
 * matrix.
 */
import Handlebars from 'handlebars';
import { InputError } from '../errors.js';
import { RenderBudget } from './budget.js';
import { compileProgram, TemplateSyntaxError, type Stmt } from './compile.js';
import { interpret } from './interpret.js';

export { MAX_RENDERED_LENGTH } from './budget.js';

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
      if (end === -1) throw new TemplateSyntaxError(`"[[" at character ${i + 1} is never closed with "]]"`);
      out += `{{${source.slice(i + 2, end)}}}`;
      i = end + 2;
    } else {
      out += source[i];
      i += 1;
    }
  }
  return out;
}

/** A compiled template. */
export interface CompiledTemplate {
  readonly source: string;
  /** Nodes of the compiled program (the template cache estimates its bytes from this). */
  readonly nodes: number;
  /**
   * Renders over `context`, charging `budget` (a fresh default budget, without a clock, when
   * absent). Throws `TemplateError` (the message names the expression and what to write
   * instead) or `RenderBudgetExceeded`.
   */
  render(context: object, budget?: RenderBudget): string;
}

/** Compiles a template; throws `InputError` (GL_TEMPLATE_INVALID) naming `label` when it cannot. */
export function compileTemplate(source: string, label: string): CompiledTemplate {
  let program: readonly Stmt[];
  let nodes: number;
  try {
    const ast = Handlebars.parse(translateBrackets(source)) as unknown as Parameters<typeof compileProgram>[0];
    ({ program, nodes } = compileProgram(ast));
  } catch (err) {
    throw new InputError('GL_TEMPLATE_INVALID', `${label} does not compile: ${goTemplateHabit(source) ?? reason(err)}`, { cause: err });
  }
  return {
    source,
    nodes,
    render: (context, budget = new RenderBudget()) => interpret(program, context, budget),
  };
}

/**
 * A `{{ }}` written the Go-template way (Argo CD's goTemplate: `{{ .x }}`, `{{ .x | f }}`,
 * `{{ index .m "k" }}`): a path after a space or `{{` that starts with a dot. Said in words
 * with the Handlebars spelling, instead of the parser's token list.
 */
const GO_EXPRESSION = /\{\{-?\s*((?:[^{}]*\s)?\.[A-Za-z_][^{}]*?)\s*-?\}\}/;

/** What to write instead of a Go-template expression in `source`, or undefined when there is none. */
export function goTemplateHabit(source: string): string | undefined {
  const m = GO_EXPRESSION.exec(source);
  if (!m) return undefined;
  const written = m[0];
  const expr = (m[1] as string).trim();
  const path = (p: string) => p.replace(/^\./, '');
  let instead: string;
  let match: RegExpExecArray | null;
  if ((match = /^\.([\w.]+)$/.exec(expr))) instead = `{{${path(match[0])}}}`;
  else if ((match = /^\.([\w.]+)\s*\|\s*(\w+)$/.exec(expr))) instead = `{{${match[2]} ${match[1]}}}`;
  else if ((match = /^index\s+\.([\w.]+)\s+"([^"]+)"$/.exec(expr))) instead = `{{${match[1]}.[${match[2]}]}}`;
  else instead = '{{group.key}}, with helpers before their arguments: {{lower cluster.name}}';
  return `${written} is Go template syntax; greenlight templates are Handlebars: write ${instead} (paths without a leading dot)`;
}

/** Our own messages as they are; the parser's flattened to one line, with a hint where it helps. */
function reason(err: unknown): string {
  if (err instanceof TemplateSyntaxError) return err.message;
  if (err instanceof RangeError) return 'it is nested too deeply: split it into several vars';
  const message = err instanceof Error ? err.message : String(err);
  const flat = message
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^-*\^$/.test(l.trim()))
    .join(' ')
    .replace(/\s+/g, ' ');
  if (/got 'EOF'/.test(flat)) return `${flat} (a {{#block}} is not closed with its {{/block}}, or a {{ with its }})`;
  return flat;
}
