/**
 * @module What the containers load from Argo CD, and how it becomes families (with the pure
 * parity functions). Failures of the optional ApplicationSets call become notices, never silence.
 */
import type { ArgoApplication, ArgoApplicationSet, ArgoCluster } from '../../generator/contract/ui-api.js';
import { buildFleet, FAMILY_LABEL, familyOf, ownerIndexOf, type Family, type FleetView } from '../../generator/parity.js';
import type { ApiClient } from '../api-client.js';
import { SharedLoads } from './shared-load.js';

export type FamilyLoad =
  | {
      readonly kind: 'family';
      readonly family: Family;
      /** The family's Applications as Argo CD gave them (with `status.resources`), this app as the host passed it. */
      readonly applications: readonly ArgoApplication[];
      readonly notices: readonly string[];
    }
  | { readonly kind: 'no-family' };

async function applicationSetsOrNotice(client: ApiClient, signal: AbortSignal, notices: string[]): Promise<ArgoApplicationSet[]> {
  try {
    return await client.listApplicationSets(signal);
  } catch (err) {
    if (signal.aborted) throw err;
    notices.push(
      `greenlight could not read ApplicationSets (${err instanceof Error ? err.message : String(err)}), so Applications without the greenlight.io/app label are grouped only where Argo CD names their owner. Add the label to the ApplicationSet template to group them without that permission.`,
    );
    return [];
  }
}

/** The family of one Application (the host's full object) with every cluster of its pairs. */
export async function loadFamily(client: ApiClient, app: ArgoApplication, signal: AbortSignal): Promise<FamilyLoad> {
  const ownOwners = ownerIndexOf([app]);
  const id = familyOf(app, ownOwners);
  if (!id) return { kind: 'no-family' };
  const notices: string[] = [];
  let applications: ArgoApplication[];
  let applicationSets: ArgoApplicationSet[] = [];
  const clustersPromise = client.listClusters(signal);
  if (id.source === 'label') {
    const value = app.metadata.labels?.[FAMILY_LABEL]?.trim() ?? '';
    applications = await client.listApplications({ selector: `${FAMILY_LABEL}=${value}` }, signal);
  } else {
    // The list API's `fields` filter drops ownerReferences: the ApplicationSets say who generated what.
    [applications, applicationSets] = await Promise.all([client.listApplications({}, signal), applicationSetsOrNotice(client, signal, notices)]);
    const owner = ownOwners.get(`${app.metadata.namespace ?? ''}/${app.metadata.name}`);
    if (owner) {
      applicationSets = [...applicationSets, { metadata: owner, status: { resources: [{ kind: 'Application', name: app.metadata.name, namespace: app.metadata.namespace }] } }];
    }
  }
  const clusters = await clustersPromise;
  const isSelf = (a: ArgoApplication) => a.metadata.name === app.metadata.name && (a.metadata.namespace ?? '') === (app.metadata.namespace ?? '');
  // The list API returns only whitelisted fields (no status.operationState.message, and no
  // status.sync.revision before Argo CD 3.5): the viewed Application's row is built from the
  // host's full object, so it shows why its sync failed and the revision it is synced to.
  applications = [...applications.filter((a) => !isSelf(a)), app];
  const fleet = buildFleet({ applications, clusters, applicationSets });
  const family = fleet.families.find((f) => f.id.key === id.key);
  if (!family) return { kind: 'no-family' };
  const members = new Set(family.rows.flatMap((r) => (r.app ? [`${r.app.namespace}/${r.app.name}`] : [])));
  const familyApps = applications.filter((a) => members.has(`${a.metadata.namespace ?? ''}/${a.metadata.name}`));
  return { kind: 'family', family, applications: familyApps, notices };
}

const familyLoads = new WeakMap<ApiClient, SharedLoads>();

/**
 * `loadFamily`, shared by every container of the page that asks for the same Application in the
 * same state (the status-panel item and the Parity view): one set of requests per page load.
 */
export function loadFamilyShared(client: ApiClient, app: ArgoApplication, signal: AbortSignal, fresh = false): Promise<FamilyLoad> {
  let loads = familyLoads.get(client);
  if (!loads) familyLoads.set(client, (loads = new SharedLoads()));
  const s = app.status;
  const key = JSON.stringify([
    app.metadata.namespace ?? '',
    app.metadata.name,
    app.metadata.labels?.[FAMILY_LABEL] ?? '',
    s?.sync?.status,
    s?.sync?.revision,
    s?.health?.status,
    s?.operationState?.phase,
    s?.operationState?.finishedAt,
  ]);
  return loads.get(key, (shared) => loadFamily(client, app, shared), signal, { fresh });
}

export interface FleetLoad {
  readonly fleet: FleetView;
  /** What the fleet was built from, for the readiness lines. */
  readonly applications: readonly ArgoApplication[];
  readonly clusters: readonly ArgoCluster[];
  readonly notices: readonly string[];
}

/** Every Application the user may see, grouped into families. */
export async function loadFleet(client: ApiClient, signal: AbortSignal): Promise<FleetLoad> {
  const [applications, clusters] = await Promise.all([client.listApplications({}, signal), client.listClusters(signal)]);
  const notices: string[] = [];
  // ApplicationSets are only needed for Applications without the label.
  const unlabelled = applications.some((a) => !a.metadata.labels?.[FAMILY_LABEL]);
  const applicationSets = unlabelled ? await applicationSetsOrNotice(client, signal, notices) : [];
  return { fleet: buildFleet({ applications, clusters, applicationSets }), applications, clusters, notices };
}
