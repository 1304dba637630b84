/**
 * @module Blue and green side by side, and every difference between their facts: the unexpected
 * ones (to fix or confirm before the next traffic step) apart from the expected ones. Pure.
 */
import * as React from 'react';
import type { ClusterFacts } from '../../generator/contract/cluster-facts.js';
import type { FactDifference, FactsComparison, FactsResponse, PairMember } from '../../generator/contract/facts-api.js';
import { Role } from './badges.js';
import { ago } from './format.js';
import { Ident } from './ident.js';
import { EmptyState } from './states.js';

interface SummaryRow {
  readonly key: string;
  readonly label: string;
  readonly value: (facts: ClusterFacts) => string;
  /** Which differences make this row's candidate cell stand out. */
  readonly flags: (d: FactDifference) => boolean;
}

const none = '—';
const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : none);

const SUMMARY: readonly SummaryRow[] = [
  {
    key: 'kubernetes',
    label: 'Kubernetes',
    value: (f) => (f.kubernetes ? `${f.kubernetes.major}.${f.kubernetes.minor.replace(/\D+$/, '')} (${f.kubernetes.gitVersion})` : f.eks?.version ?? none),
    flags: (d) => d.subject === 'kubernetes.minor',
  },
  { key: 'platform', label: 'EKS platform', value: (f) => f.eks?.platformVersion ?? none, flags: () => false },
  { key: 'auth', label: 'Authentication mode', value: (f) => f.eks?.authenticationMode ?? none, flags: (d) => d.subject === 'eks.authenticationMode' },
  { key: 'account', label: 'Account / region / VPC', value: (f) => (f.eks ? `${f.eks.accountId} / ${f.eks.region} / ${f.eks.vpcId ?? none}` : none), flags: (d) => ['eks.accountId', 'eks.region', 'eks.vpcId'].includes(d.subject) },
  { key: 'oidc', label: 'OIDC issuer', value: (f) => f.eks?.oidcIssuer ?? none, flags: () => false },
  {
    key: 'storage-default',
    label: 'Default StorageClass',
    value: (f) => (f.kubernetes ? f.kubernetes.storageClasses.find((s) => s.default)?.name ?? '(none)' : none),
    flags: (d) => d.subject === 'storage.default',
  },
  { key: 'storage', label: 'StorageClasses', value: (f) => list(f.kubernetes?.storageClasses.map((s) => s.name) ?? []), flags: (d) => d.subject.startsWith('storageclass:') },
  {
    key: 'ingress',
    label: 'IngressClasses',
    value: (f) => list(f.kubernetes?.ingressClasses.map((s) => (s.default ? `${s.name} (default)` : s.name)) ?? []),
    flags: (d) => d.area === 'ingress',
  },
  { key: 'addons', label: 'Add-ons', value: (f) => list((f.addons ?? []).map((a) => `${a.name} ${a.version}`)), flags: (d) => d.area === 'addons' },
  { key: 'ssm', label: 'SSM parameters', value: (f) => (f.secrets ? `${f.secrets.names.length} under ${f.secrets.prefix}` : none), flags: (d) => d.area === 'secrets' },
  {
    key: 'pod-identity',
    label: 'Pod Identity associations',
    value: (f) => list((f.podIdentity ?? []).map((a) => `${a.namespace}/${a.serviceAccount}`)),
    flags: (d) => d.area === 'podIdentity',
  },
];

function MemberHeading(props: { readonly member: PairMember; readonly now: number }) {
  const { member } = props;
  const stale = member.origins.some((o) => o.stale);
  const fetched = member.origins.map((o) => o.fetchedAt).sort()[0];
  return (
    <div className='greenlight-side-by-side__head' data-member={member.name}>
      {member.name} (<Role role={member.role} />
      {member.weight !== null ? `, weight ${member.weight}` : ''})
      {fetched ? (
        <span className='greenlight-detail'>
          facts from {member.origins.map((o) => o.source).join(', ')}, read {ago(fetched, props.now)}
          {stale ? ' (stale: the source failed; last known good)' : ''}
        </span>
      ) : null}
    </div>
  );
}

