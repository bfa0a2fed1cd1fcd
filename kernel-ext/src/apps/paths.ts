/**
 * Path parameters (`format: path`, docs/SEMANTICS.md "Paths"): a relative value means what
 * the user sees, relative to the request's `baseDir` (the notebook's directory for the
 * cell, the working directory for the CLI), and becomes absolute before any record
 * exists; on a backend that shares this machine's filesystem each path must exist.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { AppDefinition, PathCheckResult } from '../protocol/records';

export interface PathError {
  field: string;
  message: string;
}

interface Schema {
  type?: string | string[];
  format?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
}

/** Top-level parameters that hold a path, or a list of paths. */
export function pathFields(app: AppDefinition): { name: string; list: boolean }[] {
  const props = (app.parameters as Schema).properties ?? {};
  const out: { name: string; list: boolean }[] = [];
  for (const [name, s] of Object.entries(props)) {
    if (s?.format === 'path') out.push({ name, list: false });
    else if (s?.items?.format === 'path') out.push({ name, list: true });
  }
  return out;
}

/** What a path check says of one resolved path. */
export type PathKind = PathCheckResult['kind'];

/** stat() results, cached per request: 10,000 rows often name far fewer files. */
export class PathChecker {
  private seen = new Map<string, PathKind>();

  kind(abs: string): PathKind {
    let k = this.seen.get(abs);
    if (k === undefined) {
      try {
        const st = fs.statSync(abs);
        k = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
      } catch {
        k = null;
      }
      this.seen.set(abs, k);
    }
    return k;
  }
}

export function resolvePath(value: string, baseDir: string | undefined): string {
  return baseDir && !path.isAbsolute(value) ? path.resolve(baseDir, value) : value;
}

/**
 * Makes the row's relative path values absolute against baseDir (in place) and, when
 * `check`, reports each one that does not exist. Values that are not strings are left to
 * the schema check.
 */
export function resolveRowPaths(
  fields: { name: string; list: boolean }[],
  row: Record<string, unknown>,
  baseDir: string | undefined,
  checker: PathChecker | null
): PathError[] {
  const errors: PathError[] = [];
  const one = (value: unknown, field: string): unknown => {
    if (typeof value !== 'string' || value === '') return value;
    const abs = resolvePath(value, baseDir);
    if (checker && path.isAbsolute(abs) && checker.kind(abs) === null) {
      const where = abs === value ? '' : ` (looked for ${abs})`;
      errors.push({ field, message: `${value}: no such file or directory${where}` });
    }
    return abs;
  };
  for (const { name, list } of fields) {
    if (!(name in row)) continue;
    const v = row[name];
    if (list && Array.isArray(v)) row[name] = v.map((x, i) => one(x, `${name}[${i}]`));
    else if (!list) row[name] = one(v, name);
  }
  return errors;
}
