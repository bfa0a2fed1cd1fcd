/** A column header of a sortable table: click (or Enter/Space) to sort by it, again to reverse. */
import * as React from 'react';
import { ariaSort, type SortState } from '../model/sort';

export function SortHeader(props: {
  id: string;
  label: string;
  sort: SortState | null;
  onSort: (id: string) => void;
  title?: string;
  className?: string;
}): JSX.Element {
  const { id, sort } = props;
  const sorted = sort && sort.key === id ? sort.dir : null;
  return (
    <div role="columnheader" aria-sort={ariaSort(sort, id)} className={props.className}>
      <button
        type="button"
        className={`jp-Bulkrun-sortbutton${sorted ? ' jp-mod-sorted' : ''}`}
        title={props.title}
        onClick={() => props.onSort(id)}
      >
        <span className="jp-Bulkrun-sortlabel">{props.label}</span>
        {sorted ? (
          <span className="jp-Bulkrun-sortmark" aria-hidden="true">
            {sorted === 'asc' ? '▲' : '▼'}
          </span>
        ) : null}
      </button>
    </div>
  );
}
