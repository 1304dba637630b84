/**
 * @module The pair's drift audit: what blue runs that Git does not, so green (built from Git)
 * will not have it. Findings grouped by namespace and kind, each with its class, who made it or
 * last changed it and when, whether green has it, and whether a team signed it off; the pair-wide
 * ones and other apps' counts; coverage gaps, never hidden; the commands that list everything and
 * print the objects to adopt into Git. Bounded on screen: long lists show their first entries
 * and a button for the rest. Pure apart from that button's state.
 */
import * as React from 'react';
import type { CoverageGap, DriftClass, DriftFinding } from '../../generator/contract/drift.js';
import type { DriftTally } from '../../generator/contract/facts-api.js';
import type { Tone } from '../../generator/parity.js';
import type { FactsProblem } from '../api-client.js';
import { authorship, driftCommand, driftManifestsCommand, groupFindings, objectRef, type AppDrift, type AuditedDrift } from '../drift-gate.js';
import { Badge } from './badges.js';
import { Bounded } from './bounded.js';
import { ago, plural } from './format.js';
import { Ident } from './ident.js';
import { asOf, FACTS_MISSING } from './readiness-section.js';
import { EmptyState, Loading } from './states.js';

export const DRIFT_CLASS_LABELS: Readonly<Record<DriftClass, { readonly label: string; readonly tone: Tone }>> = {
  unmanaged: { label: 'made outside Git', tone: 'warn' },
  hotfix: { label: 'hotfix', tone: 'warn' },
  stateful: { label: 'data on EBS', tone: 'bad' },
};

/** A time as "3 d ago", with the time itself as its tooltip. */
function When(props: { readonly at: string | null; readonly now: number }) {
  if (props.at === null) return <span className='greenlight-muted'>at an unknown time</span>;
  return <time dateTime={props.at} title={props.at}>{ago(props.at, props.now)}</time>;
}

/** One finding: the object, its class, whether green has it, who made it and when, and what it holds. */
export function DriftFindingItem(props: { readonly finding: DriftFinding; readonly green: string; readonly now: number }) {
  const f = props.finding;
  const cls = DRIFT_CLASS_LABELS[f.class];
  const { madeBy, lastChangedBy } = authorship(f.managers);
  const onGreen =
    f.class === 'hotfix'
      ? f.missingOnGreen
        ? `change missing on ${props.green}`
        : `${props.green} has the change`
      : f.missingOnGreen
        ? `missing on ${props.green}`
        : `${props.green} has it`;
  const v = f.volume;
  return (
    <li
      className={`greenlight-drift${f.accepted ? ' greenlight-drift--accepted' : ''}`}
      data-drift-class={f.class}
      data-object={objectRef(f)}
      data-missing-on-green={String(f.missingOnGreen)}
      data-accepted={String(f.accepted)}
    >
      <Ident text={f.name} mono /> <Badge tone={f.accepted ? 'info' : cls.tone}>{cls.label}</Badge>{' '}
      {f.accepted ? (
        <Badge tone='info'>accepted</Badge>
      ) : (
        <Badge tone={f.missingOnGreen ? 'bad' : 'ok'}>{onGreen}</Badge>
      )}
      {f.accepted ? <span className='greenlight-detail'>signed off by {f.acceptedBy ?? 'annotation'}; {onGreen}</span> : null}
      <span className='greenlight-detail'>
        {madeBy ? (
          <>
            made by <code>{madeBy.manager}</code> <When at={madeBy.time} now={props.now} />
          </>
        ) : (
          'no field manager recorded'
        )}
        {lastChangedBy ? (
          <>
            ; last changed by <code>{lastChangedBy.manager}</code> <When at={lastChangedBy.time} now={props.now} />
          </>
        ) : null}
        {f.createdAt ? (
          <>
            ; created <When at={f.createdAt} now={props.now} />
          </>
        ) : null}
        {f.app ? `; Application ${f.app}` : ''}
      </span>
      {f.class === 'hotfix' && f.fields.length > 0 ? (
        <span className='greenlight-detail'>
          fields: <span className='greenlight-mono'>{f.fields.slice(0, 8).join(', ')}</span>
          {f.fields.length > 8 ? ` and ${f.fields.length - 8} more` : ''}
        </span>
      ) : null}
      {v ? (
        <span className='greenlight-detail' data-volume={v.volumeId ?? v.volumeName}>
          EBS volume <span className='greenlight-mono'>{v.volumeId ?? v.volumeName}</span>, {v.size ?? 'size unknown'} in {v.zone ?? 'an unknown zone'}, storage class{' '}
          {v.storageClass ?? 'none'}; {v.workloads.length > 0 ? `used by ${v.workloads.join(', ')}` : 'mounted by no workload'}. Green cannot attach it: migrate the
          data.
        </span>
      ) : null}
    </li>
  );
}

