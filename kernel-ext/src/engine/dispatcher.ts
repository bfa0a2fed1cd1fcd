/**
 * Slots and priority: releases `created` jobs to their backend while the owner has free
 * slots on it — single jobs first, then fan-ins, then batch rows; then priority; then age.
 * A batch's maxParallel caps its rows in the scheduler. The server itself and a fan-out
 * job whose children run hold no slot, so nested fan-out cannot deadlock.
 *
 * Submission is crash-safe: the intent (submit_group) is committed before the scheduler
 * call and the scheduler's id after it; a restart asks the backend about open intents.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SubmitItem, SubmitOutcome, SubmitRequest } from '../backends/base';
import { containerArgv } from '../backends/container';
import { FILES, jobFileText, writeWorkDir } from '../backends/workdir';
import { isTerminal, type Resources } from '../protocol/records';
import { isDuration, isMemory, memoryToMiB, parseDuration, parseMemory } from '../units';
import type { WaitingJob } from '../store/queue';
import type { JobRow } from '../store/rows';
import { slotKey } from '../store/slots';
import type { Core, Effects } from './core';
import { isStorageFull } from './storage';
import { newId, newToken } from './ids';
import { assetPath } from '../assets';

const BIN_DIR = assetPath('bin');

/** Rows prepared between two yields to the event loop. */
const PREPARE_CHUNK = 200;

