/**
 * A batch's fan-in job (docs/SEMANTICS.md "Fan-out → process in parallel → fan-in"):
 * created once the rows allow it, in the commit that settled the last row (lifecycle.ts
 * refreshBatch); run again, as its next attempt, when rows were retried after it started.
 */
import type { FanInSpec } from '../protocol/records';
import type { BatchRow, JobRow } from '../store/rows';
import type { Core } from './core';
import { newId } from './ids';
import { newJobRow } from './new-job';
import { newAttempt } from './retry';

/** Writes the fan-in job of a batch whose rows are done (inside the commit). */
export function createFanIn(core: Core, batch: BatchRow, parent: JobRow): JobRow {
  const { store, apps, life } = core;
  const spec = JSON.parse(batch.fan_in!) as FanInSpec;
  const app = apps.get(spec.app);
  const id = newId();
  store.jobs.insert(
    newJobRow(core.config.dataDir, {
      id,
      batch_id: batch.id,
      is_batch: 0,
      role: 'fan_in',
      idx: null,
      owner: parent.owner,
      app: spec.app,
      app_version: app?.version ?? '',
      params: JSON.stringify(spec.params),
      resources: JSON.stringify(spec.resources),
      backend: parent.backend,
      status: 'created',
      priority: parent.priority,
      created_at: Date.now(),
      origin: parent.origin,
    })
  );
  const row = store.jobs.get(id)!;
  life.emitJob(row, { created_at: row.created_at }, 'fan-in started: rows are done');
  return row;
}

/** Writes the next attempt of a fan-in whose inputs changed (inside the commit). */
export function rerunFanIn(core: Core, fanIn: JobRow): JobRow {
  const root = fanIn.retry_parent ? core.store.jobs.get(fanIn.retry_parent)! : fanIn;
  return newAttempt(
    core,
    root,
    fanIn,
    'rows were retried after the fan-in ran: it runs again over their newest outputs'
  );
}
