/**
 * @module An emulation of Argo CD's ApplicationSet controller's side of the plugin generator
 * contract, written from `reference/argocd-plugin-contract.md` (no Argo CD code is copied). It
 * builds the exact request bytes the controller sends and reads answers the way the controller
 * does, so that tests can prove greenlight fits the controller byte for byte.
 *
 * Section numbers (§) refer to that reference.
 */
import { connect, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { PATIENCE_MS } from './patience.js';

/** A JSON value as the controller holds it (numbers are Go float64). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The fixed path the controller appends to the ConfigMap's `baseUrl` (§1.1). */
export const GETPARAMS_SUFFIX = 'api/v1/getparams.execute';

// ---------------------------------------------------------------------------------------------
// Go encoding/json, encoder side (§1.3)
// ---------------------------------------------------------------------------------------------

export interface GoEncodeOptions {
  /**
   * Escape `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026` (Go's default). The controller's
   * encoder turns this off (§1.3), so the default here is `false`. Pass `true` to produce the
   * form a value has when another Go encoder with default settings wrote it first (for example
   * raw `input.parameters` bytes stored by the API server): a server must accept both.
   */
  readonly escapeHTML?: boolean;
}

const hex4 = (code: number) => code.toString(16).padStart(4, '0');

/** Go's `encodeState.string`: short escapes for `\b \f \n \r \t` (Go ≥ 1.22), U+2028/2029 always escaped. */
function goQuote(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20) {
      const short: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };
      out += short[c] ?? `\\u${hex4(c)}`;
    } else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) out += `\\u${hex4(c)}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${hex4(c)}`;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s.slice(i, i + 2);
        i++;
      } else out += '\ufffd'; // Go strings hold UTF-8; a lone surrogate cannot survive decoding.
    } else if (c >= 0xdc00 && c <= 0xdfff) out += '\ufffd';
    else out += s[i];
  }
  return `${out}"`;
}

