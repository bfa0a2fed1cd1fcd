/**
 * The engine: creates batches and jobs (after a full preflight), answers queries, and
 * wires the dispatcher (slots, priority, submission), the tracker (backend updates),
 * retries, cancels and the reaper together. Management lives here, never in a job.
 */
import * as path from 'path';
import type { AppRegistry } from '../apps/registry';
import type { Backend, BackendHealth, Logger } from '../backends/base';
import { ApiError } from '../protocol/errors';
import type {
  AppDefinition,
  BatchRecord,
  BatchSpec,
  FanInSpec,
  JobRecord,
  JobStatus,
  Resources,
  RowError,
} from '../protocol/records';
import { JOB_STATUSES } from '../protocol/records';
import type { Store } from '../store';
import type { BatchRow, JobRow } from '../store/rows';
import { toBatchRecord, toJobRecord } from '../store/rows';
import type { NewJob } from '../store/jobs';
import { type Actor, type ActOptions, canSee, notFound } from './access';
import { EventBus } from './bus';
import type { EngineConfig } from './config';
import { Dispatcher } from './dispatcher';
import { newId, newIds, ID_PATTERN } from './ids';
import { Lifecycle } from './lifecycle';
import { newAttempt } from './retry';
import { Tracker } from './tracker';
import { checkBatchBody, checkJobBody, validationError } from './validate';
import { PathChecker, pathFields, resolveRowPaths } from '../apps/paths';

export interface EngineDeps {
  store: Store;
  apps: AppRegistry;
  backends: Map<string, Backend>;
  config: EngineConfig;
  log: Logger;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export class Engine {
  readonly store: Store;
  readonly apps: AppRegistry;
  readonly backends: Map<string, Backend>;
  readonly config: EngineConfig;
  readonly log: Logger;
  readonly bus = new EventBus();
  readonly life: Lifecycle;
  readonly dispatcher: Dispatcher;
  readonly tracker: Tracker;

  constructor(deps: EngineDeps) {
    this.store = deps.store;
    this.apps = deps.apps;
    this.backends = deps.backends;
    this.config = deps.config;
    this.log = deps.log;
    this.life = new Lifecycle(this.store, this.bus);
    this.life.createFanIn = (batch, parent) => this.createFanInRow(batch, parent);
    this.life.rerunFanIn = (batch, fanIn) =>
      newAttempt(
        this,
        fanIn.retry_parent ? this.store.jobs.get(fanIn.retry_parent)! : fanIn,
        fanIn,
        'rows were retried after the fan-in ran: it runs again over their newest outputs'
      );
    this.dispatcher = new Dispatcher(this);
    this.tracker = new Tracker(this);
  }

  async start(): Promise<void> {
    await this.tracker.start();
    this.dispatcher.kick();
  }

  async stop(): Promise<void> {
    this.tracker.stop();
    this.dispatcher.stop();
    for (const b of this.backends.values()) await b.close();
  }

  // ---------------------------------------------------------------- lookups

  jobDir(id: string): string {
    return path.join(this.config.dataDir, 'jobs', id.slice(0, 2), id);
  }

  /** The visible row, or a 404 naming the id. */
  row(actor: Actor, id: string, opts: ActOptions = {}): JobRow {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
      throw new ApiError('not_found', `Job ${String(id).slice(0, 64)} not found`);
    }
    const row = this.store.jobs.get(id);
    if (!row || !canSee(actor, row, opts)) throw notFound(id);
    return row;
  }

  record(row: JobRow): JobRecord | BatchRecord {
    const root = row.retry_parent ?? row.id;
    const retryIds = row.retry_parent ? [] : this.store.jobs.retryIds(root);
    const rec = toJobRecord(row, retryIds);
    if (!row.is_batch) return rec;
    const b = this.store.batches.get(row.id)!;
    const children = this.store
      .prepare('SELECT id FROM jobs WHERE batch_id = ? ORDER BY role DESC, idx, attempt')
      .pluck()
      .all(row.id) as string[];
    return toBatchRecord(rec, b, children);
  }

