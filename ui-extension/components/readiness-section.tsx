/**
 * @module The app's readiness for the next weight step: ready, or the blockers and warnings that
 * concern the app (its Applications, its namespaces' SSM keys, its service accounts' Pod Identity),
 * those that hold the whole pair, each with what to do; the pair's counts, which add up to the
 * pair's verdict, with a link to the pair's page; and which checks ran. Pure.
 */
import * as React from 'react';
import { PROXY_EXTENSION_NAME } from '../../generator/contract/ui-api.js';
import type { FactsProblem } from '../api-client.js';
import { readinessCommand, type AppReadiness } from '../readiness.js';
import { Badge } from './badges.js';
import { CheckList, FindingList } from './findings.js';
import { plural } from './format.js';
import { EmptyState, Loading } from './states.js';

export type ReadinessSectionState =
  | { readonly kind: 'loading' }
  /** The facts could not be read: readiness needs them. */
  | { readonly kind: 'needs-facts'; readonly problem: FactsProblem }
  /** `app` names the app for people (its family, else the Application). */
  | { readonly kind: 'ready'; readonly app: string; readonly readiness: AppReadiness };

/** Why the facts are missing, as the readiness section says it; the facts section below has the details and the fix. */
export const FACTS_MISSING: Readonly<Record<FactsProblem['kind'], string>> = {
  'proxy-disabled': "Argo CD's proxy extension is not enabled",
  'extension-not-configured': `Argo CD's proxy extension has no "${PROXY_EXTENSION_NAME}" backend`,
  'not-authorized': `Argo CD refused the call to the "${PROXY_EXTENSION_NAME}" proxy extension`,
  'backend-unreachable': "Argo CD's proxy could not reach greenlight",
  greenlight: 'greenlight could not answer with the facts of this pair',
  other: 'The facts of this pair could not be read',
};