/** Go sorts map keys by their UTF-8 bytes (`sort.Strings`), not by UTF-16 code units. */
function goKeyOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Go's float64 encoding: `'f'` format for 1e-6 ≤ |x| < 1e21, else `'e'` with a trimmed exponent. */
function goNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${n}`);
  if (Object.is(n, -0)) return '-0';
  // JavaScript switches to exponent notation at the same bounds and writes "1e-7"/"1e+21" as Go does.
  return String(n);
}

/**
 * Encodes a value exactly as Go's `json.Encoder` writes a `map[string]any` tree: keys sorted
 * recursively, no insignificant whitespace, HTML escaping per `options` (§1.3). No trailing newline.
 */
export function encodeGoJSON(value: unknown, options: GoEncodeOptions = {}): string {
  const escapeHTML = options.escapeHTML ?? false;
  const enc = (v: unknown): string => {
    if (v === null) return 'null';
    if (typeof v === 'string') return goQuote(v, escapeHTML);
    if (typeof v === 'number') return goNumber(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (Array.isArray(v)) return `[${v.map(enc).join(',')}]`;
    if (typeof v === 'object') {
      const keys = Object.keys(v).sort(goKeyOrder);
      return `{${keys.map((k) => `${goQuote(k, escapeHTML)}:${enc((v as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    throw new Error(`cannot encode a ${typeof v} as JSON`);
  };
  return enc(value);
}

/**
 * The body the controller sends (§1.3): Go's `ServiceRequest` through `json.NewEncoder` with
 * `SetEscapeHTML(false)`, keys sorted recursively, a trailing `"\n"`, and `input.parameters`
 * omitted (`omitempty`) when absent, null or empty, giving `"input":{}`.
 *
 * Numbers are written the way Go writes a float64, which is the stored form for integers below
 * 2^53 and for ordinary decimals.
 *
 * @example encodeRequest('myplugin') === '{"applicationSetName":"myplugin","input":{}}\n'
 */
export function encodeRequest(
  applicationSetName: string,
  parameters?: Readonly<Record<string, unknown>> | null,
  options: GoEncodeOptions = {},
): string {
  const hasParameters = parameters !== undefined && parameters !== null && Object.keys(parameters).length > 0;
  const name = goQuote(applicationSetName, options.escapeHTML ?? false);
  const input = hasParameters ? `{"parameters":${encodeGoJSON(parameters, options)}}` : '{}';
  return `{"applicationSetName":${name},"input":${input}}\n`;
}

// ---------------------------------------------------------------------------------------------
// The HTTP request (§1.1, §1.2)
// ---------------------------------------------------------------------------------------------

/**
 * Where the controller sends its request for a ConfigMap `baseUrl` (§1.1): a `/` is appended
 * unless present, then `api/v1/getparams.execute`, by plain string concatenation (so a query
 * string in `baseUrl` swallows the path). Returns the Host header (the authority as written,
 * trailing dot included) and the request target.
 */
export function pluginRequestTarget(baseUrl: string): { url: string; hostHeader: string; path: string } {
  const url = `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${GETPARAMS_SUFFIX}`;
  const m = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (!m) throw new Error(`not an http(s) URL: ${url}`);
  const authority = (m[1] ?? '').replace(/^.*@/, '');
  const rest = m[2] ?? '';
  return { url, hostHeader: authority, path: rest.startsWith('/') ? rest : `/${rest}` };
}

export interface RawRequestOptions {
  /** `Host` header value: the authority of `baseUrl` as written (§1.1). */
  readonly hostHeader: string;
  /** Request target, e.g. `/api/v1/getparams.execute`. */
  readonly path: string;
  /** The resolved token (§2.2). No `Authorization` header when undefined or empty. */
  readonly token?: string | undefined;
  /** The body, usually from {@link encodeRequest}. */
  readonly body: string | Uint8Array;
}

/**
 * The exact bytes of the controller's request (§1.2): `POST`, HTTP/1.1, headers in Go's wire
 * order (Host, User-Agent, Content-Length, Authorization only with a non-empty token,
 * Content-Type, Accept-Encoding: gzip) and nothing else.
 */
export function rawRequest(options: RawRequestOptions): Buffer {
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : Buffer.from(options.body);
  const lines = [
    `POST ${options.path} HTTP/1.1`,
    `Host: ${options.hostHeader}`,
    'User-Agent: argocd-applicationset',
    `Content-Length: ${body.length}`,
  ];
  if (options.token !== undefined && options.token !== '') lines.push(`Authorization: Bearer ${options.token}`);
  lines.push('Content-Type: application/json', 'Accept-Encoding: gzip');
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), body]);
}

// ---------------------------------------------------------------------------------------------
// Token resolution (§2.2)
// ---------------------------------------------------------------------------------------------

/** Argo CD's `ParseSecretKey` (§2.2, `TestParseSecretKey` in §6): the first character is dropped, whatever it is. */
export function parseSecretKey(ref: string): { secretName: string; key: string } {
  if (ref.includes(':')) {
    const parts = ref.split(':');
    return { secretName: (parts[0] ?? '').slice(1), key: `$${parts[1] ?? ''}` };
  }
  return { secretName: 'argocd-secret', key: ref };
}

/**
 * The token the controller puts in `Authorization` for a ConfigMap `token` reference (§2.2),
 * given the Secrets of the Argo CD namespace (`name → key → value`). A missing key yields the
 * literal key reference (e.g. `$plugin.greenlight.token`, or `$tok` for `$my-secret:tok`).
 */
export function resolveToken(tokenRef: string, secrets: Readonly<Record<string, Readonly<Record<string, string>>>>): string {
  if (tokenRef === '' || !tokenRef.startsWith('$')) {
    throw new Error(`token is empty, or does not reference a secret key starting with '$': ${tokenRef}`);
  }
  const { secretName, key } = parseSecretKey(tokenRef);
  const secret = secrets[secretName];
  if (!secret) throw new Error(`error fetching secret ${secretName}: secrets "${secretName}" not found`);
  if (!key.startsWith('$')) return key;
  const value = Object.hasOwn(secret, key.slice(1)) ? secret[key.slice(1)] : undefined;
  return value === undefined ? key : value.trim();
}

// ---------------------------------------------------------------------------------------------
// Sending bytes and reading an HTTP/1.1 response
// ---------------------------------------------------------------------------------------------

/** An HTTP/1.1 response as read off the socket. Header names are lower-cased; repeats are joined with ", ". */
export interface RawResponse {
  readonly httpVersion: string;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Headers in wire order, names as sent. */
  readonly rawHeaders: readonly (readonly [string, string])[];
  /** The body after de-chunking and gunzip (Go decompresses transparently, §1.2). */
  readonly body: Buffer;
  readonly bodyText: string;
}

class Incomplete extends Error {}

function parseResponse(buf: Buffer, ended: boolean): { response: RawResponse; rest: Buffer } {
  const need = (what: string): never => {
    if (ended) throw new Error(`the connection closed before ${what} was complete`);
    throw new Incomplete();
  };
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return need('the response head');
  const [statusLine = '', ...headerLines] = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(statusLine.slice(0, 100))}`);
  const status = Number(m[2]);
  const rawHeaders: [string, string][] = [];
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    rawHeaders.push([name, value]);
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  let rest = buf.subarray(headEnd + 4);
  if (status >= 100 && status < 200) return parseResponse(rest, ended); // informational: the real one follows

  let body: Buffer;
  if (status === 204 || status === 304) body = Buffer.alloc(0);
  else if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
    const parts: Buffer[] = [];
    let off = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', off);
      if (lineEnd < 0) return need('the chunked body');
      const size = Number.parseInt(rest.subarray(off, lineEnd).toString('latin1').split(';')[0]?.trim() ?? '', 16);
      if (Number.isNaN(size)) throw new Error('malformed chunk size');
      off = lineEnd + 2;
      if (size === 0) {
        for (;;) {
          const trailerEnd = rest.indexOf('\r\n', off);
          if (trailerEnd < 0) return need('the chunked body');
          const empty = trailerEnd === off;
          off = trailerEnd + 2;
          if (empty) break;
        }
        break;
      }
      if (rest.length < off + size + 2) return need('the chunked body');
      parts.push(rest.subarray(off, off + size));
      off += size + 2;
    }
    body = Buffer.concat(parts);
    rest = rest.subarray(off);
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (!Number.isInteger(length) || length < 0) throw new Error(`bad Content-Length ${headers['content-length']}`);
    if (rest.length < length) return need('the body');
    body = rest.subarray(0, length);
    rest = rest.subarray(length);
  } else {
    if (!ended) throw new Incomplete(); // delimited by the connection closing
    body = rest;
    rest = Buffer.alloc(0);
  }
  if (/\bgzip\b/i.test(headers['content-encoding'] ?? '')) body = gunzipSync(body);
  const response: RawResponse = {
    httpVersion: m[1] ?? '',
    status,
    statusText: m[3] ?? '',
    headers,
    rawHeaders,
    body: Buffer.from(body),
    bodyText: body.toString('utf8'),
  };
  return { response, rest: Buffer.from(rest) };
}

