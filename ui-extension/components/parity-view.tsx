/** @module The "Parity" view of one app: its family on every cluster of its pairs. Pure. */
import * as React from 'react';
import type { Family } from '../../generator/parity.js';
import { ParityTable, type AppHref } from './parity-table.js';
import { plural } from './format.js';

export interface ParityViewProps {
  readonly family: Family;
  readonly current: { readonly namespace: string; readonly name: string };
  readonly appHref: AppHref;
  readonly now: number;
  /** Things the user should know about what is shown (e.g. ApplicationSets could not be read). */
  readonly notices?: readonly string[];
  readonly onRefresh?: (() => void) | undefined;
  /** The facts diff, below the table. */
  readonly children?: React.ReactNode;
}

export function ParityView(props: ParityViewProps) {
  const { family } = props;
  const source = family.id.source === 'label' ? 'label greenlight.io/app' : 'ApplicationSet and source';
  return (
    <div className='greenlight-section'>
      <h3 className='greenlight-heading'>
        {family.id.name}: {family.atParity}/{family.total} at parity
      </h3>
      <p className='greenlight-muted'>
        Family by {source}
        {family.pairs.length > 0 ? ` · pair ${family.pairs.join(', ')}` : ' · no cluster of this app is in a blue/green pair'}
        {family.baselines.length > 0 ? ` · baseline ${family.baselines.join(', ')}` : ' · no baseline (no blue cluster runs it)'} · {plural(family.total, 'cluster cell')}
        {props.onRefresh ? (
          <>
            {' '}
            <button type='button' className='greenlight-button' onClick={props.onRefresh}>
              Refresh
            </button>
          </>
        ) : null}
      </p>
      {(props.notices ?? []).map((n) => (
        <p key={n} className='greenlight-notice'>
          {n}
        </p>
      ))}
      <ParityTable rows={family.rows} appHref={props.appHref} current={props.current} now={props.now} />
      {props.children}
    </div>
  );
}
