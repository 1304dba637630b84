import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  buildFleet,
  clusterFactsSchema,
  diffFacts,
  familyOf,
  familyOfApp,
  filterFleet,
  judge,
  ownerIndexOf,
  pickBaseline,
  snapshotOf,
  summarize,
  VERDICTS,
  type AppSnapshot,
  type ArgoApplication,
  type ArgoCluster,
  type ClusterFacts,
} from '../../../generator/index.js';

const BLUE = 'https://blue.example.com';
const GREEN = 'https://green.example.com';
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

function cluster(name: string, server: string, pair?: string, role?: string, weight?: string): ArgoCluster {
  return {
    name,
    server,
    labels: { ...(pair ? { 'greenlight.io/pair': pair } : {}), ...(role ? { 'greenlight.io/role': role } : {}) },
    annotations: weight !== undefined ? { 'greenlight.io/weight': weight } : {},
  };
}

interface AppOptions {
  family?: string;
  server?: string;
  sync?: string;
  health?: string;
  revision?: string;
  images?: string[];
  phase?: string;
  message?: string;
  owner?: string;
  source?: { repoURL?: string; path?: string; chart?: string };
}

function app(name: string, o: AppOptions = {}): ArgoApplication {
  return {
    metadata: {
      name,
      namespace: 'argocd',
      labels: o.family ? { 'greenlight.io/app': o.family } : {},
      ...(o.owner ? { ownerReferences: [{ kind: 'ApplicationSet', name: o.owner }] } : {}),
    },
    spec: { project: 'default', source: o.source ?? { repoURL: 'https://git.example.com/apps.git', path: 'web' }, destination: { server: o.server ?? BLUE, namespace: 'web' } },
    status: {
      sync: { status: o.sync ?? 'Synced' },
      health: { status: o.health ?? 'Healthy' },
      summary: { images: o.images ?? ['ghcr.io/example/web:1.0.0'] },
      operationState: {
        phase: o.phase ?? 'Succeeded',
        ...(o.message ? { message: o.message } : {}),
        finishedAt: '2026-11-26T08:00:00Z',
        operation: { sync: { revision: o.revision ?? SHA_A } },
      },
    },
  };
}

const pairClusters = [cluster('prod-eu-blue', BLUE, 'prod-eu', 'blue', '100'), cluster('prod-eu-green', GREEN, 'prod-eu', 'green', '0')];

function snap(o: AppOptions = {}): AppSnapshot {
  return snapshotOf(app('x', o));
}

