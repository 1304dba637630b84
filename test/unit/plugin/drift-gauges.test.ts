import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { auditPair, driftRules } from '../../../generator/index.js';
import { DriftGauges } from '../../../plugin/pairs/drift-gauges.js';
import { eksBaseline } from '../../fixtures/drift/eks-baseline.js';
import { scanFixture } from '../../fixtures/drift/scan.js';
import { blueSeeds, bothSeeds, postgres } from '../../fixtures/drift/seeds.js';

describe('greenlight_drift_objects', () => {
  it('counts each pair’s findings by cluster and class, signed-off ones as accepted', async () => {
    const rules = driftRules();
    const registry = new Registry();
    const gauges = new DriftGauges(registry);
    gauges.record(
      auditPair({
        pair: 'prod-eu',
        blue: scanFixture('prod-eu-blue', [...eksBaseline(), ...postgres('blue'), ...blueSeeds()], rules),
        green: scanFixture('prod-eu-green', [...eksBaseline(), ...postgres('green'), ...bothSeeds()], rules),
        rules,
      }),
    );
    gauges.record(auditPair({ pair: 'prod-us', blue: scanFixture('prod-us-blue', eksBaseline(), rules), green: scanFixture('prod-us-green', eksBaseline(), rules), rules }));
    const text = await registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('greenlight_drift_objects{'));
    expect(lines).toEqual([
      'greenlight_drift_objects{pair="prod-eu",cluster="prod-eu-blue",class="unmanaged"} 9',
      'greenlight_drift_objects{pair="prod-eu",cluster="prod-eu-blue",class="hotfix"} 1',
      'greenlight_drift_objects{pair="prod-eu",cluster="prod-eu-blue",class="stateful"} 1',
      'greenlight_drift_objects{pair="prod-eu",cluster="prod-eu-blue",class="accepted"} 1',
      'greenlight_drift_objects{pair="prod-us",cluster="prod-us-blue",class="unmanaged"} 0',
      'greenlight_drift_objects{pair="prod-us",cluster="prod-us-blue",class="hotfix"} 0',
      'greenlight_drift_objects{pair="prod-us",cluster="prod-us-blue",class="stateful"} 0',
      'greenlight_drift_objects{pair="prod-us",cluster="prod-us-blue",class="accepted"} 0',
    ]);
    gauges.retain(['prod-us']);
    expect((await registry.metrics()).includes('pair="prod-eu"')).toBe(false);
  });
});