  getJob(actor: Actor, id: string, opts: ActOptions = {}): JobRecord | BatchRecord {
    return this.record(this.row(actor, id, opts));
  }

  getBatch(actor: Actor, id: string, opts: ActOptions = {}): BatchRecord {
    const row = this.row(actor, id, opts);
    if (!row.is_batch) throw new ApiError('not_found', `Batch ${id} not found`);
    return this.record(row) as BatchRecord;
  }

  /** Batch summary without childJobIds (cheap: counts are kept per commit). */
  batchSummary(
    id: string
  ): { status: JobStatus; counts: BatchRecord['counts']; total: number } | null {
    const b = this.store.batches.get(id);
    const p = this.store.jobs.get(id);
    if (!b || !p) return null;
    return {
      status: p.status,
      total: b.total,
      counts: {
        created: b.n_created,
        queued: b.n_queued,
        running: b.n_running,
        completed: b.n_completed,
        error: b.n_error,
        terminated: b.n_terminated,
      },
    };
  }

  listBatches(
    actor: Actor,
    q: {
      status?: string;
      limit?: number;
      cursor?: string;
      asAdmin?: boolean;
      includeSingles?: boolean;
    }
  ): Page<BatchRecord | JobRecord> {
    const limit = clampLimit(q.limit, 100, 1000);
    const where: string[] = [
      'batch_id IS NULL',
      q.includeSingles ? "role = 'single'" : 'is_batch = 1',
    ];
    const args: unknown[] = [];
    if (!(actor.admin && q.asAdmin)) {
      where.push('owner = ?');
      args.push(actor.user);
    }
    if (q.status) {
      where.push('status = ?');
      args.push(checkStatus(q.status));
    }
    if (q.cursor) {
      const [at, id] = decodeCursor(q.cursor);
      where.push('(created_at < ? OR (created_at = ? AND id < ?))');
      args.push(at, at, id);
    }
    const rows = this.store
      .prepare(
        `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`
      )
      .all(...args, limit + 1) as JobRow[];
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const items = page.map(r => {
      if (!r.is_batch) return toJobRecord(r, r.retry_parent ? [] : this.store.jobs.retryIds(r.id));
      const b = this.store.batches.get(r.id)!;
      // Lists omit childJobIds (GET /batches/{id} has them) to keep pages small.
      return toBatchRecord(toJobRecord(r, []), b, []);
    });
    const last = page[page.length - 1];
    return { items, nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null };
  }

  listBatchJobs(
    actor: Actor,
    batchId: string,
    q: { status?: string; limit?: number; cursor?: string; attempts?: string; asAdmin?: boolean }
  ): Page<JobRecord> {
    const parent = this.row(actor, batchId, { asAdmin: q.asAdmin });
    if (!parent.is_batch) throw new ApiError('not_found', `Batch ${batchId} not found`);
    const attempts = q.attempts ?? 'latest';
    if (attempts !== 'latest' && attempts !== 'all') {
      throw new ApiError('invalid_request', "attempts must be 'latest' or 'all'");
    }
    const limit = clampLimit(q.limit, 1000, 100000);
    const where = ['batch_id = ?'];
    const args: unknown[] = [batchId];
    if (attempts === 'latest') where.push('is_latest = 1');
    if (q.status) {
      where.push('status = ?');
      args.push(checkStatus(q.status));
    }
    // Order: rows by index (fan-in last), attempts oldest first. Cursor = "<sortkey>:<attempt>".
    const sortKey = `(CASE WHEN role = 'fan_in' THEN 1000000000 ELSE idx END)`;
    if (q.cursor) {
      const m = /^(\d+):(\d+)$/.exec(q.cursor);
      if (!m) throw new ApiError('invalid_request', 'Invalid cursor');
      where.push(`(${sortKey} > ? OR (${sortKey} = ? AND attempt > ?))`);
      args.push(Number(m[1]), Number(m[1]), Number(m[2]));
    }
    const rows = this.store
      .prepare(
        `SELECT *, ${sortKey} AS sk FROM jobs WHERE ${where.join(' AND ')} ORDER BY sk, attempt LIMIT ?`
      )
      .all(...args, limit + 1) as (JobRow & { sk: number })[];
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const roots = page.filter(r => !r.retry_parent).map(r => r.id);
    const retryMap = this.store.jobs.retryIdsMany(roots);
    const items = page.map(r => toJobRecord(r, r.retry_parent ? [] : (retryMap.get(r.id) ?? [])));
    const last = page[page.length - 1];
    return { items, nextCursor: more && last ? `${last.sk}:${last.attempt}` : null };
  }

