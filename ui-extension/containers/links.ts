/** @module Links into Argo CD's own pages, relative to the page's base so that sub-path installs work. */
import type { ApiClient } from '../api-client.js';
import { createApiClient } from '../api-client.js';

export function appHref(app: { readonly namespace: string; readonly name: string }): string {
  const path = app.namespace ? `applications/${encodeURIComponent(app.namespace)}/${encodeURIComponent(app.name)}` : `applications/${encodeURIComponent(app.name)}`;
  return new URL(path, document.baseURI).toString();
}

/** The Blue/Green page filtered to one pair (`/greenlight?pair=...`, the system-level extension's path). */
export function pairHref(pair: string): string {
  return new URL(`greenlight?pair=${encodeURIComponent(pair)}`, document.baseURI).toString();
}

/** The pair the Blue/Green page was opened for (`?pair=`), if any. */
export function pairOfLocation(): string | undefined {
  return new URLSearchParams(window.location.search).get('pair') ?? undefined;
}

let shared: ApiClient | undefined;

/** The client for the page (same-origin fetch with the user's Argo CD session cookie). */
export function defaultApiClient(): ApiClient {
  shared ??= createApiClient();
  return shared;
}
