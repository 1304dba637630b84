/** Loads the readiness fixtures (test/fixtures/readiness/*.json) through the same zod schemas the adapters use. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  addonCompatibilitySchema,
  clusterFactsSchema,
  eksInsightSchema,
  readinessApplicationSchema,
  type ReadinessInput,
  type ReadinessPair,
} from '../../../../generator/index.js';

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/readiness');

const memberSchema = z.object({ name: z.string(), server: z.string().optional(), facts: clusterFactsSchema });
/** A ListInsights answer: `insights` plus a `nextToken` the adapter follows. */
const listInsightsSchema = z.object({ insights: z.array(eksInsightSchema), nextToken: z.string().optional() });

const inputFixtureSchema = z.object({
  description: z.string(),
  pair: z.string(),
  blue: memberSchema,
  green: memberSchema,
  applications: z.array(readinessApplicationSchema).optional(),
  addonCompatibility: addonCompatibilitySchema.optional(),
  listInsights: z.object({ blue: listInsightsSchema.optional(), green: listInsightsSchema.optional() }).optional(),
});

export function readFixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;
}

/** A fixture as the verdict's input. */
export function loadInput(name: string): ReadinessInput {
  const f = inputFixtureSchema.parse(readFixture(name));
  return {
    pair: f.pair,
    blue: f.blue,
    green: f.green,
    applications: f.applications,
    addonCompatibility: f.addonCompatibility,
    insights: f.listInsights ? { blue: f.listInsights.blue?.insights, green: f.listInsights.green?.insights } : undefined,
  };
}

/** A fixture's pair as the rules take it (facts present). */
export function pairOf(input: ReadinessInput): ReadinessPair {
  return {
    pair: input.pair,
    blue: { name: input.blue.name, server: input.blue.server, facts: input.blue.facts ?? {} },
    green: { name: input.green.name, server: input.green.server, facts: input.green.facts ?? {} },
  };
}
