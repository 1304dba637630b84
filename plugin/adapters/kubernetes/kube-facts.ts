/**
 * @module What a cluster's own API answers, reduced to `kubernetesFactsSchema`. Pure: the schemas
 * check only the fields greenlight relies on, so the same parsers accept raw JSON and the generated
 * client's models.
 */
import { z } from 'zod';
import { kubernetesFactsSchema, type KubernetesFacts } from '../../../generator/index.js';

const stringMap = z
  .record(z.string(), z.string())
  .nullish()
  .transform((v) => v ?? {});

/** GET /version */
export const versionInfoSchema = z
  .object({ gitVersion: z.string().min(1), major: z.string().nullish(), minor: z.string().nullish() })
  .loose();

/** GET /api (core group discovery) */
export const apiVersionsSchema = z.object({ versions: z.array(z.string().min(1)) }).loose();

/** GET /apis (group discovery, the classic APIGroupList) */
export const apiGroupListSchema = z
  .object({
    groups: z.array(
      z.object({ name: z.string(), versions: z.array(z.object({ groupVersion: z.string().min(1) }).loose()) }).loose(),
    ),
  })
  .loose();

const objectMeta = z.object({ name: z.string().min(1), annotations: stringMap }).loose();

/** GET /apis/storage.k8s.io/v1/storageclasses */
export const storageClassListSchema = z
  .object({ items: z.array(z.object({ metadata: objectMeta, provisioner: z.string().min(1) }).loose()) })
  .loose();

/** GET /apis/networking.k8s.io/v1/ingressclasses */
export const ingressClassListSchema = z
  .object({
    items: z.array(z.object({ metadata: objectMeta, spec: z.object({ controller: z.string().min(1) }).loose() }).loose()),
  })
  .loose();

/** Annotations that mark the default StorageClass when set to "true". */
export const DEFAULT_STORAGE_CLASS_ANNOTATIONS = [
  'storageclass.kubernetes.io/is-default-class',
  // Still set by some provisioners and older installs; the API server honours both.
  'storageclass.beta.kubernetes.io/is-default-class',
] as const;
/** The annotation that marks the default IngressClass when set to "true". */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/**
 * major/minor as digits. Managed control planes add a "+" (EKS answers minor "31+", GKE "30+")
 * and some distributions leave them empty; gitVersion (`v1.31.4-eks-2d5f260`) is the fallback.
 */
export function versionOf(info: z.infer<typeof versionInfoSchema>): Pick<KubernetesFacts, 'gitVersion' | 'major' | 'minor'> {
  const digits = (value: string | null | undefined) => /^(\d+)/.exec(value ?? '')?.[1];
  const fromGit = /^v?(\d+)\.(\d+)/.exec(info.gitVersion);
  const major = digits(info.major) ?? fromGit?.[1];
  const minor = digits(info.minor) ?? fromGit?.[2];
  if (major === undefined || minor === undefined) {
    throw new Error(`the version "${info.gitVersion}" has no major.minor`);
  }
  return { gitVersion: info.gitVersion, major, minor };
}

/** StorageClasses as facts, sorted by name. */
export function storageClassesOf(list: z.infer<typeof storageClassListSchema>): KubernetesFacts['storageClasses'] {
  return list.items
    .map((sc) => ({
      name: sc.metadata.name,
      provisioner: sc.provisioner,
      default: DEFAULT_STORAGE_CLASS_ANNOTATIONS.some((key) => sc.metadata.annotations[key] === 'true'),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** IngressClasses as facts, sorted by name. */
export function ingressClassesOf(list: z.infer<typeof ingressClassListSchema>): KubernetesFacts['ingressClasses'] {
  return list.items
    .map((ic) => ({
      name: ic.metadata.name,
      controller: ic.spec.controller,
      default: ic.metadata.annotations[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Served group/versions: core versions as-is (`v1`), groups as `group/version`, sorted. */
export function apiVersionsOf(core: z.infer<typeof apiVersionsSchema>, groups: z.infer<typeof apiGroupListSchema>): string[] {
  const all = new Set<string>(core.versions);
  for (const group of groups.groups) for (const v of group.versions) all.add(v.groupVersion);
  return [...all].sort();
}

/** Whether discovery lists a group/version (e.g. `networking.k8s.io/v1`). */
export function serves(apiVersions: readonly string[], groupVersion: string): boolean {
  return apiVersions.includes(groupVersion);
}

/** Assembles and checks the facts against the shared contract schema. */
export function kubernetesFacts(parts: KubernetesFacts): KubernetesFacts {
  return kubernetesFactsSchema.parse(parts);
}
