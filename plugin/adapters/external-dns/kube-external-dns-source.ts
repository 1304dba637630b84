/**
 * @module ExternalDNS on a cluster, read from its Deployment through the cluster's API: the
 * version (its image tag), the annotation prefix it reads (`--annotation-prefix`, the Helm
 * chart's `annotationPrefix`, else its version's default), its `--txt-owner-id` and
 * `--txt-prefix`. Deployments are found by the label the official chart and most manifests set,
 * `app.kubernetes.io/name=external-dns`, in every namespace. Needs `list` on deployments.apps.
 */
import { externalDnsVersion, prefixRead, type ClusterRecord, type ExternalDnsReading } from '../../../generator/index.js';
import type { ClusterConnections } from '../argocd/cluster-connection.js';
import { KubeClientFactory, type KubeClientFactoryOptions, type KubeClients } from '../kubernetes/kube-client-factory.js';
import { abortable, describeKubeFailure, raceAbort } from '../kubernetes/kube-request.js';
import { z } from 'zod';

/** The port the gate takes: never rejects; a failed read is a reading with `error`. */
export interface ExternalDnsSource {
  read(cluster: ClusterRecord, signal: AbortSignal): Promise<ExternalDnsReading>;
}

export const EXTERNAL_DNS_SELECTOR = 'app.kubernetes.io/name=external-dns';

const deploymentListSchema = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string(), namespace: z.string().optional() }),
      spec: z.object({
        template: z.object({
          spec: z.object({ containers: z.array(z.object({ name: z.string(), image: z.string().optional(), args: z.array(z.string()).optional().nullable() })) }).optional(),
        }),
      }),
    }),
  ),
});

/** The value of `--flag=value` or `--flag value` in args. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    if (a === flag) return args[i + 1];
  }
  return undefined;
}

export class KubeExternalDnsSource implements ExternalDnsSource {
  constructor(
    private readonly connections: ClusterConnections,
    private readonly clients: Pick<KubeClientFactory, 'clientsFor'>,
    private readonly options: { readonly labelSelector?: string; readonly timeoutMs?: number } = {},
  ) {}

  static fromConfig(config: KubeClientFactoryOptions & { readonly connections: ClusterConnections; readonly labelSelector?: string }): KubeExternalDnsSource {
    const { connections, labelSelector, ...factory } = config;
    return new KubeExternalDnsSource(connections, new KubeClientFactory(factory), labelSelector !== undefined ? { labelSelector } : {});
  }

  async read(cluster: ClusterRecord, signal: AbortSignal): Promise<ExternalDnsReading> {
    const selector = this.options.labelSelector ?? EXTERNAL_DNS_SELECTOR;
    const connection = this.connections.connectionFor(cluster.name);
    if (!connection) return { cluster: cluster.name, error: `no connection details in Argo CD for its API ${cluster.server}` };
    let clients: KubeClients;
    try {
      clients = this.clients.clientsFor(connection);
    } catch (err) {
      return { cluster: cluster.name, error: (err as Error).message };
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    const both = AbortSignal.any([signal, timeout]);
    let raw: unknown;
    try {
      raw = await raceAbort(clients.apps.listDeploymentForAllNamespaces({ labelSelector: selector, limit: 50 }, abortable(both)), both);
    } catch (err) {
      const f = describeKubeFailure(err);
      const what = timeout.aborted ? 'no answer within 10 s' : f.detail;
      const advice = f.status === 403 ? `: let greenlight list deployments.apps in every namespace of ${cluster.name}` : '';
      return { cluster: cluster.name, error: `listing Deployments ${selector} on ${connection.server} failed (${what})${advice}` };
    }
    const parsed = deploymentListSchema.safeParse(raw);
    if (!parsed.success) return { cluster: cluster.name, error: `the Deployment list from ${connection.server} is not one greenlight can read` };
    const items = parsed.data.items;
    if (items.length === 0) {
      return { cluster: cluster.name, found: false, version: null, prefix: null, ownerId: null, txtPrefix: null, source: `no Deployment labelled ${selector} in any namespace` };
    }
    const sides = items.map((d) => {
      const containers = d.spec.template.spec?.containers ?? [];
      const c = containers.find((x) => x.name === 'external-dns') ?? containers[0];
      const args = c?.args ?? [];
      const version = c?.image !== undefined ? (externalDnsVersion(c.image) ?? null) : null;
      return {
        where: `Deployment ${d.metadata.namespace ?? ''}/${d.metadata.name} (image ${c?.image ?? 'none'})`,
        version,
        prefix: prefixRead(version ?? undefined, flagValue(args, '--annotation-prefix')) ?? null,
        ownerId: flagValue(args, '--txt-owner-id') ?? 'default',
        txtPrefix: flagValue(args, '--txt-prefix') ?? null,
      };
    });
    const unique = <T>(xs: T[]) => [...new Set(xs)];
    const prefixes = unique(sides.map((s) => s.prefix));
    return {
      cluster: cluster.name,
      found: true,
      version: unique(sides.map((s) => s.version ?? 'unknown')).join(', '),
      // Several instances (public and private zones) reading different prefixes show as both.
      prefix: prefixes.includes(null) ? null : prefixes.join(' + '),
      ownerId: sides[0]?.ownerId ?? null,
      txtPrefix: sides[0]?.txtPrefix ?? null,
      source: sides.map((s) => s.where).join('; '),
    };
  }
}
