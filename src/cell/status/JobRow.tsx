/**
 * One line of the Status tab's task table: a row's newest attempt (with its expander and
 * actions), one of its earlier attempts, a row of an expanded sub-batch (indented, with
 * its own expander) or a sub-batch's closing line (loading, more pages), as grid cells
 * under src/cell/status/JobTable.tsx's header.
 */
import * as React from 'react';
import type { JobRecord } from '../../api/types';
import { useView } from '../../components/context';
import { reasonOf, StatusBadge } from '../../components/status';
import {
  expandLabel,
  itemActions,
  itemClass,
  itemDomId,
  itemLogTitle,
  moreText,
  paramSummary,
  type StatusItem,
} from '../../model/statusview';
import { peakMemory } from '../../model/efficiency';
import { formatDuration, runtimeMs } from '../../model/summary';
import { SubProgress } from './SubProgress';
import type { OpenLog } from './useStatusView';

/**
 * The table's columns: expand, row, parameters, status (with a sub-batch's progress),
 * time, peak memory, exit, tries, reason, actions.
 */
export const GRID_COLUMNS =
  '28px 48px minmax(100px, 2fr) 150px 64px 80px 40px 64px minmax(80px, 2fr) 112px';

/** A sub-batch line's indent per level, in px. */
const INDENT = 14;

export interface JobRowHandlers {
  onActivate: (i: number) => void;
  onToggle: (index: number) => void;
  onLogs: (log: OpenLog) => void;
  onAction: (job: JobRecord, action: 'cancel' | 'retry') => void;
  onEdit: (job: JobRecord) => void;
}

/** What sub-batch lines add (the table takes them from its view). */
export interface LineHandlers extends JobRowHandlers {
  /** Opens or closes a sub-batch row's own sub-batch. */
  onToggleChild: (id: string) => void;
  /** Loads a sub-batch's next page (or its failed one again). */
  onMore: (subBatchId: string) => void;
}

interface JobRowProps {
  item: StatusItem;
  /** The line's place in the table (0-based). */
  position: number;
  batchId: string;
  active: boolean;
  open: boolean;
  now: number;
  keyParams: string[];
  style: React.CSSProperties;
  /** Stable across renders (JobTable keeps them so), or every line re-renders. */
  handlers: LineHandlers;
}

/**
 * Whether a line would look the same: while events stream in and the table scrolls, only
 * the lines whose job, place or state changed re-render, not all ~50 in the DOM
 * (docs/BENCHMARKS.md "The status table"). The clock matters only to a running job's time.
 */
function sameLine(a: JobRowProps, b: JobRowProps): boolean {
  const x = a.item;
  const y = b.item;
  return (
    x.job === y.job &&
    x.kind === y.kind &&
    x.index === y.index &&
    x.depth === y.depth &&
    x.parent === y.parent &&
    x.more === y.more &&
    a.position === b.position &&
    a.batchId === b.batchId &&
    a.active === b.active &&
    a.open === b.open &&
    a.keyParams.join('\0') === b.keyParams.join('\0') &&
    a.handlers === b.handlers &&
    a.style.transform === b.style.transform &&
    a.style.height === b.style.height &&
    (a.now === b.now || !x.job.startedAt || !!x.job.finishedAt)
  );
}

export const JobRow = React.memo(JobRowView, sameLine);

