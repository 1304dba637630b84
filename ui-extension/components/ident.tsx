/**
 * @module An identifier (cluster, image, version, host) that wraps only after a separator
 * (`:`, `/`, `-`, `.`, `@`, `_`, `=`, `,`), never inside a word: `payments-api:2.14.0` may break
 * as `payments-api:` / `2.14.0`, never as `payments-ap` / `i:2.14.0`. The whole value is the
 * tooltip. Pure.
 */
import * as React from 'react';

const AFTER_SEPARATOR = /(?<=[:/\-.@_=,])/;

/** The pieces of `text` between break opportunities: each piece ends with its separator. */
export function identParts(text: string): string[] {
  return text.split(AFTER_SEPARATOR).filter((p) => p !== '');
}

export function Ident(props: { readonly text: string; readonly mono?: boolean; readonly title?: string | undefined }) {
  const parts = identParts(props.text);
  return (
    <span className={`greenlight-ident${props.mono ? ' greenlight-mono' : ''}`} title={props.title ?? props.text}>
      {parts.map((part, i) => (
        <React.Fragment key={i}>
          <span className='greenlight-ident__part'>{part}</span>
          {i < parts.length - 1 ? <wbr /> : null}
        </React.Fragment>
      ))}
    </span>
  );
}
