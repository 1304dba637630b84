/**
 * @module A pair's traffic gate line and drift section on the fleet page, from the same facts
 * answer as its readiness line: the decision with the next step, the actual against the desired
 * split and the reasons; the drift the asking Application may see in full (pair-wide and its
 * family's, by namespace and kind), other apps' counted by namespace. Pure apart from the
 * disclosure and "show more" state.
 */
import * as React from 'react';
import type { SplitRow } from '../../generator/contract/gate.js';
import { driftCommand, gateCommand, type AppDrift, type AppGate } from '../drift-gate.js';
import type { FleetPairAudit } from '../readiness.js';
import { Badge } from './badges.js';
import { CoverageGaps, DriftCommands, DriftCounts, DriftGroups, OtherAppsTally } from './drift-section.js';
import { plural } from './format.js';
import { DecisionBadge, GateReasons, stepSentence } from './gate-section.js';
import { asOf } from './readiness-section.js';

function splitCell(r: SplitRow): string {
  const actual = r.actual === null ? 'no weight' : String(r.actual);
  const desired = r.desired === null ? 'no desired weight' : `wants ${r.desired}`;
  return `${r.cluster} ${actual} (${desired})${r.outcome === 'ok' ? '' : `: ${r.outcome === 'other-owner' ? 'other owner' : r.outcome}`}`;
}

export function FleetGateLine(props: { readonly pair: string; readonly gate: AppGate }) {
  const { gate } = props;
  if (gate.kind !== 'served') {
    return (
      <div className='greenlight-gate-line' data-gate={gate.kind}>
        Traffic gate: <Badge tone='info'>not evaluated</Badge> <span className='greenlight-detail'>{gate.kind === 'unavailable' ? gate.reason : `${gate.cluster} has no pair`}</span>
      </div>
    );
  }
  const a = gate.served.answer;
  const problems = a.reasons.filter((r) => r.outcome !== 'note');
  return (
    <div className='greenlight-gate-line' data-gate='served' data-gate-decision={a.decision}>
      Traffic gate: <DecisionBadge decision={a.decision} /> {stepSentence(a)}
      <span className='greenlight-detail' data-split=''>
        Route 53:{' '}
        {a.split.length === 0
          ? 'not read'
          : a.split.map((r, i) => (
              <React.Fragment key={`${r.cluster}|${r.record}|${i}`}>
                {i > 0 ? '; ' : ''}
                <span data-split-outcome={r.outcome} className={r.outcome === 'ok' ? undefined : 'greenlight-tone--bad'}>
                  {splitCell(r)}
                </span>
              </React.Fragment>
            ))}
        {asOf(gate.served.at)}; <code>{gateCommand(props.pair)}</code> shows the evidence.
      </span>
      {problems.length > 0 ? <GateReasons reasons={problems} max={3} evidence={false} /> : null}
    </div>
  );
}

export function FleetDrift(props: { readonly pair: string; readonly drift: AppDrift; readonly via: FleetPairAudit['via']; readonly now: number; readonly maxFindings: number }) {
  const { drift } = props;
  if (drift.kind !== 'served') {
    return (
      <div className='greenlight-gate-line' data-drift={drift.kind}>
        Drift: <Badge tone='info'>no audit</Badge> <span className='greenlight-detail'>{drift.kind === 'unavailable' ? drift.reason : `${drift.cluster} has no pair`}</span>
      </div>
    );
  }
  const d = drift.served;
  const shown = [...d.pairWide, ...d.app];
  const omitted = d.omitted.pairWide + d.omitted.app;
  const others = d.otherApps.reduce((n, t) => n + t.count, 0);
  const nothing = shown.length === 0 && omitted === 0 && others === 0;
  return (
    <div className='greenlight-gate-line' data-drift='served' data-drift-shown={shown.length}>
      Drift on {d.blue}: {nothing ? <Badge tone='ok'>nothing Git lacks</Badge> : <DriftCounts drift={d} />}
      <span className='greenlight-detail'>greenlight's audit{asOf(d.at)}</span>
      {nothing ? null : (
        <details>
          <summary>
            Drift on {d.blue} ({plural(shown.length + omitted + others, 'finding')})
          </summary>
          {shown.length > 0 ? (
            <DriftGroups findings={shown} green={d.green} now={props.now} max={props.maxFindings} label={`drift of pair ${props.pair}`} />
          ) : null}
          {omitted > 0 ? (
            <p className='greenlight-muted'>
              and {plural(omitted, 'finding')} more not served: <code>{driftCommand(props.pair)}</code> lists them.
            </p>
          ) : null}
          {others > 0 ? (
            <>
              <p className='greenlight-detail'>
                Other apps' findings, counted (asked through {props.via.name}; each app's Parity view lists its own):
              </p>
              <OtherAppsTally tallies={d.otherApps} />
            </>
          ) : null}
          <DriftCommands pair={props.pair} />
        </details>
      )}
      <CoverageGaps gaps={d.gaps} />
    </div>
  );
}

/** The gate line and the drift section of one pair. */
export function FleetPairAuditView(props: { readonly pair: string; readonly audit: FleetPairAudit; readonly now: number; readonly maxFindings: number }) {
  return (
    <>
      <FleetGateLine pair={props.pair} gate={props.audit.gate} />
      <FleetDrift pair={props.pair} drift={props.audit.drift} via={props.audit.via} now={props.now} maxFindings={props.maxFindings} />
    </>
  );
}
