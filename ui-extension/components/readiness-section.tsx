/**
 * @module The app's readiness for the next weight step: ready, or the blockers and warnings that
 * concern the app (its Applications, and the pair's own facts), each with what to do; and which
 * checks ran. Pure.
 */
import * as React from 'react';
import { PROXY_EXTENSION_NAME } from '../../generator/contract/ui-api.js';
import type { FactsProblem } from '../api-client.js';
import { CHECKS_NOT_IN_BROWSER, readinessCommand, type AppReadiness, type AppVerdict } from '../readiness.js';
import { Badge } from './badges.js';
import { CHECK_LABELS, CheckList, FindingList } from './findings.js';
import { plural } from './format.js';
import { EmptyState, Loading } from './states.js';

export type ReadinessSectionState =
  | { readonly kind: 'loading' }
  /** The facts could not be read: readiness needs them. */
  | { readonly kind: 'needs-facts'; readonly problem: FactsProblem }
  /** `app` names the app for people (its family, else the Application). */
  | { readonly kind: 'ready'; readonly app: string; readonly readiness: AppReadiness };

/** Why the facts are missing, as the readiness section says it; the facts section below has the details and the fix. */
const FACTS_MISSING: Readonly<Record<FactsProblem['kind'], string>> = {
  'proxy-disabled': "Argo CD's proxy extension is not enabled",
  'extension-not-configured': `Argo CD's proxy extension has no "${PROXY_EXTENSION_NAME}" backend`,
  'not-authorized': `Argo CD refused the call to the "${PROXY_EXTENSION_NAME}" proxy extension`,
  'backend-unreachable': "Argo CD's proxy could not reach greenlight",
  greenlight: 'greenlight could not answer with the facts of this pair',
  other: 'The facts of this pair could not be read',
};

function Verdict(props: { readonly app: string; readonly verdict: AppVerdict }) {
  const { app } = props;
  const { verdict: v, blockers, warnings, ready } = props.verdict;
  const notChecked = v.checks.filter((c) => c.outcome === 'skipped' && CHECKS_NOT_IN_BROWSER.includes(c.check));
  const checked = v.checks.filter((c) => !notChecked.includes(c));
  return (
    <div className={`greenlight-readiness greenlight-readiness--${ready ? 'ready' : 'blocked'}`} data-green={v.green} data-ready={String(ready)}>
      <p className='greenlight-readiness__headline'>
        {ready ? <Badge tone='ok'>Ready</Badge> : <Badge tone='bad'>{plural(blockers.length, 'blocker')}</Badge>}{' '}
        {warnings.length > 0 ? <Badge tone='warn'>{plural(warnings.length, 'warning')}</Badge> : null}{' '}
        <strong>
          {v.blue} ({v.blueVersion ?? 'version unknown'}) → {v.green} ({v.greenVersion ?? 'version unknown'})
        </strong>
      </p>
      <p className='greenlight-muted'>
        {ready
          ? `Nothing that greenlight checks here blocks ${app} on ${v.green}${warnings.length > 0 ? '; read the warnings before the next weight step' : ''}.`
          : `Fix ${blockers.length === 1 ? 'this' : 'these'} before moving traffic for ${app} to ${v.green}.`}
      </p>
      {blockers.length > 0 ? (
        <>
          <h4 className='greenlight-subheading'>Blockers ({blockers.length})</h4>
          <FindingList findings={blockers} label='blockers' />
        </>
      ) : null}
      {warnings.length > 0 ? (
        <>
          <h4 className='greenlight-subheading'>Warnings ({warnings.length})</h4>
          <FindingList findings={warnings} label='warnings' />
        </>
      ) : null}
      <h4 className='greenlight-subheading'>Checks</h4>
      <CheckList checks={checked}>
        {notChecked.length > 0 ? (
          <li data-check='not-checked-here' data-outcome='skipped'>
            <Badge tone='info'>elsewhere</Badge> <strong>{notChecked.map((c) => CHECK_LABELS[c.check]).join(', ')}</strong>:{' '}
            <span>
              not checked here (<code>{readinessCommand(v.pair)}</code> checks them)
            </span>
          </li>
        ) : null}
      </CheckList>
      <p className='greenlight-detail'>
        Judged on {app}'s Applications and the pair's own facts; the removed APIs of other apps show in their own Parity views, and{' '}
        <code>{readinessCommand(v.pair)}</code> checks the whole pair.
      </p>
    </div>
  );
}

function Content(props: { readonly app: string; readonly readiness: AppReadiness }) {
  const { readiness } = props;
  switch (readiness.kind) {
    case 'no-pair':
      return (
        <EmptyState title={`${readiness.cluster} is not part of a blue/green pair`}>
          <p>Readiness judges the step from a pair's blue cluster to its green one. "Cluster facts" below says how to pair this cluster.</p>
        </EmptyState>
      );
    case 'incomplete-pair':
      return (
        <EmptyState title={`Pair ${readiness.pair} has no ${readiness.missing} cluster`}>
          <p>
            Readiness judges the step from the cluster with <code>greenlight.io/role: blue</code> to the one with <code>greenlight.io/role: green</code>; the pair has{' '}
            {readiness.members.length > 0 ? readiness.members.join(', ') : 'no cluster greenlight knows'}. Label the roles on their Argo CD cluster Secrets.
          </p>
        </EmptyState>
      );
    case 'verdicts':
      return (
        <>
          {readiness.verdicts.map((v) => (
            <Verdict key={v.verdict.green} app={props.app} verdict={v} />
          ))}
        </>
      );
  }
}

export function ReadinessSection(props: { readonly state: ReadinessSectionState }) {
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
      {state.kind === 'ready' ? <Content app={state.app} readiness={state.readiness} /> : null}
    </div>
  );
}
