/**
 * @module The Parity view's readiness section: the pair's verdict for the next weight step,
 * computed in the browser from the facts answer and the family's Applications that the view has
 * already loaded (no request of its own).
 */
import * as React from 'react';
import type { ArgoApplication, FactsResponse } from '../../generator/contract/ui-api.js';
import { classifyFactsError } from '../api-client.js';
import { ReadinessSection, type ReadinessSectionState } from '../components/readiness-section.js';
import { appReadiness } from '../readiness.js';
import { pairHref } from './links.js';
import type { FamilyLoad } from './loaders.js';
import type { AsyncState } from './use-async.js';

export interface ReadinessContainerProps {
  /** The app of the view, as the host passed it (with its `status.resources`). */
  readonly app: ArgoApplication;
  readonly family: AsyncState<FamilyLoad>;
  readonly facts: AsyncState<FactsResponse>;
}

export function ReadinessContainer(props: ReadinessContainerProps) {
  const { app, family, facts } = props;
  const state = React.useMemo((): ReadinessSectionState => {
    if (facts.status === 'error') return { kind: 'needs-facts', problem: classifyFactsError(facts.error) };
    if (facts.status === 'loading' || family.status === 'loading') return { kind: 'loading' };
    // Without the family (none, or it failed to load), the app's own resources are still judged.
    const loaded = family.status === 'ready' && family.data.kind === 'family' ? family.data : undefined;
    return {
      kind: 'ready',
      app: loaded ? loaded.family.id.name : app.metadata.name,
      readiness: appReadiness(facts.data, loaded ? loaded.applications : [app]),
    };
  }, [app, family, facts]);
  return <ReadinessSection state={state} pairHref={pairHref} />;
}
