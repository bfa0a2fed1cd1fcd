/**
 * The live state of one batch: its parent record, one row per task (the newest
 * attempt) and the fan-in. Fed by one REST fetch and then by WebSocket events; it never
 * polls. `changed` is coalesced so that event bursts on 10,000 rows cost one render.
 */
import { ISignal, Signal } from '@lumino/signaling';
import type { BulkrunClient } from '../api/client';
import type { EventClient } from '../api/events';
import type {
  BatchCounts,
  BatchEvent,
  BatchRecord,
  JobEvent,
  JobRecord,
  JobStatus,
} from '../api/types';
import { isTerminal } from '../api/types';
import { countRows } from '../model/summary';

const RANK: Record<JobStatus, number> = {
  created: 0,
  queued: 1,
  running: 2,
  completed: 3,
  error: 3,
  terminated: 3,
};

/** Fields a new attempt does not inherit from the previous one. */
const FRESH_ATTEMPT: Partial<JobRecord> = {
  backendJobId: null,
  queuedAt: null,
  startedAt: null,
  finishedAt: null,
  exitCode: null,
  error: null,
  terminatedCode: null,
  output: null,
  retryIds: [],
  retryCount: 0,
};

/** Merges an event's changed fields into a job; a job's status never moves backwards. */
export function mergeJob(job: JobRecord, patch: JobEvent['job']): JobRecord {
  if (RANK[patch.status] < RANK[job.status]) {
    const { status: _s, ...rest } = patch;
    // A stale event (older than the REST snapshot): keep the newer status and times.
    const keep: Partial<JobRecord> = {};
    for (const [k, v] of Object.entries(rest)) {
      if ((job as any)[k] === null || (job as any)[k] === undefined) {
        (keep as any)[k] = v;
      }
    }
    return { ...job, ...keep };
  }
  return { ...job, ...patch } as JobRecord;
}

export type ModelState = 'loading' | 'ready' | 'error' | 'missing';

export class BatchModel {
  constructor(
    readonly id: string,
    private readonly client: BulkrunClient,
    private readonly schedule: (fn: () => void) => void = fn => setTimeout(fn, 100),
    private readonly pageSize: () => number = () => 5000
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }
  /** Increments on every change; React views key re-renders on it. */
  get version(): number {
    return this._version;
  }
  get state(): ModelState {
    return this._state;
  }
  get loadError(): string {
    return this._loadError;
  }
  get batch(): BatchRecord | null {
    return this._batch;
  }
  /** Rows by index: the newest attempt of each. */
  get rows(): readonly (JobRecord | undefined)[] {
    return this._rows;
  }
  get fanIn(): JobRecord | null {
    return this._fanIn;
  }
  /** Counts over effective row states (the server's when known, else computed). */
  get counts(): BatchCounts {
    return this._batch?.counts ?? countRows(this._rows);
  }
  /** Rows that have been retried at least once. */
  get retriedRows(): number {
    let n = 0;
    for (const r of this._rows) {
      if (r && r.attempt > 1) {
        n++;
      }
    }
    return n;
  }
  get isActive(): boolean {
    return !!this._batch && !isTerminal(this._batch.status);
  }

  /** Loads the batch and its rows over REST (first load and after `reset`). */
  async fetch(): Promise<void> {
    const gen = ++this._fetchGen;
    // Events that arrive while the snapshot is in flight may be newer than it: each answer
    // names the newest event it reflects (its seq), and the later ones are applied again
    // on top of it. Rows merge without going backwards; batch events carry full state, so
    // only the ones newer than the batch snapshot may replace it.
    this._inflight = [];
    try {
      const [b, j] = await Promise.all([
        this.client.batchRecordSnapshot(this.id),
        this.client.batchSnapshot(this.id, 'latest', this.pageSize()),
      ]);
      if (gen !== this._fetchGen) {
        return;
      }
      this._batch = b.batch;
      this._setJobs(j.jobs);
      this._state = 'ready';
      this._loadError = '';
      const replay = this._inflight;
      this._inflight = null;
      for (const ev of replay) {
        if (ev.type === 'batch') {
          if (b.seq !== null && ev.seq > b.seq) {
            this.applyBatch(ev);
          }
        } else if (ev.job.id === this.id) {
          if (b.seq !== null && ev.seq > b.seq) {
            this.applyJob(ev);
          }
        } else if (j.seq === null || ev.seq > j.seq) {
          this.applyJob(ev);
        }
      }
    } catch (e) {
      if (gen !== this._fetchGen) {
        return;
      }
      this._inflight = null;
      const status = (e as { status?: number }).status;
      this._state = status === 404 ? 'missing' : 'error';
      this._loadError = (e as Error).message;
    }
    this._emitNow();
  }

  /** Replaces rows from a REST listing of newest attempts (fan-in included). */
  private _setJobs(jobs: JobRecord[]): void {
    const rows: (JobRecord | undefined)[] = new Array(this._batch?.total ?? 0);
    let fanIn: JobRecord | null = null;
    for (const j of jobs) {
      if (j.role === 'fan_in') {
        if (!fanIn || j.attempt > fanIn.attempt) {
          fanIn = j;
        }
      } else if (j.index !== null && j.index !== undefined) {
        const cur = rows[j.index];
        if (!cur || j.attempt > cur.attempt) {
          rows[j.index] = j;
        }
      }
    }
    this._rows = rows;
    this._fanIn = fanIn;
  }