/** Findings by namespace and kind; the first `max` shown. */
export function DriftGroups(props: { readonly findings: readonly DriftFinding[]; readonly green: string; readonly now: number; readonly max: number; readonly label: string }) {
  return (
    <Bounded
      items={props.findings}
      max={props.max}
      what='findings'
      render={(visible) => (
        <div className='greenlight-drift-groups' aria-label={props.label}>
          {groupFindings(visible).map((g) => (
            <div key={g.namespace ?? ''} className='greenlight-drift-namespace' data-namespace={g.namespace ?? ''}>
              <h5 className='greenlight-drift-namespace__title'>
                {g.namespace === null ? 'cluster-scoped' : `namespace ${g.namespace}`} <span className='greenlight-muted'>({g.count.toLocaleString('en-US')})</span>
              </h5>
              {g.kinds.map((k) => (
                <div key={k.kind} data-kind={k.kind}>
                  <span className='greenlight-drift-kind'>
                    {k.kind} ({k.findings.length.toLocaleString('en-US')})
                  </span>
                  <ul className='greenlight-findings'>
                    {k.findings.map((f) => (
                      <DriftFindingItem key={`${f.cluster}|${f.resource}|${f.namespace ?? ''}|${f.name}`} finding={f} green={props.green} now={props.now} />
                    ))}
                  </ul>
                </div>
              ))}
            </div>
          ))}
        </div>
      )}
    />
  );
}

/** Other apps' findings, counted by namespace ("payments: 2 ConfigMap, 1 CronJob"). */
export function OtherAppsTally(props: { readonly tallies: readonly DriftTally[] }) {
  const byNamespace = new Map<string, DriftTally[]>();
  for (const t of props.tallies) byNamespace.set(t.namespace, [...(byNamespace.get(t.namespace) ?? []), t]);
  return (
    <Bounded
      items={[...byNamespace.entries()]}
      max={10}
      what='namespaces'
      render={(visible) => (
        <ul className='greenlight-drift-tallies' aria-label="other apps' drift">
          {visible.map(([ns, list]) => (
            <li key={ns} data-namespace={ns} data-count={list.reduce((n, t) => n + t.count, 0)}>
              {ns === '' ? 'cluster-scoped' : ns}: {list.map((t) => `${t.count.toLocaleString('en-US')} ${t.kind}`).join(', ')}
            </li>
          ))}
        </ul>
      )}
    />
  );
}

/** Resource types the audit could not scan: always said, so an empty list is never mistaken for a clean one. */
export function CoverageGaps(props: { readonly gaps: readonly CoverageGap[] }) {
  if (props.gaps.length === 0) return null;
  return (
    <div className='greenlight-notice' data-drift-gaps={props.gaps.length}>
      Not scanned ({plural(props.gaps.length, 'resource type')}):{' '}
      <Bounded
        items={props.gaps}
        max={6}
        what='gaps'
        render={(visible) => (
          <ul className='greenlight-drift-gaps' aria-label='not scanned'>
            {visible.map((g) => (
              <li key={`${g.cluster}|${g.resource}`} title={g.detail}>
                <span className='greenlight-mono'>{g.resource}</span> on {g.cluster} ({g.reason}): <span className='greenlight-muted'>{g.detail}</span>
              </li>
            ))}
          </ul>
        )}
      />
      Findings there are not known; grant greenlight <code>list</code> on them to audit them.
    </div>
  );
}

