import { describe, expect, it } from 'vitest';
import { awsAuthOf, clusterConfigSchema, usesInClusterConfig } from '../../../../../plugin/adapters/argocd/cluster-connection.js';
import { buildInventoryView, parseClusterSecret, type SecretEntry } from '../../../../../plugin/adapters/argocd/cluster-secret.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const LABELS = { 'argocd.argoproj.io/secret-type': 'cluster', 'greenlight.io/pair': 'prod-eu' };
const SECRET_TOKEN = 'fake-token-that-must-not-leak';

function secret(data: Record<string, string>, metadata: Record<string, unknown> = {}) {
  return { metadata: { name: 'cluster-x', namespace: 'argocd', resourceVersion: '7', labels: LABELS, ...metadata }, data };
}
const encoded = (plain: Record<string, string>) => Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, b64(v)]));

function problemOf(entry: SecretEntry) {
  if (entry.kind !== 'problem') throw new Error(`expected a problem, got ${entry.kind}`);
  return entry.problem;
}

describe('parseClusterSecret', () => {
  it('reads name, server, project, labels and annotations, and keeps credentials in the connection', () => {
    const entry = parseClusterSecret(
      secret(encoded({ name: 'prod-eu-green', server: 'https://GREEN.gr7.eu-west-1.eks.amazonaws.com', project: 'platform', config: JSON.stringify({ bearerToken: SECRET_TOKEN }) }), {
        annotations: { 'greenlight.io/weight': '20', 'kubectl.kubernetes.io/last-applied-configuration': SECRET_TOKEN },
      }),
      'argocd',
    );
    expect(entry).toMatchObject({
      kind: 'cluster',
      secretName: 'cluster-x',
      resourceVersion: '7',
      record: {
        name: 'prod-eu-green',
        server: 'https://GREEN.gr7.eu-west-1.eks.amazonaws.com',
        project: 'platform',
        labels: LABELS,
        annotations: { 'greenlight.io/weight': '20' },
        origin: 'Secret argocd/cluster-x',
      },
      connection: { name: 'prod-eu-green', inCluster: false, config: { bearerToken: SECRET_TOKEN, tlsClientConfig: { insecure: false } } },
    });
    if (entry.kind === 'cluster') expect(JSON.stringify(entry.record)).not.toContain(SECRET_TOKEN);
  });

  it('defaults project to "" and a missing config to an empty one, as Argo CD does', () => {
    const entry = parseClusterSecret(secret(encoded({ name: 'a', server: 'https://a.example.com' })), 'argocd');
    expect(entry).toMatchObject({ kind: 'cluster', record: { project: '', annotations: {} }, connection: { config: { tlsClientConfig: { insecure: false } } } });
  });

  it('carries awsAuthConfig into the record, without credentials', () => {
    const config = { awsAuthConfig: { clusterName: 'prod-eu-green', roleARN: 'arn:aws:iam::111122223333:role/deployer' }, tlsClientConfig: { caData: b64('PEM') } };
    const entry = parseClusterSecret(secret(encoded({ name: 'g', server: 'https://g.example.com', config: JSON.stringify(config) })), 'argocd');
    expect(entry).toMatchObject({ kind: 'cluster', record: { aws: { clusterName: 'prod-eu-green', roleArn: 'arn:aws:iam::111122223333:role/deployer' } } });
  });

  it.each([
    ['no data.name', encoded({ server: 'https://a.example.com' }), 'data.name is missing', undefined],
    ['no data.server', encoded({ name: 'a' }), 'data.server is missing', 'a'],
    ['a server that is not a URL', encoded({ name: 'a', server: 'kubernetes' }), 'data.server is neither an http(s) URL nor an EKS cluster ARN (arn:aws:eks:REGION:ACCOUNT:cluster/NAME)', 'a'],
    ['data that is not base64', { name: b64('a'), server: 'not base64!' }, 'data.server is not base64', 'a'],
    ['config that is not JSON', encoded({ name: 'a', server: 'https://a.example.com', config: `{"bearerToken":"${SECRET_TOKEN}"` }), 'data.config is not JSON', 'a'],
    [
      'config of the wrong shape',
      encoded({ name: 'a', server: 'https://a.example.com', config: JSON.stringify({ bearerToken: 42, tlsClientConfig: { insecure: 'yes' } }) }),
      'data.config is not a valid Argo CD cluster config: config.bearerToken:',
      'a',
    ],
  ])('makes a problem of %s, naming keys but never values', (_, data, reason, name) => {
    const problem = problemOf(parseClusterSecret(secret(data), 'argocd'));
    expect(problem.reason).toContain(reason);
    expect(problem.origin).toBe('Secret argocd/cluster-x');
    expect(problem.labels).toEqual(LABELS);
    expect(problem.name).toBe(name);
    expect(JSON.stringify(problem)).not.toContain(SECRET_TOKEN);
  });

  it('refuses a server with a user name or password, and never repeats them', () => {
    const entry = parseClusterSecret(
      secret(encoded({ name: 'leaky', server: 'https://canary-user:CANARY-PASSWORD-0000@kube.example.com:6443/', config: JSON.stringify({ bearerToken: SECRET_TOKEN }) })),
      'argocd',
    );
    expect(problemOf(entry)).toEqual({
      origin: 'Secret argocd/cluster-x',
      name: 'leaky',
      labels: LABELS,
      reason:
        "data.server (https://kube.example.com:6443/) has a user name or password in it, which greenlight does not use or show: remove them from data.server (the Secret's config gives credentials: awsAuthConfig, bearerToken or tlsClientConfig)",
    });
    expect(JSON.stringify(entry)).not.toMatch(/canary-user|CANARY-PASSWORD/);
    // Even with no name, and for the in-cluster server, the userinfo stays out.
    const nameless = parseClusterSecret(secret(encoded({ server: 'https://u:CANARY-PASSWORD-0000@kubernetes.default.svc' })), 'argocd');
    expect(nameless).toMatchObject({ kind: 'problem', server: 'https://kubernetes.default.svc' });
    expect(JSON.stringify(nameless)).not.toContain('CANARY-PASSWORD');
  });

  it('reads a server with a trailing slash as written for the record, and without it for requests', () => {
    const entry = parseClusterSecret(secret(encoded({ name: 'g', server: 'https://G.gr7.eu-west-1.eks.amazonaws.com/' })), 'argocd');
    expect(entry).toMatchObject({ kind: 'cluster', record: { server: 'https://G.gr7.eu-west-1.eks.amazonaws.com/' }, connection: { server: 'https://G.gr7.eu-west-1.eks.amazonaws.com' } });
    const prefixed = parseClusterSecret(secret(encoded({ name: 'r', server: 'https://rancher.example.com/k8s/clusters/c-1//' })), 'argocd');
    expect(prefixed).toMatchObject({ connection: { server: 'https://rancher.example.com/k8s/clusters/c-1' } });
  });

  it('makes a problem of an object that is not a Secret', () => {
    expect(problemOf(parseClusterSecret({ metadata: { name: 'odd' }, data: 'nope' }, 'argocd'))).toMatchObject({ origin: 'Secret argocd/odd', labels: {} });
    expect(problemOf(parseClusterSecret(null, 'argocd'))).toMatchObject({ origin: 'Secret argocd/(unnamed)' });
  });
});

