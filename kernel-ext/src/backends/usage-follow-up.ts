/**
 * Finished jobs whose scheduler usage comes after their terminal update (Slurm accounting,
 * an HTCondor job's final ad): the backend asks the scheduler about them again, a few
 * times, in a query it makes anyway or at most once per `everyMs`, and reports what it
 * finds as usage-only updates (base.ts, StatusUpdate.usage). Bounded in time (`waitMs`
 * after the end) and in number (`max` jobs at once).
 */
import type { Logger, StatusUpdate } from './base';

export interface UsageFollowUpOptions<W> {
  pollIntervalMs: number;
  /** Least time between two queries made for usage alone. */
  everyMs: number;
  /** How long after its end a job is asked about. */
  waitMs: number;
  max: number;
  /** The scheduler query for the due jobs, outside a poll: their usage-only updates. */
  ask(due: [string, W][]): Promise<StatusUpdate[]>;
}

export class UsageFollowUps<W> {
  private wanted = new Map<string, { w: W; until: number }>();
  private lastPollAt = 0;
  private lastAskAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private emit: ((u: StatusUpdate[]) => void) | null = null;
  private log: Logger | null = null;

  constructor(private readonly opts: UsageFollowUpOptions<W>) {}

  /** Where usage found outside a poll goes (the engine's emit). */
  start(emit: (u: StatusUpdate[]) => void, log: Logger): void {
    this.emit = emit;
    this.log = log;
  }

  get size(): number {
    return this.wanted.size;
  }

  /** A job that ended without its usage: ask again later. */
  note(jobId: string, w: W, now: number): void {
    if (this.wanted.size >= this.opts.max && !this.wanted.has(jobId)) return;
    this.wanted.set(jobId, { w, until: now + this.opts.waitMs });
  }

  /** Its usage came, or never will. */
  done(jobId: string): void {
    this.wanted.delete(jobId);
  }

  expired(jobId: string, now: number): boolean {
    const e = this.wanted.get(jobId);
    return !e || now > e.until;
  }

  clear(): void {
    this.wanted.clear();
  }

  /**
   * The jobs to ask about now, in a poll: all of them when the poll queries the scheduler
   * anyway, else only when `everyMs` has passed. Jobs still tracked (`active`) wait: their
   * end was just seen. Expired ones are dropped.
   */
  due(now: number, active: Set<string>, anyway: boolean): [string, W][] {
    this.lastPollAt = now;
    if (!anyway && now - this.lastAskAt < this.opts.everyMs) return [];
    return this.take(now, active);
  }

  private take(now: number, active: Set<string>): [string, W][] {
    const out: [string, W][] = [];
    for (const [jobId, e] of this.wanted) {
      if (now > e.until) this.wanted.delete(jobId);
      else if (!active.has(jobId)) out.push([jobId, e.w]);
    }
    if (out.length) this.lastAskAt = now;
    return out;
  }

  /**
   * The engine polls only while jobs are active, so the last jobs' usage would never come:
   * a timer asks for it, and emits it, once the polls have stopped.
   */
  schedule(): void {
    if (this.timer || this.wanted.size === 0 || !this.emit) return;
    const { pollIntervalMs, everyMs } = this.opts;
    const wait = Math.max(pollIntervalMs, everyMs - (Date.now() - this.lastAskAt));
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, wait);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    const polling = now - this.lastPollAt < this.opts.pollIntervalMs * 1.5;
    if (!this.busy && !polling && now - this.lastAskAt >= this.opts.everyMs) {
      const due = this.take(now, new Set());
      if (due.length) {
        this.busy = true;
        try {
          const updates = await this.opts.ask(due);
          if (updates.length) this.emit?.(updates);
        } catch (e) {
          this.log?.warn({ err: (e as Error).message }, 'usage follow-up failed');
        } finally {
          this.busy = false;
        }
      }
    }
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wanted.clear();
  }
}
