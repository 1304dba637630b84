/** @module Label selector matching with Kubernetes semantics (apimachinery labels.Selector). */
import type { LabelSelector } from './contract/label-selector.js';

/** True when every matchLabels entry and every matchExpressions requirement holds. An empty selector matches all. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: LabelSelector): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const value = has ? labels[req.key] : undefined;
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        // Kubernetes: NotIn matches objects that lack the key.
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** `env=prod, tier in (a,b)`: the selector as kubectl prints it, for messages. */
export function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = `(${(req.values ?? []).join(',')})`;
    if (req.operator === 'In') parts.push(`${req.key} in ${values}`);
    if (req.operator === 'NotIn') parts.push(`${req.key} notin ${values}`);
    if (req.operator === 'Exists') parts.push(req.key);
    if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
  }
  return parts.join(', ');
}

/**
 * Parses kubectl's selector syntax (`env=prod,tier in (a,b),!legacy`) into a LabelSelector.
 * Throws `Error` saying which part is wrong.
 * @example parseSelector('env=prod, greenlight.io/role notin (blue)')
 */
export function parseSelector(text: string): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  // Split on commas that are not inside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  for (const raw of parts.map((p) => p.trim()).filter((p) => p !== '')) {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(raw))) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
      matchExpressions.push({ key: m[1] as string, operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^([^\s!=]+)\s*!=\s*(\S*)$/.exec(raw))) {
      matchExpressions.push({ key: m[1] as string, operator: 'NotIn', values: [m[2] as string] });
    } else if ((m = /^([^\s!=]+)\s*==?\s*(\S*)$/.exec(raw))) {
      matchLabels[m[1] as string] = m[2] as string;
    } else if ((m = /^!\s*([^\s!=]+)$/.exec(raw))) {
      matchExpressions.push({ key: m[1] as string, operator: 'DoesNotExist' });
    } else if ((m = /^([^\s!=(),]+)$/.exec(raw))) {
      matchExpressions.push({ key: m[1] as string, operator: 'Exists' });
    } else {
      throw new Error(`cannot read "${raw}" in the selector (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`);
    }
  }
  const selector: LabelSelector = {};
  if (Object.keys(matchLabels).length > 0) selector.matchLabels = matchLabels;
  if (matchExpressions.length > 0) selector.matchExpressions = matchExpressions;
  return selector;
}