/** One keep-alive connection, used the way Go's pooled transport reuses it: one request at a time. */
export interface RawConnection {
  /** Writes `bytes` and resolves with the next response on this connection. */
  send(bytes: Uint8Array, timeoutMs?: number): Promise<RawResponse>;
  /** Writes `bytes` without waiting for anything: the first part of a request still being sent. */
  write(bytes: Uint8Array): void;
  /** Whether the peer has closed the connection. */
  readonly closed: boolean;
  close(): void;
}

/** Opens a TCP connection to `127.0.0.1:port` for {@link RawConnection.send}. */
export function openConnection(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolveOpen, rejectOpen) => {
    const socket: Socket = connect({ port, host });
    let buffer: Buffer = Buffer.alloc(0);
    let ended = false;
    type Pending = { resolve: (r: RawResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };
    let pending: Pending | undefined;
    const take = (): Pending | undefined => {
      const p = pending;
      pending = undefined;
      if (p) clearTimeout(p.timer);
      return p;
    };

    const settle = () => {
      if (!pending) return;
      let parsed: { response: RawResponse; rest: Buffer };
      try {
        parsed = parseResponse(buffer, ended);
      } catch (err) {
        if (!(err instanceof Incomplete)) take()?.reject(err as Error);
        return;
      }
      buffer = parsed.rest;
      take()?.resolve(parsed.response);
    };
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      settle();
    });
    socket.on('end', () => {
      ended = true;
      settle();
    });
    socket.on('close', () => {
      ended = true;
      settle();
    });
    socket.on('error', (err) => {
      // A reset after the whole response arrived (the server closing early) is not a failure.
      ended = true;
      settle();
      take()?.reject(new Error(`connection to ${host}:${port} failed: ${err.message}`));
      rejectOpen(err);
    });
    socket.once('connect', () => {
      resolveOpen({
        get closed() {
          return ended || socket.destroyed;
        },
        send(bytes, timeoutMs = PATIENCE_MS) {
          if (pending) return Promise.reject(new Error('a request is already in flight on this connection'));
          if (ended || socket.destroyed) return Promise.reject(new Error('the connection is closed'));
          return new Promise<RawResponse>((resolve, reject) => {
            const timer = setTimeout(() => {
              take();
              socket.destroy();
              reject(new Error(`no complete response from ${host}:${port} within ${timeoutMs} ms (got ${buffer.length} bytes)`));
            }, timeoutMs);
            pending = { resolve, reject, timer };
            socket.write(bytes);
            settle(); // bytes may already be buffered (pipelined)
          });
        },
        write(bytes) {
          socket.write(bytes);
        },
        close() {
          socket.destroy();
        },
      });
    });
  });
}

/**
 * Writes `bytes` on a fresh connection to `127.0.0.1:port`, reads one HTTP/1.1 response
 * (Content-Length, chunked, or close-delimited; gunzipped when `Content-Encoding: gzip`), then
 * closes the connection.
 */
