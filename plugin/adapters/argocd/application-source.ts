/**
 * @module Argo CD Applications as the readiness checks and the parity gauges read them: the
 * `applications.argoproj.io/v1alpha1` custom resources in Argo CD's namespace, listed through the
 * Kubernetes API with the service's own identity (it needs get and list on them). Unlike Argo
 * CD's own API, the custom resource always carries `status.resources`, which the removed-API
 * check reads. Every page is read; an object greenlight cannot read fails the whole list (an
 * Application left out could hide a removed API).
 */
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';
import {
  applicationResourceSchema,
  argoApplicationSchema,
  describeIssues,
  TimeoutError,
  UpstreamError,
  type ArgoApplication,
  type CancelSignal,
  type ReadinessApplication,
} from '../../../generator/index.js';
import { abortable, describeKubeFailure, raceAbort } from '../kubernetes/kube-request.js';

/**
 * An Application custom resource, reduced to what greenlight reads: parity's fields (UI
 * contract) plus `status.resources`. Assignable to both `ArgoApplication` and `ReadinessApplication`.
 */
export const applicationResourceObjectSchema = argoApplicationSchema.extend({
  status: argoApplicationSchema.shape.status.unwrap().extend({ resources: z.array(applicationResourceSchema).nullish() }).optional(),
});

export type ListedApplication = z.infer<typeof applicationResourceObjectSchema>;

// Compile-time proof that one list serves both readers.
const _asBoth = (a: ListedApplication): [ArgoApplication, ReadinessApplication] => [a, a];
void _asBoth;

/** Where Applications come from (role-named; `ArgoCdApplicationSource` is the adapter). */
export interface ApplicationSource {
  /** Every Application; rejects with `UpstreamError` naming the namespace and what to grant, never with part of the list. */
  list(signal: CancelSignal): Promise<ListedApplication[]>;
}

export interface ArgoCdApplicationSourceOptions {
  /** Argo CD's namespace (ARGOCD_NAMESPACE): where its Applications live. */
  readonly namespace: string;
  /** Items per page (default 500, as kubectl asks). */
  readonly pageSize?: number;
  /** Pages read before giving up (default 100). */
  readonly maxPages?: number;
}

const listAnswer = z.object({
  metadata: z.object({ continue: z.string().optional() }).optional(),
  items: z.array(z.unknown()).nullish(),
});

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const PLURAL = 'applications';

/** Lists `applications.argoproj.io` in Argo CD's namespace through the Kubernetes API. */
export class ArgoCdApplicationSource implements ApplicationSource {
  constructor(
    private readonly options: ArgoCdApplicationSourceOptions,
    private readonly api: CustomObjectsApi,
  ) {}

  /** With the same credentials the inventory uses: the pod's ServiceAccount, or KUBECONFIG on a laptop. */
  static fromConfig(options: ArgoCdApplicationSourceOptions & { readonly context?: string | undefined }): ArgoCdApplicationSource {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    if (options.context !== undefined) kubeConfig.setCurrentContext(options.context);
    return new ArgoCdApplicationSource(options, kubeConfig.makeApiClient(CustomObjectsApi));
  }

  async list(signal: CancelSignal): Promise<ListedApplication[]> {
    const { namespace } = this.options;
    const where = `Argo CD Applications (${PLURAL}.${GROUP}) in namespace ${namespace}`;
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      const out: ListedApplication[] = [];
      const maxPages = this.options.maxPages ?? 100;
      let token: string | undefined;
      for (let page = 0; ; page++) {
        if (page >= maxPages) throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${where}: still more pages after ${maxPages}; greenlight stops there rather than judge with part of the list`);
        let answer: unknown;
        try {
          answer = await raceAbort(
            this.api.listNamespacedCustomObject(
              { group: GROUP, version: VERSION, namespace, plural: PLURAL, limit: this.options.pageSize ?? 500, ...(token !== undefined ? { _continue: token } : {}) },
              abortable(controller.signal),
            ),
            controller.signal,
          );
        } catch (err) {
          throw this.failure(err, where, signal);
        }
        const parsed = listAnswer.safeParse(answer);
        if (!parsed.success) throw new UpstreamError('GL_FACTS_UNAVAILABLE', `${where}: the API server answered in an unexpected shape (${describeIssues(parsed.error.issues, '')})`);
        for (const item of parsed.data.items ?? []) {
          const app = applicationResourceObjectSchema.safeParse(item);
          if (!app.success) {
            const name = z.object({ metadata: z.object({ name: z.string() }) }).safeParse(item);
            throw new UpstreamError(
              'GL_FACTS_UNAVAILABLE',
              `${where}: Application ${name.success ? name.data.metadata.name : '(unnamed)'} cannot be read: ${describeIssues(app.error.issues, '')}`,
            );
          }
          out.push(app.data);
        }
        token = parsed.data.metadata?.continue || undefined;
        if (token === undefined) return out;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private failure(err: unknown, where: string, signal: CancelSignal): UpstreamError | TimeoutError {
    if (signal.aborted) return new TimeoutError('GL_DEADLINE_EXCEEDED', `${where}: the list was cancelled before the API server answered`, { cause: err });
    const f = describeKubeFailure(err);
    const grant =
      f.status === 403 || f.status === 401
        ? `: grant get and list on ${PLURAL}.${GROUP} in namespace ${this.options.namespace} to greenlight's identity (manifests/base/role.yaml does)`
        : f.status === 404
          ? ': is Argo CD installed on this cluster (the Application CRD), and is ARGOCD_NAMESPACE right?'
          : '';
    return new UpstreamError('GL_FACTS_UNAVAILABLE', `cannot list ${where} (${f.status !== undefined ? `HTTP ${f.status}: ` : ''}${f.detail})${grant}`, { cause: err });
  }
}
