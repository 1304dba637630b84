/**
 * @module `greenlight drift`: what blue runs that Git does not. Scans the pair's two clusters
 * (metadata only), and prints blue's unmanaged objects, hotfixes and EBS-bound data with whether
 * green has them, for people, as JSON, or as manifests ready to commit to Git; with an exit
 * status a CI job can gate on.
 */
import { stringify } from 'yaml';
import {
  DRIFT_EXIT_CODES,
  driftExitCode,
  driftReportSchema,
  unresolvedFindings,
  type ClusterRecord,
  type DriftFinding,
  type DriftReport,
  type ManagerEntry,
} from '../../generator/index.js';
import type { Fleet } from '../compose.js';
import type { Config } from '../config.js';
import { fanOutSignal } from '../fan-out-signal.js';
import { createLogger } from '../logger.js';
import { auditDrift, openDriftInputs, type DriftInputs } from '../pairs/drift.js';
import { PairProblemError, resolvePair, type JudgedPair } from '../pairs/resolve.js';
import { openCliConfigAndFleet } from './cli-fleet.js';
import { pairFlagProblem, parseCommandFlags } from './command-flags.js';
import type { Command } from './commands.js';
import type { Io } from './io.js';
import { INVENTORY_OPTION, inventoryUsage } from './inventory-flag.js';
import { withProgress } from './live-access.js';
import { formatStructured, OUTPUT_FORMATS, OUTPUT_OPTION } from './output.js';

export const DRIFT_USAGE = `Usage: greenlight drift --pair PAIR [-o text|json|yaml|manifests] [--inventory SRC]

What blue runs that Git does not, found before green replaces it: objects a client tool
(kubectl, helm, k9s, Lens…) made that no Argo CD Application tracks, Argo CD-managed objects a
client tool changed after Argo CD's last apply (hotfixes), and PersistentVolumeClaims bound to
EBS volumes (their data stays on blue). Each says whether green has it. Reads each cluster's own
API, metadata only (never a Secret's data), so it needs --inventory argocd.

  --pair PAIR              the pair (greenlight.io/pair label or EKS tag)
  -o, --output FORMAT      text (default), json or yaml (the report, as the UI reads it), or manifests
                           (blue's unmanaged objects as clean YAML to commit to Git; Secrets by name only)
${inventoryUsage('argocd')}

Sign a finding off with the annotation greenlight.io/drift: ignore, or GREENLIGHT_DRIFT_ACCEPT.

Exit status: ${DRIFT_EXIT_CODES.clean} blue has nothing green lacks, ${DRIFT_EXIT_CODES.drift} it has, ${DRIFT_EXIT_CODES.error} drift could not be evaluated (or a usage error).`;

/** How long the whole audit may take, both clusters' scans included. */
const DEADLINE_MS = 10 * 60_000;

const OUTPUTS = [...OUTPUT_FORMATS, 'manifests'] as const;

const DRIFT_OPTIONS = {
  pair: { type: 'string' },
  output: OUTPUT_OPTION,
  inventory: INVENTORY_OPTION,
  help: { type: 'boolean', short: 'h' },
} as const;

/** Who made or last changed an object: its writers other than on subresources, with times. */
function writers(managers: readonly ManagerEntry[]): string {
  const main = managers.filter((m) => m.subresource === null);
  const list = (main.length > 0 ? main : managers).map((m) => `${m.manager}${m.time ? ` at ${m.time}` : ''}`);
  return list.length > 0 ? list.join(', ') : 'unknown (no managedFields)';
}

function age(createdAt: string | null, now: number): string {
  if (createdAt === null) return 'created at an unknown time';
  const days = Math.floor((now - Date.parse(createdAt)) / 86_400_000);
  return `created ${createdAt} (${days < 1 ? 'less than a day' : `${days} day${days === 1 ? '' : 's'}`} ago)`;
}

const where = (f: DriftFinding) => `${f.namespace ? `${f.namespace}/` : ''}${f.kind} ${f.name}`;

