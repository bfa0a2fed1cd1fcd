/**
 * One line of the Status tab's task table: a row's newest attempt (with its expander and
 * actions) or one of its earlier attempts, as grid cells under src/cell/status/JobTable.tsx's
 * header.
 */
import * as React from 'react';
import type { JobRecord } from '../../api/types';
import { useView } from '../../components/context';
import { reasonOf, StatusBadge } from '../../components/status';
import {
  itemActions,
  itemClass,
  itemDomId,
  logTitle,
  paramSummary,
  type StatusItem,
} from '../../model/statusview';
import { peakMemory } from '../../model/efficiency';
import { formatDuration, runtimeMs } from '../../model/summary';
import type { OpenLog } from './useStatusView';

/**
 * The table's columns: expand, row, parameters, status, time, peak memory, exit, tries,
 * reason, actions.
 */
export const GRID_COLUMNS =
  '28px 48px minmax(100px, 2fr) 96px 64px 72px 40px 64px minmax(80px, 2fr) 112px';

export interface JobRowHandlers {
  onActivate: (i: number) => void;
  onToggle: (index: number) => void;
  onLogs: (log: OpenLog) => void;
  onAction: (job: JobRecord, action: 'cancel' | 'retry') => void;
  onEdit: (job: JobRecord) => void;
}

export function JobRow(props: {
  item: StatusItem;
  /** The line's place in the table (0-based). */
  position: number;
  batchId: string;
  active: boolean;
  open: boolean;
  now: number;
  keyParams: string[];
  style: React.CSSProperties;
  handlers: JobRowHandlers;
}): JSX.Element {
  const { trans } = useView();
  const { item: it, position: i, open, handlers: h } = props;
  const j = it.job;
  const rt = runtimeMs(j, props.now);
  const isRow = it.kind === 'row';
  const can = itemActions(it);
  const row = it.index + 1;
  const reason = reasonOf(j, trans);
  return (
    <div
      id={itemDomId(props.batchId, i)}
      role="row"
      aria-rowindex={i + 1}
      aria-expanded={can.expandable ? open : undefined}
      className={itemClass(it, props.active)}
      style={{ ...props.style, display: 'grid', gridTemplateColumns: GRID_COLUMNS }}
      onClick={() => h.onActivate(i)}
    >
      <div role="gridcell">
        {can.expandable ? (
          <button
            className="jp-Bulkrun-iconbutton"
            tabIndex={-1}
            aria-label={open ? trans.__('Hide attempts') : trans.__('Show attempts')}
            onClick={() => h.onToggle(it.index)}
          >
            {open ? '▾' : '▸'}
          </button>
        ) : null}
      </div>
      <div role="gridcell">{isRow ? row : '↳'}</div>
      <div role="gridcell" className="jp-Bulkrun-ellipsis" title={JSON.stringify(j.params)}>
        {isRow ? paramSummary(j, props.keyParams) : trans.__('attempt %1', j.attempt)}
      </div>
      <div role="gridcell">
        <StatusBadge status={j.status} trans={trans} />
      </div>
      <div role="gridcell">{rt === null ? '' : formatDuration(rt, trans)}</div>
      <div role="gridcell">{peakMemory(j)}</div>
      <div role="gridcell">{j.exitCode ?? ''}</div>
      <div role="gridcell">{j.attempt}</div>
      <div role="gridcell" className="jp-Bulkrun-ellipsis jp-Bulkrun-reason" title={reason}>
        {reason}
      </div>
      <div role="gridcell" className="jp-Bulkrun-rowactions">
        <button
          className="jp-Bulkrun-linkbutton"
          tabIndex={-1}
          aria-label={trans.__('Logs of row %1', row)}
          onClick={() => h.onLogs({ job: j, title: logTitle(it.index, j, trans) })}
        >
          {trans.__('logs')}
        </button>
        {can.cancel ? (
          <button
            className="jp-Bulkrun-linkbutton"
            tabIndex={-1}
            aria-label={trans.__('Cancel row %1', row)}
            onClick={() => h.onAction(j, 'cancel')}
          >
            {trans.__('cancel')}
          </button>
        ) : null}
        {can.retry ? (
          <button
            className="jp-Bulkrun-linkbutton"
            tabIndex={-1}
            aria-label={trans.__('Retry row %1', row)}
            onClick={() => h.onAction(j, 'retry')}
          >
            {trans.__('retry')}
          </button>
        ) : null}
        {can.edit ? (
          <button
            className="jp-Bulkrun-linkbutton"
            tabIndex={-1}
            aria-label={trans.__('Edit row %1 and rerun', row)}
            title={trans.__('Fix this row’s parameters and run it again')}
            onClick={() => h.onEdit(j)}
          >
            {trans.__('edit')}
          </button>
        ) : null}
      </div>
    </div>
  );
}
