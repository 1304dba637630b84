/** @module The status-panel item: "green: converged" or "2/3 at parity"; a click opens the Parity flyout. Pure. */
import * as React from 'react';
import type { ParitySummary } from '../../generator/parity.js';

export type StatusItemState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly summary: ParitySummary; readonly family: string }
  | { readonly kind: 'no-family' }
  | { readonly kind: 'error'; readonly message: string };

export function StatusItem(props: { readonly state: StatusItemState; readonly onOpen: () => void; readonly onRetry?: (() => void) | undefined }) {
  const { state } = props;
  let value: React.ReactNode;
  let hint: React.ReactNode = null;
  switch (state.kind) {
    case 'loading':
      value = <span className='greenlight-muted'>checking…</span>;
      break;
    case 'ready':
      value = <span className={`greenlight-badge greenlight-tone--${state.summary.tone}`}>{state.summary.text}</span>;
      hint = <span className='greenlight-detail'>app {state.family}</span>;
      break;
    case 'no-family':
      value = <span className='greenlight-muted'>no app family</span>;
      hint = <span className='greenlight-detail'>add label greenlight.io/app</span>;
      break;
    case 'error':
      value = <span className='greenlight-badge greenlight-tone--bad'>parity unknown</span>;
      hint = (
        <span className='greenlight-detail' role='alert'>
          {state.message}{' '}
          {props.onRetry ? (
            <button
              type='button'
              className='greenlight-button'
              onClick={(e) => {
                e.stopPropagation();
                props.onRetry?.();
              }}
            >
              Retry
            </button>
          ) : null}
        </span>
      );
      break;
  }
  return (
    <div className='application-status-panel__item greenlight greenlight-status' data-greenlight-status={state.kind}>
      <label style={{ fontSize: '12px', fontWeight: 600 }}>BLUE/GREEN</label>
      <div>
        <button type='button' className='greenlight-status__value' onClick={props.onOpen} title='Open the Parity view'>
          {value}
        </button>
      </div>
      {hint}
    </div>
  );
}
