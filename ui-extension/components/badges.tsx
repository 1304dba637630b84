/** @module Badges for verdicts, sync and health, and a coloured role. */
import * as React from 'react';
import { VERDICTS, type ParityVerdict, type Tone } from '../../generator/parity.js';

export function Badge(props: { readonly tone: Tone; readonly children: React.ReactNode; readonly title?: string | undefined }) {
  return (
    <span className={`greenlight-badge greenlight-tone--${props.tone}`} title={props.title}>
      {props.children}
    </span>
  );
}

export function VerdictBadge(props: { readonly verdict: ParityVerdict; readonly detail?: string | undefined }) {
  const v = VERDICTS[props.verdict];
  return (
    <span data-verdict={props.verdict}>
      <Badge tone={v.tone}>{v.label}</Badge>
      {props.detail ? <span className='greenlight-detail'>{props.detail}</span> : null}
    </span>
  );
}

const SYNC_TONE: Readonly<Record<string, Tone>> = { Synced: 'ok', OutOfSync: 'warn' };
const HEALTH_TONE: Readonly<Record<string, Tone>> = { Healthy: 'ok', Progressing: 'info', Degraded: 'bad', Missing: 'bad', Suspended: 'warn' };

export function SyncBadge(props: { readonly status: string }) {
  return <Badge tone={SYNC_TONE[props.status] ?? 'info'}>{props.status}</Badge>;
}

export function HealthBadge(props: { readonly status: string; readonly message?: string | undefined }) {
  return (
    <Badge tone={HEALTH_TONE[props.status] ?? 'info'} title={props.message}>
      {props.status}
    </Badge>
  );
}

export function Role(props: { readonly role?: string | null | undefined }) {
  if (!props.role) return <span className='greenlight-muted'>—</span>;
  const known = props.role === 'blue' || props.role === 'green';
  return <span className={known ? `greenlight-role--${props.role}` : undefined}>{props.role}</span>;
}
