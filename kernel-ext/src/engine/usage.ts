/**
 * A finished job's usage (docs/SEMANTICS.md "Usage"): how backend figures combine into the
 * stored record. The wrapper measures first; a scheduler's accounting may come later.
 */
import type { JobUsage } from '../protocol/records';

/**
 * A job's stored usage (JSON) with a backend's figures over it: a measured field wins, an
 * unmeasured one keeps the value it had. Returns `stored` itself when nothing changes.
 */
export function mergeUsage(stored: string | null, add: Partial<JobUsage>): string | null {
  const base: JobUsage = stored
    ? JSON.parse(stored)
    : { wallSeconds: null, cpuSeconds: null, maxRssBytes: null, source: add.source ?? 'wrapper' };
  const next: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(add)) if (v !== null && v !== undefined) next[k] = v;
  const text = JSON.stringify(next);
  return text === stored ? stored : text;
}
