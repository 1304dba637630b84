/**
 * @module The fleet page's readiness line per pair: the verdict greenlight's service made for the
 * pair (the counts `greenlight readiness` and the gauges show), its pair-wide findings, and where
 * each app's own findings are; then the pair's traffic gate and drift from the same answer. Pure.
 */
import * as React from 'react';
import { readinessCommand, type FleetPairReadiness } from '../readiness.js';
import { Badge } from './badges.js';
import { FindingList } from './findings.js';
import { plural } from './format.js';
import { FleetPairAuditView } from './fleet-audit.js';
import { asOf } from './readiness-section.js';

function Audit(props: { readonly line: FleetPairReadiness; readonly now: number; readonly maxFindings: number }) {
  const { line } = props;
  return (line.kind === 'judged' || line.kind === 'unavailable') && line.audit ? <FleetPairAuditView pair={line.pair} audit={line.audit} now={props.now} maxFindings={props.maxFindings} /> : null;
}

function Line(props: { readonly line: FleetPairReadiness; readonly maxFindings: number; readonly now: number }) {
  const { line } = props;
  const common = { className: 'greenlight-readiness-line', 'data-pair': line.pair, 'data-readiness': line.kind };
  switch (line.kind) {
    case 'incomplete-pair':
      return (
        <li {...common}>
          <strong>{line.pair}</strong>: no {line.missing} cluster (label <code>greenlight.io/role</code>), so there is no step from blue to green to judge.
        </li>
      );
    case 'no-app':
      return (
        <li {...common}>
          <strong>{line.pair}</strong>: <Badge tone='info'>not judged here</Badge>{' '}
          <span className='greenlight-detail'>
            no Application you may see deploys to this pair, and greenlight is asked through one; run <code>{readinessCommand(line.pair)}</code>.
          </span>
        </li>
      );
    case 'loading':
      return (
        <li {...common}>
          <strong>{line.pair}</strong>: <span className='greenlight-muted'>asking greenlight for the verdict…</span>
        </li>
      );
    case 'unavailable':
      return (
        <li {...common}>
          <strong>{line.pair}</strong>: <Badge tone='info'>no verdict</Badge> <span className='greenlight-detail'>{line.reason}</span>
          <Audit line={line} now={props.now} maxFindings={props.maxFindings} />
        </li>
      );
    case 'judged': {
      const v = line.served;
      const pairWide = [...v.pairWide.blockers, ...v.pairWide.warnings];
      const forApps = v.counts.blockers + v.counts.warnings - pairWide.length;
      return (
        <li {...common} data-green={v.green} data-pair-counts={`${v.counts.blockers}/${v.counts.warnings}`}>
          <strong>{line.pair}</strong> {v.blue} ({v.blueVersion ?? 'version unknown'}) → {v.green} ({v.greenVersion ?? 'version unknown'}):{' '}
          <Badge tone={v.counts.blockers > 0 ? 'bad' : 'ok'}>{v.counts.blockers > 0 ? plural(v.counts.blockers, 'blocker') : 'no blockers'}</Badge>{' '}
          <Badge tone={v.counts.warnings > 0 ? 'warn' : 'ok'}>{plural(v.counts.warnings, 'warning')}</Badge>
          <span className='greenlight-detail'>
            greenlight's verdict{asOf(v.at)}
            {forApps > 0 ? `; ${plural(forApps, 'finding')} about single apps, shown in each app's Parity view` : ''}; <code>{readinessCommand(line.pair)}</code> lists them all.
          </span>
          {pairWide.length > 0 ? (
            <details>
              <summary>Pair-wide ({pairWide.length.toLocaleString('en-US')})</summary>
              <FindingList findings={pairWide} label={`pair-wide readiness of ${line.pair}`} max={props.maxFindings} more={`${readinessCommand(line.pair)} lists them all`} />
            </details>
          ) : null}
          <Audit line={line} now={props.now} maxFindings={props.maxFindings} />
        </li>
      );
    }
  }
}

export function FleetReadiness(props: { readonly lines: readonly FleetPairReadiness[]; readonly maxFindings?: number; readonly now?: number }) {
  const now = props.now ?? Date.now();
  if (props.lines.length === 0) return null;
  return (
    <section className='greenlight-section' aria-label='readiness by pair'>
      <h3 className='greenlight-subheading'>Readiness for the next weight step</h3>
      <ul className='greenlight-readiness-lines'>
        {props.lines.map((line) => (
          <Line key={line.pair} line={line} maxFindings={props.maxFindings ?? 20} now={now} />
        ))}
      </ul>
    </section>
  );
}