function JobRowView(props: JobRowProps): JSX.Element {
  const { trans } = useView();
  const { item: it, position: i, open, handlers: h } = props;
  const j = it.job;
  const rt = runtimeMs(j, props.now);
  const isRow = it.kind === 'row';
  const isChild = it.kind === 'child';
  const can = itemActions(it);
  const row = it.index + 1;
  const reason = reasonOf(j, trans);
  const rowAttrs = {
    id: itemDomId(props.batchId, i),
    role: 'row',
    'aria-rowindex': i + 1,
    className: itemClass(it, props.active),
    style: { ...props.style, display: 'grid', gridTemplateColumns: GRID_COLUMNS },
    onClick: () => h.onActivate(i),
  };
  const indent = { paddingLeft: 6 + (it.depth ?? 0) * INDENT };
  if (it.kind === 'more' && it.more) {
    const more = it.more;
    const sub = it.parent ?? j.id;
    return (
      <div {...rowAttrs}>
        <div role="gridcell" />
        <div role="gridcell" />
        <div
          role="gridcell"
          className="jp-Bulkrun-subbatch-more"
          style={{ ...indent, gridColumn: '3 / -1' }}
        >
          <span className={more.state === 'error' ? 'jp-Bulkrun-error' : 'jp-Bulkrun-muted'}>
            {moreText(more, trans)}
          </span>
          {more.state === 'more' || more.state === 'error' ? (
            <button className="jp-Bulkrun-linkbutton" tabIndex={-1} onClick={() => h.onMore(sub)}>
              {more.state === 'more' ? trans.__('show more') : trans.__('try again')}
            </button>
          ) : null}
        </div>
      </div>
    );
  }
  const toggle = can.expandable ? (
    <button
      className="jp-Bulkrun-iconbutton"
      tabIndex={-1}
      aria-label={expandLabel(it, open, trans)}
      onClick={() => (isRow ? h.onToggle(it.index) : h.onToggleChild(j.id))}
    >
      {open ? '▾' : '▸'}
    </button>
  ) : null;
  // Accessible names: whole sentences, so that each translates as one.
  const fanIn = isChild && j.role === 'fan_in';
  const names = !isChild
    ? {
        logs: trans.__('Logs of row %1', row),
        cancel: trans.__('Cancel row %1', row),
        retry: trans.__('Retry row %1', row),
      }
    : fanIn
      ? {
          logs: trans.__('Logs of the sub-batch fan-in'),
          cancel: trans.__('Cancel the sub-batch fan-in'),
          retry: trans.__('Retry the sub-batch fan-in'),
        }
      : {
          logs: trans.__('Logs of sub-task %1', row),
          cancel: trans.__('Cancel sub-task %1', row),
          retry: trans.__('Retry sub-task %1', row),
        };
  return (
    <div {...rowAttrs} aria-expanded={can.expandable ? open : undefined}>
      <div role="gridcell">{isChild ? null : toggle}</div>
      <div role="gridcell" className={isChild ? 'jp-Bulkrun-muted' : undefined}>
        {isRow ? row : fanIn ? trans.__('fan-in') : isChild ? row : '↳'}
      </div>
      {isChild ? (
        <div
          role="gridcell"
          className="jp-Bulkrun-ellipsis jp-Bulkrun-subbatch-params"
          style={indent}
          title={`${j.app ?? ''} ${JSON.stringify(j.params ?? {})}`}
        >
          {toggle ?? <span className="jp-Bulkrun-subbatch-spacer" />}
          {paramSummary(j, [])}
        </div>
      ) : (
        <div role="gridcell" className="jp-Bulkrun-ellipsis" title={JSON.stringify(j.params)}>
          {isRow ? paramSummary(j, props.keyParams) : trans.__('attempt %1', j.attempt)}
        </div>
      )}
      <div role="gridcell" className="jp-Bulkrun-statuscell">
        <StatusBadge status={j.status} trans={trans} />
        {it.kind === 'attempt' ? null : <SubProgress job={j} />}
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
          aria-label={names.logs}
          onClick={() => h.onLogs({ job: j, title: itemLogTitle(it, trans) })}
        >
          {trans.__('logs')}
        </button>
        {can.cancel ? (
          <button
            className="jp-Bulkrun-linkbutton"
            tabIndex={-1}
            aria-label={names.cancel}
            onClick={() => h.onAction(j, 'cancel')}
          >
            {trans.__('cancel')}
          </button>
        ) : null}
        {can.retry ? (
          <button
            className="jp-Bulkrun-linkbutton"
            tabIndex={-1}
            aria-label={names.retry}
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
