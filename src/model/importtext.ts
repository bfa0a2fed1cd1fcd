/**
 * Rows from a delimited file, for "Import CSV…" (a local file) and "Import from the
 * notebook's folder…" (a file of the Jupyter tree read through the contents API). Both
 * parse as src/model/delimited.ts does for a paste.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { detectDelimiter, parseDelimited, tableToRows, type TableToRows } from './delimited';

/** What is needed of a contents API file model read with `format: 'text'`. */
export interface TextModel {
  content?: unknown;
  format?: string | null;
  type?: string;
}

/** Why a picked file cannot be imported. */
export class ImportError extends Error {}

/** The text of a file model; a byte order mark at the start is dropped. */
export function textOfModel(model: TextModel): string {
  if (model.type === 'directory' || typeof model.content !== 'string') {
    throw new ImportError('not a text file');
  }
  if (model.format && model.format !== 'text') {
    throw new ImportError(`not a text file (${model.format})`);
  }
  return stripBOM(model.content);
}

export function stripBOM(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Tab for a .tsv; any other name (.csv, .txt) by the text, as a paste is: tab when the
 * first line has one, semicolon for European CSV (`a;1,5`), else comma (a ".csv" saved
 * with tabs still imports).
 */
export function delimiterFor(name: string, text: string): string {
  return /\.tsv$/i.test(name) ? '\t' : detectDelimiter(text);
}

/**
 * The grid rows of a delimited file named `name`: a header row, when there is one, maps
 * columns by parameter name or title.
 */
export function importDelimited(
  name: string,
  text: string,
  columns: string[],
  titles: Record<string, string> = {}
): TableToRows {
  const clean = stripBOM(text);
  return tableToRows(parseDelimited(clean, delimiterFor(name, clean)), columns, titles);
}

/** What to tell after importing `name`: the header names that matched no parameter, or ''. */
export function importNote(name: string, parsed: TableToRows, trans: TranslationBundle): string {
  if (!parsed.unknownColumns.length) {
    return '';
  }
  return trans.__(
    'Imported %1 rows from %2; ignored columns: %3',
    parsed.rows.length,
    name,
    parsed.unknownColumns.join(', ')
  );
}

/**
 * A spreadsheet's cells as the grid's text: numbers and booleans as written, dates as
 * YYYY-MM-DD (with the time when it is not midnight UTC), empty cells as ''.
 */
export function sheetToTable(rows: readonly (readonly unknown[])[]): string[][] {
  const text = (v: unknown): string => {
    if (v === null || v === undefined) {
      return '';
    }
    if (v instanceof Date) {
      const iso = v.toISOString();
      return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
    }
    return String(v);
  };
  return rows.map(r => r.map(text)).filter(r => r.some(c => c.trim() !== ''));
}

/** The grid rows of a workbook's first sheet (a header row as for a delimited file). */
export function importSheet(
  rows: readonly (readonly unknown[])[],
  columns: string[],
  titles: Record<string, string> = {}
): TableToRows {
  return tableToRows(sheetToTable(rows), columns, titles);
}

/** Bytes of a contents API file model read with `format: 'base64'`. */
export function bytesOfModel(model: TextModel): ArrayBuffer {
  if (model.type === 'directory' || typeof model.content !== 'string') {
    throw new ImportError('not a file');
  }
  const bin = atob(model.content.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) {
    out[i] = bin.charCodeAt(i);
  }
  return out.buffer;
}
