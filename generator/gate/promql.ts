/**
 * @module PromQL for the live signals: the default queries, and how a query template is filled in
 * with a cluster, a namespace and a window. Every value is escaped as a PromQL string literal, so
 * a cluster or namespace name can never change the query's meaning.
 */

/** A PromQL range duration, as greenlight accepts it (`--window`): e.g. 30s, 10m, 1h, 1d. */
export const WINDOW_PATTERN = /^[1-9]\d{0,5}(s|m|h|d)$/;

/** The default window of the live signals. */
export const DEFAULT_WINDOW = '10m';

/**
 * A PromQL double-quoted string literal of `value` (Prometheus follows Go's string escapes):
 * backslash, double quote and control characters are escaped.
 */
export function promqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A Prometheus label name (`[a-zA-Z_][a-zA-Z0-9_]*`). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface QueryScope {
  /** The label naming the cluster in the series (GREENLIGHT_PROMETHEUS_CLUSTER_LABEL). */
  readonly clusterLabel: string;
  /** The Argo CD cluster name: the label's value. */
  readonly cluster: string;
  /** Only series of this namespace (an app family), when given. */
  readonly namespace?: string | undefined;
  readonly window: string;
}

/**
 * Fills a query template. Placeholders:
 *
 * | placeholder | becomes |
 * |---|---|
 * | `{{selector}}` | the label matchers, e.g. `cluster="prod-eu-green",namespace="checkout"` (namespace only when given) |
 * | `{{cluster}}` | the cluster name as a quoted PromQL string, e.g. `"prod-eu-green"` |
 * | `{{namespace}}` | the namespace as a quoted PromQL string (`".*"`-free: a template using it needs a namespace) |
 * | `{{window}}` | the window, e.g. `10m` |
 *
 * Throws on an unknown placeholder, a bad label name or window, or `{{namespace}}` without one.
 */
export function fillQuery(template: string, scope: QueryScope): string {
  if (!LABEL_NAME.test(scope.clusterLabel)) throw new Error(`the cluster label "${scope.clusterLabel}" is not a Prometheus label name`);
  if (!WINDOW_PATTERN.test(scope.window)) throw new Error(`the window "${scope.window}" is not a duration such as 30s, 10m, 1h or 1d`);
  const selector = `${scope.clusterLabel}=${promqlString(scope.cluster)}${scope.namespace !== undefined ? `,namespace=${promqlString(scope.namespace)}` : ''}`;
  return template.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (_, name: string) => {
    switch (name) {
      case 'selector':
        return selector;
      case 'cluster':
        return promqlString(scope.cluster);
      case 'namespace':
        if (scope.namespace === undefined) throw new Error('the query uses {{namespace}} but no namespace was given');
        return promqlString(scope.namespace);
      case 'window':
        return scope.window;
      default:
        throw new Error(`unknown placeholder {{${name}}} (use {{selector}}, {{cluster}}, {{namespace}} or {{window}})`);
    }
  });
}

/** The placeholders a template uses that `fillQuery` does not know (for checking config at load). */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([a-z]*)\s*\}\}/g)].map((m) => m[1] ?? '').filter((n) => !['selector', 'cluster', 'namespace', 'window'].includes(n));
}
