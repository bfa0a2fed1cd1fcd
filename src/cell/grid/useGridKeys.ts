/**
 * The parameter grid's keyboard: arrows and Enter move between rows
 * (src/model/gridcells.ts), Enter on the last row adds one, and the undo and redo keys
 * (src/model/history.ts) work anywhere in the grid without reaching the notebook.
 */
import * as React from 'react';
import type { VirtualListHandle } from '../../components/virtual';
import { cellKeyMove, cellSelector } from '../../model/gridcells';
import { appendRow } from '../../model/gridrows';
import { historyAction } from '../../model/history';
import type { Row } from '../../model/rows';

export interface GridKeysOptions {
  root: React.RefObject<HTMLElement>;
  list: React.RefObject<VirtualListHandle>;
  rows: Row[];
  readOnly: boolean;
  onChange: (rows: Row[]) => void;
  onUndo?: () => void;
  onRedo?: () => void;
}

export interface GridKeys {
  /** Scrolls to the cell and focuses it, now or once its row is rendered. */
  focusCell: (r: number, c: number) => void;
  /** Focuses the cell after the next render that has it (a row just added). */
  focusLater: (r: number, c: number) => void;
  onGridKeyDown: (e: React.KeyboardEvent) => void;
  onCellKeyDown: (r: number, c: number) => (e: React.KeyboardEvent) => void;
}

export function useGridKeys(o: GridKeysOptions): GridKeys {
  const pendingFocus = React.useRef<[number, number] | null>(null);
  const find = (r: number, c: number) =>
    o.root.current?.querySelector<HTMLElement>(cellSelector(r, c));

  React.useEffect(() => {
    const f = pendingFocus.current;
    if (!f) {
      return;
    }
    const el = find(f[0], f[1]);
    if (el) {
      pendingFocus.current = null;
      el.focus();
    }
  });

  const focusCell = (r: number, c: number) => {
    pendingFocus.current = [r, c];
    o.list.current?.scrollToIndex(r);
    // The row may be rendered already; if not the effect focuses it after render.
    const el = find(r, c);
    if (el) {
      pendingFocus.current = null;
      el.focus();
    } else {
      requestAnimationFrame(() => {
        const again = find(r, c);
        if (again && pendingFocus.current) {
          pendingFocus.current = null;
          again.focus();
        }
      });
    }
  };

  const onGridKeyDown = (e: React.KeyboardEvent) => {
    const action = historyAction(e);
    if (!action || o.readOnly) {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (action === 'undo') {
      o.onUndo?.();
    } else {
      o.onRedo?.();
    }
  };

  const onCellKeyDown = (r: number, c: number) => (e: React.KeyboardEvent) => {
    const inSelect = (e.target as HTMLElement).tagName === 'SELECT';
    const move = cellKeyMove(e, inSelect, r, o.rows.length, o.readOnly);
    if (!move) {
      return;
    }
    e.preventDefault();
    if (move.kind === 'append') {
      o.onChange(appendRow(o.rows));
      pendingFocus.current = [move.row, c];
    } else if (move.kind === 'focus') {
      focusCell(move.row, c);
    }
  };

  const focusLater = (r: number, c: number) => {
    pendingFocus.current = [r, c];
  };

  return { focusCell, focusLater, onGridKeyDown, onCellKeyDown };
}