describe('judge: one verdict per cell, in a fixed order', () => {
  const base = snap();

  it('missing: no Application on the cluster', () => {
    expect(judge(undefined, base, false).verdict).toBe('missing');
  });

  it('operation-failed: the last sync Failed or Errored, before anything else', () => {
    const r = judge(snap({ phase: 'Failed', sync: 'OutOfSync', message: 'one or more objects failed to apply' }), base, false);
    expect(r).toEqual({ verdict: 'operation-failed', detail: 'last sync failed: one or more objects failed to apply' });
    expect(judge(snap({ phase: 'Error' }), base, false).verdict).toBe('operation-failed');
  });

  it('out-of-sync: sync status OutOfSync or Unknown', () => {
    expect(judge(snap({ sync: 'OutOfSync', health: 'Degraded' }), base, false)).toEqual({ verdict: 'out-of-sync', detail: 'sync status is OutOfSync' });
    expect(judge(snapshotOf({ metadata: { name: 'bare' } }), base, false)).toEqual({ verdict: 'out-of-sync', detail: 'sync status is Unknown' });
  });

  it('progressing: health Progressing, or a sync running', () => {
    expect(judge(snap({ health: 'Progressing' }), base, false).verdict).toBe('progressing');
    expect(judge(snap({ phase: 'Running' }), base, false)).toEqual({ verdict: 'progressing', detail: 'a sync is running' });
  });

  it('unhealthy: any health but Healthy and Progressing', () => {
    for (const health of ['Degraded', 'Missing', 'Suspended', 'Unknown']) {
      expect(judge(snap({ health }), base, false).verdict).toBe('unhealthy');
    }
  });

  it('baseline: the reference cell, Synced and Healthy', () => {
    expect(judge(base, base, true).verdict).toBe('baseline');
  });

  it('a baseline cell that is unhealthy reads unhealthy, not baseline', () => {
    const sick = snap({ health: 'Degraded' });
    expect(judge(sick, sick, true).verdict).toBe('unhealthy');
  });

  it('no-baseline: Synced and Healthy but nothing to compare with', () => {
    expect(judge(snap(), undefined, false).verdict).toBe('no-baseline');
  });

  it('revision-differs: another revision than the baseline, with short SHAs in the detail', () => {
    expect(judge(snap({ revision: SHA_B }), base, false, 'prod-eu-blue')).toEqual({
      verdict: 'revision-differs',
      detail: "revision bbbbbbb ≠ prod-eu-blue's aaaaaaa",
    });
  });

  it('images-differ: same revision, other images, naming both sides', () => {
    expect(judge(snap({ images: ['ghcr.io/example/web:1.0.1'] }), base, false, 'prod-eu-blue')).toEqual({
      verdict: 'images-differ',
      detail: 'runs ghcr.io/example/web:1.0.1; prod-eu-blue runs ghcr.io/example/web:1.0.0',
    });
  });

  it('at-parity: same revision and same images (in any order)', () => {
    const b = snap({ images: ['a:1', 'b:2'] });
    expect(judge(snap({ images: ['b:2', 'a:1', 'a:1'] }), b, false).verdict).toBe('at-parity');
  });

  it('revision-unknown: same images, but a revision is not known (the list API before Argo CD 3.5), so no parity is claimed', () => {
    const unknown = { ...snap(), revision: undefined };
    expect(judge(unknown, base, false, 'prod-eu-blue')).toEqual({
      verdict: 'revision-unknown',
      detail: "same images as prod-eu-blue; this cell's synced revision is not known (Argo CD lists it from 3.5; open the app for its own)",
    });
    expect(judge(snap(), unknown, false, 'prod-eu-blue').detail).toBe(
      "same images as prod-eu-blue; prod-eu-blue's synced revision is not known (Argo CD lists it from 3.5; open the app for its own)",
    );
    expect(judge(unknown, unknown, false, 'prod-eu-blue').detail).toContain("this cell's and prod-eu-blue's synced revision is not known");
    // What is known still decides: other images are other images.
    expect(judge({ ...unknown, images: ['ghcr.io/example/web:1.0.1'] }, base, false, 'prod-eu-blue').verdict).toBe('images-differ');
  });

  it('counts only at-parity and baseline as at parity', () => {
    expect(Object.entries(VERDICTS).filter(([, v]) => v.atParity).map(([k]) => k).sort()).toEqual(['at-parity', 'baseline']);
  });
});

describe('snapshotOf', () => {
  it('reads the revision from sync status first, then the sync result, then the list API field', () => {
    const full = app('a');
    full.status = { ...full.status, sync: { status: 'Synced', revision: SHA_B } };
    expect(snapshotOf(full).revision).toBe(SHA_B);
    expect(snapshotOf(app('b', { revision: SHA_A })).revision).toBe(SHA_A);
  });

  it('joins the revisions of a multi-source app', () => {
    const multi = app('m');
    multi.status = { sync: { status: 'Synced', revisions: ['1.2.3', SHA_A] } };
    expect(snapshotOf(multi).revision).toBe(`1.2.3, ${SHA_A}`);
  });
});

