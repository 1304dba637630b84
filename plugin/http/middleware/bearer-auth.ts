/**
 * @module Bearer token check for the plugin endpoint, as Argo CD's docs ask: no header 401,
 * wrong token 403. Compared in constant time; the token is never logged.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AuthenticationError, NotAllowedError } from '../../../generator/index.js';
import type { TokenSource } from '../../auth/token-source.js';

// Hex, then bytes: crypto.hash's hex output is three times as fast as its 'buffer' output.
const digest = (value: string) => Buffer.from(hash('sha256', value, 'hex'), 'latin1');

/** Digests of the expected secrets (greenlight's token, the proxy secret), kept while they stay current. */
const expectedDigests = new Map<string, Buffer>();

function expectedDigest(secret: string): Buffer {
  let d = expectedDigests.get(secret);
  if (d === undefined) {
    // Rotated secrets leave old entries behind: start over now and then.
    if (expectedDigests.size >= 8) expectedDigests.clear();
    d = digest(secret);
    expectedDigests.set(secret, d);
  }
  return d;
}

/**
 * Constant-time equality of a presented value and an expected secret of any length (hashes
 * first, so lengths do not leak).
 */
export function tokensEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), expectedDigest(expected));
}

/**
 * What Argo CD sent when a `$secret:key` reference did not resolve. ParseSecretKey turns
 * `$name:key` into the key `$key` of Secret `name`, and ReplaceStringSecret returns that key
 * unresolved, so greenlight sees `$key` either way. `secret` is where a bare `$key` points
 * (argocd-secret; always so for proxy-extension headers); the plugin token may name another.
 */
export function describeSecretReference(presented: string): { secret: 'argocd-secret'; key: string } {
  return { secret: 'argocd-secret', key: presented.slice(1) };
}

/** The token in an `Authorization: Bearer <token>` header; `undefined` when the header has another shape. */
export function bearerTokenOf(header: string): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]?.trim();
}

/** True when the request carries greenlight's token (the one condition under which bearerAuth passes). */
export function hasValidBearer(header: string | undefined, tokens: TokenSource): boolean {
  const presented = header === undefined ? undefined : bearerTokenOf(header);
  return presented !== undefined && tokensEqual(presented, tokens.current());
}

export function bearerAuth(tokens: TokenSource): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (hasValidBearer(header, tokens)) {
      next();
      return;
    }
    if (header === undefined || header.trim() === '') {
      throw new AuthenticationError(
        'GL_AUTH_MISSING',
        "no bearer token was sent. Argo CD sends none when the Secret value behind the plugin ConfigMap's `token` is empty: put greenlight's token there",
      );
    }
    const presented = bearerTokenOf(header) ?? '';
    // Argo CD sends the literal "$secret:key" reference when the key does not exist
    // (util/settings ReplaceStringSecret): that is a setup problem, not an attacker.
    if (/^\$[A-Za-z0-9._:-]{1,253}$/.test(presented)) {
      const { key } = describeSecretReference(presented);
      throw new NotAllowedError(
        'GL_AUTH_UNRESOLVED_SECRET',
        `Argo CD sent the unresolved reference "${presented}" instead of a token: key "${key}" is missing from the Secret that the plugin ConfigMap's \`token\` names ` +
          `("$${key}" means Secret argocd-secret, "$<secret>:${key}" means Secret <secret>) in the Argo CD namespace. Add that key with greenlight's token (and label the Secret app.kubernetes.io/part-of: argocd)`,
      );
    }
    throw new NotAllowedError(
      'GL_AUTH_INVALID',
      `the bearer token is not greenlight's token: make the Secret key named by the plugin ConfigMap's \`token\` hold the same value as greenlight's token (${tokens.origin})`,
    );
  };
}
