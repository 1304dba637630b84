/**
 * @module `greenlight weight` and `greenlight role`: change the traffic weights (or roles) of a
 * pair's clusters in one step. Every Secret is patched on the condition that it did not change
 * since it was read; if any patch fails, the ones already made are put back, so a pair is never
 * left half-changed.
 */
import { BLUE_GREEN_KEYS, GATE_EXIT_CODES, labelValueSchema, previousStep, WINDOW_PATTERN, type GateAnswer } from '../../generator/index.js';
import type { ClusterSecretStore, ListedSecret, SecretPatch } from '../adapters/argocd/cluster-secret-store.js';
import { loadConfig } from '../config.js';
import { openCliFleet } from './cli-fleet.js';
import type { Command } from './commands.js';
import type { Io } from './io.js';
import { chooseInventory, INVENTORY_OPTION, inventoryUsage, type ChosenInventory } from './inventory-flag.js';
import { kubeconfigProblem, withProgress } from './live-access.js';
import { formatStructured, OUTPUT_CHOICE, OUTPUT_FORMATS, OUTPUT_OPTION, outputUsage, parseOutput, tableLines, type OutputFormat } from './output.js';
import { parseCommandFlags } from './command-flags.js';

export type PairField = 'weight' | 'role';

/** On a cluster Secret: why the last step was forced past the gate (`weight --step --force --reason`). */
export const FORCED_STEP_KEY = 'greenlight.io/forced-step';
/** Argo CD (3.4+) leaves a cluster alone while its Secret carries this annotation set to "true". */
export const SKIP_RECONCILE_KEY = 'argocd.argoproj.io/skip-reconcile';

export const WEIGHT_USAGE = `Usage: greenlight weight --pair PAIR --set CLUSTER=WEIGHT [--set CLUSTER=WEIGHT]... [--apply]
       greenlight weight --pair PAIR --step [--force --reason TEXT] [--window D] [--apply]
       greenlight weight --pair PAIR --rollback [--all] [--apply]
       greenlight role   --pair PAIR --set CLUSTER=ROLE   [--set CLUSTER=ROLE]...   [--apply]
       greenlight role   --pair PAIR --freeze blue | --unfreeze [--apply]

Changes greenlight.io/weight annotations (Route 53 weights, 0-255) or greenlight.io/role labels
on the Argo CD cluster Secrets of one pair, all or nothing, and shows the split before and after
(a cluster's share of traffic is its weight / the sum of the pair's weights). Refuses a split
where every weight is 0 (Route 53 would then spread traffic evenly). Prints the command that
rolls the change back. Without --apply nothing is written.

--step moves blue and green to the next step of the plan (100/0, 80/20, 50/50, 20/80, 0/100 by
default, or GREENLIGHT_GATE_CONFIG's), only when \`greenlight gate\` says go; --force --reason
steps anyway and records the reason on both Secrets (greenlight.io/forced-step). --rollback goes
back one step (--all: to the first). --freeze blue sets argocd.argoproj.io/skip-reconcile=true on
blue's Secret once its weight is 0 (drain, freeze, then destroy); --unfreeze removes it.

  --pair PAIR              the pair (greenlight.io/pair label)
  --set CLUSTER=VALUE      the Argo CD cluster name and its new weight or role (repeatable)
  --namespace NS           Argo CD's namespace (default: $ARGOCD_NAMESPACE, else argocd)
  --apply                  write the change
  --step, --rollback       the next (previous) step of the plan; --all with --rollback: the first
  --force --reason TEXT    step although the gate holds (the reason is recorded)
  --window D               the gate's window for live signals (default 10m)
  --freeze blue, --unfreeze  freeze (unfreeze) the drained blue cluster in Argo CD
${inventoryUsage('argocd')}
                           With "demo" or a fleet file the change is shown, and --apply is
                           refused (the demo is read-only; a fleet file is yours to edit)
${outputUsage('the table of the change')}

Exit status: 0 done (or shown), 1 refused or failed (nothing changed), 2 usage error, ${GATE_EXIT_CODES.held} held by the gate (nothing changed).`;

