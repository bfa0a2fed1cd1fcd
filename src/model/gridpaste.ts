/**
 * A block pasted into the parameter grid (src/cell/grid/useGridClipboard.ts): text with
 * tabs or line breaks, from a spreadsheet or a text file, fills the grid from the cell it
 * is pasted into, by a header row when its first line names parameters
 * (src/model/delimited.ts).
 */
import type { JSONSchema } from '../api/types';
import {
  detectDelimiter,
  paramTitles,
  parseDelimited,
  tableToRows,
  type TableToRows,
} from './delimited';
import { rowHasValues, type Row } from './rows';

/** Whether pasted text is a block for the grid; a single value is left to the input. */
export function isBlockPaste(text: string): boolean {
  return !!text && (text.includes('\t') || text.includes('\n'));
}

export interface PastedBlock {
  rows: Row[];
  pasted: TableToRows;
}

/**
 * The rows after pasting `text` at row `row` into column `column` of `columns`: each
 * pasted line merges into a row from there on, adding rows past the end.
 */
export function pasteBlock(
  rows: readonly Row[],
  text: string,
  row: number,
  column: number,
  columns: readonly string[],
  schema: JSONSchema
): PastedBlock {
  const table = parseDelimited(text, detectDelimiter(text));
  const pasted = tableToRows(table, columns.slice(column), paramTitles(schema));
  const next = rows.slice();
  // A block pasted into a fresh grid replaces its single empty row.
  const start = rows.length === 1 && !rowHasValues(rows[0]) ? 0 : row;
  pasted.rows.forEach((pr, i) => {
    next[start + i] = { ...(next[start + i] ?? {}), ...pr };
  });
  return { rows: next, pasted };
}

/** What the grid says after a paste: how many rows, and what it did with the header. */
export function pasteNotice(
  pasted: TableToRows,
  trans: { __: (s: string, ...a: unknown[]) => string }
): string {
  return (
    trans.__('Pasted %1 rows', pasted.rows.length) +
    (pasted.header ? trans.__(' (header row matched)') : '') +
    (pasted.unknownColumns.length
      ? trans.__('; ignored columns: %1', pasted.unknownColumns.join(', '))
      : '')
  );
}
