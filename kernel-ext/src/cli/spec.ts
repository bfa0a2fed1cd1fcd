/**
 * Submission specs for `bulkrun submit` and `bulkrun fanout`: JSON or YAML (a POST /batches
 * body, a single-job body, or a bare array of rows) and CSV/TSV (one row of params per line).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import type { BatchSpec } from '../protocol/records';
import { UsageError } from './client';

export type Row = Record<string, unknown>;

export type LoadedSpec =
  | { kind: 'batch'; body: BatchSpec; lines?: number[] }
  | { kind: 'job'; body: { app: string; params: Row; [k: string]: unknown } }
  | { kind: 'rows'; rows: Row[]; lines?: number[]; fromCsv: boolean };

export type SpecFormat = 'json' | 'yaml' | 'csv' | 'tsv';

export function formatOf(file: string): SpecFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.csv') return 'csv';
  if (ext === '.tsv') return 'tsv';
  throw new UsageError(
    `${file}: unknown spec format '${ext || '(none)'}'; use .json, .yaml, .yml, .csv or .tsv`
  );
}

export function readSpecFile(file: string): LoadedSpec {
  const format = formatOf(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseSpec(text, format, file);
}

export function parseSpec(text: string, format: SpecFormat, name = 'spec'): LoadedSpec {
  if (format === 'csv' || format === 'tsv') {
    const { rows, lines } = parseRowsTable(text, format === 'tsv' ? '\t' : ',', name);
    return { kind: 'rows', rows, lines, fromCsv: true };
  }
  let doc: unknown;
  try {
    doc = format === 'json' ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new UsageError(`${name}: invalid ${format.toUpperCase()}: ${(e as Error).message}`);
  }
  if (Array.isArray(doc)) {
    doc.forEach((r, i) => {
      if (!isObject(r)) throw new UsageError(`${name}: row ${i} is not an object of parameters`);
    });
    return { kind: 'rows', rows: doc as Row[], fromCsv: false };
  }
  if (!isObject(doc)) {
    throw new UsageError(`${name}: expected an object (a batch or job spec) or an array of rows`);
  }
  if (Array.isArray(doc.params)) return { kind: 'batch', body: doc as unknown as BatchSpec };
  if (isObject(doc.params)) return { kind: 'job', body: doc as { app: string; params: Row } };
  if (doc.params === undefined) {
    throw new UsageError(
      `${name}: has no "params" (an array of rows for a batch, or an object for one job)`
    );
  }
  throw new UsageError(`${name}: "params" must be an array of rows (batch) or an object (one job)`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** CSV/TSV with a header line; returns raw string rows and each row's first line number. */
export function parseRowsTable(
  text: string,
  delimiter: string,
  name = 'rows'
): { rows: Row[]; lines: number[] } {
  let records: { record: Record<string, string>; raw: string; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      columns: (header: string[]) => header.map(h => h.trim()),
      delimiter,
      bom: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
      relax_column_count: false,
    }) as any;
  } catch (e) {
    throw new UsageError(
      `${name}: invalid ${delimiter === '\t' ? 'TSV' : 'CSV'}: ${(e as Error).message}`
    );
  }
  const rows: Row[] = [];
  const lines: number[] = [];
  for (const r of records) {
    rows.push({ ...r.record });
    // info.lines is where the record ends; a quoted cell may span lines.
    const body = r.raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '');
    lines.push(r.info.lines - (body.match(/\n/g)?.length ?? 0));
  }
  return { rows, lines };
}

/**
 * CSV cells are text; this types them by the app's parameter schema so `3` reaches an
 * integer parameter as 3. Empty cells are left out, so schema defaults apply. Cells that do
 * not parse stay text: the server then names the row and field in its validation error.
 */
export function coerceRow(row: Row, parameters: Record<string, unknown> | undefined): Row {
  const props = (parameters?.properties ?? {}) as Record<string, { type?: string | string[] }>;
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v !== 'string') {
      out[k] = v;
      continue;
    }
    if (v === '') continue;
    out[k] = coerceCell(v, props[k]?.type);
  }
  return out;
}

export function coerceCell(v: string, type: string | string[] | undefined): unknown {
  const types = Array.isArray(type) ? type : type ? [type] : [];
  if (types.length === 0 || types.includes('string')) return v;
  const t = v.trim();
  for (const ty of types) {
    if ((ty === 'integer' || ty === 'number') && t !== '' && Number.isFinite(Number(t)))
      return Number(t);
    if (ty === 'boolean') {
      const l = t.toLowerCase();
      if (['true', 'yes', 'y', '1', 'on'].includes(l)) return true;
      if (['false', 'no', 'n', '0', 'off'].includes(l)) return false;
    }
    if (ty === 'null' && (t === 'null' || t === '')) return null;
    if (ty === 'array') {
      if (t.startsWith('[')) {
        try {
          return JSON.parse(t);
        } catch {
          return v;
        }
      }
      return [v];
    }
    if (ty === 'object' && t.startsWith('{')) {
      try {
        return JSON.parse(t);
      } catch {
        return v;
      }
    }
  }
  return v;
}

export interface BatchOptions {
  app?: string;
  fanIn?: string;
  label?: string;
  backend?: string;
  maxParallel?: number;
  priority?: number;
  idempotencyKey?: string;
}

/** A POST /batches body from rows or a batch spec, with command-line options applied. */
export function buildBatchBody(
  spec: LoadedSpec,
  o: BatchOptions,
  source: string,
  defaultLabel: string | undefined = path.basename(source)
): BatchSpec {
  let body: BatchSpec;
  if (spec.kind === 'rows') {
    if (!o.app) throw new UsageError(`${source} holds only rows: name the app with --app APP`);
    body = { app: o.app, params: spec.rows };
  } else if (spec.kind === 'batch') {
    body = { ...spec.body };
    if (o.app) body.app = o.app;
  } else {
    throw new UsageError(
      `${source} is a single-job spec ("params" is an object); a batch needs an array of rows`
    );
  }
  if (!body.app) throw new UsageError(`${source}: no app: add "app" to the spec or pass --app APP`);
  if (o.fanIn) body.fanIn = { ...(body.fanIn ?? {}), app: o.fanIn };
  if (o.label !== undefined) body.label = o.label;
  if (o.backend !== undefined) body.backend = o.backend;
  if (o.maxParallel !== undefined) body.maxParallel = o.maxParallel;
  if (o.priority !== undefined) body.priority = o.priority;
  if (o.idempotencyKey !== undefined) body.idempotencyKey = o.idempotencyKey;
  if (body.label === undefined && defaultLabel !== undefined) body.label = defaultLabel;
  return body;
}