describe('families', () => {
  it('come from the greenlight.io/app label first', () => {
    expect(familyOf(app('web-blue', { family: 'web', owner: 'web-set' }))).toEqual({ key: 'label:web', name: 'web', source: 'label' });
  });

  it('else from the owning ApplicationSet and the source', () => {
    const a = app('guestbook-blue', { owner: 'guestbook', source: { repoURL: 'https://git.example.com/apps.git', path: 'guestbook' } });
    expect(familyOf(a, ownerIndexOf([a]))).toEqual({
      key: 'appset:argocd/guestbook:https://git.example.com/apps.git guestbook',
      name: 'guestbook · guestbook',
      source: 'applicationset',
    });
  });

  it("learn the owner from ApplicationSets' status.resources when the list API dropped ownerReferences", () => {
    const a = app('api-green');
    const owners = ownerIndexOf([a], [{ metadata: { name: 'api', namespace: 'argocd' }, status: { resources: [{ kind: 'Application', name: 'api-green', namespace: 'argocd' }] } }]);
    expect(familyOf(a, owners)?.key).toBe('appset:argocd/api:https://git.example.com/apps.git web');
  });

  it('two sources of one ApplicationSet are two families', () => {
    const a = app('a', { owner: 'set', source: { repoURL: 'r', path: 'one' } });
    const b = app('b', { owner: 'set', source: { repoURL: 'r', chart: 'two' } });
    const owners = ownerIndexOf([a, b]);
    expect(familyOf(a, owners)?.key).not.toBe(familyOf(b, owners)?.key);
  });

  it('are undefined without label and owner', () => {
    expect(familyOf(app('lonely'))).toBeUndefined();
  });
});

describe('pickBaseline', () => {
  it('is the blue cluster', () => {
    expect(pickBaseline([{ name: 'g', role: 'green', weight: '100' }, { name: 'b', role: 'blue', weight: '0' }])?.name).toBe('b');
  });
  it('without blue, the single highest weight above 0', () => {
    expect(pickBaseline([{ name: 'x', weight: '20' }, { name: 'y', weight: '80' }])?.name).toBe('y');
    expect(pickBaseline([{ name: 'x', weight: '50' }, { name: 'y', weight: '50' }])).toBeUndefined();
    expect(pickBaseline([{ name: 'x', weight: '0' }, { name: 'y' }])).toBeUndefined();
  });
});