  /** Applies a job event; returns whether it concerned this batch. */
  applyJob(ev: JobEvent): boolean {
    const j = ev.job;
    if (this._inflight && (j.id === this.id || j.batchId === this.id)) {
      this._inflight.push(ev);
    }
    if (j.id === this.id) {
      if (this._batch) {
        this._batch = { ...this._batch, ...j } as BatchRecord;
        this._notify();
      }
      return true;
    }
    if (j.batchId !== this.id) {
      return false;
    }
    if (j.role === 'fan_in') {
      this._fanIn = this._mergeAttempt(this._fanIn, j);
    } else if (typeof j.index === 'number') {
      this._rows[j.index] = this._mergeAttempt(this._rows[j.index], j);
      if (this._batch && j.index >= this._batch.total) {
        this._batch = { ...this._batch, total: j.index + 1 };
      }
    } else {
      return false;
    }
    this._notify();
    return true;
  }

  private _mergeAttempt(cur: JobRecord | undefined | null, j: JobEvent['job']): JobRecord {
    if (!cur) {
      return { ...blankJob(), ...j } as JobRecord;
    }
    if (cur.id === j.id) {
      return mergeJob(cur, j);
    }
    if ((j.attempt ?? 0) > cur.attempt) {
      // A new attempt (retry): same params and resources as the row's previous attempt;
      // created now (events carry changed fields only, not createdAt).
      return {
        ...cur,
        ...FRESH_ATTEMPT,
        createdAt: new Date().toISOString(),
        ...j,
      } as JobRecord;
    }
    return cur;
  }

  applyBatch(ev: BatchEvent): boolean {
    const b = ev.batch;
    if (b.id !== this.id) {
      return false;
    }
    this._inflight?.push(ev);
    if (this._batch) {
      this._batch = {
        ...this._batch,
        status: b.status,
        counts: b.counts,
        total: b.total ?? this._batch.total,
        fanInJobId: b.fanInJobId ?? this._batch.fanInJobId,
      };
      this._notify();
    }
    return true;
  }

  /** Every attempt of one row, oldest first (for the expanded history). */
  async attempts(index: number): Promise<JobRecord[]> {
    if (!this._history) {
      this._history = this.client.allBatchJobs(this.id, 'all', this.pageSize());
    }
    let all: JobRecord[];
    try {
      all = await this._history;
    } finally {
      // Attempts change with retries: cache only for a short while.
      setTimeout(() => (this._history = null), 2000);
    }
    return all
      .filter(j => j.index === index && j.role !== 'fan_in')
      .sort((a, b) => a.attempt - b.attempt);
  }

  /** Emits `changed` now (for tests and the first load). */
  flush(): void {
    if (this._pending) {
      this._emitNow();
    }
  }

  dispose(): void {
    this._disposed = true;
    Signal.clearData(this);
  }

  private _notify(): void {
    this._version++;
    if (this._pending) {
      return;
    }
    this._pending = true;
    this.schedule(() => {
      if (this._pending && !this._disposed) {
        this._emitNow();
      }
    });
  }

  private _emitNow(): void {
    this._pending = false;
    this._version++;
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _version = 0;
  private _state: ModelState = 'loading';
  private _loadError = '';
  private _batch: BatchRecord | null = null;
  private _rows: (JobRecord | undefined)[] = [];
  private _fanIn: JobRecord | null = null;
  private _pending = false;
  private _disposed = false;
  private _fetchGen = 0;
  private _inflight: (JobEvent | BatchEvent)[] | null = null;
  private _history: Promise<JobRecord[]> | null = null;
}

function blankJob(): JobRecord {
  return {
    id: '',
    batchId: null,
    role: 'task',
    index: null,
    owner: '',
    app: '',
    appVersion: '',
    params: {},
    resources: {},
    backend: '',
    backendJobId: null,
    status: 'created',
    priority: 0,
    createdAt: new Date().toISOString(),
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    exitCode: null,
    error: null,
    terminatedCode: null,
    retryParent: null,
    retryIds: [],
    retryCount: 0,
    attempt: 1,
    output: null,
    workDir: '',
  };
}

/**
 * One BatchModel per batch id, shared by every cell showing it (two tabs of one
 * notebook render the same model). Routes WebSocket events to models.
 */
export class BatchModelRegistry {
  constructor(
    private readonly client: BulkrunClient,
    events: EventClient,
    private readonly pageSize: () => number = () => 5000
  ) {
    events.jobEvent.connect((_, ev) => this._models.get(ev.job.batchId ?? ev.job.id)?.applyJob(ev));
    events.batchEvent.connect((_, ev) => this._models.get(ev.batch.id)?.applyBatch(ev));
    events.resynced.connect(() => {
      for (const m of this._models.values()) {
        void m.fetch();
      }
    });
  }

  /** The model of a batch (fetched on first use); release it when done. */
  acquire(id: string): BatchModel {
    let m = this._models.get(id);
    if (!m) {
      m = new BatchModel(id, this.client, undefined, this.pageSize);
      this._models.set(id, m);
      this._refs.set(id, 0);
      void m.fetch();
    }
    this._refs.set(id, (this._refs.get(id) ?? 0) + 1);
    return m;
  }

  release(id: string): void {
    const n = (this._refs.get(id) ?? 1) - 1;
    if (n > 0) {
      this._refs.set(id, n);
      return;
    }
    this._refs.delete(id);
    this._models.get(id)?.dispose();
    this._models.delete(id);
  }

  get(id: string): BatchModel | undefined {
    return this._models.get(id);
  }

  private _models = new Map<string, BatchModel>();
  private _refs = new Map<string, number>();
}
