/**
 * @module Generators of bad requests for `POST /api/v1/getparams.execute` (fast-check): wrong
 * types, deep nesting, huge strings, `__proto__`/`constructor` keys, invalid UTF-8, wrong
 * content types and encodings, truncated JSON, hostile templates, wrong methods and paths; and
 * the check every answer must pass. JSON is written by hand (objects as key/value lists) so that
 * `__proto__` and duplicate keys reach the wire as written.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { parameterSetSchema } from '../../../generator/index.js';
import type { RawAnswer } from './raw-http.js';

export const GETPARAMS = '/api/v1/getparams.execute';

/** One request as sent; prints short (fast-check shows it as the counterexample). */
export class BadRequest {
  constructor(
    readonly kind: string,
    readonly method: string,
    readonly path: string,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: Buffer,
  ) {}

  [fc.toStringMethod](): string {
    const shown = this.body.length > 600 ? `${this.body.subarray(0, 300).toString('latin1')}…(${this.body.length} bytes)…${this.body.subarray(-100).toString('latin1')}` : this.body.toString('latin1');
    return `BadRequest(${this.kind}: ${this.method} ${this.path} ${JSON.stringify(this.headers)} body=${JSON.stringify(shown)})`;
  }

  toString(): string {
    return this[fc.toStringMethod]();
  }

  /** Whether the body may touch Object.prototype if parsed carelessly. */
  get prototypeKeys(): boolean {
    return /__proto__|constructor|prototype/.test(this.body.toString('latin1'));
  }
}

// ---- JSON trees written by hand ------------------------------------------------------------

type Json = null | boolean | number | string | readonly Json[] | { readonly entries: readonly (readonly [string, Json])[] };

export function writeJson(value: Json): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : '1e999';
  if (Array.isArray(value)) return `[${(value as readonly Json[]).map(writeJson).join(',')}]`;
  const obj = value as { readonly entries: readonly (readonly [string, Json])[] };
  return `{${obj.entries.map(([k, v]) => `${JSON.stringify(k)}:${writeJson(v)}`).join(',')}}`;
}

const obj = (entries: readonly (readonly [string, Json])[]): Json => ({ entries });

const PARAMETER_KEYS = ['cluster', 'clusters', 'selector', 'pair', 'role', 'vars', 'echo', 'allowEmpty', 'compat'] as const;
const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then'];

const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PARAMETER_KEYS, 'matchLabels', 'matchExpressions', 'key', 'operator', 'values', 'host', 'team') },
  { weight: 2, arbitrary: fc.constantFrom(...DANGEROUS_KEYS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
);

const scalarArb: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e308, -1e-308, 2 ** 53 + 1, 1000000),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('prod-eu-blue', 'prod-eu-green', 'prod-eu', 'green', 'blue', 'true', 'false', 'gitops-bridge', '', ' ', '\u0000', '\uFEFF', '\uD800', 'In', 'NotIn', 'Exists'),
);

const { tree: jsonArb } = fc.letrec<{ tree: Json }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.array(fc.tuple(keyArb, tie('tree')), { maxLength: 5 }).map(obj),
  ),
}));

const TEMPLATE_TOKENS = [
  '{{',
  '}}',
  '{{{',
  '}}}',
  '[[',
  ']]',
  '\\[[',
  '{{cluster.name}}',
  '{{cluster.nameNormalized}}',
  '{{aws.oidcIssuer}}',
  '{{ingress.clusterDomain}}',
  '{{missing.key}}',
  '{{#if cluster.role}}',
  '{{else}}',
  '{{/if}}',
  '{{#each aws}}{{@key}}={{this}}{{/each}}',
  '{{#each}}',
  '{{/each}}',
  '{{#with cluster}}{{name}}{{/with}}',
  '{{> partial}}',
  '{{lookup . "constructor"}}',
  '{{lookup cluster "__proto__"}}',
  '{{constructor}}',
  '{{__proto__}}',
  '{{cluster.constructor.name}}',
  '{{this.constructor.constructor "return process"}}',
  '{{#with "constructor"}}{{#with split as |a|}}{{/with}}{{/with}}',
  '{{lower cluster.name}}',
  '{{upper}}',
  '{{replace cluster.name "-" "."}}',
  '{{trimPrefix aws.oidcIssuer "https://"}}',
  '{{default input.team "platform"}}',
  '{{dnsLabel cluster.name}}',
  '{{join "." "web" cluster.nameNormalized ingress.domain}}',
  '{{#if (eq cluster.role "green")}}canary{{/if}}',
  '{{ne}}',
  '{{!-- comment --}}',
  '{{!',
  '{{@root.cluster.name}}',
  '{{../cluster}}',
  '{{log "x"}}',
  '{{helperMissing}}',
  '{{blockHelperMissing}}',
  '{{*decorator}}',
  '{{#*inline "p"}}x{{/inline}}',
  '{{~cluster.name~}}',
  '{{"literal"}}',
  '{{1}}',
  '{{true}}',
  '{{null}}',
  '{{undefined}}',
  '{{[cluster].[name]}}',
  'web.',
  '-',
  '\u0000',
  '😀',
];

const templateArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.oneof(fc.constantFrom(...TEMPLATE_TOKENS), fc.string({ maxLength: 8 })), { maxLength: 24 }).map((t) => t.join('')) },
  // Deeply nested blocks, up to the 4 KiB template limit and past it.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 600 }).map((n) => `${'{{#if cluster.name}}'.repeat(n)}x${'{{/if}}'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 1200 }).map((n) => `${'{{#with cluster}}'.repeat(n)}{{name}}${'{{/with}}'.repeat(n)}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((n) => `{{join ${'"a" '.repeat(n)}}}`) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map((n) => `${'('.repeat(n)}`).map((p) => `{{lower ${p}cluster.name}}`) },
);

const nameOrJunk = fc.oneof(fc.constantFrom('prod-eu-blue', 'prod-eu-green', 'nope', ''), scalarArb, jsonArb);

function maybe<T extends Json>(arb: fc.Arbitrary<T>): fc.Arbitrary<Json> {
  return fc.oneof({ weight: 4, arbitrary: arb as fc.Arbitrary<Json> }, { weight: 1, arbitrary: jsonArb });
}

const selectorArb = maybe(
  fc
    .record({
      matchLabels: fc.array(fc.tuple(keyArb, maybe(fc.string({ maxLength: 20 }))), { maxLength: 4 }).map(obj),
      matchExpressions: fc.array(
        fc
          .record({ key: maybe(fc.constantFrom('greenlight.io/role', 'environment', '', '__proto__')), operator: maybe(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'in')), values: maybe(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })) })
          .map((e) => obj(Object.entries(e))),
        { maxLength: 3 },
      ),
    })
    .map((s) => obj(Object.entries(s))),
);

const parameterValue: Record<(typeof PARAMETER_KEYS)[number], fc.Arbitrary<Json>> = {
  cluster: nameOrJunk,
  clusters: maybe(fc.array(nameOrJunk, { maxLength: 5 })),
  selector: selectorArb,
  pair: maybe(fc.oneof(fc.constantFrom('prod-eu', 'x'), fc.array(fc.constantFrom('prod-eu', 'x', ''), { maxLength: 3 }))),
  role: maybe(fc.oneof(fc.constantFrom('green', 'blue', 'x'), fc.array(fc.constantFrom('green', 'blue'), { maxLength: 3 }))),
  vars: maybe(fc.array(fc.tuple(fc.oneof(fc.constantFrom('host', 'url', 'a_b', '_x', '1a', 'x'.repeat(70)), keyArb), templateArb), { maxLength: 4 }).map(obj)),
  echo: maybe(fc.array(fc.tuple(fc.oneof(fc.constantFrom('team', 'cluster', 'pair'), keyArb), scalarArb), { maxLength: 4 }).map(obj)),
  allowEmpty: maybe(fc.constantFrom(true, false, 'true', 'false', 'yes', 1)),
  compat: maybe(fc.constantFrom('gitops-bridge', 'argo', ['gitops-bridge'], [])),
};

const parametersArb: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.oneof(...PARAMETER_KEYS.map((k) => parameterValue[k].map((v) => [k, v] as const)), fc.tuple(keyArb, jsonArb)), { maxLength: 5 }).map(obj) },
  { weight: 1, arbitrary: jsonArb },
);

