/**
 * @module The system-level "Blue/Green" page: every family the user may see, loaded from Argo
 * CD's API, and each pair's readiness verdict, drift audit and traffic gate from greenlight's
 * service, asked for (one request per pair) through one Application of the pair once the fleet is on screen.
 */
import * as React from 'react';
import type { ApiClient } from '../api-client.js';
import { classifyFactsError } from '../api-client.js';
import { FleetOverview } from '../components/fleet-overview.js';
import { appDrift, appGate } from '../drift-gate.js';
import { ErrorState, Loading } from '../components/states.js';
import { fleetReadinessPlan, type FleetPairPlan, type FleetPairReadiness } from '../readiness.js';
import { appHref, defaultApiClient, pairOfLocation } from './links.js';
import { loadFleet } from './loaders.js';
import type { WithClient } from './parity-container.js';
import { messageOf, useAsync } from './use-async.js';

/** Pairs asked at once. */
const CONCURRENCY = 4;

/** Each pair's verdict through its Application; a failure becomes that pair's reason, never the page's. */
async function askPairs(client: ApiClient, plan: readonly FleetPairPlan[], signal: AbortSignal, onLine: (line: FleetPairReadiness) => void): Promise<void> {
  const queue = plan.filter((p): p is Extract<FleetPairPlan, { kind: 'ask' }> => p.kind === 'ask');
  const worker = async () => {
    for (let next = queue.shift(); next && !signal.aborted; next = queue.shift()) {
      const { pair, via } = next;
      try {
        const facts = await client.getFacts(via, signal);
        const served = facts.readiness;
        const audit = { via, drift: appDrift(facts), gate: appGate(facts) };
        if (served?.state === 'judged') onLine({ kind: 'judged', pair, served, audit });
        else onLine({ kind: 'unavailable', pair, reason: served?.reason ?? 'this greenlight service serves no readiness verdict (it is older than this UI extension): upgrade it', audit });
      } catch (err) {
        if (signal.aborted) return;
        onLine({ kind: 'unavailable', pair, reason: `greenlight could not be asked through Argo CD's proxy extension (via Application ${via.namespace}/${via.name}): ${classifyFactsError(err).detail}` });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** The readiness lines: the plan at once, each asked pair's verdict as it arrives. */
function usePairReadiness(client: ApiClient, plan: readonly FleetPairPlan[] | undefined): readonly FleetPairReadiness[] {
  const [lines, setLines] = React.useState<readonly FleetPairReadiness[]>([]);
  React.useEffect(() => {
    if (!plan) return;
    const controller = new AbortController();
    setLines(plan.map((p): FleetPairReadiness => (p.kind === 'ask' ? { kind: 'loading', pair: p.pair } : p)));
    void askPairs(client, plan, controller.signal, (line) => {
      if (!controller.signal.aborted) setLines((current) => current.map((l) => (l.pair === line.pair ? line : l)));
    });
    return () => controller.abort();
  }, [client, plan]);
  return lines;
}

export function FleetPage(props: WithClient & { readonly pageSize?: number }) {
  const client = props.client ?? defaultApiClient();
  const [state, retry] = useAsync((signal) => loadFleet(client, signal), [client]);
  // Per load, not per render: filters and paging re-render often, with thousands of Applications.
  const plan = React.useMemo(() => (state.status === 'ready' ? fleetReadinessPlan(state.data.applications, state.data.clusters) : undefined), [state]);
  const readiness = usePairReadiness(client, plan);
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
