/**
 * The data dir's free space (docs/SEMANTICS.md "A full disk"). A write that fails for
 * space never crashes the server and never drops what a backend reported: it waits here,
 * in order, and runs again once space returns. Requests get `507 storage_full` meanwhile.
 * Invariant: while anything waits, later background writes queue behind it, so a job's
 * exit is never applied before the start that came first.
 */
import * as fs from 'fs';
import type { Logger } from '../backends/base';
import { ApiError } from '../protocol/errors';
import type { StorageReport } from '../protocol/records';

type StorageState = StorageReport['state'];

/** SQLite's "database or disk is full" (SQLITE_FULL, extended codes too) or ENOSPC/EDQUOT. */
export function isStorageFull(err: unknown): boolean {
  const e = err as { code?: string; errcode?: number; errstr?: string } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT') return true;
  if (typeof e.errcode === 'number' && (e.errcode & 0xff) === 13) return true;
  return /disk is full|no space left on device/i.test(e.errstr ?? '');
}

const MB = 1024 * 1024;
/** Without waiting writes to try, space counts as back when this much is free. */
const RESUME_FREE_BYTES = 4 * MB;

export class Storage {
  private state: StorageState = 'ok';
  private free: number | null = null;
  private readonly waiting: { what: string; fn: () => void }[] = [];
  private readonly onSpace: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly dataDir: string,
    private readonly lowSpaceBytes: number,
    private readonly log: Logger,
    /** How often free space is read; more often while full. */
    private readonly intervalMs = { ok: 10_000, full: 1_000 }
  ) {}

  start(): void {
    this.check();
    this.reschedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get full(): boolean {
    return this.state === 'full';
  }

  /** Called when space has come back and the waiting writes are done (a dispatch pass). */
  whenSpace(fn: () => void): void {
    this.onSpace.push(fn);
  }

  /**
   * Runs a background write now, or queues it when space is short or earlier writes
   * wait. `fn` must be safe to run again after a failure: it ran in a transaction that
   * rolled back. Errors other than a full disk propagate as before.
   */
  write(what: string, fn: () => void): void {
    if (this.waiting.length === 0) {
      try {
        fn();
        return;
      } catch (e) {
        if (!isStorageFull(e)) throw e;
        this.markFull(e);
      }
    }
    this.waiting.push({ what, fn });
  }

  /** A write failed for space: say so once, read free space faster until it returns. */
  markFull(err?: unknown): void {
    this.readFree();
    if (this.state !== 'full') {
      this.state = 'full';
      this.log.error(
        { dataDir: this.dataDir, freeBytes: this.free, err: (err as Error)?.message },
        'data dir full: writes wait until space is freed'
      );
      this.reschedule();
    }
  }

  /** Whether the data dir is (nearly) out of space right now: a fresh reading. */
  noSpace(): boolean {
    this.readFree();
    return this.state === 'full' || (this.free !== null && this.free < RESUME_FREE_BYTES);
  }

  /** "the data dir <path> is full (N MB free)", from a fresh reading. */
  describe(): string {
    this.readFree();
    const mb = this.free === null ? '?' : (this.free / MB).toFixed(1);
    return `the data dir ${this.dataDir} is full (${mb} MB free)`;
  }

  /** The 507 a request gets while the data dir is full. */
  error(): ApiError {
    return new ApiError(
      'storage_full',
      `${this.describe()}; free some space there and try again: jobs already running ` +
        'keep running and are recorded when space returns'
    );
  }

  report(): StorageReport {
    return {
      dataDir: this.dataDir,
      state: this.state,
      freeBytes: this.free,
      waiting: this.waiting.length,
    };
  }

  /** One reading: retry what waits when full; note low space otherwise. */
  check(): void {
    this.readFree();
    if (this.state === 'full') {
      if (!this.drain()) return;
      if (this.waiting.length === 0 && this.free !== null && this.free < RESUME_FREE_BYTES) return;
      this.log.info({ dataDir: this.dataDir, freeBytes: this.free }, 'data dir has space again');
      this.state = 'ok';
      for (const fn of this.onSpace) fn();
    }
    const low = this.free !== null && this.free < this.lowSpaceBytes;
    if (low && this.state === 'ok') {
      this.log.warn(
        { dataDir: this.dataDir, freeBytes: this.free, lowSpaceBytes: this.lowSpaceBytes },
        'data dir low on space'
      );
    }
    this.state = low ? 'low' : 'ok';
  }

  /** Runs the waiting writes in order; false when one still fails for space. */
  private drain(): boolean {
    let tried = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      try {
        next.fn();
        tried++;
      } catch (e) {
        if (!isStorageFull(e)) {
          // Not a space problem: it will not succeed by waiting. Log it and go on.
          this.log.error({ err: e, what: next.what }, 'a write that waited for space failed');
        } else {
          return false;
        }
      }
      this.waiting.shift();
    }
    if (tried) this.log.info({ writes: tried }, 'writes that waited for space are done');
    return true;
  }

  private readFree(): void {
    try {
      const s = fs.statfsSync(this.dataDir);
      this.free = s.bavail * s.bsize;
    } catch {
      this.free = null;
    }
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const ms = this.state === 'full' ? this.intervalMs.full : this.intervalMs.ok;
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.check();
      } finally {
        this.reschedule();
      }
    }, ms);
    this.timer.unref?.();
  }
}
