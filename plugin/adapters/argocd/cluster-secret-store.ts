/**
 * @module Writes to Argo CD cluster Secrets: annotations from `greenlight annotate`, whole
 * registrations from `greenlight register`, weights and roles from `greenlight weight|role`.
 * Merge patches only touch what they name; patches can carry a resourceVersion precondition so
 * that a change made by someone else in between is refused rather than overwritten.
 */
import { ApiException, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Secret } from '@kubernetes/client-node';
import { z } from 'zod';
import { quoteUpstream } from '../upstream-text.js';

/** Prefix of every annotation `greenlight annotate` manages (and may therefore remove). */
export const FACTS_ANNOTATION_PREFIX = 'facts.greenlight.io/';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

/** Annotation (or label) changes: values to set, and `null` for keys to remove. */
export type AnnotationPatch = Readonly<Record<string, string | null>>;

/** A merge patch of a Secret. `resourceVersion` makes it conditional. */
export interface SecretPatch {
  readonly labels?: AnnotationPatch;
  readonly annotations?: AnnotationPatch;
  readonly stringData?: Readonly<Record<string, string>>;
  /** `data` keys to remove (e.g. `config` when a Secret becomes the EKS-managed Argo CD's ARN form). */
  readonly removeData?: readonly string[];
  readonly resourceVersion?: string;
}

/** A new cluster Secret, as `greenlight register` writes it. */
export interface NewSecret {
  readonly ref: SecretRef;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly stringData: Readonly<Record<string, string>>;
}

/** A cluster Secret as listed: what `weight` and `role` need, data decoded only for `name`. */
export interface ListedSecret {
  readonly ref: SecretRef;
  readonly resourceVersion: string;
  readonly clusterName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const listedSecretSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string(),
    resourceVersion: z.string(),
    labels: z.record(z.string(), z.string()).nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
  }),
  data: z.record(z.string(), z.string()).nullish(),
});

/** Thrown when a conditional patch finds the Secret changed (HTTP 409). */
export class SecretConflictError extends Error {}

export class ClusterSecretStore {
  constructor(private readonly api: CoreV1Api) {}

  /** With the same credentials the inventory uses (in-cluster, or KUBECONFIG). */
  static fromConfig(options: { context?: string } = {}): ClusterSecretStore {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    if (options.context !== undefined) kubeConfig.setCurrentContext(options.context);
    return new ClusterSecretStore(kubeConfig.makeApiClient(CoreV1Api));
  }

  /** Annotations only (greenlight annotate). */
  annotate(secret: SecretRef, annotations: AnnotationPatch): Promise<void> {
    return this.patch(secret, { annotations });
  }

  /** A merge patch; rejects with `SecretConflictError` when its precondition fails, else an `Error` naming the Secret. */
  async patch(secret: SecretRef, patch: SecretPatch): Promise<void> {
    const metadata: Record<string, unknown> = {};
    if (patch.resourceVersion !== undefined) metadata['resourceVersion'] = patch.resourceVersion;
    if (patch.labels) metadata['labels'] = patch.labels;
    if (patch.annotations) metadata['annotations'] = patch.annotations;
    const body: Record<string, unknown> = { metadata };
    if (patch.stringData) body['stringData'] = patch.stringData;
    if (patch.removeData && patch.removeData.length > 0) body['data'] = Object.fromEntries(patch.removeData.map((key) => [key, null]));
    try {
      await this.api.patchNamespacedSecret({ name: secret.name, namespace: secret.namespace, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    } catch (err) {
      throw this.explain(err, secret, 'patch');
    }
  }

  /** Creates the Secret; resolves `false` (changing nothing) when one of that name exists. */
  async create(secret: NewSecret): Promise<boolean> {
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: secret.ref.name, namespace: secret.ref.namespace, labels: { ...secret.labels }, annotations: { ...secret.annotations } },
      stringData: { ...secret.stringData },
    };
    try {
      await this.api.createNamespacedSecret({ namespace: secret.ref.namespace, body });
      return true;
    } catch (err) {
      if (err instanceof ApiException && Number(err.code) === 409) return false;
      throw this.explain(err, secret.ref, 'create');
    }
  }