/** The pair's counts: what `greenlight drift` and `greenlight_drift_objects` count. */
export function DriftCounts(props: { readonly drift: AuditedDrift }) {
  const c = props.drift.counts;
  return (
    <span className='greenlight-drift-counts' data-drift-counts={`${c.unmanaged}/${c.hotfix}/${c.stateful}/${c.accepted}/${c.missingOnGreen}`}>
      <Badge tone={c.missingOnGreen > 0 ? 'bad' : 'ok'}>{c.missingOnGreen.toLocaleString('en-US')} missing on {props.drift.green}</Badge>{' '}
      <Badge tone={c.unmanaged > 0 ? 'warn' : 'ok'}>{c.unmanaged.toLocaleString('en-US')} made outside Git</Badge>{' '}
      <Badge tone={c.hotfix > 0 ? 'warn' : 'ok'}>{plural(c.hotfix, 'hotfix', 'hotfixes')}</Badge>{' '}
      <Badge tone={c.stateful > 0 ? 'bad' : 'ok'}>{c.stateful.toLocaleString('en-US')} on EBS</Badge>{' '}
      {c.accepted > 0 ? <Badge tone='info'>{c.accepted.toLocaleString('en-US')} accepted</Badge> : null}
    </span>
  );
}

/** The commands that list every finding and print the unmanaged objects to commit. */
export function DriftCommands(props: { readonly pair: string }) {
  return (
    <p className='greenlight-detail'>
      <code>{driftCommand(props.pair)}</code> lists every finding; <code>{driftManifestsCommand(props.pair)}</code> prints the objects made outside Git as clean
      YAML to adopt into Git (Secrets by name only).
    </p>
  );
}

const where = (namespaces: readonly string[]) => (namespaces.length === 0 ? "this app's namespaces" : namespaces.join(', '));

function Audit(props: {
  readonly app: string;
  readonly namespaces: readonly string[];
  readonly drift: AuditedDrift;
  readonly now: number;
  readonly pairHref: (pair: string) => string;
}) {
  const d = props.drift;
  const open = d.app.filter((f) => !f.accepted);
  const pairWide = d.pairWide;
  const pairWideTotal = pairWide.length + d.omitted.pairWide;
  const others = d.otherApps.reduce((n, t) => n + t.count, 0);
  return (
    <div className={`greenlight-readiness greenlight-readiness--${open.some((f) => f.missingOnGreen) ? 'blocked' : 'ready'}`} data-drift-app={d.app.length}>
      {d.app.length === 0 && d.omitted.app === 0 ? (
        <p className='greenlight-readiness__headline' data-drift-clean=''>
          <Badge tone='ok'>No drift</Badge> {d.blue} runs nothing Git lacks in {where(props.namespaces)}.
        </p>
      ) : (
        <>
          <p className='greenlight-readiness__headline'>
            <Badge tone={open.some((f) => f.missingOnGreen) ? 'bad' : open.length > 0 ? 'warn' : 'ok'}>{plural(d.app.length + d.omitted.app, 'finding')}</Badge>{' '}
            {open.length === 0 ? `all signed off, in ${where(props.namespaces)}` : `for ${props.app} in ${where(props.namespaces)}`}
          </p>
          <DriftGroups findings={d.app} green={d.green} now={props.now} max={25} label={`drift of ${props.app}`} />
          {d.omitted.app > 0 ? (
            <p className='greenlight-muted'>
              and {plural(d.omitted.app, 'finding')} more not served: <code>{driftCommand(d.pair)}</code> lists them.
            </p>
          ) : null}
        </>
      )}
      <p className='greenlight-detail' data-drift-pair-wide={pairWideTotal}>
        Pair-wide (cluster-scoped, or in namespaces no Application deploys to): {pairWideTotal === 0 ? 'none' : plural(pairWideTotal, 'finding')}
        {pairWide.length > 0 ? `: ${pairWide.slice(0, 5).map(objectRef).join(', ')}` : ''}
        {pairWideTotal > 5 ? (
          <>
            {' '}
            and {(pairWideTotal - 5).toLocaleString('en-US')} more on{' '}
            <a className='greenlight-link' href={props.pairHref(d.pair)}>
              the pair's page
            </a>
          </>
        ) : null}
        . Other apps: {others === 0 ? 'none' : `${plural(others, 'finding')} in ${plural(new Set(d.otherApps.map((t) => t.namespace)).size, 'namespace')}, shown in their own views`}.
      </p>
      <p className='greenlight-detail'>
        Pair {d.pair}: <DriftCounts drift={d} /> greenlight's audit{asOf(d.at)}.
      </p>
      <CoverageGaps gaps={d.gaps} />
      <DriftCommands pair={d.pair} />
    </div>
  );
}

