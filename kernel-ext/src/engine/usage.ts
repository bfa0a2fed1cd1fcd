/**
 * A finished job's usage (docs/SEMANTICS.md "Usage"): how backend figures combine into the
 * stored record. The wrapper measures first; a scheduler's accounting may come later.
 */
import type { AppRegistry } from '../apps/registry';
import type { AppUsage, JobUsage } from '../protocol/records';
import { ApiError } from '../protocol/errors';
import type { Store } from '../store';
import type { JobRow } from '../store/rows';
import {
  HISTORY_LIMIT,
  nextMemory,
  nextWalltime,
  summarize,
  WINDOW_DAYS,
  type Sample,
} from './suggest';

/**
 * A job's stored usage (JSON) with a backend's figures over it: a measured field wins, an
 * unmeasured one keeps the value it had. Returns `stored` itself when nothing changes.
 */
export function mergeUsage(stored: string | null, add: Partial<JobUsage>): string | null {
  const base: JobUsage = stored
    ? JSON.parse(stored)
    : { wallSeconds: null, cpuSeconds: null, maxRssBytes: null, source: add.source ?? 'wrapper' };
  const next: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(add)) {
    if (v === null || v === undefined) continue;
    // The wrapper's wall time is to the microsecond; a scheduler's (ElapsedRaw) to the second.
    if (k === 'wallSeconds' && stored && base.wallSeconds !== null) continue;
    next[k] = v;
  }
  const text = JSON.stringify(next);
  return text === stored ? stored : text;
}

/** What reading the history needs: the store's usage queries and the app registry. */
export interface UsageDeps {
  store: Store;
  apps: AppRegistry;
}

/** The samples of an app's history as engine/suggest.ts reads them. */
export function historyOf(deps: UsageDeps, owner: string, app: string, now = Date.now()): Sample[] {
  const since = now - WINDOW_DAYS * 86_400_000;
  return deps.store.usage.history(owner, app, since, HISTORY_LIMIT).map(r => ({
    version: r.app_version,
    params: JSON.parse(r.params),
    resources: JSON.parse(r.resources),
    status: r.status,
    errorCode: r.error_code,
    usage: r.usage ? (JSON.parse(r.usage) as JobUsage) : null,
  }));
}

/** GET /apps/{id}/usage: the owner's history of the app summarised, with a suggestion. */
export function appUsage(
  deps: UsageDeps,
  owner: string,
  appId: string,
  version?: string
): AppUsage {
  const app = deps.apps.get(appId, version);
  if (!app) throw new ApiError('not_found', `App ${appId} not found`);
  const ctx = {
    app: app.id,
    version: app.version,
    defaults: app.resources ?? {},
    autoRetryOom: !!app.retryOnOomWithMoreMemory,
  };
  return summarize(ctx, historyOf(deps, owner, app.id));
}

/**
 * The memory an automatic `oom` retry of `row` asks for (bytes): the next size the
 * owner's history of the app supports (engine/suggest.ts nextMemory), at most the
 * backend's `maxMemory` when its config sets one.
 */
export function oomRetryMemory(
  deps: UsageDeps,
  row: JobRow,
  current: number,
  cap: number | null
): number {
  const peaks = historyOf(deps, row.owner, row.app)
    .filter(s => s.status === 'completed' && s.usage?.maxRssBytes)
    .map(s => s.usage!.maxRssBytes!);
  return nextMemory(current, peaks, cap);
}

/** The walltime an automatic `timeout` retry of `row` asks for (seconds). */
export function timeoutRetryWalltime(deps: UsageDeps, row: JobRow, current: number): number {
  const walls = historyOf(deps, row.owner, row.app)
    .filter(s => s.status === 'completed' && s.usage?.wallSeconds)
    .map(s => s.usage!.wallSeconds!);
  return nextWalltime(current, walls);
}