export interface WeightDeps {
  readonly store?: () => Pick<ClusterSecretStore, 'list' | 'patch'>;
  /** The gate's answer for the pair (default: `greenlight gate`'s evaluation with this environment). */
  readonly gate?: (pair: string, options: { readonly window?: string | undefined; readonly inventory?: string | undefined }) => Promise<GateAnswer>;
}

const PAIR_CHANGE_OPTIONS = {
  pair: { type: 'string' },
  set: { type: 'string', multiple: true },
  namespace: { type: 'string' },
  apply: { type: 'boolean' },
  step: { type: 'boolean' },
  rollback: { type: 'boolean' },
  all: { type: 'boolean' },
  force: { type: 'boolean' },
  reason: { type: 'string' },
  window: { type: 'string' },
  freeze: { type: 'string' },
  unfreeze: { type: 'boolean' },
  inventory: INVENTORY_OPTION,
  output: OUTPUT_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

/** `weight` or `role` for the command table. */
export function pairChangeCommand(field: PairField): Command {
  return { usage: WEIGHT_USAGE, options: PAIR_CHANGE_OPTIONS, values: { output: OUTPUT_FORMATS }, run: (argv, env, io) => runPairChange(field, argv, env, io) };
}

/**
 * The pair's clusters as a fleet file (or the demo) has them, in the shape the Secrets are
 * listed in: the change can be shown, never written.
 */
async function fleetClusters(inventory: ChosenInventory, env: Readonly<Record<string, string | undefined>>, io: Io, pair: string): Promise<ListedSecret[]> {
  const fleet = await openCliFleet(inventory.value, env, io);
  try {
    return fleet.inventory
      .snapshot()
      .clusters.filter((c) => c.labels[BLUE_GREEN_KEYS.pair] === pair)
      .map((c) => ({ ref: { namespace: '', name: c.name }, resourceVersion: '', clusterName: c.name, labels: c.labels, annotations: c.annotations }));
  } finally {
    await fleet.close();
  }
}

/** Route 53's share of a weighted record: its weight over the sum of the set's weights. */
function share(weight: number, total: number): string {
  if (total === 0) return 'n/a';
  const pct = (100 * weight) / total;
  return Number.isInteger(pct) ? `${pct}%` : `${pct.toFixed(1)}%`;
}

function current(secret: ListedSecret, field: PairField): string | undefined {
  return field === 'weight' ? secret.annotations[BLUE_GREEN_KEYS.weight] : secret.labels[BLUE_GREEN_KEYS.role];
}

function patchFor(field: PairField, value: string, resourceVersion: string, extra: Readonly<Record<string, string>> = {}): SecretPatch {
  return field === 'weight'
    ? { annotations: { [BLUE_GREEN_KEYS.weight]: value, ...extra }, resourceVersion }
    : { labels: { [BLUE_GREEN_KEYS.role]: value }, resourceVersion };
}

/** The one cluster of each role, or why the pair has not exactly one. */
function byRole(secrets: readonly ListedSecret[], pair: string): { blue: ListedSecret; green: ListedSecret } | string {
  const of = (role: string) => secrets.filter((s) => s.labels[BLUE_GREEN_KEYS.role] === role);
  const [blue, green] = [of('blue'), of('green')];
  if (blue.length !== 1 || green.length !== 1 || !blue[0] || !green[0]) {
    return `pair ${pair} must have exactly one cluster with ${BLUE_GREEN_KEYS.role}=blue and one with green to step (its clusters: ${secrets.map((s) => `${s.clusterName} (${s.labels[BLUE_GREEN_KEYS.role] ?? 'no role'})`).join(', ')})`;
  }
  return { blue: blue[0], green: green[0] };
}

const weightOf = (s: ListedSecret): number | undefined => {
  const w = s.annotations[BLUE_GREEN_KEYS.weight];
  return w !== undefined && /^\d{1,3}$/.test(w) ? Number(w) : undefined;
};

export async function runPairChange(field: PairField, argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io, deps: WeightDeps = {}): Promise<number> {
  const parsed = parseCommandFlags(field, WEIGHT_USAGE, { args: [...argv], allowPositionals: false, options: PAIR_CHANGE_OPTIONS }, io, { choices: { output: OUTPUT_CHOICE } });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const problems: string[] = [];
  if (values.pair === undefined || !labelValueSchema.safeParse(values.pair).success) problems.push('give --pair with a valid label value');
  const wanted = new Map<string, string>();
  for (const kv of values.set ?? []) {
    const eq = kv.indexOf('=');
    const [name, value] = eq > 0 ? [kv.slice(0, eq), kv.slice(eq + 1)] : ['', ''];
    if (name === '') problems.push(`--set takes CLUSTER=VALUE, got "${kv}"`);
    else if (field === 'weight' && (!/^\d{1,3}$/.test(value) || Number(value) > 255)) problems.push(`the weight of ${name} must be a whole number from 0 to 255, got "${value}"`);
    else if (field === 'role' && (value === '' || !labelValueSchema.safeParse(value).success)) problems.push(`the role of ${name} must be a label value, got "${value}"`);
    else wanted.set(name, field === 'weight' ? String(Number(value)) : value);
  }
  const modes = [wanted.size > 0 || (values.set ?? []).length > 0 ? '--set' : undefined, values.step ? '--step' : undefined, values.rollback ? '--rollback' : undefined, values.freeze !== undefined ? '--freeze' : undefined, values.unfreeze ? '--unfreeze' : undefined].filter((m) => m !== undefined);
  if (modes.length === 0) problems.push(field === 'weight' ? 'give --set, --step or --rollback' : 'give --set, --freeze blue or --unfreeze');
  if (modes.length > 1) problems.push(`give only one of ${modes.join(', ')}`);
  if (field === 'weight' && (values.freeze !== undefined || values.unfreeze)) problems.push('--freeze and --unfreeze belong to greenlight role');
  if (field === 'role' && (values.step || values.rollback)) problems.push('--step and --rollback belong to greenlight weight');
  if (values.freeze !== undefined && values.freeze !== 'blue') problems.push(`only blue is frozen (--freeze blue), got "${values.freeze}"`);
  if (values.all && !values.rollback) problems.push('--all goes with --rollback');
  if (values.force && !values.step) problems.push('--force goes with --step');
  if (values.force && (values.reason === undefined || values.reason.trim() === '')) problems.push('--force needs --reason TEXT, which is recorded on the Secrets');
  if (values.reason !== undefined && !values.force) problems.push('--reason goes with --force');
  if (values.window !== undefined && !WINDOW_PATTERN.test(values.window)) problems.push(`--window is a duration such as 30s, 10m, 1h or 1d, got "${values.window}"`);
  const output = parseOutput(values.output);
  let inventory: ChosenInventory | undefined;
  try {
    inventory = chooseInventory(values.inventory, env, 'argocd');
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length > 0 || inventory === undefined) {
    io.err(`greenlight ${field}: ${problems.join('; ')}\nRun "greenlight ${field} --help" for its usage.\n`);
    return 2;
  }
  const live = inventory.kind === 'argocd';
  if (live && deps.store === undefined) {
    const problem = kubeconfigProblem(env);
    if (problem !== undefined) {
      io.err(`greenlight ${field}: ${problem}\n`);
      return 2;
    }
  }
  const pair = values.pair as string;
  const namespace = values.namespace ?? env['ARGOCD_NAMESPACE'] ?? 'argocd';
  const where = live ? `cluster Secret in ${namespace}` : `cluster in ${inventory.kind === 'demo' ? 'the bundled demo fleet' : `fleet file ${inventory.value}`}`;

  try {
    const store = live ? (deps.store?.() ?? (await import('../adapters/argocd/cluster-secret-store.js')).ClusterSecretStore.fromConfig()) : undefined;
    const listed = store
      ? await withProgress(io, `the cluster Secrets of pair ${pair} in namespace ${namespace} from the Kubernetes API`, store.list(namespace, `${BLUE_GREEN_KEYS.pair}=${pair}`))
      : await fleetClusters(inventory, env, io, pair);
    const secrets = listed.sort((a, b) => a.clusterName.localeCompare(b.clusterName));
    if (secrets.length === 0) {
      io.err(`greenlight ${field}: no ${where} has ${BLUE_GREEN_KEYS.pair}=${pair}\n`);
      return 1;
    }
    const unknown = [...wanted.keys()].filter((n) => !secrets.some((s) => s.clusterName === n));
    if (unknown.length > 0) {
      io.err(`greenlight ${field}: ${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in pair ${pair} (its clusters: ${secrets.map((s) => s.clusterName).join(', ')})\n`);
      return 1;
    }
    let extra: Record<string, string> = {};
    if (values.freeze !== undefined || values.unfreeze) return await freeze(store, secrets, pair, values.unfreeze === true, values.apply === true, io, inventory.kind === 'demo' ? 'the bundled demo fleet' : `fleet file ${inventory.value}`);
    if (values.step || values.rollback) {
      const roles = byRole(secrets, pair);
      if (typeof roles === 'string') {
        io.err(`greenlight weight: ${roles}\n`);
        return 1;
      }
      const now = { blue: weightOf(roles.blue), green: weightOf(roles.green) };
      if (now.blue === undefined || now.green === undefined) {
        io.err(`greenlight weight: ${[roles.blue, roles.green].filter((s) => weightOf(s) === undefined).map((s) => s.clusterName).join(' and ')} ha${now.blue === undefined && now.green === undefined ? 've' : 's'} no valid ${BLUE_GREEN_KEYS.weight}: set the pair's weights with --set first\n`);
        return 1;
      }
      const current = { blue: now.blue, green: now.green };
      let target;
      if (values.rollback) {
        const plan = loadConfig({ ...env, GREENLIGHT_TOKEN: 'cli-commands-need-no-token', GREENLIGHT_TOKEN_FILE: undefined }).gate.settings.plan;
        target = previousStep(plan, current, values.all === true);
        if (target === null) {
          io.out(`pair ${pair} is at ${current.blue}/${current.green} (blue/green), the plan's first step: nothing to roll back\n`);
          return 0;
        }
      } else {
        const gate = deps.gate ?? (async (p: string, o: { window?: string | undefined; inventory?: string | undefined }) => (await import('./gate.js')).evaluatePairGate({ pair: p, ...o, env }));
        const answer = await gate(pair, { window: values.window, inventory: values.inventory });
        const { formatGate } = await import('./gate.js');
        if (answer.decision !== 'go' && !values.force) {
          io.out(formatGate(answer));
          io.err(`greenlight weight: held by the gate (${answer.decision === 'hold' ? 'hold' : 'could not evaluate'}): nothing changed. Fix what the reasons say, or step anyway with --force --reason TEXT\n`);
          return GATE_EXIT_CODES.held;
        }
        if (answer.step.current.blue !== current.blue || answer.step.current.green !== current.green) {
          io.err(`greenlight weight: the gate judged ${answer.step.current.blue}/${answer.step.current.green} but the Secrets now say ${current.blue}/${current.green} (blue/green): someone changed them meanwhile; run it again\n`);
          return 1;
        }
        target = answer.step.next;
        if (target === null) {
          io.err(`greenlight weight: pair ${pair} is at ${current.blue}/${current.green} (blue/green), the plan's last step: there is no next step\n`);
          return 1;
        }
        if (values.force && answer.decision !== 'go') {
          const reason = (values.reason ?? '').trim();
          io.out(formatGate(answer));
          io.err(`greenlight weight: forced past the gate (${answer.decision}): ${reason}\n`);
          extra = { [FORCED_STEP_KEY]: `${new Date().toISOString()} ${current.blue}/${current.green} -> ${target.blue}/${target.green} over gate ${answer.decision}: ${reason}`.slice(0, 1024) };
        }
      }
      wanted.set(roles.blue.clusterName, String(target.blue));
      wanted.set(roles.green.clusterName, String(target.green));
    }
    const report = new ChangeReport(io, output, field, pair, secrets, (s) => current(s, field));
    const before = new Map(secrets.map((s) => [s.clusterName, current(s, field)]));
    const after = new Map(secrets.map((s) => [s.clusterName, wanted.get(s.clusterName) ?? current(s, field)]));
    report.after = after;

    if (field === 'weight') {
      const missing = [...after].filter(([, w]) => w === undefined || !/^\d{1,3}$/.test(w)).map(([n]) => n);
      if (missing.length > 0) {
        io.err(`greenlight weight: ${missing.join(', ')} ha${missing.length === 1 ? 's' : 've'} no valid ${BLUE_GREEN_KEYS.weight}: give ${missing.length === 1 ? 'it' : 'them'} one with --set so that the split is complete\n`);
        return 1;
      }
      const num = (m: Map<string, string | undefined>, n: string) => Number(m.get(n) ?? 0);
      const totalBefore = secrets.reduce((t, s) => t + num(before, s.clusterName), 0);
      const totalAfter = secrets.reduce((t, s) => t + num(after, s.clusterName), 0);
      const rows = secrets.map((s) => [s.clusterName, s.labels[BLUE_GREEN_KEYS.role] ?? '', `${before.get(s.clusterName) ?? '-'} → ${after.get(s.clusterName)}`, `${share(num(before, s.clusterName), totalBefore)} → ${share(num(after, s.clusterName), totalAfter)}`]);
      report.show(['cluster', 'role', 'weight', 'share of traffic'], rows);
      if (totalAfter === 0) {
        report.done(false);
        io.err(`greenlight weight: refused: every weight of pair ${pair} would be 0, and Route 53 then spreads traffic evenly over every record, which is rarely what was meant. Give one cluster a weight above 0\n`);
        return 1;
      }
    } else {
      report.show(['cluster', 'role'], secrets.map((s) => [s.clusterName, `${before.get(s.clusterName) ?? '-'} → ${after.get(s.clusterName)}`]));
    }

    const changes = secrets.filter((s) => before.get(s.clusterName) !== after.get(s.clusterName) || (Object.keys(extra).length > 0 && wanted.has(s.clusterName)));
    const rollbackSets = changes.map((s) => `--set ${s.clusterName}=${before.get(s.clusterName) ?? ''}`).join(' ');
    if (changes.length === 0) {
      report.done(false, 'nothing to change\n');
      return 0;
    }
    if (!values.apply) {
      report.done(false, `\nnot applied (dry run): add --apply to write it\n`);
      return 0;
    }
    if (!store) {
      report.done(false);
      const edits = changes.map((s) => `${field === 'weight' ? `annotation ${BLUE_GREEN_KEYS.weight}` : `label ${BLUE_GREEN_KEYS.role}`} of ${s.clusterName} to "${after.get(s.clusterName)}"`).join(', ');
      io.err(
        inventory.kind === 'demo'
          ? `greenlight ${field}: not applied: the bundled demo fleet is read-only; run it without --apply to see a change, or with --inventory argocd to write Argo CD's cluster Secrets\n`
          : `greenlight ${field}: not applied: greenlight does not write fleet files; set the ${edits} in ${inventory.value} (a running greenlight picks the change up), or use --inventory argocd\n`,
      );
      return 1;
    }

    const done: ListedSecret[] = [];
    try {
      for (const s of changes) {
        await store.patch(s.ref, patchFor(field, after.get(s.clusterName) as string, s.resourceVersion, extra));
        done.push(s);
      }
    } catch (err) {
      // Put back what was changed, so that the pair is never left half-changed.
      const restoreFailures: string[] = [];
      for (const s of done) {
        const old = before.get(s.clusterName);
        const key = field === 'weight' ? BLUE_GREEN_KEYS.weight : BLUE_GREEN_KEYS.role;
        const forced = Object.keys(extra).length > 0 ? { [FORCED_STEP_KEY]: s.annotations[FORCED_STEP_KEY] ?? null } : {};
        const restore: SecretPatch = field === 'weight' ? { annotations: { [key]: old ?? null, ...forced } } : { labels: { [key]: old ?? null } };
        await store.patch(s.ref, restore).catch((e: unknown) => restoreFailures.push(`${s.clusterName}: ${(e as Error).message}`));
      }
      report.done(false);
      io.err(`greenlight ${field}: not applied: ${(err as Error).message}${done.length > 0 ? `; ${restoreFailures.length === 0 ? `the ${done.length} change(s) already made were put back` : `putting back failed for ${restoreFailures.join('; ')}: check the pair by hand`}` : ''}\n`);
      return 1;
    }
    report.done(true, `\napplied to ${changes.length} cluster Secret(s) of pair ${pair}. To roll back:\n  greenlight ${field} --pair ${pair} ${rollbackSets} --apply\n`);
    return 0;
  } catch (err) {
    io.err(`greenlight ${field}: ${(err as Error).message}\n`);
    return 1;
  }
}

/**
 * What the command shows: in text, the table at once and a closing line; in json or yaml, one
 * document at the end with every cluster's value before and after and whether it was applied.
 */
class ChangeReport {
  after: ReadonlyMap<string, string | undefined> | undefined;

  constructor(
    private readonly io: Io,
    private readonly format: OutputFormat,
    private readonly field: PairField,
    private readonly pair: string,
    private readonly secrets: readonly ListedSecret[],
    private readonly current: (s: ListedSecret) => string | undefined,
  ) {}

  show(header: readonly string[], rows: readonly (readonly string[])[]): void {
    if (this.format === 'text') printTable(this.io, header, rows);
  }

  done(applied: boolean, text?: string): void {
    if (this.format === 'text') {
      if (text !== undefined) this.io.out(text);
      return;
    }
    const clusters = this.secrets.map((s) => ({
      cluster: s.clusterName,
      ...(this.field === 'weight' ? { role: s.labels[BLUE_GREEN_KEYS.role] ?? null } : {}),
      before: this.current(s) ?? null,
      after: this.after?.get(s.clusterName) ?? this.current(s) ?? null,
    }));
    this.io.out(formatStructured(this.format, { pair: this.pair, field: this.field, clusters, applied }));
  }
}

function printTable(io: Io, header: readonly string[], rows: readonly (readonly string[])[]): void {
  io.out(`${tableLines(header, rows).join('\n')}\n`);
}

/** `role --freeze blue` / `--unfreeze`: Argo CD's skip-reconcile on the drained blue cluster's Secret. */
async function freeze(store: Pick<ClusterSecretStore, 'list' | 'patch'> | undefined, secrets: readonly ListedSecret[], pair: string, unfreeze: boolean, apply: boolean, io: Io, readOnly: string): Promise<number> {
  const blue = secrets.filter((s) => s.labels[BLUE_GREEN_KEYS.role] === 'blue');
  if (blue.length !== 1 || !blue[0]) {
    io.err(`greenlight role: pair ${pair} must have exactly one cluster with ${BLUE_GREEN_KEYS.role}=blue to ${unfreeze ? 'unfreeze' : 'freeze'} (it has ${blue.length})\n`);
    return 1;
  }
  const target = blue[0];
  const now = target.annotations[SKIP_RECONCILE_KEY];
  if (!unfreeze) {
    const weight = target.annotations[BLUE_GREEN_KEYS.weight];
    if (weight === undefined || Number(weight) !== 0) {
      io.err(`greenlight role: refused: ${target.clusterName} (blue) still has ${BLUE_GREEN_KEYS.weight}=${weight ?? '(none)'}; drain it first (greenlight weight --pair ${pair} --step until blue's weight is 0, and Route 53 follows), then freeze it\n`);
      return 1;
    }
  }
  const wanted = unfreeze ? undefined : 'true';
  printTable(io, ['cluster', 'role', SKIP_RECONCILE_KEY], [[target.clusterName, 'blue', `${now ?? '-'} → ${wanted ?? '-'}`]]);
  if (now === wanted) {
    io.out('nothing to change\n');
    return 0;
  }
  if (!apply) {
    io.out('\nnot applied (dry run): add --apply to write it\n');
    return 0;
  }
  if (!store) {
    io.err(`greenlight role: not applied: ${readOnly} is not written by greenlight; run it without --apply to see the change, or with --inventory argocd to write Argo CD's cluster Secrets\n`);
    return 1;
  }
  try {
    await store.patch(target.ref, { annotations: { [SKIP_RECONCILE_KEY]: wanted ?? null }, resourceVersion: target.resourceVersion });
  } catch (err) {
    io.err(`greenlight role: not applied: ${(err as Error).message}\n`);
    return 1;
  }
  io.out(
    unfreeze
      ? `\napplied: Argo CD reconciles ${target.clusterName} again\n`
      : `\napplied: Argo CD (3.4+) no longer reconciles ${target.clusterName}; it stays reachable and idle. To undo:\n  greenlight role --pair ${pair} --unfreeze --apply\n`,
  );
  return 0;
}
