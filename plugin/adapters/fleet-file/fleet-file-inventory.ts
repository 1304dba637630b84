/**
 * @module A fleet file: clusters and their facts in one YAML file. It backs the demo and
 * laptop use, and is an inventory and a fact source at once. An invalid file makes the
 * inventory unavailable (every request fails closed) rather than shrinking the fleet. A changed
 * file is read only once it has stopped changing: a file written in place in steps is not read
 * half-written (many prefixes of a fleet file are valid fleets with fewer clusters).
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  clusterFactsSchema,
  describeIssues,
  UnavailableError,
  type ClusterFacts,
  type ClusterFactsProvider,
  type ClusterInventory,
  type ClusterRecord,
  type FactsResult,
  type FactSource,
  type InventorySnapshot,
} from '../../../generator/index.js';
import type { Logger } from '../../logger.js';
import { hasUserinfo } from '../upstream-text.js';

const stringMap = z.record(z.string(), z.string()).default({});

export const fleetClusterSchema = z.strictObject({
  name: z.string().min(1).describe('Argo CD cluster name.'),
  server: z
    .string()
    .min(1)
    .refine((server) => !hasUserinfo(server), 'must not carry a user name or password (https://user:password@host): greenlight does not use or show them; remove them')
    .describe('API server URL, as in the Argo CD cluster Secret.'),
  project: z.string().default(''),
  labels: stringMap,
  annotations: stringMap,
  aws: z.strictObject({ clusterName: z.string().min(1), roleArn: z.string().optional(), profile: z.string().optional() }).optional(),
  facts: clusterFactsSchema.strict().default({}),
});

export const fleetFileSchema = z
  .strictObject({
    apiVersion: z.literal('greenlight.io/v1alpha1'),
    kind: z.literal('Fleet'),
    clusters: z.array(fleetClusterSchema),
  })
  .superRefine((fleet, ctx) => {
    const seen = new Set<string>();
    fleet.clusters.forEach((c, i) => {
      if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicate cluster name "${c.name}"` });
      seen.add(c.name);
    });
  });

export type FleetFile = z.infer<typeof fleetFileSchema>;

interface Loaded {
  readonly snapshot: InventorySnapshot;
  readonly facts: ReadonlyMap<string, ClusterFacts>;
  readonly loadedAt: string;
}

/** Parses fleet file text; throws `Error` listing every problem with its path. */
export function parseFleet(text: string, label: string): FleetFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    // The parser's first line names the line and column; the rest is a code frame, not for one-line reasons.
    const [first = ''] = (err as Error).message.split('\n');
    throw new Error(`${label} is not valid YAML: ${first.replace(/:$/, '')}`);
  }
  const parsed = fleetFileSchema.safeParse(doc);
  if (!parsed.success) throw new Error(`${label} is not a valid fleet file: ${describeIssues(parsed.error.issues, '')}`);
  return parsed.data;
}

