/**
 * @module greenlight's live (`argocd`) mode against local fakes, for benchmarks: an Argo CD
 * kube-apiserver holding N cluster Secrets, a fake AWS (EKS, STS, SSM over the real protocols)
 * and one fake kube-apiserver that every cluster's `server` points at. Latency and throttling
 * are injected on the fakes, and their call counters tell how much upstream load greenlight made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_AWS_APIS, FAKE_REGION, startFakeAws, type FakeAws, type FakeAwsApi, fakeAwsEnv } from '../../test/support/fake-aws.js';
import { clusterCaData, clusterTls } from '../../test/support/cluster-tls.js';
import { FakeKubeApiServer, writeKubeconfig } from '../../test/support/fake-kube-apiserver.js';
import { benchClusterMetadata, benchClusterName } from './fleet.js';

/** Every EKS API the fake speaks (all but STS and SSM). */
export const EKS_APIS: readonly FakeAwsApi[] = FAKE_AWS_APIS.filter((api) => !['AssumeRole', 'GetCallerIdentity', 'GetParametersByPath'].includes(api));

export interface LiveFleetOptions {
  readonly clusters: number;
  /** Pod Identity associations and add-ons per cluster (each costs one more EKS call per cluster). */
  readonly associations?: number;
  readonly addons?: number;
  /** SSM parameters per cluster; their values are canaries that must never leave greenlight. */
  readonly parameters?: number;
  readonly canary?: string;
}

export interface Upstreams {
  readonly aws: Readonly<Record<FakeAwsApi, number>>;
  /** Requests to the clusters' own API by path. */
  readonly kube: Readonly<Record<string, number>>;
}

export class LiveFleet {
  private constructor(
    readonly aws: FakeAws,
    readonly argocd: FakeKubeApiServer,
    readonly target: FakeKubeApiServer,
    private readonly dir: string,
    readonly kubeconfig: string,
    readonly names: readonly string[],
  ) {}

  static async start(options: LiveFleetOptions): Promise<LiveFleet> {
    const aws = await startFakeAws();
    // HTTPS with a pinned CA: greenlight sends an EKS token only to a server that proves to be the cluster.
    const target = await FakeKubeApiServer.start({
      tls: clusterTls(),
      version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' },
      storageClasses: [
        { name: 'gp2', provisioner: 'kubernetes.io/aws-ebs' },
        { name: 'gp3', provisioner: 'ebs.csi.aws.com', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      ],
      ingressClasses: [{ name: 'alb', controller: 'ingress.k8s.aws/alb', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }],
    });
    const argocd = await FakeKubeApiServer.start();
    const names: string[] = [];
    for (let i = 0; i < options.clusters; i++) {
      const name = benchClusterName(i);
      names.push(name);
      aws.addCluster({ name, region: FAKE_REGION, version: i % 2 === 0 ? '1.31' : '1.32', tags: { team: 'platform' }, caData: clusterCaData() });
      for (let a = 0; a < (options.associations ?? 0); a++) {
        aws.addPodIdentityAssociation({ clusterName: name, namespace: `ns-${a}`, serviceAccount: `app-${a}-sa`, roleArn: `arn:aws:iam::111111111111:role/${name}-app-${a}` });
      }
      for (let a = 0; a < (options.addons ?? 0); a++) {
        aws.addAddon({ clusterName: name, name: ['vpc-cni', 'coredns', 'kube-proxy', 'aws-ebs-csi-driver', 'eks-pod-identity-agent'][a % 5] ?? `addon-${a}`, version: `v1.${a}.0-eksbuild.1` });
      }
      for (let p = 0; p < (options.parameters ?? 0); p++) {
        aws.putParameter({ name: `/greenlight/${name}/app-${p}/secret`, value: options.canary ?? `canary-${i}-${p}`, type: 'SecureString' });
      }
      argocd.putSecret(
        {
          name: `cluster-${name}`,
          ...benchClusterMetadata(name, i),
          stringData: {
            name,
            server: target.url,
            project: 'platform',
            config: JSON.stringify({ awsAuthConfig: { clusterName: name }, tlsClientConfig: { caData: clusterCaData() } }),
          },
        },
        { quiet: true },
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'greenlight-bench-live-'));
    const kubeconfig = writeKubeconfig(dir, argocd.url);
    return new LiveFleet(aws, argocd, target, dir, kubeconfig, names);
  }

  /** greenlight's environment for this fleet; `extra` overrides. */
  env(token: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return {
      GREENLIGHT_INVENTORY: 'argocd',
      ARGOCD_NAMESPACE: 'argocd',
      GREENLIGHT_TOKEN: token,
      KUBECONFIG: this.kubeconfig,
      ...fakeAwsEnv(this.aws.endpoint),
      ...extra,
    };
  }

  /** Every AWS API and every path of the clusters' API answer `ms` later. */
  injectLatency(ms: number): void {
    for (const api of FAKE_AWS_APIS) this.aws.inject(api, { kind: 'latency', ms });
    this.target.delayRequests({ path: /./, ms, times: Number.POSITIVE_INFINITY });
  }

  /** The fake AWS throttles beyond these rates, as the real services do (each EKS API on its own). */
  limitRates(rates: { eksPerApi: number; ssm: number }): void {
    for (const api of EKS_APIS) this.aws.rateLimit(api, rates.eksPerApi);
    this.aws.rateLimit('GetParametersByPath', rates.ssm);
  }

  upstreamCalls(): Upstreams {
    const kube: Record<string, number> = {};
    for (const r of this.target.requests) kube[r.path] = (kube[r.path] ?? 0) + 1;
    return { aws: this.aws.callCounts(), kube };
  }

  async close(): Promise<void> {
    await Promise.all([this.aws.close(), this.argocd.close(), this.target.close()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
