/**
 * @module Reads a JSON body: application/json only, a size limit, strict UTF-8, and no
 * `__proto__` / `constructor.prototype` keys (secure-json-parse).
 */
import express, { type RequestHandler } from 'express';
import sjson from 'secure-json-parse';
import { InputError, UnsupportedMediaTypeError } from '../../../generator/index.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

export function jsonBody(maxBodyBytes: number): RequestHandler[] {
  // Argo CD never compresses its requests: refuse Content-Encoding (415) rather than inflate untrusted input.
  const raw = express.raw({ type: () => true, limit: maxBodyBytes, inflate: false });
  const parse: RequestHandler = (req, res, next) => {
    const type = req.get('content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) {
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
    res.locals['bodyText'] = text;
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
