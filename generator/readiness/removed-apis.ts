/**
 * @module The Kubernetes API versions that releases stopped serving, by release, with what to
 * use instead. Data, transcribed from the upstream "Deprecated API Migration Guide",
 * https://kubernetes.io/docs/reference/using-api/deprecation-guide/ (section "Removed APIs by
 * release"; each entry keeps the guide's anchor). The guide lists removals in v1.16, v1.22,
 * v1.25, v1.26, v1.27, v1.29 and v1.32, and none after v1.32; a release it adds must be added
 * here. Only served group/version/kind triples are listed: a resource in any other version is
 * not judged by this table.
 */
import { compareMinor, parseMinor, type KubeMinor } from './versions.js';

export const DEPRECATION_GUIDE_URL = 'https://kubernetes.io/docs/reference/using-api/deprecation-guide/';

/** An API version that replaces a removed one, and the release that first served it (when the guide says). */
export interface ReplacementApi {
  /** `group/version`, or the version alone for the core group. */
  readonly apiVersion: string;
  /** "1.21": from then on both the old and the new version are served. */
  readonly since?: string;
}

/** One kind in one API version that a Kubernetes release stopped serving. */
export interface RemovedApi {
  /** API group; "" for the core group. */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The first Kubernetes minor version that no longer serves it, "1.25". */
  readonly removedIn: string;
  /** What to move to, in the guide's order of preference; empty when no API replaces it. */
  readonly replacements: readonly ReplacementApi[];
  /** What to do instead when no API replaces it. */
  readonly instead?: string;
  /** The guide's section, a URL. */
  readonly reference: string;
}

interface Removal {
  readonly removedIn: string;
  readonly anchor: string;
  /** [group, version] pairs that stopped serving `kinds`. */
  readonly from: readonly (readonly [string, string])[];
  readonly kinds: readonly string[];
  readonly to: readonly ReplacementApi[];
  readonly instead?: string;
}

