/**
 * @module EKS add-ons on green, compared with blue's and with what EKS supports for green's
 * Kubernetes version.
 *
 * Against blue (`addonRule`), for each add-on blue runs:
 * - missing on green: warning (it may be installed another way, with Helm or manifests, which
 *   the EKS add-on API does not show);
 * - older on green than on blue: warning (blue's workloads may rely on the newer one's fixes);
 * - the same or newer on green: nothing (kube-proxy, for one, follows the Kubernetes version).
 * Add-ons only on green are nothing.
 *
 * Against EKS (`addonSupportRule`), for each add-on green runs, with the compatibility map that
 * EKS `DescribeAddonVersions` (kubernetesVersion = green's version) gives
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html,
 * https://docs.aws.amazon.com/eks/latest/userguide/managing-add-ons.html):
 * - its version not among the versions EKS lists for green's minor: blocker;
 * - the add-on in the map, but no versions for green's minor: blocker (EKS supports none there);
 * - the add-on absent from the map: warning (greenlight cannot tell).
 */
import type { AddonCompatibility, Finding } from '../contract/readiness.js';
import { count, eksNameOf, finding, oneSidedFacts, versionOf, type ReadinessPair, type RuleResult } from './pair.js';
import { compareAddonVersions, formatMinor, newestAddonVersion } from './versions.js';

const ADDONS_DOC = 'https://docs.aws.amazon.com/eks/latest/userguide/managing-add-ons.html';

export function addonRule(pair: ReadinessPair): RuleResult {
  const { blue, green } = pair;
  const oneSided = oneSidedFacts(pair, 'addons', (f) => f.addons !== undefined, `the EKS add-ons of ${blue.name} and ${green.name}`);
  if (oneSided) return { findings: [oneSided], detail: 'add-on facts are known for one cluster only' };
  if (!blue.facts.addons || !green.facts.addons) return { skipped: 'neither cluster has EKS add-on facts (the eks fact source is not used for this pair)' };

  const onGreen = new Map(green.facts.addons.map((a) => [a.name, a.version]));
  const findings: Finding[] = [];
  for (const addon of [...blue.facts.addons].sort((x, y) => x.name.localeCompare(y.name))) {
    const other = onGreen.get(addon.name);
    if (other === undefined) {
      findings.push(
        finding(
          'addon-skew',
          'warning',
          `addon:${addon.name}`,
          `Add-on ${addon.name} runs on ${blue.name} (${addon.version}) but is not installed as an EKS add-on on ${green.name}. Install it (aws eks create-addon --cluster-name ${eksNameOf(green)} --addon-name ${addon.name}), or confirm that ${green.name} runs it another way (Helm, manifests).`,
          { cluster: green.name, reference: ADDONS_DOC },
        ),
      );
    } else if (compareAddonVersions(other, addon.version) < 0) {
      findings.push(
        finding(
          'addon-skew',
          'warning',
          `addon:${addon.name}`,
          `Add-on ${addon.name} on ${green.name} runs ${other}, older than ${addon.version} on ${blue.name}: fixes that ${blue.name}'s workloads rely on may be missing. Update it on ${green.name} to ${addon.version} or newer, if EKS supports that for ${green.name}'s Kubernetes version.`,
          { cluster: green.name, reference: ADDONS_DOC },
        ),
      );
    }
  }
  return { findings, detail: `${count(blue.facts.addons.length, 'add-on')} of ${blue.name} compared with ${count(green.facts.addons.length, 'add-on')} on ${green.name}` };
}

export function addonSupportRule(pair: ReadinessPair, compatibility: AddonCompatibility | undefined): RuleResult {
  const { green } = pair;
  if (!compatibility) return { skipped: 'no EKS add-on compatibility data was supplied (DescribeAddonVersions)' };
  if (!green.facts.addons) return { skipped: `greenlight has no EKS add-on facts for ${green.name}` };
  const target = versionOf(green);
  if (!target) return { skipped: `the Kubernetes version of ${green.name} is unknown` };
  const minor = formatMinor(target);

  const findings: Finding[] = [];
  for (const addon of [...green.facts.addons].sort((x, y) => x.name.localeCompare(y.name))) {
    const byMinor = compatibility[addon.name];
    const check = `aws eks describe-addon-versions --addon-name ${addon.name} --kubernetes-version ${minor}`;
    if (byMinor === undefined) {
      findings.push(
        finding(
          'addon-skew',
          'warning',
          `addon:${addon.name}`,
          `greenlight has no EKS compatibility data for add-on ${addon.name}, so it cannot tell whether ${addon.version} on ${green.name} is supported on Kubernetes ${minor}. Check with: ${check}.`,
          { cluster: green.name, reference: ADDONS_DOC },
        ),
      );
      continue;
    }
    const supported = byMinor[minor] ?? [];
    if (supported.includes(addon.version)) continue;
    const newest = newestAddonVersion(supported);
    const fix = newest
      ? `Update it to a supported version (newest: ${newest}): aws eks update-addon --cluster-name ${eksNameOf(green)} --addon-name ${addon.name} --addon-version ${newest}.`
      : `EKS lists no version of ${addon.name} for ${minor}: replace it (or install it outside EKS add-ons) before moving traffic; ${check} shows what EKS offers.`;
    findings.push(
      finding(
        'addon-skew',
        'blocker',
        `addon:${addon.name}`,
        `Add-on ${addon.name} ${addon.version} on ${green.name} is not a version EKS supports for Kubernetes ${minor}. ${fix}`,
        { cluster: green.name, reference: ADDONS_DOC },
      ),
    );
  }
  return { findings, detail: `${count(green.facts.addons.length, 'add-on')} of ${green.name} checked against EKS's supported versions for ${minor}` };
}
