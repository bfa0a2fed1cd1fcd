/**
 * A cell's metadata rebuilt from a batch on the server, for a batch no cell points at
 * (a notebook closed unsaved, a batch from the CLI or Python): the view shows the batch,
 * and "Edit for a new run" starts from the same app, rows and settings.
 */
import type { BatchRecord, JobRecord, Resources } from '../api/types';
import { newDraft, type CellMetadata } from './draft';

/** Grid text of a typed value: strings as they are, everything else as JSON. */
function cellText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function textParams(params: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined && v !== null) {
      out[k] = cellText(v);
    }
  }
  return out;
}

export function metadataFromBatch(batch: BatchRecord, rows: JobRecord[]): CellMetadata {
  const draft = newDraft({ backend: batch.backend });
  draft.app = batch.app;
  draft.label = batch.label ?? '';
  draft.rows = rows
    .filter(j => j.role === 'task')
    .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
    .map(j => textParams(j.params));
  if (!draft.rows.length) {
    draft.rows = [{}];
  }
  draft.resources = Object.fromEntries(
    Object.entries(batch.resources ?? {}).map(([k, v]) => [k, String(v)])
  ) as Resources;
  draft.maxParallel = batch.maxParallel ? String(batch.maxParallel) : '';
  if (batch.fanIn) {
    draft.fanIn = {
      app: batch.fanIn.app,
      when: batch.fanIn.when ?? 'all_completed',
      params: textParams(batch.fanIn.params),
      resources: {},
    };
  }
  return { version: 1, draft, batchId: batch.id };
}