  // ---------------------------------------------------------------- creation

  app(id: string, version?: string): AppDefinition | undefined {
    return this.apps.get(id, version);
  }

  backendFor(name: string | undefined): string {
    return name ?? this.config.defaultBackend;
  }

  /** Preflight + records in one transaction; 202 follows, submission happens in the background. */
  createBatch(
    actor: Actor,
    body: unknown,
    opts: { parentJob?: JobRow } = {}
  ): { batch: BatchRecord; jobIds: string[]; existing: boolean } {
    const errors: RowError[] = checkBatchBody(body);
    if (errors.length) throw validationError(errors);
    const spec = body as BatchSpec;
    if (spec.params.length > this.config.maxRows) {
      throw validationError([
        {
          row: null,
          field: 'params',
          message: `has ${spec.params.length} rows; the limit is ${this.config.maxRows}`,
        },
      ]);
    }
    const key = spec.idempotencyKey ? `${actor.user}:${spec.idempotencyKey}` : null;
    if (key) {
      const existing = this.store.batches.byIdempotencyKey(key);
      if (existing) {
        const b = this.getBatch(actor, existing.id);
        return { batch: b, jobIds: this.rowIds(existing.id), existing: true };
      }
    }
    const backend = this.backendFor(spec.backend);
    if (!this.backends.has(backend)) {
      errors.push({
        row: null,
        field: 'backend',
        message: `unknown backend '${backend}' (known: ${[...this.backends.keys()].join(', ')})`,
      });
    }
    const app = this.app(spec.app);
    if (!app) errors.push({ row: null, field: 'app', message: `unknown app '${spec.app}'` });
    // Relative paths mean what the user sees (apps/paths.ts); checked where jobs see our files.
    const checker =
      this.backends.get(backend)?.sharedFilesystem !== false ? new PathChecker() : null;
    let fanIn: FanInSpec | null = null;
    let fanApp: AppDefinition | undefined;
    if (spec.fanIn) {
      fanApp = this.app(spec.fanIn.app);
      const fanParams = { ...(spec.fanIn.params ?? {}) };
      if (!fanApp)
        errors.push({ row: null, field: 'fanIn.app', message: `unknown app '${spec.fanIn.app}'` });
      else {
        const found = this.apps.validateParams(fanApp, { ...fanParams });
        if (!found.length)
          found.push(...resolveRowPaths(pathFields(fanApp), fanParams, spec.baseDir, checker));
        for (const e of found) {
          errors.push({ row: null, field: `fanIn.params.${e.field}`, message: e.message });
        }
      }
      fanIn = {
        app: spec.fanIn.app,
        params: fanParams,
        resources: { ...(fanApp?.resources ?? {}), ...(spec.fanIn.resources ?? {}) },
        when: spec.fanIn.when ?? 'all_completed',
      };
    }
    const rows: Record<string, unknown>[] = [];
    if (app) {
      const shared = spec.shared ?? {};
      const paths = pathFields(app);
      spec.params.forEach((p, i) => {
        const merged = { ...shared, ...p };
        const found = this.apps.validateParams(app, merged);
        if (!found.length && paths.length)
          found.push(...resolveRowPaths(paths, merged, spec.baseDir, checker));
        for (const e of found) errors.push({ row: i, field: e.field, message: e.message });
        rows.push(merged);
      });
    }
    if (errors.length) throw validationError(errors);

    const now = Date.now();
    const batchId = opts.parentJob?.id ?? newId();
    const resources: Resources = { ...(app!.resources ?? {}), ...(spec.resources ?? {}) };
    const jobIds: string[] = [];
    this.life.commit(() => {
      if (opts.parentJob) {
        // Dynamic fan-out: the calling job becomes the batch parent and gives its slot back.
        const p = this.store.jobs.get(batchId)!;
        if (p.is_batch) throw new ApiError('conflict', `Job ${batchId} has already fanned out`);
        this.store.jobs.update(batchId, { is_batch: 1, holds_slot: 0 });
      } else {
        this.store.jobs.insert(
          this.newJobRow({
            id: batchId,
            batch_id: null,
            is_batch: 1,
            role: 'single',
            idx: null,
            owner: actor.user,
            app: app!.id,
            app_version: app!.version,
            params: JSON.stringify(spec.shared ?? {}),
            resources: JSON.stringify(resources),
            backend,
            status: 'running',
            priority: spec.priority ?? 0,
            created_at: now,
            origin: spec.origin ?? null,
          })
        );
        this.store.jobs.update(batchId, { started_at: now });
      }
      this.store.batches.insert({
        id: batchId,
        label: spec.label ?? '',
        total: rows.length,
        fan_in: fanIn ? JSON.stringify(fanIn) : null,
        max_parallel: spec.maxParallel ?? null,
        max_retries: spec.maxRetries ?? this.config.defaultMaxRetries,
        idempotency_key: key,
        n_created: rows.length,
      });
      const owner = opts.parentJob?.owner ?? actor.user;
      const ids = newIds(rows.length);
      rows.forEach((params, i) => {
        const id = ids[i];
        jobIds.push(id);
        this.store.jobs.insert(
          this.newJobRow({
            id,
            batch_id: batchId,
            is_batch: 0,
            role: 'task',
            idx: i,
            owner,
            app: app!.id,
            app_version: app!.version,
            params: JSON.stringify(params),
            resources: JSON.stringify(resources),
            backend,
            status: 'created',
            priority: spec.priority ?? 0,
            created_at: now,
            origin: spec.origin ?? opts.parentJob?.origin ?? null,
            parent_job_id: opts.parentJob?.id ?? null,
          })
        );
      });
      this.life.markBatchDirty(batchId);
    });
    this.log.info({ batchId, rows: rows.length, app: app!.id, backend }, 'batch created');
    this.dispatcher.kick();
    return { batch: this.getBatch(actor, batchId, { asAdmin: true }), jobIds, existing: false };
  }

