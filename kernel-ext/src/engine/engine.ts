/**
 * The engine's composition root: builds the core (store, lifecycle, apps, backends,
 * config, log) and the parts (dispatcher: slots, priority, submission; tracker: backend
 * updates; fan-in), routes each part's effects to the part that owns them, and answers
 * the API: creating batches and jobs after a full preflight, queries, priority. Cancel
 * and retry (cancel.ts, retry.ts) and the reaper take the Engine as their Parts.
 * Management lives here, never in a job.
 */
import type { AppRegistry } from '../apps/registry';
import type { Backend, BackendHealth, Logger } from '../backends/base';
import { ApiError } from '../protocol/errors';
import type {
  AppUsage,
  AppDefinition,
  BatchRecord,
  BatchSpec,
  FanInSpec,
  JobRecord,
  JobStatus,
  Resources,
  RowError,
} from '../protocol/records';
import { isTerminal, JOB_STATUSES } from '../protocol/records';
import type { Store } from '../store';
import type { JobRow } from '../store/rows';
import { toBatchRecord, toJobRecord } from '../store/rows';
import { SLOT_FREED } from '../store/slots';
import { type Actor, type ActOptions, canSee } from './access';
import { endCancelledRows } from './cancel';
import { yieldLoop } from './chunks';
import { EventBus } from './bus';
import type { EngineConfig } from './config';
import type { Core, Effects, Parts } from './core';
import { Dispatcher } from './dispatcher';
import { createFanIn, rerunFanIn } from './fan-in';
import { newId, newIds } from './ids';
import { Lifecycle } from './lifecycle';
import { newJobRow } from './new-job';
import {
  recordInParts,
  toRecord,
  visibleBatch,
  visibleBatchInParts,
  visibleRow,
  withChildren,
} from './records';
import { autoRetryFor } from './retry';
import { BatchWriter, insertRows, type RowTemplate, WRITE_CHUNK } from './batch-writer';
import { isStorageFull, Storage } from './storage';
import { Tracker } from './tracker';
import { appUsage } from './usage';
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

export class Engine implements Parts {
  readonly store: Store;
  readonly apps: AppRegistry;
  readonly backends: Map<string, Backend>;
  readonly config: EngineConfig;
  readonly log: Logger;
  readonly bus = new EventBus();
  readonly life: Lifecycle;
  readonly core: Core;
  readonly effects: Effects;
  readonly dispatcher: Dispatcher;
  readonly tracker: Tracker;
  readonly storage: Storage;
  /** Big batches' rows, written after their POST's answer (batch-writer.ts). */
  readonly writer: BatchWriter;

  constructor(deps: EngineDeps) {
    this.store = deps.store;
    this.apps = deps.apps;
    this.backends = deps.backends;
    this.config = deps.config;
    this.log = deps.log;
    this.storage = new Storage(this.config.dataDir, this.config.lowSpaceMB * 1024 * 1024, this.log);
    // Parts are built after the objects that route to them; each route is called only
    // once the engine is built (no part acts in its constructor).
    this.life = new Lifecycle(this.store, this.bus, {
      create: (batch, parent) => {
        const row = createFanIn(this.core, batch, parent);
        this.effects.kick();
        return row;
      },
      rerun: (_batch, fanIn) => rerunFanIn(this.core, fanIn),
    });
    this.core = {
      store: this.store,
      life: this.life,
      apps: this.apps,
      backends: this.backends,
      config: this.config,
      log: this.log,
      storage: this.storage,
    };
    this.effects = {
      kick: () => this.dispatcher.kick(),
      recordOutcomes: outcomes => this.dispatcher.recordOutcomes(outcomes),
      autoRetry: row => autoRetryFor(this.core, row),
      cancelAtBackend: rows => this.tracker.cancelAtBackend(rows),
      reprioritize: rows => this.tracker.reprioritizeAtBackend(rows),
      markUnavailable: (backend, detail) => this.tracker.markUnavailable(backend, detail),
      isDown: backend => this.tracker.isDown(backend),
    };
    this.dispatcher = new Dispatcher(this.core, this.effects);
    this.tracker = new Tracker(this.core, this.effects);
    this.writer = new BatchWriter(this);
  }

  async start(): Promise<void> {
    this.storage.start();
    this.storage.whenSpace(() => {
      this.finishCancels();
      this.dispatcher.kick();
    });
    await this.tracker.start();
    this.writer.resume();
    this.finishCancels();
    this.dispatcher.kick();
  }

  /**
   * Ends the open rows of batches whose cancel a stop (or a full disk) left part done
   * (engine/cancel.ts endCancelledRows); none of them starts meanwhile (store/queue.ts).
   */
  private finishCancels(): void {
    for (const id of this.store.jobs.interruptedCancels()) {
      endCancelledRows(this, id).catch(err => {
        if (isStorageFull(err)) this.storage.markFull(err);
        else this.log.error({ err, batch: id }, 'finishing a cancel failed');
      });
    }
  }

  async stop(): Promise<void> {
    this.writer.stop();
    this.storage.stop();
    this.tracker.stop();
    this.dispatcher.stop();
    for (const b of this.backends.values()) await b.close();
  }

