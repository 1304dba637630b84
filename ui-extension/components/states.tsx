/** @module The explicit states every view shows: loading, empty (with what to do), error (with a retry). */
import * as React from 'react';

export function Loading(props: { readonly what: string }) {
  return (
    <div className='greenlight-state' role='status' aria-live='polite'>
      <i className='fa fa-spinner fa-spin' aria-hidden='true' /> Loading {props.what}…
    </div>
  );
}

export function ErrorState(props: { readonly title: string; readonly message: string; readonly onRetry?: (() => void) | undefined }) {
  return (
    <div className='greenlight-state greenlight-state--error' role='alert'>
      <p className='greenlight-state__title'>{props.title}</p>
      <p>{props.message}</p>
      {props.onRetry ? (
        <button type='button' className='greenlight-button' onClick={props.onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function EmptyState(props: { readonly title: string; readonly children?: React.ReactNode }) {
  return (
    <div className='greenlight-state' role='note'>
      <p className='greenlight-state__title'>{props.title}</p>
      {props.children}
    </div>
  );
}
