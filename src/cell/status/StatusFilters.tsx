/** The Status tab's status chips (with their counts) and search box over the task table. */
import * as React from 'react';
import type { BatchCounts } from '../../api/types';
import { useView } from '../../components/context';
import { statusLabel } from '../../components/status';
import { filterCount, STATUS_FILTERS, type StatusFilter } from '../../model/statusview';

export function StatusFilters(props: {
  counts: BatchCounts;
  total: number;
  filter: StatusFilter;
  onFilter: (f: StatusFilter) => void;
  text: string;
  onText: (t: string) => void;
}): JSX.Element {
  const { trans } = useView();
  const { filter } = props;
  return (
    <div className="jp-Bulkrun-toolbar">
      <div
        role="radiogroup"
        aria-label={trans.__('Filter by status')}
        className="jp-Bulkrun-filters"
      >
        {STATUS_FILTERS.map(f => {
          const n = filterCount(f, props.counts, props.total);
          return (
            <button
              key={f}
              role="radio"
              aria-checked={filter === f}
              className={`jp-Bulkrun-chip${filter === f ? ' jp-mod-active' : ''}`}
              onClick={() => props.onFilter(f)}
            >
              {f === 'all' ? trans.__('all') : statusLabel(f, trans)} ({n})
            </button>
          );
        })}
      </div>
      <input
        className="jp-Bulkrun-input jp-Bulkrun-search"
        type="search"
        placeholder={trans.__('Filter rows…')}
        aria-label={trans.__('Filter rows by text')}
        value={props.text}
        onChange={e => props.onText(e.target.value)}
      />
    </div>
  );
}
