/** @module Loads the facts of the app's cluster pair through Argo CD's proxy extension and shows the diff, or how to enable it. */
import * as React from 'react';
import type { ArgoApplication } from '../../generator/contract/ui-api.js';
import { classifyFactsError, type ApiClient } from '../api-client.js';
import { FactsDiff } from '../components/facts-diff.js';
import { ProxyHelp } from '../components/proxy-help.js';
import { Loading } from '../components/states.js';
import { useAsync } from './use-async.js';

export function FactsContainer(props: { readonly application: ArgoApplication; readonly client: ApiClient }) {
  const { application, client } = props;
  const target = {
    namespace: application.metadata.namespace ?? '',
    name: application.metadata.name,
    project: application.spec?.project || 'default',
  };
  const [state, retry] = useAsync((signal) => client.getFacts(target, signal), [client, target.namespace, target.name, target.project]);
  return (
    <div className='greenlight-section' data-greenlight-facts={state.status}>
      <h3 className='greenlight-heading'>Cluster facts: blue and green</h3>
      {state.status === 'loading' ? <Loading what='the facts of this cluster pair' /> : null}
      {state.status === 'error' ? <ProxyHelp problem={classifyFactsError(state.error)} onRetry={retry} /> : null}
      {state.status === 'ready' ? <FactsDiff response={state.data} now={state.loadedAt} /> : null}
    </div>
  );
}
