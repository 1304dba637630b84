/**
 * @module The data the drift rules run on: which field managers are client tools, which are
 * Argo CD, how Argo CD tracks its objects (argocd-cm), and which client-tool writes are not
 * changes of configuration. All of it is data, documented in docs/drift.md and extendable in
 * config (GREENLIGHT_DRIFT_TOOL_MANAGERS).
 */
import { trackingMethodSchema, type TrackingMethod } from '../contract/drift.js';

/**
 * Field managers that are client tools: people and scripts outside Git. Each entry is a name or
 * a glob (`*` matches anything), compared case-insensitively: `kubectl-*` covers
 * `kubectl-client-side-apply`, `kubectl-edit`, `kubectl-patch`, `kubectl-create`,
 * `kubectl-annotate`, `kubectl-label`, `kubectl-scale`, `kubectl-set`, `kubectl-replace`,
 * `kubectl-rollout`, `kubectl-run`, `kubectl-expose`. Controllers, the API server, EKS and Argo CD
 * write with their own names and are never client tools (Flux's `helm-controller` is not `helm`).
 */
export const DEFAULT_TOOL_MANAGERS: readonly string[] = Object.freeze([
  'kubectl',
  'kubectl-*',
  'helm',
  'k9s',
  'lens',
  'openlens',
  'freelens',
  'headlamp',
  'kubernetes-dashboard',
  'octant',
  'kustomize',
]);

/**
 * Argo CD's field managers: `argocd-controller` (server-side apply, and the manager Argo CD sets
 * for its writes) and `argocd-application-controller` (the name the API server derives from its
 * user agent).
 */
export const DEFAULT_ARGOCD_MANAGERS: readonly string[] = Object.freeze(['argocd-controller', 'argocd-application-controller']);

/**
 * Client-tool writes that change no configuration, so are not hotfixes: `kubectl rollout
 * restart` stamps this annotation to restart a workload's pods.
 */
export const BENIGN_FIELDS: readonly string[] = Object.freeze(['spec.template.metadata.annotations.kubectl.kubernetes.io/restartedAt']);

/** The annotation Argo CD tracks objects with (annotation tracking). */
export const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
/** The label Argo CD tracks objects with (label tracking), unless argocd-cm names another. */
export const DEFAULT_INSTANCE_LABEL = 'app.kubernetes.io/instance';
/** The annotation a team signs a finding off with. */
export const ACCEPT_ANNOTATION = 'greenlight.io/drift';
export const ACCEPT_VALUE = 'ignore';
/** kubectl apply keeps the whole object here, a Secret's values included: dropped on arrival. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** How Argo CD tracks the objects it manages. */
export interface Tracking {
  readonly method: TrackingMethod;
  /** The label of label tracking (`application.instanceLabelKey`). */
  readonly labelKey: string;
}

/** Everything the classification depends on. */
export interface DriftRules {
  readonly toolManagers: readonly string[];
  readonly argoCdManagers: readonly string[];
  readonly tracking: Tracking;
  readonly benignFields: readonly string[];
}

export const DEFAULT_TRACKING: Tracking = Object.freeze({ method: 'annotation', labelKey: DEFAULT_INSTANCE_LABEL });

/** The default rules, with extra tool managers (from config) added to the defaults. */
export function driftRules(options: { readonly extraToolManagers?: readonly string[]; readonly tracking?: Tracking } = {}): DriftRules {
  return {
    toolManagers: [...DEFAULT_TOOL_MANAGERS, ...(options.extraToolManagers ?? [])],
    argoCdManagers: DEFAULT_ARGOCD_MANAGERS,
    tracking: options.tracking ?? DEFAULT_TRACKING,
    benignFields: BENIGN_FIELDS,
  };
}

/**
 * Argo CD's tracking settings from the `data` of its `argocd-cm` ConfigMap:
 * `application.resourceTrackingMethod` (default `annotation`) and `application.instanceLabelKey`.
 * Throws `Error` naming the value when the method is one Argo CD does not know.
 */
export function trackingFromArgoCdConfig(data: Readonly<Record<string, string>> | undefined): Tracking {
  const raw = data?.['application.resourceTrackingMethod']?.trim();
  const labelKey = data?.['application.instanceLabelKey']?.trim() || DEFAULT_INSTANCE_LABEL;
  if (raw === undefined || raw === '') return { method: 'annotation', labelKey };
  const parsed = trackingMethodSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`argocd-cm sets application.resourceTrackingMethod to "${raw}", which Argo CD does not know (annotation, label or annotation+label)`);
  }
  return { method: parsed.data, labelKey };
}

const patterns = new Map<string, RegExp>();
const patternOf = (name: string): RegExp => {
  let re = patterns.get(name);
  if (re === undefined) {
    re = new RegExp(`^${name.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    if (patterns.size < 1000) patterns.set(name, re);
  }
  return re;
};

// Answers per list of names: a cluster has few distinct managers and many objects.
const answers = new WeakMap<readonly string[], Map<string, boolean>>();

/** Whether `manager` matches one of `names` (names or `*` globs, case-insensitive). */
export function managerMatches(manager: string, names: readonly string[]): boolean {
  let memo = answers.get(names);
  if (memo === undefined) answers.set(names, (memo = new Map()));
  let answer = memo.get(manager);
  if (answer === undefined) {
    answer = names.some((n) => patternOf(n).test(manager));
    if (memo.size < 10_000) memo.set(manager, answer);
  }
  return answer;
}
