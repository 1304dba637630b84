/**
 * @module The Parity view's drift and traffic gate sections: the pair's audit and gate as
 * greenlight's service made them, from the facts answer the view has already loaded (no request
 * of their own).
 */
import * as React from 'react';
import type { FactsResponse } from '../../generator/contract/facts-api.js';
import type { ArgoApplication } from '../../generator/contract/ui-api.js';
import { classifyFactsError } from '../api-client.js';
import { DriftSection, type DriftSectionState } from '../components/drift-section.js';
import { GateSection, type GateSectionState } from '../components/gate-section.js';
import { appDrift, appGate } from '../drift-gate.js';
import { pairHref } from './links.js';
import type { FamilyLoad } from './loaders.js';
import type { AsyncState } from './use-async.js';

export interface DriftGateContainerProps {
  /** The app of the view, as the host passed it. */
  readonly app: ArgoApplication;
  /** The app's family, for its name and the namespaces it deploys to. */
  readonly family: AsyncState<FamilyLoad>;
  readonly facts: AsyncState<FactsResponse>;
}

/** The family's name and destination namespaces; the viewed Application's while the family loads or when it has none. */
function familyScope(app: ArgoApplication, family: AsyncState<FamilyLoad>): { readonly name: string; readonly namespaces: readonly string[] } {
  const loaded = family.status === 'ready' && family.data.kind === 'family' ? family.data : undefined;
  const apps = loaded ? loaded.applications : [app];
  const namespaces = [...new Set(apps.flatMap((a) => (a.spec?.destination?.namespace ? [a.spec.destination.namespace] : [])))].sort();
  return { name: loaded ? loaded.family.id.name : app.metadata.name, namespaces };
}

export function DriftContainer(props: DriftGateContainerProps) {
  const { app, family, facts } = props;
  const state = React.useMemo((): DriftSectionState => {
    if (facts.status === 'error') return { kind: 'needs-facts', problem: classifyFactsError(facts.error) };
    if (facts.status === 'loading') return { kind: 'loading' };
    const scope = familyScope(app, family);
    return { kind: 'ready', app: scope.name, namespaces: scope.namespaces, drift: appDrift(facts.data), now: facts.loadedAt };
  }, [app, family, facts]);
  return <DriftSection state={state} pairHref={pairHref} />;
}

export function GateContainer(props: DriftGateContainerProps) {
  const { app, family, facts } = props;
  const state = React.useMemo((): GateSectionState => {
    if (facts.status === 'error') return { kind: 'needs-facts', problem: classifyFactsError(facts.error) };
    if (facts.status === 'loading') return { kind: 'loading' };
    return { kind: 'ready', app: familyScope(app, family).name, gate: appGate(facts.data) };
  }, [app, family, facts]);
  return <GateSection state={state} />;
}
