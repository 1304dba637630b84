/**
 * @module Text that upstreams wrote (an AWS error message, a cluster API's Status or error body,
 * a network error naming a URL) is quoted into greenlight's answers, which Argo CD shows in the
 * ApplicationSet status, and into its logs. `quoteUpstream` is the one way to quote it: cut to a
 * bounded length, on one line, with anything that looks like a credential replaced. Server URLs
 * are shown without their userinfo (`withoutUserinfo`).
 */

/** How much upstream text a message quotes by default. */
export const MAX_QUOTED_CHARS = 300;
/** Text beyond this is not even scanned: the quote keeps far less of it anyway. */
const MAX_SCANNED_CHARS = 16 * 1024;

/** What replaces a credential. */
export const REDACTED = '[redacted]';

/** Key names whose values are credentials, in `key=value`, `key: value` and `"key":"value"` form. */
const SECRET_KEY =
  '[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|token|signature|credential|api[_-]?key|access[_-]?key|private[_-]?key|authorization|cookie|session)[A-Za-z0-9_.-]*';

/** Each pattern and its replacement, applied in this order. */
const SCRUBBERS: readonly (readonly [RegExp, string])[] = [
  // PEM blocks (private keys, certificates), also cut short by a previous truncation.
  [/-----BEGIN [A-Z0-9 ]*-----[\s\S]*?(?:-----END [A-Z0-9 ]*-----|$)/g, `[PEM block ${REDACTED}]`],
  // URL userinfo: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>]*@/gi, `$1${REDACTED}@`],
  // EKS tokens (a presigned STS URL, base64url) and JSON web tokens (ServiceAccount tokens).
  [/k8s-aws-v1\.[A-Za-z0-9_-]*/g, `k8s-aws-v1.${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, REDACTED],
  // Authorization header values.
  [/\b(Bearer|Basic|Negotiate)\s+[A-Za-z0-9._~+/=:-]+/gi, `$1 ${REDACTED}`],
  // AWS access key ids (long-term AKIA, temporary ASIA, ...).
  [/\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{12,}\b/g, REDACTED],
  // key=value pairs whose key names a secret (query strings, headers, JSON, form bodies).
  [new RegExp(`(${SECRET_KEY})(\\s*["']?\\s*[=:]\\s*["']?)(?!(?:Bearer |Basic )?\\[redacted\\])(?:Bearer |Basic )?[^\\s"'&,;}<>\\]]+`, 'gi'), `$1$2${REDACTED}`],
];

/** `text` with every credential-looking part replaced by `[redacted]`; length and lines kept as they are. */
export function scrubCredentials(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SCRUBBERS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Upstream text fit to quote in a message or a log line: scrubbed of credentials, on one line,
 * and at most `maxChars` characters (then ending in `…`).
 *
 * @example quoteUpstream('User: arn:aws:sts::1:assumed-role/r is not authorized; X-Amz-Signature=abc') // '... X-Amz-Signature=[redacted]'
 */
export function quoteUpstream(text: string, maxChars = MAX_QUOTED_CHARS): string {
  const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text;
  // Scrubbed before the cut, so that every secret is seen whole.
  const oneLine = scrubCredentials(scanned).replace(/\s+/g, ' ').trim();
  if (oneLine.length <= maxChars && scanned.length === text.length) return oneLine;
  // A cut through a replacement leaves no half "[redacted".
  return `${oneLine.slice(0, maxChars).replace(/\[[a-zA-Z ]*(?:\[[a-z]*)?$/, '')}…`;
}

/** Whether a URL carries a user name or password (`https://user:password@host`). */
export function hasUserinfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
  }
}

/** A URL for display: without its userinfo, otherwise as written. */
export function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}
