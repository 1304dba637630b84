import { describe, expect, it } from 'vitest';
import {
  generateParameters,
  parameterSetSchema,
  TemplateCache,
  UpstreamError,
  type ParameterSet,
} from '../../../generator/index.js';
import { aCluster, blueGreenLabels, eksFactsFor, fullFacts } from '../../support/builders.js';
import { FIXED_TIME, InMemoryFleet, neverAborted } from '../../support/in-memory-fleet.js';
import { rejection } from '../../support/rejection.js';

function pairFleet(): InMemoryFleet {
  return new InMemoryFleet()
    .add(
      aCluster({ name: 'prod-eu-blue', labels: { ...blueGreenLabels('prod-eu', 'blue'), env: 'prod' }, annotations: { 'greenlight.io/weight': '100', 'greenlight.io/domain': 'eu.example.com' } }),
      fullFacts('prod-eu-blue', '1.31'),
    )
    .add(
      aCluster({ name: 'prod-eu-green', labels: { ...blueGreenLabels('prod-eu', 'green'), env: 'prod' }, annotations: { 'greenlight.io/weight': '0', 'greenlight.io/domain': 'eu.example.com' } }),
      fullFacts('prod-eu-green', '1.32'),
    )
    .add(aCluster({ name: 'staging', labels: { env: 'staging' } }), fullFacts('staging', '1.32'));
}

async function generate(fleet: InMemoryFleet, parameters: unknown, signal = neverAborted): Promise<ParameterSet[]> {
  return generateParameters({ applicationSetName: 'web', parameters }, { inventory: fleet, facts: fleet, templates: new TemplateCache() }, signal);
}


const names = (sets: ParameterSet[]) => sets.map((s) => s.cluster.name);

describe('generateParameters: selection', () => {
  it('selects every cluster, sorted by name, when the input is empty or absent', async () => {
    expect(names(await generate(pairFleet(), undefined))).toEqual(['prod-eu-blue', 'prod-eu-green', 'staging']);
    expect(names(await generate(pairFleet(), {}))).toEqual(['prod-eu-blue', 'prod-eu-green', 'staging']);
  });

  it('selects one cluster by name (the matrix form)', async () => {
    expect(names(await generate(pairFleet(), { cluster: 'prod-eu-green' }))).toEqual(['prod-eu-green']);
  });

  it('selects several clusters by name, once each', async () => {
    expect(names(await generate(pairFleet(), { clusters: ['staging', 'prod-eu-blue', 'staging'] }))).toEqual(['prod-eu-blue', 'staging']);
  });

  it('selects by matchLabels and matchExpressions', async () => {
    expect(names(await generate(pairFleet(), { selector: { matchLabels: { env: 'prod' } } }))).toEqual(['prod-eu-blue', 'prod-eu-green']);
    expect(
      names(await generate(pairFleet(), { selector: { matchExpressions: [{ key: 'greenlight.io/role', operator: 'NotIn', values: ['blue'] }] } })),
    ).toEqual(['prod-eu-green', 'staging']);
  });

  it('selects by pair and role, ANDed with the other criteria', async () => {
    expect(names(await generate(pairFleet(), { pair: 'prod-eu' }))).toEqual(['prod-eu-blue', 'prod-eu-green']);
    expect(names(await generate(pairFleet(), { pair: 'prod-eu', role: 'green' }))).toEqual(['prod-eu-green']);
    expect(names(await generate(pairFleet(), { role: ['blue', 'green'], selector: { matchLabels: { env: 'prod' } } }))).toEqual(['prod-eu-blue', 'prod-eu-green']);
  });

  it('reads pair and role from EKS tags when the Secret has no labels', async () => {
    const fleet = new InMemoryFleet().add(
      aCluster({ name: 'tagged', aws: { clusterName: 'tagged' } }),
      { eks: eksFactsFor('tagged', '1.32', { tags: { 'greenlight.io/pair': 'prod-us', 'greenlight.io/role': 'green', 'greenlight.io/weight': '20' } }) },
    );
    const [set] = await generate(fleet, { pair: 'prod-us', role: 'green' });
    expect(set?.cluster).toMatchObject({ name: 'tagged', pair: 'prod-us', role: 'green', weight: '20' });
  });

  it('does not look for EKS tags of clusters that are not registered through EKS', async () => {
    const fleet = pairFleet().add(aCluster({ name: 'in-cluster', server: 'https://kubernetes.default.svc' }), {});
    fleet.failures.set('in-cluster', new UpstreamError('GL_FACTS_UNAVAILABLE', 'not in a pod'));
    expect(names(await generate(fleet, { pair: 'prod-eu' }))).toEqual(['prod-eu-blue', 'prod-eu-green']);
    expect(fleet.calls).not.toContain('in-cluster');
  });

  it('does not read facts of clusters that labels already rule out', async () => {
    const fleet = pairFleet();
    fleet.failures.set('prod-eu-blue', new UpstreamError('GL_FACTS_UNAVAILABLE', 'blue is down'));
    expect(names(await generate(fleet, { pair: 'prod-eu', role: 'green' }))).toEqual(['prod-eu-green']);
    expect(fleet.calls).not.toContain('prod-eu-blue');
  });
});