export class FleetFileInventory implements ClusterInventory, FactSource, ClusterFactsProvider {
  readonly source = 'fleet' as const;
  private loaded: Loaded | undefined;
  private failure: string | undefined;
  private watching = false;
  /** The text last read (loaded or refused), to skip re-reading a file that did not change. */
  private lastText: string | undefined;
  private settleMs = 0;
  private settleTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  /** inode, size and mtime at the last poll: a change of any means the file may have changed. */
  private lastStat: string | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly path: string,
    private readonly logger: Logger,
    private readonly label = `fleet file ${path}`,
  ) {}

  /** Loads the file now; throws if it is invalid (so that boot fails with the reason). */
  load(): this {
    this.reload(true);
    return this;
  }

  /**
   * Re-reads the file whenever it changes (its inode, size or mtime, polled every `intervalMs`,
   * which also works on mounted ConfigMaps), once its content has stayed the same for `settleMs`
   * after the last change seen.
   */
  watch(intervalMs = 2000, settleMs = 1000): this {
    if (!this.watching) {
      this.settleMs = settleMs;
      this.watching = true;
      this.lastStat = this.statKey();
      this.pollTimer = setInterval(() => {
        const key = this.statKey();
        if (key === this.lastStat) return;
        this.lastStat = key;
        this.changed();
      }, intervalMs);
      this.pollTimer.unref();
      // A change made between load() and now is seen here.
      this.changed();
    }
    return this;
  }

  close(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    this.watching = false;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The file changed (or may have): read it once it has settled, i.e. when two reads `settleMs`
   * apart give the same text. A file still being written gives different texts and waits on.
   */
  private changed(): void {
    if (!this.watching) return;
    const first = this.readText();
    if (first !== undefined && first === this.lastText) return;
    if (this.settleMs <= 0) {
      this.reload(false, first);
      return;
    }
    if (this.settleTimer) clearTimeout(this.settleTimer);
    const check = (before: string | undefined) => {
      this.settleTimer = setTimeout(() => {
        this.settleTimer = undefined;
        if (!this.watching) return;
        const now = this.readText();
        if (now !== before) {
          check(now);
          return;
        }
        if (now === undefined || now !== this.lastText) this.reload(false, now);
      }, this.settleMs);
      this.settleTimer.unref();
    };
    check(first);
  }

  private statKey(): string {
    try {
      const stat = statSync(this.path);
      return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private readText(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch {
      return undefined;
    }
  }

  private reload(throwOnError: boolean, text?: string): void {
    // Unknown until read: a file that cannot be read and comes back unchanged is read again.
    this.lastText = undefined;
    try {
      const content = text ?? readFileSync(this.path, 'utf8');
      this.lastText = content;
      const fleet = parseFleet(content, this.label);
      const clusters: ClusterRecord[] = fleet.clusters.map((c) => ({
        name: c.name,
        server: c.server,
        project: c.project,
        labels: c.labels,
        annotations: c.annotations,
        origin: `${this.label} (cluster ${c.name})`,
        ...(c.aws ? { aws: c.aws } : {}),
      }));
      this.loaded = {
        snapshot: { clusters, problems: [] },
        facts: new Map(fleet.clusters.map((c) => [c.name, c.facts])),
        loadedAt: new Date().toISOString(),
      };
      if (this.failure !== undefined) this.logger.info({ fleetFile: this.path }, 'fleet file is valid again');
      this.failure = undefined;
      this.logger.info({ fleetFile: this.path, clusters: clusters.length }, 'fleet file loaded');
    } catch (err) {
      this.failure = (err as Error).message;
      this.logger.error({ fleetFile: this.path, err: this.failure }, 'fleet file cannot be used; every request fails until it is fixed');
      if (throwOnError) throw err;
    }
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.logger.error({ err }, 'a fleet file listener failed');
      }
    }
  }

  isReady(): boolean {
    return this.loaded !== undefined && this.failure === undefined;
  }

  snapshot(): InventorySnapshot {
    if (this.failure !== undefined) {
      throw new UnavailableError('GL_INVENTORY_UNAVAILABLE', `${this.failure}. greenlight answers nothing until the fleet file is fixed.`);
    }
    if (!this.loaded) throw new UnavailableError('GL_INVENTORY_UNAVAILABLE', `${this.label} is not loaded yet; retry shortly`);
    return this.loaded.snapshot;
  }

  appliesTo(cluster: ClusterRecord): boolean {
    return this.loaded?.facts.has(cluster.name) ?? false;
  }

  async fetch(cluster: ClusterRecord): Promise<ClusterFacts> {
    const facts = this.loaded?.facts.get(cluster.name);
    if (!facts) throw new UnavailableError('GL_FACTS_UNAVAILABLE', `cluster "${cluster.name}" is not in ${this.label}`);
    return facts;
  }

  async factsFor(cluster: ClusterRecord): Promise<FactsResult> {
    const facts = await this.fetch(cluster);
    return { facts, origins: [{ source: 'fleet', fetchedAt: this.loaded?.loadedAt ?? new Date().toISOString(), stale: false }] };
  }
}
