/** @module The input flags `preview` and `annotate` share: they build greenlight's input parameters. */
import { COMPAT_MODES, parseSelector } from '../../generator/index.js';
import { INVENTORY_OPTION, inventoryUsage } from './inventory-flag.js';
import { UsageError } from './usage-error.js';

export { UsageError };

/** node:util parseArgs options for the selection and template flags. */
export const SELECTION_OPTIONS = {
  cluster: { type: 'string' },
  clusters: { type: 'string' },
  pair: { type: 'string' },
  role: { type: 'string' },
  selector: { type: 'string', short: 'l' },
  var: { type: 'string', multiple: true },
  echo: { type: 'string', multiple: true },
  compat: { type: 'string' },
  'allow-empty': { type: 'boolean' },
  inventory: INVENTORY_OPTION,
} as const;

/** The selection flags that take a closed set of values (parseCommandFlags' `choices`). */
export const SELECTION_CHOICES = { compat: { values: COMPAT_MODES } } as const;

export const SELECTION_USAGE = `      --cluster NAME       select one cluster
      --clusters A,B       select these clusters
      --pair NAME          select a blue/green pair
      --role ROLE          select a role (blue, green, ...)
  -l, --selector SEL       label selector, kubectl syntax: 'env=prod,tier in (web)'
      --var KEY=TEMPLATE   a vars template (repeatable): --var 'host=web.{{ingress.clusterDomain}}'
      --echo KEY=VALUE     an echo value (repeatable)
      --compat gitops-bridge  also the flat keys gitops-bridge writes (aws_region, ...)
      --allow-empty`;

export const INVENTORY_USAGE = inventoryUsage('demo');

export interface SelectionValues {
  cluster?: string | undefined;
  clusters?: string | undefined;
  pair?: string | undefined;
  role?: string | undefined;
  selector?: string | undefined;
  var?: string[] | undefined;
  echo?: string[] | undefined;
  compat?: string | undefined;
  'allow-empty'?: boolean | undefined;
}

function keyValues(values: readonly string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  return Object.fromEntries(
    values.map((kv) => {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new UsageError(`${flag} takes KEY=VALUE, got "${kv}"`);
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
}

/** The input parameters the flags ask for; throws `UsageError` for a malformed flag. */
export function inputFromFlags(values: SelectionValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (values.cluster !== undefined) input['cluster'] = values.cluster;
  if (values.clusters !== undefined) input['clusters'] = values.clusters.split(',').map((s) => s.trim()).filter(Boolean);
  if (values.pair !== undefined) input['pair'] = values.pair;
  if (values.role !== undefined) input['role'] = values.role;
  if (values.selector !== undefined) {
    try {
      input['selector'] = parseSelector(values.selector);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const vars = keyValues(values.var, '--var');
  if (vars) input['vars'] = vars;
  const echo = keyValues(values.echo, '--echo');
  if (echo) input['echo'] = echo;
  if (values.compat !== undefined) input['compat'] = values.compat;
  if (values['allow-empty']) input['allowEmpty'] = true;
  return input;
}
