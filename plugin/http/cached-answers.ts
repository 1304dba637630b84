/**
 * @module The fast path for repeated getparams requests, below express. Argo CD sends the same
 * bytes again and again (every reconcile, every webhook, ten ApplicationSets at once); once the
 * express path has answered them (and kept the answer in the AnswerCache), this path answers
 * them again with the same bytes, headers, access log line and metrics, without express's
 * routing and body parsing in between.
 *
 * It takes only a request that the express path would certainly answer with 200 if the answer
 * is cached: POST to the exact path, application/json, not compressed, a Content-Length within
 * the limit, greenlight's bearer token (checked on every request, so a rotated token is obeyed
 * at once). A hit (looked up by the SHA-256 digest of the bytes) is proof that these exact bytes
 * were parsed, validated and answered within the cache's time to live. Everything else goes on to express untouched; a miss goes on with the
 * body already read (json-body's `handOverBody`), so every error is still made in one place.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import type { TokenSource } from '../auth/token-source.js';
import { AnswerCache } from './answer-cache.js';
import { hasValidBearer } from './middleware/bearer-auth.js';
import { handOverBody, isJsonContentType } from './middleware/json-body.js';
import { recordRequest, requestIdFor, type RequestRecordDeps } from './middleware/request-context.js';
import { GETPARAMS_PATH } from './routes/getparams.js';

export interface CachedAnswersDeps extends RequestRecordDeps {
  readonly tokens: TokenSource;
  readonly answers: AnswerCache;
  readonly maxBodyBytes: number;
  readonly stopping?: () => boolean;
}

function isCandidate(req: IncomingMessage, deps: CachedAnswersDeps): boolean {
  if (req.method !== 'POST' || req.url !== GETPARAMS_PATH) return false;
  const h = req.headers;
  if (h['content-encoding'] !== undefined || h['transfer-encoding'] !== undefined || !isJsonContentType(h['content-type'])) return false;
  const length = h['content-length'];
  if (length === undefined || !/^[0-9]{1,9}$/.test(length) || Number(length) > deps.maxBodyBytes) return false;
  return hasValidBearer(h.authorization, deps.tokens);
}

/** Wraps `next` (the express app) with the fast path; `next` alone when the cache is off. */
export function serveCachedAnswers(deps: CachedAnswersDeps, next: RequestListener): RequestListener {
  if (!deps.answers.enabled) return next;
  return (req, res) => {
    if (!isCandidate(req, deps)) {
      next(req, res);
      return;
    }
    const started = process.hrtime.bigint();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client gone mid-body has nobody to answer; node closes the socket.
    req.on('error', () => {});
    req.on('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      const hit = deps.answers.get(AnswerCache.keyOf(body));
      if (!hit) {
        handOverBody(req, body);
        next(req, res);
        return;
      }
      const requestId = requestIdFor(req.headers['x-request-id']);
      res.on('finish', () => {
        recordRequest(deps, {
          requestId,
          method: 'POST',
          path: GETPARAMS_PATH,
          status: 200,
          started,
          applicationSetName: hit.applicationSetName,
          clusters: hit.sets,
          cached: true,
        });
      });
      deps.metrics.parameterSets.inc(hit.sets);
      res.writeHead(200, {
        'X-Request-Id': requestId,
        // Argo CD's client keeps connections for 90 s; while stopping, it must not reuse this one.
        ...(deps.stopping?.() ? { Connection: 'close' } : {}),
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(hit.body.length),
      });
      res.end(hit.body);
    });
  };
}