/** The report for people: the answer first, then each finding with who made it and what to do. */
export function formatDrift(report: DriftReport, now: number, source: string): string {
  const lines: string[] = [];
  const open = unresolvedFindings(report);
  const accepted = report.findings.filter((f) => f.accepted).length;
  lines.push(
    open.length === 0
      ? `Pair ${report.pair}: blue ${report.blue} has nothing green ${report.green} lacks (${report.findings.length} finding(s), ${accepted} accepted)`
      : `Pair ${report.pair}: blue ${report.blue} has ${open.length} thing(s) green ${report.green} lacks (${report.findings.length} finding(s), ${accepted} accepted)`,
  );
  for (const s of report.scans) lines.push(`  scanned  ${s.cluster}  ${s.objects} objects of ${s.resourceTypes} resource types at ${s.scannedAt}`);
  lines.push(`  tracking Argo CD ${report.trackingMethod} tracking`, `  from     ${source}`);
  const mark = (f: DriftFinding) => (f.accepted ? '✓' : f.missingOnGreen ? (f.class === 'stateful' ? '✗' : '!') : '·');
  const state = (f: DriftFinding) =>
    f.accepted ? `accepted (${f.acceptedBy === 'annotation' ? 'annotation greenlight.io/drift: ignore' : 'GREENLIGHT_DRIFT_ACCEPT'})` : f.missingOnGreen ? 'missing on green' : 'green has it too';
  const section = (title: string, findings: readonly DriftFinding[], detail: (f: DriftFinding) => string[]) => {
    lines.push('', `${title} (${findings.length})`);
    if (findings.length === 0) lines.push('  none');
    for (const f of findings) {
      lines.push(`  ${mark(f)} ${where(f)}  ${state(f)}`);
      for (const d of detail(f)) lines.push(`      ${d}`);
    }
  };
  const of = (c: DriftFinding['class']) => report.findings.filter((f) => f.class === c);
  section('Unmanaged: made outside Git, no Argo CD Application tracks them', of('unmanaged'), (f) => [
    `by ${writers(f.managers)}; ${age(f.createdAt, now)}`,
    ...(f.missingOnGreen && !f.accepted ? ['lost at cutover: put it in Git (greenlight drift -o manifests prints it), or delete it'] : []),
  ]);
  section('Hotfixes: changed after Argo CD’s last apply', of('hotfix'), (f) => [
    `Application ${f.app ?? '?'}; ${f.fields.length > 0 ? `fields ${f.fields.join(', ')}` : 'fields unknown'} by ${writers(f.managers.filter((m) => !m.manager.startsWith('argocd')))}`,
    ...(f.missingOnGreen && !f.accepted ? ['green runs what Git says: put the change in Git, or undo it on blue'] : []),
  ]);
  section('Stateful: data on EBS volumes that green cannot share', of('stateful'), (f) => {
    const v = f.volume;
    if (!v) return [];
    return [
      `${v.driver} volume ${v.volumeId ?? v.volumeName}, ${v.size ?? 'size unknown'} in ${v.zone ?? 'an unknown zone'}, StorageClass ${v.storageClass ?? 'none'}`,
      `used by ${v.workloads.length > 0 ? v.workloads.join(', ') : 'no running pod'}${v.apps.length > 0 ? ` (Application ${v.apps.join(', ')})` : ''}`,
      ...(f.accepted ? [] : ['migrate the data (EBS snapshot, or the application\'s own replication) before green takes this workload']),
    ];
  });
  lines.push('', `Coverage gaps (${report.gaps.length})`);
  if (report.gaps.length === 0) lines.push('  none: every listable resource type was scanned');
  for (const g of report.gaps) lines.push(`  – ${g.cluster} ${g.resource}: ${g.detail}`);
  return `${lines.join('\n')}\n`;
}

