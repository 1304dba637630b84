/**
 * @module The pair's traffic gate: may traffic move one step from blue to green now? The decision
 * (go, hold, could not evaluate) with the step it is about, every reason with its evidence, live
 * health green beside blue (for the pair and the viewed family's namespaces; no traffic is "no
 * live evidence yet", never healthy), the real Route 53 split against the desired one, and each
 * cluster's ExternalDNS. Pure apart from the "show more" buttons.
 */
import * as React from 'react';
import type { ExternalDnsSide, GateAnswer, GateDecision, GateReason, SignalResult, SplitRow } from '../../generator/contract/gate.js';
import type { Tone } from '../../generator/parity.js';
import { gateCommand, signalValue, stepCommand, weights, type AppGate, type EvaluatedGate } from '../drift-gate.js';
import { Badge, Role } from './badges.js';
import { Bounded } from './bounded.js';
import { PairNotice, type PairSectionNotice } from './drift-section.js';
import { Ident } from './ident.js';
import { asOf } from './readiness-section.js';

export const DECISIONS: Readonly<Record<GateDecision, { readonly label: string; readonly tone: Tone }>> = {
  go: { label: 'Go', tone: 'ok' },
  hold: { label: 'Hold', tone: 'bad' },
  unknown: { label: 'Could not evaluate', tone: 'warn' },
};

const CHECKS: Readonly<Record<GateReason['check'], string>> = {
  plan: 'Step plan',
  readiness: 'Readiness',
  health: 'Live health',
  split: 'Route 53 split',
  prefix: 'ExternalDNS prefix',
};

const REASON_OUTCOMES: Readonly<Record<GateReason['outcome'], { readonly label: string; readonly tone: Tone }>> = {
  hold: { label: 'hold', tone: 'bad' },
  unknown: { label: 'unknown', tone: 'warn' },
  note: { label: 'note', tone: 'info' },
};

export const SIGNAL_LABELS: Readonly<Record<SignalResult['signal'], string>> = {
  'error-ratio': '5xx ratio',
  'p99-latency': 'p99 latency',
  restarts: 'container restarts',
};

const SIGNAL_OUTCOMES: Readonly<Record<SignalResult['outcome'], { readonly label: string; readonly tone: Tone }>> = {
  ok: { label: 'ok', tone: 'ok' },
  hold: { label: 'hold', tone: 'bad' },
  'no-evidence': { label: 'no live evidence yet', tone: 'info' },
  unknown: { label: 'unknown', tone: 'warn' },
};

const SPLIT_OUTCOMES: Readonly<Record<SplitRow['outcome'], { readonly label: string; readonly tone: Tone }>> = {
  ok: { label: 'ok', tone: 'ok' },
  mismatch: { label: 'mismatch', tone: 'bad' },
  missing: { label: 'missing', tone: 'bad' },
  'other-owner': { label: 'other owner', tone: 'bad' },
};

/** What the decision means for the next step, in one sentence. */
export function stepSentence(a: GateAnswer): string {
  const from = weights(a.step.current);
  if (a.step.next === null) return `no next step from ${from} (blue/green)`;
  const move = `next step ${from} → ${weights(a.step.next)} (blue/green)`;
  if (a.decision === 'go') return `${move} may be taken`;
  if (a.decision === 'hold') return `${move} held until the reasons below are fixed`;
  return `${move} not proven safe: greenlight never says go while a check could not be evaluated`;
}

export function DecisionBadge(props: { readonly decision: GateDecision }) {
  const d = DECISIONS[props.decision];
  return (
    <span data-gate-decision={props.decision}>
      <Badge tone={d.tone}>{d.label}</Badge>
    </span>
  );
}

/** The plan, the current step marked. */
function Plan(props: { readonly answer: GateAnswer }) {
  const { step } = props.answer;
  return (
    <span className='greenlight-gate-plan' aria-label='plan'>
      plan{' '}
      {step.plan.map((s, i) => (
        <React.Fragment key={i}>
          {i > 0 ? ' · ' : ''}
          {i === step.index ? <strong aria-current='step'>{weights(s)}</strong> : weights(s)}
        </React.Fragment>
      ))}
    </span>
  );
}

