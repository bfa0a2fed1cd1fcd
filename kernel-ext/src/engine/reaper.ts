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
import { yieldLoop } from './chunks';
import type { Parts } from './core';

/** A `created` retry younger than this is still the dispatcher's to submit, not a crash's leftover. */
const OPEN_RETRY_GRACE_MS = 60_000;
/**
 * Attempts repaired per pass, so a pass holds the event loop briefly however many are
 * open: a 100,000-row retry still waiting for slots after a minute took 4 s in one go.
 */
export const REPAIR_CHUNK = 500;
/** Events deleted per turn: a few ms here. */
export const PRUNE_CHUNK = 5000;

export class Reaper {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly parts: Parts) {}

  start(): void {
    this.runOnce();
    this.timer = setInterval(() => this.runOnce(), this.parts.core.config.reaper.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  runOnce(): { created: number; queued: number; repaired: number } {
    const { core, effects } = this.parts;
    const { store, life, config } = core;
    const now = Date.now();
    const res = { created: 0, queued: 0, repaired: 0 };
    try {
      res.repaired = this.repairRetries();
      const stale = store.jobs.staleCreated(now - config.reaper.createdMaxAgeMs, [
        ...core.backends.keys(),
      ]);
      const old = store.jobs.queuedBefore(now - config.reaper.queuedMaxAgeMs);
      if (stale.length || old.length) {
        const ended: JobRow[] = [];
        life.commit(() => {
          for (const j of stale) {
            ended.push(
              life.terminate(
                j,
                'automation',
                `not submitted within ${Math.round(config.reaper.createdMaxAgeMs / 60000)} min`
              )
            );
          }
          for (const j of old) {
            ended.push(
              life.terminate(
                j,
                'automation',
                `queued longer than ${Math.round(config.reaper.queuedMaxAgeMs / 86400000)} days`
              )
            );
          }
        });
        void effects.cancelAtBackend(ended);
        res.created = stale.length;
        res.queued = old.length;
        core.log.info(res, 'reaper terminated stale jobs');
      }
      void this.pruneEvents();
    } catch (err) {
      core.log.error({ err }, 'reaper pass failed');
    }
    return res;
  }

  /** Events past their retention, a chunk per turn (chunks.ts): a week's worth at once is millions. */
  private async pruneEvents(): Promise<void> {
    const { store, config, log } = this.parts.core;
    const { maxAgeMs, keepAtLeast } = config.eventRetention;
    try {
      while (store.events.prune(maxAgeMs, keepAtLeast, PRUNE_CHUNK) === PRUNE_CHUNK) {
        await yieldLoop();
        if (this.stopped) return;
      }
    } catch (err) {
      log.error({ err }, 'pruning old events failed');
    }
  }

  /** Rebuilds newest-attempt flags and counts for batches with an unfinished retry lifecycle. */
  repairRetries(): number {
    const { store, life } = this.parts.core;
    const open = store.attempts.open(Date.now() - OPEN_RETRY_GRACE_MS, REPAIR_CHUNK);
    if (open.length === 0) return 0;
    const batches = new Set(open.map(r => r.batch_id).filter((b): b is string => !!b));
    life.commit(() => {
      for (const r of open) {
        store.attempts.relinkLatest(r.retry_parent ?? r.id);
        // Relinked, the lifecycle is whole again: a `created` one is the dispatcher's to
        // submit like any waiting job, and no later pass reads it again.
        store.jobs.update(r.id, { retry_complete: 1 });
      }
      for (const b of batches) {
        store.batches.recount(b);
        life.markBatchDirty(b);
      }
    });
    return open.length;
  }
}
