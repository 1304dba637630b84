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