/** Evidence is shown open when it is short (numbers, a record); long evidence (queries, readiness blockers) opens on demand. */
function Evidence(props: { readonly evidence: GateReason['evidence'] }) {
  const entries = Object.entries(props.evidence);
  if (entries.length === 0) return null;
  const short = entries.length <= 8 && entries.every(([, v]) => String(v).length <= 80);
  return (
    <details className='greenlight-evidence-toggle' open={short}>
      <summary>Evidence ({entries.length.toLocaleString('en-US')})</summary>
      <dl className='greenlight-evidence'>
        {entries.map(([k, v]) => (
          <React.Fragment key={k}>
            <dt>{k}</dt>
            <dd className='greenlight-mono'>{v === null ? '—' : String(v)}</dd>
          </React.Fragment>
        ))}
      </dl>
    </details>
  );
}

/** Each reason behind the decision, with its evidence (numbers, queries, records). */
export function GateReasons(props: { readonly reasons: readonly GateReason[]; readonly max: number; readonly evidence?: boolean }) {
  if (props.reasons.length === 0) return <p className='greenlight-muted'>No reason to hold: every check passed.</p>;
  return (
    <Bounded
      items={props.reasons}
      max={props.max}
      what='reasons'
      render={(visible) => (
        <ul className='greenlight-findings' aria-label='gate reasons'>
          {visible.map((r, i) => (
            <li key={i} className={`greenlight-finding greenlight-finding--${r.outcome === 'hold' ? 'blocker' : 'warning'}`} data-check={r.check} data-outcome={r.outcome}>
              <Badge tone={REASON_OUTCOMES[r.outcome].tone}>{REASON_OUTCOMES[r.outcome].label}</Badge> <span className='greenlight-finding__kind'>{CHECKS[r.check]}</span>
              <span className='greenlight-finding__message'>{r.message}</span>
              {props.evidence === false ? null : <Evidence evidence={r.evidence} />}
            </li>
          ))}
        </ul>
      )}
    />
  );
}