describe('generateParameters: fail closed', () => {
  it('refuses an empty selection unless allowEmpty is set', async () => {
    const err = await rejection(generate(pairFleet(), { pair: 'prod-eu', role: 'grene' }));
    expect(err.code).toBe('GL_SELECTION_EMPTY');
    expect(err.kind).toBe('not-found');
    expect(err.message).toBe(
      'no cluster matches pair=prod-eu, role=grene (3 clusters registered: "prod-eu-blue", "prod-eu-green", "staging"). ' +
        'An empty answer would delete every Application of ApplicationSet "web", so greenlight refuses it; check the selection, or set allowEmpty: true if an empty list is really meant.',
    );
    expect(await generate(pairFleet(), { pair: 'prod-eu', role: 'grene', allowEmpty: true })).toEqual([]);
    expect(await generate(pairFleet(), { pair: 'nope', allowEmpty: 'true' })).toEqual([]);
  });

  it('names clusters that do not exist', async () => {
    const err = await rejection(generate(pairFleet(), { clusters: ['prod-eu-green', 'prod-us-green'] }));
    expect(err.code).toBe('GL_CLUSTER_NOT_FOUND');
    expect(err.message).toBe(
      'no cluster named "prod-us-green" is registered in Argo CD (known: "prod-eu-blue", "prod-eu-green", "staging"); register it or fix the name in the ApplicationSet "web"',
    );
  });

  it('fails the whole answer when one selected cluster has no facts, naming it', async () => {
    const fleet = pairFleet();
    fleet.failures.set('prod-eu-green', new UpstreamError('GL_FACTS_UNAVAILABLE', 'facts of cluster "prod-eu-green" from eks are unavailable: AccessDenied'));
    const err = await rejection(generate(fleet, { pair: 'prod-eu' }));
    expect(err.code).toBe('GL_FACTS_UNAVAILABLE');
    expect(err.kind).toBe('upstream');
    expect(err.message).toBe('facts of cluster "prod-eu-green" from eks are unavailable: AccessDenied');
  });

  it('lists every failing cluster in one error', async () => {
    const fleet = pairFleet();
    fleet.failures.set('prod-eu-green', new UpstreamError('GL_FACTS_UNAVAILABLE', 'green: EKS throttled'));
    fleet.failures.set('prod-eu-blue', new Error('socket hang up'));
    const err = await rejection(generate(fleet, { pair: 'prod-eu' }));
    expect(err.message).toBe(
      'facts of 2 selected clusters could not be read: facts of cluster "prod-eu-blue" could not be read: socket hang up; green: EKS throttled',
    );
  });

  it('fails with the provider\'s own timeout message when it honours the deadline', async () => {
    const fleet = pairFleet();
    fleet.hanging.add('prod-eu-green');
    const controller = new AbortController();
    const pending = generate(fleet, { pair: 'prod-eu' }, controller.signal);
    setTimeout(() => controller.abort(), 5);
    const err = await rejection(pending);
    expect(err.code).toBe('GL_DEADLINE_EXCEEDED');
    expect(err.kind).toBe('timeout');
    expect(err.message).toBe('facts of cluster "prod-eu-green" from fleet were still pending at the request deadline');
  });

  it('fails with a timeout naming the cluster even when the provider ignores the deadline', async () => {
    const fleet = pairFleet();
    fleet.deaf.add('prod-eu-blue');
    const controller = new AbortController();
    const pending = generate(fleet, { pair: 'prod-eu' }, controller.signal);
    setTimeout(() => controller.abort(), 5);
    const err = await rejection(pending);
    expect(err.code).toBe('GL_DEADLINE_EXCEEDED');
    expect(err.message).toBe('facts of cluster "prod-eu-blue" were not ready within the request deadline');
  });

  it('fails when an unreadable registration may be selected, and not when it cannot be', async () => {
    const fleet = pairFleet();
    fleet.problems = [{ origin: 'Secret argocd/cluster-broken', name: 'prod-eu-green-2', labels: blueGreenLabels('prod-eu', 'green'), reason: 'config is not JSON' }];
    const err = await rejection(generate(fleet, { pair: 'prod-eu' }));
    expect(err.code).toBe('GL_CLUSTER_INVALID');
    expect(err.message).toContain('Secret argocd/cluster-broken (cluster "prod-eu-green-2") cannot be read: config is not JSON');
    expect(err.message).toContain('fix the Secret');
    expect(names(await generate(fleet, { pair: 'other', allowEmpty: true }))).toEqual([]);
    expect(names(await generate(fleet, { cluster: 'staging' }))).toEqual(['staging']);
  });

  it('fails while the inventory is not ready', async () => {
    const fleet = pairFleet();
    fleet.ready = false;
    expect((await rejection(generate(fleet, {}))).code).toBe('GL_INVENTORY_UNAVAILABLE');
  });

  it('selects around a cluster with an invalid weight, and fails only when it is selected', async () => {
    const fleet = pairFleet().add(
      aCluster({ name: 'staging-broken', labels: blueGreenLabels('staging', 'blue'), annotations: { 'greenlight.io/weight': '300' } }),
      {},
    );
    expect(names(await generate(fleet, { pair: 'prod-eu' }))).toEqual(['prod-eu-blue', 'prod-eu-green']);
    expect(names(await generate(fleet, { role: 'green' }))).toEqual(['prod-eu-green']);
    expect((await rejection(generate(fleet, { role: 'blue' }))).code).toBe('GL_CLUSTER_INVALID');
  });

  it('rejects an invalid weight annotation naming cluster and annotation', async () => {
    const fleet = new InMemoryFleet().add(aCluster({ name: 'x', annotations: { 'greenlight.io/weight': '300' } }), {});
    const err = await rejection(generate(fleet, {}));
    expect(err.message).toBe(
      'cluster "x" (test fleet (cluster x)) has greenlight.io/weight="300": a Route 53 weight must be a whole number from 0 to 255; fix the annotation (or the EKS tag)',
    );
  });
});

