/**
 * @module Finds greenlight's input in an ApplicationSet manifest, so that `greenlight preview`
 * can be pointed at the file an author is writing. A plugin generator nested in a matrix after
 * a `clusters` generator is expanded once per matching cluster, the way Argo CD renders it.
 */
import { z } from 'zod';
import { matchesSelector, normalizeName, labelSelectorSchema, type ClusterRecord } from '../../generator/index.js';

const looseRecord = z.record(z.string(), z.unknown());
const pluginSchema = z.object({ input: z.object({ parameters: looseRecord.optional() }).loose().optional() }).loose();
const generatorSchema: z.ZodType<Generator> = z.lazy(() =>
  z
    .object({
      plugin: pluginSchema.optional(),
      clusters: z.object({ selector: labelSelectorSchema.loose().optional() }).loose().optional(),
      matrix: z.object({ generators: z.array(generatorSchema) }).loose().optional(),
      merge: z.object({ generators: z.array(generatorSchema) }).loose().optional(),
    })
    .loose(),
);
interface Generator {
  plugin?: z.infer<typeof pluginSchema> | undefined;
  clusters?: { selector?: z.infer<typeof labelSelectorSchema> | undefined } | undefined;
  matrix?: { generators: Generator[] } | undefined;
  merge?: { generators: Generator[] } | undefined;
}
const applicationSetSchema = z.object({
  kind: z.literal('ApplicationSet'),
  spec: z.object({ goTemplate: z.boolean().optional(), generators: z.array(generatorSchema) }).loose(),
}).loose();

/** One call greenlight would receive: where it sits in the ApplicationSet and its input. */
export interface PluginCall {
  readonly where: string;
  readonly parameters: Record<string, unknown>;
  /** The first-generator cluster the input was rendered for, inside a matrix. */
  readonly renderedFor?: string;
}

export function isApplicationSet(doc: unknown): boolean {
  return (doc as { kind?: unknown } | null)?.kind === 'ApplicationSet';
}

/** Renders `{{.name}}`, `{{ name }}`, `{{index .metadata.labels "k"}}`... with a cluster generator's parameters. */
export function renderClusterParams(value: unknown, cluster: ClusterRecord): unknown {
  const params: Record<string, string> = {
    name: cluster.name,
    nameNormalized: normalizeName(cluster.name),
    server: cluster.server,
    project: cluster.project,
  };
  for (const [k, v] of Object.entries(cluster.labels)) params[`metadata.labels.${k}`] = v;
  for (const [k, v] of Object.entries(cluster.annotations)) params[`metadata.annotations.${k}`] = v;
  const render = (s: string) =>
    s
      .replace(/\{\{-?\s*index\s+\.metadata\.(labels|annotations)\s+"([^"]+)"\s*-?\}\}/g, (all, kind: string, key: string) => params[`metadata.${kind}.${key}`] ?? all)
      .replace(/\{\{-?\s*\.?([A-Za-z0-9_.\-/]+)\s*-?\}\}/g, (all, key: string) => params[key] ?? all);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return render(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [render(k), walk(x)]));
    return v;
  };
  return walk(value);
}

/** Every greenlight call the ApplicationSet makes against this inventory. */
export function pluginCalls(doc: unknown, clusters: readonly ClusterRecord[]): PluginCall[] {
  const parsed = applicationSetSchema.safeParse(doc);
  if (!parsed.success) throw new Error(`the file is not an ApplicationSet greenlight can read: ${parsed.error.issues[0]?.message ?? ''}`);
  const calls: PluginCall[] = [];
  const visit = (gen: Generator, where: string, first?: Generator) => {
    if (gen.plugin) {
      const parameters = gen.plugin.input?.parameters ?? {};
      if (first?.clusters) {
        const selector = first.clusters.selector ?? {};
        for (const cluster of clusters.filter((c) => matchesSelector(c.labels, selector))) {
          calls.push({ where, parameters: renderClusterParams(parameters, cluster) as Record<string, unknown>, renderedFor: cluster.name });
        }
      } else calls.push({ where, parameters });
    }
    gen.matrix?.generators.forEach((g, i) => visit(g, `${where}.matrix.generators[${i}]`, i === 1 ? gen.matrix?.generators[0] : undefined));
    gen.merge?.generators.forEach((g, i) => visit(g, `${where}.merge.generators[${i}]`));
  };
  parsed.data.spec.generators.forEach((g, i) => visit(g, `spec.generators[${i}]`));
  return calls;
}
