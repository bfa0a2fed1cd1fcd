/**
 * Row edits of the parameter grid (src/cell/ParamGrid.tsx): one cell's value, and adding,
 * duplicating and deleting one row. Each returns new rows; the grid is never left empty.
 */
import type { Row } from './rows';

export function withCell(rows: readonly Row[], row: number, name: string, value: string): Row[] {
  const next = rows.slice();
  next[row] = { ...next[row], [name]: value };
  return next;
}

/**
 * The undo merge key of typing in one cell: `session` counts the cell's focus changes,
 * so keystrokes make one step until the focus leaves (src/model/history.ts).
 */
export function cellEditKey(row: number, name: string, session: number): string {
  return `cell:${row}:${name}:${session}`;
}

export function appendRow(rows: readonly Row[]): Row[] {
  return [...rows, {}];
}

/** A copy of the row, right below it. */
export function duplicateRow(rows: readonly Row[], row: number): Row[] {
  const next = rows.slice();
  next.splice(row + 1, 0, { ...rows[row] });
  return next;
}

/** The rows without this one; one empty row when none is left. */
export function deleteRow(rows: readonly Row[], row: number): Row[] {
  const next = rows.slice();
  next.splice(row, 1);
  return next.length ? next : [{}];
}
