/**
 * The UI's component tests show a drift report made by the real audit over the drift seeds
 * (test/fixtures/drift): since the UI's type-check cannot reach generator/index.ts (Node types),
 * they read it from prod-eu-report.json, which this test keeps equal to what auditPair makes now.
 * Regenerate with GREENLIGHT_UPDATE_FIXTURES=1 npx vitest run test/unit/generator/drift/ui-report-fixture.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPair, driftReportSchema, driftRules } from '../../../../generator/index.js';
import { eksBaseline } from '../../../fixtures/drift/eks-baseline.js';
import { scanFixture } from '../../../fixtures/drift/scan.js';
import { blueSeeds, bothSeeds, postgres } from '../../../fixtures/drift/seeds.js';

const PATH = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'drift', 'prod-eu-report.json');

describe("the UI tests' drift report", () => {
  it('is what the audit makes of the seeds on prod-eu today', () => {
    const rules = driftRules();
    const report = auditPair({
      pair: 'prod-eu',
      blue: scanFixture('prod-eu-blue', [...eksBaseline(), ...postgres('blue'), ...blueSeeds()], rules),
      green: scanFixture('prod-eu-green', [...eksBaseline(), ...postgres('green'), ...bothSeeds()], rules),
      rules,
    });
    if (process.env['GREENLIGHT_UPDATE_FIXTURES'] === '1') writeFileSync(PATH, `${JSON.stringify(report, null, 2)}\n`);
    expect(driftReportSchema.parse(JSON.parse(readFileSync(PATH, 'utf8')))).toEqual(report);
    expect(report.findings.map((f) => f.class)).toEqual(expect.arrayContaining(['unmanaged', 'hotfix', 'stateful']));
  });
});
