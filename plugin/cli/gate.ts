/**
 * @module `greenlight gate`: may traffic move one step from blue to green now? Combines the
 * pair's readiness verdict, green's live health beside blue's (Prometheus), the weights Route 53
 * holds against the desired ones, and the ExternalDNS prefix of each cluster into one answer,
 * every reason with its evidence. Exit 0 go, 2 hold, 1 could not evaluate.
 */
import { formatValue, GATE_EXIT_CODES, gateAnswerSchema, SIGNALS, WINDOW_PATTERN, type GateAnswer, type GateReason } from '../../generator/index.js';
import type { Fleet } from '../compose.js';
import type { Config } from '../config.js';
import { fanOutSignal } from '../fan-out-signal.js';
import { assessPair } from '../pairs/assess.js';
import { assessGate, gateReadiness, openGateSources, type GateSources } from '../pairs/gate.js';
import { openReadinessInputs, type ReadinessInputs } from '../pairs/inputs.js';
import { PairProblemError, resolvePair } from '../pairs/resolve.js';
import { openCliConfigAndFleet } from './cli-fleet.js';
import { pairFlagProblem, parseCommandFlags } from './command-flags.js';
import type { Command } from './commands.js';
import type { Io } from './io.js';
import { INVENTORY_OPTION, inventoryUsage } from './inventory-flag.js';
import { withProgress } from './live-access.js';
import { formatStructured, OUTPUT_CHOICE, OUTPUT_FORMATS, OUTPUT_OPTION, outputUsage, parseOutput, tableLines } from './output.js';

export const GATE_USAGE = `Usage: greenlight gate --pair PAIR [-o text|json|yaml] [--window D] [--app-namespace NS] [--inventory SRC]

Says whether traffic may move to the next step of the plan (100/0, 80/20, 50/50, 20/80, 0/100
by default): readiness has no blocker, green's 5xx ratio, p99 latency and container restarts are
not worse than blue's beyond the thresholds (Prometheus: GREENLIGHT_PROMETHEUS_URL), Route 53's
weighted records carry the weights the cluster Secrets ask for (GREENLIGHT_ROUTE53_ZONES), and
blue's and green's ExternalDNS read the same annotation prefix. Every reason has its evidence.

  --pair PAIR              the pair (greenlight.io/pair label or EKS tag)
${outputUsage('the answer for people; json and yaml are the answer as the UI reads it')}
  --window D               how far back live signals look (default 10m, or the gate config's)
  --app-namespace NS       judge live health on one app family's namespace only
${inventoryUsage('demo')}

Exit status: ${GATE_EXIT_CODES.go} go, ${GATE_EXIT_CODES.hold} hold, ${GATE_EXIT_CODES.unknown} could not evaluate (or a usage error).`;

/** How long the whole evaluation may take. */
const DEADLINE_MS = 45_000;

export function gateExitCode(answer: GateAnswer): number {
  return answer.decision === 'go' ? GATE_EXIT_CODES.go : answer.decision === 'hold' ? GATE_EXIT_CODES.hold : GATE_EXIT_CODES.unknown;
}

/** Thrown for what the operator must fix before the gate can be asked (pair labels, config). */
export class GateSetupError extends Error {}

/**
 * The gate's answer for one pair, with the service's configuration (and `inventory` when given).
 * Rejects with `GateSetupError` when the pair or the configuration cannot be used.
 */
export async function evaluatePairGate(options: {
  readonly pair: string;
  readonly inventory?: string | undefined;
  readonly window?: string | undefined;
  readonly namespace?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}): Promise<GateAnswer> {
  let config: Config;
  let fleet: Fleet;
  try {
    ({ config, fleet } = await openCliConfigAndFleet(options.inventory, options.env));
  } catch (err) {
    throw new GateSetupError((err as Error).message);
  }
  let inputs: ReadinessInputs | undefined;
  let sources: GateSources | undefined;
  try {
    inputs = await openReadinessInputs(config, { demoInventory: fleet.inventory, aws: fleet.aws });
    sources = await openGateSources(config, { connections: fleet.connections, aws: fleet.aws, demoInventory: fleet.inventory });
    const signal = fanOutSignal(AbortSignal.timeout(DEADLINE_MS));
    let judged;
    try {
      judged = await resolvePair(fleet.inventory.snapshot().clusters, fleet.facts, signal, options.pair);
    } catch (err) {
      if (err instanceof PairProblemError) throw new GateSetupError(`${err.message} (clusters from ${fleet.description})`);
      throw err;
    }
    const { blue, green, knownFacts } = judged;
    let readiness;
    try {
      const applications = inputs.applications ? await inputs.applications.list(signal) : undefined;
      readiness = gateReadiness(await assessPair({ pair: options.pair, blue, green, facts: fleet.facts, knownFacts, applications, readiness: inputs.readiness, signal }));
    } catch (err) {
      readiness = gateReadiness({ error: (err as Error).message });
    }
    return await assessGate({ pair: options.pair, blue, green, readiness, sources, window: options.window, namespace: options.namespace, signal });
  } finally {
    sources?.close();
    inputs?.close();
    await fleet.close();
  }
}

