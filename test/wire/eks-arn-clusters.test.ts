/**
 * Clusters registered by EKS cluster ARN (the EKS-managed Argo CD's form) at the wire:
 * - the Argo CD inventory reading such Secrets from a fake kube-apiserver (list and watch);
 * - an ARN resolved to DescribeCluster's endpoint and CA through the real EKS SDK client against
 *   moto_server, the real AWS emulator (it has CreateCluster and DescribeCluster);
 * - the Kubernetes facts of an ARN cluster through the fake AWS (whose DescribeCluster can name a
 *   local API server as the endpoint) and a fake cluster API that verifies the EKS token.
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GreenlightError } from '../../generator/index.js';
import { ArgoCdClusterInventory } from '../../plugin/adapters/argocd/argocd-cluster-inventory.js';
import type { ClusterConnection } from '../../plugin/adapters/argocd/cluster-connection.js';
import { readEksClusterArn } from '../../plugin/adapters/aws/aws-identifiers.js';
import { EksClusterDescriber } from '../../plugin/adapters/eks/eks-cluster-describer.js';
import { EksEndpoints } from '../../plugin/adapters/eks/eks-endpoints.js';
import { KubeClientFactory } from '../../plugin/adapters/kubernetes/kube-client-factory.js';
import { KubeFactSource } from '../../plugin/adapters/kubernetes/kube-fact-source.js';
import { createLogger } from '../../plugin/logger.js';
import { clusterCaData, clusterTls } from '../support/cluster-tls.js';
import { FAKE_ACCESS_KEY_ID, FAKE_ACCOUNT_ID, FAKE_CREDENTIALS, FAKE_REGION, FAKE_SECRET_ACCESS_KEY, startFakeAws, type FakeAws } from '../support/fake-aws.js';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver.js';
import { startMoto, type MotoServer } from '../support/moto-server.js';
import { eventually } from '../support/patience.js';

/** moto's default account. */
const MOTO_ACCOUNT = '123456789012';
const credentials = { credentialsFor: () => async () => FAKE_CREDENTIALS };
const signal = () => AbortSignal.timeout(60_000);

function arnConnection(name: string, arn: string): ClusterConnection {
  const eksArn = readEksClusterArn(arn).arn;
  if (!eksArn) throw new Error(`not an EKS cluster ARN: ${arn}`);
  return { name, server: arn, inCluster: false, config: { tlsClientConfig: { insecure: false } }, eksArn };
}

async function rejection(promise: Promise<unknown>): Promise<GreenlightError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GreenlightError)) throw new Error(`expected a GreenlightError, got ${String(err)}`);
  return err;
}