describe('buildInventoryView', () => {
  const cluster = (name: string, server = `https://${name}.example.com`, secretName = `cluster-${name}`) =>
    parseClusterSecret({ metadata: { name: secretName, labels: LABELS }, data: encoded({ name, server }) }, 'argocd');

  it('sorts clusters by name and appends the in-cluster entry last', () => {
    const { snapshot, connections } = buildInventoryView([cluster('b'), cluster('a')], { inClusterEntry: true });
    expect(snapshot.clusters.map((c) => c.name)).toEqual(['a', 'b', 'in-cluster']);
    expect(snapshot.clusters[2]).toMatchObject({ server: 'https://kubernetes.default.svc', project: '', labels: {}, annotations: {} });
    expect(connections.get('in-cluster')).toMatchObject({ inCluster: true });
  });

  it('leaves the in-cluster entry out when disabled, when a Secret (even broken) has its server, or its name', () => {
    expect(buildInventoryView([cluster('a')], { inClusterEntry: false }).snapshot.clusters.map((c) => c.name)).toEqual(['a']);
    const local = cluster('local', 'https://kubernetes.default.svc');
    expect(buildInventoryView([local], { inClusterEntry: true }).snapshot.clusters.map((c) => c.name)).toEqual(['local']);
    const broken = parseClusterSecret({ metadata: { name: 's' }, data: encoded({ name: 'local', server: 'https://kubernetes.default.svc', config: '{' }) }, 'argocd');
    expect(buildInventoryView([broken], { inClusterEntry: true }).snapshot.clusters).toEqual([]);
    expect(buildInventoryView([cluster('in-cluster', 'https://elsewhere.example.com')], { inClusterEntry: true }).snapshot.clusters).toHaveLength(1);
  });

  it('makes both Secrets of a duplicated cluster name problems', () => {
    const { snapshot, connections } = buildInventoryView([cluster('a', undefined, 's1'), cluster('a', undefined, 's2'), cluster('b')], { inClusterEntry: false });
    expect(snapshot.clusters.map((c) => c.name)).toEqual(['b']);
    expect(snapshot.problems.map((p) => [p.origin, p.name])).toEqual([
      ['Secret argocd/s1', 'a'],
      ['Secret argocd/s2', 'a'],
    ]);
    expect(snapshot.problems[0]?.reason).toContain('registered by 2 Secrets (Secret argocd/s1, Secret argocd/s2)');
    expect(connections.has('a')).toBe(false);
  });
});