// Ordered as the guide is, newest release first. `since` is the guide's "available since".
const REMOVALS: readonly Removal[] = [
  // v1.32: "Flow control resources" (#flowcontrol-resources-v132)
  { removedIn: '1.32', anchor: 'flowcontrol-resources-v132', from: [['flowcontrol.apiserver.k8s.io', 'v1beta3']], kinds: ['FlowSchema', 'PriorityLevelConfiguration'], to: [{ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', since: '1.29' }] },
  // v1.29: "Flow control resources" (#flowcontrol-resources-v129): v1 since 1.29, or v1beta3 since 1.26
  {
    removedIn: '1.29',
    anchor: 'flowcontrol-resources-v129',
    from: [['flowcontrol.apiserver.k8s.io', 'v1beta2']],
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    to: [{ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', since: '1.29' }, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', since: '1.26' }],
  },
  // v1.27: "CSIStorageCapacity" (#csistoragecapacity-v127)
  { removedIn: '1.27', anchor: 'csistoragecapacity-v127', from: [['storage.k8s.io', 'v1beta1']], kinds: ['CSIStorageCapacity'], to: [{ apiVersion: 'storage.k8s.io/v1', since: '1.24' }] },
  // v1.26: "Flow control resources" (#flowcontrol-resources-v126): the guide names v1beta2 and no release
  { removedIn: '1.26', anchor: 'flowcontrol-resources-v126', from: [['flowcontrol.apiserver.k8s.io', 'v1beta1']], kinds: ['FlowSchema', 'PriorityLevelConfiguration'], to: [{ apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2' }] },
  // v1.26: "HorizontalPodAutoscaler" (#horizontalpodautoscaler-v126)
  { removedIn: '1.26', anchor: 'horizontalpodautoscaler-v126', from: [['autoscaling', 'v2beta2']], kinds: ['HorizontalPodAutoscaler'], to: [{ apiVersion: 'autoscaling/v2', since: '1.23' }] },
  // v1.25 (#cronjob-v125, #endpointslice-v125, #event-v125, #horizontalpodautoscaler-v125, #poddisruptionbudget-v125, #psp-v125, #runtimeclass-v125)
  { removedIn: '1.25', anchor: 'cronjob-v125', from: [['batch', 'v1beta1']], kinds: ['CronJob'], to: [{ apiVersion: 'batch/v1', since: '1.21' }] },
  { removedIn: '1.25', anchor: 'endpointslice-v125', from: [['discovery.k8s.io', 'v1beta1']], kinds: ['EndpointSlice'], to: [{ apiVersion: 'discovery.k8s.io/v1', since: '1.21' }] },
  { removedIn: '1.25', anchor: 'event-v125', from: [['events.k8s.io', 'v1beta1']], kinds: ['Event'], to: [{ apiVersion: 'events.k8s.io/v1', since: '1.19' }] },
  { removedIn: '1.25', anchor: 'horizontalpodautoscaler-v125', from: [['autoscaling', 'v2beta1']], kinds: ['HorizontalPodAutoscaler'], to: [{ apiVersion: 'autoscaling/v2', since: '1.23' }] },
  { removedIn: '1.25', anchor: 'poddisruptionbudget-v125', from: [['policy', 'v1beta1']], kinds: ['PodDisruptionBudget'], to: [{ apiVersion: 'policy/v1', since: '1.21' }] },
  {
    removedIn: '1.25',
    anchor: 'psp-v125',
    from: [['policy', 'v1beta1']],
    kinds: ['PodSecurityPolicy'],
    to: [],
    instead: 'PodSecurityPolicy has no successor API: delete it from the manifests and enforce the same rules with Pod Security Admission (namespace labels) or an admission webhook',
  },
  { removedIn: '1.25', anchor: 'runtimeclass-v125', from: [['node.k8s.io', 'v1beta1']], kinds: ['RuntimeClass'], to: [{ apiVersion: 'node.k8s.io/v1', since: '1.20' }] },
  // v1.22 (#webhook-resources-v122 ... #storage-resources-v122)
  { removedIn: '1.22', anchor: 'webhook-resources-v122', from: [['admissionregistration.k8s.io', 'v1beta1']], kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], to: [{ apiVersion: 'admissionregistration.k8s.io/v1', since: '1.16' }] },
  { removedIn: '1.22', anchor: 'customresourcedefinition-v122', from: [['apiextensions.k8s.io', 'v1beta1']], kinds: ['CustomResourceDefinition'], to: [{ apiVersion: 'apiextensions.k8s.io/v1', since: '1.16' }] },
  { removedIn: '1.22', anchor: 'apiservice-v122', from: [['apiregistration.k8s.io', 'v1beta1']], kinds: ['APIService'], to: [{ apiVersion: 'apiregistration.k8s.io/v1', since: '1.10' }] },
  { removedIn: '1.22', anchor: 'tokenreview-v122', from: [['authentication.k8s.io', 'v1beta1']], kinds: ['TokenReview'], to: [{ apiVersion: 'authentication.k8s.io/v1', since: '1.6' }] },
  {
    removedIn: '1.22',
    anchor: 'subjectaccessreview-resources-v122',
    from: [['authorization.k8s.io', 'v1beta1']],
    kinds: ['LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SubjectAccessReview', 'SelfSubjectRulesReview'],
    to: [{ apiVersion: 'authorization.k8s.io/v1', since: '1.6' }],
  },
  { removedIn: '1.22', anchor: 'certificatesigningrequest-v122', from: [['certificates.k8s.io', 'v1beta1']], kinds: ['CertificateSigningRequest'], to: [{ apiVersion: 'certificates.k8s.io/v1', since: '1.19' }] },
  { removedIn: '1.22', anchor: 'lease-v122', from: [['coordination.k8s.io', 'v1beta1']], kinds: ['Lease'], to: [{ apiVersion: 'coordination.k8s.io/v1', since: '1.14' }] },
  { removedIn: '1.22', anchor: 'ingress-v122', from: [['extensions', 'v1beta1'], ['networking.k8s.io', 'v1beta1']], kinds: ['Ingress'], to: [{ apiVersion: 'networking.k8s.io/v1', since: '1.19' }] },
  { removedIn: '1.22', anchor: 'ingressclass-v122', from: [['networking.k8s.io', 'v1beta1']], kinds: ['IngressClass'], to: [{ apiVersion: 'networking.k8s.io/v1', since: '1.19' }] },
  { removedIn: '1.22', anchor: 'rbac-resources-v122', from: [['rbac.authorization.k8s.io', 'v1beta1']], kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], to: [{ apiVersion: 'rbac.authorization.k8s.io/v1', since: '1.8' }] },
  { removedIn: '1.22', anchor: 'priorityclass-v122', from: [['scheduling.k8s.io', 'v1beta1']], kinds: ['PriorityClass'], to: [{ apiVersion: 'scheduling.k8s.io/v1', since: '1.14' }] },
  // "Storage resources": one "available since" per kind
  { removedIn: '1.22', anchor: 'storage-resources-v122', from: [['storage.k8s.io', 'v1beta1']], kinds: ['CSIDriver'], to: [{ apiVersion: 'storage.k8s.io/v1', since: '1.19' }] },
  { removedIn: '1.22', anchor: 'storage-resources-v122', from: [['storage.k8s.io', 'v1beta1']], kinds: ['CSINode'], to: [{ apiVersion: 'storage.k8s.io/v1', since: '1.17' }] },
  { removedIn: '1.22', anchor: 'storage-resources-v122', from: [['storage.k8s.io', 'v1beta1']], kinds: ['StorageClass'], to: [{ apiVersion: 'storage.k8s.io/v1', since: '1.6' }] },
  { removedIn: '1.22', anchor: 'storage-resources-v122', from: [['storage.k8s.io', 'v1beta1']], kinds: ['VolumeAttachment'], to: [{ apiVersion: 'storage.k8s.io/v1', since: '1.13' }] },
  // v1.16 (#networkpolicy-v116, #daemonset-v116, #deployment-v116, #statefulset-v116, #replicaset-v116, #psp-v116)
  { removedIn: '1.16', anchor: 'networkpolicy-v116', from: [['extensions', 'v1beta1']], kinds: ['NetworkPolicy'], to: [{ apiVersion: 'networking.k8s.io/v1', since: '1.8' }] },
  { removedIn: '1.16', anchor: 'daemonset-v116', from: [['extensions', 'v1beta1'], ['apps', 'v1beta2']], kinds: ['DaemonSet'], to: [{ apiVersion: 'apps/v1', since: '1.9' }] },
  { removedIn: '1.16', anchor: 'deployment-v116', from: [['extensions', 'v1beta1'], ['apps', 'v1beta1'], ['apps', 'v1beta2']], kinds: ['Deployment'], to: [{ apiVersion: 'apps/v1', since: '1.9' }] },
  { removedIn: '1.16', anchor: 'statefulset-v116', from: [['apps', 'v1beta1'], ['apps', 'v1beta2']], kinds: ['StatefulSet'], to: [{ apiVersion: 'apps/v1', since: '1.9' }] },
  { removedIn: '1.16', anchor: 'replicaset-v116', from: [['extensions', 'v1beta1'], ['apps', 'v1beta1'], ['apps', 'v1beta2']], kinds: ['ReplicaSet'], to: [{ apiVersion: 'apps/v1', since: '1.9' }] },
  // PodSecurityPolicy moved to policy/v1beta1, itself removed in 1.25 (the guide's note under #psp-v116)
  { removedIn: '1.16', anchor: 'psp-v116', from: [['extensions', 'v1beta1']], kinds: ['PodSecurityPolicy'], to: [{ apiVersion: 'policy/v1beta1', since: '1.10' }] },
];

/** Every removed group/version/kind, one row each, newest removal first. */
export const REMOVED_APIS: readonly RemovedApi[] = Object.freeze(
  REMOVALS.flatMap((r) =>
    r.from.flatMap(([group, version]) =>
      r.kinds.map((kind) => ({
        group,
        version,
        kind,
        removedIn: r.removedIn,
        replacements: r.to,
        ...(r.instead !== undefined ? { instead: r.instead } : {}),
        reference: `${DEPRECATION_GUIDE_URL}#${r.anchor}`,
      })),
    ),
  ),
);

const key = (group: string, version: string, kind: string) => `${group}/${version}/${kind}`;
const BY_KEY: ReadonlyMap<string, RemovedApi> = new Map(REMOVED_APIS.map((r) => [key(r.group, r.version, r.kind), r]));

/** `group/version`, or `version` for the core group: how manifests spell `apiVersion`. */
export const apiVersionOf = (group: string, version: string): string => (group === '' ? version : `${group}/${version}`);

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The removal of a group/version/kind, whenever it happened; undefined when it is served by every release. */
export function removalOf(group: string | undefined, version: string, kind: string): RemovedApi | undefined {
  return BY_KEY.get(key(group ?? '', version, kind));
}

/** The removal of a group/version/kind that `target` no longer serves; undefined when `target` serves it. */
export function removedIn(target: KubeMinor, group: string | undefined, version: string, kind: string): RemovedApi | undefined {
  const removal = removalOf(group, version, kind);
  const at = removal ? parseMinor(removal.removedIn) : undefined;
  return removal && at && compareMinor(target, at) >= 0 ? removal : undefined;
}

/** A replacement `target` serves, and whether `current` (blue) serves it too. */
export interface ServedReplacement {
  readonly apiVersion: string;
  readonly since?: string;
  /** True when `current` serves it too; undefined when the guide gives no release to tell. */
  readonly servedByCurrent: boolean | undefined;
}

/**
 * What to move a removed API to so that `target` (green) serves it: the guide's replacements,
 * followed through replacements that `target` no longer serves either (flowcontrol v1beta1 →
 * v1beta2 → v1). Among those `target` serves, one that `current` (blue) already serves comes
 * first, so that one manifest fits both clusters. Undefined when no API replaces it (see
 * {@link RemovedApi.instead} along the chain).
 */
export function servedReplacement(removed: RemovedApi, target: KubeMinor, current?: KubeMinor): ServedReplacement | undefined {
  const served: ServedReplacement[] = [];
  const seen = new Set<string>();
  const visit = (candidates: readonly ReplacementApi[]) => {
    for (const c of candidates) {
      if (seen.has(c.apiVersion)) continue;
      seen.add(c.apiVersion);
      const { group, version } = splitApiVersion(c.apiVersion);
      const gone = removedIn(target, group, version, removed.kind);
      if (gone) {
        visit(gone.replacements);
        continue;
      }
      const since = parseMinor(c.since);
      served.push({
        apiVersion: c.apiVersion,
        ...(c.since !== undefined ? { since: c.since } : {}),
        servedByCurrent: current && since ? compareMinor(current, since) >= 0 : undefined,
      });
    }
  };
  visit(removed.replacements);
  return served.find((s) => s.servedByCurrent === true) ?? served[0];
}

/** What to do instead when no served API replaces a removed one: the last `instead` along its chain. */
export function insteadOf(removed: RemovedApi, target: KubeMinor): string | undefined {
  if (removed.instead !== undefined) return removed.instead;
  for (const c of removed.replacements) {
    const { group, version } = splitApiVersion(c.apiVersion);
    const gone = removedIn(target, group, version, removed.kind);
    const next = gone ? insteadOf(gone, target) : undefined;
    if (next !== undefined) return next;
  }
  return undefined;
}
