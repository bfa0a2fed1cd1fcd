/**
 * Cells of the parameter grid (src/cell/ParamGrid.tsx): the keys its validation errors
 * are filed under, the address each cell's input carries, its placeholder, and where a
 * key press in a cell moves the focus.
 */
import type { JSONSchema, RowError } from '../api/types';

export function errorKey(row: number | null, field: string): string {
  return `${row ?? 'shared'}:${field}`;
}

/** The first error of each cell (row `null` is the shared values), by errorKey. */
export function errorMap(errors: RowError[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of errors) {
    const k = errorKey(e.row, e.field);
    if (!m.has(k)) {
      m.set(k, e.message);
    }
  }
  return m;
}

/** Whether any of the row's cells has an error (the row is marked invalid). */
export function rowHasError(
  errors: ReadonlyMap<string, string>,
  row: number,
  columns: readonly string[]
): boolean {
  return columns.some(c => errors.has(errorKey(row, c)));
}

/** A cell input's `data-cell` attribute: its row and column index (the UI tests use it). */
export function cellAddress(row: number, column: number): string {
  return `${row}:${column}`;
}

export function cellSelector(row: number, column: number): string {
  return `[data-cell="${cellAddress(row, column)}"]`;
}

/** What an empty cell shows: the shared value that applies, else the schema's default. */
export function cellPlaceholder(
  schema: JSONSchema,
  shared: string | undefined,
  trans: { __: (s: string, ...a: unknown[]) => string }
): string | undefined {
  if (shared) {
    return trans.__('shared: %1', shared);
  }
  return schema.default !== undefined ? trans.__('default: %1', String(schema.default)) : undefined;
}

export interface CellKey {
  key: string;
  shiftKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/**
 * Where a key press in a cell takes the focus: `focus` another row, `append` an empty row
 * and focus it, or `stay` (a grid key with nowhere to go). Null for keys the grid leaves
 * to the input; arrows up and down in a select pick its options.
 */
export type CellMove = { kind: 'focus' | 'append'; row: number } | { kind: 'stay' };

export function cellKeyMove(
  e: CellKey,
  inSelect: boolean,
  row: number,
  rowCount: number,
  readOnly: boolean
): CellMove | null {
  if (e.altKey || e.ctrlKey || e.metaKey) {
    return null;
  }
  if ((e.key === 'ArrowDown' && !inSelect) || (e.key === 'Enter' && !e.shiftKey)) {
    if (row + 1 < rowCount) {
      return { kind: 'focus', row: row + 1 };
    }
    // Enter on the last row starts a new one, as in a spreadsheet.
    return e.key === 'Enter' && !readOnly ? { kind: 'append', row: row + 1 } : { kind: 'stay' };
  }
  if ((e.key === 'ArrowUp' && !inSelect) || (e.key === 'Enter' && e.shiftKey)) {
    return row > 0 ? { kind: 'focus', row: row - 1 } : { kind: 'stay' };
  }
  return null;
}
