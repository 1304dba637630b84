/**
 * @module Loads the facts of the app's cluster pair through Argo CD's proxy extension (once per
 * view: the facts diff and the readiness section share the answer) and shows the diff, or how to
 * enable the proxy extension.
 */
import * as React from 'react';
import type { ArgoApplication } from '../../generator/contract/ui-api.js';
import type { FactsResponse } from '../../generator/contract/facts-api.js';
import { classifyFactsError, type ApiClient } from '../api-client.js';
import { FactsDiff } from '../components/facts-diff.js';
import { ProxyHelp } from '../components/proxy-help.js';
import { Loading } from '../components/states.js';
import { useAsync, type AsyncState } from './use-async.js';

/** `GET extensions/greenlight/api/v1/facts` for the app, reloaded when the app changes. */
export function useFacts(application: ArgoApplication, client: ApiClient): [AsyncState<FactsResponse>, () => void] {
  const target = {
    namespace: application.metadata.namespace ?? '',
    name: application.metadata.name,
    project: application.spec?.project || 'default',
  };
  return useAsync((signal) => client.getFacts(target, signal), [client, target.namespace, target.name, target.project]);
}

export function FactsSection(props: { readonly state: AsyncState<FactsResponse>; readonly onRetry: () => void }) {
  const { state } = props;
  return (
    <div className='greenlight-section' data-greenlight-facts={state.status}>
      <h3 className='greenlight-heading'>Cluster facts: blue and green</h3>
      {state.status === 'loading' ? <Loading what='the facts of this cluster pair' /> : null}
      {state.status === 'error' ? <ProxyHelp problem={classifyFactsError(state.error)} onRetry={props.onRetry} /> : null}
      {state.status === 'ready' ? <FactsDiff response={state.data} now={state.loadedAt} /> : null}
    </div>
  );
}
