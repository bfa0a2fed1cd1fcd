/**
 * The Status tab's table state: status filter, search text, sort, expanded rows (their
 * attempts, and the sub-batches of rows that fanned out: src/cell/status/useSubBatches.ts),
 * the keyboard's active line and the open log. It is per view, not in BatchModel
 * (src/cell/model.ts), because every cell showing a batch shares that one model; the
 * lines themselves come from src/model/statusview.ts.
 */
import * as React from 'react';
import type { JobRecord } from '../../api/types';
import { useView } from '../../components/context';
import type { VirtualListHandle } from '../../components/virtual';
import { nextSort, type SortState } from '../../model/sort';
import {
  isOpen,
  itemActions,
  itemKey,
  itemLogTitle,
  navigate,
  sortClock,
  statusItems,
  toggleExpanded,
  withAttempts,
  type ExpandedRows,
  type StatusFilter,
  type StatusItem,
} from '../../model/statusview';
import { toggleOpen, wantedSubBatches } from '../../model/subbatch';
import type { BatchModel } from '../model';
import { useSubBatches } from './useSubBatches';

export interface OpenLog {
  job: JobRecord;
  title: string;
}

export interface StatusView {
  filter: StatusFilter;
  setFilter: (f: StatusFilter) => void;
  text: string;
  setText: (t: string) => void;
  sort: SortState | null;
  /** Sorts by a column (again to reverse), keeping the active line on the same item. */
  sortOn: (key: string) => void;
  items: StatusItem[];
  expanded: ExpandedRows;
  /** Shows or hides a row's earlier attempts (loaded on first show) and its sub-batch. */
  toggle: (index: number) => Promise<void>;
  /** Shows or hides a sub-batch row's own sub-batch (by its job id). */
  toggleChild: (id: string) => void;
  /** Whether a line's row is expanded. */
  isOpen: (it: StatusItem) => boolean;
  /** Loads a sub-batch's next page (or its failed one again). */
  more: (subBatchId: string) => void;
  activeRow: number;
  setActiveRow: (i: number) => void;
  logJob: OpenLog | null;
  setLogJob: (log: OpenLog | null) => void;
  list: React.RefObject<VirtualListHandle>;
  onKeyDown: (e: React.KeyboardEvent) => void;
}

/** `onError` shows a failure to load a row's attempts. */
export function useStatusView(
  model: BatchModel,
  now: number,
  onError: (message: string) => void
): StatusView {
  const { trans } = useView();
  const [filter, setFilter] = React.useState<StatusFilter>('all');
  const [text, setText] = React.useState('');
  const [expanded, setExpanded] = React.useState<ExpandedRows>(new Map());
  const [logJob, setLogJob] = React.useState<OpenLog | null>(null);
  const [activeRow, setActiveRow] = React.useState(0);
  const [sort, setSort] = React.useState<SortState | null>(null);
  const [open, setOpen] = React.useState<ReadonlySet<string>>(new Set<string>());
  const list = React.useRef<VirtualListHandle>(null);
  // The item to keep active across a re-sort (its key), set when a header is clicked.
  const keepActive = React.useRef<string | null>(null);

  // Nothing is listed until a row that fanned out is expanded.
  const sub = useSubBatches(subs =>
    wantedSubBatches(
      [...expanded.keys()].map(i => model.rows[i]),
      open,
      subs
    )
  );

  const sortNow = sortClock(sort, model.isActive, now);
  const items = React.useMemo(
    () => statusItems(model.rows, { filter, text, sort, expanded, subs: sub.subs, open }, sortNow),
    // model.version changes on every applied event, sub.version on the sub-batches'.
    [model.version, sub.version, filter, text, expanded, open, sort, sortNow]
  );

  // After a re-sort the active row stays the same item, in its new place.
  React.useEffect(() => {
    const k = keepActive.current;
    if (k === null) {
      return;
    }
    keepActive.current = null;
    const i = items.findIndex(it => itemKey(it) === k);
    if (i >= 0) {
      setActiveRow(i);
      list.current?.scrollToIndex(i);
    }
  }, [items]);

  const sortOn = (key: string) => {
    const cur = items[activeRow];
    keepActive.current = cur ? itemKey(cur) : null;
    setSort(s => nextSort(s, key));
  };

  const toggle = async (index: number) => {
    const opening = !expanded.has(index);
    setExpanded(toggleExpanded(expanded, index));
    if (!opening) {
      return;
    }
    const job = model.rows[index];
    if (job && job.attempt <= 1) {
      // Only its sub-batch to show: the batch's attempt listing is not needed.
      setExpanded(m => withAttempts(m, index, [job]));
      return;
    }
    try {
      const attempts = await model.attempts(index);
      setExpanded(m => withAttempts(m, index, attempts));
    } catch (e) {
      onError((e as Error).message);
    }
  };

  const toggleChild = (id: string) => setOpen(o => toggleOpen(o, id));

  const onKeyDown = (e: React.KeyboardEvent) => {
    const it = items[activeRow];
    if (e.key === 'Enter' || e.key === ' ') {
      if (it && it.kind === 'row') {
        e.preventDefault();
        void toggle(it.index);
      } else if (it && it.kind === 'child' && itemActions(it).expandable) {
        e.preventDefault();
        toggleChild(it.job.id);
      } else if (it && it.kind === 'more' && it.parent) {
        e.preventDefault();
        sub.more(it.parent);
      }
      return;
    }
    if (e.key === 'l') {
      if (it && it.kind !== 'more') {
        setLogJob({ job: it.job, title: itemLogTitle(it, trans) });
      }
      return;
    }
    const next = navigate(e.key, activeRow, items.length);
    if (next === null) {
      return;
    }
    e.preventDefault();
    setActiveRow(next);
    list.current?.scrollToIndex(next);
  };

  return {
    filter,
    setFilter,
    text,
    setText,
    sort,
    sortOn,
    items,
    expanded,
    toggle,
    toggleChild,
    isOpen: it => isOpen(it, expanded, open),
    more: sub.more,
    activeRow,
    setActiveRow,
    logJob,
    setLogJob,
    list,
    onKeyDown,
  };
}
