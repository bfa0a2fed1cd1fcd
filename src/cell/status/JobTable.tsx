/**
 * The Status tab's virtualized task table: sortable header, one line per shown row,
 * expanded attempt and expanded sub-batch row (src/cell/status/JobRow.tsx), keyboard
 * navigation on the grid.
 */
import * as React from 'react';
import { useView } from '../../components/context';
import { SortHeader } from '../../components/SortHeader';
import { VirtualList } from '../../components/virtual';
import { itemDomId, itemKey } from '../../model/statusview';
import { GRID_COLUMNS, JobRow, type JobRowHandlers, type LineHandlers } from './JobRow';
import type { StatusView } from './useStatusView';

const ROW_H = 30;

export function JobTable(props: {
  batchId: string;
  view: StatusView;
  now: number;
  keyParams: string[];
  handlers: JobRowHandlers;
}): JSX.Element {
  const { trans } = useView();
  const { items, activeRow, sort, sortOn, toggleChild, more } = props.view;
  // One object for the table's life, calling the newest handlers: the lines (JobRow, memo)
  // then re-render only when what they show changed.
  const latest = React.useRef<LineHandlers>(null!);
  latest.current = { ...props.handlers, onToggleChild: toggleChild, onMore: more };
  const handlers = React.useMemo<LineHandlers>(
    () => ({
      onActivate: i => latest.current.onActivate(i),
      onToggle: i => latest.current.onToggle(i),
      onLogs: log => latest.current.onLogs(log),
      onAction: (job, action) => latest.current.onAction(job, action),
      onEdit: job => latest.current.onEdit(job),
      onToggleChild: id => latest.current.onToggleChild(id),
      onMore: id => latest.current.onMore(id),
    }),
    []
  );
  return (
    <div className="jp-Bulkrun-table" data-lm-suppress-shortcuts="true">
      <div
        className="jp-Bulkrun-table-head"
        role="row"
        style={{ gridTemplateColumns: GRID_COLUMNS }}
      >
        <div role="columnheader" aria-label={trans.__('Expand')} />
        <SortHeader id="row" label={trans.__('Row')} sort={sort} onSort={sortOn} />
        <div role="columnheader">{trans.__('Parameters')}</div>
        <SortHeader id="status" label={trans.__('Status')} sort={sort} onSort={sortOn} />
        <SortHeader id="time" label={trans.__('Time')} sort={sort} onSort={sortOn} />
        <SortHeader id="memory" label={trans.__('Memory')} sort={sort} onSort={sortOn} />
        <SortHeader id="exit" label={trans.__('Exit')} sort={sort} onSort={sortOn} />
        <SortHeader id="tries" label={trans.__('Tries')} sort={sort} onSort={sortOn} />
        <div role="columnheader">{trans.__('Reason')}</div>
        <div role="columnheader">{trans.__('Actions')}</div>
      </div>
      <VirtualList
        ref={props.view.list}
        count={items.length}
        rowHeight={ROW_H}
        maxHeight={ROW_H * 14}
        className="jp-Bulkrun-tasklist"
        outer={{
          role: 'grid',
          tabIndex: 0,
          'aria-label': trans.__('Tasks'),
          'aria-rowcount': items.length,
          'aria-activedescendant': items[activeRow]
            ? itemDomId(props.batchId, activeRow)
            : undefined,
          onKeyDown: props.view.onKeyDown,
        }}
        renderRow={(i, style) => (
          <JobRow
            key={itemKey(items[i])}
            item={items[i]}
            position={i}
            batchId={props.batchId}
            active={i === activeRow}
            open={props.view.isOpen(items[i])}
            now={props.now}
            keyParams={props.keyParams}
            style={style}
            handlers={handlers}
          />
        )}
      />
      {items.length === 0 ? (
        <div className="jp-Bulkrun-muted jp-Bulkrun-empty">{trans.__('No rows match.')}</div>
      ) : null}
    </div>
  );
}
