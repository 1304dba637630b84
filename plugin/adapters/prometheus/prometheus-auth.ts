/**
 * @module How greenlight proves itself to a Prometheus that needs credentials: a bearer token
 * (Thanos or Prometheus behind a proxy), basic auth (Mimir, Grafana Cloud, Prometheus's own
 * `--web.config.file`), or a SigV4 signature with greenlight's own AWS identity (Amazon Managed
 * Service for Prometheus, service `aps`). Secrets come from files re-read when they change
 * (plugin/auth/token-source.ts) and are never logged or quoted; messages name the setting.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { TokenSource } from '../../auth/token-source.js';

/** The request about to be sent, as the signer needs it. */
export interface OutgoingQuery {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Adds the credential headers of one query (loaded only when credentials are configured: it brings the SigV4 signer). */
export interface PrometheusAuth {
  /** What to check when Prometheus refuses the credentials (setting names, never values). */
  readonly check: string;
  /** The headers that authenticate `query` (merged over its own). Rejects with an operator-readable Error. */
  headers(query: OutgoingQuery): Promise<Record<string, string>>;
  close(): void;
}

/** Characters no header value may carry (a token with them would be refused by fetch, in a message that quotes it). */
export const NOT_IN_A_HEADER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** `Authorization: Bearer <token>`, the token re-read from its file when it changes. */
export function bearerAuth(token: TokenSource): PrometheusAuth {
  return {
    check: `the token in ${token.origin}: it must be one Prometheus (or the proxy in front of it) accepts`,
    headers: () => {
      const value = token.current();
      if (NOT_IN_A_HEADER.test(value)) return Promise.reject(new Error(`the token in ${token.origin} holds a line break or a control character, which no HTTP header carries: put the token on one line`));
      return Promise.resolve({ authorization: `Bearer ${value}` });
    },
    close: () => token.close(),
  };
}

/** `Authorization: Basic` of user and password (RFC 7617), the password re-read from its file when it changes. */
export function basicAuth(user: string, password: TokenSource): PrometheusAuth {
  return {
    check: `GREENLIGHT_PROMETHEUS_BASIC_AUTH_USER ("${user}") and the password in ${password.origin}`,
    headers: () => Promise.resolve({ authorization: `Basic ${Buffer.from(`${user}:${password.current()}`, 'utf8').toString('base64')}` }),
    close: () => password.close(),
  };
}

/** The SigV4 service name of Amazon Managed Service for Prometheus. */
export const APS_SERVICE = 'aps';

/** SigV4 (service `aps`, the workspace's region) with greenlight's own AWS identity, as the rest of greenlight signs. */
export function sigv4Auth(region: string, credentials: AwsCredentialIdentityProvider): PrometheusAuth {
  const signer = new SignatureV4({ credentials, region, service: APS_SERVICE, sha256: Hash.bind(null, 'sha256') });
  return {
    check: `GREENLIGHT_PROMETHEUS_SIGV4_REGION ("${region}", the workspace's region) and greenlight's own AWS identity (its IRSA or Pod Identity role; on a laptop, your AWS profile): it needs aps:QueryMetrics on the workspace`,
    headers: async (query) => {
      const { url } = query;
      const request = new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port !== '' ? { port: Number(url.port) } : {}),
        path: url.pathname,
        headers: { ...query.headers, host: url.host },
        body: query.body,
      });
      let signed: HttpRequest;
      try {
        signed = (await signer.sign(request)) as HttpRequest;
      } catch (err) {
        throw new Error(`greenlight cannot sign its Prometheus queries (SigV4, GREENLIGHT_PROMETHEUS_SIGV4_REGION): ${(err as Error).message}`);
      }
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') out[name] = value;
      return out;
    },
    close: () => undefined,
  };
}