describe('cluster connection rules', () => {
  it('reads EKS auth from awsAuthConfig first, then from argocd-k8s-auth or aws eks get-token exec configs', () => {
    expect(awsAuthOf(clusterConfigSchema.parse({ awsAuthConfig: { clusterName: 'c', roleARN: 'arn:r', profile: 'p' } }))).toEqual({ clusterName: 'c', roleArn: 'arn:r', profile: 'p' });
    expect(
      awsAuthOf(clusterConfigSchema.parse({ execProviderConfig: { command: '/usr/local/bin/argocd-k8s-auth', args: ['aws', '--cluster-name', 'c', '--role-arn=arn:r'] } })),
    ).toEqual({ clusterName: 'c', roleArn: 'arn:r' });
    expect(
      awsAuthOf(
        clusterConfigSchema.parse({
          execProviderConfig: { command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'c', '--region', 'eu-west-1'], env: { AWS_PROFILE: 'ops' } },
        }),
      ),
    ).toEqual({ clusterName: 'c', profile: 'ops', region: 'eu-west-1' });
    expect(awsAuthOf(clusterConfigSchema.parse({ execProviderConfig: { command: 'kubelogin', args: ['get-token'] } }))).toBeUndefined();
    expect(awsAuthOf(clusterConfigSchema.parse({ bearerToken: 't' }))).toBeUndefined();
  });

  it('uses in-cluster config for the internal server unless the Secret gives basic or bearer credentials', () => {
    expect(usesInClusterConfig('https://kubernetes.default.svc', clusterConfigSchema.parse({}))).toBe(true);
    expect(usesInClusterConfig('https://kubernetes.default.svc', clusterConfigSchema.parse({ bearerToken: 't' }))).toBe(false);
    expect(usesInClusterConfig('https://a.example.com', clusterConfigSchema.parse({}))).toBe(false);
  });
});
