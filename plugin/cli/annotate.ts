/**
 * @module `greenlight annotate`: writes each cluster's facts onto its Argo CD cluster Secret, for
 * Argo CD installations without the plugin generator (the EKS-managed capability). The cluster
 * generator then exposes them as `metadata.annotations`. Prints the patches unless `--apply`.
 */
import { stringify } from 'yaml';
import { GreenlightError, TemplateCache } from '../../generator/index.js';
import { annotationsFor, changedOnly, ClusterSecretStore, FACTS_ANNOTATION_PREFIX, type AnnotationPatch, type SecretRef } from '../adapters/argocd/cluster-secret-store.js';
import { bindGenerate, type Fleet } from '../compose.js';
import { openCliFleet } from './cli-fleet.js';
import { withProgress } from './live-access.js';
import type { Command } from './commands.js';
import type { Io } from './io.js';
import { formatStructured, OUTPUT_CHOICE, OUTPUT_FORMATS, OUTPUT_OPTION, outputUsage, parseOutput } from './output.js';
import { flatten } from './preview.js';
import { INVENTORY_USAGE, inputFromFlags, SELECTION_CHOICES, SELECTION_OPTIONS, SELECTION_USAGE, UsageError } from './selection-flags.js';
import { fanOutSignal } from '../fan-out-signal.js';
import { parseCommandFlags } from './command-flags.js';

export const ANNOTATE_USAGE = `Usage: greenlight annotate [selection] [--compat gitops-bridge] [--apply]

Writes each selected cluster's facts onto its Argo CD cluster Secret as annotations, for Argo CD
without the plugin generator (e.g. the EKS-managed Argo CD capability). ApplicationSets then read
them through the cluster generator:
  goTemplate:    {{ index .metadata.annotations "${FACTS_ANNOTATION_PREFIX}aws.region" }}
  fasttemplate:  {{metadata.annotations.${FACTS_ANNOTATION_PREFIX}aws.region}}
With --compat gitops-bridge the flat gitops-bridge keys (aws_region, aws_vpc_id, ...) are written
too, as gitops-bridge writes them. Annotations under ${FACTS_ANNOTATION_PREFIX} that no longer apply
are removed; nothing else on the Secret is touched. Only what changed is written, and a Secret
that already holds its facts is not written at all ("unchanged"): every write re-runs every
ApplicationSet with a cluster generator. Run it again (a CronJob) to keep facts fresh. Clusters
registered by EKS cluster ARN (the EKS-managed Argo CD) are read with greenlight's own AWS identity.

Selection (default: every cluster):
${SELECTION_USAGE}

${INVENTORY_USAGE}
      --apply              patch the Secrets (needs --inventory argocd and patch on
                           secrets in the Argo CD namespace); without it, print the patches
${outputUsage('the merge patches as YAML, with how to apply them')}

Exit status: 0 done, 1 greenlight refused or a patch failed, 2 usage error.`;

interface Target {
  readonly cluster: string;
  readonly secret: SecretRef | undefined;
  /** What differs from the Secret's current annotations; empty when nothing does. */
  readonly annotations: AnnotationPatch;
  /** How many annotations the cluster's facts make (written or already there). */
  readonly managed: number;
}

export interface AnnotateDeps {
  /** Makes the writer for --apply (tests pass one pointed at a local API server). */
  readonly annotator?: () => Pick<ClusterSecretStore, 'annotate'>;
}

const ANNOTATE_OPTIONS = { ...SELECTION_OPTIONS, apply: { type: 'boolean' }, output: OUTPUT_OPTION, help: { type: 'boolean', short: 'h' } } as const;

