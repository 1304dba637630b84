/**
 * @module The fleet page's readiness line per pair: what Applications and Argo CD's cluster
 * versions show (removed APIs, version skew), and where to get the full verdict. Pure.
 */
import * as React from 'react';
import { readinessCommand, type FleetPairReadiness } from '../readiness.js';
import { Badge } from './badges.js';
import { FindingList } from './findings.js';
import { plural } from './format.js';

const FULL_VERDICT = 'open an app of the pair for the full verdict (SSM parameters, Pod Identity associations, add-ons)';

function Line(props: { readonly line: FleetPairReadiness; readonly maxFindings: number }) {
  const { line } = props;
  if (line.kind === 'incomplete-pair') {
    return (
      <li className='greenlight-readiness-line' data-pair={line.pair} data-readiness={line.kind}>
        <strong>{line.pair}</strong>: no {line.missing} cluster (label <code>greenlight.io/role</code>), so there is no step from blue to green to judge.
      </li>
    );
  }
  if (line.kind === 'versions-unknown') {
    return (
      <li className='greenlight-readiness-line' data-pair={line.pair} data-green={line.green} data-readiness={line.kind}>
        <strong>{line.pair}</strong> {line.blue} → {line.green}: <Badge tone='info'>not judged here</Badge>{' '}
        <span className='greenlight-detail'>
          Argo CD reports no Kubernetes version for {line.unknown.join(' and ')} yet, so this page cannot check removed APIs: {FULL_VERDICT}.
        </span>
      </li>
    );
  }
  const findings = [...line.blockers, ...line.warnings];
  return (
    <li className='greenlight-readiness-line' data-pair={line.pair} data-green={line.green} data-readiness={line.kind} data-blockers={line.blockers.length}>
      <strong>{line.pair}</strong> {line.blue} ({line.blueVersion ?? 'version unknown'}) → {line.green} ({line.greenVersion}):{' '}
      <Badge tone={line.blockers.length > 0 ? 'bad' : 'ok'}>{line.blockers.length > 0 ? plural(line.blockers.length, 'blocker') : 'no blockers found'}</Badge>{' '}
      <Badge tone={line.warnings.length > 0 ? 'warn' : 'ok'}>{plural(line.warnings.length, 'warning')}</Badge>
      <span className='greenlight-detail'>
        From Applications and Argo CD's cluster versions only ({line.detail}); {FULL_VERDICT}.
      </span>
      {findings.length > 0 ? (
        <details>
          <summary>Blockers and warnings ({findings.length.toLocaleString('en-US')})</summary>
          <FindingList findings={findings} label={`readiness of ${line.pair}`} max={props.maxFindings} more={`${readinessCommand(line.pair)} lists them all`} />
        </details>
      ) : null}
    </li>
  );
}

export function FleetReadiness(props: { readonly lines: readonly FleetPairReadiness[]; readonly maxFindings?: number }) {
  if (props.lines.length === 0) return null;
  return (
    <section className='greenlight-section' aria-label='readiness by pair'>
      <h3 className='greenlight-subheading'>Readiness for the next weight step</h3>
      <ul className='greenlight-readiness-lines'>
        {props.lines.map((line) => (
          <Line key={`${line.pair}|${line.kind === 'incomplete-pair' ? '' : line.green}`} line={line} maxFindings={props.maxFindings ?? 20} />
        ))}
      </ul>
    </section>
  );
}
