import fc from 'fast-check';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import {
  BYTES_PER_NODE,
  compileTemplate,
  generateParameters,
  GreenlightError,
  HELPERS,
  RenderBudget,
  RenderBudgetExceeded,
  renderLimits,
  TemplateCache,
  TemplateError,
  translateBrackets,
  type RenderLimits,
} from '../../../generator/index.js';
import { aCluster, fullFacts } from '../../support/builders.js';
import { InMemoryFleet, neverAborted } from '../../support/in-memory-fleet.js';
import { rejection } from '../../support/rejection.js';

const context = {
  cluster: { name: 'Prod_EU-green', nameNormalized: 'prod-eu-green', role: 'green' },
  aws: { region: 'eu-west-1', oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC' },
  ingress: { domain: 'eu.example.com', classes: 'alb' },
};
const render = (source: string, ctx: object = context, budget?: RenderBudget) => compileTemplate(source, 'vars.t').render(ctx, budget);

function compileError(source: string): GreenlightError {
  try {
    compileTemplate(source, 'input.parameters.vars.t');
  } catch (err) {
    if (err instanceof GreenlightError) return err;
    throw err;
  }
  throw new Error('expected a compile error');
}

function renderError(source: string, ctx: object = context): TemplateError {
  try {
    render(source, ctx);
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error('expected a render error');
}

/** JavaScript's own messages, which must never reach an operator. */
const INTERNAL = /Cannot read propert|Cannot use 'in' operator|is not a function|is not iterable|undefined is not|null is not|Maximum call stack|\[object Object\]|lookupProperty|TypeError|RangeError/;

describe('translateBrackets', () => {
  it('turns [[ ]] into {{ }} and keeps escaped \\[[ literal', () => {
    expect(translateBrackets('[[ aws.region ]]/x')).toBe('{{ aws.region }}/x');
    expect(translateBrackets('a \\[[b]] c')).toBe('a [[b]] c');
    expect(translateBrackets('{{a}} [[b]]')).toBe('{{a}} {{b}}');
  });
  it('rejects an unclosed [[', () => {
    expect(() => translateBrackets('x [[ aws.region')).toThrow('"[[" at character 3 is never closed with "]]"');
  });
});

describe('compileTemplate', () => {
  it('renders paths without HTML escaping', () => {
    expect(render('{{cluster.name}}&<{{aws.region}}>')).toBe('Prod_EU-green&<eu-west-1>');
  });

  it('renders the same with [[ ]] as with {{ }}', () => {
    expect(render('[[cluster.nameNormalized]].[[ingress.domain]]')).toBe(render('{{cluster.nameNormalized}}.{{ingress.domain}}'));
  });

  it('is strict: a missing key names its whole path and the keys that exist', () => {
    expect(() => render('{{ingress.host}}')).toThrow('"ingress.host" is not defined ("ingress" has: classes, domain)');
    expect(() => render('{{nope.x}}')).toThrow('"nope.x" is not defined (the top level has: aws, cluster, ingress)');
    expect(() => render('{{lower aws.zone}}')).toThrow('"aws.zone" is not defined ("aws" has: oidcIssuer, region)');
    expect(() => render('{{#if (eq cluster.tier "x")}}y{{/if}}')).toThrow('"cluster.tier" is not defined');
    expect(() => render('{{#if cluster.tier}}y{{/if}}')).toThrow('"cluster.tier" is not defined ("cluster" has: name, nameNormalized, role)');
  });

  it('reads keys with dots and slashes as one segment', () => {
    const ctx = { cluster: { labels: { 'greenlight.io/pair': 'prod-eu' } } };
    expect(render('{{cluster.labels.[greenlight.io/pair]}}', ctx)).toBe('prod-eu');
    expect(() => render('{{cluster.labels.[greenlight.io/role]}}', ctx)).toThrow(
      '"cluster.labels.greenlight.io/role" is not defined ("cluster.labels" has: greenlight.io/pair)',
    );
  });

  it('gives no access to prototypes', () => {
    expect(() => render('{{cluster.constructor}}')).toThrow('"cluster.constructor" is not defined');
    expect(() => render('{{#with cluster}}{{constructor.name}}{{/with}}')).toThrow('"constructor.name" is not defined ("cluster" has: name, nameNormalized, role)');
    expect(() => render('{{__proto__}}')).toThrow('"__proto__" is not defined (the top level has: aws, cluster, ingress)');
  });

  it('allows only its own helpers and no partials', () => {
    expect(compileError('{{log cluster.name}}').code).toBe('GL_TEMPLATE_INVALID');
    expect(compileError('{{lookup cluster "name"}}').message).toContain('the "lookup" helper and other helpers outside the documented set are not supported');
    expect(compileError('{{exec "rm"}}').message).toContain('unknown helper exec');
    expect(compileError('{{> evil}}').code).toBe('GL_TEMPLATE_INVALID');
  });

  it('reports syntax errors at compile time, naming the template', () => {
    const err = compileError('{{#if cluster.role}}x');
    expect(err.code).toBe('GL_TEMPLATE_INVALID');
    expect(err.message).toMatch(/^input\.parameters\.vars\.t does not compile: /);
    expect(err.message).toContain('is not closed');
  });

  it('names a Go-template habit and the Handlebars spelling, not the parser\'s token list', () => {
    const says = (source: string) => compileError(source).message.replace(/^input\.parameters\.vars\.t does not compile: /, '');
    expect(says('web.{{ .cluster.name }}')).toBe('{{ .cluster.name }} is Go template syntax; greenlight templates are Handlebars: write {{cluster.name}} (paths without a leading dot)');
    expect(says('{{- .aws.region | upper -}}')).toBe('{{- .aws.region | upper -}} is Go template syntax; greenlight templates are Handlebars: write {{upper aws.region}} (paths without a leading dot)');
    expect(says('{{ index .cluster.labels "team" }}')).toBe('{{ index .cluster.labels "team" }} is Go template syntax; greenlight templates are Handlebars: write {{cluster.labels.[team]}} (paths without a leading dot)');
    expect(says('{{ printf "%s-x" .cluster.name }}')).toBe(
      '{{ printf "%s-x" .cluster.name }} is Go template syntax; greenlight templates are Handlebars: write {{group.key}}, with helpers before their arguments: {{lower cluster.name}} (paths without a leading dot)',
    );
    // Handlebars' own relative paths still compile.
    expect(() => compileTemplate('{{./cluster.name}} {{this.cluster.name}}', 't')).not.toThrow();
  });

  it('bounds the rendered size', () => {
    const big = { s: 'x'.repeat(9000) };
    expect(() => render('{{s}}{{s}}', big)).toThrow('renders to 18000 characters, more than 16384');
  });

  it('supports if/unless/each/with over the context', () => {
    expect(render('{{#if (eq cluster.role "green")}}new{{else}}old{{/if}}')).toBe('new');
    expect(render('{{#unless (ne cluster.role "green")}}g{{/unless}}')).toBe('g');
    expect(render('{{#with aws}}{{region}}{{/with}}')).toBe('eu-west-1');
    expect(render('{{#each ingress}}{{@key}}={{this}};{{/each}}')).toBe('domain=eu.example.com;classes=alb;');
  });
});

/** Handlebars itself, with greenlight's helpers, as the reference for what greenlight documents. */
const reference = Handlebars.create();
for (const [name, [fn]] of Object.entries(HELPERS)) {
  reference.registerHelper(name, (...args: unknown[]) => fn(...(args.slice(0, -1) as string[])));
}

describe('parity with Handlebars for every documented construct', () => {
  const fleet = {
    cluster: { name: 'Prod_EU-green', role: 'green', labels: { 'greenlight.io/pair': 'prod-eu', env: 'prod', tier: '' } },
    aws: { region: 'eu-west-1', accountId: '123456789012' },
    list: ['a', 'b', 'c'],
    none: [] as string[],
    nested: [
      { n: 'x', items: ['1', '2'] },
      { n: 'y', items: [] as string[] },
    ],
    flags: { on: 'yes', off: '' },
  };
  it.each([
    '{{cluster.name}}',
    '{{{cluster.name}}}',
    '{{&cluster.name}}',
    '{{this.cluster.name}}/{{./aws.region}}',
    '{{cluster.labels.[greenlight.io/pair]}}',
    '{{@root.cluster.name}}',
    'a <b> & "c" {{cluster.name}}',
    '{{#with cluster}}{{name}}/{{../aws.region}}/{{@root.aws.accountId}}{{/with}}',
    '{{#with aws as |a|}}{{a.region}}-{{region}}{{/with}}',
    '{{#each cluster.labels}}{{@index}}:{{@key}}={{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}};{{/each}}',
    '{{#each list}}{{@index}}:{{@key}}={{.}}{{#unless @last}},{{/unless}}{{/each}}',
    '{{#each none}}x{{else}}none{{/each}}',
    '{{#each cluster.labels as |v k|}}{{k}}={{v}};{{/each}}',
    '{{#each nested}}{{n}}:{{#each items}}{{../n}}{{this}}{{@index}}{{else}}-{{/each}};{{/each}}',
    '{{#each nested as |it i|}}{{#each it.items as |x|}}{{it.n}}{{i}}{{x}}{{@index}}{{/each}}{{/each}}',
    '{{#each list}}{{#with @root.aws}}{{region}}{{@index}}{{/with}}{{/each}}',
    '{{#if flags.on}}on{{/if}}{{#if flags.off}}off{{else}}not-off{{/if}}',
    '{{#if (eq cluster.role "blue")}}B{{else if (eq cluster.role "green")}}G{{else}}?{{/if}}',
    '{{#if (eq cluster.role "blue")}}B{{else if flags.off}}O{{else}}none{{/if}}',
    '{{#unless flags.off}}u{{else}}not-u{{/unless}}',
    '{{! a comment }}{{!-- another {{x}} --}}z',
    '{{#if flags.on}}\n  line\n{{/if}}\nb {{~ cluster.role ~}}  c',
    '\\{{cluster.name}} and \\{{x}}',
    '{{lower (replace cluster.name "_" "-")}}',
    '{{join "." "web" (dnsLabel cluster.name) "" aws.region}}',
    '{{default flags.off "fallback"}}/{{default flags.on "fallback"}}',
    '{{trimPrefix cluster.labels.[greenlight.io/pair] "prod-"}}{{trimSuffix aws.region "-1"}}{{upper aws.region}}',
    '{{eq cluster.role "green"}}/{{ne cluster.role "green"}}',
    '{{#each list}}{{#if (eq this "b")}}[{{this}}]{{/if}}{{/each}}',
  ])('%s', (source) => {
    const expected = reference.compile(source, { noEscape: true, strict: true })(fleet);
    expect(render(source, fleet)).toBe(expected);
  });

  it('translates [[ ]] before parsing, as before', () => {
    expect(render('[[#each list]][[this]][[/each]]', fleet)).toBe('abc');
  });
});

describe('strict rendering: what Handlebars rendered as "" or [object Object] is an error naming the expression', () => {
  const ctx = { ...context, list: ['a', 'b'], empty: {} };
  it.each([
    ['{{cluster}}', '"cluster" is a map (keys: name, nameNormalized, role), not a text: write one of its keys, like {{cluster.name}}, or loop over it with {{#each cluster}}'],
    ['{{this}}', '"this" is a map (keys: aws, cluster, empty, ingress, list), not a text: write one of its keys, like {{aws}}'],
    ['{{@root}}', '"@root" is a map'],
    ['{{list}}', '"list" is a list of 2 item(s), not a text: loop over it with {{#each list}}{{this}};{{/each}}'],
    ['{{#with cluster}}{{this}}{{/with}}', '"this" is a map (keys: name, nameNormalized, role)'],
    ['{{#each @root}}{{this}}{{/each}}', '"this" is a map'],
    ['{{cluster.toString}}', '"cluster.toString" is not defined ("cluster" has: name, nameNormalized, role)'],
    ['{{cluster.hasOwnProperty}}', '"cluster.hasOwnProperty" is not defined'],
    ['{{valueOf}}', '"valueOf" is not defined (the top level has'],
    ['{{@root.constructor}}', '"@root.constructor" is not defined (the top level has'],
    ['{{@root.__proto__.x}}', '"@root.__proto__.x" is not defined'],
    ['{{#with cluster}}{{__proto__}}{{/with}}', '"__proto__" is not defined ("cluster" has'],
    ['{{#with cluster}}{{../constructor}}{{/with}}', '"../constructor" is not defined (the top level has'],
    ['{{#each cluster}}{{this.constructor}}{{/each}}', '"this.constructor" is not defined ("cluster.name" is a text, which has no keys)'],
    ['{{#each list}}{{length}}{{/each}}', '"length" is not defined ("list.0" is a text, which has no keys)'],
    ['{{cluster.name.length}}', '"cluster.name.length" is not defined ("cluster.name" is a text, which has no keys)'],
    ['{{#each cluster as |v|}}{{v.constructor}}{{/each}}', '"v.constructor" is not defined ("cluster.name" is a text'],
    ['{{#each cluster.name}}x{{/each}}', '{{#each cluster.name}}: "cluster.name" is a text, not a map or a list: write {{cluster.name}} to use it'],
    ['{{#each cluster.nope}}x{{else}}y{{/each}}', '"cluster.nope" is not defined ("cluster" has: name, nameNormalized, role)'],
    ['{{#with cluster.name}}x{{/with}}', '{{#with cluster.name}}: "cluster.name" is a text, not a map: write {{cluster.name}} to use it'],
    ['{{#with list}}x{{/with}}', '"list" is a list of 2 item(s), not a map: loop over it with {{#each list}}'],
    ['{{#if cluster}}x{{/if}}', '{{#if cluster}}: "cluster" is a map (keys: name, nameNormalized, role), not a text (#if tests a text: "" is false); to test whether it has entries write {{#each cluster}}...{{else}}...{{/each}}'],
    ['{{#unless empty}}x{{/unless}}', '"empty" is a map (keys: nothing), not a text (#unless tests a text'],
    ['{{lower cluster}}', 'helper "lower": argument 1 must be a string, got a map ("cluster" in {{lower cluster}}): write one of its keys, like {{cluster.name}}'],
    ['{{join "." list}}', 'helper "join": argument 2 must be a string, got a list ("list" in {{join "." list}}): loop over it'],
    ['{{#each list}}{{lower @index}}{{/each}}', 'helper "lower": argument 1 must be a string, got number ("@index" in {{lower @index}}): pass a key that holds a text, or a quoted string'],
    ['{{lower (eq cluster.role "green")}}', 'helper "lower": argument 1 must be a string, got boolean ("eq cluster.role "green"" in {{lower (eq cluster.role "green")}})'],
  ])('%s', (source, message) => {
    const err = renderError(source, ctx);
    expect(err.message).toContain(message);
    expect(err.message).not.toMatch(INTERNAL);
  });

  it('renders "" only for what is empty: an empty text, and loops and ifs that do not run', () => {
    expect(render('[{{x}}]', { x: '' })).toBe('[]');
    expect(render('{{#each m}}x{{/each}}{{#if x}}y{{/if}}', { m: {}, x: '' })).toBe('');
  });

  it('evaluates only the branch taken', () => {
    expect(render('{{#if (eq cluster.role "blue")}}{{cluster.blueOnly}}{{else}}ok{{/if}}')).toBe('ok');
  });
});

describe('what greenlight does not support is a compile error saying what to write instead', () => {
  it.each([
    ['{{> evil}}', 'partials ({{> name}}) are not supported'],
    ['{{#> layout}}x{{/layout}}', 'partials ({{> name}}) are not supported'],
    ['{{*dec}}', 'decorators ({{* name}}) are not supported'],
    ['{{#*inline "x"}}y{{/inline}}', 'decorators ({{* name}}) are not supported'],
    ['{{^if cluster.role}}y{{/if}}', 'inverted blocks ({{^if}}) are not supported: write {{#unless ...}}'],
    ['{{#cluster}}x{{/cluster}}', '{{#cluster}} is not supported: write {{#with cluster}}, {{#each cluster}} or {{#if cluster}}'],
    ['{{#lower cluster.name}}{{/lower}}', 'helper "lower" is not a block, at {{#lower cluster.name}}: write {{lower ...}} without # and /'],
    ['{{#exec x}}{{/exec}}', 'unknown block exec, at {{#exec x}}: the blocks are #if, #unless, #each and #with'],
    ['{{if cluster.role}}', 'if is a block, in {{if cluster.role}}: write {{#if ...}}...{{/if}}'],
    ['{{#if}}x{{/if}}', '{{#if}} takes exactly one expression, got 0'],
    ['{{#each a b}}x{{/each}}', '{{#each}} takes exactly one expression, got 2'],
    ['{{#each "abc"}}x{{/each}}', '{{#each}} needs a path to a map or list, at {{#each "abc"}}: like {{#each cluster.labels}}'],
    ['{{#each a as |x y z|}}{{/each}}', '{{#each}} takes at most 2 block param(s)'],
    ['{{#if a as |x|}}{{/if}}', '{{#if}} takes no block params'],
    ['{{lower cluster.name x=1}}', 'hash arguments (x=...) are not supported'],
    ['{{#each cluster includeZero=true}}{{/each}}', 'hash arguments (includeZero=...) are not supported'],
    ['{{"cluster"}}', '{{"cluster"}} is not an expression greenlight renders'],
    ['{{lower ("x")}}', 'a helper name is written without quotes'],
    ['{{lower (cluster.name)}}', '(cluster.name) in {{lower (cluster.name)}}: parentheses call a helper; to read a value write cluster.name without them'],
    ['{{lower 3}}', 'helper "lower": argument 1 must be a string, got number, in {{lower 3}}: quote it, like "3"'],
    ['{{eq cluster.role true}}', 'helper "eq": argument 2 must be a string, got boolean'],
    ['{{replace cluster.name "-"}}', 'helper "replace" takes 3 argument(s), got 2, in {{replace cluster.name "-"}}'],
    ['{{join "."}}', 'helper "join" takes a separator and at least one value'],
    ['{{lower}}', 'helper "lower" takes 1 argument(s), got 0'],
    ['{{@index}}', '@index is only defined inside {{#each}}'],
    ['{{#each a}}{{else}}{{@key}}{{/each}}', '@key is only defined inside {{#each}}'],
    ['{{#each a}}{{@../index}}{{/each}}', "@../ is not supported, in {{@../index}}: name the outer loop's values with block params"],
    ['{{@level}}', '@level is not defined, in {{@level}}: the @ variables are @root, and inside {{#each}} @index, @key, @first and @last'],
    ['{{#each a}}{{@index.x}}{{/each}}', '@index has no keys'],
    ['{{../cluster.name}}', '../cluster.name goes above the top level, in {{../cluster.name}}: "../" steps out of one {{#each}} or {{#with}}; use @root.cluster.name for the top level'],
    ['{{#if a}}{{../x}}{{/if}}', '../x goes above the top level'],
    ['{{{{raw}}}}{{x}}{{{{/raw}}}}', 'is not supported'],
    [`${'{{#with cluster}}'.repeat(101)}x${'{{/with}}'.repeat(101)}`, 'blocks are nested more than 100 deep'],
    [`{{lower ${'(lower '.repeat(101)}cluster.name${')'.repeat(101)}}}`, 'subexpressions are nested more than 100 deep'],
  ])('%s', (source, message) => {
    const err = compileError(source);
    expect(err.code).toBe('GL_TEMPLATE_INVALID');
    expect(err.message).toMatch(/^input\.parameters\.vars\.t does not compile: /);
    expect(err.message).toContain(message);
    expect(err.message).not.toMatch(INTERNAL);
  });

});

describe('helpers', () => {
  it.each([
    ['{{lower cluster.name}}', 'prod_eu-green'],
    ['{{upper aws.region}}', 'EU-WEST-1'],
    ['{{replace cluster.nameNormalized "-" "."}}', 'prod.eu.green'],
    ['{{trimPrefix aws.oidcIssuer "https://"}}', 'oidc.eks.eu-west-1.amazonaws.com/id/ABC'],
    ['{{trimSuffix cluster.nameNormalized "-green"}}', 'prod-eu'],
    ['{{default "" "fallback"}}', 'fallback'],
    ['{{default cluster.role "fallback"}}', 'green'],
    ['{{dnsLabel cluster.name}}', 'prod-eu-green'],
    ['{{join "." "web" cluster.nameNormalized "" ingress.domain}}', 'web.prod-eu-green.eu.example.com'],
  ])('%s → %s', (source, expected) => {
    expect(render(source)).toBe(expected);
  });

  it('say what is wrong with their arguments', () => {
    expect(() => render('{{lower 3}}')).toThrow('helper "lower": argument 1 must be a string, got number');
    expect(() => render('{{replace cluster.name "-"}}')).toThrow('helper "replace" takes 3 argument(s), got 2');
    expect(() => render('{{join "."}}')).toThrow('helper "join" takes a separator and at least one value');
  });

  it('refuse to build a result larger than a var may be, before building it', () => {
    const ctx = { s: 'x'.repeat(10_000) };
    expect(() => render('{{#if (eq (replace s "x" "yy") "")}}{{/if}}', ctx)).toThrow('helper "replace" would give 20000 characters, more than 16384');
    expect(() => render('{{#if (eq (join "-" s s) "")}}{{/if}}', ctx)).toThrow('helper "join" would give 20001 characters, more than 16384');
  });

  it('are all documented', () => {
    for (const [name, [, doc]] of Object.entries(HELPERS)) expect(doc, name).toContain(name);
  });
});

describe('the render budget, charged while rendering', () => {
  const limits = (over: Partial<RenderLimits>): RenderLimits => ({ ...renderLimits(100), ...over });
  const overBudget = (fn: () => unknown): RenderBudgetExceeded => thrown(fn, RenderBudgetExceeded);
  /** Loops over the top level `depth` times inside each other: keys^depth iterations, no output. */
  const nested = (depth: number) => `${'{{#each @root}}'.repeat(depth)}${'{{/each}}'.repeat(depth)}`;

  it('counts every node visited and every loop iteration', () => {
    const budget = new RenderBudget(limits({}));
    render('{{cluster.name}}', context, budget);
    expect(budget.used().steps).toBe(2); // the statement and its path
    const loop = new RenderBudget(limits({}));
    render('{{#each ingress}}-{{/each}}', context, loop);
    // the block, its path, 2 iterations with one text each.
    expect(loop.used().steps).toBe(1 + 1 + 2 * 2);
  });

  it('charges helpers by the characters they handle', () => {
    const small = new RenderBudget(limits({}));
    render('{{lower s}}', { s: 'x' }, small);
    const large = new RenderBudget(limits({}));
    render('{{lower s}}', { s: 'x'.repeat(16_000) }, large);
    expect(large.used().steps - small.used().steps).toBe(2 * (16_000 / 16));
  });

  it('stops a loop inside a loop at the step bound, not after it has run', () => {
    const budget = new RenderBudget(limits({ maxSteps: 5000 }));
    const err = overBudget(() => render(nested(12), context, budget));
    expect(err.kind).toBe('steps');
    expect(err.message).toBe('rendering took more than 5000 steps');
    expect(budget.used().steps).toBe(5001);
  });

  it('stops the same hostile template at the same step with the default budget, however busy the machine', () => {
    const runs = [0, 1].map(() => {
      const budget = new RenderBudget(renderLimits());
      overBudget(() => render(nested(12), context, budget));
      return budget.used().steps;
    });
    expect(runs).toEqual([renderLimits().maxSteps + 1, renderLimits().maxSteps + 1]);
  });

  it('is shared by every render of a request', () => {
    const budget = new RenderBudget(limits({ maxSteps: 5000 }));
    const template = compileTemplate('{{#each ingress}}{{this}}{{/each}}', 'vars.t');
    let renders = 0;
    const err = overBudget(() => {
      for (;;) {
        template.render(context, budget);
        renders += 1;
      }
    });
    expect(err.kind).toBe('steps');
    expect(renders).toBe(Math.floor(5000 / 8));
  });

  it('reads the injected clock every 1,024 steps and stops past the time bound', () => {
    let readings = 0;
    const clock = () => readings++; // one "millisecond" per reading
    const budget = new RenderBudget(limits({ maxMs: 5 }), clock);
    const err = overBudget(() => render(nested(12), context, budget));
    expect(err.kind).toBe('time');
    expect(err.message).toBe('rendering took more than 5 ms');
    expect(readings).toBe(7); // the start, then 6 checks
    expect(budget.used().steps).toBe(6 * 1024);
  });

  it('bounds the output of a request as it grows', () => {
    const budget = new RenderBudget(limits({ maxOutput: 100 }));
    const template = compileTemplate('{{cluster.name}}{{ingress.domain}}', 'vars.t'); // 27 characters
    template.render(context, budget);
    template.render(context, budget);
    template.render(context, budget);
    const err = overBudget(() => template.render(context, budget));
    expect(err.kind).toBe('output');
    expect(err.message).toBe('the vars of this request render to more than 100 characters in all');
  });

  it('stops one var at 16 KiB while it grows', () => {
    const budget = new RenderBudget(limits({}));
    const err = renderErrorWith(() => render(`{{#each @root}}${'{{#each @root}}'.repeat(6)}0123456789abcdef${'{{/each}}'.repeat(6)}{{/each}}`, context, budget));
    expect(err.message).toMatch(/^renders to 16400 characters, more than 16384 \(stopped there\)/);
    expect(budget.used().output).toBe(16384);
  });
});

/** The error `fn` throws, which must be an instance of `type` (anything else fails the test). */
function thrown<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error(`expected a ${type.name}`);
}

const renderErrorWith = (fn: () => unknown): TemplateError => thrown(fn, TemplateError);

describe('generateParameters with templates', () => {
  const ADDONS = 'vpc_cni=v1.19.2-eksbuild.1,coredns=v1.11.4-eksbuild.2,';
  function fleetOf(n: number): InMemoryFleet {
    const fleet = new InMemoryFleet();
    for (let i = 0; i < n; i++) {
      const name = `c-${String(i).padStart(4, '0')}`;
      fleet.add(aCluster({ name, labels: { env: 'prod', idx: String(i) } }), fullFacts(name));
    }
    return fleet;
  }
  const run = (fleet: InMemoryFleet, vars: Record<string, string>, render: { limits?: RenderLimits; now?: () => number } = {}) =>
    generateParameters({ applicationSetName: 'web', parameters: { selector: { matchLabels: { env: 'prod' } }, vars } }, { inventory: fleet, facts: fleet, templates: new TemplateCache(), render }, neverAborted);

  it('renders 1,000 clusters with a few ordinary vars well within the default budget', async () => {
    const fleet = fleetOf(1000);
    const vars = {
      host: 'web.{{cluster.nameNormalized}}.example.com',
      region: '{{aws.region}}-{{lower cluster.name}}',
      dns: '{{join "." "api" (dnsLabel cluster.name) aws.region}}',
      tier: '{{#if (eq aws.region "eu-west-1")}}gold{{else}}silver{{/if}}',
      addons: '{{#each addons}}{{@key}}={{this}},{{/each}}',
    };
    const sets = await run(fleet, vars);
    expect(sets).toHaveLength(1000);
    expect(sets[999]?.vars).toEqual({ host: 'web.c-0999.example.com', region: 'eu-west-1-c-0999', dns: 'api.c-0999.eu-west-1', tier: 'gold', addons: ADDONS });
    // the same request, counted: a small part of the default step bound.
    const budget = new RenderBudget(renderLimits());
    const templates = Object.values(vars).map((v) => compileTemplate(v, 'v'));
    for (const set of sets) for (const t of templates) t.render(set, budget);
    expect(budget.used().steps).toBeLessThan(renderLimits().maxSteps / 5);
  });

  it('answers 4xx GL_TEMPLATE_BUDGET_EXCEEDED naming the var, the cluster and what to do', async () => {
    const err = await rejection(run(fleetOf(3), { ok: '{{cluster.name}}', hostile: `${'{{#each @root}}'.repeat(8)}${'{{/each}}'.repeat(8)}` }));
    expect(err.code).toBe('GL_TEMPLATE_BUDGET_EXCEEDED');
    expect(err.kind).toBe('input');
    expect(err.message).toMatch(/^input\.parameters\.vars\.hostile for cluster "c-0000" \(cluster 1 of 3\): /);
    expect(err.message).toContain(`over the render budget of one request (${renderLimits().maxSteps} steps, 4194304 characters of output and 100 ms of CPU`);
    expect(err.message).toContain('Loops inside loops multiply the work (#each inside #each, above all over @root)');
    expect(err.message).toContain('GREENLIGHT_RENDER_BUDGET_MS');
  });

  it('shares the budget over clusters: the cluster where it runs out is named', async () => {
    const err = await rejection(run(fleetOf(50), { addons: '{{#each addons}}{{@key}}={{this}},{{/each}}' }, { limits: { ...renderLimits(), maxSteps: 500 } }));
    expect(err.code).toBe('GL_TEMPLATE_BUDGET_EXCEEDED');
    expect(err.message).toMatch(/for cluster "c-00\d\d" \(cluster \d+ of 50\): rendering took more than 500 steps/);
  });

  it('counts time with the injected clock', async () => {
    let now = 0;
    const err = await rejection(run(fleetOf(1000), { addons: '{{#each addons}}{{@key}}={{this}},{{/each}}' }, { limits: { ...renderLimits(), maxMs: 3 }, now: () => (now += 1) }));
    expect(err.code).toBe('GL_TEMPLATE_BUDGET_EXCEEDED');
    expect(err.message).toContain('rendering took more than 3 ms');
  });

  it('counts compiling new templates against the same time budget, and keeps what it compiled', async () => {
    let now = 0;
    const fleet = fleetOf(2);
    const templates = new TemplateCache();
    const vars = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`v${i}`, `{{cluster.name}}-${i}`]));
    // every reading of the clock says one more millisecond has passed
    const deps = { inventory: fleet, facts: fleet, templates, render: { limits: { ...renderLimits(), maxMs: 4 }, now: () => (now += 1) } };
    const request = { applicationSetName: 'web', parameters: { selector: { matchLabels: { env: 'prod' } }, vars } };
    const err = await rejection(generateParameters(request, deps, neverAborted));
    expect(err.code).toBe('GL_TEMPLATE_BUDGET_EXCEEDED');
    expect(err.message).toMatch(/^input\.parameters\.vars\.v4: compiling this request's new templates took more than 4 ms/);
    expect(err.message).toContain('templates already compiled are kept, so a retry goes further');
    expect(templates.stats().entries).toBe(5);
  });

  it('reports template errors of at most five clusters and counts the rest', async () => {
    const err = await rejection(run(fleetOf(8), { v: '{{cluster.nope}}' }));
    expect(err.code).toBe('GL_TEMPLATE_FAILED');
    expect(err.message.match(/is not defined/g)).toHaveLength(5);
    expect(err.message).toMatch(/; and 3 more$/);
  });
});

