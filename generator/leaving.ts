/**
 * @module The removal grace, as selection sees it: which clusters that just left the inventory a
 * request may have selected, and the error that answers such a request. A cluster that is
 * leaving is never silently missing from a 2xx answer: Argo CD would delete its Applications.
 */
import type { InputParameters } from './contract/input-parameters.js';
import { UnavailableError } from './errors.js';
import { matchesSelector } from './label-selector.js';
import { BLUE_GREEN_KEYS, type LeavingCluster } from './model.js';

const asList = (v: string | readonly string[] | undefined): readonly string[] | undefined =>
  v === undefined ? undefined : typeof v === 'string' ? [v] : v;

/**
 * Whether a selection may have included a cluster that left the inventory, decided as the live
 * selection decides (names, then the label selector, then pair and role) on what is known of it.
 * Undecidable is selected: a pair or role missing from its labels may have come from an EKS tag,
 * and then the cluster counts as selected (fail closed).
 */
export function mayHaveSelected(cluster: LeavingCluster, input: InputParameters): boolean {
  const names = input.cluster !== undefined ? [input.cluster] : input.clusters;
  if (names && !names.includes(cluster.name)) return false;
  if (input.selector && !matchesSelector(cluster.labels, input.selector)) return false;
  const within = (wanted: readonly string[] | undefined, key: string): boolean => {
    if (wanted === undefined) return true;
    const own = cluster.labels[key];
    if (own !== undefined && own !== '') return wanted.includes(own);
    return cluster.eksTags;
  };
  return within(asList(input.pair), BLUE_GREEN_KEYS.pair) && within(asList(input.role), BLUE_GREEN_KEYS.role);
}

/** The leaving clusters a selection may include, sorted by name. */
export function leavingInSelection(leaving: readonly LeavingCluster[] | undefined, input: InputParameters): LeavingCluster[] {
  return (leaving ?? []).filter((c) => mayHaveSelected(c, input)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The 503 for a request that may select leaving clusters: names each one, where it was
 * registered, when it left and when it will be dropped, and what to do.
 * @param selection the selection in words, e.g. `pair=prod-eu, role=green`
 */
export function clusterLeavingError(leaving: readonly LeavingCluster[], selection: string): UnavailableError {
  const shown = leaving.slice(0, 5).map((c) => `"${c.name}" (${c.origin}; gone since ${iso(c.leftAt)}, dropped at ${iso(c.dropAt)})`);
  const more = leaving.length > 5 ? ` and ${leaving.length - 5} more` : '';
  const last = Math.max(...leaving.map((c) => c.dropAt));
  const subject = leaving.length === 1 ? `cluster ${shown.join('')} has` : `clusters ${shown.join(', ')}${more} have`;
  return new UnavailableError(
    'GL_CLUSTER_LEAVING',
    `${subject} left greenlight's inventory and may be selected by ${selection}. greenlight answers nothing until ${iso(last)} rather than a list without ` +
      `${leaving.length === 1 ? 'it' : 'them'}, which would make Argo CD delete ${leaving.length === 1 ? 'its' : 'their'} Applications. ` +
      'If the cluster is being re-registered (a Secret deleted and created again, a fleet file being rewritten), this clears as soon as it is back; ' +
      'if it was removed on purpose, answers without it start at that time (GREENLIGHT_REMOVAL_GRACE_MS).',
  );
}
