/** @module Links into Argo CD's own pages, relative to the page's base so that sub-path installs work. */
import type { ApiClient } from '../api-client.js';
import { createApiClient } from '../api-client.js';

export function appHref(app: { readonly namespace: string; readonly name: string }): string {
  const path = app.namespace ? `applications/${encodeURIComponent(app.namespace)}/${encodeURIComponent(app.name)}` : `applications/${encodeURIComponent(app.name)}`;
  return new URL(path, document.baseURI).toString();
}

let shared: ApiClient | undefined;

/** The client for the page (same-origin fetch with the user's Argo CD session cookie). */
export function defaultApiClient(): ApiClient {
  shared ??= createApiClient();
  return shared;
}