/** Structurally plausible plugin requests with wrong types, hostile keys and templates. */
export const pluginRequestArb: fc.Arbitrary<string> = fc
  .record({
    name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('payments', 'web', '') }, { weight: 1, arbitrary: jsonArb }),
    input: fc.oneof({ weight: 6, arbitrary: parametersArb.map((p) => obj([['parameters', p]])) }, { weight: 1, arbitrary: jsonArb }),
    extra: fc.array(fc.tuple(keyArb, jsonArb), { maxLength: 2 }),
    order: fc.boolean(),
  })
  .map(({ name, input, extra, order }) => {
    const base: [string, Json][] = [
      ['applicationSetName', name],
      ['input', input],
    ];
    return writeJson(obj(order ? [...base, ...extra] : [...extra, ...base]));
  });

export const VALID_BODY = `${JSON.stringify({ applicationSetName: 'payments', input: { parameters: { pair: 'prod-eu', vars: { host: 'web.{{cluster.nameNormalized}}' } } } })}\n`;

// ---- raw bodies ---------------------------------------------------------------------------

const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3]];

function insertAt(text: string, at: number, bytes: readonly number[]): Buffer {
  const buf = Buffer.from(text, 'utf8');
  const i = Math.min(at, buf.length);
  return Buffer.concat([buf.subarray(0, i), Buffer.from(bytes), buf.subarray(i)]);
}

function nest(open: string, close: string, depth: number, inner: string): string {
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
}

/** Places a JSON fragment where the parser, the schema or the core meets it. */
function placed(where: number, fragment: string): string {
  switch (where % 6) {
    case 0:
      return fragment;
    case 1:
      return `{"applicationSetName":${fragment},"input":{}}`;
    case 2:
      return `{"applicationSetName":"x","input":${fragment}}`;
    case 3:
      return `{"applicationSetName":"x","input":{"parameters":${fragment}}}`;
    case 4:
      return `{"applicationSetName":"x","input":{"parameters":{"vars":{"host":${fragment}}}}}`;
    default:
      return `{"applicationSetName":"x","input":{"parameters":{"selector":{"matchExpressions":[${fragment}]}}}}`;
  }
}

export const rawBodyArb: fc.Arbitrary<{ kind: string; body: Buffer }> = fc.oneof(
  // Truncated JSON, anywhere.
  fc.tuple(pluginRequestArb, fc.nat()).map(([text, at]) => ({ kind: 'truncated', body: Buffer.from(text.slice(0, at % Math.max(1, text.length))) })),
  fc.nat().map((at) => ({ kind: 'truncated-valid', body: Buffer.from(VALID_BODY.slice(0, at % VALID_BODY.length)) })),
  // Deep nesting, up to the body limit.
  fc
    .tuple(fc.integer({ min: 1, max: 120_000 }), fc.constantFrom(['[', ']', '1'], ['{"a":', '}', '1'], ['[{"x":', '}]', 'null'], ['{"__proto__":', '}', '{}']), fc.nat(), fc.boolean())
    .map(([depth, [open, close, inner], where, cut]) => {
      const text = placed(where, nest(open, close, depth, inner));
      return { kind: `deep-${depth}`, body: Buffer.from(cut ? text.slice(0, Math.floor(text.length * 0.7)) : text) };
    }),
  // Huge strings, below and beyond the 256 KiB limit.
  fc
    .tuple(fc.integer({ min: 1_000, max: 320_000 }), fc.constantFrom('a', '\\u0000', 'é', '😀', '\\"', '{{'), fc.nat())
    .map(([length, unit, where]) => ({ kind: `huge-${length}`, body: Buffer.from(placed(where, `"${unit.repeat(Math.ceil(length / unit.length))}"`)) })),
  fc.integer({ min: 200, max: 40_000 }).map((n) => ({ kind: `many-keys-${n}`, body: Buffer.from(placed(3, `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`)) })),
  fc.integer({ min: 100, max: 30_000 }).map((n) => ({ kind: `many-clusters-${n}`, body: Buffer.from(placed(3, `{"clusters":[${Array.from({ length: n }, (_, i) => `"c${i}"`).join(',')}]}`)) })),
  // Invalid UTF-8 inside an otherwise good body.
  fc.tuple(fc.oneof(pluginRequestArb, fc.constant(VALID_BODY)), fc.nat(), fc.constantFrom(...INVALID_UTF8)).map(([text, at, bytes]) => ({ kind: 'invalid-utf8', body: insertAt(text, at % (text.length + 1), bytes) })),
  // Odd but meaningful texts.
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '0',
    '"x"',
    '[]',
    '{}',
    '\uFEFF{}',
    `\uFEFF${VALID_BODY}`,
    `${VALID_BODY}${VALID_BODY}`,
    `${VALID_BODY.trim()}garbage`,
    '{"applicationSetName":"a","applicationSetName":{"x":1},"input":{}}',
    '{"applicationSetName":"a","input":{"parameters":{"cluster":"prod-eu-blue","cluster":["x"]}}}',
    '{"applicationSetName":"a","input":{"parameters":{"allowEmpty":true,"cluster":"nope"}}}',
    '{"applicationSetName":"a","input":{"parameters":{"allowEmpty":true,"pair":"nope"}}}',
    '{"applicationSetName":"a","input":{"parameters":{"echo":{"n":1e400}}}}',
    '{"applicationSetName":"a","input":{"parameters":{"echo":{"n":-0}}}}',
    '{"applicationSetName":"a","input":{"parameters":{"echo":{"n":123456789012345678901234567890}}}}',
    '{"applicationSetName":"a","input":{"parameters":null}}',
    '{"applicationSetName":"a","input":null}',
    '{"applicationSetName":null,"input":{}}',
    '{"constructor":{"prototype":{"polluted":"yes"}},"applicationSetName":"a","input":{}}',
    '{"applicationSetName":"a","input":{"parameters":{"vars":{"constructor":"{{cluster.name}}"}}}}',
    '{"applicationSetName":"a","input":{"parameters":{"echo":{"__proto__":"x"}}}}',
    '{"applicationSetName":"a","input":{"parameters":{"selector":{"matchLabels":{"__proto__":"x"}}}}}',
    '{"applicationSetName":"a","input":{"parameters":{"vars":{"toString":"{{cluster.name}}","valueOf":"x","hasOwnProperty":"y"}}}}',
    '{"applicationSetName":"\\ud800","input":{}}',
    '{"applicationSetName":"a\\u0000b","input":{}}',
  ).map((text) => ({ kind: 'odd', body: Buffer.from(text, 'utf8') })),
  fc.uint8Array({ maxLength: 3000 }).map((bytes) => ({ kind: 'random-bytes', body: Buffer.from(bytes) })),
);

