/**
 * The Jupyter file tree as the file picker (src/components/FilePicker.tsx) shows it, and
 * the path a picked file gets in a grid cell. Paths are the contents API's: relative to
 * the Jupyter root, without a leading slash ('' is the root). A cell's relative path is
 * read from the notebook's folder and may not contain `..` (docs/SEMANTICS.md "Paths").
 */

/** What the picker needs of a contents API listing entry. */
export interface ListingItem {
  name: string;
  path: string;
  type: string;
}

export interface TreeEntry {
  name: string;
  path: string;
  directory: boolean;
}

export interface Listing {
  entries: TreeEntry[];
  /** Files left out because the picker does not take them. */
  skipped: number;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * A folder's entries to show: folders first, then the files `accept` takes, each by name
 * (numbers in names in numeric order); hidden (dot) entries are left out.
 */
export function listEntries(
  items: readonly ListingItem[],
  accept: (name: string) => boolean = () => true
): Listing {
  let skipped = 0;
  const entries: TreeEntry[] = [];
  for (const item of items) {
    if (item.name.startsWith('.')) {
      continue;
    }
    const directory = item.type === 'directory';
    if (!directory && !accept(item.name)) {
      skipped++;
      continue;
    }
    entries.push({ name: item.name, path: item.path, directory });
  }
  entries.sort((a, b) =>
    a.directory !== b.directory ? (a.directory ? -1 : 1) : collator.compare(a.name, b.name)
  );
  return { entries, skipped };
}

/** Files a delimited import reads: .csv, .tsv and .txt (any case). */
export function isDelimitedName(name: string): boolean {
  return /\.(csv|tsv|txt)$/i.test(name);
}

/** Files "Import" reads: delimited text, or an Excel workbook (its first sheet). */
export function isImportableName(name: string): boolean {
  return isDelimitedName(name) || isSpreadsheetName(name);
}

export function isSpreadsheetName(name: string): boolean {
  return /\.xlsx$/i.test(name);
}

/**
 * The entry a key selects in a listing of `count` entries where entry `index` is
 * selected (-1 for none): arrows move by one, Home and End go to the ends, all kept
 * within the listing (0 when it is empty). Null for other keys.
 */
export function listKeyTarget(key: string, index: number, count: number): number | null {
  const last = count - 1;
  const clamp = (j: number) => Math.max(0, Math.min(last, j));
  switch (key) {
    case 'ArrowDown':
      return clamp(index + 1);
    case 'ArrowUp':
      return clamp(index < 0 ? last : index - 1);
    case 'Home':
      return clamp(0);
    case 'End':
      return clamp(last);
    default:
      return null;
  }
}

function segments(path: string): string[] {
  return path.split('/').filter(s => s && s !== '.');
}

/** Joins root-relative path parts ('' parts and `.` segments dropped, no leading slash). */
export function joinPath(...parts: string[]): string {
  return segments(parts.join('/')).join('/');
}

/** The folder holding `path` ('' for the root and for entries at the root). */
export function parentDir(path: string): string {
  const s = segments(path);
  return s.slice(0, -1).join('/');
}

/** The folder and its ancestors for a breadcrumb, the root ('/') first. */
export function crumbs(dir: string): TreeEntry[] {
  const s = segments(dir);
  return [
    { name: '/', path: '', directory: true },
    ...s.map((name, i) => ({ name, path: s.slice(0, i + 1).join('/'), directory: true })),
  ];
}

function absoluteRoot(serverRoot: string | undefined): string | null {
  if (!serverRoot || !serverRoot.startsWith('/')) {
    return null;
  }
  return '/' + segments(serverRoot).join('/');
}

/**
 * What a path cell holds for the file at root-relative `path`: the path from the
 * notebook's folder when the file is in it or below it; otherwise the absolute path (the
 * Jupyter root, `serverRoot`, joined with `path`), or null when the root is not known as
 * an absolute path.
 */
export function pathForCell(
  path: string,
  notebookDir: string,
  serverRoot: string | undefined
): string | null {
  const file = joinPath(path);
  const dir = joinPath(notebookDir);
  if (!dir) {
    return file;
  }
  if (file.startsWith(dir + '/')) {
    return file.slice(dir.length + 1);
  }
  const root = absoluteRoot(serverRoot);
  if (root === null) {
    return null;
  }
  return root === '/' ? '/' + file : `${root}/${file}`;
}

/**
 * Where the picker opens for a cell holding `value`: the folder of the file it names (and
 * that file, to select) when it is under the Jupyter root; else the notebook's folder.
 */
export function pickerStart(
  value: string,
  notebookDir: string,
  serverRoot: string | undefined
): { dir: string; select: string | null } {
  const v = value.trim();
  const fallback = { dir: joinPath(notebookDir), select: null };
  if (!v) {
    return fallback;
  }
  let rootRelative: string;
  if (v.startsWith('/')) {
    const root = absoluteRoot(serverRoot);
    const abs = '/' + segments(v).join('/');
    if (root === null) {
      return fallback;
    }
    if (root === '/') {
      rootRelative = abs.slice(1);
    } else if (abs.startsWith(root + '/')) {
      rootRelative = abs.slice(root.length + 1);
    } else {
      return fallback;
    }
  } else {
    if (v.split('/').includes('..')) {
      return fallback;
    }
    rootRelative = joinPath(notebookDir, v);
  }
  if (segments(rootRelative).includes('..') || !rootRelative) {
    return fallback;
  }
  return { dir: parentDir(rootRelative), select: rootRelative };
}
