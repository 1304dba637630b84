/**
 * @module `greenlight readiness`: is a blue/green pair ready for the next weight step? Reads both
 * clusters' facts through the fleet's facts provider, the Argo CD Applications and EKS's add-on
 * versions and upgrade insights (live mode), and prints the verdict for people or as JSON, with
 * an exit status a CI job can gate on.
 */
import {
  READINESS_EXIT_CODES,
  readinessExitCode,
  readinessVerdictSchema,
  type Finding,
  type ReadinessCheck,
  type ReadinessVerdict,
} from '../../generator/index.js';
import type { Fleet } from '../compose.js';
import type { Config } from '../config.js';
import { assessPair } from '../pairs/assess.js';
import { openReadinessInputs, type ReadinessInputs } from '../pairs/inputs.js';
import { createLogger } from '../logger.js';
import { driftForReadiness, openDriftInputs, type DriftInputs } from '../pairs/drift.js';
import { PairProblemError, resolvePair, type JudgedPair } from '../pairs/resolve.js';
import { openCliConfigAndFleet } from './cli-fleet.js';
import { withProgress } from './live-access.js';
import type { Command } from './commands.js';
import type { Io } from './io.js';
import { INVENTORY_OPTION, inventoryUsage } from './inventory-flag.js';
import { formatStructured, OUTPUT_CHOICE, OUTPUT_FORMATS, OUTPUT_OPTION, outputUsage, parseOutput } from './output.js';
import { fanOutSignal } from '../fan-out-signal.js';
import { pairFlagProblem, parseCommandFlags } from './command-flags.js';

export const READINESS_USAGE = `Usage: greenlight readiness --pair PAIR [-o text|json|yaml] [--inventory SRC]

Says whether a blue/green pair is ready for the next weight step, and what to fix first:
API versions green no longer serves in the Applications' manifests, EKS add-ons EKS does not
support on green's Kubernetes version (or older than blue's), SSM parameters and Pod Identity
associations blue has and green lacks, green older than blue, EKS upgrade insights, and
drift: what blue runs that Git does not (the audit of greenlight drift, which scans both
clusters). Applications, add-on versions, insights and drift scans are read with
--inventory argocd (live mode) only; the demo fleet has built-in ones.

  --pair PAIR              the pair (greenlight.io/pair label or EKS tag)
  --skip-drift             judge without the drift audit (it lists every object of both clusters)
${outputUsage('the verdict for people; json and yaml are the verdict as the UI reads it')}
${inventoryUsage('demo')}

Exit status: ${READINESS_EXIT_CODES.ready} ready (warnings may remain), ${READINESS_EXIT_CODES.blockers} blockers, ${READINESS_EXIT_CODES.error} readiness could not be evaluated (or a usage error).`;

/** How long the whole evaluation may take. */
const DEADLINE_MS = 45_000;

/** Says why a check was skipped in the words of this command (which inputs it reads in which mode). */
function explainSkips(verdict: ReadinessVerdict, live: boolean): ReadinessVerdict {
  if (live) return verdict;
  const why: Partial<Record<ReadinessCheck['check'], string>> = {
    'removed-apis': 'skipped: the removed-API check reads the Argo CD Applications, which only --inventory argocd has (a fleet file has none)',
    'addon-support': 'skipped: EKS add-on versions (DescribeAddonVersions) are read with --inventory argocd only',
    'eks-insights': 'skipped: EKS upgrade insights (ListInsights) are read with --inventory argocd only',
  };
  return {
    ...verdict,
    checks: verdict.checks.map((c) => {
      const detail = why[c.check];
      return c.outcome === 'skipped' && detail !== undefined && !c.detail.startsWith('no facts for') ? { ...c, detail } : c;
    }),
  };
}

const MARK: Readonly<Record<ReadinessCheck['outcome'], string>> = { ok: '✓', warnings: '!', blockers: '✗', skipped: '–' };

