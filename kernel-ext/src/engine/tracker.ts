/**
 * Follows jobs in the schedulers: one poll per backend per interval for all its active
 * jobs (never one per job), backoff while a scheduler is down (nothing is marked failed
 * because of an outage), and the application of every status update the backends report.
 */
import * as fs from 'fs';
import * as path from 'path';
import type {
  BackendHealth,
  JobReport,
  PriorityChange,
  StatusUpdate,
  TrackedJob,
} from '../backends/base';
import { BackendUnavailable } from '../backends/base';
import { FILES } from '../backends/workdir';
import { isTerminal } from '../protocol/records';
import { abortBelow } from './cancel';
import { ReportWatch } from './report-watch';
import { mergeUsage } from './usage';
import type { JobRow } from '../store/rows';
import { SLOT_FREED } from '../store/slots';
import type { Core, Effects } from './core';

const MAX_BACKOFF_MS = 60_000;

export class Tracker {
  readonly cachedHealth = new Map<string, BackendHealth>();
  readonly reports = new ReportWatch();
  private timers = new Map<string, NodeJS.Timeout>();
  private backoff = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly core: Core,
    private readonly effects: Pick<Effects, 'kick' | 'recordOutcomes' | 'autoRetry'>
  ) {}

  async start(): Promise<void> {
    for (const [name, b] of this.core.backends) {
      await b.init({
        log: this.core.log,
        emit: updates => this.apply(updates),
        stateDir: path.join(this.core.config.dataDir, 'backends', name),
      });
      try {
        this.cachedHealth.set(name, await b.health());
      } catch (e) {
        this.cachedHealth.set(name, { available: false, detail: (e as Error).message });
      }
    }
    await this.recoverIntents();
    for (const name of this.core.backends.keys()) this.schedule(name, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  async healthAll(): Promise<Record<string, BackendHealth>> {
    const out: Record<string, BackendHealth> = {};
    await Promise.all(
      [...this.core.backends].map(async ([name, b]) => {
        try {
          out[name] = await b.health();
          const silent = b.reportsFromJobs
            ? this.reports.problem(name, this.core.config.publicUrl)
            : null;
          if (silent) out[name] = { ...out[name], detail: `${out[name].detail}; ${silent}` };
        } catch (e) {
          out[name] = { available: false, detail: (e as Error).message };
        }
        this.cachedHealth.set(name, out[name]);
      })
    );
    return out;
  }

  markUnavailable(name: string, detail: string): void {
    this.cachedHealth.set(name, { available: false, detail });
    this.backoff.set(name, Math.min((this.backoff.get(name) ?? 1000) * 2, MAX_BACKOFF_MS));
  }

  /** Whether the last health check or call found this backend unreachable. */
  isDown(name: string): boolean {
    return this.cachedHealth.get(name)?.available === false;
  }

  tracked(backend: string): TrackedJob[] {
    return this.core.store.slots.atScheduler(backend).map(trackedOf);
  }

  private schedule(name: string, delay: number): void {
    if (this.stopped) return;
    const backend = this.core.backends.get(name)!;
    if (backend.pollIntervalMs <= 0) return;
    const t = setTimeout(() => void this.pollOnce(name), delay);
    t.unref?.();
    this.timers.set(name, t);
  }

  async pollOnce(name: string): Promise<void> {
    const backend = this.core.backends.get(name)!;
    let next = backend.pollIntervalMs;
    try {
      const active = this.tracked(name);
      if (active.length > 0) {
        const updates = await backend.poll(active);
        // Stopped while the scheduler answered: the next start polls again.
        if (this.stopped) return;
        if (backend.reportsFromJobs) this.reports.polled(name, updates);
        this.apply(updates);
      }
      const wasDown = this.cachedHealth.get(name)?.available === false;
      if (wasDown) {
        this.cachedHealth.set(name, await backend.health());
        if (this.cachedHealth.get(name)?.available) {
          this.core.log.info({ backend: name }, 'backend reachable again');
          this.effects.kick();
        }
      }
      this.backoff.delete(name);
    } catch (e) {
      if (e instanceof BackendUnavailable) {
        this.markUnavailable(name, e.message);
        next = Math.max(next, this.backoff.get(name) ?? next);
        this.core.log.warn(
          { backend: name, retryInMs: next, err: e.message },
          'backend unavailable'
        );
      } else {
        this.core.log.error({ backend: name, err: e }, 'poll failed');
      }
    }
    this.schedule(name, next);
  }

  /**
   * A job's own report of its start or exit (engine/reports.ts): applied now when its
   * backend reads it from the work dir, else left to the next poll. False: nothing changed.
   */
  applyReport(row: JobRow, event: JobReport): boolean {
    const backend = this.core.backends.get(row.backend);
    if (!backend?.reported) return false;
    this.reports.report(row.backend);
    // `created`: the submission's outcome is not recorded yet; the poll takes it from there.
    if (row.status === 'created' || isTerminal(row.status)) return false;
    const update = backend.reported(trackedOf(row), event);
    if (!update) return false;
    this.apply([update]);
    return true;
  }

  /**
   * Applies backend updates in one transaction; terminal ones read outputs and may
   * auto-retry. On a full disk they wait and are applied once space returns (storage.ts).
   */
  apply(updates: StatusUpdate[]): void {
    if (updates.length === 0) return;
    // A wrapper that died without its exit record while the disk is full could not write
    // it: the disk failed, not the job, so the row retries (retry.ts) once space returns.
    for (const u of updates) {
      if (u.status === 'error' && u.error?.code === 'job_crashed' && this.core.storage.noSpace())
        u.error = {
          code: 'storage_full',
          message: `The job could not write to its work dir: ${this.core.storage.describe()}`,
        };
    }
    this.core.storage.write('status updates', () => this.applyNow(updates));
  }

  private applyNow(updates: StatusUpdate[]): void {
    const { store, life } = this.core;
    let freed = false;
    life.commit(() => {
      for (const u of updates) {
        const row = store.jobs.get(u.jobId);
        if (!row) continue;
        if (isTerminal(row.status)) {
          // Scheduler accounting may arrive after the exit record: fill in the usage only.
          const usage = u.usage && mergeUsage(row.usage, u.usage);
          if (usage && usage !== row.usage) life.patch(row, { usage });
          continue;
        }
        const patch: Partial<JobRow> = {};
        if (u.backendJobId && u.backendJobId !== row.backend_job_id)
          patch.backend_job_id = u.backendJobId;
        if (u.startedAt) patch.started_at = Date.parse(u.startedAt);
        if (u.reason) patch.last_seen = u.reason;
        if (row.is_batch) {
          // A dynamic fan-out parent: its own process ended; the batch decides its status.
          if (isTerminal(u.status)) {
            this.parentProcessEnded(row, u);
            freed = true;
          }
          continue;
        }
        if (!isTerminal(u.status)) {
          let cur = row;
          if (cur.status === 'created')
            cur = life.transition(cur, 'queued', u.status === 'queued' ? patch : {});
          if (u.status === 'running' && cur.status !== 'running') {
            life.transition(cur, 'running', patch, u.reason);
          } else if (cur === row && Object.keys(patch).length) {
            life.patch(cur, patch);
          }
          continue;
        }
        freed = true;
        if (u.finishedAt) patch.finished_at = Date.parse(u.finishedAt);
        if (u.exitCode !== undefined) patch.exit_code = u.exitCode;
        if (u.usage) patch.usage = mergeUsage(row.usage, u.usage);
        let status = u.status;
        if (status === 'completed') {
          const out = this.readOutput(row);
          if (out.error) {
            status = 'error';
            patch.error_code = out.error.code;
            patch.error_message = out.error.message;
          } else {
            patch.output = out.output;
          }
        } else if (status === 'error') {
          patch.error_code = u.error?.code ?? 'job_crashed';
          patch.error_message = u.error?.message ?? u.reason ?? 'The job failed';
        } else if (status === 'terminated') {
          patch.terminated_code = 'automation';
          if (u.reason) patch.error_message = u.reason;
        }
        let cur = row.status === 'created' ? life.transition(row, 'queued', {}) : row;
        // A job that exited did run, even if it started and ended between two polls:
        // record the running span so timelines and event streams are complete.
        if (cur.status === 'queued' && u.exitCode !== undefined && u.exitCode !== null) {
          const startedAt = u.startedAt
            ? Date.parse(u.startedAt)
            : (patch.finished_at ?? Date.now());
          cur = life.transition(cur, 'running', { started_at: startedAt });
        }
        const ended = life.transition(cur, status, patch, u.reason);
        if (status === 'error') this.effects.autoRetry(ended);
      }
    });
    if (freed) this.effects.kick();
  }

  private parentProcessEnded(row: JobRow, u: StatusUpdate): void {
    const { store, life } = this.core;
    const exit = u.exitCode ?? (u.status === 'completed' ? 0 : null);
    store.jobs.update(row.id, { submit_state: 'exited', ...SLOT_FREED, exit_code: exit });
    if (u.status !== 'completed') {
      // The fan-out job itself failed after creating children: abort them, keep its error.
      store.jobs.update(row.id, {
        error_code: u.error?.code ?? 'job_crashed',
        error_message: u.error?.message ?? `The fan-out job exited with code ${exit}`,
      });
      store.batches.update(row.id, { cancelled: 'batch_abort' });
      const ended = abortBelow(this.core, row.id, 'fan-out job failed');
      for (const child of store.jobs.byBatch(row.id)) {
        if (!isTerminal(child.status))
          ended.push(life.terminate(child, 'batch_abort', 'fan-out job failed'));
      }
      // After the commit: the scheduler is told only what the store recorded.
      setImmediate(() => void this.cancelAtBackend(ended));
    }
    life.markBatchDirty(row.id);
  }

  /** Reads $BULKRUN_OUTPUT after a successful exit: size-capped, must be JSON. */
  readOutput(row: JobRow): { output: string | null; error?: { code: string; message: string } } {
    const file = path.join(row.work_dir, FILES.output);
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      const app = this.core.apps.get(row.app, row.app_version);
      if ((app?.outputs as { required?: boolean } | undefined)?.required) {
        return {
          output: null,
          error: {
            code: 'missing_output',
            message: 'The job exited 0 but wrote no output to $BULKRUN_OUTPUT',
          },
        };
      }
      return { output: null };
    }
    const cap = this.core.config.outputMaxBytes;
    if (st.size > cap) {
      return {
        output: null,
        error: {
          code: 'invalid_output',
          message: `Output is ${st.size} bytes; the limit is ${cap}`,
        },
      };
    }
    const text = fs.readFileSync(file, 'utf8');
    try {
      return { output: JSON.stringify(JSON.parse(text)) };
    } catch (e) {
      return {
        output: null,
        error: {
          code: 'invalid_output',
          message: `$BULKRUN_OUTPUT is not valid JSON: ${(e as Error).message}`,
        },
      };
    }
  }

  /** Carries a priority change to the scheduler for jobs it holds queued (best effort). */
  async reprioritizeAtBackend(rows: JobRow[]): Promise<void> {
    const byBackend = new Map<string, PriorityChange[]>();
    for (const r of rows) {
      if (r.status !== 'queued' || r.submit_state !== 'done' || !r.backend_job_id) continue;
      const list = byBackend.get(r.backend) ?? [];
      list.push({ ...trackedOf(r), role: r.role, priority: r.priority });
      byBackend.set(r.backend, list);
    }
    for (const [name, jobs] of byBackend) {
      await this.core.backends
        .get(name)
        ?.reprioritize?.(jobs)
        .catch(e => this.core.log.warn({ backend: name, err: e }, 'reprioritize failed'));
    }
  }

  async cancelAtBackend(rows: JobRow[]): Promise<void> {
    const byBackend = new Map<string, TrackedJob[]>();
    for (const r of rows) {
      if (!r.submit_state) continue;
      const list = byBackend.get(r.backend) ?? [];
      list.push(trackedOf(r));
      byBackend.set(r.backend, list);
    }
    await Promise.all(
      [...byBackend].map(async ([name, jobs]) => {
        try {
          await this.core.backends.get(name)?.cancel(jobs);
        } catch (e) {
          this.core.log.warn(
            { backend: name, err: e, jobs: jobs.length },
            'cancel at backend failed'
          );
        }
      })
    );
  }

  /** After a restart: submissions whose outcome was never recorded. */
  private async recoverIntents(): Promise<void> {
    const { store } = this.core;
    const rows = store.slots.openIntents();
    if (rows.length === 0) return;
    const byBackend = new Map<string, JobRow[]>();
    for (const r of rows) byBackend.set(r.backend, [...(byBackend.get(r.backend) ?? []), r]);
    for (const [name, list] of byBackend) {
      const backend = this.core.backends.get(name);
      if (!backend) continue;
      let found = new Map<string, string>();
      try {
        found = await backend.findSubmitted(
          list.map(r => ({
            jobId: r.id,
            backendJobId: null,
            groupId: r.submit_group,
            workDir: r.work_dir,
            status: r.status,
          }))
        );
      } catch (e) {
        this.core.log.warn(
          { backend: name, err: e },
          'could not reconcile submissions; will retry later'
        );
        continue;
      }
      const outcomes = list
        .filter(r => found.has(r.id))
        .map(r => ({ jobId: r.id, backendJobId: found.get(r.id)! }));
      this.effects.recordOutcomes(outcomes);
      // Never received: back to the queue of created jobs, to be submitted once.
      store.tx(() => {
        for (const r of list) if (!found.has(r.id)) store.slots.handBack(r.id, { anyStatus: true });
      });
      this.core.log.info(
        { backend: name, found: outcomes.length, resubmit: list.length - outcomes.length },
        'reconciled open submissions'
      );
    }
  }
}

/** What a backend needs to know of a job it holds. */
function trackedOf(
  r: Pick<JobRow, 'id' | 'backend_job_id' | 'submit_group' | 'work_dir' | 'status'>
): TrackedJob {
  return {
    jobId: r.id,
    backendJobId: r.backend_job_id,
    groupId: r.submit_group,
    workDir: r.work_dir,
    status: r.status,
  };
}
