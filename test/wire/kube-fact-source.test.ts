import { KubeConfig } from '@kubernetes/client-node';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeoutError, UpstreamError, type ClusterRecord } from '../../generator/index.js';
import { ArgoCdClusterInventory } from '../../plugin/adapters/argocd/argocd-cluster-inventory.js';
import { clusterConfigSchema, type ClusterConnection } from '../../plugin/adapters/argocd/cluster-connection.js';
import { KubeClientFactory, type EksEndpointSource, type KubeClientFactoryOptions } from '../../plugin/adapters/kubernetes/kube-client-factory.js';
import { KubeFactSource } from '../../plugin/adapters/kubernetes/kube-fact-source.js';
import { createLogger } from '../../plugin/logger.js';
import { b64, FakeKubeApiServer, hasOpenssl, makeTestPki, type FakeKubeApiServerOptions, type TestPki } from '../support/fake-kube-apiserver.js';
import { kubeServersPerTest } from '../support/kube-servers.js';

const logger = createLogger('silent');
const TOKEN = 'fake-bearer-token-0123456789';
const FAKE_AWS: AwsCredentialIdentity = { accessKeyId: 'AKIDGREENLIGHTFAKE01', secretAccessKey: 'fake-secret-key-for-tests-only' };
const awsCredentials = { credentialsFor: () => async () => FAKE_AWS };

const EKS_LIKE: FakeKubeApiServerOptions = {
  version: { major: '1', minor: '31+', gitVersion: 'v1.31.4-eks-2d5f260' },
  storageClasses: [
    { name: 'gp2', provisioner: 'kubernetes.io/aws-ebs', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'false' } },
    { name: 'gp3', provisioner: 'ebs.csi.aws.com', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  ],
  ingressClasses: [
    { name: 'alb', controller: 'ingress.k8s.aws/alb', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    { name: 'nginx', controller: 'k8s.io/ingress-nginx' },
  ],
};

const EXPECTED_FACTS = {
  gitVersion: 'v1.31.4-eks-2d5f260',
  major: '1',
  minor: '31',
  storageClasses: [
    { name: 'gp2', provisioner: 'kubernetes.io/aws-ebs', default: false },
    { name: 'gp3', provisioner: 'ebs.csi.aws.com', default: true },
  ],
  ingressClasses: [
    { name: 'alb', controller: 'ingress.k8s.aws/alb', default: true },
    { name: 'nginx', controller: 'k8s.io/ingress-nginx', default: false },
  ],
  apiVersions: [
    'apps/v1',
    'autoscaling/v2',
    'batch/v1',
    'networking.k8s.io/v1',
    'policy/v1',
    'rbac.authorization.k8s.io/v1',
    'storage.k8s.io/v1',
    'v1',
  ],
};

const serve = kubeServersPerTest();

function record(name: string, server: string): ClusterRecord {
  return { name, server, project: 'default', labels: {}, annotations: {}, origin: `Secret argocd/cluster-${name}` };
}

function connection(name: string, server: string, config: unknown): ClusterConnection {
  return { name, server, inCluster: false, config: clusterConfigSchema.parse(config) };
}

/** A fact source over a fixed set of connections. */
function sourceFor(connections: ClusterConnection[], factory: KubeClientFactoryOptions = {}, requestTimeoutMs?: number) {
  const byName = new Map(connections.map((c) => [c.name, c]));
  const clients = new KubeClientFactory(factory);
  const source = new KubeFactSource({ logger, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) }, { connectionFor: (n) => byName.get(n) }, clients);
  return { source, byName, clients };
}

