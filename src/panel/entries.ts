/** The jobs panel's list and how one event changes it (pure, unit-tested). */
import type { BatchEvent, BatchRecord, JobEvent, JobRecord } from '../api/types';

export type Entry = (BatchRecord | JobRecord) & { batchJob?: boolean };
export type PanelEvent = JobEvent | BatchEvent;

/**
 * The list after one event, or null when the event names an entry the list doesn't have
 * (a new batch or job: the caller re-fetches). Rows and fan-ins are skipped: their
 * batch's event carries the progress.
 */
export function applyPanelEvent(items: Entry[], e: PanelEvent): Entry[] | null {
  if (e.type === 'job') {
    const j = e.job;
    if (j.batchId && j.batchId !== j.id) {
      return items;
    }
    if (!items.some(x => x.id === j.id)) {
      return null;
    }
    return items.map(x => (x.id === j.id ? ({ ...x, ...j } as Entry) : x));
  }
  const b = e.batch;
  if (!items.some(x => x.id === b.id)) {
    return null;
  }
  return items.map(x =>
    x.id === b.id
      ? ({
          ...x,
          status: b.status,
          counts: b.counts,
          total: b.total ?? (x as BatchRecord).total,
        } as Entry)
      : x
  );
}