export async function runAnnotate(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: Io, deps: AnnotateDeps = {}): Promise<number> {
  const parsed = parseCommandFlags('annotate', ANNOTATE_USAGE, { args: [...argv], allowPositionals: false, options: ANNOTATE_OPTIONS }, io, {
    choices: { ...SELECTION_CHOICES, output: OUTPUT_CHOICE },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  const output = parseOutput(values.output);

  let input: Record<string, unknown>;
  let fleet: Fleet;
  try {
    input = inputFromFlags(values);
    fleet = await openCliFleet(values.inventory, env, io);
  } catch (err) {
    io.err(`greenlight annotate: ${(err as Error).message}\n`);
    return err instanceof UsageError ? 2 : 1;
  }

  try {
    const sets = await withProgress(io, `the facts of the selected clusters (${fleet.description})`, bindGenerate(fleet, new TemplateCache())({ applicationSetName: 'greenlight-annotate', parameters: input }, fanOutSignal(AbortSignal.timeout(25_000))));
    const snapshot = fleet.inventory.snapshot();
    const connections = fleet.connections;
    const targets: Target[] = [];
    for (const set of sets) {
      const { facts: _facts, ...rest } = set;
      const record = snapshot.clusters.find((c) => c.name === set.cluster.name);
      const { patch, tooLong } = annotationsFor(flatten(rest), record?.annotations ?? {});
      if (tooLong.length > 0) {
        io.err(`greenlight annotate: cluster "${set.cluster.name}": ${tooLong.length} key(s) are too long for an annotation and are not written: ${tooLong.join(', ')}\n`);
      }
      const managed = Object.values(patch).filter((v) => v !== null).length;
      targets.push({ cluster: set.cluster.name, secret: connections?.connectionFor(set.cluster.name)?.secret, annotations: changedOnly(patch, record?.annotations ?? {}), managed });
    }
    const unchanged = (t: Target) => Object.keys(t.annotations).length === 0;
    const secretName = (t: Target) => (t.secret ? `Secret ${t.secret.namespace}/${t.secret.name}` : 'no Secret');
    const unchangedLine = (t: Target) => `unchanged ${secretName(t)} (cluster ${t.cluster}): its ${t.managed} annotations already hold these facts; not written\n`;

    if (!values.apply) {
      // The patches on stdout (so that they can be piped), the clusters that need none on stderr.
      for (const t of targets.filter(unchanged)) io.err(unchangedLine(t));
      const docs = targets.filter((t) => !unchanged(t)).map((t) => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { ...(t.secret ?? { name: `<the cluster Secret of ${t.cluster}>`, namespace: 'argocd' }), annotations: t.annotations },
      }));
      if (output !== 'text') io.out(formatStructured(output, docs, { stream: true }));
      else io.out(`# Merge patches for the Argo CD cluster Secrets (kubectl patch secret NAME -n NAMESPACE --type merge -p ...),\n# or run again with --apply.\n${docs.map((d) => stringify(d)).join('---\n')}`);
      return 0;
    }

    const missing = targets.filter((t) => t.secret === undefined).map((t) => t.cluster);
    if (missing.length > 0) {
      io.err(`greenlight annotate: --apply writes Argo CD cluster Secrets; ${missing.map((m) => `"${m}"`).join(', ')} ha${missing.length === 1 ? 's' : 've'} none (use --inventory argocd; the in-cluster entry cannot be annotated)\n`);
      return 1;
    }
    const annotator = deps.annotator?.() ?? ClusterSecretStore.fromConfig();
    let failed = 0;
    for (const t of targets) {
      if (unchanged(t)) {
        io.out(unchangedLine(t));
        continue;
      }
      try {
        await annotator.annotate(t.secret as SecretRef, t.annotations);
        const removed = Object.values(t.annotations).filter((v) => v === null).length;
        io.out(`annotated Secret ${t.secret?.namespace}/${t.secret?.name} (cluster ${t.cluster}): ${Object.keys(t.annotations).length - removed} set, ${removed} removed\n`);
      } catch (err) {
        failed++;
        io.err(`greenlight annotate: ${(err as Error).message}\n`);
      }
    }
    return failed === 0 ? 0 : 1;
  } catch (err) {
    const code = err instanceof GreenlightError ? ` [${err.code}]` : '';
    io.err(`greenlight annotate: greenlight refused${code}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await fleet.close();
  }
}

export const annotateCommand: Command = {
  usage: ANNOTATE_USAGE,
  options: ANNOTATE_OPTIONS,
  values: { output: OUTPUT_FORMATS, compat: SELECTION_CHOICES.compat.values },
  run: (argv, env, io) => runAnnotate(argv, env, io),
};
