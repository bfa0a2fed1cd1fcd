/**
 * The Results tab's table (src/cell/ResultsTab.tsx): one line per row with the row
 * number, its key parameters, its status, one column per property of the app's
 * declared `outputs` JSON Schema (kernel-ext/apps/README.md), and its work dir; the
 * raw output in one "output" column when the app declares no properties or a row's
 * output is not an object. Also the text of the table for Copy (TSV) and Download (CSV).
 */
import type { JobRecord, JobStatus, JSONSchema } from '../api/types';
import { sortBy, STATUS_ORDER, type SortState, type SortValue } from './sort';

export type ResultColumnKind = 'row' | 'param' | 'status' | 'out' | 'output' | 'workdir';

export interface ResultColumn {
  /** Unique in the table: 'row', 'status', 'output', 'workdir', 'param:NAME', 'out:NAME'. */
  id: string;
  kind: ResultColumnKind;
  /** The parameter or output property (param and out columns). */
  name?: string;
  /** The schema's title of the parameter or property, when it has one. */
  title?: string;
  /** The schema declares a number or an integer. */
  numeric?: boolean;
  /** An output column beside declared properties: it shows only outputs they cannot. */
  rawOnly?: boolean;
}

/** One line of the table: the row index and its newest attempt (absent until known). */
export interface ResultRow {
  index: number;
  job: JobRecord | undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNumericSchema(s: JSONSchema | undefined): boolean {
  const t = s?.type;
  const types = Array.isArray(t) ? t : t ? [t] : [];
  return types.length > 0 && types.every(x => x === 'number' || x === 'integer' || x === 'null');
}

/** The properties an app's `outputs` schema declares, in declaration order. */
export function outputProperties(
  outputs: JSONSchema | Record<string, unknown> | null | undefined
): { name: string; schema: JSONSchema }[] {
  const props = (outputs as JSONSchema | null | undefined)?.properties;
  if (!isPlainObject(props)) {
    return [];
  }
  return Object.entries(props).map(([name, schema]) => ({
    name,
    schema: isPlainObject(schema) ? (schema as JSONSchema) : {},
  }));
}

/**
 * The key parameters shown per row: the app's first three parameters (as the Status
 * tab shows them), or, without the app's schema, the first three of the first row.
 */
export function keyParams(
  parameters: JSONSchema | null | undefined,
  rows: readonly (JobRecord | undefined)[]
): string[] {
  const declared = Object.keys(parameters?.properties ?? {});
  if (declared.length) {
    return declared.slice(0, 3);
  }
  const first = rows.find(r => r && isPlainObject(r.params));
  return first ? Object.keys(first.params).slice(0, 3) : [];
}

/** Whether some row's output cannot be split into the declared properties. */
function needsRawColumn(rows: readonly (JobRecord | undefined)[]): boolean {
  return rows.some(
    r => r !== undefined && r.output !== null && r.output !== undefined && !isPlainObject(r.output)
  );
}

/** The table's columns, left to right. */
export function resultColumns(
  parameters: JSONSchema | null | undefined,
  outputs: JSONSchema | Record<string, unknown> | null | undefined,
  rows: readonly (JobRecord | undefined)[]
): ResultColumn[] {
  const params = parameters?.properties ?? {};
  const cols: ResultColumn[] = [{ id: 'row', kind: 'row', numeric: true }];
  for (const name of keyParams(parameters, rows)) {
    const s = params[name];
    cols.push({
      id: `param:${name}`,
      kind: 'param',
      name,
      title: s?.title,
      numeric: isNumericSchema(s),
    });
  }
  cols.push({ id: 'status', kind: 'status' });
  const props = outputProperties(outputs);
  for (const { name, schema } of props) {
    cols.push({
      id: `out:${name}`,
      kind: 'out',
      name,
      title: schema.title,
      numeric: isNumericSchema(schema),
    });
  }
  if (!props.length || needsRawColumn(rows)) {
    cols.push({ id: 'output', kind: 'output', rawOnly: props.length > 0 });
  }
  cols.push({ id: 'workdir', kind: 'workdir' });
  return cols;
}

/** A value as one line of text: strings as they are, anything else as JSON. */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) {
    return '';
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The value of one cell (before turning into text): what sorts and what is exported. */
export function cellValue(col: ResultColumn, row: ResultRow): unknown {
  const j = row.job;
  switch (col.kind) {
    case 'row':
      return row.index + 1;
    case 'param':
      return j?.params?.[col.name!];
    case 'status':
      return j?.status;
    case 'out':
      return isPlainObject(j?.output) ? j!.output[col.name!] : undefined;
    case 'output': {
      const out = j?.output;
      if (out === null || out === undefined || (col.rawOnly && isPlainObject(out))) {
        return undefined;
      }
      return out;
    }
    case 'workdir':
      return j?.workDir || undefined;
  }
}

/** The value a cell sorts by: numbers stay numbers, statuses sort by lifecycle. */
export function cellSortValue(col: ResultColumn, row: ResultRow): SortValue {
  const v = cellValue(col, row);
  if (col.kind === 'status') {
    return v === undefined ? null : STATUS_ORDER[v as JobStatus];
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') {
    return v;
  }
  return v === null || v === undefined ? null : JSON.stringify(v);
}

/** The rows in the table's order: sorted by a column, or by row number when unsorted. */
export function sortResultRows(
  rows: readonly ResultRow[],
  columns: readonly ResultColumn[],
  sort: SortState | null
): ResultRow[] {
  const col = sort ? columns.find(c => c.id === sort.key) : undefined;
  if (!sort || !col) {
    return rows.slice();
  }
  return sortBy(rows, r => cellSortValue(col, r), sort.dir);
}

/** The rows of a listing by index, one per row (missing records stay as gaps). */
export function resultRows(rows: readonly (JobRecord | undefined)[]): ResultRow[] {
  const out: ResultRow[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    out[i] = { index: i, job: rows[i] };
  }
  return out;
}

/**
 * The table as text cells: a header line, then one line per row. `header` names each
 * column and `status` words a status (both translated by the caller).
 */
export function resultMatrix(
  columns: readonly ResultColumn[],
  rows: readonly ResultRow[],
  header: (c: ResultColumn) => string,
  status: (s: JobStatus) => string
): string[][] {
  const lines = [columns.map(header)];
  for (const r of rows) {
    lines.push(
      columns.map(c => {
        const v = cellValue(c, r);
        return c.kind === 'status' && v !== undefined ? status(v as JobStatus) : showValue(v);
      })
    );
  }
  return lines;
}

/**
 * Tab-separated text, as spreadsheets paste it: one line per row. A tab or line break
 * inside a value would split it, so each becomes a space.
 */
export function toTSV(matrix: readonly (readonly string[])[]): string {
  return (
    matrix.map(line => line.map(v => v.replace(/\r\n|[\t\r\n]/g, ' ')).join('\t')).join('\n') + '\n'
  );
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** CSV text (RFC 4180): comma-separated fields, CRLF line ends, a final line end. */
export function toCSVText(matrix: readonly (readonly string[])[]): string {
  return matrix.map(line => line.map(csvField).join(',')).join('\r\n') + '\r\n';
}