/** The verdict for people: the answer first, then what to fix, then what was (not) checked. */
export function formatVerdict(verdict: ReadinessVerdict, source: string): string {
  const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const lines: string[] = [];
  const state = verdict.ready ? 'READY for the next weight step' : 'NOT READY for the next weight step';
  lines.push(`Pair ${verdict.pair}: ${state} (${plural(verdict.blockers.length, 'blocker')}, ${plural(verdict.warnings.length, 'warning')})`);
  lines.push(`  blue   ${verdict.blue}  Kubernetes ${verdict.blueVersion ?? 'unknown'}`);
  lines.push(`  green  ${verdict.green}  Kubernetes ${verdict.greenVersion ?? 'unknown'}`);
  lines.push(`  from   ${source}`);
  const section = (title: string, findings: readonly Finding[], mark: string) => {
    lines.push('', `${title} (${findings.length})`);
    if (findings.length === 0) lines.push('  none');
    for (const f of findings) {
      lines.push(`  ${mark} [${f.kind}] ${f.subject}${f.cluster ? ` (on ${f.cluster})` : ''}`);
      lines.push(`    ${f.message}`);
      if (f.reference) lines.push(`    see ${f.reference}`);
    }
  };
  section('Blockers', verdict.blockers, '✗');
  section('Warnings', verdict.warnings, '!');
  lines.push('', 'Checks');
  const width = Math.max(...verdict.checks.map((c) => c.check.length));
  for (const c of verdict.checks) lines.push(`  ${MARK[c.outcome]} ${c.check.padEnd(width)}  ${c.outcome === 'skipped' && !c.detail.startsWith('skipped') ? `skipped: ${c.detail}` : c.detail}`);
  return `${lines.join('\n')}\n`;
}

const READINESS_OPTIONS = {
  pair: { type: 'string' },
  output: OUTPUT_OPTION,
  inventory: INVENTORY_OPTION,
  'skip-drift': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; returns the exit status (`READINESS_EXIT_CODES`). */
export async function runReadiness(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io): Promise<number> {
  const parsed = parseCommandFlags('readiness', READINESS_USAGE, { args: [...argv], allowPositionals: false, options: READINESS_OPTIONS }, io, {
    statuses: { error: READINESS_EXIT_CODES.error, help: READINESS_EXIT_CODES.ready },
    choices: { output: OUTPUT_CHOICE },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const output = parseOutput(values.output);
  const pairProblem = pairFlagProblem(values.pair);
  if (pairProblem !== undefined) {
    io.err(`greenlight readiness: ${pairProblem}\nRun "greenlight readiness --help" for its usage.\n`);
    return READINESS_EXIT_CODES.error;
  }
  const pairName = values.pair as string;

  let config: Config;
  let fleet: Fleet;
  try {
    ({ config, fleet } = await openCliConfigAndFleet(values.inventory, env, io));
  } catch (err) {
    io.err(`greenlight readiness: ${(err as Error).message}\n`);
    return READINESS_EXIT_CODES.error;
  }
  const live = config.inventory.kind === 'argocd';
  let inputs: ReadinessInputs | undefined;
  let driftInputs: DriftInputs | undefined;
  try {
    inputs = await openReadinessInputs(config, { demoInventory: fleet.inventory, aws: fleet.aws });
    if (!values['skip-drift']) driftInputs = await openDriftInputs(config, fleet, createLogger('silent'));
    const signal = fanOutSignal(AbortSignal.timeout(DEADLINE_MS));
    let judged: JudgedPair;
    try {
      judged = await withProgress(io, `the facts of pair ${pairName}'s clusters (${fleet.description})`, resolvePair(fleet.inventory.snapshot().clusters, fleet.facts, signal, pairName));
    } catch (err) {
      if (!(err instanceof PairProblemError)) throw err;
      io.err(`greenlight readiness: ${err.message} (clusters from ${fleet.description})\n`);
      return READINESS_EXIT_CODES.error;
    }
    const { blue, green, knownFacts } = judged;
    const applications = inputs.applications ? await inputs.applications.list(signal) : undefined;
    const drift = values['skip-drift']
      ? { skipped: 'not audited (--skip-drift)' }
      : await withProgress(io, `the drift scans of ${blue.name} and ${green.name}`, driftForReadiness({ pair: pairName, blue, green, inputs: driftInputs, config: config.drift, source: fleet.description }));
    const verdict = explainSkips(
      await withProgress(io, `the readiness checks of pair ${pairName}`, assessPair({ pair: pairName, blue, green, facts: fleet.facts, knownFacts, applications, readiness: inputs.readiness, drift, signal })),
      live,
    );
    if (output !== 'text') io.out(formatStructured(output, readinessVerdictSchema.parse(verdict)));
    else io.out(formatVerdict(verdict, `${fleet.description}${applications ? `; ${applications.length} Argo CD Application(s)` : ''}`));
    return readinessExitCode([verdict]);
  } catch (err) {
    io.err(`greenlight readiness: readiness of pair ${pairName} could not be evaluated: ${(err as Error).message}\n`);
    return READINESS_EXIT_CODES.error;
  } finally {
    inputs?.close();
    driftInputs?.close();
    await fleet.close();
  }
}

export const readinessCommand: Command = { usage: READINESS_USAGE, options: READINESS_OPTIONS, values: { output: OUTPUT_FORMATS }, run: runReadiness };
