import { describe, expect, it } from 'vitest';
import { compileTemplate, GreenlightError, HELPERS, TemplateCache, translateBrackets } from '../../../generator/index.js';

const context = {
  cluster: { name: 'Prod_EU-green', nameNormalized: 'prod-eu-green', role: 'green' },
  aws: { region: 'eu-west-1', oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC' },
  ingress: { domain: 'eu.example.com', classes: 'alb' },
};
const render = (source: string, ctx: object = context) => compileTemplate(source, 'vars.t').render(ctx);

function compileError(source: string): GreenlightError {
  try {
    compileTemplate(source, 'input.parameters.vars.t');
  } catch (err) {
    if (err instanceof GreenlightError) return err;
    throw err;
  }
  throw new Error('expected a compile error');
}

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
    expect(() => render('{{#with cluster}}{{constructor.name}}{{/with}}')).toThrow();
    expect(() => render('{{__proto__}}')).toThrow();
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

  it('are all documented', () => {
    for (const [name, [, doc]] of Object.entries(HELPERS)) expect(doc, name).toContain(name);
  });
});

describe('TemplateCache', () => {
  it('compiles a source once and bounds its size', () => {
    const cache = new TemplateCache(2);
    const a = cache.get('{{a}}', 'a');
    expect(cache.get('{{a}}', 'a')).toBe(a);
    cache.get('{{b}}', 'b');
    cache.get('{{c}}', 'c');
    expect(cache.get('{{a}}', 'a')).not.toBe(a);
  });
});