describe('the Argo CD inventory with ARN servers', () => {
  let fake: FakeKubeApiServer;
  let inventory: ArgoCdClusterInventory;
  const ARN = 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-eu-green';

  beforeAll(async () => {
    fake = await FakeKubeApiServer.start({ auth: { bearerTokens: { 'inventory-token': 'system:serviceaccount:argocd:greenlight' } } });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser({ name: 'fake', server: fake.url, skipTLSVerify: true }, { name: 'greenlight', token: 'inventory-token' });
    inventory = new ArgoCdClusterInventory({ namespace: 'argocd', logger: createLogger('silent'), inClusterEntry: false, backoff: { initialMs: 10, maxMs: 100 } }, kubeConfig);
  });
  afterAll(async () => {
    await inventory?.close();
    await fake?.close();
  });

  it('reads them as clusters, keeps the ARN as the server, and names what is wrong with a bad one', async () => {
    const labels = { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu' };
    fake.putSecret({ name: 'prod-eu-green', labels, stringData: { name: 'prod-eu-green', server: ARN, project: 'default' } });
    fake.putSecret({ name: 'typo', labels, stringData: { name: 'typo', server: 'arn:aws:eks:eu-west-1:111122223333:cluster/' } });
    inventory.start();
    await inventory.whenReady(60_000);
    expect(inventory.snapshot()).toEqual({
      clusters: [{ name: 'prod-eu-green', server: ARN, project: 'default', labels, annotations: {}, origin: 'Secret argocd/prod-eu-green', aws: { clusterName: 'prod-eu-green' } }],
      problems: [
        {
          origin: 'Secret argocd/typo',
          name: 'typo',
          labels,
          reason:
            'data.server (arn:aws:eks:eu-west-1:111122223333:cluster/) is not an EKS cluster ARN: its cluster name "" is not an EKS cluster name (1-100 letters, digits, - and _, starting with a letter or digit). ' +
            "The EKS-managed Argo CD registers clusters by ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME); others by the API server's https:// URL",
        },
      ],
    });
    expect(inventory.connectionFor('prod-eu-green')).toMatchObject({ server: ARN, eksArn: { accountId: '111122223333', region: 'eu-west-1', name: 'prod-eu-green' } });

    // A watched change to the ARN form (re-registration by the capability) is seen too.
    fake.putSecret({ name: 'typo', labels, stringData: { name: 'typo', server: 'arn:aws-cn:eks:cn-north-1:111122223333:cluster/typo' } });
    await eventually(() => expect(inventory.snapshot().problems).toEqual([]));
    expect(inventory.snapshot().clusters.find((c) => c.name === 'typo')).toMatchObject({ server: 'arn:aws-cn:eks:cn-north-1:111122223333:cluster/typo', aws: { clusterName: 'typo' } });
  });
});

describe('an ARN resolved through moto_server (the real EKS API emulator)', () => {
  let moto: MotoServer;
  let endpoints: EksEndpoints;
  let described: { endpoint: string; caData: string; arn: string };

  beforeAll(async () => {
    moto = await startMoto();
    const eks = new EKSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: FAKE_CREDENTIALS, maxAttempts: 1 });
    try {
      const created = await eks.send(
        new CreateClusterCommand({
          name: 'prod-us-green',
          roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/eks-cluster`,
          resourcesVpcConfig: { subnetIds: ['subnet-0a1b2c3d'] },
          version: '1.32',
        }),
      );
      described = { endpoint: created.cluster?.endpoint ?? '', caData: created.cluster?.certificateAuthority?.data ?? '', arn: created.cluster?.arn ?? '' };
    } finally {
      eks.destroy();
    }
    endpoints = EksEndpoints.fromConfig({ credentials, endpoint: moto.endpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    endpoints?.close();
    await moto?.stop();
  });

  it('gives the ARN moto made, and register reads the same ARN', async () => {
    expect(described.arn).toBe(`arn:aws:eks:us-east-1:${MOTO_ACCOUNT}:cluster/prod-us-green`);
    const reg = await EksClusterDescriber.fromConfig({ credentials: async () => FAKE_CREDENTIALS, endpoint: moto.endpoint }).describe('prod-us-green', 'us-east-1');
    expect({ arn: reg.arn, accountId: reg.accountId, endpoint: reg.endpoint, caData: reg.caData }).toEqual({ arn: described.arn, accountId: MOTO_ACCOUNT, endpoint: described.endpoint, caData: described.caData });
  });

  it('resolves the ARN to the endpoint and CA DescribeCluster names, with an EKS token for its name', async () => {
    const factory = new KubeClientFactory({ awsCredentials: credentials, eksEndpoints: endpoints });
    const connection = arnConnection('prod-us-green', described.arn);
    const resolved = await factory.resolve(connection, signal());
    expect(resolved).toEqual({
      ...connection,
      server: described.endpoint.replace(/\/+$/, ''),
      config: { tlsClientConfig: { insecure: false, caData: described.caData }, awsAuthConfig: { clusterName: 'prod-us-green' } },
    });
    // The same Secret without resolution cannot be connected to by accident.
    expect(() => factory.clientsFor(connection)).toThrow(`cluster "prod-us-green" is registered by its EKS cluster ARN ${described.arn}, which must be resolved to its endpoint first`);
  });

  it('refuses an ARN in another account: the same name there is another cluster', async () => {
    const factory = new KubeClientFactory({ awsCredentials: credentials, eksEndpoints: endpoints });
    const other = 'arn:aws:eks:us-east-1:999999999999:cluster/prod-us-green';
    const err = await rejection(factory.resolve(arnConnection('stray', other), signal()));
    expect(err.code).toBe('GL_CLUSTER_INVALID');
    expect(err.message).toBe(
      `cluster "stray" (${other}): EKS DescribeCluster of "prod-us-green" in us-east-1 with greenlight's own AWS identity answers for ${described.arn}, another cluster: ` +
        'greenlight reads ARN-registered clusters with its own identity, so run it in account 999999999999 (or register the cluster by its https:// endpoint with awsAuthConfig.roleARN)',
    );
  });

  it('says what to do when EKS has no such cluster', async () => {
    const factory = new KubeClientFactory({ awsCredentials: credentials, eksEndpoints: endpoints });
    const missing = `arn:aws:eks:us-east-1:${MOTO_ACCOUNT}:cluster/no-such-cluster`;
    const err = await rejection(factory.resolve(arnConnection('gone', missing), signal()));
    expect(err.code).toBe('GL_FACTS_UNAVAILABLE');
    expect(err.message).toMatch(
      new RegExp(
        `^greenlight could not look up the endpoint of cluster "gone" \\(${missing}\\) \\(EKS DescribeCluster of "no-such-cluster" in us-east-1, greenlight's own AWS identity\\): ResourceNotFoundException: .+\\. ` +
          `Allow eks:DescribeCluster on ${missing} to the identity greenlight runs as`,
      ),
    );
  });
});

describe('the Kubernetes facts of an ARN cluster', () => {
  let aws: FakeAws;
  let green: FakeKubeApiServer;
  const ARN = `arn:aws:eks:${FAKE_REGION}:${FAKE_ACCOUNT_ID}:cluster/prod-eu-green`;

  beforeAll(async () => {
    aws = await startFakeAws();
    green = await FakeKubeApiServer.start({
      tls: clusterTls(),
      auth: { eks: { clusterName: 'prod-eu-green', credentials: { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY }, extraStsHosts: [new URL(aws.endpoint).host] } },
      version: { major: '1', minor: '32+', gitVersion: 'v1.32.1-eks-5d4a308' },
    });
    aws.addCluster({ name: 'prod-eu-green', region: FAKE_REGION, endpoint: green.url, caData: clusterCaData() });
  });
  afterAll(async () => {
    await Promise.all([green?.close(), aws?.close()]);
  });

  it('are read at the endpoint EKS names, verified with its CA, with a token for the ARN\'s cluster', async () => {
    const endpoints = EksEndpoints.fromConfig({ credentials, endpoint: aws.endpoint, maxAttempts: 1 });
    try {
      const clients = new KubeClientFactory({ awsCredentials: credentials, eksEndpoints: endpoints, stsEndpoint: aws.endpoint });
      const connection = arnConnection('prod-eu-green', ARN);
      const source = new KubeFactSource({ logger: createLogger('silent') }, { connectionFor: () => connection }, clients);
      const record = { name: 'prod-eu-green', server: ARN, project: '', labels: {}, annotations: {}, origin: 'Secret argocd/prod-eu-green', aws: { clusterName: 'prod-eu-green' } };
      const facts = await source.fetch(record, signal());
      expect(facts.kubernetes).toMatchObject({ gitVersion: 'v1.32.1-eks-5d4a308', minor: '32' });
      expect(green.authFailures).toEqual([]);
      expect(green.requests.every((r) => r.user !== undefined)).toBe(true);
      expect(aws.requests.filter((r) => r.api === 'DescribeCluster').map((r) => r.region)).toContain(FAKE_REGION);
    } finally {
      endpoints.close();
    }
  });
});