describe('generated templates: a string or our error, never a JavaScript message or [object Object]', () => {
  const fixture = {
    cluster: { name: 'prod-eu-green', role: 'green', labels: { 'greenlight.io/pair': 'prod-eu', env: 'prod' } },
    aws: { region: 'eu-west-1' },
    list: ['a', 'b'],
    empty: {},
  };
  const path = fc.constantFrom(
    'cluster.name', 'cluster', 'cluster.labels', 'cluster.labels.[greenlight.io/pair]', 'aws.region', 'list', 'empty', 'nope', 'nope.x',
    'this', '.', 'this.cluster', '../cluster', '@root', '@root.aws', '@index', '@key', '@first', '@last', '@../index', '@foo',
    'constructor', '__proto__', 'toString', 'cluster.constructor', 'cluster.__proto__', 'hasOwnProperty', 'valueOf', 'list.length', 'list.[0]', 'cluster.name.length',
  );
  const literal = fc.constantFrom('"x"', '""', '"green"', '3', 'true', 'null', 'undefined');
  const helper = fc.constantFrom(...Object.keys(HELPERS), 'log', 'lookup', 'exec', 'if', 'each', 'with', 'blockHelperMissing', 'helperMissing');
  const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
    e: fc.oneof({ depthSize: 'small', withCrossShrink: true }, path, literal, tie('call')),
    call: fc.tuple(helper, fc.array(tie('e'), { maxLength: 3 })).map(([h, args]) => `(${[h, ...args].join(' ')})`),
  })).e as fc.Arbitrary<string>;
  const mustache = fc.oneof(
    path.map((p) => `{{${p}}}`),
    fc.tuple(helper, fc.array(expr, { maxLength: 3 })).map(([h, args]) => `{{${[h, ...args].join(' ')}}}`),
    path.map((p) => `{{{${p}}}}`),
    path.map((p) => `[[${p}]]`),
  );
  const template: fc.Arbitrary<string> = fc.letrec((tie) => ({
    t: fc.array(fc.oneof({ depthSize: 'small' }, fc.constantFrom('x', ' ', '{{!c}}', '{{else}}', '{{', '}}', '\\{{a}}', '{{~', '~}}'), mustache, tie('block')), { maxLength: 4 }).map((parts) => parts.join('')),
    block: fc
      .tuple(fc.constantFrom('if', 'unless', 'each', 'with', 'lower', 'cluster', 'nope'), fc.oneof(expr, path), fc.constantFrom('', ' as |v|', ' as |v k|'), tie('t'), fc.option(tie('t')))
      .map(([b, e, params, body, otherwise]) => `{{#${b} ${e}${params}}}${body}${otherwise === null ? '' : `{{else}}${otherwise}`}{{/${b}}}`),
  })).t as fc.Arbitrary<string>;

  it('holds for generated templates over a fixture context', () => {
    fc.assert(
      fc.property(template, (source) => {
        let compiled;
        try {
          compiled = compileTemplate(source, 'input.parameters.vars.t');
        } catch (err) {
          expect(err).toBeInstanceOf(GreenlightError);
          expect((err as GreenlightError).code).toBe('GL_TEMPLATE_INVALID');
          expect((err as Error).message).not.toMatch(INTERNAL);
          return;
        }
        try {
          const out = compiled.render(fixture, new RenderBudget(renderLimits(100)));
          expect(typeof out).toBe('string');
          expect(out).not.toContain('[object Object]');
        } catch (err) {
          expect(err instanceof TemplateError || err instanceof RenderBudgetExceeded, String(err)).toBe(true);
          expect((err as Error).message).not.toMatch(INTERNAL);
        }
      }),
      { seed: 20261203, numRuns: 3000 },
    );
  });
});

