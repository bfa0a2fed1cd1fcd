/** The grid widget's draft, from the arguments of `bulkrun.grid()` (bulkrun/widget.py). */
import { newDraft, readMetadata, type CellMetadata, type Draft } from '../model/draft';

/** The grid's draft: the one it saved, else one made from the Python arguments. */
export function gridMetadata(
  app: string,
  rows: Record<string, unknown>[],
  options: Record<string, unknown>,
  saved: unknown,
  batchId: string
): CellMetadata {
  const read = saved ? readMetadata({ draft: saved, batchId: batchId || null }) : null;
  if (read) {
    return read;
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const cells = (o: Record<string, unknown> | undefined): Record<string, string> =>
    Object.fromEntries(
      Object.entries(o ?? {})
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, text(v)])
    );
  const draft: Draft = newDraft({ backend: String(options.backend ?? '') });
  draft.app = app;
  draft.rows = rows.length ? rows.map(r => cells(r)) : [{}];
  draft.shared = cells(options.shared as Record<string, unknown>);
  draft.resources = cells(options.resources as Record<string, unknown>) as Draft['resources'];
  draft.label = String(options.label ?? '');
  draft.maxParallel = options.max_parallel ? String(options.max_parallel) : '';
  const fanIn = options.fan_in as { app?: string; when?: string; params?: any } | string | null;
  if (fanIn) {
    const f = typeof fanIn === 'string' ? { app: fanIn } : fanIn;
    draft.fanIn = {
      app: String(f.app ?? ''),
      when: f.when === 'all_finished' ? 'all_finished' : 'all_completed',
      params: cells(f.params),
      resources: {},
    };
  }
  return { version: 1, draft, batchId: batchId || null };
}