export async function sendRaw(port: number, bytes: Uint8Array, timeoutMs = PATIENCE_MS): Promise<RawResponse> {
  const conn = await openConnection(port);
  try {
    return await conn.send(bytes, timeoutMs);
  } finally {
    conn.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the answer (§3.2, §3.3, §3.6)
// ---------------------------------------------------------------------------------------------

export type CheckResult = { ok: true } | { ok: false; error: string };

/**
 * The controller's status check (§3.2): 200-299 is success whatever the Content-Type. Otherwise
 * `API error with status code N: <msg>`, where `<msg>` is the JSON body's `message` if it is a
 * string, else its `error` if a string, else `""` for a JSON object without them, else the raw
 * body text (not JSON, or JSON that is not an object).
 */
export function checkResponse(status: number, bodyText: string): CheckResult {
  if (status >= 200 && status <= 299) return { ok: true };
  let message = bodyText;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    // Go unmarshals into a map: only an object (or null) gets this far.
    if (parsed === null || (typeof parsed === 'object' && !Array.isArray(parsed))) {
      const fields = (parsed ?? {}) as Record<string, unknown>;
      message = typeof fields['message'] === 'string' ? fields['message'] : typeof fields['error'] === 'string' ? fields['error'] : '';
    }
  } catch {
    // not JSON: the raw text
  }
  return { ok: false, error: `API error with status code ${status}: ${message}` };
}

/** How an error from the plugin call reads in the ApplicationSet's conditions for a top-level plugin generator (§3.6). */
export function conditionMessage(applicationSetName: string, error: string): string {
  return `error listing params: error get api '${applicationSetName}': ${error}`;
}

/** A parameter set as the controller decoded it: `map[string]any`. */
export type DecodedSet = Record<string, unknown>;
export type DecodeResult = { ok: true; parameters: DecodedSet[] } | { ok: false; error: string };

type Node =
  | { t: 'obj'; entries: [string, Node][] }
  | { t: 'arr'; items: Node[] }
  | { t: 'str'; v: string }
  | { t: 'num'; lit: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' };

class GoJsonError extends Error {}

/** Go's `quoteChar` for a byte in a syntax error. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' };
  if (named[c] !== undefined) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  // strconv.Quote of the rune U+00XX: C1 controls, NBSP and the soft hyphen are not printable.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u${hex4(c)}'`;
  return `'${String.fromCharCode(c)}'`;
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));

/** Decodes UTF-8 the way Go does: each invalid byte becomes one U+FFFD. */
function goUtf8(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    const len = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0;
    let cp = len === 2 ? b0 & 0x1f : len === 3 ? b0 & 0x0f : b0 & 0x07;
    let ok = len > 0 && i + len <= bytes.length;
    for (let k = 1; ok && k < len; k++) {
      const b = bytes[i + k] as number;
      if ((b & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (b & 0x3f);
    }
    if (ok && ((len === 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len === 4 && (cp < 0x10000 || cp > 0x10ffff)))) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += len;
    } else {
      out += '\ufffd';
      i++;
    }
  }
  return out;
}

/**
 * Reads the first JSON value of `b` with Go's scanner rules and error texts. Returns undefined
 * for an empty (whitespace-only) input, which Go's Decoder reports as `EOF`.
 */
function parseFirstValue(b: Uint8Array): Node | undefined {
  let i = 0;
  const err = (context: string): never => {
    if (i >= b.length) throw new GoJsonError('unexpected EOF');
    throw new GoJsonError(`invalid character ${quoteChar(b[i] as number)} ${context}`);
  };
  const skipSpace = () => {
    while (isSpace(b[i])) i++;
  };
  const literal = (word: string): void => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (b[i] !== word.charCodeAt(k)) err(`in literal ${word} (expecting '${word[k]}')`);
    }
    i++;
  };
  const string = (): string => {
    i++; // opening quote
    let raw: number[] = [];
    let out = '';
    const flushRaw = () => {
      if (raw.length > 0) out += goUtf8(Uint8Array.from(raw));
      raw = [];
    };
    const u4 = (): number => {
      let v = 0;
      for (let k = 0; k < 4; k++) {
        if (!isHex(b[i])) err('in \\u hexadecimal character escape');
        v = v * 16 + Number.parseInt(String.fromCharCode(b[i] as number), 16);
        i++;
      }
      return v;
    };
    for (;;) {
      const c = b[i];
      if (c === undefined) return err('');
      if (c === 0x22) break;
      if (c < 0x20) err('in string literal');
      if (c !== 0x5c) {
        raw.push(c);
        i++;
        continue;
      }
      i++; // backslash
      const e = b[i];
      const simple: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };
      flushRaw();
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        i++;
      } else if (e === 0x75) {
        i++;
        const unit = u4();
        if (unit < 0xd800 || unit > 0xdfff) out += String.fromCharCode(unit);
        else {
          // A valid surrogate pair is consumed whole; anything else is U+FFFD (Go's unquote).
          let paired = false;
          if (unit <= 0xdbff && b[i] === 0x5c && b[i + 1] === 0x75) {
            const save = i;
            i += 2;
            const low = u4();
            if (low >= 0xdc00 && low <= 0xdfff) {
              out += String.fromCharCode(unit, low);
              paired = true;
            } else i = save;
          }
          if (!paired) out += '\ufffd';
        }
      } else err('in string escape code');
    }
    flushRaw();
    i++; // closing quote
    return out;
  };
  const number = (): string => {
    const start = i;
    if (b[i] === 0x2d) {
      i++;
      if (!isDigit(b[i])) err('in numeric literal');
    }
    if (b[i] === 0x30) i++;
    else while (isDigit(b[i])) i++;
    if (b[i] === 0x2e) {
      i++;
      if (!isDigit(b[i])) err('after decimal point in numeric literal');
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!isDigit(b[i])) err('in exponent of numeric literal');
      while (isDigit(b[i])) i++;
    }
    return Buffer.from(b.subarray(start, i)).toString('latin1');
  };
  const value = (): Node => {
    skipSpace();
    const c = b[i];
    if (c === 0x7b) {
      i++;
      const entries: [string, Node][] = [];
      skipSpace();
      if (b[i] === 0x7d) {
        i++;
        return { t: 'obj', entries };
      }
      for (;;) {
        skipSpace();
        if (b[i] !== 0x22) err('looking for beginning of object key string');
        const key = string();
        skipSpace();
        if (b[i] !== 0x3a) err('after object key');
        i++;
        entries.push([key, value()]);
        skipSpace();
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x7d) {
          i++;
          return { t: 'obj', entries };
        }
        err('after object key:value pair');
      }
    }
    if (c === 0x5b) {
      i++;
      const items: Node[] = [];
      skipSpace();
      if (b[i] === 0x5d) {
        i++;
        return { t: 'arr', items };
      }
      for (;;) {
        items.push(value());
        skipSpace();
        if (b[i] === 0x2c) {
          i++;
          continue;
        }
        if (b[i] === 0x5d) {
          i++;
          return { t: 'arr', items };
        }
        err('after array element');
      }
    }
    if (c === 0x22) return { t: 'str', v: string() };
    if (c === 0x2d || isDigit(c)) return { t: 'num', lit: number() };
    if (c === 0x74) {
      literal('true');
      return { t: 'bool', v: true };
    }
    if (c === 0x66) {
      literal('false');
      return { t: 'bool', v: false };
    }
    if (c === 0x6e) {
      literal('null');
      return { t: 'null' };
    }
    return err('looking for beginning of value');
  };
  skipSpace();
  if (i >= b.length) return undefined;
  // Go's Decoder reads one value; whatever follows it is never looked at.
  return value();
}

