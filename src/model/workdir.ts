/**
 * Where a row's work dir can be shown: in JupyterLab's file browser when it lies under
 * the Jupyter root (the page config's absolute `serverRoot`, as src/model/paths.ts reads
 * it), else only as its absolute path. Jupyter's contents API refuses hidden files and
 * folders unless the server allows them (ContentsManager.allow_hidden), so a work dir
 * under a hidden folder (the default data dir, ~/.local/share/jupyter/bulkrun, when the
 * root is the home folder) is shown as a path too.
 */

export type WorkDirTarget =
  /** `path` is relative to the Jupyter root, '' for the root itself. */
  | { kind: 'browser'; path: string; absolute: string }
  | { kind: 'absolute'; absolute: string; reason: 'outside' | 'hidden' | 'no-root' };

/** The segments of an absolute POSIX path with `.` and `..` resolved; null if not absolute. */
export function pathSegments(p: string): string[] | null {
  if (!p.startsWith('/')) {
    return null;
  }
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (!s || s === '.') {
      continue;
    }
    if (s === '..') {
      out.pop();
    } else {
      out.push(s);
    }
  }
  return out;
}

/**
 * How to show `workDir` given the Jupyter root; null for an empty work dir (not created
 * yet). `allowHidden`: the server lists hidden files (default: it does not).
 */
export function workDirTarget(
  workDir: string | null | undefined,
  serverRoot: string | null | undefined,
  options: { allowHidden?: boolean } = {}
): WorkDirTarget | null {
  if (!workDir) {
    return null;
  }
  const dir = pathSegments(workDir);
  const root = serverRoot ? pathSegments(serverRoot) : null;
  const absolute = dir ? '/' + dir.join('/') : workDir;
  if (!dir || !root) {
    return { kind: 'absolute', absolute, reason: 'no-root' };
  }
  if (dir.length < root.length || root.some((s, i) => dir[i] !== s)) {
    return { kind: 'absolute', absolute, reason: 'outside' };
  }
  const rel = dir.slice(root.length);
  if (!options.allowHidden && rel.some(s => s.startsWith('.'))) {
    return { kind: 'absolute', absolute, reason: 'hidden' };
  }
  return { kind: 'browser', path: rel.join('/'), absolute };
}