  createJob(actor: Actor, body: unknown): JobRecord {
    const errors = checkJobBody(body);
    if (errors.length) throw validationError(errors);
    const spec = body as {
      app: string;
      params: Record<string, unknown>;
      resources?: Resources;
      backend?: string;
      priority?: number;
      origin?: string;
      baseDir?: string;
    };
    const backend = this.backendFor(spec.backend);
    if (!this.backends.has(backend))
      errors.push({ row: null, field: 'backend', message: `unknown backend '${backend}'` });
    const app = this.app(spec.app);
    if (!app) errors.push({ row: null, field: 'app', message: `unknown app '${spec.app}'` });
    else {
      const found = this.apps.validateParams(app, spec.params);
      if (!found.length) {
        const checker =
          this.backends.get(backend)?.sharedFilesystem !== false ? new PathChecker() : null;
        found.push(...resolveRowPaths(pathFields(app), spec.params, spec.baseDir, checker));
      }
      for (const e of found)
        errors.push({ row: null, field: `params.${e.field}`, message: e.message });
    }
    if (errors.length) throw validationError(errors);
    const id = newId();
    this.life.commit(() => {
      const row = this.newJobRow({
        id,
        batch_id: null,
        is_batch: 0,
        role: 'single',
        idx: null,
        owner: actor.user,
        app: app!.id,
        app_version: app!.version,
        params: JSON.stringify(spec.params),
        resources: JSON.stringify({ ...(app!.resources ?? {}), ...(spec.resources ?? {}) }),
        backend,
        status: 'created',
        priority: spec.priority ?? 0,
        created_at: Date.now(),
        origin: spec.origin ?? null,
      });
      this.store.jobs.insert(row);
      this.life.emitJob(this.store.jobs.get(id)!, { created_at: row.created_at });
    });
    this.dispatcher.kick();
    return this.record(this.store.jobs.get(id)!);
  }