  /** The cluster Secrets in `namespace` matching `labelSelector` (plus the cluster type label). */
  async list(namespace: string, labelSelector: string): Promise<ListedSecret[]> {
    let answer: unknown;
    try {
      answer = await this.api.listNamespacedSecret({ namespace, labelSelector: ['argocd.argoproj.io/secret-type=cluster', labelSelector].filter(Boolean).join(',') });
    } catch (err) {
      throw this.explain(err, { namespace, name: '*' }, 'list');
    }
    const items = z.object({ items: z.array(z.unknown()) }).parse(answer).items;
    return items.map((item) => {
      const s = listedSecretSchema.parse(item);
      const encoded = s.data?.['name'];
      return {
        ref: { namespace: s.metadata.namespace, name: s.metadata.name },
        resourceVersion: s.metadata.resourceVersion,
        clusterName: encoded !== undefined ? Buffer.from(encoded, 'base64').toString('utf8') : s.metadata.name,
        labels: s.metadata.labels ?? {},
        annotations: s.metadata.annotations ?? {},
      };
    });
  }

  private explain(err: unknown, secret: SecretRef, verb: 'patch' | 'create' | 'list'): Error {
    const code = err instanceof ApiException ? Number(err.code) : (err as { code?: unknown }).code;
    if (code === 409 && verb === 'patch') return new SecretConflictError(`Secret ${secret.namespace}/${secret.name} changed while greenlight was updating it; nothing of it was overwritten`, { cause: err });
    const what = verb === 'list' ? `list Secrets in ${secret.namespace}` : `${verb} Secret ${secret.namespace}/${secret.name}`;
    const hint = code === 403 ? `: grant ${verb} on secrets in namespace ${secret.namespace} to the identity running greenlight` : '';
    return new Error(`cannot ${what} (${typeof code === 'number' || typeof code === 'string' ? code : quoteUpstream((err as Error).message)})${hint}`, { cause: err });
  }
}

/**
 * The annotations for one cluster: every leaf of its parameter set under
 * `facts.greenlight.io/<group>.<key>` (the `facts` group itself is left out: it changes on every
 * read), plus flat extra keys as they are (gitops-bridge's `aws_region`, ...). Managed keys the
 * Secret has but the new set lacks are removed. Keys too long for Kubernetes are returned apart,
 * never silently dropped.
 */
export function annotationsFor(
  flat: readonly (readonly [string, string])[],
  current: Readonly<Record<string, string>>,
): { patch: Record<string, string | null>; tooLong: string[] } {
  const patch: Record<string, string | null> = {};
  const tooLong: string[] = [];
  for (const [key, value] of flat) {
    const name = key.includes('.') ? `${FACTS_ANNOTATION_PREFIX}${key}` : key;
    // A qualified name's part after the prefix is at most 63 characters.
    if ((name.split('/').pop() ?? '').length > 63) tooLong.push(name);
    else patch[name] = value;
  }
  for (const key of Object.keys(current)) {
    if (key.startsWith(FACTS_ANNOTATION_PREFIX) && !Object.hasOwn(patch, key)) patch[key] = null;
  }
  return { patch, tooLong };
}

/**
 * The part of a patch that changes something: values that differ from `current`, and removals of
 * keys `current` has. Empty when the Secret already holds what the patch would write: then no
 * write at all, since every write to a cluster Secret re-runs every ApplicationSet that uses a
 * cluster generator.
 */
export function changedOnly(patch: AnnotationPatch, current: Readonly<Record<string, string>>): Record<string, string | null> {
  const changed: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null ? Object.hasOwn(current, key) : current[key] !== value) changed[key] = value;
  }
  return changed;
}
