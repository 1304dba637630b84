/**
 * @module Argo CD Applications and clusters at fleet scale, as `GET /api/v1/applications` (with
 * greenlight's `fields`) and `GET /api/v1/clusters` give them: every family (`greenlight.io/app`)
 * runs on every cluster of its pairs, most cells at parity, some out of sync, progressing, at
 * another revision or with other images, so that every branch of the parity rules is taken.
 */
import type { ArgoApplication, ArgoCluster } from '../../generator/index.js';

export interface FleetOfApps {
  readonly clusters: ArgoCluster[];
  readonly applications: ArgoApplication[];
}

const sha = (n: number) => (n * 2654435761).toString(16).padStart(8, '0').repeat(5).slice(0, 40);

/**
 * `clusters` clusters in blue/green pairs and `applications` Applications spread evenly over
 * them (`applications / clusters` families).
 */
export function fleetOfApps(options: { clusters: number; applications: number; clusterNames?: readonly { name: string; server: string }[] }): FleetOfApps {
  const clusters: ArgoCluster[] = Array.from({ length: options.clusters }, (_, i) => {
    const role = i % 2 === 0 ? 'blue' : 'green';
    const pair = `prod-${Math.floor(i / 2)}`;
    const given = options.clusterNames?.[i];
    return {
      server: given?.server ?? `https://${(i + 1).toString(16).toUpperCase().padStart(32, 'A')}.gr7.eu-west-1.eks.amazonaws.com`,
      name: given?.name ?? `${pair}-${role}`,
      labels: { 'greenlight.io/pair': pair, 'greenlight.io/role': role, 'argocd.argoproj.io/secret-type': 'cluster' },
      annotations: { 'greenlight.io/weight': role === 'blue' ? '100' : '0' },
      connectionState: { status: 'Successful' },
    };
  });
  const families = Math.max(1, Math.floor(options.applications / options.clusters));
  const applications: ArgoApplication[] = [];
  for (let f = 0; f < families; f++) {
    const app = `app-${String(f).padStart(5, '0')}`;
    clusters.forEach((cluster, c) => {
      if (applications.length >= options.applications) return;
      const green = c % 2 === 1;
      // One cell in ten differs somewhere on green; the rest are at parity.
      const kind = green ? f % 10 : -1;
      const revision = kind === 3 ? sha(f + 1) : sha(f);
      const images = [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/${app}:${kind === 4 ? '1.4.3' : '1.4.2'}`, 'public.ecr.aws/envoy/envoy:v1.31.2'];
      applications.push({
        metadata: {
          name: `${app}-${cluster.name}`,
          namespace: 'argocd',
          labels: { 'greenlight.io/app': app, team: `team-${f % 17}` },
        },
        spec: {
          project: 'platform',
          source: { repoURL: 'https://github.com/example/platform-apps.git', path: `apps/${app}`, targetRevision: 'main' },
          destination: { server: cluster.server, namespace: app },
        },
        status: {
          sync: { status: kind === 1 ? 'OutOfSync' : 'Synced' },
          health: { status: kind === 2 ? 'Progressing' : 'Healthy', ...(kind === 2 ? { message: 'Waiting for rollout to finish: 1 of 3 updated replicas are available...' } : {}) },
          summary: { images },
          operationState: {
            phase: kind === 5 ? 'Failed' : 'Succeeded',
            ...(kind === 5 ? { message: 'one or more objects failed to apply' } : {}),
            startedAt: '2026-11-26T07:58:01Z',
            finishedAt: '2026-11-26T07:58:09Z',
            operation: { sync: { revision } },
            syncResult: { revision },
          },
        },
      });
    });
  }
  return { clusters, applications };
}
