/**
 * @module The "Blue/Green" page: every family × every cluster of its pairs, counts at the top,
 * each pair's readiness line, filters and search. Pure apart from its own filter and page state;
 * renders one page of families at a time so that thousands stay fast.
 */
import * as React from 'react';
import { filterFleet, type FleetFilter, type FleetView } from '../../generator/parity.js';
import type { FleetPairReadiness } from '../readiness.js';
import { Role, VerdictBadge } from './badges.js';
import { Ident } from './ident.js';
import { FleetReadiness } from './fleet-readiness.js';
import { plural } from './format.js';
import { AppCells, AppColumnHeaders, type AppHref } from './parity-table.js';
import { EmptyState } from './states.js';

export interface FleetOverviewProps {
  readonly fleet: FleetView;
  readonly appHref: AppHref;
  readonly now: number;
  /** Families per page (default 50). */
  readonly pageSize?: number;
  readonly notices?: readonly string[];
  readonly onRefresh?: (() => void) | undefined;
  /** One line per pair's blue → green step, from Applications and cluster versions; filtered with the pair filter. */
  readonly readiness?: readonly FleetPairReadiness[];
  /** The pair filter to start with (the page opened from an app's "see the pair" link). */
  readonly initialPair?: string | undefined;
}

function Count(props: { readonly label: string; readonly value: number; readonly tone?: string }) {
  return (
    <li className={`greenlight-count${props.tone ? ` greenlight-tone--${props.tone}` : ''}`} data-count={props.label}>
      <span className='greenlight-count__value'>{props.value.toLocaleString('en-US')}</span>
      <span className='greenlight-count__label'>{props.label}</span>
    </li>
  );
}

