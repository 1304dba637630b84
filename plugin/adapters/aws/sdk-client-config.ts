/** @module How greenlight configures every AWS SDK client it makes. */

/** The knobs `fromConfig` of an AWS adapter takes for its SDK client. */
export interface SdkClientSettings {
  /** Endpoint override (tests, VPC endpoints); without it AWS_ENDPOINT_URL_<SERVICE> and the SDK's defaults apply. */
  readonly endpoint?: string | undefined;
  /** SDK attempts per call, retries included (default 3, the SDK's). */
  readonly maxAttempts?: number | undefined;
  /** Bound on one HTTP exchange (default 10 s); a request's deadline can cut a call shorter. */
  readonly requestTimeoutMs?: number | undefined;
}

/** Client options for `new XClient({...sdkClientOptions(...)})`. */
export function sdkClientOptions<C>(region: string, credentials: C, settings: SdkClientSettings) {
  const timeout = settings.requestTimeoutMs ?? 10_000;
  return {
    region,
    credentials,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    ...(settings.maxAttempts !== undefined ? { maxAttempts: settings.maxAttempts } : {}),
    // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting.
    requestHandler: { requestTimeout: timeout, connectionTimeout: Math.min(timeout, 3_000), throwOnRequestTimeout: true },
  };
}