  // ---------------------------------------------------------------- lookups

  /** The visible row, or a 404 naming the id. */
  row(actor: Actor, id: string, opts: ActOptions = {}): JobRow {
    return visibleRow(this.store, actor, id, opts);
  }

  getJob(actor: Actor, id: string, opts: ActOptions = {}): Promise<JobRecord | BatchRecord> {
    return recordInParts(this.store, this.row(actor, id, opts));
  }

  getBatch(actor: Actor, id: string, opts: ActOptions = {}): Promise<BatchRecord> {
    return visibleBatchInParts(this.store, actor, id, opts);
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
    const status = q.status ? checkStatus(q.status) : undefined;
    const before = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = this.store.pages.top(
      {
        withSingles: !!q.includeSingles,
        owner: actor.admin && q.asAdmin ? undefined : actor.user,
        status,
        before: before && { at: before[0], id: before[1] },
      },
      limit
    );
    const more = rows.length > limit;
    // A job's token lists only what it fanned out (its own sub-batch, if any).
    const page = rows.slice(0, limit).filter(r => !actor.jobId || canSee(actor, r));
    const items = page.map(r => {
      if (!r.is_batch)
        return toJobRecord(r, r.retry_parent ? [] : this.store.attempts.retryIds(r.id));
      const b = this.store.batches.get(r.id)!;
      // Lists omit childJobIds (GET /batches/{id} has them) to keep pages small.
      return toBatchRecord(toJobRecord(r, []), b, []);
    });
    const last = page[page.length - 1];
    return { items, nextCursor: more && last ? encodeCursor(last.created_at, last.id) : null };
  }

  /** The sub-batch `rowId` if it lies below `batchId` (nested fan-out), else a 404. */
  subBatchOf(actor: Actor, batchId: string, rowId: string): string {
    const row = this.row(actor, rowId);
    if (!row.is_batch || !this.store.jobs.ancestors(rowId).includes(batchId))
      throw new ApiError('not_found', `Job ${rowId} has no sub-batch in batch ${batchId}`);
    return rowId;
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
    const status = q.status ? checkStatus(q.status) : undefined;
    // Order: rows by index (fan-in last), attempts oldest first. Cursor = "<sortkey>:<attempt>".
    let after: { sk: number; attempt: number } | undefined;
    if (q.cursor) {
      const m = /^(\d+):(\d+)$/.exec(q.cursor);
      if (!m) throw new ApiError('invalid_request', 'Invalid cursor');
      after = { sk: Number(m[1]), attempt: Number(m[2]) };
    }
    const rows = this.store.pages.ofBatch(
      batchId,
      { latestOnly: attempts === 'latest', status, after },
      limit
    );
    const more = rows.length > limit;
    // A job's token lists only what it fanned out (its own sub-batch, if any).
    const page = rows.slice(0, limit).filter(r => !actor.jobId || canSee(actor, r));
    const roots = page.filter(r => !r.retry_parent).map(r => r.id);
    const retryMap = this.store.attempts.retryIdsMany(roots);
    const items = page.map(r => {
      const rec = toJobRecord(r, r.retry_parent ? [] : (retryMap.get(r.id) ?? []));
      return r.is_batch ? withChildren(rec, r, this.store.batches.get(r.id)) : rec;
    });
    const last = page[page.length - 1];
    return { items, nextCursor: more && last ? `${last.sk}:${last.attempt}` : null };
  }

  // ---------------------------------------------------------------- creation

