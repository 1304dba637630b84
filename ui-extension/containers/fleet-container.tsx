/**
 * @module The system-level "Blue/Green" page: every family the user may see, loaded from Argo
 * CD's API, with each pair's readiness line computed once per load.
 */
import * as React from 'react';
import { FleetOverview } from '../components/fleet-overview.js';
import { ErrorState, Loading } from '../components/states.js';
import { fleetReadiness } from '../readiness.js';
import { appHref, defaultApiClient, pairOfLocation } from './links.js';
import { loadFleet } from './loaders.js';
import type { WithClient } from './parity-container.js';
import { messageOf, useAsync } from './use-async.js';

export function FleetPage(props: WithClient & { readonly pageSize?: number }) {
  const client = props.client ?? defaultApiClient();
  const [state, retry] = useAsync((signal) => loadFleet(client, signal), [client]);
  // Per load, not per render: filters and paging re-render often, with thousands of Applications.
  const readiness = React.useMemo(() => (state.status === 'ready' ? fleetReadiness(state.data.applications, state.data.clusters) : []), [state]);
  return (
    <div className='greenlight' data-greenlight-view='fleet'>
      {state.status === 'loading' ? (
        <div className='greenlight-page'>
          <Loading what='every app on every cluster' />
        </div>
      ) : null}
      {state.status === 'error' ? (
        <div className='greenlight-page'>
          <ErrorState title='greenlight could not load the fleet' message={messageOf(state.error)} onRetry={retry} />
        </div>
      ) : null}
      {state.status === 'ready' ? (
        <FleetOverview fleet={state.data.fleet} appHref={appHref} initialPair={pairOfLocation()} now={state.loadedAt} notices={state.data.notices} readiness={readiness} onRefresh={retry} {...(props.pageSize ? { pageSize: props.pageSize } : {})} />
      ) : null}
    </div>
  );
}
