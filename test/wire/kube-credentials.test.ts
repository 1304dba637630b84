/**
 * Where cluster credentials go, over the wire: a Secret's server is read once (a trailing slash
 * asks for the same paths as none), no bearer or EKS token goes over plain http://, and an EKS
 * token for a cluster goes only to the endpoint EKS reports for it (DescribeCluster at the fake
 * AWS), or to another DNS name whose Secret pins that cluster's own CA.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../../generator/index.js';
import type { AwsCredentials } from '../../plugin/adapters/aws/aws-credentials.js';
import { parseClusterSecret } from '../../plugin/adapters/argocd/cluster-secret.js';
import type { ClusterConnection } from '../../plugin/adapters/argocd/cluster-connection.js';
import { EksEndpoints } from '../../plugin/adapters/eks/eks-endpoints.js';
import { KubeClientFactory } from '../../plugin/adapters/kubernetes/kube-client-factory.js';
import { KubeFactSource } from '../../plugin/adapters/kubernetes/kube-fact-source.js';
import { createLogger } from '../../plugin/logger.js';
import { FAKE_ACCESS_KEY_ID, FAKE_REGION, FAKE_SECRET_ACCESS_KEY, type FakeAws } from '../support/fake-aws.js';
import { useFakeAws } from '../support/fake-aws-suite.js';
import { b64, hasOpenssl, makeTestPki, type FakeKubeApiServerOptions, type TestPki } from '../support/fake-kube-apiserver.js';
import { kubeServersPerTest } from '../support/kube-servers.js';

const logger = createLogger('silent');
const BEARER = 'wire-bearer-token-0123456789-not-secret';
const never = new AbortController().signal;

let aws: FakeAws;
let credentials: AwsCredentials;
const opened: { close(): void }[] = [];
useFakeAws((fake, creds) => {
  aws = fake;
  credentials = creds;
}, opened);

const serve = kubeServersPerTest();

/** A cluster Secret as the API lists it (data base64), read the way the inventory reads it. */
function fromSecret(name: string, server: string, config: unknown): { record: ClusterRecord; connection: ClusterConnection } | { problem: string } {
  const data = Object.fromEntries(Object.entries({ name, server, config: JSON.stringify(config) }).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  const entry = parseClusterSecret({ metadata: { name: `cluster-${name}`, namespace: 'argocd' }, data }, 'argocd');
  return entry.kind === 'cluster' ? { record: entry.record, connection: entry.connection } : { problem: entry.problem.reason };
}

function cluster(name: string, server: string, config: unknown) {
  const read = fromSecret(name, server, config);
  if ('problem' in read) throw new Error(read.problem);
  return read;
}

function sourceOver(read: { connection: ClusterConnection }) {
  const endpoints = EksEndpoints.fromConfig({ credentials, endpoint: aws.endpoint, maxAttempts: 1 });
  opened.push(endpoints);
  const clients = new KubeClientFactory({ awsCredentials: credentials, eksEndpoints: endpoints, defaultRegion: FAKE_REGION });
  return new KubeFactSource({ logger }, { connectionFor: () => read.connection }, clients);
}

async function failureOf(work: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await work;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure');
}

describe.skipIf(!hasOpenssl())('credentials travel only where they belong', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  const eksAuth = (clusterName: string): FakeKubeApiServerOptions => ({
    tls: { key: pki.serverKey, cert: pki.serverCert },
    auth: { eks: { clusterName, credentials: { [FAKE_ACCESS_KEY_ID]: FAKE_SECRET_ACCESS_KEY } } },
  });

  it('asks for /version, not //version, when the server ends in a slash; the message names the real path', async () => {
    const api = await serve({ tls: { key: pki.serverKey, cert: pki.serverCert }, auth: { bearerTokens: { [BEARER]: 'argocd-manager' } } });
    const read = cluster('slash', `${api.url}/`, { bearerToken: BEARER, tlsClientConfig: { caData: b64(pki.caCert) } });
    // The record keeps the server as the Secret writes it (Argo CD matches Applications on it).
    expect(read.record.server).toBe(`${api.url}/`);
    const facts = await sourceOver(read).fetch(read.record, never);
    expect(facts.kubernetes?.gitVersion).toBeDefined();
    expect(api.requests.map((r) => r.path).sort()).toEqual(['/api', '/apis', '/apis/networking.k8s.io/v1/ingressclasses', '/apis/storage.k8s.io/v1/storageclasses', '/version']);

    api.failRequests({ path: '/version', status: 500, message: 'etcd is unhappy' });
    const err = await failureOf(sourceOver(read).fetch(read.record, never));
    expect(err.message).toBe(
      `kubernetes API ${api.url} answered 500 while greenlight read the server version (/version) for cluster "slash": etcd is unhappy. Retry later; if it persists, check the API server's health.`,
    );
  });

  it('refuses plain http:// with a bearer token or awsAuthConfig: no request leaves', async () => {
    const plain = await serve({ auth: { bearerTokens: { [BEARER]: 'argocd-manager' } } });
    expect(plain.url.startsWith('http://')).toBe(true);
    for (const config of [{ bearerToken: BEARER }, { awsAuthConfig: { clusterName: 'prod' } }, { username: 'admin', password: 'hunter2-not-secret' }]) {
      const read = fromSecret('plain', plain.url, config);
      expect(read).toEqual({ problem: expect.stringMatching(/^data\.server is plain http:\/\/ \(http:\/\/127\.0\.0\.1:\d+\), but the Secret's config gives (an EKS token \(awsAuthConfig\)|a bearerToken|a username and password), which greenlight never sends unencrypted: set data\.server to the cluster's https:\/\/ endpoint \(with tlsClientConfig\.caData for its CA\)$/) });
    }
    // A connection made some other way is refused by the client factory too.
    const connection: ClusterConnection = { name: 'plain', server: plain.url, inCluster: false, config: { bearerToken: BEARER, tlsClientConfig: { insecure: false } } };
    const record = { name: 'plain', server: plain.url, project: '', labels: {}, annotations: {}, origin: 'Secret argocd/cluster-plain' };
    const err = await failureOf(sourceOver({ connection }).fetch(record, never));
    expect(err.code).toBe('GL_CLUSTER_INVALID');
    expect(err.message).toContain('which greenlight never sends unencrypted');
    expect(plain.requests).toEqual([]);
    // Without credentials, plain http stays allowed (as Argo CD allows it).
    expect('record' in fromSecret('anonymous', plain.url, {})).toBe(true);
  });

  it("sends an EKS token to the endpoint DescribeCluster reports for the cluster", async () => {
    const api = await serve(eksAuth('at-endpoint'));
    aws.addCluster({ name: 'at-endpoint', region: FAKE_REGION, endpoint: api.url, caData: b64(pki.caCert) });
    const read = cluster('at-endpoint', api.url, { awsAuthConfig: { clusterName: 'at-endpoint' }, tlsClientConfig: { caData: b64(pki.caCert) } });
    await sourceOver(read).fetch(read.record, never);
    expect(api.requests.filter((r) => r.user !== undefined).length).toBe(5);
    expect(api.authFailures).toEqual([]);
    expect(aws.calls('DescribeCluster')).toBeGreaterThan(0);
  });

  it("sends it to another DNS name in front of the cluster only when the Secret pins the cluster's own CA", async () => {
    const api = await serve(eksAuth('behind-proxy'));
    // EKS reports its own endpoint; the Secret names 127.0.0.1 (a proxy, a private DNS name).
    aws.addCluster({ name: 'behind-proxy', region: FAKE_REGION, caData: b64(pki.caCert) });
    const pinned = cluster('behind-proxy', api.url, { awsAuthConfig: { clusterName: 'behind-proxy' }, tlsClientConfig: { caData: b64(pki.caCert) } });
    await sourceOver(pinned).fetch(pinned.record, never);
    expect(api.requests.some((r) => r.path === '/version' && r.user !== undefined)).toBe(true);

    const before = api.requests.length;
    const cases: [string, unknown, string][] = [
      ['another CA', { awsAuthConfig: { clusterName: 'other-ca' }, tlsClientConfig: { caData: b64(pki.caCert) } }, "tlsClientConfig.caData is not that cluster's CA"],
      ['no CA', { awsAuthConfig: { clusterName: 'behind-proxy' } }, 'tlsClientConfig.caData is not set'],
      ['insecure', { awsAuthConfig: { clusterName: 'behind-proxy' }, tlsClientConfig: { insecure: true } }, 'tlsClientConfig.insecure is true'],
    ];
    // EKS cluster "other-ca" has a CA that is not the one the server presents.
    aws.addCluster({ name: 'other-ca', region: FAKE_REGION });
    for (const [what, config, reason] of cases) {
      const read = cluster(`case-${what.replace(/ /g, '-')}`, api.url, config);
      const err = await failureOf(sourceOver(read).fetch(read.record, never));
      expect(err.code, what).toBe('GL_CLUSTER_INVALID');
      const eksName = (config as { awsAuthConfig: { clusterName: string } }).awsAuthConfig.clusterName;
      expect(err.message, what).toMatch(
        new RegExp(`^cluster "${read.record.name}": its server ${api.url.replace(/[.]/g, '\\.')} is not the endpoint https://\\S+\\.eks\\.amazonaws\\.com of EKS cluster "${eksName}", and `),
      );
      expect(err.message, what).toContain(reason);
      expect(err.message, what).toContain(`set tlsClientConfig.caData to EKS cluster "${eksName}"'s CA (aws eks describe-cluster --query cluster.certificateAuthority.data) with insecure false`);
    }
    // Not one request reached the server with any of them: no token went out.
    expect(api.requests.length).toBe(before);
  });
});