export type DriftSectionState =
  | PairSectionNotice
  /** `app` names the app for people; `namespaces` are the ones it deploys to. */
  | { readonly kind: 'ready'; readonly app: string; readonly namespaces: readonly string[]; readonly drift: AppDrift; readonly now: number };

export function DriftSection(props: { readonly state: DriftSectionState; readonly pairHref: (pair: string) => string }) {
  const { state } = props;
  const drift = state.kind === 'ready' ? state.drift : state;
  return (
    <div className='greenlight-section' data-greenlight-drift={drift.kind}>
      <h3 className='greenlight-heading'>{drift.kind === 'served' ? `Drift on ${drift.served.blue}` : 'Drift: what blue runs that Git does not'}</h3>
      {drift.kind !== 'served' ? (
        <PairNotice notice={drift} what='drift audit' attr='drift' purpose="The drift audit compares a pair's blue cluster with its green one." />
      ) : state.kind === 'ready' ? (
        <Audit app={state.app} namespaces={state.namespaces} drift={drift.served} now={state.now} pairHref={props.pairHref} />
      ) : null}
    </div>
  );
}

/** What a pair section shows instead of its content. */
export type PairSectionNotice =
  | { readonly kind: 'loading' }
  /** The facts answer, which carries the section's data, could not be read. */
  | { readonly kind: 'needs-facts'; readonly problem: FactsProblem }
  | { readonly kind: 'no-pair'; readonly cluster: string }
  | { readonly kind: 'unavailable'; readonly pair: string; readonly reason: string };

export function PairNotice(props: { readonly notice: PairSectionNotice; readonly what: string; readonly attr: string; readonly purpose: string }) {
  const n = props.notice;
  switch (n.kind) {
    case 'loading':
      return <Loading what={`the ${props.what} of this pair`} />;
    case 'needs-facts':
      return (
        <div className='greenlight-state' role='note' {...{ [`data-${props.attr}-problem`]: n.problem.kind }}>
          <p className='greenlight-state__title'>The {props.what} comes with the facts of this cluster pair, which greenlight serves through Argo CD's proxy extension</p>
          <p>{FACTS_MISSING[n.problem.kind]}; "Cluster facts" below says why and what to set up.</p>
        </div>
      );
    case 'no-pair':
      return (
        <EmptyState title={`${n.cluster} is not part of a blue/green pair`}>
          <p>{props.purpose}</p>
        </EmptyState>
      );
    case 'unavailable':
      return (
        <EmptyState title={`No ${props.what} for pair ${n.pair}`}>
          <p {...{ [`data-${props.attr}-reason`]: '' }}>{n.reason}</p>
        </EmptyState>
      );
  }
}
