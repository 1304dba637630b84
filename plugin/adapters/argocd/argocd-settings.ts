/**
 * @module Argo CD's own settings that greenlight's rules depend on, from the `argocd-cm`
 * ConfigMap in Argo CD's namespace: how Argo CD tracks the objects it manages.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import { trackingFromArgoCdConfig, UpstreamError, type CancelSignal, type Tracking } from '../../../generator/index.js';
import { abortable, describeKubeFailure, raceAbort } from '../kubernetes/kube-request.js';

const configMapSchema = z.object({ data: z.record(z.string(), z.string()).nullish() });

/** Reads Argo CD's tracking settings (`application.resourceTrackingMethod`, `application.instanceLabelKey`). */
export class ArgoCdSettings {
  constructor(
    private readonly namespace: string,
    private readonly core: Pick<CoreV1Api, 'readNamespacedConfigMap'>,
  ) {}

  /** With the kubeconfig greenlight runs with (in-cluster, or KUBECONFIG), as the inventory reads Secrets. */
  static fromConfig(options: { readonly namespace: string; readonly context?: string | undefined }): ArgoCdSettings {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    if (options.context !== undefined) kubeConfig.setCurrentContext(options.context);
    return new ArgoCdSettings(options.namespace, kubeConfig.makeApiClient(CoreV1Api));
  }

  /**
   * The tracking Argo CD uses: argocd-cm's, or Argo CD's default (annotation) when argocd-cm does
   * not exist. Rejects with `UpstreamError` naming the ConfigMap and what to grant.
   */
  async tracking(signal: CancelSignal): Promise<Tracking> {
    const where = `ConfigMap ${this.namespace}/argocd-cm`;
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let answer: unknown;
    try {
      answer = await raceAbort(this.core.readNamespacedConfigMap({ name: 'argocd-cm', namespace: this.namespace }, abortable(controller.signal)), controller.signal);
    } catch (err) {
      const failure = describeKubeFailure(err);
      if (failure.status === 404) return trackingFromArgoCdConfig(undefined);
      const fix = failure.status === 403 ? ': grant greenlight get on configmaps named argocd-cm in that namespace' : '';
      throw new UpstreamError('GL_FACTS_UNAVAILABLE', `greenlight could not read Argo CD's tracking method from ${where} (${failure.detail})${fix}`, { cause: err });
    } finally {
      signal.removeEventListener('abort', onAbort);
      controller.abort();
    }
    const parsed = configMapSchema.safeParse(answer);
    if (!parsed.success) throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${where} is not a ConfigMap`);
    try {
      return trackingFromArgoCdConfig(parsed.data.data ?? undefined);
    } catch (err) {
      throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${(err as Error).message}; fix ${where}`);
    }
  }
}