function Difference(props: { readonly d: FactDifference; readonly baseline: string; readonly candidate: string }) {
  const { d } = props;
  return (
    <li className={`greenlight-difference greenlight-difference--${d.expected ? 'expected' : 'unexpected'}`} data-subject={d.subject}>
      <strong>{d.label}</strong>
      <div className='greenlight-difference__values'>
        <span>
          <span className='greenlight-muted'>{props.baseline}: </span>
          <Ident mono text={d.baseline ?? '(none)'} />
        </span>
        <span>
          <span className='greenlight-muted'>{props.candidate}: </span>
          <Ident mono text={d.candidate ?? '(none)'} />
        </span>
      </div>
      <span className='greenlight-detail'>{d.reason}</span>
    </li>
  );
}

function Comparison(props: { readonly comparison: FactsComparison; readonly members: readonly PairMember[]; readonly now: number }) {
  const { comparison } = props;
  const baseline = props.members.find((m) => m.name === comparison.baseline);
  const candidate = props.members.find((m) => m.name === comparison.candidate);
  if (!baseline?.facts || !candidate?.facts) return null;
  const unexpected = comparison.differences.filter((d) => !d.expected);
  const expected = comparison.differences.filter((d) => d.expected);
  const bf = baseline.facts;
  const cf = candidate.facts;
  return (
    <div className='greenlight-section' data-comparison={`${comparison.baseline}..${comparison.candidate}`}>
      <h4 className='greenlight-subheading'>
        Facts: {comparison.baseline} vs {comparison.candidate}
      </h4>
      <div className='greenlight-side-by-side' role='table' aria-label={`facts of ${comparison.baseline} and ${comparison.candidate}`}>
        <div className='greenlight-side-by-side__head'>Fact</div>
        <MemberHeading member={baseline} now={props.now} />
        <MemberHeading member={candidate} now={props.now} />
        {SUMMARY.map((row) => {
          const differs = unexpected.some(row.flags);
          return (
            <React.Fragment key={row.key}>
              <div className='greenlight-side-by-side__key'>{row.label}</div>
              <div className='greenlight-mono'>
                <Ident text={row.value(bf)} />
              </div>
              <div className={`greenlight-mono${differs ? ' greenlight-side-by-side__cell--differs' : ''}`} data-differs={differs ? 'true' : undefined}>
                <Ident text={row.value(cf)} />
              </div>
            </React.Fragment>
          );
        })}
      </div>
      <h5 className='greenlight-subheading'>Unexpected differences ({unexpected.length})</h5>
      {unexpected.length === 0 ? (
        <p className='greenlight-muted'>None: nothing in greenlight's facts needs fixing on {comparison.candidate}.</p>
      ) : (
        <ul className='greenlight-differences' aria-label='unexpected differences'>
          {unexpected.map((d) => (
            <Difference key={d.subject} d={d} baseline={comparison.baseline} candidate={comparison.candidate} />
          ))}
        </ul>
      )}
      <details>
        <summary className='greenlight-subheading'>Expected differences ({expected.length})</summary>
        <ul className='greenlight-differences' aria-label='expected differences'>
          {expected.map((d) => (
            <Difference key={d.subject} d={d} baseline={comparison.baseline} candidate={comparison.candidate} />
          ))}
        </ul>
      </details>
    </div>
  );
}

export function FactsDiff(props: { readonly response: FactsResponse; readonly now: number }) {
  const { response } = props;
  const failed = response.members.filter((m) => m.error !== null);
  const errors = failed.map((m) => (
    <p key={m.name} className='greenlight-notice' role='alert'>
      greenlight could not read the facts of {m.name}: {m.error?.message}
    </p>
  ));
  if (response.pair === null) {
    return (
      <EmptyState title={`${response.cluster} is not part of a blue/green pair`}>
        {errors}
        <p>
          Label its Argo CD cluster Secret with <code>greenlight.io/pair</code> (the pair's name) and <code>greenlight.io/role</code> (<code>blue</code> or{' '}
          <code>green</code>), or tag the EKS cluster the same way, to compare it with its partner.
        </p>
      </EmptyState>
    );
  }
  if (response.comparisons.length === 0) {
    const known = response.members.filter((m) => m.facts !== null).map((m) => m.name);
    return (
      <EmptyState title={`Nothing to compare in pair ${response.pair}`}>
        {errors}
        <p>
          greenlight has the facts of {known.length > 0 ? known.join(', ') : 'no cluster'} in this pair; a comparison needs a baseline (role{' '}
          <code>blue</code>) and another cluster with facts.
        </p>
      </EmptyState>
    );
  }
  return (
    <div>
      {errors}
      {response.comparisons.map((c) => (
        <Comparison key={`${c.baseline}..${c.candidate}`} comparison={c} members={response.members} now={props.now} />
      ))}
    </div>
  );
}
