/**
 * Path parameters in the grid (docs/SEMANTICS.md "Paths"): a relative value is read
 * from the notebook's folder, as the user sees it in the file browser. The server
 * resolves and checks them (POST /paths/check before Run, and again at submission);
 * this module picks the values to ask about and turns the answers into cell errors.
 */
import type { JSONSchema, PathCheckResult, RowError } from '../api/types';

/** Top-level parameters holding a path (format: path). */
export function pathColumns(schema: JSONSchema | null | undefined): string[] {
  return Object.entries(schema?.properties ?? {})
    .filter(([, s]) => s.format === 'path')
    .map(([name]) => name);
}

/** Joins POSIX path parts, dropping empty ones and `.` segments. */
function join(...parts: string[]): string {
  const segs = parts
    .join('/')
    .split('/')
    .filter(s => s && s !== '.');
  return '/' + segs.join('/');
}

/**
 * The absolute folder relative paths are read from: the Jupyter root (the page config's
 * absolute `serverRoot`) joined with the notebook's folder; undefined when either is unknown.
 */
export function baseDirFor(
  serverRoot: string | undefined,
  notebookPath: string
): string | undefined {
  if (!serverRoot || !serverRoot.startsWith('/')) {
    return undefined;
  }
  const dir = notebookPath.includes('/')
    ? notebookPath.slice(0, notebookPath.lastIndexOf('/'))
    : '';
  return join(serverRoot, dir);
}

/** The notebook-relative folder shown to the user ("." for the Jupyter root). */
export function displayDir(notebookPath: string): string {
  return notebookPath.includes('/') ? notebookPath.slice(0, notebookPath.lastIndexOf('/')) : '.';
}

/** Each distinct non-empty text in the path columns (a row's own value, else the shared one). */
export function pathValues(
  rows: Record<string, unknown>[],
  shared: Record<string, unknown>,
  columns: string[]
): string[] {
  const out = new Set<string>();
  for (const row of rows) {
    for (const c of columns) {
      const v = row[c] ?? shared[c];
      if (typeof v === 'string' && v.trim()) {
        out.add(v.trim());
      }
    }
  }
  return [...out];
}

/** A cell error for each path the server found nothing at ("texts/file9.txt: no such file"). */
export function missingPathErrors(
  rows: Record<string, unknown>[],
  shared: Record<string, unknown>,
  columns: string[],
  results: Map<string, PathCheckResult>
): RowError[] {
  const errors: RowError[] = [];
  const missing = (v: unknown) =>
    typeof v === 'string' && v.trim() !== '' && results.get(v.trim())?.kind === null;
  rows.forEach((row, i) => {
    for (const c of columns) {
      const own = row[c];
      const v = own === undefined || own === '' ? shared[c] : own;
      if (missing(v)) {
        errors.push({ row: i, field: c, message: `${String(v).trim()}: no such file` });
      }
    }
  });
  for (const c of columns) {
    if (missing(shared[c])) {
      errors.push({ row: null, field: c, message: `${String(shared[c]).trim()}: no such file` });
    }
  }
  return errors;
}