const MARK: Readonly<Record<GateReason['outcome'], string>> = { hold: '✗', unknown: '?', note: '·' };

const table = (header: readonly string[], rows: readonly (readonly string[])[]) => tableLines(header, rows, '  ');

/** The answer for people: the decision first, then every reason with its evidence, then the data. */
export function formatGate(answer: GateAnswer): string {
  const step = (w: { blue: number | null; green: number | null } | null) => (w ? `${w.blue ?? '-'}/${w.green ?? '-'}` : 'none');
  const head = { go: 'GO', hold: 'HOLD', unknown: 'COULD NOT EVALUATE' }[answer.decision];
  const lines = [
    `Pair ${answer.pair}: ${head} for the next step ${step(answer.step.current)} → ${step(answer.step.next)} (blue/green Route 53 weights)`,
    `  blue   ${answer.blue}`,
    `  green  ${answer.green}`,
    `  plan   ${answer.step.plan.map((s) => `${s.blue}/${s.green}`).join(', ')}; live signals over ${answer.window}`,
    '',
    `Reasons (${answer.reasons.length})`,
  ];
  if (answer.reasons.length === 0) lines.push('  none: every check holds up');
  for (const r of answer.reasons) {
    lines.push(`  ${MARK[r.outcome]} [${r.check}] ${r.message}`);
    for (const [k, v] of Object.entries(r.evidence)) lines.push(`      ${k}: ${v === null ? '-' : String(v)}`);
  }
  if (answer.health.length > 0) {
    lines.push('', 'Live health (green beside blue)');
    lines.push(
      ...table(
        ['signal', answer.blue, answer.green, 'limit', 'outcome'],
        answer.health.map((h) => {
          const f = (v: number | null) => (v === null ? '-' : formatValue(h.unit, v));
          return [SIGNALS[h.signal].label, f(h.blue), f(h.green), f(h.limit), h.outcome];
        }),
      ),
    );
  }
  if (answer.split.length > 0) {
    lines.push('', 'Split (Route 53 against greenlight.io/weight)');
    lines.push(...table(['record', 'zone', 'cluster', 'desired', 'actual', 'owner', 'outcome'], answer.split.map((s) => [s.record || '-', s.zoneId || '-', s.cluster, String(s.desired ?? '-'), String(s.actual ?? '-'), s.owner ?? '-', s.outcome])));
  }
  if (answer.externalDns.length > 0) {
    lines.push('', 'ExternalDNS');
    lines.push(...table(['cluster', 'version', 'prefix', 'owner id', 'from'], answer.externalDns.map((d) => [d.cluster, d.version ?? '-', d.prefix ?? '-', d.ownerId ?? '-', d.source])));
  }
  return `${lines.join('\n')}\n`;
}

/** Runs the command; returns the exit status (`GATE_EXIT_CODES`). */
const GATE_OPTIONS = {
  pair: { type: 'string' },
  output: OUTPUT_OPTION,
  window: { type: 'string' },
  'app-namespace': { type: 'string' },
  inventory: INVENTORY_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runGate(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io): Promise<number> {
  const parsed = parseCommandFlags('gate', GATE_USAGE, { args: [...argv], allowPositionals: false, options: GATE_OPTIONS }, io, {
    statuses: { error: GATE_EXIT_CODES.unknown, help: GATE_EXIT_CODES.go },
    choices: { output: OUTPUT_CHOICE },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const output = parseOutput(values.output);
  const problems: string[] = [];
  const pairProblem = pairFlagProblem(values.pair);
  if (pairProblem !== undefined) problems.push(pairProblem);
  if (values.window !== undefined && !WINDOW_PATTERN.test(values.window)) problems.push(`--window is a duration such as 30s, 10m, 1h or 1d, got "${values.window}"`);
  if (problems.length > 0) {
    io.err(`greenlight gate: ${problems.join('; ')}\nRun "greenlight gate --help" for its usage.\n`);
    return GATE_EXIT_CODES.unknown;
  }
  try {
    const answer = await withProgress(io, `the gate of pair ${values.pair} (readiness, Prometheus, Route 53)`, evaluatePairGate({ pair: values.pair as string, inventory: values.inventory, window: values.window, namespace: values['app-namespace'], env }));
    io.out(output === 'text' ? formatGate(answer) : formatStructured(output, gateAnswerSchema.parse(answer)));
    return gateExitCode(answer);
  } catch (err) {
    io.err(`greenlight gate: ${err instanceof GateSetupError ? '' : `the gate of pair ${values.pair} could not be evaluated: `}${(err as Error).message}\n`);
    return GATE_EXIT_CODES.unknown;
  }
}

export const gateCommand: Command = { usage: GATE_USAGE, options: GATE_OPTIONS, values: { output: OUTPUT_FORMATS }, run: runGate };
