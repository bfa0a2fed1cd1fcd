/**
 * The reaper (docs/SEMANTICS.md "Reaper"): periodically
 * - terminates (automation) jobs still `created` past the threshold (default 1 h) that
 *   could have been submitted — rows held back only by slots or maxParallel are waiting
 *   by design and are left alone;
 * - terminates (automation) jobs `queued` longer than the threshold (default 14 days);
 * - finishes retry lifecycles a crash interrupted (retry_complete = 0): re-derives which
 *   attempt is newest per row and rebuilds the batch's counts from the rows;
 * - prunes the event log past its retention.
 * Jobs the backend lost are reported by the backends' polls as error `lost`.
 */
import type { JobRow } from '../store/rows';
import type { Engine } from './engine';

export class Reaper {
  private timer: NodeJS.Timeout | null = null;

  constructor(private engine: Engine) {}

  start(): void {
    this.runOnce();
    this.timer = setInterval(() => this.runOnce(), this.engine.config.reaper.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  runOnce(): { created: number; queued: number; repaired: number } {
    const e = this.engine;
    const { store, life } = e;
    const now = Date.now();
    const res = { created: 0, queued: 0, repaired: 0 };
    try {
      res.repaired = this.repairRetries();
      const stale = store
        .prepare(
          `SELECT j.* FROM jobs j WHERE j.status = 'created' AND j.is_batch = 0 AND j.created_at < ?
           AND (j.submit_state = 'intent' OR j.backend NOT IN (SELECT value FROM json_each(?)))`
        )
        .all(
          now - e.config.reaper.createdMaxAgeMs,
          JSON.stringify([...e.backends.keys()])
        ) as JobRow[];
      const old = store
        .prepare(`SELECT * FROM jobs WHERE status = 'queued' AND is_batch = 0 AND queued_at < ?`)
        .all(now - e.config.reaper.queuedMaxAgeMs) as JobRow[];
      if (stale.length || old.length) {
        const ended: JobRow[] = [];
        life.commit(() => {
          for (const j of stale) {
            ended.push(
              life.terminate(
                j,
                'automation',
                `not submitted within ${Math.round(e.config.reaper.createdMaxAgeMs / 60000)} min`
              )
            );
          }
          for (const j of old) {
            ended.push(
              life.terminate(
                j,
                'automation',
                `queued longer than ${Math.round(e.config.reaper.queuedMaxAgeMs / 86400000)} days`
              )
            );
          }
        });
        void e.tracker.cancelAtBackend(ended);
        res.created = stale.length;
        res.queued = old.length;
        e.log.info(res, 'reaper terminated stale jobs');
      }
      store.events.prune(e.config.eventRetention.maxAgeMs, e.config.eventRetention.keepAtLeast);
    } catch (err) {
      e.log.error({ err }, 'reaper pass failed');
    }
    return res;
  }

  /** Rebuilds newest-attempt flags and counts for batches with an unfinished retry lifecycle. */
  repairRetries(): number {
    const { store, life } = this.engine;
    const open = store
      .prepare(
        `SELECT * FROM jobs WHERE retry_complete = 0 AND (status != 'created' OR created_at < ?)`
      )
      .all(Date.now() - 60_000) as JobRow[];
    if (open.length === 0) return 0;
    const batches = new Set(open.map(r => r.batch_id).filter((b): b is string => !!b));
    life.commit(() => {
      for (const r of open) {
        const root = r.retry_parent ?? r.id;
        const newest = store.db
          .prepare(
            'SELECT id FROM jobs WHERE id = ? OR retry_parent = ? ORDER BY attempt DESC LIMIT 1'
          )
          .pluck()
          .get(root, root) as string;
        store
          .prepare('UPDATE jobs SET is_latest = (id = ?) WHERE id = ? OR retry_parent = ?')
          .run(newest, root, root);
        // Created-but-unsubmitted retries stay open for the dispatcher; others are complete.
        if (r.status !== 'created') store.jobs.update(r.id, { retry_complete: 1 });
      }
      for (const b of batches) {
        const counts = store.db
          .prepare(
            `SELECT status, COUNT(*) AS n FROM jobs WHERE batch_id = ? AND role = 'task' AND is_latest = 1 GROUP BY status`
          )
          .all(b) as { status: string; n: number }[];
        const patch: Record<string, number> = {
          n_created: 0,
          n_queued: 0,
          n_running: 0,
          n_completed: 0,
          n_error: 0,
          n_terminated: 0,
        };
        for (const c of counts) patch[`n_${c.status}`] = c.n;
        store.batches.update(b, patch as any);
        life.markBatchDirty(b);
      }
    });
    return open.length;
  }
}
