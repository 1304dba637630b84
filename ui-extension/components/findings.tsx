/** @module Readiness findings and checks as lists: what blocks the next weight step (or deserves a look) and what to do. Pure. */
import * as React from 'react';
import type { Finding, FindingKind, ReadinessCheck, ReadinessCheckName } from '../../generator/contract/readiness.js';
import type { Tone } from '../../generator/parity.js';
import { Badge } from './badges.js';

export const FINDING_KIND_LABELS: Readonly<Record<FindingKind, string>> = {
  'removed-api': 'Removed API',
  'addon-skew': 'EKS add-on',
  'ssm-missing': 'SSM parameter',
  'pod-identity-missing': 'Pod Identity',
  'version-skew': 'Kubernetes versions',
  'eks-insight': 'EKS upgrade insight',
  'facts-missing': 'Facts missing',
  'drift-unmanaged': 'Made outside Git',
  'drift-hotfix': 'Hotfix',
  'drift-stateful': 'Data on EBS',
  'drift-coverage': 'Not audited',
};

export const CHECK_LABELS: Readonly<Record<ReadinessCheckName, string>> = {
  'version-skew': 'Kubernetes versions',
  'removed-apis': 'Removed APIs',
  addons: 'EKS add-ons against blue',
  'addon-support': "EKS add-on support for green's version",
  ssm: 'SSM parameters',
  'pod-identity': 'Pod Identity associations',
  'eks-insights': 'EKS upgrade insights',
  drift: 'Drift (what blue runs that Git does not)',
};

const OUTCOMES: Readonly<Record<ReadinessCheck['outcome'], { readonly label: string; readonly tone: Tone }>> = {
  ok: { label: 'ok', tone: 'ok' },
  warnings: { label: 'warnings', tone: 'warn' },
  blockers: { label: 'blockers', tone: 'bad' },
  skipped: { label: 'skipped', tone: 'info' },
};

function sourceOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

export function FindingItem(props: { readonly finding: Finding }) {
  const f = props.finding;
  return (
    <li className={`greenlight-finding greenlight-finding--${f.severity}`} data-kind={f.kind} data-severity={f.severity} data-subject={f.subject}>
      <span className='greenlight-finding__kind'>{FINDING_KIND_LABELS[f.kind]}</span>
      {f.cluster ? <span className='greenlight-muted'> · {f.cluster}</span> : null}
      <span className='greenlight-finding__message'>{f.message}</span>
      {f.reference ? (
        <a className='greenlight-link greenlight-detail' href={f.reference} target='_blank' rel='noopener noreferrer'>
          Source: {sourceOf(f.reference)}
        </a>
      ) : null}
    </li>
  );
}

/** Findings, the first `max` of them (all by default); the rest are counted. */
export function FindingList(props: { readonly findings: readonly Finding[]; readonly label: string; readonly max?: number; readonly more?: string }) {
  const max = props.max ?? props.findings.length;
  const rest = props.findings.length - max;
  return (
    <>
      <ul className='greenlight-findings' aria-label={props.label}>
        {props.findings.slice(0, max).map((f, i) => (
          <FindingItem key={`${f.subject}|${f.cluster ?? ''}|${i}`} finding={f} />
        ))}
      </ul>
      {rest > 0 ? (
        <p className='greenlight-muted'>
          and {rest.toLocaleString('en-US')} more{props.more ? `: ${props.more}` : ''}
        </p>
      ) : null}
    </>
  );
}

/** Each check with its outcome and what it compared (or why it was skipped). */
export function CheckList(props: { readonly checks: readonly ReadinessCheck[]; readonly children?: React.ReactNode }) {
  return (
    <ul className='greenlight-checks' aria-label='checks'>
      {props.checks.map((c) => (
        <li key={c.check} data-check={c.check} data-outcome={c.outcome}>
          <Badge tone={OUTCOMES[c.outcome].tone}>{OUTCOMES[c.outcome].label}</Badge> <strong>{CHECK_LABELS[c.check]}</strong>: {c.detail}
        </li>
      ))}
      {props.children}
    </ul>
  );
}
