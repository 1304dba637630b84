/**
 * @module A credentials provider that caches what it got and fetches again shortly before
 * it expires, with one fetch in flight at a time however many callers ask.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface RefreshOptions {
  /** Fetch again this long before `expiration` (default 5 minutes, as the AWS SDK does). */
  readonly refreshBeforeExpiryMs?: number;
  /** Milliseconds since the epoch; injected by tests. */
  readonly now?: () => number;
}

export const DEFAULT_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * Wraps `fetch` so that:
 * - credentials without `expiration` (static keys) are fetched once;
 * - credentials with `expiration` are fetched again once `expiration - refreshBeforeExpiryMs`
 *   has passed;
 * - if that early refresh fails while the cached credentials are still valid, the cached
 *   ones are served (a brief STS outage must not fail requests that could still be signed);
 * - failures are never cached: the next call tries again.
 */
export function refreshingCredentials(fetch: () => Promise<AwsCredentialIdentity>, options: RefreshOptions = {}): AwsCredentialIdentityProvider {
  const refreshBefore = options.refreshBeforeExpiryMs ?? DEFAULT_REFRESH_BEFORE_EXPIRY_MS;
  const now = options.now ?? Date.now;
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  const fresh = (c: AwsCredentialIdentity): boolean => c.expiration === undefined || c.expiration.getTime() - refreshBefore > now();
  const valid = (c: AwsCredentialIdentity): boolean => c.expiration === undefined || c.expiration.getTime() > now();

  return async () => {
    if (cached && fresh(cached)) return cached;
    inFlight ??= fetch()
      .then((credentials) => {
        cached = credentials;
        return credentials;
      })
      .finally(() => {
        inFlight = undefined;
      });
    const stale = cached;
    try {
      return await inFlight;
    } catch (err) {
      if (stale && valid(stale)) return stale;
      throw err;
    }
  };
}
