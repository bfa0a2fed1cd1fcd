/**
 * "Fill from files": glob matching over Jupyter paths and read pairing
 * (sample_R1.fastq + sample_R2.fastq → one row).
 */

/** Converts a glob (`*`, `?`, `**`, `[abc]`, `{a,b}`) to an anchored RegExp over '/' paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  let inBrace = false;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // '**/' matches zero or more directories.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 3;
        } else {
          re += '.*';
          i += 2;
        }
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end > i) {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) {
          body = '^' + body.slice(1);
        }
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end + 1;
        continue;
      }
      re += '\\[';
    } else if (c === '{') {
      inBrace = true;
      re += '(?:';
    } else if (c === '}' && inBrace) {
      inBrace = false;
      re += ')';
    } else if (c === ',' && inBrace) {
      re += '|';
    } else {
      re += c.replace(/[.+^${}()|\\]/g, '\\$&');
    }
    i++;
  }
  return new RegExp(`^${re}$`);
}

/** The fixed directory part of a glob (before the first wildcard segment). */
export function globBase(glob: string): string {
  const parts = glob.split('/');
  const fixed: string[] = [];
  for (const p of parts.slice(0, -1)) {
    if (/[*?[{]/.test(p)) {
      break;
    }
    fixed.push(p);
  }
  return fixed.join('/');
}

export interface PairResult {
  pairs: { key: string; first: string; second: string }[];
  /** Files that matched the glob but found no mate. */
  unpaired: string[];
}

/** Mate markers tried in order; the first pair of markers present in a file name wins. */
export const DEFAULT_MARKERS: [string, string][] = [
  ['_R1', '_R2'],
  ['_1', '_2'],
  ['.1', '.2'],
];

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/**
 * Pairs files whose names differ only by a mate marker (last occurrence in the name),
 * e.g. `s1_R1.fq.gz` with `s1_R2.fq.gz`. The key is the name with the marker removed
 * up to the extension (`s1`). Sorted by key.
 */
export function pairFiles(
  paths: string[],
  markers: [string, string][] = DEFAULT_MARKERS
): PairResult {
  const firsts = new Map<string, { key: string; path: string }>();
  const seconds = new Map<string, string>();
  const used = new Set<string>();
  for (const p of paths) {
    const dir = p.slice(0, p.length - basename(p).length);
    const name = basename(p);
    for (const [a, b] of markers) {
      const ia = name.lastIndexOf(a);
      const ib = name.lastIndexOf(b);
      if (ia >= 0 && (ib < 0 || ia >= ib)) {
        const id = dir + name.slice(0, ia) + '\u0000' + name.slice(ia + a.length);
        const key = name.slice(0, ia);
        firsts.set(id, { key, path: p });
        break;
      }
      if (ib >= 0) {
        const id = dir + name.slice(0, ib) + '\u0000' + name.slice(ib + b.length);
        seconds.set(id, p);
        break;
      }
    }
  }
  const pairs: PairResult['pairs'] = [];
  for (const [id, f] of firsts) {
    const s = seconds.get(id);
    if (s) {
      pairs.push({ key: f.key, first: f.path, second: s });
      used.add(f.path);
      used.add(s);
    }
  }
  pairs.sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));
  const unpaired = paths.filter(p => !used.has(p)).sort();
  return { pairs, unpaired };
}
