/** @module The status-panel item: the app family's parity in one line; opens the Parity flyout. */
import * as React from 'react';
import { summarize } from '../../generator/parity.js';
import { StatusItem, type StatusItemState } from '../components/status-item.js';
import type { StatusPanelProps } from '../host.js';
import { defaultApiClient } from './links.js';
import { loadFamilyShared } from './loaders.js';
import type { WithClient } from './parity-container.js';
import { useHostApplication } from './parity-container.js';
import { messageOf, useAsync } from './use-async.js';

export function StatusPanelItem(props: StatusPanelProps & WithClient) {
  const client = props.client ?? defaultApiClient();
  const host = useHostApplication(props.application);
  const app = 'app' in host ? host.app : undefined;
  const status = app?.status;
  // Reload when the host shows a new state of this app (it re-renders the panel on every change).
  const [state, retry] = useAsync(
    async (signal, retried) => (app ? loadFamilyShared(client, app, signal, retried) : Promise.reject(new Error('error' in host ? host.error : 'no application'))),
    [client, app?.metadata.namespace, app?.metadata.name, status?.sync?.status, status?.health?.status, status?.sync?.revision, status?.operationState?.phase],
  );
  let shown: StatusItemState;
  if (state.status === 'loading') shown = { kind: 'loading' };
  else if (state.status === 'error') shown = { kind: 'error', message: messageOf(state.error) };
  else if (state.data.kind === 'no-family' || !app) shown = { kind: 'no-family' };
  else {
    shown = {
      kind: 'ready',
      summary: summarize(state.data.family, { namespace: app.metadata.namespace ?? '', name: app.metadata.name }),
      family: state.data.family.id.name,
    };
  }
  return <StatusItem state={shown} onOpen={props.openFlyout} onRetry={retry} />;
}