// ---- headers, methods, paths -------------------------------------------------------------

export const CONTENT_TYPES: readonly (string | undefined)[] = [
  undefined,
  '',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/json, text/plain',
  'application/json; boundary=";"',
  'json',
  '*/*',
  'application/json\t',
];

/** Content-Encoding values, each with a body encoded as it says (well-formed) or not. */
const ENCODINGS: readonly { readonly header: string; readonly wellFormed: (b: Buffer) => Buffer; readonly malformed?: (b: Buffer, n: number) => Buffer }[] = [
  { header: 'gzip', wellFormed: (b) => gzipSync(b), malformed: (b, n) => (n % 2 === 0 ? b : gzipSync(b).subarray(0, Math.max(1, n % 40))) },
  { header: 'GZIP', wellFormed: (b) => gzipSync(b), malformed: (b) => Buffer.concat([Buffer.from([0x1f, 0x8b]), b]) },
  { header: 'deflate', wellFormed: (b) => deflateSync(b), malformed: (b) => b },
  { header: 'br', wellFormed: (b) => brotliCompressSync(b), malformed: (b) => b },
  { header: 'identity', wellFormed: (b) => b },
  { header: 'x-unknown', wellFormed: (b) => b },
  { header: 'gzip, gzip', wellFormed: (b) => gzipSync(gzipSync(b)) },
  { header: '', wellFormed: (b) => b },
];

/**
 * A valid (or fuzzed) body under a wrong or odd Content-Type, with a Content-Encoding whose body
 * is encoded as it says (`malformed: false`) or is not (`malformed: true`: raw JSON declared
 * deflate, a truncated gzip stream).
 */