describe('generateParameters: input', () => {
  it.each([
    [{ selecter: {} }, 'invalid plugin input: input.parameters: Unrecognized key: "selecter"'],
    [{ cluster: 3 }, 'invalid plugin input: input.parameters.cluster: Invalid input: expected string, received number'],
    [{ selector: { matchExpressions: [{ key: 'env', operator: 'In' }] } }, 'invalid plugin input: input.parameters.selector.matchExpressions.0.values: operator In needs at least one value'],
    [{ vars: { 'my-host': 'x' } }, 'invalid plugin input: input.parameters.vars.my-host: the key must start with a letter and hold only letters, digits and "_" (at most 63)'],
    [{ allowEmpty: 'yes' }, 'invalid plugin input: input.parameters.allowEmpty: Invalid input'],
  ])('rejects %j with a message naming the field', async (parameters, expected) => {
    const err = await rejection(generate(pairFleet(), parameters));
    expect(err.code).toBe('GL_INPUT_INVALID');
    expect(err.kind).toBe('input');
    expect(err.message.startsWith(expected)).toBe(true);
  });

  it('echoes scalar inputs and echo values as strings under input', async () => {
    const [set] = await generate(pairFleet(), { cluster: 'prod-eu-green', echo: { team: 'payments', replicas: 3, canary: true } });
    expect(set?.input).toEqual({ cluster: 'prod-eu-green', team: 'payments', replicas: '3', canary: 'true' });
  });

  it('renders vars per cluster, with [[ ]] as the escape for nested use', async () => {
    const sets = await generate(pairFleet(), {
      pair: 'prod-eu',
      vars: { host: 'web.{{ingress.clusterDomain}}', role: '[[aws.region]]-[[cluster.role]]', irsa: '{{aws.oidcIssuerHost}}:sub' },
    });
    expect(sets.map((s) => s.vars)).toEqual([
      { host: 'web.prod-eu-blue.eu.example.com', role: 'eu-west-1-blue', irsa: 'oidc.eks.eu-west-1.amazonaws.com/id/PRODEUBLUE:sub' },
      { host: 'web.prod-eu-green.eu.example.com', role: 'eu-west-1-green', irsa: 'oidc.eks.eu-west-1.amazonaws.com/id/PRODEUGREEN:sub' },
    ]);
  });

  it('reports a template key a cluster lacks, with its whole path and what exists', async () => {
    const err = await rejection(generate(pairFleet(), { clusters: ['prod-eu-green', 'staging'], vars: { host: 'web.{{ingress.domain}}' } }));
    expect(err.code).toBe('GL_TEMPLATE_FAILED');
    expect(err.message).toBe('template failed: input.parameters.vars.host for cluster "staging": "ingress.domain" is not defined ("ingress" has: classes, defaultClass)');
  });

  it('rejects a template that does not compile before reading any facts', async () => {
    const fleet = pairFleet();
    const err = await rejection(generate(fleet, { vars: { host: '{{#if cluster.role}}x' } }));
    expect(err.code).toBe('GL_TEMPLATE_INVALID');
    expect(err.message).toMatch(/^input\.parameters\.vars\.host does not compile: /);
    expect(fleet.calls).toEqual([]);
  });
});

describe('generateParameters: output', () => {
  it('gives schema-valid sets whose leaves are all strings', async () => {
    const sets = await generate(pairFleet(), { compat: 'gitops-bridge', vars: { a: '{{cluster.name}}' }, echo: { n: 1000000 } });
    for (const set of sets) expect(parameterSetSchema.safeParse(set).success).toBe(true);
    expect(sets[0]?.input).toEqual({ n: '1000000' });
  });

  it('marks facts served from last-known-good as stale', async () => {
    const fleet = pairFleet();
    fleet.stale = true;
    const [set] = await generate(fleet, { cluster: 'staging' });
    expect(set?.facts).toEqual({ sources: 'fleet', fetchedAt: FIXED_TIME, stale: 'true' });
  });
});