/** Live signals, green beside blue. */
export function HealthTable(props: { readonly health: readonly SignalResult[]; readonly blue: string; readonly green: string; readonly label: string }) {
  if (props.health.length === 0) return <p className='greenlight-muted'>No live signal was evaluated.</p>;
  return (
    <table className='greenlight-table greenlight-table--gate' aria-label={props.label}>
      <thead>
        <tr>
          <th>Signal</th>
          <th>
            <span className='greenlight-role--blue'>{props.blue}</span>
          </th>
          <th>
            <span className='greenlight-role--green'>{props.green}</span>
          </th>
          <th>Limit</th>
          <th>Outcome</th>
        </tr>
      </thead>
      <tbody>
        {props.health.map((s) => {
          const o = SIGNAL_OUTCOMES[s.outcome];
          return (
            <tr key={s.signal} data-signal={s.signal} data-outcome={s.outcome} className={s.outcome === 'hold' || s.outcome === 'unknown' ? 'greenlight-row--problem' : undefined}>
              <td title={`${props.blue}: ${s.query.blue}\n${props.green}: ${s.query.green}`}>{SIGNAL_LABELS[s.signal]}</td>
              <td>{signalValue(s.unit, s.blue)}</td>
              <td>{s.outcome === 'no-evidence' ? <span className='greenlight-muted'>no traffic</span> : signalValue(s.unit, s.green)}</td>
              <td>{signalValue(s.unit, s.limit)}</td>
              <td>
                <Badge tone={o.tone}>{o.label}</Badge>
                {s.outcome === 'ok' ? null : <span className='greenlight-detail'>{s.message}</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Per cluster, the weight its Secret asks for against the one Route 53 holds. */
export function SplitTable(props: { readonly split: readonly SplitRow[] }) {
  if (props.split.length === 0) return <p className='greenlight-muted'>The Route 53 split was not read.</p>;
  return (
    <table className='greenlight-table greenlight-table--gate' aria-label='Route 53 split'>
      <thead>
        <tr>
          <th>Cluster</th>
          <th>Record</th>
          <th>Desired</th>
          <th>Actual</th>
          <th>Owner</th>
          <th>Outcome</th>
        </tr>
      </thead>
      <tbody>
        {props.split.map((r, i) => {
          const o = SPLIT_OUTCOMES[r.outcome];
          return (
            <tr key={`${r.cluster}|${r.record}|${i}`} data-split-cluster={r.cluster} data-outcome={r.outcome} className={r.outcome === 'ok' ? undefined : 'greenlight-row--problem'}>
              <td>
                <Ident text={r.cluster} /> <Role role={r.role} />
              </td>
              <td>{r.record === '' ? <span className='greenlight-muted'>no record</span> : <Ident text={r.record} mono title={`${r.record} in zone ${r.zoneId}`} />}</td>
              <td>{r.desired ?? '—'}</td>
              <td>{r.actual ?? '—'}</td>
              <td>{r.owner === null ? <span className='greenlight-muted'>none</span> : <Ident text={r.owner} />}</td>
              <td>
                <Badge tone={o.tone}>{o.label}</Badge>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Each cluster's ExternalDNS: its version and the annotation prefix it reads. */
export function ExternalDnsSides(props: { readonly sides: readonly ExternalDnsSide[] }) {
  if (props.sides.length === 0) return null;
  return (
    <ul className='greenlight-checks' aria-label='ExternalDNS'>
      {props.sides.map((s) => (
        <li key={s.cluster} data-dns-cluster={s.cluster} data-prefix={s.prefix ?? ''}>
          <strong>{s.cluster}</strong>:{' '}
          {s.found ? (
            <>
              ExternalDNS {s.version ?? 'version unknown'}, reads <code>{s.prefix ?? 'an unknown prefix'}</code>
            </>
          ) : (
            'no ExternalDNS found'
          )}
          <span className='greenlight-detail'>{s.source}</span>
        </li>
      ))}
    </ul>
  );
}

export function GateCommands(props: { readonly pair: string }) {
  return (
    <p className='greenlight-detail'>
      <code>{gateCommand(props.pair)}</code> evaluates the gate again; <code>{stepCommand(props.pair)}</code> shows the next step and takes it with{' '}
      <code>--apply</code> when the gate says go.
    </p>
  );
}

function Evaluated(props: { readonly app: string; readonly gate: EvaluatedGate }) {
  const { answer: a, family } = props.gate;
  return (
    <div className={`greenlight-readiness greenlight-readiness--${a.decision === 'go' ? 'ready' : 'blocked'}`} data-decision={a.decision}>
      <p className='greenlight-readiness__headline'>
        <DecisionBadge decision={a.decision} /> <strong>{stepSentence(a)}</strong>
      </p>
      <p className='greenlight-detail'>
        <Plan answer={a} /> · window {a.window} · greenlight's gate{asOf(props.gate.at)}
      </p>
      <h4 className='greenlight-subheading'>Reasons</h4>
      <GateReasons reasons={a.reasons} max={8} />
      <h4 className='greenlight-subheading'>Live health: {a.green} beside {a.blue}</h4>
      <HealthTable health={a.health} blue={a.blue} green={a.green} label='live health of the pair' />
      {family.length === 0 ? (
        <p className='greenlight-muted'>No series carry a namespace of {props.app}, so its own health is not shown apart from the pair's.</p>
      ) : (
        family.map((f) => (
          <React.Fragment key={f.namespace}>
            <h5 className='greenlight-drift-namespace__title'>
              {props.app} in namespace {f.namespace}
            </h5>
            <HealthTable health={f.health} blue={a.blue} green={a.green} label={`live health in namespace ${f.namespace}`} />
          </React.Fragment>
        ))
      )}
      <h4 className='greenlight-subheading'>Route 53: actual against desired weights</h4>
      <SplitTable split={a.split} />
      <ExternalDnsSides sides={a.externalDns} />
      <GateCommands pair={a.pair} />
    </div>
  );
}

export type GateSectionState = PairSectionNotice | { readonly kind: 'ready'; readonly app: string; readonly gate: AppGate };

export function GateSection(props: { readonly state: GateSectionState }) {
  const { state } = props;
  const gate = state.kind === 'ready' ? state.gate : state;
  return (
    <div className='greenlight-section' data-greenlight-gate={gate.kind}>
      <h3 className='greenlight-heading'>Traffic gate</h3>
      {gate.kind !== 'served' ? (
        <PairNotice notice={gate} what='traffic gate' attr='gate' purpose="The traffic gate decides each weight step from a pair's blue cluster to its green one." />
      ) : state.kind === 'ready' ? (
        <Evaluated app={state.app} gate={gate.served} />
      ) : null}
    </div>
  );
}