/** "2 blockers, 1 warning", or "nothing". */
function tally(blockers: number, warnings: number): string {
  const parts = [blockers > 0 ? plural(blockers, 'blocker') : '', warnings > 0 ? plural(warnings, 'warning') : ''].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

/** "as of 14:02:07": when the service made the verdict. */
export function asOf(at: string): string {
  const when = new Date(at);
  return Number.isNaN(when.getTime()) ? '' : ` as of ${when.toLocaleTimeString('en-GB', { hour12: false })}`;
}

function Verdict(props: { readonly app: string; readonly readiness: Extract<AppReadiness, { kind: 'judged' }>; readonly pairHref: (pair: string) => string }) {
  const { app } = props;
  const { served: v, ready } = props.readiness;
  const { blockers, warnings } = v.app;
  const { pairWide, otherApps } = v;
  const pairBlocks = pairWide.blockers.length > 0;
  return (
    <div className={`greenlight-readiness greenlight-readiness--${ready ? 'ready' : 'blocked'}`} data-green={v.green} data-ready={String(ready)}>
      <p className='greenlight-readiness__headline'>
        {ready ? <Badge tone='ok'>Ready</Badge> : <Badge tone='bad'>{plural(blockers.length + pairWide.blockers.length, 'blocker')}</Badge>}{' '}
        {warnings.length + pairWide.warnings.length > 0 ? <Badge tone='warn'>{plural(warnings.length + pairWide.warnings.length, 'warning')}</Badge> : null}{' '}
        <strong>
          {v.blue} ({v.blueVersion ?? 'version unknown'}) → {v.green} ({v.greenVersion ?? 'version unknown'})
        </strong>
      </p>
      <p className='greenlight-muted'>
        {ready
          ? `Nothing that greenlight checks blocks ${app} on ${v.green}${warnings.length + pairWide.warnings.length > 0 ? '; read the warnings before the next weight step' : ''}.`
          : blockers.length > 0
            ? `Fix ${blockers.length === 1 ? 'this' : 'these'} before moving traffic for ${app} to ${v.green}${pairBlocks ? ', and the pair-wide blockers below' : ''}.`
            : `Nothing of ${app}'s own blocks it on ${v.green}, but the pair-wide blockers below hold every app of pair ${v.pair}.`}
      </p>
      {blockers.length > 0 ? (
        <>
          <h4 className='greenlight-subheading'>Blockers for {app} ({blockers.length})</h4>
          <FindingList findings={blockers} label='blockers' />
        </>
      ) : null}
      {warnings.length > 0 ? (
        <>
          <h4 className='greenlight-subheading'>Warnings for {app} ({warnings.length})</h4>
          <FindingList findings={warnings} label='warnings' />
        </>
      ) : null}
      {pairWide.blockers.length + pairWide.warnings.length > 0 ? (
        <>
          <h4 className='greenlight-subheading'>Pair-wide ({tally(pairWide.blockers.length, pairWide.warnings.length)})</h4>
          <FindingList findings={[...pairWide.blockers, ...pairWide.warnings]} label='pair-wide' max={3} more={`on the page of pair ${v.pair}`} />
        </>
      ) : null}
      <p className='greenlight-detail' data-pair-counts={`${v.counts.blockers}/${v.counts.warnings}`}>
        Pair {v.pair}: {tally(v.counts.blockers, v.counts.warnings)}{asOf(v.at)} ({tally(blockers.length, warnings.length)} for {app},{' '}
        {tally(pairWide.blockers.length, pairWide.warnings.length)} pair-wide, {tally(otherApps.blockers, otherApps.warnings)} for other apps, shown in their own views).{' '}
        <a className='greenlight-link' href={props.pairHref(v.pair)}>
          See pair {v.pair}
        </a>
      </p>
      <h4 className='greenlight-subheading'>Checks</h4>
      <CheckList checks={v.checks} />
      <p className='greenlight-detail'>
        greenlight's service judged the whole pair, as <code>{readinessCommand(v.pair)}</code> and the <code>greenlight_readiness_blockers</code> metric do.
      </p>
    </div>
  );
}

function Content(props: { readonly app: string; readonly readiness: AppReadiness; readonly pairHref: (pair: string) => string }) {
  const { readiness } = props;
  switch (readiness.kind) {
    case 'no-pair':
      return (
        <EmptyState title={`${readiness.cluster} is not part of a blue/green pair`}>
          <p>Readiness judges the step from a pair's blue cluster to its green one. "Cluster facts" below says how to pair this cluster.</p>
        </EmptyState>
      );
    case 'unavailable':
      return (
        <EmptyState title={`No readiness verdict for pair ${readiness.pair}`}>
          <p data-readiness-reason=''>{readiness.reason}</p>
        </EmptyState>
      );
    case 'judged':
      return <Verdict app={props.app} readiness={readiness} pairHref={props.pairHref} />;
  }
}

export function ReadinessSection(props: { readonly state: ReadinessSectionState; readonly pairHref: (pair: string) => string }) {
  const { state } = props;
  return (
    <div className='greenlight-section' data-greenlight-readiness={state.kind === 'ready' ? state.readiness.kind : state.kind}>
      <h3 className='greenlight-heading'>Readiness for the next weight step</h3>
      {state.kind === 'loading' ? <Loading what='the readiness of this pair' /> : null}
      {state.kind === 'needs-facts' ? (
        <div className='greenlight-state' role='note' data-readiness-problem={state.problem.kind}>
          <p className='greenlight-state__title'>Readiness needs the facts of this cluster pair, which greenlight serves through Argo CD's proxy extension</p>
          <p>
            {FACTS_MISSING[state.problem.kind]}; "Cluster facts" below says why and what to set up. The checks compare both clusters' versions, SSM
            parameters, Pod Identity associations and add-ons, and judge this app's resources against green's Kubernetes version.
          </p>
        </div>
      ) : null}
      {state.kind === 'ready' ? <Content app={state.app} readiness={state.readiness} pairHref={props.pairHref} /> : null}
    </div>
  );
}
