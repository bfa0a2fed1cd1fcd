/**
 * Asks the server whether the grid's path values exist (POST /paths/check), a moment
 * after typing stops; answers are kept per base dir, so a value is asked about once.
 * A file made later is found on the next change of the grid, and at submission.
 */
import * as React from 'react';
import type { BulkrunClient } from '../api/client';
import type { PathCheckResult } from '../api/types';

const DEBOUNCE_MS = 300;
const CHUNK = 5000;

export function usePathCheck(
  client: BulkrunClient,
  values: string[],
  baseDir: string | undefined
): Map<string, PathCheckResult> {
  const [results, setResults] = React.useState(() => new Map<string, PathCheckResult>());
  const known = React.useRef({ baseDir, map: new Map<string, PathCheckResult>() });
  const key = values.join('\0');
  React.useEffect(() => {
    if (known.current.baseDir !== baseDir) {
      known.current = { baseDir, map: new Map() };
      setResults(new Map());
    }
    const ask = values.filter(v => !known.current.map.has(v));
    if (!ask.length) {
      return;
    }
    let live = true;
    const timer = setTimeout(async () => {
      try {
        for (let i = 0; i < ask.length; i += CHUNK) {
          const answers = await client.checkPaths(ask.slice(i, i + CHUNK), baseDir);
          for (const a of answers) {
            known.current.map.set(a.path, a);
          }
        }
        if (live) {
          setResults(new Map(known.current.map));
        }
      } catch {
        // No answer (an older server, a dropped connection): the submission checks anyway.
      }
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, key, baseDir]);
  return results;
}
