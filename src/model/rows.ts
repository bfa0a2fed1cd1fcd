/** Whole-grid row edits of the Configure tab: fill from files, clear and its undo. */

export type Row = Record<string, string>;

/** Whether a grid row has any value typed in. */
export function rowHasValues(row: Row | undefined): boolean {
  return !!row && Object.values(row).some(v => !!v);
}

/** Whether the grid has a row with a value (a fresh grid has one empty row). */
export function hasValues(rows: readonly Row[]): boolean {
  return rows.some(rowHasValues);
}

/** Whether "Clear rows" would change anything (more than the one empty row). */
export function canClearRows(rows: readonly Row[]): boolean {
  return rows.length > 1 || hasValues(rows);
}

/** `add` puts the new rows after the rows with values; `replace` drops the old rows. */
export type FillMode = 'add' | 'replace';

export function fillRows(current: readonly Row[], incoming: readonly Row[], mode: FillMode): Row[] {
  const keep = mode === 'add' ? current.filter(rowHasValues) : [];
  const next = [...keep, ...incoming];
  return next.length ? next : [{}];
}

/**
 * Undo of "Clear rows": the cleared rows come back, followed by any row typed into
 * the grid since.
 */
export function restoreRows(current: readonly Row[], cleared: readonly Row[]): Row[] {
  const next = [...cleared, ...current.filter(rowHasValues)];
  return next.length ? next : [{}];
}