describe('buildFleet', () => {
  it('judges every cell against the blue cell and adds missing cells for the pair', () => {
    const fleet = buildFleet({
      clusters: pairClusters,
      applications: [
        app('web-blue', { family: 'web', server: BLUE }),
        app('web-green', { family: 'web', server: GREEN }),
        app('api-blue', { family: 'api', server: BLUE }),
        app('pay-blue', { family: 'payments', server: BLUE }),
        app('pay-green', { family: 'payments', server: GREEN, health: 'Degraded' }),
        app('lonely', { server: GREEN }),
      ],
    });
    const cells = fleet.families.map((f) => [f.id.name, f.rows.map((r) => `${r.cluster.name}:${r.verdict}`)]);
    expect(cells).toEqual([
      ['api', ['prod-eu-blue:baseline', 'prod-eu-green:missing']],
      ['payments', ['prod-eu-blue:baseline', 'prod-eu-green:unhealthy']],
      ['web', ['prod-eu-blue:baseline', 'prod-eu-green:at-parity']],
    ]);
    expect(fleet.ungrouped.map((a) => a.name)).toEqual(['lonely']);
    expect(fleet.counts).toMatchObject({ families: 3, familiesAtParity: 1, cells: 6 });
    expect(fleet.counts.byVerdict).toMatchObject({ baseline: 3, 'at-parity': 1, missing: 1, unhealthy: 1 });
    expect(fleet.pairs).toEqual(['prod-eu']);
    expect(fleet.roles).toEqual(['blue', 'green']);
  });

  it('matches destinations by server (ignoring a trailing slash) or by name, and keeps unknown ones', () => {
    const byName = app('web-green', { family: 'web' });
    byName.spec = { ...byName.spec, destination: { name: 'prod-eu-green' } };
    const unknown = app('web-other', { family: 'web', server: 'https://elsewhere.example.com' });
    const fleet = buildFleet({ clusters: pairClusters, applications: [app('web-blue', { family: 'web', server: `${BLUE}/` }), byName, unknown] });
    const rows = fleet.families[0]?.rows ?? [];
    expect(rows.map((r) => [r.cluster.name, r.cluster.listed, r.verdict])).toEqual([
      ['prod-eu-blue', true, 'baseline'],
      ['prod-eu-green', true, 'at-parity'],
      ['https://elsewhere.example.com', false, 'no-baseline'],
    ]);
  });

  it('without a blue cluster in the family, every healthy cell reads no-baseline', () => {
    const fleet = buildFleet({ clusters: [cluster('a', BLUE, 'p', 'green', '0'), cluster('b', GREEN, 'p', 'green', '0')], applications: [app('x', { family: 'x' }), app('y', { family: 'x', server: GREEN })] });
    expect(fleet.families[0]?.rows.map((r) => r.verdict)).toEqual(['no-baseline', 'no-baseline']);
    expect(fleet.families[0]?.baselines).toEqual([]);
  });

  it('compares each pair with its own blue cluster', () => {
    const US_BLUE = 'https://us-blue.example.com';
    const US_GREEN = 'https://us-green.example.com';
    const fleet = buildFleet({
      clusters: [...pairClusters, cluster('prod-us-blue', US_BLUE, 'prod-us', 'blue', '100'), cluster('prod-us-green', US_GREEN, 'prod-us', 'green', '0')],
      applications: [
        app('web-eu-blue', { family: 'web', server: BLUE }),
        app('web-eu-green', { family: 'web', server: GREEN }),
        app('web-us-blue', { family: 'web', server: US_BLUE, revision: SHA_B }),
        app('web-us-green', { family: 'web', server: US_GREEN, revision: SHA_B }),
        app('edge', { family: 'web', server: 'https://edge.example.com' }),
      ],
    });
    const web = fleet.families[0];
    expect(web?.baselines).toEqual(['prod-eu-blue', 'prod-us-blue']);
    expect(web?.rows.map((r) => `${r.cluster.name}:${r.verdict}`)).toEqual([
      'prod-eu-blue:baseline',
      'prod-eu-green:at-parity',
      'prod-us-blue:baseline',
      'prod-us-green:at-parity',
      'https://edge.example.com:no-baseline',
    ]);
  });

  it('groups thousands of families (its speed is measured by npm run bench)', () => {
    const clusters = [...pairClusters];
    const applications: ArgoApplication[] = [];
    for (let i = 0; i < 2000; i++) {
      applications.push(app(`app-${i}-blue`, { family: `app-${i}`, server: BLUE }), app(`app-${i}-green`, { family: `app-${i}`, server: GREEN, revision: i % 7 === 0 ? SHA_B : SHA_A }));
    }
    const fleet = buildFleet({ clusters, applications });
    expect(fleet.counts.families).toBe(2000);
    expect(fleet.counts.byVerdict['revision-differs']).toBe(286);
  });
});

