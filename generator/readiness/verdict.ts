/**
 * @module One readiness verdict per blue/green pair: ready for the next weight step, or the
 * blockers and warnings that say what to fix, where. Runs every rule of `generator/readiness/`
 * over plain data; no I/O. A pair is ready when no rule found a blocker.
 */
import type { ClusterFacts } from '../contract/cluster-facts.js';
import {
  FINDING_KINDS,
  READINESS_EXIT_CODES,
  type AddonCompatibility,
  type Finding,
  type FindingKind,
  type PairInsights,
  type ReadinessApplication,
  type ReadinessCheck,
  type ReadinessCheckName,
  type ReadinessVerdict,
} from '../contract/readiness.js';
import { addonRule, addonSupportRule } from './addon-rules.js';
import type { DriftReport } from '../contract/drift.js';
import { driftRule } from './drift-rule.js';
import { insightRule } from './insight-rule.js';
import { finding, versionText, type ReadinessPair, type RuleResult } from './pair.js';
import { removedApiRule } from './removed-api-rule.js';
import { podIdentityRule, ssmRule } from './secret-rules.js';
import { versionSkewRule } from './version-skew-rule.js';

/** One cluster of the pair as the caller has it: its facts, or why there are none. */
export interface ReadinessMemberInput {
  readonly name: string;
  /** API server URL as registered in Argo CD, to match Applications' destinations. */
  readonly server?: string | undefined;
  /** Undefined when greenlight could not read them; the verdict then blocks. */
  readonly facts: ClusterFacts | undefined;
  /** Why the facts are missing, for the message (an error message; never a secret). */
  readonly factsError?: string | undefined;
}

/** Everything the readiness of one pair is judged on. Optional inputs skip their check when absent. */
export interface ReadinessInput {
  readonly pair: string;
  readonly blue: ReadinessMemberInput;
  readonly green: ReadinessMemberInput;
  /** Argo CD Applications with `status.resources`; those of other clusters are ignored. */
  readonly applications?: readonly ReadinessApplication[] | undefined;
  /** EKS `DescribeAddonVersions` for green's version, reduced (see `addonCompatibilitySchema`). */
  readonly addonCompatibility?: AddonCompatibility | undefined;
  /** EKS `ListInsights` of each cluster. */
  readonly insights?: PairInsights | undefined;
  /** The pair's drift report (greenlight drift), or why there is none; absent skips the drift check. */
  readonly drift?: DriftReport | { readonly skipped: string } | undefined;
}

const toCheck = (check: ReadinessCheckName, result: RuleResult): { check: ReadinessCheck; findings: readonly Finding[] } => {
  if ('skipped' in result) return { check: { check, outcome: 'skipped', detail: result.skipped }, findings: [] };
  const outcome = result.findings.some((f) => f.severity === 'blocker') ? 'blockers' : result.findings.length > 0 ? 'warnings' : 'ok';
  return { check: { check, outcome, detail: result.detail }, findings: result.findings };
};

/**
 * The verdict on one pair. Checks run in a fixed order (`READINESS_CHECKS`) and findings keep
 * it, so the same input always gives the same output.
 *
 * @example
 * const verdict = readinessVerdict({ pair: 'prod-eu', blue: { name: 'prod-eu-blue', facts: blueFacts }, green: { name: 'prod-eu-green', facts: greenFacts } });
 * verdict.ready; // false
 * verdict.blockers.map((f) => f.subject); // ['ssm:payments/stripe-api-key', 'podidentity:payments/payments-api']
 */
export function readinessVerdict(input: ReadinessInput): ReadinessVerdict {
  const results: { check: ReadinessCheck; findings: readonly Finding[] }[] = [];
  const unread = [input.blue, input.green].filter((m) => m.facts === undefined);

  if (unread.length > 0) {
    const findings = unread.map((m) =>
      finding(
        'facts-missing',
        'blocker',
        `facts:${m.name}`,
        `greenlight could not read the facts of ${m.name}${m.factsError ? ` (${m.factsError.replace(/\.$/, '')})` : ''}, so it cannot judge pair ${input.pair}. Fix the fact source for ${m.name} and check again.`,
        { cluster: m.name },
      ),
    );
    const why = `no facts for ${unread.map((m) => m.name).join(' and ')}`;
    results.push({ check: { check: 'version-skew', outcome: 'blockers', detail: why }, findings });
    for (const check of ['removed-apis', 'addons', 'addon-support', 'ssm', 'pod-identity', 'eks-insights'] as const) {
      results.push({ check: { check, outcome: 'skipped', detail: why }, findings: [] });
    }
  } else {
    const pair: ReadinessPair = {
      pair: input.pair,
      blue: { name: input.blue.name, server: input.blue.server, facts: input.blue.facts ?? {} },
      green: { name: input.green.name, server: input.green.server, facts: input.green.facts ?? {} },
    };
    results.push(toCheck('version-skew', versionSkewRule(pair)));
    results.push(
      toCheck('removed-apis', input.applications ? removedApiRule(pair, input.applications) : { skipped: 'no Argo CD Applications were supplied' }),
    );
    results.push(toCheck('addons', addonRule(pair)));
    results.push(toCheck('addon-support', addonSupportRule(pair, input.addonCompatibility)));
    results.push(toCheck('ssm', ssmRule(pair)));
    results.push(toCheck('pod-identity', podIdentityRule(pair)));
    results.push(toCheck('eks-insights', insightRule(pair, input.insights)));
  }
  // Drift needs no facts: it runs whenever its report is there.
  const members = { pair: input.pair, blue: { name: input.blue.name, facts: {} }, green: { name: input.green.name, facts: {} } };
  results.push(toCheck('drift', driftRule(members, input.drift)));

  const all = results.flatMap((r) => r.findings);
  const blockers = all.filter((f) => f.severity === 'blocker');
  const warnings = all.filter((f) => f.severity === 'warning');
  const version = (m: ReadinessMemberInput) => {
    const text = versionText({ name: m.name, facts: m.facts ?? {} });
    return text === 'unknown' ? null : text;
  };
  return {
    pair: input.pair,
    blue: input.blue.name,
    green: input.green.name,
    blueVersion: version(input.blue),
    greenVersion: version(input.green),
    ready: blockers.length === 0,
    blockers,
    warnings,
    checks: results.map((r) => r.check),
  };
}

/** Findings by kind and severity, every kind present (zero when none): what the metrics gauges show. */
export function findingCounts(verdict: ReadinessVerdict): Record<FindingKind, { blocker: number; warning: number }> {
  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, { blocker: 0, warning: 0 }])) as Record<FindingKind, { blocker: number; warning: number }>;
  for (const f of [...verdict.blockers, ...verdict.warnings]) counts[f.kind][f.severity] += 1;
  return counts;
}

/** The exit code of `greenlight readiness` for these verdicts: 0 when every pair is ready, 2 when any has blockers. */
export function readinessExitCode(verdicts: readonly ReadinessVerdict[]): 0 | 2 {
  return verdicts.every((v) => v.ready) ? READINESS_EXIT_CODES.ready : READINESS_EXIT_CODES.blockers;
}