export function FleetOverview(props: FleetOverviewProps) {
  const { fleet } = props;
  const pageSize = props.pageSize ?? 50;
  const [notAtParity, setNotAtParity] = React.useState(false);
  const [pair, setPair] = React.useState(() => (props.initialPair !== undefined && fleet.pairs.includes(props.initialPair) ? props.initialPair : ''));
  const [role, setRole] = React.useState('');
  const [search, setSearch] = React.useState('');
  const [page, setPage] = React.useState(0);

  const shown = React.useMemo(() => {
    const filter: { -readonly [K in keyof FleetFilter]: FleetFilter[K] } = {};
    if (notAtParity) filter.notAtParity = true;
    if (pair !== '') filter.pair = pair;
    if (role !== '') filter.role = role;
    if (search.trim() !== '') filter.search = search;
    return filterFleet(fleet.families, filter);
  }, [fleet, notAtParity, pair, role, search]);

  const pages = Math.max(1, Math.ceil(shown.length / pageSize));
  const current = Math.min(page, pages - 1);
  const slice = shown.slice(current * pageSize, (current + 1) * pageSize);
  const c = fleet.counts;
  const v = c.byVerdict;
  const change = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    setPage(0);
  };

  return (
    <div className='greenlight-page'>
      <h2 className='greenlight-heading'>
        Blue/Green parity{' '}
        {props.onRefresh ? (
          <button type='button' className='greenlight-button' onClick={props.onRefresh}>
            Refresh
          </button>
        ) : null}
      </h2>
      <ul className='greenlight-counts' aria-label='counts'>
        <Count label='families' value={c.families} />
        <Count label='at parity' value={c.familiesAtParity} tone='ok' />
        <Count label='not at parity' value={c.families - c.familiesAtParity} tone={c.families > c.familiesAtParity ? 'warn' : 'ok'} />
        <Count label='missing' value={v.missing} tone={v.missing > 0 ? 'bad' : 'ok'} />
        <Count label='out of sync' value={v['out-of-sync']} tone={v['out-of-sync'] > 0 ? 'warn' : 'ok'} />
        <Count label='unhealthy or failed' value={v.unhealthy + v['operation-failed']} tone={v.unhealthy + v['operation-failed'] > 0 ? 'bad' : 'ok'} />
        <Count label='other revision or images' value={v['revision-differs'] + v['images-differ']} tone={v['revision-differs'] + v['images-differ'] > 0 ? 'warn' : 'ok'} />
      </ul>
      {(props.notices ?? []).map((n) => (
        <p key={n} className='greenlight-notice'>
          {n}
        </p>
      ))}
      <FleetReadiness lines={pair === '' ? props.readiness ?? [] : (props.readiness ?? []).filter((r) => r.pair === pair)} now={props.now} />
      {fleet.ungrouped.length > 0 ? (
        <p className='greenlight-notice'>
          {plural(fleet.ungrouped.length, 'Application')} without a family {fleet.ungrouped.length === 1 ? 'is' : 'are'} not shown: label {fleet.ungrouped.length === 1 ? 'it' : 'them'} with{' '}
          <code>greenlight.io/app: &lt;app&gt;</code> (in the ApplicationSet template) to compare {fleet.ungrouped.length === 1 ? 'it' : 'them'} across clusters.
        </p>
      ) : null}
      <div className='greenlight-filters'>
        <label>
          <input type='checkbox' checked={notAtParity} onChange={(e) => change(setNotAtParity)(e.target.checked)} /> Not at parity only
        </label>
        <label>
          Pair
          <select className='greenlight-select' value={pair} onChange={(e) => change(setPair)(e.target.value)}>
            <option value=''>All pairs</option>
            {fleet.pairs.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Role
          <select className='greenlight-select' value={role} onChange={(e) => change(setRole)(e.target.value)}>
            <option value=''>All roles</option>
            {fleet.roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search
          <input className='greenlight-input' type='search' value={search} placeholder='app or cluster' onChange={(e) => change(setSearch)(e.target.value)} />
        </label>
        <span className='greenlight-muted' role='status'>
          {plural(shown.length, 'family', 'families')} shown
        </span>
      </div>
      {fleet.families.length === 0 ? (
        <EmptyState title='No app families yet'>
          <p>
            greenlight groups Applications by the label <code>greenlight.io/app</code>, else by their ApplicationSet and source. Add the label to your
            ApplicationSet template (<code>metadata.labels</code>) to see each app on every cluster of its blue/green pair.
          </p>
        </EmptyState>
      ) : shown.length === 0 ? (
        <EmptyState title='No family matches these filters'>
          <p>Clear the search or the filters to see more.</p>
        </EmptyState>
      ) : (
        <>
          <table className='greenlight-table greenlight-table--fleet' aria-label='families'>
            <thead>
              <tr>
                <th>App</th>
                <th>Cluster</th>
                <th>Role</th>
                <th>Weight</th>
                <AppColumnHeaders />
                <th>Verdict</th>
              </tr>
            </thead>
            <tbody>
              {slice.map(({ family, rows }) =>
                rows.map((row, i) => (
                  <tr key={`${family.id.key}|${row.key}`} data-family={family.id.name} data-cluster={row.cluster.name} data-verdict={row.verdict}>
                    {i === 0 ? (
                      <td className='greenlight-family-cell' rowSpan={rows.length}>
                        <Ident text={family.id.name} />
                        <span className='greenlight-detail'>
                          {family.atParity}/{family.total} at parity
                        </span>
                      </td>
                    ) : null}
                    <td>
                      <Ident text={row.cluster.name} />
                    </td>
                    <td>
                      <Role role={row.cluster.role} />
                    </td>
                    <td>{row.cluster.weight ?? '—'}</td>
                    <AppCells app={row.app} appHref={props.appHref} now={props.now} />
                    <td>
                      <VerdictBadge verdict={row.verdict} detail={row.verdict === 'at-parity' || row.verdict === 'baseline' ? undefined : row.detail} />
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
          {pages > 1 ? (
            <div className='greenlight-pager'>
              <button type='button' className='greenlight-button' disabled={current === 0} onClick={() => setPage(current - 1)}>
                Previous
              </button>
              <span>
                Page {current + 1} of {pages}
              </span>
              <button type='button' className='greenlight-button' disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
                Next
              </button>
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}