export class Dispatcher {
  private scheduled = false;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly core: Core,
    private readonly effects: Pick<
      Effects,
      'autoRetry' | 'cancelAtBackend' | 'markUnavailable' | 'isDown'
    >
  ) {}

  /** Ask for a dispatch pass soon; many kicks in one tick collapse into one pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      do {
        this.again = false;
        await this.passOnce();
      } while (this.again && !this.stopped);
    } catch (e) {
      // No space to record claims: the rows wait; the pass runs again once space returns.
      if (isStorageFull(e)) this.core.storage.markFull(e);
      else this.core.log.error({ err: e }, 'dispatch pass failed');
    } finally {
      this.running = false;
    }
  }

  slotLimit(backend: string, owner: string): number | null {
    const conf = this.core.config.slots[backend];
    if (conf && owner in conf) return conf[owner];
    if (conf && '*' in conf) return conf['*'];
    return this.core.backends.get(backend)?.defaultSlots ?? null;
  }

  /** One pass: pick what may go now, record intents, submit groups, record outcomes. */
  async passOnce(): Promise<void> {
    const { store, life } = this.core;
    // Nothing new goes out while the data dir is full: its records could not be written.
    if (this.core.storage.full) return;
    const inUse = store.slots.inUse();
    // Rows of a batch in the scheduler, counted only for batches with a maxParallel.
    const batchInUse = new Map<string, number>();
    const batchCount = (id: string): number => {
      let n = batchInUse.get(id);
      if (n === undefined) {
        n = store.slots.batchInUse(id);
        batchInUse.set(id, n);
      }
      return n;
    };
    const waiting = store.queue.waiting();

    const picked: WaitingJob[] = [];
    const unknownBackend: JobRow[] = [];
    for (const { owner, backend: name } of waiting) {
      const backend = this.core.backends.get(name);
      if (!backend) {
        unknownBackend.push(...store.queue.next(owner, name, 1000, 0));
        continue;
      }
      if (this.effects.isDown(name)) continue;
      const key = slotKey(owner, name);
      const limit = this.slotLimit(name, owner);
      let free = limit === null ? Infinity : limit - (inUse.get(key) ?? 0);
      // Read only as many waiting jobs as there are free slots. A batch found at its
      // maxParallel is left out of the reads from then on (store/queue.ts `held`); the
      // offset then counts only the rows read so far that are still in the result, which
      // are its first rows since leaving rows out keeps the order of the rest.
      const held = new Set<string>();
      const heldFromAttempt = backend.nativeMaxParallel ? 2 : 1;
      // Rows maxParallel governs (see below).
      const isHeld = (j: WaitingJob): boolean =>
        j.role === 'task' &&
        j.batch_id !== null &&
        j.max_parallel !== null &&
        j.attempt >= heldFromAttempt;
      const consumed: WaitingJob[] = [];
      for (;;) {
        if (free <= 0) break;
        const offset = held.size
          ? consumed.filter(r => !(r.batch_id && held.has(r.batch_id) && isHeld(r))).length
          : consumed.length;
        const want = Math.min(free, 100000);
        const rows = store.queue.next(owner, name, want, offset, [...held], heldFromAttempt);
        let newlyHeld = false;
        for (const j of rows) {
          if (free <= 0) break;
          consumed.push(j);
          // A fan-in retried while rows still run waits for them: it reads their outputs.
          if (j.role === 'fan_in' && (j.rows_pending ?? 0) > 0) continue;
          // The scheduler throttles a batch's first submission itself (nativeMaxParallel);
          // a retry is a separate submission its throttle does not see, so the engine
          // holds it while the batch is at maxParallel.
          if (isHeld(j)) {
            const n = batchCount(j.batch_id!);
            if (n >= j.max_parallel!) {
              held.add(j.batch_id!);
              newlyHeld = true;
              break;
            }
            batchInUse.set(j.batch_id!, n + 1);
          }
          free--;
          picked.push(j);
        }
        if (!newlyHeld && rows.length < want) break;
      }
    }

    if (unknownBackend.length) {
      life.commit(() => {
        for (const j of unknownBackend) {
          life.transition(j, 'error', {
            error_code: 'submit_failed',
            error_message: `Backend '${j.backend}' is not configured on this server`,
          });
        }
      });
    }
    if (picked.length === 0) return;
    const t0 = Date.now();

    // Group: one submission per backend and batch (retries and singles of a backend together).
    const groups = new Map<
      string,
      { backend: string; rows: JobRow[]; maxParallel: number | null }
    >();
    for (const j of picked) {
      const k = `${j.backend}\0${j.batch_id ?? ''}\0${j.role === 'fan_in' ? 'fi' : ''}`;
      let g = groups.get(k);
      if (!g) {
        g = { backend: j.backend, rows: [], maxParallel: j.max_parallel ?? null };
        groups.set(k, g);
      }
      g.rows.push(j);
    }
    const prepared: { req: SubmitRequest; backend: string }[] = [];
    const tokens = new Map<string, string>();
    const failed: { row: JobRow; message: string }[] = [];
    let sinceYield = 0;
    let noSpace = false;
    for (const g of groups.values()) {
      if (noSpace) break;
      const groupId = newId();
      const items: SubmitItem[] = [];
      for (const row of g.rows) {
        // Work dirs are a few file writes each: yield now and then, so that 10,000 rows
        // do not hold up requests and events for a second.
        if (++sinceYield % PREPARE_CHUNK === 0) {
          await new Promise(r => setImmediate(r));
          // Stopped meanwhile: nothing is recorded yet, the next start picks these up.
          if (this.stopped) return;
        }
        try {
          const token = newToken();
          tokens.set(row.id, token);
          items.push(this.prepareItem(row, token));
        } catch (e) {
          // No space for its work dir: the row waits for space; it did not fail.
          if (isStorageFull(e)) {
            this.core.storage.markFull(e);
            noSpace = true;
            break;
          }
          failed.push({ row, message: (e as Error).message });
        }
      }
      if (items.length)
        prepared.push({ backend: g.backend, req: { groupId, items, maxParallel: g.maxParallel } });
    }
    // Intent first: a crash after this commit is resolved by findSubmitted() on restart.
    life.commit(() => {
      for (const f of failed) {
        const cur = store.jobs.get(f.row.id)!;
        if (!isTerminal(cur.status))
          life.transition(cur, 'error', { error_code: 'submit_failed', error_message: f.message });
      }
      for (const p of prepared)
        for (const it of p.req.items)
          store.slots.claim(p.req.groupId, tokens.get(it.jobId)!, it.jobId);
    });
    const t1 = Date.now();
    await Promise.all(
      prepared.map(async p => {
        const backend = this.core.backends.get(p.backend)!;
        let outcomes: SubmitOutcome[];
        try {
          outcomes = await backend.submit(p.req);
        } catch (e) {
          // The scheduler is unreachable: the rows wait again, nothing failed.
          this.core.log.warn({ err: e, backend: p.backend }, 'submission failed; will retry');
          this.effects.markUnavailable(p.backend, (e as Error).message);
          this.core.storage.write('hand-backs', () =>
            store.tx(() => {
              for (const it of p.req.items) store.slots.handBack(it.jobId);
            })
          );
          return;
        }
        // Stopped while sbatch/condor_submit ran: the store may be closed. The intents
        // stay, and the next start finds these jobs at the scheduler (findSubmitted).
        if (this.stopped) return;
        const t2 = Date.now();
        this.recordOutcomes(outcomes);
        // Large submissions at info (an operator wants to see them); small ones at debug.
        const log = this.core.log;
        (p.req.items.length >= 100 ? log.info : log.debug).call(
          log,
          {
            backend: p.backend,
            jobs: p.req.items.length,
            prepareMs: t1 - t0,
            submitMs: t2 - t1,
            submittedAt: t2,
            recordMs: Date.now() - t2,
          },
          'dispatched'
        );
      })
    );
  }

  /** What the scheduler answered; on a full disk it waits for space (storage.ts), never lost. */
  recordOutcomes(outcomes: SubmitOutcome[]): void {
    this.core.storage.write('submission records', () => this.recordOutcomesNow(outcomes));
  }

  private recordOutcomesNow(outcomes: SubmitOutcome[]): void {
    const { store, life } = this.core;
    const lateCancels: JobRow[] = [];
    life.commit(() => {
      for (const o of outcomes) {
        const row = store.jobs.get(o.jobId);
        if (!row) continue;
        if (o.error) {
          if (!isTerminal(row.status)) {
            life.transition(row, 'error', {
              error_code: 'submit_failed',
              error_message: o.error,
              submit_state: 'done',
              retry_complete: 1,
            });
            this.effects.autoRetry(store.jobs.get(o.jobId)!);
          }
          continue;
        }
        const patch: Partial<JobRow> = {
          // A worker pool may have reported the job's holder before the submission returned.
          backend_job_id: o.backendJobId ?? row.backend_job_id ?? null,
          submit_state: 'done',
          retry_complete: 1,
        };
        if (isTerminal(row.status)) {
          store.jobs.update(row.id, patch);
          // Cancelled while the submission was in flight: cancel it at the scheduler too.
          // (A job that ran and ended meanwhile, as a local one can, is not cancelled.)
          if (row.status === 'terminated') lateCancels.push({ ...row, ...patch } as JobRow);
        } else if (row.status === 'created') {
          const queued = life.transition(row, 'queued', patch);
          if (o.startedAt)
            life.transition(queued, 'running', { started_at: Date.parse(o.startedAt) });
        } else {
          life.patch(row, patch);
        }
      }
    });
    if (lateCancels.length) void this.effects.cancelAtBackend(lateCancels);
    this.kick();
  }

  /** Work dir, argv and environment of one job; throws with a user-readable message. */
  prepareItem(row: JobRow, token: string): SubmitItem {
    const { apps, config, backends } = this.core;
    const app = apps.get(row.app, row.app_version) ?? apps.get(row.app);
    if (!app)
      throw new Error(`App '${row.app}' version ${row.app_version} is no longer registered`);
    const params = JSON.parse(row.params);
    const argv = containerArgv(app.container, apps.renderArgv(app, params), row.work_dir);
    const env: Record<string, string> = {
      BULKRUN_URL: config.publicUrl,
      BULKRUN_TOKEN: `job.${token}`,
      BULKRUN_JOB_ID: row.id,
      BULKRUN_BATCH_ID: row.batch_id ?? '',
      BULKRUN_ROW_INDEX: row.idx === null ? '' : String(row.idx),
      BULKRUN_ATTEMPT: String(row.attempt),
      BULKRUN_WORK_DIR: row.work_dir,
      BULKRUN_OUTPUT: path.join(row.work_dir, FILES.output),
      // `bulkrun` first; the server's own Node last, so `node` works in a job on a machine
      // whose only Node is the packaged one, and a system Node still wins.
      PATH: `${BIN_DIR}:${process.env.PATH ?? '/usr/bin:/bin'}:${path.dirname(process.execPath)}`,
      BULKRUN_NODE: process.execPath,
    };
    // The wrapper posts the job's start and exit to BULKRUN_URL (engine/reports.ts).
    if (backends.get(row.backend)?.reportsFromJobs) env.BULKRUN_REPORT = '1';
    // The request, for a job that sizes itself to it (a JVM heap, a thread pool), alike
    // on every backend (docs/SEMANTICS.md "Usage").
    const res = JSON.parse(row.resources) as Resources;
    if (isMemory(res.memory)) env.BULKRUN_MEMORY_MB = String(memoryToMiB(parseMemory(res.memory!)));
    if (isDuration(res.walltime))
      env.BULKRUN_WALLTIME_SECONDS = String(parseDuration(res.walltime!));
    if (row.role === 'fan_in' && row.batch_id) {
      const inputs = path.join(row.work_dir, FILES.faninInputs);
      fs.mkdirSync(row.work_dir, { recursive: true });
      fs.writeFileSync(
        inputs,
        JSON.stringify(this.core.store.attempts.latestOutputs(row.batch_id))
      );
      env.BULKRUN_FANIN_INPUTS = inputs;
    }
    const job = jobFileText(argv, env);
    if (!backends.get(row.backend)?.writesWorkDirs) writeWorkDir(row.work_dir, job);
    return {
      job,
      jobId: row.id,
      batchId: row.batch_id,
      role: row.role,
      index: row.idx,
      workDir: row.work_dir,
      argv,
      resources: res,
      container: app.container,
      priority: row.priority,
    };
  }
}
