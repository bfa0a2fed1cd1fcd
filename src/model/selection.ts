/**
 * Row selection in the parameter grid (src/cell/ParamGrid.tsx): a set of row indices and
 * the anchor a shift-click extends from, and deleting the selected rows at once.
 */
import type { Row } from './rows';

export interface RowSelection {
  readonly selected: ReadonlySet<number>;
  /** The row last clicked without shift; a shift-click selects from here. */
  readonly anchor: number | null;
}

export const NO_SELECTION: RowSelection = { selected: new Set(), anchor: null };

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = Math.min(a, b); i <= Math.max(a, b); i++) {
    out.push(i);
  }
  return out;
}

export interface ClickMods {
  /** Shift held: select from the anchor to this row. */
  shift?: boolean;
  /** Ctrl (Cmd on macOS) held: add or remove this row, keeping the others. */
  toggle?: boolean;
  /** The click was on the row's checkbox, which always adds or removes. */
  checkbox?: boolean;
}

/**
 * The selection after a click on row `i`: on a row number a plain click selects that row
 * alone (or nothing, when it was the only one), Ctrl/Cmd toggles it; a checkbox toggles;
 * Shift selects the range from the anchor, added to the selection when toggling.
 */
export function clickRow(sel: RowSelection, i: number, mods: ClickMods = {}): RowSelection {
  const additive = !!(mods.toggle || mods.checkbox);
  if (mods.shift && sel.anchor !== null) {
    const next = new Set(additive ? sel.selected : []);
    for (const r of range(sel.anchor, i)) {
      next.add(r);
    }
    return { selected: next, anchor: sel.anchor };
  }
  if (additive) {
    const next = new Set(sel.selected);
    if (next.has(i)) {
      next.delete(i);
    } else {
      next.add(i);
    }
    return { selected: next, anchor: i };
  }
  if (sel.selected.size === 1 && sel.selected.has(i)) {
    return { selected: new Set(), anchor: i };
  }
  return { selected: new Set([i]), anchor: i };
}

/** Every row of `count` selected. */
export function selectAll(count: number): RowSelection {
  return { selected: new Set(count > 0 ? range(0, count - 1) : []), anchor: null };
}

/** Whether none, some or all of `count` rows are selected (for the header checkbox). */
export function selectionState(sel: RowSelection, count: number): 'none' | 'some' | 'all' {
  const n = [...sel.selected].filter(i => i >= 0 && i < count).length;
  return n === 0 ? 'none' : n === count ? 'all' : 'some';
}

/** The header checkbox: every row selected, or none when all were. */
export function toggleAll(sel: RowSelection, count: number): RowSelection {
  return selectionState(sel, count) === 'all' ? NO_SELECTION : selectAll(count);
}

/** Drops indices past the last of `count` rows (after rows went away, e.g. by undo). */
export function pruneSelection(sel: RowSelection, count: number): RowSelection {
  if ([...sel.selected].every(i => i < count) && (sel.anchor ?? -1) < count) {
    return sel;
  }
  return {
    selected: new Set([...sel.selected].filter(i => i < count)),
    anchor: sel.anchor !== null && sel.anchor < count ? sel.anchor : null,
  };
}

/** The rows without the selected ones; one empty row when none is left. */
export function deleteSelected(rows: readonly Row[], sel: RowSelection): Row[] {
  const next = rows.filter((_, i) => !sel.selected.has(i));
  return next.length ? next : [{}];
}
