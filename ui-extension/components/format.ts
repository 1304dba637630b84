/** @module Small, pure formatting helpers for the components. */

/** A 40-character commit SHA as its first 7 characters; anything else (chart versions) as is. */
export function shortRevision(revision: string | undefined): string {
  if (revision === undefined || revision === '') return '—';
  return revision
    .split(', ')
    .map((r) => (/^[0-9a-f]{40}$/.test(r) ? r.slice(0, 7) : r))
    .join(', ');
}

/** "3 min ago", "2 h ago", "5 d ago"; the ISO time itself when it cannot be read. */
export function ago(iso: string | undefined, now: number): string {
  if (iso === undefined || iso === '') return '';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** The last path segment of an image reference: "ghcr.io/example/web:1.0.0" → "web:1.0.0". */
export function imageName(image: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  return ref.slice(ref.lastIndexOf('/') + 1) || image;
}
