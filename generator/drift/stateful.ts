/**
 * @module State that stays behind: PersistentVolumeClaims bound to EBS volumes. EBS volumes live
 * in one availability zone and attach to one node at a time, so green cannot share them: their
 * data has to be migrated. EFS and storage outside the cluster move with no work. Pure: the
 * scanner reads claims, volumes and the pods that mount them; these rules decide.
 */
import { z } from 'zod';
import type { ManagerEntry } from '../contract/drift.js';

export const EBS_CSI_DRIVER = 'ebs.csi.aws.com';
export const EBS_IN_TREE_DRIVER = 'kubernetes.io/aws-ebs';
const ZONE_KEYS = ['topology.ebs.csi.aws.com/zone', 'topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];

const nodeSelectorTermsSchema = z
  .object({
    required: z
      .object({
        nodeSelectorTerms: z
          .array(z.object({ matchExpressions: z.array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).nullish() })).nullish() }))
          .nullish(),
      })
      .nullish(),
  })
  .nullish();

/** The PersistentVolume fields these rules read. */
export const persistentVolumeSchema = z.object({
  metadata: z.object({ name: z.string(), labels: z.record(z.string(), z.string()).nullish() }),
  spec: z
    .object({
      capacity: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
      csi: z.object({ driver: z.string(), volumeHandle: z.string().nullish() }).nullish(),
      awsElasticBlockStore: z.object({ volumeID: z.string() }).nullish(),
      storageClassName: z.string().nullish(),
      nodeAffinity: nodeSelectorTermsSchema,
    })
    .nullish(),
});
export type PersistentVolume = z.infer<typeof persistentVolumeSchema>;

/** The PersistentVolumeClaim fields these rules read. */
export const persistentVolumeClaimSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    creationTimestamp: z.string().nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
  }),
  spec: z
    .object({
      volumeName: z.string().nullish(),
      storageClassName: z.string().nullish(),
      resources: z.object({ requests: z.record(z.string(), z.union([z.string(), z.number()])).nullish() }).nullish(),
    })
    .nullish(),
  status: z.object({ phase: z.string().nullish(), capacity: z.record(z.string(), z.union([z.string(), z.number()])).nullish() }).nullish(),
});
export type PersistentVolumeClaim = z.infer<typeof persistentVolumeClaimSchema>;

/** The Pod fields these rules read: who owns it and which claims it mounts. */
export const podVolumesSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    ownerReferences: z.array(z.object({ kind: z.string(), name: z.string(), controller: z.boolean().nullish() }).loose()).nullish(),
  }),
  spec: z.object({ volumes: z.array(z.object({ persistentVolumeClaim: z.object({ claimName: z.string() }).nullish() }).loose()).nullish() }).nullish(),
});
export type PodVolumes = z.infer<typeof podVolumesSchema>;

/** Where an EBS volume is. */
export interface EbsVolume {
  readonly driver: string;
  readonly volumeId: string | null;
  readonly zone: string | null;
  readonly size: string | null;
}

/** The EBS volume a PersistentVolume is, or null for anything else (EFS, local, NFS…). */
export function ebsVolume(pv: PersistentVolume): EbsVolume | null {
  const spec = pv.spec;
  const size = spec?.capacity?.['storage'] !== undefined ? String(spec.capacity['storage']) : null;
  const zoneFromAffinity = () => {
    for (const term of spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
      for (const e of term.matchExpressions ?? []) if (ZONE_KEYS.includes(e.key) && e.operator === 'In' && e.values?.[0]) return e.values[0];
    }
    for (const key of ZONE_KEYS) if (pv.metadata.labels?.[key]) return pv.metadata.labels[key];
    return null;
  };
  if (spec?.csi?.driver === EBS_CSI_DRIVER) return { driver: EBS_CSI_DRIVER, volumeId: spec.csi.volumeHandle ?? null, zone: zoneFromAffinity(), size };
  if (spec?.awsElasticBlockStore) {
    // aws://eu-west-1a/vol-0abc or vol-0abc
    const id = spec.awsElasticBlockStore.volumeID;
    const m = /^aws:\/\/([^/]*)\/(.+)$/.exec(id);
    return { driver: EBS_IN_TREE_DRIVER, volumeId: m ? (m[2] ?? id) : id, zone: (m?.[1] || null) ?? zoneFromAffinity(), size };
  }
  return null;
}

