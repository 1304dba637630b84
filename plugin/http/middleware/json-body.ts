/**
 * @module Reads a JSON body: application/json only, a size limit, strict UTF-8, and no
 * `__proto__` / `constructor.prototype` keys (secure-json-parse). A body the cached-answer fast
 * path has already read is handed over here (`handOverBody`) and checked the same way.
 */
import type { IncomingMessage } from 'node:http';
import express, { type RequestHandler } from 'express';
import sjson from 'secure-json-parse';
import { InputError, UnsupportedMediaTypeError } from '../../../generator/index.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bodies read before express saw the request (whole, within the size limit). */
const readEarlier = new WeakMap<IncomingMessage, Buffer>();

/** Gives express a request whose body has already been read whole. */
export function handOverBody(req: IncomingMessage, bytes: Buffer): void {
  readEarlier.set(req, bytes);
}

/** True for `application/json` with or without parameters (as Argo CD sends it). */
export function isJsonContentType(type: string | undefined): boolean {
  return type !== undefined && /^application\/json\s*(;|$)/i.test(type);
}

export function jsonBody(maxBodyBytes: number): RequestHandler[] {
  // Argo CD never compresses its requests: refuse Content-Encoding (415) rather than inflate untrusted input.
  const reader = express.raw({ type: () => true, limit: maxBodyBytes, inflate: false });
  const raw: RequestHandler = (req, res, next) => {
    const bytes = readEarlier.get(req);
    if (bytes === undefined) {
      reader(req, res, next);
      return;
    }
    req.body = bytes;
    next();
  };
  const parse: RequestHandler = (req, res, next) => {
    const type = req.get('content-type') ?? '';
    if (!isJsonContentType(type)) {
      throw new UnsupportedMediaTypeError(
        'GL_UNSUPPORTED_MEDIA_TYPE',
        `the request must be application/json (as Argo CD sends it), got ${type === '' ? 'no Content-Type' : `"${type.slice(0, 100)}"`}`,
      );
    }
    const body: unknown = req.body;
    const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new InputError('GL_REQUEST_INVALID', 'the request body is not valid UTF-8');
    }
    res.locals['bodyBytes'] = bytes;
    try {
      res.locals['body'] = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      const detail = (err as Error).message.replace(/\s+/g, ' ').slice(0, 200);
      // secure-json-parse refuses valid JSON that would reach Object.prototype: say so plainly.
      if (/forbidden prototype property/i.test(detail)) {
        throw new InputError('GL_REQUEST_INVALID', 'the request body has a "__proto__" or "constructor.prototype" key, which greenlight refuses');
      }
      throw new InputError('GL_REQUEST_INVALID', `the request body is not valid JSON: ${detail}`);
    }
    next();
  };
  return [raw, parse];
}
