/**
 * @module The Parity view's readiness section: the pair's verdict as greenlight's service made it,
 * from the facts answer the view has already loaded (no request of its own).
 */
import * as React from 'react';
import type { FactsResponse } from '../../generator/contract/facts-api.js';
import type { ArgoApplication } from '../../generator/contract/ui-api.js';
import { classifyFactsError } from '../api-client.js';
import { ReadinessSection, type ReadinessSectionState } from '../components/readiness-section.js';
import { appReadiness } from '../readiness.js';
import { pairHref } from './links.js';
import type { FamilyLoad } from './loaders.js';
import type { AsyncState } from './use-async.js';

export interface ReadinessContainerProps {
  /** The app of the view, as the host passed it. */
  readonly app: ArgoApplication;
  /** The app's family, for its name. */
  readonly family: AsyncState<FamilyLoad>;
  readonly facts: AsyncState<FactsResponse>;
}

export function ReadinessContainer(props: ReadinessContainerProps) {
  const { app, family, facts } = props;
  const state = React.useMemo((): ReadinessSectionState => {
    if (facts.status === 'error') return { kind: 'needs-facts', problem: classifyFactsError(facts.error) };
    if (facts.status === 'loading') return { kind: 'loading' };
    const loaded = family.status === 'ready' && family.data.kind === 'family' ? family.data : undefined;
    return { kind: 'ready', app: loaded ? loaded.family.id.name : app.metadata.name, readiness: appReadiness(facts.data) };
  }, [app, family, facts]);
  return <ReadinessSection state={state} pairHref={pairHref} />;
}
