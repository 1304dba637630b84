/**
 * @module Bearer token check for the plugin endpoint, as Argo CD's docs ask: no header 401,
 * wrong token 403. Compared in constant time; the token is never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AuthenticationError, NotAllowedError } from '../../../generator/index.js';
import type { TokenSource } from '../../auth/token-source.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time equality of two strings of any length (hashes first, so lengths do not leak). */
export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Argo CD's ParseSecretKey: `$name:key` reads Secret `name`; `$key` reads `argocd-secret`.
 * Used to tell an operator which key to create when Argo CD sent the reference itself.
 */
export function describeSecretReference(ref: string): { secret: string; key: string } {
  if (ref.includes(':')) {
    const [name = '', key = ''] = ref.split(':');
    return { secret: name.slice(1), key };
  }
  return { secret: 'argocd-secret', key: ref.slice(1) };
}

export function bearerAuth(tokens: TokenSource): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (header === undefined || header.trim() === '') {
      throw new AuthenticationError(
        'GL_AUTH_MISSING',
        "no bearer token was sent. Argo CD sends none when the Secret value behind the plugin ConfigMap's `token` is empty: put greenlight's token there",
      );
    }
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    const presented = match?.[1]?.trim() ?? '';
    if (match && tokensEqual(presented, tokens.current())) {
      next();
      return;
    }
    // Argo CD sends the literal "$secret:key" reference when the key does not exist
    // (util/settings ReplaceStringSecret): that is a setup problem, not an attacker.
    if (/^\$[A-Za-z0-9._:-]{1,253}$/.test(presented)) {
      const { secret, key } = describeSecretReference(presented);
      throw new NotAllowedError(
        'GL_AUTH_UNRESOLVED_SECRET',
        `Argo CD sent the token reference "${presented}" instead of a token: key "${key}" is missing from Secret "${secret}" in the Argo CD namespace. Create that key with greenlight's token (label the Secret app.kubernetes.io/part-of: argocd)`,
      );
    }
    throw new NotAllowedError(
      'GL_AUTH_INVALID',
      "the bearer token is not greenlight's token: make the Secret key named by the plugin ConfigMap's `token` hold the same value as greenlight's GREENLIGHT_TOKEN_FILE",
    );
  };
}
