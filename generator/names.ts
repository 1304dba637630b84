/** @module Name transformations shared by the output builder and the templates. */

/** Argo CD's `nameNormalized` (utils/template_functions.go SanitizeName), so that both agree. */
export function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-a-z0-9.]/g, '-')
    .slice(0, 253)
    .replace(/^[-.]+|[-.]+$/g, '');
}

/** A key usable in both template modes: every character outside `[A-Za-z0-9_]` becomes `_`. */
export function toOutputKey(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** A DNS-1123 label: lowercase, `[a-z0-9-]`, at most 63 characters, no leading or trailing `-`. */
export function toDnsLabel(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}
