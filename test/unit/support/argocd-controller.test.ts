/**
 * Keeps the controller emulation honest: the cases of Argo CD's own tests listed in §6 of
 * reference/argocd-plugin-contract.md, and the encoding, decoding and number rules of §1.3,
 * §3.2-3.4, run against the emulation (plugin cases through a local HTTP server on 127.0.0.1).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkResponse,
  combineMatrixParams,
  conditionMessage,
  decodeServiceResponse,
  encodeGoJSON,
  encodeRequest,
  flattenForFasttemplate,
  formatGoFloat,
  interpolateParameters,
  paramsFor,
  parseSecretKey,
  pluginRequestTarget,
  rawRequest,
  renderFastTemplate,
  renderGoTemplate,
  resolveToken,
  sendRaw,
} from '../../support/argocd-controller.js';

describe('encodeRequest: Go json.Encoder with SetEscapeHTML(false) (§1.3)', () => {
  it('writes the wire example of §1.2 byte for byte, 86 bytes with the trailing newline', () => {
    const body = encodeRequest('myappset', { n: 3, branch: 'feature-1' });
    expect(body).toBe('{"applicationSetName":"myappset","input":{"parameters":{"branch":"feature-1","n":3}}}\n');
    expect(Buffer.byteLength(body)).toBe(86);
  });

  it('sorts keys recursively and keeps every JSON type (§1.3 example)', () => {
    const body = encodeRequest('myplugin', {
      map: { key3: 'value3', key1: 'value1', key2: 'value2' },
      list: ['list', 'of', 'values'],
      key2: 'value2',
      key1: 'value1',
      boolean: true,
    });
    expect(body).toBe(
      '{"applicationSetName":"myplugin","input":{"parameters":{"boolean":true,"key1":"value1","key2":"value2","list":["list","of","values"],"map":{"key1":"value1","key2":"value2","key3":"value3"}}}}\n',
    );
  });

  it('omits input.parameters when absent, null or empty (omitempty): "input":{}', () => {
    const expected = '{"applicationSetName":"myplugin","input":{}}\n';
    expect(encodeRequest('myplugin')).toBe(expected);
    expect(encodeRequest('myplugin', null)).toBe(expected);
    expect(encodeRequest('myplugin', {})).toBe(expected);
  });

  it('leaves <, > and & raw, unless asked for Go default HTML escaping', () => {
    expect(encodeRequest('a', { q: 'x<y>&z' })).toBe('{"applicationSetName":"a","input":{"parameters":{"q":"x<y>&z"}}}\n');
    expect(encodeRequest('a', { q: 'x<y>&z' }, { escapeHTML: true })).toBe(
      '{"applicationSetName":"a","input":{"parameters":{"q":"x\\u003cy\\u003e\\u0026z"}}}\n',
    );
  });

  it('escapes strings the way Go does: short escapes, \\u00XX, U+2028/2029, lone surrogates as U+FFFD', () => {
    expect(encodeGoJSON('q"\\\n\r\t\b\f\u0001\u001f\u007f')).toBe('"q\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\u007f"');
    expect(encodeGoJSON('a\u2028b\u2029c')).toBe('"a\\u2028b\\u2029c"');
    expect(encodeGoJSON('é😀')).toBe('"é😀"');
    expect(encodeGoJSON('x\ud800y')).toBe('"x\ufffdy"');
  });

  it('orders keys by UTF-8 bytes like sort.Strings, not by UTF-16 code units', () => {
    // U+FF01 is EF BC 81 in UTF-8, the emoji F0 9F 98 80: Go puts U+FF01 first, JS sort() would not.
    expect(encodeGoJSON({ '😀': 1, '！': 2, b: 3, a: 4 })).toBe('{"a":4,"b":3,"！":2,"😀":1}');
  });

  it('writes numbers as Go writes a float64', () => {
    expect(encodeGoJSON([3, 1.5, 1e6, 1e21, 1e-7, 0.000001, -0, 12345678901234567000])).toBe(
      '[3,1.5,1000000,1e+21,1e-7,0.000001,-0,12345678901234567000]',
    );
    expect(() => encodeGoJSON(Number.NaN)).toThrow('json: unsupported value: NaN');
  });
});

describe('rawRequest and the URL (§1.1, §1.2)', () => {
  it('writes the exact wire dump of §1.2', () => {
    const bytes = rawRequest({
      hostHeader: 'svc:4355',
      path: '/prefix/api/v1/getparams.execute',
      token: 'strong-password',
      body: encodeRequest('myappset', { branch: 'feature-1', n: 3 }),
    });
    expect(bytes.toString('utf8')).toBe(
      'POST /prefix/api/v1/getparams.execute HTTP/1.1\r\n' +
        'Host: svc:4355\r\n' +
        'User-Agent: argocd-applicationset\r\n' +
        'Content-Length: 86\r\n' +
        'Authorization: Bearer strong-password\r\n' +
        'Content-Type: application/json\r\n' +
        'Accept-Encoding: gzip\r\n' +
        '\r\n' +
        '{"applicationSetName":"myappset","input":{"parameters":{"branch":"feature-1","n":3}}}\n',
    );
  });

  it('sends no Authorization header when the resolved token is empty or absent', () => {
    for (const token of ['', undefined]) {
      const text = rawRequest({ hostHeader: 'h', path: '/api/v1/getparams.execute', token, body: '{}' }).toString();
      expect(text).not.toContain('Authorization');
      expect(text).toBe(
        'POST /api/v1/getparams.execute HTTP/1.1\r\nHost: h\r\nUser-Agent: argocd-applicationset\r\nContent-Length: 2\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n{}',
      );
    }
  });

  it('counts Content-Length in UTF-8 bytes', () => {
    const text = rawRequest({ hostHeader: 'h', path: '/p', body: encodeRequest('é') }).toString();
    expect(text).toContain(`Content-Length: ${Buffer.byteLength('{"applicationSetName":"é","input":{}}\n')}\r\n`);
  });

  it('builds the URL by string concatenation, as §1.1 describes', () => {
    expect(pluginRequestTarget('http://svc.ns.svc:4355')).toEqual({
      url: 'http://svc.ns.svc:4355/api/v1/getparams.execute',
      hostHeader: 'svc.ns.svc:4355',
      path: '/api/v1/getparams.execute',
    });
    expect(pluginRequestTarget('http://svc:4355/prefix/')).toMatchObject({ hostHeader: 'svc:4355', path: '/prefix/api/v1/getparams.execute' });
    expect(pluginRequestTarget('http://myplugin.plugin-ns.svc.cluster.local.')).toMatchObject({
      hostHeader: 'myplugin.plugin-ns.svc.cluster.local.',
      path: '/api/v1/getparams.execute',
    });
    // A query string swallows the path.
    expect(pluginRequestTarget('http://svc:4355?x=1')).toMatchObject({ hostHeader: 'svc:4355', path: '/?x=1/api/v1/getparams.execute' });
  });
});

describe('token resolution (§2.2, TestParseSecretKey)', () => {
  it('parses secret references like ParseSecretKey', () => {
    expect(parseSecretKey('#my-secret:my-token')).toEqual({ secretName: 'my-secret', key: '$my-token' });
    expect(parseSecretKey('#my-secret')).toEqual({ secretName: 'argocd-secret', key: '#my-secret' });
    expect(parseSecretKey('$plugin.myplugin.token')).toEqual({ secretName: 'argocd-secret', key: '$plugin.myplugin.token' });
    expect(parseSecretKey('$my-secret:plugin.myplugin.token')).toEqual({ secretName: 'my-secret', key: '$plugin.myplugin.token' });
    expect(parseSecretKey('$argocd-secret:tok:extra')).toEqual({ secretName: 'argocd-secret', key: '$tok' });
  });

  it('reads the key, trims it, and falls back to the literal key reference when it is missing', () => {
    const secrets = { 'argocd-secret': { 'plugin.myplugin.token': '  s3cret\n' }, 'my-secret': {} };
    expect(resolveToken('$plugin.myplugin.token', secrets)).toBe('s3cret');
    expect(resolveToken('$plugin.other.token', secrets)).toBe('$plugin.other.token');
    // For "$name:key" the literal the plugin receives is "$key", not the whole reference.
    expect(resolveToken('$my-secret:tok', secrets)).toBe('$tok');
    expect(resolveToken('$argocd-secret:plugin.myplugin.token', secrets)).toBe('s3cret');
  });

  it('rejects a reference that does not start with $', () => {
    expect(() => resolveToken('plain', {})).toThrow("token is empty, or does not reference a secret key starting with '$': plain");
  });
});

describe('checkResponse (§3.2, TestCheckResponse, TestClientDo)', () => {
  it('TestCheckResponse: the error field when there is no message', () => {
    expect(checkResponse(400, '{"error":"invalid_request","description":"Invalid token request"}')).toEqual({
      ok: false,
      error: 'API error with status code 400: invalid_request',
    });
  });

  it('TestClientDo/With Token: a 401 with an empty body', () => {
    expect(checkResponse(401, '')).toEqual({ ok: false, error: 'API error with status code 401: ' });
  });

  it('prefers a string message, then a string error, then "" for JSON, else the raw text', () => {
    expect(checkResponse(403, '{"message":"m","error":"e","code":"X"}')).toEqual({ ok: false, error: 'API error with status code 403: m' });
    expect(checkResponse(500, '{"message":5,"error":"e"}')).toEqual({ ok: false, error: 'API error with status code 500: e' });
    expect(checkResponse(502, '{"code":"GL_X"}')).toEqual({ ok: false, error: 'API error with status code 502: ' });
    expect(checkResponse(503, 'upstream connect error')).toEqual({ ok: false, error: 'API error with status code 503: upstream connect error' });
    expect(checkResponse(500, '["message"]')).toEqual({ ok: false, error: 'API error with status code 500: ["message"]' });
  });

  it('accepts any 2xx whatever the body, and nothing else', () => {
    expect(checkResponse(200, 'not json')).toEqual({ ok: true });
    expect(checkResponse(299, '')).toEqual({ ok: true });
    expect(checkResponse(300, '')).toEqual({ ok: false, error: 'API error with status code 300: ' });
    expect(checkResponse(199, '')).toEqual({ ok: false, error: 'API error with status code 199: ' });
  });
});

describe('decodeServiceResponse: Go encoding/json Decoder semantics (§3.3)', () => {
  it('decodes the wrapper; numbers are float64 (TestClientDo/Simple)', () => {
    expect(decodeServiceResponse('{"output":{"parameters":[{"key1":"val1","n":123,"f":1.5,"b":true,"z":null,"l":[1,"a"]}]}}')).toEqual({
      ok: true,
      parameters: [{ key1: 'val1', n: 123, f: 1.5, b: true, z: null, l: [1, 'a'] }],
    });
  });

  it('gives zero sets, no error, for an empty body, {}, a missing wrapper, null and []', () => {
    for (const body of ['', ' \n', '{}', 'null', '{"parameters":[{"a":"1"}]}', '{"input":{"parameters":[]}}', '{"output":null}', '{"output":{"parameters":null}}', '{"output":{"parameters":[]}}']) {
      expect(decodeServiceResponse(body), body).toEqual({ ok: true, parameters: [] });
    }
  });

  it('matches field names case-insensitively and ignores unknown fields', () => {
    expect(decodeServiceResponse('{"Output":{"PARAMETERS":[{"a":"1"}],"x":1},"other":[1]}')).toEqual({ ok: true, parameters: [{ a: '1' }] });
    // Go folds U+017F (long s) to S and U+212A (Kelvin) to K.
    expect(decodeServiceResponse('{"output":{"parameterſ":[{"a":"1"}]}}')).toEqual({ ok: true, parameters: [{ a: '1' }] });
  });

  it('reads only the first JSON value: trailing bytes are ignored', () => {
    expect(decodeServiceResponse('{"output":{"parameters":[{"a":"1"}]}}\n{"more": garbage')).toEqual({ ok: true, parameters: [{ a: '1' }] });
  });

  it('decodes duplicate keys in order, into the same struct, slice and maps, as Go does', () => {
    expect(decodeServiceResponse('{"output":{"parameters":[{"a":"1","a":"2"}]}}')).toEqual({ ok: true, parameters: [{ a: '2' }] });
    expect(decodeServiceResponse('{"output":{"parameters":[{"a":"1"}]},"output":{"parameters":[{"b":"2"}]}}')).toEqual({
      ok: true,
      parameters: [{ a: '1', b: '2' }],
    });
    expect(decodeServiceResponse('{"output":{"parameters":[{"a":"1"}]},"output":null}')).toEqual({ ok: true, parameters: [{ a: '1' }] });
    expect(decodeServiceResponse('{"output":{"parameters":[{"a":"1"}]},"output":{}}')).toEqual({ ok: true, parameters: [{ a: '1' }] });
    expect(decodeServiceResponse('{"output":{"parameters":[{"a":"1"}],"parameters":null}}')).toEqual({ ok: true, parameters: [] });
  });

  it('turns a null element into an empty set', () => {
    expect(decodeServiceResponse('{"output":{"parameters":[null,{"a":"1"}]}}')).toEqual({ ok: true, parameters: [{}, { a: '1' }] });
  });

  it('reports a non-object element, or an object for the array, with Go\'s message and the raw body', () => {
    const body1 = '{"output":{"parameters":[1]}}';
    expect(decodeServiceResponse(body1)).toEqual({
      ok: false,
      error: `json: cannot unmarshal number into Go struct field Output.output.parameters of type map[string]interface {}: ${body1}`,
    });
    const body2 = '{"output":{"parameters":{"a":"1"}}}';
    expect(decodeServiceResponse(body2)).toEqual({
      ok: false,
      error: `json: cannot unmarshal object into Go struct field Output.output.parameters of type []map[string]interface {}: ${body2}`,
    });
    expect(decodeServiceResponse('{"output":[]}')).toEqual({
      ok: false,
      error: 'json: cannot unmarshal array into Go struct field ServiceResponse.output of type plugin.Output: {"output":[]}',
    });
    expect(decodeServiceResponse('[{"a":"1"}]')).toEqual({
      ok: false,
      error: 'json: cannot unmarshal array into Go value of type plugin.ServiceResponse: [{"a":"1"}]',
    });
    expect(decodeServiceResponse('{"output":{"parameters":["x",{"a":"1"}]}}')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^json: cannot unmarshal string into Go struct field Output\.output\.parameters of type map\[string\]interface \{\}: /),
    });
  });

  it('reports syntax errors with Go scanner texts, before any type error', () => {
    const cases: [string, string][] = [
      ['wrong body ...', "invalid character 'w' looking for beginning of value"],
      ['{"output":{"parameters":[', 'unexpected EOF'],
      ['{"output":{"parameters":[{"a":1,}]}}', "invalid character '}' looking for beginning of object key string"],
      ['{"a" 1}', "invalid character '1' after object key"],
      ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
      ['[1 2]', "invalid character '2' after array element"],
      ['[1,]', "invalid character ']' looking for beginning of value"],
      ['{"a":"x\ny"}', "invalid character '\\n' in string literal"],
      ['{"a":"\\x"}', "invalid character 'x' in string escape code"],
      ['{"a":"\\u12g4"}', "invalid character 'g' in \\u hexadecimal character escape"],
      ['{"a":-x}', "invalid character 'x' in numeric literal"],
      ['{"a":1.}', "invalid character '}' after decimal point in numeric literal"],
      ['{"a":1e}', "invalid character '}' in exponent of numeric literal"],
      ['{"a":tru}', "invalid character '}' in literal true (expecting 'e')"],
      ['{"a":nul', 'unexpected EOF'],
      ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ];
    for (const [body, message] of cases) {
      expect(decodeServiceResponse(body), body).toEqual({ ok: false, error: `${message}: ${body}` });
    }
    // After a complete top-level value nothing more is scanned: this is a type error, not a syntax error.
    expect(decodeServiceResponse('[1,{"a":"x"}, [1] ]]')).toMatchObject({ ok: false, error: expect.stringMatching(/^json: cannot unmarshal array into Go value/) });
  });

  it('decodes strings like Go: escapes, surrogate pairs, U+FFFD for lone surrogates and invalid UTF-8', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"output":{"parameters":[{"s":"a\\u00e9\\ud83d\\ude00\\ud800x\\/\\t', 'utf8'),
      Buffer.from([0xff, 0xe2, 0x82]),
      Buffer.from('z"}]}}', 'utf8'),
    ]);
    expect(decodeServiceResponse(bytes)).toEqual({ ok: true, parameters: [{ s: 'aé😀\ufffdx/\t\ufffd\ufffd\ufffdz' }] });
  });

  it('keeps __proto__ as an ordinary key', () => {
    const result = decodeServiceResponse('{"output":{"parameters":[{"__proto__":"x"}]}}');
    expect(result.ok && Object.keys(result.parameters[0] ?? {})).toEqual(['__proto__']);
  });
});

describe('fasttemplate flattening and Go %v numbers (§3.4)', () => {
  it('formats float64 like %v', () => {
    const cases: [number, string][] = [
      [123, '123'],
      [1.5, '1.5'],
      [1000000, '1e+06'],
      [1234567, '1.234567e+06'],
      [100000, '100000'],
      [123456, '123456'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [-2.5, '-2.5'],
      [1e21, '1e+21'],
      [1e100, '1e+100'],
      [0, '0'],
      [-0, '-0'],
      [0.1, '0.1'],
      [255, '255'],
      [2 ** 53 + 2, '9.007199254740994e+15'],
    ];
    for (const [n, s] of cases) expect(formatGoFloat(n), String(n)).toBe(s);
  });

  it('flattens nested maps with dots, arrays by index; drops empty maps and arrays; stringifies leaves', () => {
    expect(
      flattenForFasttemplate({
        s: 'x',
        n: 1000000,
        b: true,
        z: null,
        m: { a: { b: 'c' }, e: {} },
        l: ['p', { q: 1.5 }],
        el: [],
      }),
    ).toEqual({ s: 'x', n: '1e+06', b: 'true', z: '<nil>', 'm.a.b': 'c', 'l.0': 'p', 'l.1.q': '1.5' });
  });
});

/** The plugin server of TestPluginGenerateParams: 401 unless the bearer token matches, then a fixed body. */
interface ServedCase {
  readonly body: string;
  readonly gzipChunked?: boolean;
}