async function failureOf(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

const never = new AbortController().signal;

describe.skipIf(!hasOpenssl())('KubeFactSource over the wire', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  const tls = () => ({ key: pki.serverKey, cert: pki.serverCert });
  /** EKS's answer for a cluster whose endpoint is `api` itself (the fake stands for the EKS endpoint). */
  const endpointIs = (api: FakeKubeApiServer): EksEndpointSource => ({ endpointOf: async () => ({ endpoint: api.url, caData: b64(pki.caCert) }) });

  it('reads version, classes and discovery with a bearer token over verified TLS', async () => {
    const api = await serve({ ...EKS_LIKE, tls: tls(), auth: { bearerTokens: { [TOKEN]: 'system:serviceaccount:kube-system:argocd-manager' } } });
    const { source } = sourceFor([connection('prod-eu-green', api.url, { bearerToken: TOKEN, tlsClientConfig: { caData: b64(pki.caCert) } })]);
    expect(source.source).toBe('kubernetes');
    expect(source.appliesTo(record('prod-eu-green', api.url))).toBe(true);
    expect(source.appliesTo(record('unknown', api.url))).toBe(false);

    const facts = await source.fetch(record('prod-eu-green', api.url), never);
    expect(facts).toEqual({ kubernetes: EXPECTED_FACTS });
    expect(new Set(api.requests.map((r) => r.user))).toEqual(new Set(['system:serviceaccount:kube-system:argocd-manager']));
    expect(api.requests.map((r) => r.path).sort()).toEqual(['/api', '/apis', '/apis/networking.k8s.io/v1/ingressclasses', '/apis/storage.k8s.io/v1/storageclasses', '/version']);
  });

  it('authenticates with a client certificate; a certificate from another CA is refused with a clear message', async () => {
    const api = await serve({ ...EKS_LIKE, tls: { ...tls(), clientCa: pki.caCert }, auth: { clientCertificates: true } });
    const good = connection('prod-eu-green', api.url, {
      tlsClientConfig: { caData: b64(pki.caCert), certData: b64(pki.clientCert), keyData: b64(pki.clientKey) },
    });
    const rogue = connection('prod-eu-blue', api.url, {
      tlsClientConfig: { caData: b64(pki.caCert), certData: b64(pki.rogueClientCert), keyData: b64(pki.rogueClientKey) },
    });
    const { source } = sourceFor([good, rogue]);
    expect(await source.fetch(record('prod-eu-green', api.url), never)).toEqual({ kubernetes: EXPECTED_FACTS });
    expect(api.requests[0]?.user).toBe('greenlight');

    const err = await failureOf(source.fetch(record('prod-eu-blue', api.url), never));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'GL_FACTS_UNAVAILABLE' });
    expect(err.message).toContain(`kubernetes API ${api.url} rejected greenlight's credentials for cluster "prod-eu-blue"`);
    expect(err.message).toContain('client certificate in Secret argocd/cluster-prod-eu-blue');
  });

  it('makes an EKS token the server verifies, and refuses tokens that do not verify', async () => {
    const api = await serve({
      ...EKS_LIKE,
      tls: tls(),
      auth: { eks: { clusterName: 'prod-eu-green', credentials: { [FAKE_AWS.accessKeyId]: FAKE_AWS.secretAccessKey } } },
    });
    const aws = (clusterName: string) => ({
      awsAuthConfig: { clusterName, roleARN: 'arn:aws:iam::111122223333:role/greenlight-reader' },
      tlsClientConfig: { caData: b64(pki.caCert) },
    });
    const roles: (string | undefined)[] = [];
    const { source } = sourceFor([connection('prod-eu-green', api.url, aws('prod-eu-green')), connection('wrong-name', api.url, aws('prod-eu-blue'))], {
      awsCredentials: {
        credentialsFor: (role) => {
          roles.push(role);
          return async () => FAKE_AWS;
        },
      },
      eksEndpoints: endpointIs(api),
      defaultRegion: 'eu-west-1',
    });
    expect(await source.fetch(record('prod-eu-green', api.url), never)).toEqual({ kubernetes: EXPECTED_FACTS });
    expect(api.requests[0]?.user).toBe('arn:aws:sts::111122223333:assumed-role/greenlight-test/AKIDGREENLIGHTFAKE01');
    expect(roles).toEqual(['arn:aws:iam::111122223333:role/greenlight-reader']);
    expect(api.authFailures).toEqual([]);

    // A token for another EKS cluster name does not verify here.
    const err = await failureOf(source.fetch(record('wrong-name', api.url), never));
    expect(err.message).toContain('401 Unauthorized');
    expect(err.message).toContain('EKS token made for EKS cluster "prod-eu-blue" with role arn:aws:iam::111122223333:role/greenlight-reader was refused');
    expect(api.authFailures.at(-1)).toContain('SignatureDoesNotMatch');
  });

  it('refuses an expired EKS token', async () => {
    const api = await serve({
      ...EKS_LIKE,
      tls: tls(),
      auth: { eks: { clusterName: 'prod-eu-green', credentials: { [FAKE_AWS.accessKeyId]: FAKE_AWS.secretAccessKey } } },
    });
    const { source } = sourceFor(
      [connection('prod-eu-green', api.url, { awsAuthConfig: { clusterName: 'prod-eu-green' }, tlsClientConfig: { caData: b64(pki.caCert) } })],
      // A clock 20 minutes behind signs tokens that are already expired for the server.
      { awsCredentials, eksEndpoints: endpointIs(api), defaultRegion: 'eu-west-1', now: () => Date.now() - 20 * 60_000 },
    );
    const err = await failureOf(source.fetch(record('prod-eu-green', api.url), never));
    expect(err.message).toContain("greenlight's own AWS identity was refused");
    expect(api.authFailures.at(-1)).toContain('expired');
  });

  it('refuses an EKS-shaped token whose x-k8s-aws-id header is not signed', async () => {
    const api = await serve({
      ...EKS_LIKE,
      tls: tls(),
      auth: { eks: { clusterName: 'prod-eu-green', credentials: { [FAKE_AWS.accessKeyId]: FAKE_AWS.secretAccessKey } } },
    });
    const url =
      'https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
      `&X-Amz-Credential=${FAKE_AWS.accessKeyId}%2F20250101%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00`;
    const token = `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
    const { source } = sourceFor([connection('prod-eu-green', api.url, { bearerToken: token, tlsClientConfig: { caData: b64(pki.caCert) } })]);
    const err = await failureOf(source.fetch(record('prod-eu-green', api.url), never));
    expect(err.message).toContain('401 Unauthorized');
    expect(err.message).not.toContain(token);
    expect(api.authFailures.at(-1)).toContain('did not sign the x-k8s-aws-id header');
  });

  it('explains a 403 with what to grant, and never shows the token', async () => {
    const api = await serve({ ...EKS_LIKE, tls: tls(), auth: { bearerTokens: { [TOKEN]: 'system:serviceaccount:kube-system:argocd-manager' } } });
    api.failRequests({ path: '/apis/storage.k8s.io/v1/storageclasses', status: 403 });
    // A slow read does not hold back an answer already decided by the refusal: it would answer
    // only after the test's hang guard.
    api.delayRequests({ path: '/apis/networking.k8s.io/v1/ingressclasses', ms: 10 * 60_000 });
    const { source } = sourceFor([connection('prod-eu-green', api.url, { bearerToken: TOKEN, tlsClientConfig: { caData: b64(pki.caCert) } })]);
    const err = await failureOf(source.fetch(record('prod-eu-green', api.url), never));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toBe(
      `greenlight's identity is not allowed to read storageclasses on cluster "prod-eu-green" (kubernetes API ${api.url}): ` +
        'grant it list on storageclasses.storage.k8s.io (a ClusterRole bound to the identity of the bearer token in Secret argocd/cluster-prod-eu-green (usually the argocd-manager ServiceAccount)). ' +
        'The API server said: storageclasses.storage.k8s.io is forbidden: User "system:serviceaccount:kube-system:argocd-manager" cannot list resource "storageclasses" in API group "storage.k8s.io" at the cluster scope',
    );
    expect(err.message).not.toContain(TOKEN);
    expect((err as UpstreamError).cause).toBeDefined();
  });

  it('says how to fix TLS: an unknown CA, a serverName, or insecure', async () => {
    const named = await serve({ ...EKS_LIKE, tls: { key: pki.namedServerKey, cert: pki.namedServerCert } });
    const { source } = sourceFor([
      connection('no-ca', named.url, { tlsClientConfig: {} }),
      connection('no-server-name', named.url, { tlsClientConfig: { caData: b64(pki.caCert) } }),
      connection('server-name', named.url, { tlsClientConfig: { caData: b64(pki.caCert), serverName: 'kube.greenlight.test' } }),
      connection('insecure', named.url, { tlsClientConfig: { insecure: true } }),
    ]);
    const noCa = await failureOf(source.fetch(record('no-ca', named.url), never));
    expect(noCa.message).toMatch(new RegExp(`^TLS to kubernetes API ${named.url} failed for cluster "no-ca" while reading .*caData must be the base64`));
    const noName = await failureOf(source.fetch(record('no-server-name', named.url), never));
    expect(noName.message).toContain('serverName must match');
    expect(noName.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altnames/);
    expect(await source.fetch(record('server-name', named.url), never)).toEqual({ kubernetes: EXPECTED_FACTS });
    expect(await source.fetch(record('insecure', named.url), never)).toEqual({ kubernetes: EXPECTED_FACTS });
  });

  it('reports an unreachable server, and a server that does not answer in time', async () => {
    const api = await serve({ ...EKS_LIKE, tls: tls() });
    const closedUrl = 'https://127.0.0.1:9';
    const { source } = sourceFor(
      [
        connection('gone', closedUrl, { tlsClientConfig: { caData: b64(pki.caCert) } }),
        connection('slow', api.url, { tlsClientConfig: { caData: b64(pki.caCert) } }),
      ],
      {},
      200,
    );
    const gone = await failureOf(source.fetch(record('gone', closedUrl), never));
    expect(gone.message).toMatch(/^kubernetes API https:\/\/127\.0\.0\.1:9 of cluster "gone" could not be reached while reading .*ECONNREFUSED.*Check the server URL in Secret argocd\/cluster-gone/);

    // Far longer than the test waits: the answer below can only come from greenlight's own 200 ms bound.
    api.delayRequests({ path: '/apis/networking.k8s.io/v1/ingressclasses', ms: 10 * 60_000 });
    const slow = await failureOf(source.fetch(record('slow', api.url), never));
    expect(slow).toBeInstanceOf(UpstreamError);
    expect(slow.message).toBe(
      `kubernetes API ${api.url} did not answer ingressclasses for cluster "slow": no answer within 200 ms. The API server may be overloaded or unreachable from greenlight.`,
    );
  });

  it('honours the caller signal: a cancelled fetch rejects at once with TimeoutError', async () => {
    const api = await serve({ ...EKS_LIKE, tls: tls() });
    api.delayRequests({ path: '/version', ms: 10 * 60_000 });
    const { source } = sourceFor([connection('prod-eu-green', api.url, { tlsClientConfig: { caData: b64(pki.caCert) } })]);
    const err = await failureOf(source.fetch(record('prod-eu-green', api.url), AbortSignal.timeout(100)));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toContain(`cluster "prod-eu-green" from kubernetes API ${api.url}`);
    const already = await failureOf(source.fetch(record('prod-eu-green', api.url), AbortSignal.abort()));
    expect(already).toBeInstanceOf(TimeoutError);
  });

  it('reads no ingress classes from a cluster that does not serve networking.k8s.io/v1', async () => {
    const api = await serve({ ...EKS_LIKE, tls: tls(), groupVersions: ['apps/v1', 'storage.k8s.io/v1'] });
    const { source } = sourceFor([connection('old', api.url, { tlsClientConfig: { caData: b64(pki.caCert) } })]);
    const facts = await source.fetch(record('old', api.url), never);
    expect(facts.kubernetes?.ingressClasses).toEqual([]);
    expect(facts.kubernetes?.apiVersions).toEqual(['apps/v1', 'storage.k8s.io/v1', 'v1']);
  });

  it('keeps one client per connection and rebuilds it when the connection changes', async () => {
    const api = await serve({ ...EKS_LIKE, tls: tls(), auth: { bearerTokens: { 'new-token-0123456789': 'new' } } });
    const { source, byName, clients } = sourceFor([connection('prod-eu-green', api.url, { bearerToken: TOKEN, tlsClientConfig: { caData: b64(pki.caCert) } })]);
    const first = clients.clientsFor(byName.get('prod-eu-green') as ClusterConnection);
    expect(clients.clientsFor(connection('prod-eu-green', api.url, { bearerToken: TOKEN, tlsClientConfig: { caData: b64(pki.caCert) } }))).toBe(first);
    const err = await failureOf(source.fetch(record('prod-eu-green', api.url), never));
    expect(err.message).toContain('The bearerToken in Secret argocd/cluster-prod-eu-green is invalid or expired');

    byName.set('prod-eu-green', connection('prod-eu-green', api.url, { bearerToken: 'new-token-0123456789', tlsClientConfig: { caData: b64(pki.caCert) } }));
    expect(await source.fetch(record('prod-eu-green', api.url), never)).toEqual({ kubernetes: EXPECTED_FACTS });
    expect(clients.clientsFor(byName.get('prod-eu-green') as ClusterConnection)).not.toBe(first);
  });

  it('says what is missing for EKS clusters: credentials, a region; and refuses exec plugins', async () => {
    const server = 'https://kube.internal.example.com';
    const eks = connection('eks', server, { awsAuthConfig: { clusterName: 'prod-eu-green' } });
    const exec = connection('exec', server, { execProviderConfig: { command: 'kubelogin', args: ['get-token'] } });
    const noCredentials = sourceFor([eks, exec], { defaultRegion: 'eu-west-1' }).source;
    expect((await failureOf(noCredentials.fetch(record('eks', server), never))).message).toContain('greenlight has no AWS credentials configured');
    expect((await failureOf(noCredentials.fetch(record('exec', server), never))).message).toContain('exec credential plugin ("kubelogin")');
    const noRegion = sourceFor([eks], { awsCredentials }).source;
    expect((await failureOf(noRegion.fetch(record('eks', server), never))).message).toContain('cannot tell the AWS region of EKS cluster "prod-eu-green"');
  });

  it('reaches clusters through the connections of the Argo CD inventory', async () => {
    const target = await serve({ ...EKS_LIKE, tls: tls(), auth: { bearerTokens: { [TOKEN]: 'argocd-manager' } } });
    const argocd = await serve({});
    argocd.putSecret({
      name: 'cluster-prod-eu-green',
      labels: { 'argocd.argoproj.io/secret-type': 'cluster' },
      stringData: {
        name: 'prod-eu-green',
        server: target.url,
        config: JSON.stringify({ bearerToken: TOKEN, tlsClientConfig: { insecure: false, caData: b64(pki.caCert) } }),
      },
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser({ name: 'argocd', server: argocd.url, skipTLSVerify: true }, { name: 'greenlight' });
    const inventory = new ArgoCdClusterInventory({ namespace: 'argocd', logger }, kubeConfig);
    try {
      await inventory.start().whenReady(5000);
      const cluster = inventory.snapshot().clusters.find((c) => c.name === 'prod-eu-green') as ClusterRecord;
      const source = KubeFactSource.fromConfig({ connections: inventory, logger });
      expect(await source.fetch(cluster, never)).toEqual({ kubernetes: EXPECTED_FACTS });
    } finally {
      await inventory.close();
    }
  });
});

describe('KubeFactSource with in-cluster config', () => {
  let api: FakeKubeApiServer;
  beforeAll(async () => {
    api = await FakeKubeApiServer.start({ ...EKS_LIKE, auth: { bearerTokens: { 'pod-token': 'system:serviceaccount:argocd:greenlight' } } });
  });
  afterAll(() => api.close());

  it("uses the pod's own config for Argo CD's in-cluster entry", async () => {
    const inCluster = () => {
      const kc = new KubeConfig();
      kc.loadFromClusterAndUser({ name: 'in-cluster', server: api.url, skipTLSVerify: true }, { name: 'pod', token: 'pod-token' });
      return kc;
    };
    const conn: ClusterConnection = { name: 'in-cluster', server: 'https://kubernetes.default.svc', inCluster: true, config: clusterConfigSchema.parse({}) };
    const source = new KubeFactSource({ logger }, { connectionFor: () => conn }, new KubeClientFactory({ inClusterKubeConfig: inCluster }));
    expect(await source.fetch(record('in-cluster', 'https://kubernetes.default.svc'), never)).toEqual({ kubernetes: EXPECTED_FACTS });
    expect(api.requests.at(-1)?.user).toBe('system:serviceaccount:argocd:greenlight');
  });
});