/** Fields of an object that the cluster wrote, not its author: stripped before it goes to Git. */
function clean(object: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(object);
  delete out['status'];
  const meta = out['metadata'];
  if (meta !== null && typeof meta === 'object') {
    const m = meta as Record<string, unknown>;
    for (const k of ['managedFields', 'uid', 'resourceVersion', 'creationTimestamp', 'ownerReferences', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete m[k];
    const annotations = m['annotations'];
    if (annotations !== null && typeof annotations === 'object') {
      const a = annotations as Record<string, unknown>;
      for (const k of ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision']) delete a[k];
      if (Object.keys(a).length === 0) delete m['annotations'];
    }
  }
  // Addresses the cluster assigned to a Service.
  if (out['kind'] === 'Service' && out['spec'] !== null && typeof out['spec'] === 'object') {
    const spec = out['spec'] as Record<string, unknown>;
    for (const k of ['clusterIP', 'clusterIPs']) delete spec[k];
  }
  return out;
}

/** Blue's unmanaged objects (not accepted) as YAML documents; Secrets by name only. */
async function manifests(report: DriftReport, blue: ClusterRecord, inputs: DriftInputs, signal: AbortSignal): Promise<string> {
  const docs: string[] = [];
  for (const f of report.findings.filter((x) => x.class === 'unmanaged' && !x.accepted)) {
    const id = `${f.group === '' ? f.version : `${f.group}/${f.version}`} ${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}`;
    if (f.group === '' && f.resource === 'secrets') {
      docs.push(`# ${id}: a Secret, shown by name only (greenlight never reads Secret values); keep its value in your secret store (External Secrets, SSM) and reference it from Git\n`);
      continue;
    }
    const object = await inputs.scanner.readObject(blue, { group: f.group, version: f.version, resource: f.resource, namespace: f.namespace, name: f.name }, signal);
    if (object === undefined) {
      docs.push(`# ${id}: gone from ${report.blue} since the scan\n`);
      continue;
    }
    docs.push(`# ${id} on ${report.blue}, made by ${writers(f.managers)}\n${stringify(clean(object), { lineWidth: 0 })}`);
  }
  return docs.length === 0 ? '# no unmanaged objects on blue\n' : docs.join('---\n');
}

/** Runs the command; returns the exit status (`DRIFT_EXIT_CODES`). */
export async function runDrift(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io, now: () => number = Date.now): Promise<number> {
  const parsed = parseCommandFlags('drift', DRIFT_USAGE, { args: [...argv], allowPositionals: false, options: DRIFT_OPTIONS }, io, {
    statuses: { error: DRIFT_EXIT_CODES.error, help: DRIFT_EXIT_CODES.clean },
    choices: { output: { values: OUTPUTS } },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const problems: string[] = [];
  const pairProblem = pairFlagProblem(values.pair);
  if (pairProblem !== undefined) problems.push(pairProblem);
  const output = (values.output ?? 'text') as (typeof OUTPUTS)[number];
  if (problems.length > 0) {
    io.err(`greenlight drift: ${problems.join('; ')}\nRun "greenlight drift --help" for its usage.\n`);
    return DRIFT_EXIT_CODES.error;
  }
  const pairName = values.pair as string;

  let config: Config;
  let fleet: Fleet;
  try {
    ({ config, fleet } = await openCliConfigAndFleet(values.inventory, env, io));
  } catch (err) {
    io.err(`greenlight drift: ${(err as Error).message}\n`);
    return DRIFT_EXIT_CODES.error;
  }
  let inputs: DriftInputs | undefined;
  try {
    inputs = await openDriftInputs(config, fleet, createLogger('silent'));
    if (!inputs) {
      io.err(`greenlight drift: drift reads each cluster's own API, which ${fleet.description} does not give: run it with --inventory argocd\n`);
      return DRIFT_EXIT_CODES.error;
    }
    const signal = fanOutSignal(AbortSignal.timeout(DEADLINE_MS));
    let judged: JudgedPair;
    try {
      judged = await withProgress(io, `the facts of pair ${pairName}'s clusters (${fleet.description})`, resolvePair(fleet.inventory.snapshot().clusters, fleet.facts, signal, pairName));
    } catch (err) {
      if (!(err instanceof PairProblemError)) throw err;
      io.err(`greenlight drift: ${err.message} (clusters from ${fleet.description})\n`);
      return DRIFT_EXIT_CODES.error;
    }
    const { blue, green } = judged;
    const report = driftReportSchema.parse(await withProgress(io, `the drift scans of ${blue.name} and ${green.name}`, auditDrift({ pair: pairName, blue, green, inputs, config: config.drift, signal })));
    if (output === 'json' || output === 'yaml') io.out(formatStructured(output, report));
    else if (output === 'manifests') io.out(await manifests(report, blue, inputs, signal));
    else io.out(formatDrift(report, now(), fleet.description));
    return driftExitCode(report);
  } catch (err) {
    io.err(`greenlight drift: drift of pair ${pairName} could not be evaluated: ${(err as Error).message}\n`);
    return DRIFT_EXIT_CODES.error;
  } finally {
    inputs?.close();
    await fleet.close();
  }
}

export const driftCommand: Command = { usage: DRIFT_USAGE, options: DRIFT_OPTIONS, values: { output: OUTPUTS }, run: (argv, env, io) => runDrift(argv, env, io) };
