/**
 * TSV/CSV parsing and writing for the parameter grid: spreadsheet paste (tab separated,
 * with or without a header row) and CSV import/export. Parsing is csv-parse's, the library
 * the CLI reads .csv/.tsv specs with (kernel-ext/src/cli/spec.ts), so both read one dialect.
 */
import { parse, type Options } from 'csv-parse/browser/esm/sync';
import type { JSONSchema } from '../api/types';

function options(delimiter: string): Options {
  return {
    delimiter,
    record_delimiter: '\n',
    bom: true,
    skip_empty_lines: true,
    // Pasted cells are taken as they are: a stray quote is text, rows may be ragged.
    relax_quotes: true,
    relax_column_count: true,
  };
}

/** Parses delimited text into a table of strings; a trailing newline adds no row. */
export function parseDelimited(text: string, delimiter: string): string[][] {
  // CR and CRLF become LF everywhere, inside quoted cells too: a grid cell holds LFs.
  const s = text.replace(/\r\n?/g, '\n');
  let rows: string[][];
  try {
    rows = parse(s, options(delimiter));
  } catch (e) {
    // An unclosed quote runs to the end of the text, so a paste never fails.
    if ((e as { code?: string }).code !== 'CSV_QUOTE_NOT_CLOSED') {
      throw e;
    }
    rows = parse(s + '"', options(delimiter));
  }
  // Spreadsheets pad blocks with empty lines; they are not rows.
  return rows.filter(r => r.some(f => f.trim() !== ''));
}

const count = (s: string, c: string): number => s.split(c).length - 1;

/**
 * Tab when the first line has one (spreadsheet paste); `;` when it has more semicolons
 * than commas, or its commas are all decimal commas (`1,5`, European CSV); else comma.
 * Quoted cells do not count: they may hold any of these, and newlines.
 */
export function detectDelimiter(text: string): string {
  const bare = text.replace(/(^|[\t,;\r\n])"(?:[^"]|"")*"/g, '$1');
  const firstLine = bare.split(/\r?\n|\r/, 1)[0] ?? '';
  if (firstLine.includes('\t')) {
    return '\t';
  }
  const semicolons = count(firstLine, ';');
  const commas = count(firstLine, ',');
  if (semicolons > 0 && (semicolons >= commas || !/(^|\D),|,(\D|$)/.test(firstLine))) {
    return ';';
  }
  if (commas > 0) {
    return ',';
  }
  return text.includes('\t') ? '\t' : ',';
}

export interface TableToRows {
  rows: Record<string, string>[];
  /** Whether the first line was taken as a header naming the parameters. */
  header: boolean;
  /** Header names that match no parameter (their columns are ignored). */
  unknownColumns: string[];
}

/** Each parameter's display title (the grid's column heading), by parameter name. */
export function paramTitles(schema: JSONSchema | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, s] of Object.entries(schema?.properties ?? {})) {
    if (typeof s.title === 'string' && s.title.trim()) {
      out[name] = s.title;
    }
  }
  return out;
}

/**
 * Maps a parsed block onto parameter names. A first row whose cells name parameters
 * (by name or by title, case-insensitive and trimmed) is a header; otherwise columns
 * map in `columns` order. `titles` gives the titles by parameter name.
 */
export function tableToRows(
  table: string[][],
  columns: string[],
  titles: Record<string, string> = {}
): TableToRows {
  if (table.length === 0) {
    return { rows: [], header: false, unknownColumns: [] };
  }
  const lower = new Map<string, string>();
  for (const c of columns) {
    const t = titles[c]?.trim().toLowerCase();
    if (t && !lower.has(t)) {
      lower.set(t, c);
    }
  }
  // A parameter's own name wins over another parameter's title.
  for (const c of columns) {
    lower.set(c.trim().toLowerCase(), c);
  }
  const first = table[0].map(c => c.trim());
  const matches = first.filter(c => lower.has(c.toLowerCase())).length;
  const isHeader = matches > 0 && matches >= Math.ceil(first.filter(c => c !== '').length / 2);
  let mapping: (string | null)[];
  let body: string[][];
  const unknownColumns: string[] = [];
  if (isHeader) {
    mapping = first.map(c => {
      const name = lower.get(c.toLowerCase()) ?? null;
      if (!name && c !== '') {
        unknownColumns.push(c);
      }
      return name;
    });
    body = table.slice(1);
  } else {
    mapping = columns.slice();
    body = table;
  }
  const rows = body.map(cells => {
    const r: Record<string, string> = {};
    cells.forEach((v, i) => {
      const name = mapping[i];
      if (name) {
        r[name] = v.trim();
      }
    });
    return r;
  });
  return { rows, header: isHeader, unknownColumns };
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Writes rows as CSV with a header line. */
export function toCSV(rows: Record<string, unknown>[], columns: string[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) {
    lines.push(
      columns
        .map(c => {
          const v = r[c];
          if (v === undefined || v === null) {
            return '';
          }
          return csvField(
            typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)
          );
        })
        .join(',')
    );
  }
  return lines.join('\n') + '\n';
}
