/** @module One family's cells: every cluster of its pairs, with role, weight, status, revision, images and verdict. Pure. */
import * as React from 'react';
import type { AppSnapshot, ParityRow } from '../../generator/parity.js';
import { HealthBadge, Role, SyncBadge, VerdictBadge } from './badges.js';
import { ago, imageName, shortRevision } from './format.js';
import { Ident } from './ident.js';

export type AppHref = (app: { readonly namespace: string; readonly name: string }) => string;

export interface ParityTableProps {
  readonly rows: readonly ParityRow[];
  readonly appHref: AppHref;
  /** The app whose view this is; its row is highlighted. */
  readonly current?: { readonly namespace: string; readonly name: string } | undefined;
  readonly now: number;
}

export function Images(props: { readonly images: readonly string[] }) {
  if (props.images.length === 0) return <span className='greenlight-muted'>—</span>;
  return (
    <Ident mono text={`${props.images.slice(0, 2).map(imageName).join(', ')}${props.images.length > 2 ? ` +${props.images.length - 2}` : ''}`} title={props.images.join('\n')} />
  );
}

export function LastOperation(props: { readonly app: AppSnapshot; readonly now: number }) {
  const op = props.app.operation;
  if (!op) return <span className='greenlight-muted'>—</span>;
  return (
    <span title={op.message}>
      {op.phase}
      {op.finishedAt || op.startedAt ? <span className='greenlight-detail'>{ago(op.finishedAt ?? op.startedAt, props.now)}</span> : null}
    </span>
  );
}

/** The header cells of an Application's columns; `AppCells` fills them. */
export function AppColumnHeaders() {
  return (
    <>
      <th>Application</th>
      <th>Sync</th>
      <th>Health</th>
      <th>Revision</th>
      <th>Images</th>
      <th className='greenlight-col--operation'>Last operation</th>
    </>
  );
}

const REVISION_NOT_KNOWN = "Argo CD's application list gives an Application's synced revision from Argo CD 3.5 on; open that Application for its own.";

/** One Application's cells (or "none" when the cluster runs no Application of the family). Pure. */
export function AppCells(props: { readonly app: AppSnapshot | undefined; readonly appHref: AppHref; readonly now: number }) {
  const app = props.app;
  return (
    <>
      <td>
        {app ? (
          <a className='greenlight-link' href={props.appHref(app)}>
            <Ident text={app.name} />
          </a>
        ) : (
          <span className='greenlight-muted'>none</span>
        )}
      </td>
      <td>{app ? <SyncBadge status={app.sync} /> : null}</td>
      <td>{app ? <HealthBadge status={app.health} message={app.healthMessage} /> : null}</td>
      <td>
        {!app ? null : app.revision ? (
          <Ident mono text={shortRevision(app.revision)} title={app.revision} />
        ) : (
          // Argo CD's application list returns status.sync.revision only from 3.5: say so, never guess.
          <span className='greenlight-muted' data-revision='not-known' title={REVISION_NOT_KNOWN}>
            not known
          </span>
        )}
      </td>
      <td>{app ? <Images images={app.images} /> : null}</td>
      <td className='greenlight-col--operation'>{app ? <LastOperation app={app} now={props.now} /> : null}</td>
    </>
  );
}

export function ParityTable(props: ParityTableProps) {
  return (
    <table className='greenlight-table'>
      <thead>
        <tr>
          <th>Cluster</th>
          <th>Role</th>
          <th>Weight</th>
          <AppColumnHeaders />
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => {
          const app = row.app;
          const isCurrent = app !== undefined && props.current !== undefined && app.name === props.current.name && app.namespace === props.current.namespace;
          return (
            <tr key={row.key} className={isCurrent ? 'greenlight-row--current' : undefined} data-cluster={row.cluster.name} data-verdict={row.verdict}>
              <td>
                <Ident text={row.cluster.name} />
                {row.cluster.pair ? <span className='greenlight-detail'>pair {row.cluster.pair}</span> : null}
                {!row.cluster.listed ? <span className='greenlight-detail'>not listed by Argo CD</span> : null}
              </td>
              <td>
                <Role role={row.cluster.role} />
              </td>
              <td>{row.cluster.weight ?? <span className='greenlight-muted'>—</span>}</td>
              <AppCells app={app} appHref={props.appHref} now={props.now} />
              <td>
                <VerdictBadge verdict={row.verdict} detail={row.detail} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