describe('TestPluginGenerateParams, through the emulated controller and a local plugin (§6)', () => {
  const secretToken = 'strong-password';
  let server: Server;
  let port = 0;
  let served: ServedCase = { body: '' };
  const received: { rawHeaders: string[]; body: string; url: string; method: string }[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8'), url: req.url ?? '', method: req.method ?? '' });
        if (req.headers.authorization !== `Bearer ${secretToken}`) {
          res.writeHead(401).end();
          return;
        }
        if (served.gzipChunked) {
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Transfer-Encoding': 'chunked' });
          const zipped = gzipSync(served.body);
          res.write(zipped.subarray(0, 10));
          res.end(zipped.subarray(10));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(served.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** What the controller does for one plugin generator of ApplicationSet "set" in namespace "default". */
  async function generateParams(spec: {
    inputParameters?: Record<string, unknown>;
    values?: Record<string, string>;
    goTemplate: boolean;
    tokenRef?: string;
    secrets?: Record<string, Record<string, string>>;
  }): Promise<{ params: Record<string, unknown>[] } | { error: string }> {
    const token = resolveToken(spec.tokenRef ?? '$plugin.token', spec.secrets ?? { 'argocd-secret': { 'plugin.token': secretToken } });
    const target = pluginRequestTarget(`http://127.0.0.1:${port}`);
    const res = await sendRaw(port, rawRequest({ ...target, token, body: encodeRequest('set', spec.inputParameters) }));
    const checked = checkResponse(res.status, res.bodyText);
    if (!checked.ok) return { error: conditionMessage('set', checked.error) };
    const decoded = decodeServiceResponse(res.body);
    if (!decoded.ok) return { error: conditionMessage('set', decoded.error) };
    return {
      params: decoded.parameters.map((set) =>
        paramsFor(set, { goTemplate: spec.goTemplate, inputParameters: spec.inputParameters, values: spec.values }),
      ),
    };
  }

  const pluginBody = '{"output":{"parameters":[{"key1":"val1","key2":{"key2_1":"val2_1","key2_2":{"key2_2_1":"val2_2_1"}},"key3":123}]}}';
  const inputParameters = { pkey1: 'val1', pkey2: 'val2' };

  it('1. simple case: fasttemplate flattening, generator.input.parameters added', async () => {
    served = { body: pluginBody, gzipChunked: true };
    expect(await generateParams({ goTemplate: false, inputParameters })).toEqual({
      params: [
        {
          key1: 'val1',
          'key2.key2_1': 'val2_1',
          'key2.key2_2.key2_2_1': 'val2_2_1',
          key3: '123',
          generator: { input: { parameters: { pkey1: 'val1', pkey2: 'val2' } } },
        },
      ],
    });
    const request = received.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/api/v1/getparams.execute');
    expect(request?.body).toBe('{"applicationSetName":"set","input":{"parameters":{"pkey1":"val1","pkey2":"val2"}}}\n');
    expect(request?.rawHeaders.filter((_, i) => i % 2 === 0)).toEqual(['Host', 'User-Agent', 'Content-Length', 'Authorization', 'Content-Type', 'Accept-Encoding']);
  });

  it('2. simple case with values: values.<k> rendered against the plugin output', async () => {
    served = { body: pluginBody };
    expect(
      await generateParams({ goTemplate: false, inputParameters, values: { valuekey1: 'valuevalue1', valuekey2: 'templated-{{key1}}' } }),
    ).toEqual({
      params: [
        {
          key1: 'val1',
          'key2.key2_1': 'val2_1',
          'key2.key2_2.key2_2_1': 'val2_2_1',
          key3: '123',
          'values.valuekey1': 'valuevalue1',
          'values.valuekey2': 'templated-val1',
          generator: { input: { parameters: { pkey1: 'val1', pkey2: 'val2' } } },
        },
      ],
    });
  });

  it('3. simple case with gotemplate: nested maps kept, key3 stays a float64', async () => {
    served = { body: pluginBody };
    expect(await generateParams({ goTemplate: true, inputParameters })).toEqual({
      params: [
        {
          key1: 'val1',
          key2: { key2_1: 'val2_1', key2_2: { key2_2_1: 'val2_2_1' } },
          key3: 123,
          generator: { input: { parameters: { pkey1: 'val1', pkey2: 'val2' } } },
        },
      ],
    });
  });

  it('3b. gotemplate with values: params.values replaces the plugin\'s own values key', async () => {
    served = { body: '{"output":{"parameters":[{"key1":"val1","values":{"mine":"x"}}]}}' };
    expect(await generateParams({ goTemplate: true, inputParameters, values: { v: '{{ .key1 }}-x' } })).toEqual({
      params: [{ key1: 'val1', values: { v: 'val1-x' }, generator: { input: { parameters: inputParameters } } }],
    });
  });

  it('4. simple case with appended params: a plugin key named like an input key does not collide', async () => {
    served = { body: '{"output":{"parameters":[{"key1":"val1","pkey2":"valplugin"}]}}' };
    expect(await generateParams({ goTemplate: false, inputParameters })).toEqual({
      params: [{ key1: 'val1', pkey2: 'valplugin', generator: { input: { parameters: { pkey1: 'val1', pkey2: 'val2' } } } }],
    });
  });

  it('5. no params: "input":{} is sent and generator.input.parameters is empty', async () => {
    served = { body: pluginBody };
    const result = await generateParams({ goTemplate: false, inputParameters: {} });
    expect(received.at(-1)?.body).toBe('{"applicationSetName":"set","input":{}}\n');
    expect(result).toMatchObject({ params: [{ key1: 'val1', generator: { input: { parameters: {} } } }] });
  });

  it('6. empty return: a body without the output wrapper is zero sets and no error', async () => {
    served = { body: '{"input":{"parameters":[]}}' };
    expect(await generateParams({ goTemplate: false, inputParameters })).toEqual({ params: [] });
  });

  it('7. wrong return: the decode error with the raw body', async () => {
    served = { body: 'wrong body ...' };
    expect(await generateParams({ goTemplate: false, inputParameters })).toEqual({
      error: "error listing params: error get api 'set': invalid character 'w' looking for beginning of value: wrong body ...",
    });
  });

  it('8. external secret: $plugin-secret:plugin.token is read from Secret plugin-secret', async () => {
    served = { body: pluginBody };
    const result = await generateParams({
      goTemplate: false,
      inputParameters,
      tokenRef: '$plugin-secret:plugin.token',
      secrets: { 'plugin-secret': { 'plugin.token': secretToken } },
    });
    expect(result).toMatchObject({ params: [{ key1: 'val1' }] });
  });

  it('a missing key sends the literal reference, which the plugin answers with 401 (TestClientDo/With Token)', async () => {
    served = { body: pluginBody };
    const result = await generateParams({ goTemplate: false, inputParameters, secrets: { 'argocd-secret': {} } });
    expect(received.at(-1)?.rawHeaders).toContain('Bearer $plugin.token');
    expect(result).toEqual({ error: "error listing params: error get api 'set': API error with status code 401: " });
  });
});

describe('template renderers (§3.4, §3.5)', () => {
  const params = { a: { b: { c: 'deep' } }, n: 1000000, s: 'x', z: null, list: ['p', 'q'], 'my-key': 'dash', generator: { input: { parameters: { k: 'v' } } } };

  it('fasttemplate: exact keys after TrimSpace, strings only, unresolved tags kept', () => {
    const flat = { key1: 'val1', 'a.b': 'ab', generator: { input: { parameters: { x: 'y' } } } };
    expect(renderFastTemplate('{{key1}}/{{ a.b }}/{{\tkey1\n}}', flat)).toBe('val1/ab/val1');
    expect(renderFastTemplate('{{generator.input.parameters.x}} {{nope}} {{}}', flat)).toBe('{{generator.input.parameters.x}} {{nope}} {{}}');
    expect(renderFastTemplate('a {{key1', flat)).toBe('a {{key1');
    expect(() => renderFastTemplate('{{nope}}', flat, { allowUnresolved: false })).toThrow('{{nope}}');
  });

  it('goTemplate: field chains, index, Go %v printing, trim markers', () => {
    expect(renderGoTemplate('{{ .a.b.c }}|{{.s}}|{{ .n }}|{{ index . "my-key" }}|{{ index .list 1 }}|{{ index .a "b" "c" }}', params)).toBe(
      'deep|x|1e+06|dash|q|deep',
    );
    expect(renderGoTemplate('a  {{- .s -}}  b', params)).toBe('axb');
    expect(renderGoTemplate('{{ .a.b }}', params)).toBe('map[c:deep]');
    expect(renderGoTemplate('{{ .z }}', params)).toBe('<no value>');
  });

  it('goTemplate with missingkey=error fails like Go (golang/go#60008)', () => {
    expect(() => renderGoTemplate('{{ .Foobar }}', {})).toThrow('template: :1:3: executing "" at <.Foobar>: map has no entry for key "Foobar"');
    expect(() => renderGoTemplate('x\n  {{.a.b.nope}}', params)).toThrow('template: :2:4: executing "" at <.a.b.nope>: map has no entry for key "nope"');
    expect(() => renderGoTemplate('{{ .z.y }}', params)).toThrow('nil pointer evaluating interface {}.y');
    expect(() => renderGoTemplate('{{ .s.y }}', params)).toThrow("can't evaluate field y in type interface {}");
    // index ignores missingkey; out-of-range and nil are errors.
    expect(renderGoTemplate('{{ index .a "nope" }}', params)).toBe('<no value>');
    expect(() => renderGoTemplate('{{ index .list 5 }}', params)).toThrow('error calling index: index out of range: 5');
    expect(() => renderGoTemplate('{{ index .z "k" }}', params)).toThrow('error calling index: index of untyped nil');
  });

  it('goTemplate with Go\'s default missingkey prints <no value>', () => {
    expect(renderGoTemplate('{{ .nope }}/{{ .nope.deeper }}', params, { missingKey: 'default' })).toBe('<no value>/<no value>');
  });

  it('goTemplate refuses what it does not implement rather than guessing', () => {
    expect(() => renderGoTemplate('{{ .s | upper }}', params)).toThrow('renderGoTemplate supports only');
    expect(() => renderGoTemplate('{{ if .s }}x{{ end }}', params)).toThrow('renderGoTemplate supports only');
    expect(() => renderGoTemplate('{{ .s ', params)).toThrow('unclosed action');
  });
});

describe('matrix helpers (§5.2)', () => {
  it('renders string leaves and keys of the nested plugin input; [[ ]] is left alone', () => {
    const spec = { cluster: '{{.name}}', vars: { host: 'web.[[ingress.clusterDomain]]' }, n: 3, '{{.name}}-key': true };
    expect(interpolateParameters(spec, { name: 'prod-eu-green' }, { goTemplate: true, goTemplateOptions: ['missingkey=error'] })).toEqual({
      cluster: 'prod-eu-green',
      vars: { host: 'web.[[ingress.clusterDomain]]' },
      n: 3,
      'prod-eu-green-key': true,
    });
    expect(interpolateParameters({ cluster: '{{name}}', other: '{{unknown}}' }, { name: 'c1' }, { goTemplate: false })).toEqual({
      cluster: 'c1',
      other: '{{unknown}}',
    });
  });

  it('goTemplate: deep merge where the first child wins; fasttemplate: duplicate keys with different values fail', () => {
    expect(combineMatrixParams({ name: 'a', m: { x: '1' }, e: '' }, { name: 'b', m: { x: '2', y: '3' }, e: 'filled', p: 'q' }, true)).toEqual({
      name: 'a',
      m: { x: '1', y: '3' },
      e: 'filled',
      p: 'q',
    });
    expect(combineMatrixParams({ name: 'a' }, { name: 'a', k: 'v' }, false)).toEqual({ name: 'a', k: 'v' });
    expect(() => combineMatrixParams({ name: 'a' }, { name: 'b' }, false)).toThrow('found duplicate key name with different value');
  });
});
