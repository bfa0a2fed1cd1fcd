/** Apps and backend health, fetched once per page and shared by every cell. */
import * as React from 'react';
import type { AppList, BulkrunClient } from '../api/client';
import type { HealthReport } from '../api/types';

interface Cached<T> {
  at: number;
  promise: Promise<T>;
}

// One GET apps answers both the apps and the files that failed to load.
const apps = new WeakMap<BulkrunClient, Cached<AppList>>();
const health = new WeakMap<BulkrunClient, Cached<HealthReport>>();

function cached<T>(
  map: WeakMap<BulkrunClient, Cached<T>>,
  client: BulkrunClient,
  load: () => Promise<T>,
  ttl: number
): Promise<T> {
  const c = map.get(client);
  if (c && Date.now() - c.at < ttl) {
    return c.promise;
  }
  const promise = load();
  map.set(client, { at: Date.now(), promise });
  // A failure is not cached: the next view asks again.
  promise.catch(() => map.delete(client));
  return promise;
}

export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[]
): { data: T | null; error: string; reload: () => void } {
  const [data, setData] = React.useState<T | null>(null);
  const [error, setError] = React.useState('');
  const [n, setN] = React.useState(0);
  React.useEffect(() => {
    let live = true;
    load().then(
      d => live && (setData(d), setError('')),
      e => live && setError((e as Error).message)
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  const reload = React.useCallback(() => setN(x => x + 1), []);
  return { data, error, reload };
}

function appList(client: BulkrunClient): Promise<AppList> {
  return cached(apps, client, () => client.appList(), 60000);
}

export function useApps(client: BulkrunClient) {
  return useLoad(() => appList(client).then(l => l.apps), [client]);
}

/** The app files the server could not load (docs/USER-GUIDE.md "Configure"). */
export function useAppProblems(client: BulkrunClient) {
  return useLoad(() => appList(client).then(l => l.problems), [client]);
}

export function useHealth(client: BulkrunClient) {
  return useLoad(() => cached(health, client, () => client.health(), 15000), [client]);
}

export function forgetServerCache(client: BulkrunClient): void {
  apps.delete(client);
  health.delete(client);
}