describe('summarize and filterFleet', () => {
  const fleet = buildFleet({
    clusters: pairClusters,
    applications: [
      app('web-blue', { family: 'web' }),
      app('web-green', { family: 'web', server: GREEN }),
      app('pay-blue', { family: 'payments' }),
      app('pay-green', { family: 'payments', server: GREEN, sync: 'OutOfSync' }),
    ],
  });
  const web = fleet.families.find((f) => f.id.name === 'web');
  const payments = fleet.families.find((f) => f.id.name === 'payments');

  it('reads "green: converged" for a converged green app, else cells at parity', () => {
    if (!web || !payments) throw new Error('fixture');
    expect(summarize(web, { namespace: 'argocd', name: 'web-green' })).toMatchObject({ text: 'green: converged', tone: 'ok' });
    expect(summarize(web, { namespace: 'argocd', name: 'web-blue' })).toMatchObject({ text: '2/2 at parity', tone: 'ok' });
    expect(summarize(payments, { namespace: 'argocd', name: 'pay-green' })).toMatchObject({ text: '1/2 at parity', tone: 'warn' });
  });

  it('finds the family of an app', () => {
    expect(familyOfApp(fleet, { namespace: 'argocd', name: 'pay-green' })?.id.name).toBe('payments');
    expect(familyOfApp(fleet, { namespace: 'other', name: 'pay-green' })).toBeUndefined();
  });

  it('filters by parity, pair, role and text', () => {
    expect(filterFleet(fleet.families, { notAtParity: true }).map((f) => f.family.id.name)).toEqual(['payments']);
    expect(filterFleet(fleet.families, { role: 'green' }).map((f) => f.rows.map((r) => r.cluster.name))).toEqual([['prod-eu-green'], ['prod-eu-green']]);
    expect(filterFleet(fleet.families, { pair: 'other' })).toEqual([]);
    expect(filterFleet(fleet.families, { search: 'WEB-G' }).map((f) => f.family.id.name)).toEqual(['web']);
  });
});

describe('diffFacts on the demo fleet', () => {
  const doc = parseYaml(readFileSync(join(import.meta.dirname, '..', '..', '..', 'demo', 'fleet.yaml'), 'utf8')) as {
    clusters: { name: string; facts: unknown }[];
  };
  const facts = (name: string): ClusterFacts => clusterFactsSchema.parse(doc.clusters.find((c) => c.name === name)?.facts);
  const diff = diffFacts({ name: 'prod-eu-blue', facts: facts('prod-eu-blue') }, { name: 'prod-eu-green', facts: facts('prod-eu-green') });
  const unexpected = diff.filter((d) => !d.expected).map((d) => d.subject);
  const expected = diff.filter((d) => d.expected).map((d) => d.subject);

  it('finds the differences green must fix: Pod Identity, SSM key, StorageClass, version, add-on, auth mode, APIs', () => {
    expect(unexpected).toEqual([
      'kubernetes.minor',
      'eks.authenticationMode',
      'addon:kube-proxy',
      'storageclass:gp2',
      'api:flowcontrol.apiserver.k8s.io/v1beta3',
      'ssm:payments/stripe-api-key',
      'podidentity:payments/payments-api',
    ]);
    const pod = diff.find((d) => d.subject === 'podidentity:payments/payments-api');
    expect(pod).toMatchObject({ baseline: 'arn:aws:iam::111122223333:role/prod-eu-blue-payments-api', candidate: null, area: 'podIdentity' });
    expect(pod?.reason).toContain('create the association');
  });

  it('lists the differences every pair has as expected, after the unexpected ones', () => {
    expect(expected).toEqual(expect.arrayContaining(['eks.oidcIssuer', 'eks.endpoint', 'eks.clusterName', 'eks.clusterArn', 'ssm.prefix', 'podidentity:kube-system/ebs-csi-controller-sa']));
    expect(diff.findIndex((d) => d.expected)).toBe(unexpected.length);
  });

  it('reports nothing for identical facts', () => {
    expect(diffFacts({ name: 'a', facts: facts('prod-eu-blue') }, { name: 'b', facts: facts('prod-eu-blue') })).toEqual([]);
  });

  it('reports a fact group known on one side only, once', () => {
    const { kubernetes: _k, ...withoutKube } = facts('prod-eu-green');
    const d = diffFacts({ name: 'blue', facts: facts('prod-eu-blue') }, { name: 'green', facts: withoutKube });
    expect(d.filter((x) => x.subject === 'kubernetes:known')).toHaveLength(1);
    expect(d.some((x) => x.subject.startsWith('storageclass:'))).toBe(false);
  });
});
