/**
 * @module Writes greenlight's facts onto Argo CD cluster Secrets as annotations, for Argo CD
 * installations without the plugin generator (the EKS-managed Argo CD capability). A merge
 * patch of metadata.annotations only: data, labels and other annotations are never touched.
 */
import { CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** Prefix of every annotation `greenlight annotate` manages (and may therefore remove). */
export const FACTS_ANNOTATION_PREFIX = 'facts.greenlight.io/';

export interface SecretRef {
  readonly namespace: string;
  readonly name: string;
}

/** The annotation changes for one Secret: values to set, and `null` for managed keys to remove. */
export type AnnotationPatch = Readonly<Record<string, string | null>>;

export class ClusterSecretAnnotator {
  constructor(private readonly api: CoreV1Api) {}

  /** With the same credentials the inventory uses (in-cluster, or KUBECONFIG). */
  static fromConfig(options: { context?: string } = {}): ClusterSecretAnnotator {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    if (options.context !== undefined) kubeConfig.setCurrentContext(options.context);
    return new ClusterSecretAnnotator(kubeConfig.makeApiClient(CoreV1Api));
  }

  /** Applies the patch; rejects with an `Error` that names the Secret and what to grant. */
  async annotate(secret: SecretRef, annotations: AnnotationPatch): Promise<void> {
    try {
      await this.api.patchNamespacedSecret(
        { name: secret.name, namespace: secret.namespace, body: { metadata: { annotations } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const hint = code === 403 ? `: grant patch on secrets in namespace ${secret.namespace} to the identity running greenlight annotate` : '';
      throw new Error(`cannot annotate Secret ${secret.namespace}/${secret.name} (${code ?? (err as Error).message})${hint}`, { cause: err });
    }
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