  /**
   * Preflight, then the records in one transaction; 202 follows, submission happens in the
   * background. A big batch's checks yield to the event loop every VALIDATE_SLICE rows
   * and its rows are written after the answer (batch-writer.ts), so a 100,000-row POST
   * holds the loop for no long stretch.
   */
  async createBatch(
    actor: Actor,
    body: unknown,
    opts: { parentJob?: JobRow } = {}
  ): Promise<{ batch: BatchRecord; jobIds: string[]; existing: boolean }> {
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
    const existing = () => {
      const found = key ? this.store.batches.byIdempotencyKey(key) : undefined;
      if (!found) return null;
      const b = visibleBatch(this.store, actor, found.id);
      const writing = this.writer.idsOf(found.id);
      if (writing)
        return { batch: { ...b, childJobIds: writing }, jobIds: writing, existing: true };
      return { batch: b, jobIds: this.store.jobs.rowRoots(found.id), existing: true };
    };
    const before = existing();
    if (before) return before;
    // A fan-out's tasks run where the job that made them runs, unless it says otherwise.
    const backend = spec.backend ?? opts.parentJob?.backend ?? this.config.defaultBackend;
    if (!this.backends.has(backend)) {
      errors.push({
        row: null,
        field: 'backend',
        message: `unknown backend '${backend}' (known: ${[...this.backends.keys()].join(', ')})`,
      });
    }
    const app = this.apps.get(spec.app);
    if (!app) errors.push({ row: null, field: 'app', message: `unknown app '${spec.app}'` });
    // Relative paths mean what the user sees (apps/paths.ts); checked where jobs see our files.
    const checker =
      this.backends.get(backend)?.sharedFilesystem !== false ? new PathChecker() : null;
    let fanIn: FanInSpec | null = null;
    let fanApp: AppDefinition | undefined;
    if (spec.fanIn) {
      fanApp = this.apps.get(spec.fanIn.app);
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
      for (let i = 0; i < spec.params.length; i++) {
        if (i > 0 && i % VALIDATE_SLICE === 0) await yieldLoop();
        const merged = { ...shared, ...spec.params[i] };
        const found = this.apps.validateParams(app, merged);
        if (!found.length && paths.length)
          found.push(...resolveRowPaths(paths, merged, spec.baseDir, checker));
        for (const e of found) errors.push({ row: i, field: e.field, message: e.message });
        rows.push(merged);
      }
    }
    if (errors.length) throw validationError(errors);
    if (rows.length > VALIDATE_SLICE) await yieldLoop();
    // The same key may have been used while this request yielded.
    const meanwhile = existing();
    if (meanwhile) return meanwhile;

    const now = Date.now();
    const batchId = opts.parentJob?.id ?? newId();
    const resources: Resources = { ...(app!.resources ?? {}), ...(spec.resources ?? {}) };
    const ids = newIds(rows.length);
    const staged = rows.length > WRITE_CHUNK;
    const tpl: RowTemplate = {
      owner: opts.parentJob?.owner ?? actor.user,
      app: app!.id,
      app_version: app!.version,
      resources: JSON.stringify(resources),
      backend,
      priority: spec.priority ?? 0,
      created_at: now,
      origin: spec.origin ?? opts.parentJob?.origin ?? null,
      parent_job_id: opts.parentJob?.id ?? null,
    };
    this.life.commit(() => {
      if (opts.parentJob) {
        // Dynamic fan-out: the calling job becomes the batch parent and gives its slot back.
        const p = this.store.jobs.get(batchId)!;
        if (p.is_batch) throw new ApiError('conflict', `Job ${batchId} has already fanned out`);
        if (isTerminal(p.status))
          throw new ApiError(
            'wrong_state',
            `Job ${batchId} is ${p.status}; only a running job can fan out`
          );
        const depth = this.store.jobs.ancestors(batchId).length + 1;
        if (depth > this.config.maxFanOutDepth) {
          throw new ApiError(
            'conflict',
            `Job ${batchId} is at fan-out depth ${depth - 1}; the limit is ${this.config.maxFanOutDepth} levels of batches (engine.maxFanOutDepth)`
          );
        }
        this.store.jobs.update(batchId, { is_batch: 1, ...SLOT_FREED });
      } else {
        this.store.jobs.insert(
          newJobRow(this.config.dataDir, {
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
      // Up to a chunk's rows now; more after the answer, a chunk at a time (batch-writer.ts).
      if (staged) this.writer.record(batchId, tpl, ids, rows);
      else insertRows(this, batchId, tpl, ids, rows, 0, rows.length);
      this.life.markBatchDirty(batchId);
    });
    if (staged) this.writer.start(batchId, tpl, ids, rows, 0);
    this.log.info({ batchId, rows: rows.length, app: app!.id, backend }, 'batch created');
    this.effects.kick();
    const batch = visibleBatch(this.store, actor, batchId, { asAdmin: true });
    // Rows not yet written are the batch's children all the same.
    return { batch: staged ? { ...batch, childJobIds: ids } : batch, jobIds: ids, existing: false };
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
    const backend = spec.backend ?? this.config.defaultBackend;
    if (!this.backends.has(backend))
      errors.push({ row: null, field: 'backend', message: `unknown backend '${backend}'` });
    const app = this.apps.get(spec.app);
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
      const row = newJobRow(this.config.dataDir, {
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
    this.effects.kick();
    return toRecord(this.store, this.store.jobs.get(id)!);
  }

  setPriority(
    actor: Actor,
    id: string,
    priority: unknown,
    opts: ActOptions = {}
  ): Promise<JobRecord | BatchRecord> {
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
    // A batch's priority reaches every level of nested fan-out below it.
    const batches = row.is_batch ? [id, ...this.store.jobs.subBatches(id)] : [];
    this.life.commit(() => {
      this.life.patch(row, { priority: p });
      for (const b of batches) this.store.jobs.prioritizeBatch(b, p);
    });
    // Jobs the scheduler already holds: tell it too, where it can be told.
    const queued = row.is_batch
      ? batches.flatMap(b => this.store.jobs.queuedOfBatch(b))
      : [this.store.jobs.get(id)!];
    void this.effects.reprioritize(queued);
    this.effects.kick();
    return this.getJob(actor, id, opts);
  }

  /** The actor's history of an app, summarised with a suggestion (engine/usage.ts). */
  appUsage(actor: Actor, appId: string, version?: string): AppUsage {
    return appUsage(this, actor.user, appId, version);
  }

  health(): Promise<Record<string, BackendHealth>> {
    return this.tracker.healthAll();
  }
}

export { validationError } from './validate';

/** Rows checked between two turns of the event loop in createBatch (some 15 ms here). */
const VALIDATE_SLICE = 20000;

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