export function headerVariantArb(token: string, options: { malformedEncoding: boolean }): fc.Arbitrary<BadRequest> {
  const encodings = options.malformedEncoding ? ENCODINGS.filter((e) => e.malformed) : ENCODINGS;
  return fc
    .tuple(
      fc.oneof(fc.constant(VALID_BODY), pluginRequestArb),
      fc.constantFrom(...CONTENT_TYPES),
      options.malformedEncoding ? fc.constantFrom(...encodings) : fc.option(fc.constantFrom(...encodings), { nil: undefined }),
      fc.nat(),
    )
    .map(([text, type, encoding, n]) => {
      const raw = Buffer.from(text, 'utf8');
      const body = encoding === undefined ? raw : options.malformedEncoding && encoding.malformed ? encoding.malformed(raw, n) : encoding.wellFormed(raw);
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'user-agent': 'argocd-applicationset' };
      if (type !== undefined) headers['content-type'] = type;
      if (encoding !== undefined) headers['content-encoding'] = encoding.header;
      return new BadRequest(`headers ${type ?? '(no content-type)'} ${encoding?.header ?? ''}`, 'POST', GETPARAMS, headers, body);
    });
}

const AUTHORIZATIONS = (token: string): (string | undefined)[] => [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`,
  `Bearer ${token} extra`,
  `bearer ${token}`,
  `Bearer  ${token}  `,
  `Bearer ${token.slice(0, -1)}`,
  '$plugin.greenlight.token',
  'Bearer $greenlight-plugin:token',
  `Bearer ${'x'.repeat(8000)}`,
  `Bearer ${token}\u0000`,
];

const METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST'] as const;
const PATHS = [
  GETPARAMS,
  `${GETPARAMS}/`,
  `${GETPARAMS}?x=1`,
  `/${GETPARAMS}`,
  '/api/v1/GETPARAMS.execute',
  '/api/v1/getparams.execute%00',
  '/api/v1/getparams.execute/..%2f..%2fhealthz',
  '/api/v1/getparams',
  '/',
  '/api/v1/facts',
  `/api/v1/${'a'.repeat(3000)}`,
  '/%',
  '/api/v1/getparams.execute#x',
];

/** Wrong authorization, methods and paths, with good and bad bodies. */
export function requestLineArb(token: string): fc.Arbitrary<BadRequest> {
  return fc
    .tuple(fc.constantFrom(...METHODS), fc.constantFrom(...PATHS), fc.constantFrom(...AUTHORIZATIONS(token)), fc.oneof(fc.constant(VALID_BODY), pluginRequestArb))
    .map(([method, path, authorization, text]) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (authorization !== undefined) headers['authorization'] = authorization.replace(/\u0000/g, '');
      return new BadRequest('request-line', method, path, headers, Buffer.from(text, 'utf8'));
    });
}

export function bodyArb(token: string): fc.Arbitrary<BadRequest> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'argocd-applicationset' };
  return fc.oneof(
    { weight: 3, arbitrary: pluginRequestArb.map((text) => new BadRequest('plugin-request', 'POST', GETPARAMS, headers, Buffer.from(text, 'utf8'))) },
    { weight: 2, arbitrary: rawBodyArb.map(({ kind, body }) => new BadRequest(kind, 'POST', GETPARAMS, headers, body)) },
  );
}

// ---- the check ---------------------------------------------------------------------------

/** Why an answer breaks the rules (undefined when it keeps them). */
export function problemWith(answer: RawAnswer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 500)}`;
  if (answer.status >= 300 && answer.status < 400) return `redirect ${answer.status} (Argo CD drops the body on redirects)`;
  const type = String(answer.headers['content-type'] ?? '');
  if (!/^application\/json\b/.test(type)) return `status ${answer.status} with Content-Type "${type}", not JSON: ${answer.body.slice(0, 200)}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `status ${answer.status} with a body that is not JSON: ${answer.body.slice(0, 200)}`;
  }
  if (answer.status >= 400) {
    const e = body as { message?: unknown; code?: unknown };
    if (typeof e.message !== 'string' || e.message === '') return `error ${answer.status} without a message: ${answer.body.slice(0, 200)}`;
    if (typeof e.code !== 'string' || !/^GL_[A-Z_]+$/.test(e.code)) return `error ${answer.status} without a GL_ code: ${answer.body.slice(0, 200)}`;
    return undefined;
  }
  const sets = (body as { output?: { parameters?: unknown } }).output?.parameters;
  if (!Array.isArray(sets)) return `a ${answer.status} without output.parameters: ${answer.body.slice(0, 200)}`;
  for (const set of sets) {
    const parsed = parameterSetSchema.safeParse(set);
    if (!parsed.success) return `a ${answer.status} with a parameter set that breaks the schema: ${JSON.stringify(parsed.error.issues).slice(0, 300)}`;
  }
  return undefined;
}
