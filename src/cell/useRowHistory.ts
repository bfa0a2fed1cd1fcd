/**
 * Undo/redo of the Configure tab's grid rows. Every change of the rows is a step, from
 * whichever control made it (typing, paste, the row buttons, fill from files, import,
 * clear, or another view of the same notebook); the stack is src/model/history.ts.
 */
import * as React from 'react';
import { emptyHistory, record, redo, undo, type History } from '../model/history';
import type { Row } from '../model/rows';

export interface RowHistory {
  /** Sets the rows; a `mergeKey` equal to the last change's makes them one step. */
  change: (rows: Row[], mergeKey?: string) => void;
  undo: () => void;
  redo: () => void;
  canUndo: boolean;
  canRedo: boolean;
}

export function useRowHistory(rows: Row[], setRows: (rows: Row[]) => void): RowHistory {
  const history = React.useRef<History<Row[]>>(emptyHistory());
  const seen = React.useRef(rows);
  const latest = React.useRef(rows);
  latest.current = rows;
  const nextKey = React.useRef<string | null>(null);
  // The rows an undo or redo put back: seeing them is not a new change.
  const restoring = React.useRef<Row[] | null>(null);
  const [, rerender] = React.useState(0);

  React.useEffect(() => {
    if (rows === seen.current) {
      return;
    }
    if (rows === restoring.current) {
      restoring.current = null;
    } else {
      history.current = record(history.current, seen.current, nextKey.current);
    }
    nextKey.current = null;
    seen.current = rows;
    rerender(n => n + 1);
  }, [rows]);

  const step = (fn: typeof undo) => {
    const r = fn(history.current, latest.current);
    if (!r) {
      return;
    }
    history.current = r.history;
    restoring.current = r.value;
    setRows(r.value);
  };

  return {
    change: (next, mergeKey) => {
      nextKey.current = mergeKey ?? null;
      setRows(next);
    },
    undo: () => step(undo),
    redo: () => step(redo),
    canUndo: history.current.past.length > 0,
    canRedo: history.current.future.length > 0,
  };
}