const kindOf = (n: Node): string =>
  n.t === 'obj' ? 'object' : n.t === 'arr' ? 'array' : n.t === 'str' ? 'string' : n.t === 'num' ? 'number' : n.t === 'bool' ? 'bool' : 'null';

/** Go's `foldName`: ASCII upper-cased, other runes through ToUpper(ToLower(r)). */
function foldName(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch.charCodeAt(0) < 0x80) out += ch.toUpperCase();
    else {
      const folded = ch.toLowerCase().toUpperCase();
      out += [...folded].length === 1 ? folded : ch;
    }
  }
  return out;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The controller's decoding of a 2xx body into `ServiceResponse{Output{Parameters []map[string]any}}`
 * with Go's `json.NewDecoder(...).Decode` (§3.3):
 * - only the first JSON value is read; trailing bytes are ignored; an empty body is zero sets;
 * - field names match case-insensitively; unknown fields are ignored; with duplicate keys the
 *   later one is decoded last (into the same struct, slice and maps, as Go does);
 * - `null`, a missing `output` or `parameters`, `{}` and `[]` all give zero sets, no error;
 * - a `null` element is an empty set; numbers are float64;
 * - a syntax error, or a non-object element, is an error `<Go json error>: <raw body>`.
 */
export function decodeServiceResponse(body: string | Uint8Array): DecodeResult {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const bodyText = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  let root: Node | undefined;
  try {
    root = parseFirstValue(bytes);
  } catch (e) {
    if (e instanceof GoJsonError) return { ok: false, error: `${e.message}: ${bodyText}` };
    throw e;
  }
  if (root === undefined) return { ok: true, parameters: [] };

  let firstError: string | undefined;
  const typeError = (value: string, type: string, context?: string) => {
    firstError ??= context
      ? `json: cannot unmarshal ${value} into Go struct field ${context} of type ${type}`
      : `json: cannot unmarshal ${value} into Go value of type ${type}`;
  };
  const PARAMS_CONTEXT = 'Output.output.parameters';

  const toAny = (n: Node): unknown => {
    switch (n.t) {
      case 'str':
        return n.v;
      case 'bool':
        return n.v;
      case 'null':
        return null;
      case 'num': {
        const f = Number(n.lit);
        if (!Number.isFinite(f)) {
          typeError(`number ${n.lit}`, 'float64', PARAMS_CONTEXT);
          return null;
        }
        return f;
      }
      case 'arr':
        return n.items.map(toAny);
      case 'obj': {
        const o: Record<string, unknown> = {};
        for (const [k, v] of n.entries) setOwn(o, k, toAny(v));
        return o;
      }
    }
  };

  // Go's slice: elements between len and cap survive truncation and are decoded into again.
  let backing: (DecodedSet | null)[] = [];
  let length = 0;
  const decodeParameters = (n: Node) => {
    if (n.t === 'null') {
      backing = [];
      length = 0;
    } else if (n.t === 'arr') {
      n.items.forEach((item, i) => {
        if (i >= backing.length) backing.push(null);
        const existing = backing[i] ?? null;
        if (item.t === 'null') backing[i] = null;
        else if (item.t === 'obj') {
          const map = existing ?? {};
          for (const [k, v] of item.entries) setOwn(map, k, toAny(v));
          backing[i] = map;
        } else typeError(kindOf(item), 'map[string]interface {}', PARAMS_CONTEXT);
      });
      length = n.items.length;
      if (length === 0) backing = [];
    } else typeError(kindOf(n), '[]map[string]interface {}', PARAMS_CONTEXT);
  };
  const decodeOutput = (n: Node) => {
    if (n.t === 'null') return; // null into a struct does nothing
    if (n.t !== 'obj') return typeError(kindOf(n), 'plugin.Output', 'ServiceResponse.output');
    for (const [k, v] of n.entries) if (k === 'parameters' || foldName(k) === 'PARAMETERS') decodeParameters(v);
  };
  if (root.t === 'obj') {
    for (const [k, v] of root.entries) if (k === 'output' || foldName(k) === 'OUTPUT') decodeOutput(v);
  } else if (root.t !== 'null') typeError(kindOf(root), 'plugin.ServiceResponse');

  if (firstError !== undefined) return { ok: false, error: `${firstError}: ${bodyText}` };
  return { ok: true, parameters: backing.slice(0, length).map((m) => m ?? {}) };
}

