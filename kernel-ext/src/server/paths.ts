/** POST /api/v1/paths/check: which of the given paths exist, resolved as a batch would. */
import * as path from 'path';
import { PathChecker, resolvePath } from '../apps/paths';
import { ApiError } from '../protocol/errors';
import type { PathCheckResult } from '../protocol/records';

/** Paths one request may ask about (a grid of 10,000 rows with two path columns). */
const MAX_PATHS = 20_000;

export function checkPaths(body: unknown): PathCheckResult[] {
  const b = body as { baseDir?: unknown; paths?: unknown };
  const problems: string[] = [];
  if (!b || typeof b !== 'object') problems.push('the body must be an object');
  const baseDir = b?.baseDir;
  if (baseDir !== undefined && (typeof baseDir !== 'string' || !path.isAbsolute(baseDir)))
    problems.push('baseDir must be an absolute path');
  const paths = b?.paths;
  if (!Array.isArray(paths)) problems.push('paths must be an array of strings');
  else {
    if (paths.length > MAX_PATHS)
      problems.push(`paths has ${paths.length} entries; the limit is ${MAX_PATHS}`);
    const bad = paths.findIndex(p => typeof p !== 'string' || p.length > 4096 || p.includes('\0'));
    if (bad >= 0)
      problems.push(`paths[${bad}] must be a string of at most 4096 characters without NUL`);
  }
  if (problems.length)
    throw new ApiError('invalid_request', `Invalid path check: ${problems.join('; ')}`);
  const checker = new PathChecker();
  return (paths as string[]).map(p => {
    const resolved = resolvePath(p, baseDir as string | undefined);
    return { path: p, resolved, kind: path.isAbsolute(resolved) ? checker.kind(resolved) : null };
  });
}