/** Which claims each pod mounts, as "namespace/claim" → the pods' owners ("StatefulSet/postgres", or the pod itself). */
export function claimOwners(pods: readonly PodVolumes[]): Map<string, { kind: string; name: string }[]> {
  const out = new Map<string, { kind: string; name: string }[]>();
  for (const pod of pods) {
    const owner = pod.metadata.ownerReferences?.find((o) => o.controller === true) ?? pod.metadata.ownerReferences?.[0];
    const who = owner ? { kind: owner.kind, name: owner.name } : { kind: 'Pod', name: pod.metadata.name };
    for (const v of pod.spec?.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const key = `${pod.metadata.namespace}/${claim}`;
      const list = out.get(key) ?? [];
      if (!list.some((w) => w.kind === who.kind && w.name === who.name)) list.push(who);
      out.set(key, list);
    }
  }
  return out;
}

/** A claim bound to an EBS volume, with who uses it. */
export interface EbsClaim {
  readonly namespace: string;
  readonly name: string;
  readonly createdAt: string | null;
  readonly storageClass: string | null;
  readonly volumeName: string;
  readonly volume: EbsVolume;
  /** "StatefulSet/postgres". */
  readonly workloads: readonly string[];
  /** Argo CD Applications tracking those workloads. */
  readonly apps: readonly string[];
  readonly ignored: boolean;
  readonly managers: readonly ManagerEntry[];
}

/** The claims that are bound to EBS volumes, with size (the claim's capacity, else the volume's) and zone. */
export function ebsClaims(claims: readonly PersistentVolumeClaim[], volumes: readonly PersistentVolume[]): { claim: PersistentVolumeClaim; volume: EbsVolume }[] {
  const byName = new Map(volumes.map((v) => [v.metadata.name, v]));
  const out: { claim: PersistentVolumeClaim; volume: EbsVolume }[] = [];
  for (const claim of claims) {
    const pvName = claim.spec?.volumeName;
    if (!pvName) continue;
    const pv = byName.get(pvName);
    const volume = pv ? ebsVolume(pv) : null;
    if (!volume) continue;
    const capacity = claim.status?.capacity?.['storage'] ?? claim.spec?.resources?.requests?.['storage'];
    out.push({ claim, volume: { ...volume, size: capacity !== undefined ? String(capacity) : volume.size } });
  }
  return out;
}

/** A workload as the claim's users resolve: "StatefulSet/postgres", and the Application tracking it. */
export interface ClaimUser {
  readonly workload: string;
  readonly app: string | null;
}

/**
 * The EBS claims with who uses them. `users` maps a pod owner ("namespace/Kind/name", as
 * `claimOwners` gives them) to its workload: the scanner follows a ReplicaSet to its Deployment
 * and reads the workload's tracking. An owner missing from `users` is shown as it is.
 */
export function describeEbsClaims(
  ebs: readonly { claim: PersistentVolumeClaim; volume: EbsVolume }[],
  owners: ReadonlyMap<string, readonly { kind: string; name: string }[]>,
  users: ReadonlyMap<string, ClaimUser>,
  claimManagers: (claim: PersistentVolumeClaim) => readonly ManagerEntry[] = () => [],
): EbsClaim[] {
  return ebs.map(({ claim, volume }) => {
    const ns = claim.metadata.namespace;
    const who = (owners.get(`${ns}/${claim.metadata.name}`) ?? []).map((o) => users.get(`${ns}/${o.kind}/${o.name}`) ?? { workload: `${o.kind}/${o.name}`, app: null });
    const workloads = [...new Set(who.map((w) => w.workload))].sort();
    const apps = [...new Set(who.map((w) => w.app).filter((a): a is string => a !== null))].sort();
    return {
      namespace: ns,
      name: claim.metadata.name,
      createdAt: claim.metadata.creationTimestamp ?? null,
      storageClass: claim.spec?.storageClassName ?? null,
      volumeName: claim.spec?.volumeName ?? '',
      volume,
      workloads,
      apps,
      ignored: claim.metadata.annotations?.['greenlight.io/drift']?.trim() === 'ignore',
      managers: claimManagers(claim),
    };
  });
}