// ---------------------------------------------------------------------------------------------
// From a decoded set to template parameters (§3.4)
// ---------------------------------------------------------------------------------------------

/**
 * Go's `%v` for a float64 (`strconv.FormatFloat(x, 'g', -1, 64)` with the shortest-digits rule
 * that switches to an exponent at 1e+06 or below 1e-04): 123 → "123", 1.5 → "1.5",
 * 1000000 → "1e+06", 1234567 → "1.234567e+06", 0.00001 → "1e-05" (§3.4).
 */
export function formatGoFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Go's `fmt.Sprintf("%v", v)` for values decoded from JSON (maps print with sorted keys). */
export function formatGoValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatGoFloat(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(formatGoValue).join(' ')}]`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort(goKeyOrder);
    return `map[${keys.map((k) => `${k}:${formatGoValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

/**
 * fasttemplate mode's flattening (§3.4, `jeremywohl/flatten` dot style, then `%v`): nested keys
 * become `a.b.c`, array items `a.0`, empty maps and arrays vanish, `null` → `"<nil>"`,
 * booleans → `"true"`/`"false"`, numbers as {@link formatGoFloat}.
 */
export function flattenForFasttemplate(set: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  const assign = (key: string, v: unknown) => {
    if (isMap(v)) for (const k of Object.keys(v)) assign(`${key}.${k}`, v[k]);
    else if (Array.isArray(v)) v.forEach((item, i) => assign(`${key}.${i}`, item));
    else setOwn(out, key, formatGoValue(v));
  };
  for (const k of Object.keys(set)) {
    const v = set[k];
    if (isMap(v) || Array.isArray(v)) assign(k, v);
    else setOwn(out, k, formatGoValue(v));
  }
  return out;
}

export interface ParamsForOptions {
  /** `spec.goTemplate` of the ApplicationSet. */
  readonly goTemplate: boolean;
  /** `spec.generators[].plugin.input.parameters` as written in the spec (rendered, inside a matrix). */
  readonly inputParameters?: Readonly<Record<string, unknown>> | undefined;
  /** `spec.generators[].plugin.values` (never sent to the plugin). */
  readonly values?: Readonly<Record<string, string>> | undefined;
  /** `spec.goTemplateOptions`; `missingkey=error` is what Argo CD's docs recommend. */
  readonly goTemplateOptions?: readonly string[];
}

/**
 * The parameters the controller derives from one decoded set (§3.4):
 * 1. goTemplate: a shallow copy; fasttemplate: {@link flattenForFasttemplate};
 * 2. `generator` is overwritten with `{input: {parameters: <spec input.parameters>}}`;
 * 3. each of `values` (sorted by key) is rendered against the parameters of steps 1-2 and put in
 *    `values` (goTemplate, replacing the plugin's own `values`) or `values.<k>` (fasttemplate).
 */
export function paramsFor(set: Readonly<Record<string, unknown>>, options: ParamsForOptions): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const base = options.goTemplate ? set : flattenForFasttemplate(set);
  for (const k of Object.keys(base)) setOwn(params, k, base[k]);
  setOwn(params, 'generator', { input: { parameters: options.inputParameters ?? {} } });
  const values = options.values ?? {};
  const keys = Object.keys(values).sort(goKeyOrder);
  if (keys.length > 0) {
    const missingKey = (options.goTemplateOptions ?? []).includes('missingkey=error') ? 'error' : 'default';
    const rendered: Record<string, string> = {};
    for (const k of keys) {
      const template = values[k] ?? '';
      setOwn(
        rendered,
        k,
        options.goTemplate ? renderGoTemplate(template, params, { missingKey }) : renderFastTemplate(template, params, { allowUnresolved: true }),
      );
    }
    if (options.goTemplate) setOwn(params, 'values', rendered);
    else for (const k of keys) setOwn(params, `values.${k}`, rendered[k]);
  }
  return params;
}

/**
 * How a matrix combines a parameter set `a` of its first child with a set `b` of its second
 * (§5.2). goTemplate: a deep merge in which `a` wins wherever its value is not empty.
 * fasttemplate: the union of both (values are already strings after flattening); a key present
 * in both with different values is the error `found duplicate key <k> with different value`.
 * The fasttemplate `generator` map is kept as a map here (Argo CD turns it into a `%v` string).
 */
export function combineMatrixParams(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
  goTemplate: boolean,
): Record<string, unknown> {
  const isEmpty = (v: unknown) =>
    v === null || v === undefined || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0);
  if (goTemplate) {
    const merge = (dst: Record<string, unknown>, src: Readonly<Record<string, unknown>>): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(dst)) setOwn(out, k, dst[k]);
      for (const k of Object.keys(src)) {
        const d = out[k];
        const s = src[k];
        if (isMap(d) && isMap(s)) setOwn(out, k, merge(d, s));
        else if (!Object.hasOwn(out, k) || isEmpty(d)) setOwn(out, k, s);
      }
      return out;
    };
    return merge({ ...a }, b);
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(a)) setOwn(out, k, a[k]);
  for (const k of Object.keys(b)) {
    if (Object.hasOwn(out, k) && formatGoValue(out[k]) !== formatGoValue(b[k])) throw new Error(`found duplicate key ${k} with different value`);
    setOwn(out, k, b[k]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Template rendering, enough to check that ApplicationSet templates resolve (§3.5)
// ---------------------------------------------------------------------------------------------

/** Go's `strings.TrimSpace` (Unicode White_Space; unlike JS `trim`, U+0085 yes and U+FEFF no). */
function goTrimSpace(s: string): string {
  const space = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  let start = 0;
  let end = s.length;
  while (start < end && space.test(s[start] as string)) start++;
  while (end > start && space.test(s[end - 1] as string)) end--;
  return s.slice(start, end);
}

/**
 * fasttemplate rendering as Argo CD does it for `{{key}}` tags (§3.5): each tag's text is
 * TrimSpace'd and looked up as an exact key; only string values are substituted (so the
 * `generator` map never is). An unresolved tag is left as written when `allowUnresolved`, else
 * an error. An unclosed `{{` and the rest of the text are copied as they are.
 * Substituted values are not JSON-escaped (Argo CD escapes them when rendering the Application
 * template's JSON; this renders plain strings).
 */
export function renderFastTemplate(
  template: string,
  params: Readonly<Record<string, unknown>>,
  options: { allowUnresolved: boolean } = { allowUnresolved: true },
): string {
  let out = '';
  let s = template;
  for (;;) {
    const open = s.indexOf('{{');
    if (open < 0) break;
    out += s.slice(0, open);
    s = s.slice(open + 2);
    const close = s.indexOf('}}');
    if (close < 0) {
      out += '{{';
      break;
    }
    const tag = s.slice(0, close);
    const key = goTrimSpace(tag);
    const value = Object.hasOwn(params, key) ? params[key] : undefined;
    if (key !== '' && typeof value === 'string') out += value;
    else if (options.allowUnresolved) out += `{{${tag}}}`;
    else throw new Error(`failed to render template: no string parameter for tag {{${tag}}}`);
    s = s.slice(close + 2);
  }
  return out + s;
}

export interface GoTemplateOptions {
  /** `missingkey=error` (default, as Argo CD's docs recommend) or Go's default (`<no value>`). */
  readonly missingKey?: 'error' | 'default';
  /** The template's name in error messages. */
  readonly name?: string;
}

type GoArg =
  | { kind: 'field'; path: string[]; text: string; pos: number }
  | { kind: 'string'; value: string; text: string }
  | { kind: 'int'; value: number; text: string }
  | { kind: 'word'; text: string };

/**
 * A small subset of Go's text/template, enough to check that ApplicationSet templates resolve
 * against parameters (§3.4-3.5). Supported: literal text; actions `{{ . }}`, `{{ .a.b.c }}`,
 * `{{ index .a "k" 0 ... }}`, a quoted string; `{{-` / `-}}` trim markers. Anything else
 * (pipes, functions, variables, `if`/`range`, comments) throws "unsupported".
 *
 * Semantics follow Go: with `missingkey=error`, a missing map key in a field chain fails with
 * `template: <name>:<line>:<col>: executing "<name>" at <.a.b>: map has no entry for key "b"`;
 * a field of `null` fails with `nil pointer evaluating interface {}.b`; `index` ignores
 * missingkey and yields `<no value>` for a missing key (golang/go#60008); numbers print with
 * {@link formatGoFloat}; `null` and missing values print `<no value>`.
 */
export function renderGoTemplate(template: string, params: Readonly<Record<string, unknown>>, options: GoTemplateOptions = {}): string {
  const name = options.name ?? '';
  const missingKeyError = (options.missingKey ?? 'error') === 'error';
  const MISSING = Symbol('missing');
  const location = (pos: number) => {
    const before = template.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - (before.lastIndexOf('\n') + 1);
    return `${name}:${line}:${col}`;
  };
  const fail = (pos: number, context: string, message: string): never => {
    const shown = context.length > 20 ? `${context.slice(0, 20)}...` : context;
    throw new Error(`template: ${location(pos)}: executing ${JSON.stringify(name)} at <${shown}>: ${message}`);
  };

  const evalField = (arg: Extract<GoArg, { kind: 'field' }>): unknown => {
    let current: unknown = params;
    let typeName = 'map[string]interface {}';
    for (const field of arg.path) {
      if (current === MISSING) {
        if (missingKeyError) fail(arg.pos, arg.text, `nil data; no entry for key ${JSON.stringify(field)}`);
        return MISSING;
      }
      if (current === null) fail(arg.pos, arg.text, `nil pointer evaluating interface {}.${field}`);
      if (!isMap(current)) fail(arg.pos, arg.text, `can't evaluate field ${field} in type ${typeName}`);
      const map = current as Record<string, unknown>;
      if (Object.hasOwn(map, field)) current = map[field];
      else if (missingKeyError) fail(arg.pos, arg.text, `map has no entry for key ${JSON.stringify(field)}`);
      else current = MISSING;
      typeName = 'interface {}';
    }
    return current;
  };
  const evalArg = (arg: Exclude<GoArg, { kind: 'word' }>): unknown => (arg.kind === 'field' ? evalField(arg) : arg.value);

  const parseArgs = (text: string, offset: number): GoArg[] => {
    const args: GoArg[] = [];
    const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\S+)/y;
    let m: RegExpExecArray | null;
    while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
      const token = m[1] ?? '';
      const pos = offset + re.lastIndex - token.length;
      if (token.startsWith('"')) args.push({ kind: 'string', value: JSON.parse(token) as string, text: token });
      else if (token.startsWith('`')) args.push({ kind: 'string', value: token.slice(1, -1), text: token });
      else if (/^-?\d+$/.test(token)) args.push({ kind: 'int', value: Number(token), text: token });
      else if (token === '.') args.push({ kind: 'field', path: [], text: token, pos });
      else if (/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(token)) args.push({ kind: 'field', path: token.slice(1).split('.'), text: token, pos });
      else args.push({ kind: 'word', text: token });
    }
    return args;
  };

  const print = (v: unknown): string => (v === MISSING || v === null || v === undefined ? '<no value>' : formatGoValue(v));

  let out = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    if (open < 0) {
      out += template.slice(i);
      break;
    }
    let text = template.slice(i, open);
    let start = open + 2;
    if (/^-[ \t\r\n]/.test(template.slice(start, start + 2))) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start += 1;
    }
    out += text;
    const close = template.indexOf('}}', start);
    if (close < 0) throw new Error(`template: ${location(open)}: unclosed action`);
    let end = close;
    let trimAfter = false;
    if (/[ \t\r\n]-$/.test(template.slice(close - 2, close))) {
      end = close - 1;
      trimAfter = true;
    }
    const action = template.slice(start, end);
    const unsupported = () => {
      throw new Error(`renderGoTemplate supports only {{ .a.b }}, {{ index .x "k" }} and string literals, not {{${action}}}`);
    };
    const args = parseArgs(action, start);
    const operands = args.slice(1);
    const isIndex = args[0]?.kind === 'word' && args[0].text === 'index' && operands.length > 0 && operands.every((a) => a.kind !== 'word');
    if (!isIndex && (args.length !== 1 || args[0]?.kind === 'word')) unsupported();
    let value: unknown;
    if (isIndex) {
      const commandText = action.trim();
      const pos = start + action.indexOf('index');
      const [itemArg, ...keys] = operands as Exclude<GoArg, { kind: 'word' }>[];
      let item = evalArg(itemArg as Exclude<GoArg, { kind: 'word' }>);
      if (item === MISSING || item === null) fail(pos, commandText, 'error calling index: index of untyped nil');
      for (const keyArg of keys) {
        const key = evalArg(keyArg);
        if (item === MISSING || item === null) fail(pos, commandText, 'error calling index: index of nil pointer');
        if (Array.isArray(item) || typeof item === 'string') {
          const seq: readonly unknown[] = typeof item === 'string' ? [...Buffer.from(item, 'utf8')] : item; // strings index bytes
          if (typeof key !== 'number') fail(pos, commandText, 'error calling index: cannot index slice/array with type string');
          const n = key as number;
          if (n < 0 || n >= seq.length) fail(pos, commandText, `error calling index: index out of range: ${n}`);
          item = seq[n];
        } else if (isMap(item)) {
          if (typeof key !== 'string') fail(pos, commandText, `error calling index: value has type int; should be string`);
          item = Object.hasOwn(item, key as string) ? item[key as string] : MISSING; // index ignores missingkey
        } else {
          fail(pos, commandText, `error calling index: can't index item of type ${typeof item === 'number' ? 'float64' : 'bool'}`);
        }
      }
      value = item;
    } else value = evalArg(args[0] as Exclude<GoArg, { kind: 'word' }>);
    out += print(value);
    i = close + 2;
    if (trimAfter) while (i < template.length && /[ \t\r\n]/.test(template[i] as string)) i++;
  }
  return out;
}

/**
 * How a matrix renders its second child's `input.parameters` with a parameter set of its first
 * child before calling the plugin (§5.2): every string leaf and every map key is rendered
 * (goTemplate with {@link renderGoTemplate}, fasttemplate with {@link renderFastTemplate},
 * unresolved tags kept); numbers, booleans and null pass through. `[[ ]]` is left alone.
 */
export function interpolateParameters(
  parameters: Readonly<Record<string, unknown>>,
  firstChildParams: Readonly<Record<string, unknown>>,
  options: { goTemplate: boolean; goTemplateOptions?: readonly string[] },
): Record<string, unknown> {
  const missingKey = (options.goTemplateOptions ?? []).includes('missingkey=error') ? 'error' : 'default';
  const render = (s: string) =>
    options.goTemplate ? renderGoTemplate(s, firstChildParams, { missingKey }) : renderFastTemplate(s, firstChildParams, { allowUnresolved: true });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return render(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isMap(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) setOwn(out, render(k), walk(v[k]));
      return out;
    }
    return v;
  };
  return walk(parameters) as Record<string, unknown>;
}
