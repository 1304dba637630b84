/**
 * @module The status-panel item: "green: converged" or "2/3 at parity"; a click opens the Parity
 * flyout. It lives in Argo CD's status panel, which never wraps and scrolls sideways when its
 * items are too wide, so it stays compact: a title like Argo CD's own, a short value with a dot
 * in Argo CD's colour for the state, and at most one more line that takes the item's width
 * without widening it (cut with an ellipsis). The detail is in the tooltip and the flyout. Pure.
 */
import * as React from 'react';
import type { ParitySummary, Tone } from '../../generator/parity.js';

export type StatusItemState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly summary: ParitySummary; readonly family: string }
  | { readonly kind: 'no-family' }
  | { readonly kind: 'error'; readonly message: string };

function describe(state: StatusItemState): { text: string; tone: Tone | 'unknown'; hint?: string; detail: string } {
  switch (state.kind) {
    case 'loading':
      return { text: 'checking…', tone: 'unknown', detail: 'greenlight is reading this app on every cluster of its pairs' };
    case 'ready': {
      const { atParity, total } = state.summary;
      return {
        text: state.summary.text,
        tone: state.summary.tone,
        hint: `app ${state.family}`,
        detail: `app ${state.family}: ${atParity} of ${total} ${total === 1 ? 'cluster' : 'clusters'} at parity. Open the Parity view for each cluster's verdict.`,
      };
    }
    case 'no-family':
      return {
        text: 'no app family',
        tone: 'unknown',
        hint: 'unlabelled',
        detail: 'greenlight does not know which app this is on the other clusters: add the label greenlight.io/app (the same value on every cluster). Open for how.',
      };
    case 'error':
      return { text: 'parity unknown', tone: 'bad', detail: `${state.message}. Open the Parity view for more.` };
  }
}

export function StatusItem(props: { readonly state: StatusItemState; readonly onOpen: () => void; readonly onRetry?: (() => void) | undefined }) {
  const { state } = props;
  const shown = describe(state);
  return (
    <div className='application-status-panel__item greenlight greenlight-status' data-greenlight-status={state.kind}>
      <label className='greenlight-status__title'>BLUE/GREEN</label>
      <button type='button' className='greenlight-status__value' onClick={props.onOpen} title={shown.detail}>
        <span className={`greenlight-status__dot greenlight-status__dot--${shown.tone}`} aria-hidden='true'>
          ●
        </span>
        <span>{shown.text}</span>
      </button>
      {state.kind === 'error' && props.onRetry ? (
        <button
          type='button'
          className='greenlight-button greenlight-status__retry'
          onClick={(e) => {
            e.stopPropagation();
            props.onRetry?.();
          }}
        >
          Retry
        </button>
      ) : null}
      {state.kind === 'error' ? (
        <span className='greenlight-status__hint' role='alert' title={state.message}>
          {state.message}
        </span>
      ) : shown.hint ? (
        <span className='greenlight-status__hint' title={shown.detail}>
          {shown.hint}
        </span>
      ) : null}
    </div>
  );
}