describe('TemplateCache', () => {
  it('compiles a source once', () => {
    const cache = new TemplateCache();
    const a = cache.get('{{a}}', 'a');
    expect(cache.get('{{a}}', 'a')).toBe(a);
    expect(cache.stats()).toEqual({ entries: 1, bytes: 200 + 2 * 5 + 2 * BYTES_PER_NODE, maxBytes: 4 * 1024 * 1024 });
  });

  it('is bounded by bytes, least recently used first', () => {
    const one = 200 + 2 * 5 + 2 * BYTES_PER_NODE; // '{{x}}': a statement and a path
    const cache = new TemplateCache(2 * one);
    const a = cache.get('{{a}}', 'a');
    cache.get('{{b}}', 'b');
    expect(cache.get('{{a}}', 'a')).toBe(a); // a is now the most recently used
    cache.get('{{c}}', 'c'); // evicts b
    expect(cache.stats()).toEqual({ entries: 2, bytes: 2 * one, maxBytes: 2 * one });
    expect(cache.get('{{a}}', 'a')).toBe(a);
    const b = cache.get('{{b}}', 'b');
    expect(cache.get('{{b}}', 'b')).toBe(b);
    expect(cache.stats().entries).toBe(2);
  });

  it('counts a large template by its size, and never keeps one larger than its bound', () => {
    const large = `${'{{cluster.name}}-'.repeat(200)}`;
    const cache = new TemplateCache(1024 * 1024);
    cache.get(large, 'large');
    const { bytes } = cache.stats();
    expect(bytes).toBeGreaterThan(2 * large.length + 400 * BYTES_PER_NODE);
    const small = new TemplateCache(bytes - 1);
    const t = small.get(large, 'large');
    expect(small.stats()).toEqual({ entries: 0, bytes: 0, maxBytes: bytes - 1 });
    expect(t.render(context)).toContain('Prod_EU-green-');
  });

  it('stays within its bound under many distinct templates', () => {
    const cache = new TemplateCache(256 * 1024);
    for (let i = 0; i < 2000; i++) cache.get(`{{cluster.name}}-${i}-{{#each ingress}}{{this}}{{/each}}`, 'v');
    const { entries, bytes, maxBytes } = cache.stats();
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    expect(entries).toBeGreaterThan(100);
    expect(entries).toBeLessThan(2000);
  });
});
