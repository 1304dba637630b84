/**
 * @module The "Parity" app view and the status panel's flyout: the app's family on every
 * cluster, the pair's readiness for the next weight step, its drift audit and traffic gate, and the facts diff. The family and
 * the facts are each loaded once and shared by the sections that read them.
 */
import * as React from 'react';
import { argoApplicationSchema, type ArgoApplication } from '../../generator/contract/ui-api.js';
import type { ApiClient } from '../api-client.js';
import { ParityView } from '../components/parity-view.js';
import { EmptyState, ErrorState, Loading } from '../components/states.js';
import type { AppViewProps } from '../host.js';
import { DriftContainer, GateContainer } from './drift-gate-container.js';
import { FactsSection, useFacts } from './facts-container.js';
import { appHref, defaultApiClient } from './links.js';
import { loadFamilyShared, type FamilyLoad } from './loaders.js';
import { ReadinessContainer } from './readiness-container.js';
import { messageOf, useAsync, type AsyncState } from './use-async.js';

export interface WithClient {
  /** Where data comes from; the page's own Argo CD by default. */
  readonly client?: ApiClient;
}

/** Parses the host's Application once per object; the host may pass shapes greenlight does not know. */
export function useHostApplication(application: unknown): { app: ArgoApplication } | { error: string } {
  return React.useMemo(() => {
    const parsed = argoApplicationSchema.safeParse(application);
    if (parsed.success) return { app: parsed.data };
    const issue = parsed.error.issues[0];
    return { error: `Argo CD passed an Application greenlight cannot read (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'})` };
  }, [application]);
}

const LABEL_SNIPPET = `# in the ApplicationSet template (spec.template.metadata.labels), or on the Application
metadata:
  labels:
    greenlight.io/app: <app name, the same on every cluster>`;

function FamilySection(props: { readonly app: ArgoApplication; readonly state: AsyncState<FamilyLoad>; readonly onRetry: () => void }) {
  const { app, state } = props;
  const current = { namespace: app.metadata.namespace ?? '', name: app.metadata.name };
  if (state.status === 'loading') return <Loading what='this app on every cluster' />;
  if (state.status === 'error') return <ErrorState title="greenlight could not load this app's clusters" message={messageOf(state.error)} onRetry={props.onRetry} />;
  if (state.data.kind === 'no-family') {
    return (
      <EmptyState title={`${current.name} has no app family`}>
        <p>
          greenlight finds the same app on every cluster by the label <code>greenlight.io/app</code>, else by the ApplicationSet that generated it. This
          Application has neither. Add the label, with the same value on every cluster's Application:
        </p>
        <code className='greenlight-code'>{LABEL_SNIPPET}</code>
      </EmptyState>
    );
  }
  return <ParityView family={state.data.family} current={current} appHref={appHref} now={state.loadedAt} notices={state.data.notices} onRefresh={props.onRetry} />;
}

function ParitySections(props: { readonly app: ArgoApplication; readonly client: ApiClient }) {
  const { app, client } = props;
  const [family, retryFamily] = useAsync(
    (signal, retried) => loadFamilyShared(client, app, signal, retried),
    [client, app.metadata.namespace ?? '', app.metadata.name, app.metadata.labels?.['greenlight.io/app']],
  );
  const [facts, retryFacts] = useFacts(app, client);
  return (
    <>
      <FamilySection app={app} state={family} onRetry={retryFamily} />
      <ReadinessContainer app={app} family={family} facts={facts} />
      <DriftContainer app={app} family={family} facts={facts} />
      <GateContainer app={app} family={family} facts={facts} />
      <FactsSection state={facts} onRetry={retryFacts} />
    </>
  );
}

export function ParityAppView(props: AppViewProps & WithClient) {
  const client = props.client ?? defaultApiClient();
  const host = useHostApplication(props.application);
  return (
    <div className='greenlight greenlight-page' data-greenlight-view='parity'>
      {'error' in host ? (
        <ErrorState title='greenlight cannot show this Application' message={host.error} />
      ) : (
        <ParitySections app={host.app} client={client} />
      )}
    </div>
  );
}
