import { describe, expect, it } from 'vitest';
import {
  generateParameters,
  leavingInSelection,
  mayHaveSelected,
  parseInputParameters,
  TemplateCache,
  UnavailableError,
  type LeavingCluster,
  type ParameterSet,
} from '../../../generator/index.js';
import { aCluster, blueGreenLabels, fullFacts } from '../../support/builders.js';
import { InMemoryFleet, neverAborted } from '../../support/in-memory-fleet.js';
import { rejection } from '../../support/rejection.js';

const LEFT_AT = Date.parse('2026-11-26T08:00:00.000Z');
const DROP_AT = LEFT_AT + 120_000;

function leaving(name: string, labels: Record<string, string>, eksTags = false): LeavingCluster {
  return { name, origin: `Secret argocd/cluster-${name}`, labels, eksTags, leftAt: LEFT_AT, dropAt: DROP_AT };
}

const GREEN = leaving('prod-eu-green', { ...blueGreenLabels('prod-eu', 'green'), env: 'prod' });
const selected = (cluster: LeavingCluster, parameters: unknown) => mayHaveSelected(cluster, parseInputParameters(parameters));

describe('mayHaveSelected: the selections a leaving cluster may be part of', () => {
  it('decides names, selectors, pair and role on what was known of the cluster', () => {
    expect(selected(GREEN, {})).toBe(true);
    expect(selected(GREEN, { cluster: 'prod-eu-green' })).toBe(true);
    expect(selected(GREEN, { cluster: 'prod-eu-blue' })).toBe(false);
    expect(selected(GREEN, { clusters: ['staging', 'prod-eu-green'] })).toBe(true);
    expect(selected(GREEN, { clusters: ['staging'] })).toBe(false);
    expect(selected(GREEN, { selector: { matchLabels: { env: 'prod' } } })).toBe(true);
    expect(selected(GREEN, { selector: { matchLabels: { env: 'staging' } } })).toBe(false);
    expect(selected(GREEN, { pair: 'prod-eu' })).toBe(true);
    expect(selected(GREEN, { pair: ['prod-us', 'prod-eu'], role: 'green' })).toBe(true);
    expect(selected(GREEN, { pair: 'prod-us' })).toBe(false);
    expect(selected(GREEN, { pair: 'prod-eu', role: 'blue' })).toBe(false);
    expect(selected(GREEN, { cluster: 'prod-eu-green', role: 'blue' })).toBe(false);
  });

  it('counts a pair or role it cannot know (an EKS tag, or a broken registration) as selected: fail closed', () => {
    const eks = leaving('prod-eu-green', { env: 'prod' }, true);
    expect(selected(eks, { pair: 'prod-eu', role: 'green' })).toBe(true);
    expect(selected(eks, { pair: 'anything' })).toBe(true);
    // The selector and names still rule it out: labels are known.
    expect(selected(eks, { pair: 'prod-eu', selector: { matchLabels: { env: 'staging' } } })).toBe(false);
    // Without EKS, a missing label means no pair, as the live selection decides.
    const plain = leaving('staging', { env: 'staging' });
    expect(selected(plain, { pair: 'prod-eu' })).toBe(false);
    expect(selected(plain, { role: 'green' })).toBe(false);
    // A label wins over a tag, as in resolveBlueGreen.
    expect(selected(leaving('x', blueGreenLabels('prod-us', 'green'), true), { pair: 'prod-eu' })).toBe(false);
  });

  it('lists the leaving clusters a selection touches, sorted', () => {
    const all = [leaving('b', { env: 'prod' }), leaving('a', { env: 'prod' }), leaving('c', { env: 'dev' })];
    expect(leavingInSelection(all, parseInputParameters({ selector: { matchLabels: { env: 'prod' } } })).map((c) => c.name)).toEqual(['a', 'b']);
    expect(leavingInSelection(undefined, parseInputParameters({}))).toEqual([]);
  });
});

function pairFleet(): InMemoryFleet {
  return new InMemoryFleet()
    .add(aCluster({ name: 'prod-eu-blue', labels: { ...blueGreenLabels('prod-eu', 'blue'), env: 'prod' } }), fullFacts('prod-eu-blue', '1.31'))
    .add(aCluster({ name: 'staging', labels: { env: 'staging' } }), fullFacts('staging', '1.32'));
}

/** The in-memory fleet with `prod-eu-green` leaving. */
class LeavingFleet extends InMemoryFleet {
  override snapshot() {
    return { ...super.snapshot(), leaving: [GREEN] };
  }
}

async function generate(fleet: InMemoryFleet, parameters: unknown): Promise<ParameterSet[]> {
  return generateParameters({ applicationSetName: 'web', parameters }, { inventory: fleet, facts: fleet, templates: new TemplateCache() }, neverAborted);
}


describe('generateParameters with a cluster leaving', () => {
  const fleet = () => {
    const f = new LeavingFleet();
    for (const c of pairFleet().clusters) f.add(c, fullFacts(c.name, '1.31'));
    return f;
  };

  it('answers 503 GL_CLUSTER_LEAVING, naming the cluster, when it is dropped and what to do, for every selection that may include it', async () => {
    for (const parameters of [{}, { pair: 'prod-eu' }, { role: 'green' }, { cluster: 'prod-eu-green' }, { selector: { matchLabels: { env: 'prod' } } }]) {
      const err = await rejection(generate(fleet(), parameters));
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err.code).toBe('GL_CLUSTER_LEAVING');
      expect(err.message).toContain('cluster "prod-eu-green" (Secret argocd/cluster-prod-eu-green; gone since 2026-11-26T08:00:00.000Z, dropped at 2026-11-26T08:02:00.000Z)');
      expect(err.message).toContain('greenlight answers nothing until 2026-11-26T08:02:00.000Z');
      expect(err.message).toContain('GREENLIGHT_REMOVAL_GRACE_MS');
    }
    expect((await rejection(generate(fleet(), { pair: 'prod-eu' }))).message).toBe(
      'cluster "prod-eu-green" (Secret argocd/cluster-prod-eu-green; gone since 2026-11-26T08:00:00.000Z, dropped at 2026-11-26T08:02:00.000Z) has left greenlight\'s inventory ' +
        'and may be selected by pair=prod-eu. greenlight answers nothing until 2026-11-26T08:02:00.000Z rather than a list without it, which would make Argo CD delete its Applications. ' +
        'If the cluster is being re-registered (a Secret deleted and created again, a fleet file being rewritten), this clears as soon as it is back; ' +
        'if it was removed on purpose, answers without it start at that time (GREENLIGHT_REMOVAL_GRACE_MS).',
    );
  });

  it('answers selections that cannot include it as usual', async () => {
    expect((await generate(fleet(), { role: 'blue' })).map((s) => s.cluster.name)).toEqual(['prod-eu-blue']);
    expect((await generate(fleet(), { cluster: 'staging' })).map((s) => s.cluster.name)).toEqual(['staging']);
    expect((await generate(fleet(), { selector: { matchLabels: { env: 'staging' } } })).map((s) => s.cluster.name)).toEqual(['staging']);
  });
});
