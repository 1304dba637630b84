/** @module The "Parity" app view and the status panel's flyout: the app's family on every cluster, and the facts diff. */
import * as React from 'react';
import { argoApplicationSchema, type ArgoApplication } from '../../generator/contract/ui-api.js';
import type { ApiClient } from '../api-client.js';
import { ParityView } from '../components/parity-view.js';
import { EmptyState, ErrorState, Loading } from '../components/states.js';
import type { AppViewProps } from '../host.js';
import { FactsContainer } from './facts-container.js';
import { appHref, defaultApiClient } from './links.js';
import { loadFamily } from './loaders.js';
import { messageOf, useAsync } from './use-async.js';

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

function FamilySection(props: { readonly app: ArgoApplication; readonly client: ApiClient; readonly children?: React.ReactNode }) {
  const { app, client } = props;
  const current = { namespace: app.metadata.namespace ?? '', name: app.metadata.name };
  const [state, retry] = useAsync((signal) => loadFamily(client, app, signal), [client, current.namespace, current.name, app.metadata.labels?.['greenlight.io/app']]);
  if (state.status === 'loading') return <Loading what='this app on every cluster' />;
  if (state.status === 'error') return <ErrorState title="greenlight could not load this app's clusters" message={messageOf(state.error)} onRetry={retry} />;
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
  return <ParityView family={state.data.family} current={current} appHref={appHref} now={state.loadedAt} notices={state.data.notices} onRefresh={retry} />;
}

export function ParityAppView(props: AppViewProps & WithClient) {
  const client = props.client ?? defaultApiClient();
  const host = useHostApplication(props.application);
  return (
    <div className='greenlight greenlight-page' data-greenlight-view='parity'>
      {'error' in host ? (
        <ErrorState title='greenlight cannot show this Application' message={host.error} />
      ) : (
        <>
          <FamilySection app={host.app} client={client} />
          <FactsContainer application={host.app} client={client} />
        </>
      )}
    </div>
  );
}
