/** @module A long list shown by its first entries, with a button (keyboard reachable) for the rest. */
import * as React from 'react';

/** Shows the first `max` of `items`, and a button for the rest. */
export function Bounded<T>(props: {
  readonly items: readonly T[];
  readonly max: number;
  readonly render: (visible: readonly T[]) => React.ReactNode;
  readonly what: string;
}) {
  const [all, setAll] = React.useState(false);
  const rest = props.items.length - props.max;
  const visible = all || rest <= 0 ? props.items : props.items.slice(0, props.max);
  return (
    <>
      {props.render(visible)}
      {rest > 0 ? (
        <button type='button' className='greenlight-button greenlight-more' aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? `Show fewer ${props.what}` : `Show ${rest.toLocaleString('en-US')} more ${props.what}`}
        </button>
      ) : null}
    </>
  );
}
