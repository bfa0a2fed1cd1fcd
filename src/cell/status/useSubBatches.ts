/**
 * The sub-batches of the rows a view has open (nested fan-out, src/model/subbatch.ts):
 * each is listed page by page when it opens and follows its rows' events while it stays
 * open; a closed one is dropped. Used by the Status tab's table and the Timeline.
 */
import * as React from 'react';
import type { JobEvent } from '../../api/types';
import { useView } from '../../components/context';
import {
  applySubEvent,
  loadingSubBatch,
  pageFailed,
  pageRequested,
  SUB_PAGE,
  withPage,
  type SubBatch,
  type SubBatches,
} from '../../model/subbatch';

export interface SubBatchesView {
  /** The open sub-batches by id; read it again when `version` changes. */
  subs: SubBatches;
  version: number;
  /** Loads the sub-batch's next page, or its failed page again. */
  more: (id: string) => void;
}

/**
 * `wantedOf` names the sub-batches to show from the ones loaded so far (nested ones are
 * found inside their parents); it is called on every render.
 */
export function useSubBatches(wantedOf: (subs: SubBatches) => readonly string[]): SubBatchesView {
  const { bulkrun } = useView();
  const store = React.useRef(new Map<string, SubBatch>());
  // A page answer counts only for the request made last for its sub-batch.
  const gen = React.useRef(new Map<string, number>());
  const [version, setVersion] = React.useState(0);
  const timer = React.useRef<ReturnType<typeof setTimeout> | null>(null);

  const wanted = wantedOf(store.current);
  const wantedKey = wanted.join('\n');

  const load = React.useCallback(
    (id: string, cursor: string | undefined) => {
      const cur = store.current.get(id);
      if (!cur) {
        return;
      }
      const g = (gen.current.get(id) ?? 0) + 1;
      gen.current.set(id, g);
      store.current.set(id, pageRequested(cur));
      const settle = (fn: (s: SubBatch) => SubBatch) => {
        const s = store.current.get(id);
        if (s && gen.current.get(id) === g) {
          store.current.set(id, fn(s));
          setVersion(v => v + 1);
        }
      };
      bulkrun.client.batchJobs(id, { cursor, limit: SUB_PAGE, attempts: 'latest' }).then(
        page => settle(s => withPage(s, page)),
        e => settle(s => pageFailed(s, (e as Error).message))
      );
    },
    [bulkrun]
  );

  // Open the new ones, drop the closed ones.
  React.useEffect(() => {
    const want = new Set(wantedKey ? wantedKey.split('\n') : []);
    let changed = false;
    for (const id of [...store.current.keys()]) {
      if (!want.has(id)) {
        store.current.delete(id);
        gen.current.delete(id);
        changed = true;
      }
    }
    for (const id of want) {
      if (!store.current.has(id)) {
        store.current.set(id, loadingSubBatch(id));
        load(id, undefined);
        changed = true;
      }
    }
    if (changed) {
      setVersion(v => v + 1);
    }
  }, [wantedKey, load]);

  // The page's socket receives every event the user may see (src/api/events.ts
  // subscribes without ids): following an open sub-batch is listening for its id.
  React.useEffect(() => {
    const onJob = (_: unknown, ev: JobEvent) => {
      const id = ev.job.batchId;
      const s = id ? store.current.get(id) : undefined;
      if (!id || !s) {
        return;
      }
      const next = applySubEvent(s, ev);
      if (next === s) {
        return;
      }
      store.current.set(id, next);
      // Bursts of events cost one render.
      timer.current ??= setTimeout(() => {
        timer.current = null;
        setVersion(v => v + 1);
      }, 100);
    };
    // Events were lost: list every open sub-batch again.
    const onResync = () => {
      for (const id of [...store.current.keys()]) {
        store.current.set(id, loadingSubBatch(id));
        load(id, undefined);
      }
      setVersion(v => v + 1);
    };
    bulkrun.events.jobEvent.connect(onJob);
    bulkrun.events.resynced.connect(onResync);
    return () => {
      bulkrun.events.jobEvent.disconnect(onJob);
      bulkrun.events.resynced.disconnect(onResync);
      if (timer.current) {
        clearTimeout(timer.current);
        timer.current = null;
      }
    };
  }, [bulkrun, load]);

  const more = React.useCallback(
    (id: string) => {
      const s = store.current.get(id);
      if (s && s.state !== 'loading' && (s.state === 'error' || s.nextCursor)) {
        load(id, s.nextCursor ?? undefined);
        setVersion(v => v + 1);
      }
    },
    [load]
  );

  return { subs: store.current, version, more };
}