  /** Fills the bookkeeping columns every new job row starts with. */
  newJobRow(
    j: Omit<
      NewJob,
      | 'attempt'
      | 'is_latest'
      | 'retry_complete'
      | 'work_dir'
      | 'job_token'
      | 'retry_parent'
      | 'parent_job_id'
      | 'origin'
    > &
      Partial<
        Pick<NewJob, 'attempt' | 'retry_parent' | 'retry_complete' | 'parent_job_id' | 'origin'>
      >
  ): NewJob {
    return {
      attempt: 1,
      is_latest: 1,
      retry_complete: 1,
      retry_parent: null,
      parent_job_id: null,
      origin: null,
      ...j,
      work_dir: this.jobDir(j.id),
      // Minted when the job is handed to a scheduler (dispatcher.prepare), not before.
      job_token: null,
    };
  }

  private createFanInRow(batch: BatchRow, parent: JobRow): JobRow | null {
    const spec = JSON.parse(batch.fan_in!) as FanInSpec;
    const app = this.app(spec.app);
    const id = newId();
    this.store.jobs.insert(
      this.newJobRow({
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
    const row = this.store.jobs.get(id)!;
    this.life.emitJob(row, { created_at: row.created_at }, 'fan-in started: rows are done');
    this.dispatcher.kick();
    return row;
  }

  private rowIds(batchId: string): string[] {
    return this.store
      .prepare(
        "SELECT id FROM jobs WHERE batch_id = ? AND role = 'task' AND retry_parent IS NULL ORDER BY idx"
      )
      .pluck()
      .all(batchId) as string[];
  }

  setPriority(
    actor: Actor,
    id: string,
    priority: unknown,
    opts: ActOptions = {}
  ): JobRecord | BatchRecord {
    const row = this.row(actor, id, opts);
    if (
      !Number.isInteger(priority) ||
      (priority as number) < -1000 ||
      (priority as number) > 1000
    ) {
      throw validationError([
        { row: null, field: 'priority', message: 'must be an integer from -1000 to 1000' },
      ]);
    }
    const p = priority as number;
    this.life.commit(() => {
      this.life.patch(row, { priority: p });
      if (row.is_batch) {
        this.store.db
          .prepare(
            "UPDATE jobs SET priority = ? WHERE batch_id = ? AND status IN ('created','queued','running')"
          )
          .run(p, id);
      }
    });
    // Jobs the scheduler already holds: tell it too, where it can be told.
    const queued = row.is_batch
      ? (this.store
          .prepare("SELECT * FROM jobs WHERE batch_id = ? AND status = 'queued'")
          .all(id) as JobRow[])
      : [this.store.jobs.get(id)!];
    void this.tracker.reprioritizeAtBackend(queued);
    this.dispatcher.kick();
    return this.getJob(actor, id, opts);
  }

  health(): Promise<Record<string, BackendHealth>> {
    return this.tracker.healthAll();
  }
}

export { validationError } from './validate';

function clampLimit(v: number | undefined, def: number, max: number): number {
  if (v === undefined || Number.isNaN(v)) return def;
  if (!Number.isInteger(v) || v < 1)
    throw new ApiError('invalid_request', 'limit must be a positive integer');
  return Math.min(v, max);
}

function checkStatus(s: string): JobStatus {
  if (!(JOB_STATUSES as readonly string[]).includes(s)) {
    throw new ApiError('invalid_request', `status must be one of ${JOB_STATUSES.join(', ')}`);
  }
  return s as JobStatus;
}

function encodeCursor(at: number, id: string): string {
  return Buffer.from(`${at}:${id}`).toString('base64url');
}

function decodeCursor(c: string): [number, string] {
  const m = /^(\d+):([0-9a-z]+)$/.exec(Buffer.from(c, 'base64url').toString());
  if (!m) throw new ApiError('invalid_request', 'Invalid cursor');
  return [Number(m[1]), m[2]];
}
