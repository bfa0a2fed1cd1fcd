/**
 * The parameter grid's row selection (src/model/selection.ts), cleared when rows are
 * added or removed: the indices would then mean other rows.
 */
import * as React from 'react';
import { clickRow, NO_SELECTION, pruneSelection, type RowSelection } from '../../model/selection';

export interface GridSelection {
  selection: RowSelection;
  setSelection: (s: RowSelection) => void;
  /** A click on row `r`'s checkbox or on its row number. */
  onSelectClick: (r: number, checkbox: boolean) => (e: React.MouseEvent) => void;
}

export function useGridSelection(rowCount: number): GridSelection {
  const [rawSelection, setSelection] = React.useState<RowSelection>(NO_SELECTION);
  const selection = pruneSelection(rawSelection, rowCount);
  const lastCount = React.useRef(rowCount);
  React.useEffect(() => {
    if (lastCount.current !== rowCount) {
      lastCount.current = rowCount;
      setSelection(NO_SELECTION);
    }
  }, [rowCount]);
  const onSelectClick = (r: number, checkbox: boolean) => (e: React.MouseEvent) => {
    setSelection(
      clickRow(selection, r, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey, checkbox })
    );
  };
  return { selection, setSelection, onSelectClick };
}
