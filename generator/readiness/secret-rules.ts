/**
 * @module What blue's workloads read from AWS that green lacks: SSM parameters and Pod Identity
 * associations. Each is a blocker, since the app on green starts without its secret or without
 * AWS credentials (DESIGN.md, "The upgrade, step by step", steps 2 and 5).
 *
 * - SSM (`ssmRule`): each cluster has its own prefix, so parameters are compared by their name
 *   below the prefix ("payments/db-password"): a key under blue's prefix with none under green's
 *   is a blocker. Keys only on green are nothing. Names only: values never reach greenlight. A key
 *   whose first segment names a namespace ("payments/db-password") concerns the apps deployed
 *   there; a key without one concerns the whole pair.
 * - Pod Identity (`podIdentityRule`): associations are compared by (namespace, service account);
 *   one on blue with none on green is a blocker (EKS Pod Identity gives pods credentials only
 *   through an association on their own cluster:
 *   https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html). Role ARNs differ
 *   per cluster by design and are not compared.
 *
 * When only one cluster has the fact group, both rules report a `facts-missing` blocker.
 */
import type { Finding } from '../contract/readiness.js';
import { count, eksNameOf, finding, oneSidedFacts, type ReadinessPair, type RuleResult } from './pair.js';

/** Parameter names relative to the prefix; a name outside the prefix is kept whole. */
const relativeKeys = (prefix: string, names: readonly string[]) => new Set(names.map((n) => (n.startsWith(prefix) ? n.slice(prefix.length) : n)));

export function ssmRule(pair: ReadinessPair): RuleResult {
  const { blue, green } = pair;
  const oneSided = oneSidedFacts(pair, 'ssm', (f) => f.secrets !== undefined, `the SSM parameters of ${blue.name} and ${green.name}`);
  if (oneSided) return { findings: [oneSided], detail: 'SSM facts are known for one cluster only' };
  const b = blue.facts.secrets;
  const g = green.facts.secrets;
  if (!b || !g) return { skipped: 'neither cluster has SSM facts (the SSM fact source is not used for this pair)' };

  const onGreen = relativeKeys(g.prefix, g.names);
  const onBlue = relativeKeys(b.prefix, b.names);
  const findings: Finding[] = [];
  for (const key of [...onBlue].sort()) {
    if (onGreen.has(key)) continue;
    findings.push(
      finding(
        'ssm-missing',
        'blocker',
        `ssm:${key}`,
        `SSM parameter ${key} exists for ${blue.name} (${b.prefix}${key}) but not for ${green.name}: apps that read it on ${green.name} find nothing. Create ${g.prefix}${key} with the value ${green.name} should use (often the same as ${blue.name}'s).`,
        { cluster: green.name, workload: key.includes('/') ? { namespace: key.slice(0, key.indexOf('/')), serviceAccount: null } : null },
      ),
    );
  }
  return { findings, detail: `${count(onBlue.size, 'parameter')} under ${b.prefix} compared with ${count(onGreen.size, 'parameter')} under ${g.prefix}` };
}

export function podIdentityRule(pair: ReadinessPair): RuleResult {
  const { blue, green } = pair;
  const oneSided = oneSidedFacts(pair, 'podIdentity', (f) => f.podIdentity !== undefined, `the Pod Identity associations of ${blue.name} and ${green.name}`);
  if (oneSided) return { findings: [oneSided], detail: 'Pod Identity facts are known for one cluster only' };
  const b = blue.facts.podIdentity;
  const g = green.facts.podIdentity;
  if (!b || !g) return { skipped: 'neither cluster has Pod Identity facts (the eks fact source is not used for this pair)' };

  const id = (a: { namespace: string; serviceAccount: string }) => `${a.namespace}/${a.serviceAccount}`;
  const onGreen = new Set(g.map(id));
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const a of [...b].sort((x, y) => id(x).localeCompare(id(y)))) {
    if (onGreen.has(id(a)) || seen.has(id(a))) continue;
    seen.add(id(a));
    findings.push(
      finding(
        'pod-identity-missing',
        'blocker',
        `podidentity:${id(a)}`,
        `Pod Identity association ${id(a)} exists on ${blue.name} but not on ${green.name}: pods of service account ${a.serviceAccount} in namespace ${a.namespace} get no AWS credentials there. Create it: aws eks create-pod-identity-association --cluster-name ${eksNameOf(green)} --namespace ${a.namespace} --service-account ${a.serviceAccount} --role-arn <role> (${blue.name} uses ${a.roleArn}).`,
        {
          cluster: green.name,
          reference: 'https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html',
          workload: { namespace: a.namespace, serviceAccount: a.serviceAccount },
        },
      ),
    );
  }
  return { findings, detail: `${count(b.length, 'association')} of ${blue.name} compared with ${count(g.length, 'association')} on ${green.name}` };
}
