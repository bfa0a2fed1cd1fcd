/**
 * Slurm backend. A submission becomes one `sbatch --array` per resource set and
 * MaxArraySize chunk; each array task finds its work dir by index in a map file written
 * before sbatch runs, and execs the shared wrapper. Polling is one squeue query per
 * interval for all active jobs; the wrapper's exit record is the truth for exit codes,
 * Slurm's state explains jobs that never wrote one (time limit, cancel, node failure).
 * Job names `bulkrun:<groupId>:<part>` let a restarted server find arrays whose ids it
 * never recorded. Where Slurm keeps accounting, sacct also gives a finished job's usage
 * (CPU, peak memory): on its terminal update, or in a usage-only update a little later.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  BackendUnavailable,
  chunks,
  idsByPriorityValue,
  type Backend,
  type BackendContext,
  type BackendHealth,
  type JobReport,
  type NodesConfig,
  wantsReports,
  type StatusUpdate,
  type SubmitItem,
  type SubmitOutcome,
  type SubmitRequest,
  type TrackedJob,
  type PriorityChange,
} from './base';
import { isTerminal, type JobUsage } from '../protocol/records';
import { readExitUpdate, reportedUpdate } from './exit-record';
import { installScript, installWrapper } from './install';
import { UsageFollowUps } from './usage-follow-up';
import { CommandError, isCommandNotFound, runCommand } from './run';
import {
  formatArrayRange,
  isControllerUnreachable,
  isGoneJobError,
  mapSlurmState,
  parseSacct,
  parseScontrolConfig,
  parseSqueueJson,
  parseSqueueText,
  SACCT_FORMAT,
  SQUEUE_TEXT_FORMAT,
  type SlurmRow,
  type SlurmUsage,
} from './slurm-parse';
import {
  ARRAY_TASK_SCRIPT,
  jobName,
  niceFor,
  parseJobName,
  parseSbatchParsable,
  resourceArgs,
  sbatchArgv,
} from './slurm-script';
import { readExit, readStarted, WRAPPER_PATH } from './workdir';

type CommandName = 'sbatch' | 'squeue' | 'scancel' | 'scontrol' | 'sacct';

export interface SlurmConfig extends NodesConfig {
  pollIntervalMs?: number;
  /** Paths of the Slurm commands (default: found on PATH). */
  commands?: Partial<Record<CommandName, string>>;
  partition?: string;
  account?: string;
  qos?: string;
  /** Appended to every sbatch call, e.g. ["--export=NONE"] or ["--constraint=intel"]. */
  extraSbatchArgs?: string[];
  /** `--nice` of batch rows, so single jobs go first (0 = none). */
  niceForTasks?: number;
  /** Per-user slot limit; null (default) leaves it to Slurm's own policies. */
  slots?: number | null;
  /** How long a job may be missing from Slurm with no exit record before it is `lost`. */
  lostGraceMs?: number;
  /** `text` (squeue -r -o, default: 20× cheaper at 10,000 rows) or `json` (squeue --json). */
  queryFormat?: 'text' | 'json';
  /** User whose jobs squeue lists (default: the server's user). */
  user?: string;
  commandTimeoutMs?: number;
  /** Cap on tasks per sbatch call below the controller's MaxArraySize. */
  maxArraySize?: number;
}

/** Chunk size when `scontrol show config` can't be read (Slurm's default MaxArraySize). */
const DEFAULT_MAX_ARRAY_SIZE = 1001;
/** Job ids per `scontrol update` call (its argv stays well under the system limit). */
const IDS_PER_UPDATE = 500;
/** Job specs per scancel call (each is an array's range, so the argv stays short). */
const SPECS_PER_SCANCEL = 200;
/** Map files older than this are removed at start (the reaper ends queued jobs after 14 days). */
const MAP_RETENTION_MS = 30 * 86400_000;
/**
 * How long after a job's end sacct is asked again for its usage: the exit record is often
 * read before slurmctld has sent the step's figures to slurmdbd (a second or two).
 */
const USAGE_WAIT_MS = 60_000;
/**
 * Least time between two sacct queries made for usage alone: with its steps, sacct costs
 * slurmdbd several times what -X does (0.7 s against 0.15 s for a 2,000-task array here).
 * A query made anyway (jobs gone from squeue) takes the waiting jobs along.
 */
const USAGE_EVERY_MS = 5000;
/** Finished jobs awaiting their usage at once; beyond it a job goes without (bounded memory). */
const USAGE_MAX_PENDING = 50_000;
/**
 * Up to this many tasks of an array are asked for by id (`A_i,...`); more, and the whole
 * array is: sacct answers a long id list far slower than the array (59 s for 2,000 ids).
 */
const USAGE_TASK_IDS_MAX = 20;

interface Seen {
  what: string;
  at: Date;
}

/** A finished job whose usage sacct did not have yet. */
interface UsageWanted {
  backendJobId: string;
  status: StatusUpdate['status'];
}

export class SlurmBackend implements Backend {
  readonly name = 'slurm';
  get sharedFilesystem(): boolean {
    return this.cfg.sharedFilesystem !== false;
  }
  get reportsFromJobs(): boolean {
    return wantsReports(this.cfg);
  }
  readonly pollIntervalMs: number;
  readonly defaultSlots: number | null;
  readonly nativeMaxParallel = true;
  readonly writesWorkDirs = true;
  private ctx!: BackendContext;
  private cmd: Record<CommandName, string>;
  private wrapper = WRAPPER_PATH;
  private script = '';
  private submitDir = '';
  private logDir = '';
  private maxArraySize: number | null = null;
  private sacctEnabled: boolean | null = null;
  private readonly lostGraceMs: number;
  private readonly timeoutMs: number;
  /** Last Slurm state seen per job, for the message of a job Slurm later forgets. */
  private lastSeen = new Map<string, Seen>();
  /** When a job was first found missing from Slurm (or final without an exit record). */
  private missingSince = new Map<string, number>();
  private pendingCancels = new Set<string>();
  private cancelRetry: NodeJS.Timeout | null = null;
  /** Finished jobs sacct is asked again about, for their usage. */
  private readonly usage: UsageFollowUps<UsageWanted>;

  constructor(private cfg: SlurmConfig = {}) {
    this.pollIntervalMs = cfg.pollIntervalMs ?? 2000;
    this.defaultSlots = cfg.slots ?? null;
    this.lostGraceMs = cfg.lostGraceMs ?? 30_000;
    this.timeoutMs = cfg.commandTimeoutMs ?? 60_000;
    this.usage = new UsageFollowUps<UsageWanted>({
      pollIntervalMs: this.pollIntervalMs,
      everyMs: USAGE_EVERY_MS,
      waitMs: USAGE_WAIT_MS,
      max: USAGE_MAX_PENDING,
      ask: async due => {
        const ids = due.map(([, w]) => w.backendJobId);
        return this.usageFrom(new RowIndex(await this.fromAccounting([], ids)), due, Date.now());
      },
    });
    const c = cfg.commands ?? {};
    this.cmd = {
      sbatch: c.sbatch ?? 'sbatch',
      squeue: c.squeue ?? 'squeue',
      scancel: c.scancel ?? 'scancel',
      scontrol: c.scontrol ?? 'scontrol',
      sacct: c.sacct ?? 'sacct',
    };
  }

  async init(ctx: BackendContext): Promise<void> {
    // Absolute: sbatch runs the task script with --chdir set to the state dir.
    this.ctx = { ...ctx, stateDir: path.resolve(ctx.stateDir) };
    ctx = this.ctx;
    // Stable copies in the state dir: compute nodes see them, upgrades don't change them.
    this.submitDir = path.join(ctx.stateDir, 'submit');
    this.logDir = path.join(ctx.stateDir, 'logs');
    fs.mkdirSync(this.submitDir, { recursive: true });
    fs.mkdirSync(this.logDir, { recursive: true });
    this.wrapper = installWrapper(ctx.stateDir);
    this.script = path.join(ctx.stateDir, 'array-task.sh');
    installScript(this.script, ARRAY_TASK_SCRIPT);
    this.removeOldMaps();
    this.usage.start(ctx.emit, ctx.log);
  }

  private removeOldMaps(): void {
    const cutoff = Date.now() - MAP_RETENTION_MS;
    for (const f of fs.readdirSync(this.submitDir)) {
      const p = path.join(this.submitDir, f);
      try {
        if (fs.statSync(p).mtimeMs < cutoff) fs.unlinkSync(p);
      } catch {
        // Removed concurrently: fine.
      }
    }
  }

  private run(name: CommandName, args: string[]) {
    return runCommand([this.cmd[name], ...args], { timeoutMs: this.timeoutMs });
  }

  /** A failed command as BackendUnavailable when it means the controller can't be reached. */
  private outage(e: unknown): BackendUnavailable | null {
    if (!(e instanceof CommandError)) return null;
    const text = `${e.stderr}\n${e.stdout}\n${e.cause?.message ?? ''}`;
    if (isCommandNotFound(e))
      return new BackendUnavailable(`Slurm command not found: ${e.argv[0]}`);
    if (e.exitCode === null || isControllerUnreachable(text)) {
      return new BackendUnavailable(
        `Slurm controller unreachable: ${(e.stderr || e.message).trim().slice(0, 500)}`
      );
    }
    return null;
  }

  async health(): Promise<BackendHealth> {
    try {
      const { stdout } = await this.run('scontrol', ['ping']);
      const up = /\bis UP\b/.test(stdout);
      return {
        available: up,
        detail: stdout.trim().replace(/\s+/g, ' ') || 'scontrol ping gave no answer',
      };
    } catch (e) {
      if (isCommandNotFound(e)) {
        return {
          available: false,
          detail: `Slurm is not installed here (${this.cmd.scontrol} not found)`,
        };
      }
      const err = e as CommandError;
      const text = `${err.stdout ?? ''} ${err.stderr ?? ''}`.trim().replace(/\s+/g, ' ');
      return { available: false, detail: text || err.message };
    }
  }

  /** MaxArraySize, read once from the live controller. */
  private async arrayLimit(): Promise<number> {
    if (this.maxArraySize !== null) return this.maxArraySize;
    try {
      const { stdout } = await this.run('scontrol', ['show', 'config']);
      const v = Number(parseScontrolConfig(stdout).get('MaxArraySize'));
      const live = Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_ARRAY_SIZE;
      this.maxArraySize = Math.min(live, this.cfg.maxArraySize ?? live);
    } catch (e) {
      const down = this.outage(e);
      if (down) throw down;
      this.ctx.log.warn({ err: (e as Error).message }, 'could not read MaxArraySize; using 1001');
      this.maxArraySize = DEFAULT_MAX_ARRAY_SIZE;
    }
    return this.maxArraySize;
  }

  async submit(req: SubmitRequest): Promise<SubmitOutcome[]> {
    const outcomes: SubmitOutcome[] = [];
    // One array per (resources, role) set: items that Slurm must treat differently split.
    const groups = new Map<string, { args: string[]; nice: number; items: SubmitItem[] }>();
    for (const item of req.items) {
      let args: string[];
      try {
        if (/[\n\r]/.test(item.workDir)) throw new Error('The work dir path contains a line break');
        args = resourceArgs(item.resources ?? {}, this.cfg);
      } catch (e) {
        outcomes.push({ jobId: item.jobId, error: (e as Error).message });
        continue;
      }
      const nice = niceFor(item.role, item.priority, this.cfg.niceForTasks);
      const key = JSON.stringify([args, nice]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { args, nice, items: [] }));
      g.items.push(item);
    }
    if (groups.size === 0) return outcomes;
    const limit = await this.arrayLimit();
    let part = 0;
    let submittedAny = false;
    for (const g of groups.values()) {
      for (const chunk of chunks(g.items, limit)) {
        const p = part++;
        try {
          const id = await this.submitChunk(req, p, g.args, g.nice, chunk);
          submittedAny = true;
          chunk.forEach((it, idx) =>
            outcomes.push({ jobId: it.jobId, backendJobId: `${id}_${idx}` })
          );
        } catch (e) {
          const down = this.outage(e);
          // Nothing went out yet: let the engine put the rows back and retry later.
          if (down && !submittedAny) throw down;
          const msg =
            e instanceof CommandError ? e.stderr.trim() || e.message : (e as Error).message;
          for (const it of chunk)
            outcomes.push({ jobId: it.jobId, error: `sbatch failed: ${msg}` });
        }
      }
    }
    return outcomes;
  }

  private mapFile(groupId: string, part: number): string {
    return path.join(this.submitDir, `${safeName(groupId)}.${part}.map`);
  }

  private async submitChunk(
    req: SubmitRequest,
    part: number,
    args: string[],
    nice: number,
    items: SubmitItem[]
  ) {
    // The map is on disk before sbatch runs: a task never starts without it.
    const map = this.mapFile(req.groupId, part);
    writeArrayFiles(map, items);
    const argv = sbatchArgv({
      sbatch: this.cmd.sbatch,
      jobName: jobName(req.groupId, part),
      comment: `bulkrun:${req.groupId}`,
      count: items.length,
      maxParallel: req.maxParallel,
      nice,
      resourceArgs: args,
      extraArgs: this.cfg.extraSbatchArgs ?? [],
      output: path.join(this.logDir, 'slurm-%A.out'),
      chdir: this.ctx.stateDir,
      script: this.script,
      mapFile: map,
      wrapper: this.wrapper,
    });
    const { stdout } = await runCommand(argv, { timeoutMs: this.timeoutMs });
    const id = parseSbatchParsable(stdout);
    if (!id) throw new Error(`sbatch printed no job id: ${stdout.trim().slice(0, 200)}`);
    this.ctx.log.debug(
      { groupId: req.groupId, part, arrayJobId: id, tasks: items.length },
      'slurm array submitted'
    );
    return id;
  }

  /** One squeue query for every job of ours the controller still holds. */
  private async query(): Promise<SlurmRow[]> {
    try {
      if (this.cfg.queryFormat === 'json') {
        // 22.05 ignores -j/-u with --json: everything comes back, filtered by id below.
        const { stdout } = await this.run('squeue', ['--json']);
        return parseSqueueJson(stdout);
      }
      const user = this.cfg.user ?? os.userInfo().username;
      const { stdout } = await this.run('squeue', [
        '-h',
        '-r',
        '-t',
        'all',
        '-u',
        user,
        '-o',
        SQUEUE_TEXT_FORMAT,
      ]);
      return parseSqueueText(stdout);
    } catch (e) {
      if (e instanceof BackendUnavailable) throw e;
      throw this.outage(e) ?? new BackendUnavailable(`squeue failed: ${(e as Error).message}`);
    }
  }

  /**
   * Jobs Slurm's queue no longer shows (their whole arrays: a pending task may be in its
   * array's remainder row), and finished jobs still without usage (by task id while few):
   * one sacct query, with the steps (where the usage is), if there is accounting.
   */
  private async fromAccounting(ids: string[], usageIds: string[] = []): Promise<SlurmRow[]> {
    const whole = new Set(ids.map(id => id.split('_')[0]));
    const tasks = new Map<string, string[]>();
    for (const id of usageIds) {
      const a = id.split('_')[0];
      if (!whole.has(a)) tasks.set(a, [...(tasks.get(a) ?? []), id]);
    }
    const spec = [...whole];
    for (const [a, list] of tasks) {
      if (list.length > USAGE_TASK_IDS_MAX) spec.push(a);
      else spec.push(...list);
    }
    if (spec.length === 0) return [];
    return this.sacct(['-j', spec.join(',')], true);
  }

  /**
   * One sacct query over the last 30 days; [] when accounting is disabled or fails. With
   * `steps` the step rows come too (their figures go into their job's usage, parseSacct);
   * without, only allocations (-X), cheaper where usage is not wanted.
   */
  private async sacct(select: string[], steps = false): Promise<SlurmRow[]> {
    if (this.sacctEnabled === false) return [];
    const argv = [
      ...(steps ? [] : ['-X']),
      '-P',
      '-n',
      '-S',
      'now-30days',
      `--format=${SACCT_FORMAT}`,
      ...select,
    ];
    try {
      const { stdout, stderr } = await this.run('sacct', argv);
      if (/accounting storage is disabled/i.test(stdout + stderr)) {
        this.accountingDisabled();
        return [];
      }
      this.sacctEnabled = true;
      return parseSacct(stdout);
    } catch (e) {
      const err = e as CommandError;
      if (/accounting storage is disabled/i.test(`${err.stdout} ${err.stderr}`)) {
        this.accountingDisabled();
        this.ctx.log.info(
          {},
          'Slurm accounting is disabled: finished jobs are judged by their exit records'
        );
        return [];
      }
      this.ctx.log.warn({ err: err.message }, 'sacct failed');
      return [];
    }
  }

  private accountingDisabled(): void {
    this.sacctEnabled = false;
    this.usage.clear();
  }

  async poll(active: TrackedJob[]): Promise<StatusUpdate[]> {
    if (active.length === 0) return [];
    // Slurm first, records second: a job that left the queue has written its record by then.
    const index = new RowIndex(await this.query());
    const out: StatusUpdate[] = [];
    const missing: TrackedJob[] = [];
    // Left the queue with an exit record: accounting likely has its usage already.
    const gone: TrackedJob[] = [];
    const now = Date.now();
    for (const j of active) {
      const row = j.backendJobId ? index.find(j.backendJobId) : null;
      if (!row) {
        if (!readExit(j.workDir)) {
          missing.push(j);
          continue;
        }
        if (j.backendJobId && this.sacctEnabled !== false) {
          gone.push(j);
          continue;
        }
      }
      const u = this.judge(j, row, now);
      if (u) out.push(this.withUsage(j, u, null, now));
    }
    // Finished jobs still without usage ride along in a query made anyway, else wait for
    // their turn (USAGE_EVERY_MS).
    const anyway = missing.length > 0 || gone.length > 0;
    const wanted = this.usage.due(now, new Set(active.map(j => j.jobId)), anyway);
    if (anyway || wanted.length) {
      const acct = new RowIndex(
        await this.fromAccounting(
          [...missing, ...gone].map(j => j.backendJobId!).filter(Boolean),
          wanted.map(([, w]) => w.backendJobId)
        )
      );
      for (const j of missing) {
        const row = j.backendJobId ? acct.find(j.backendJobId) : null;
        const u = row ? this.judge(j, row, now) : this.judgeMissing(j, now);
        if (u) out.push(this.withUsage(j, u, row, now));
      }
      for (const j of gone) {
        // Judged by its record alone, as before; accounting adds only the usage.
        const u = this.judge(j, null, now);
        if (u) out.push(this.withUsage(j, u, acct.find(j.backendJobId!), now));
      }
      out.push(...this.usageFrom(acct, wanted, now));
    }
    this.usage.schedule();
    // Forget jobs the engine no longer tracks.
    if (this.lastSeen.size > active.length * 2 + 1000) {
      const keep = new Set(active.map(j => j.jobId));
      for (const k of this.lastSeen.keys()) if (!keep.has(k)) this.lastSeen.delete(k);
      for (const k of this.missingSince.keys()) if (!keep.has(k)) this.missingSince.delete(k);
    }
    return out;
  }

  /**
   * A terminal update with sacct's usage when `row` (from sacct) has its final figures;
   * otherwise the job is noted, so a later sacct query fills its usage in.
   */
  private withUsage(
    j: TrackedJob,
    u: StatusUpdate,
    row: SlurmRow | null,
    now: number
  ): StatusUpdate {
    if (!isTerminal(u.status) || !j.backendJobId || this.sacctEnabled === false) return u;
    const usage = row && isFinal(row) ? usageOf(row.usage) : null;
    if (usage) return { ...u, usage: { ...u.usage, ...usage } };
    // A job that Slurm and its records lost has nothing to measure.
    if (u.error?.code !== 'lost')
      this.usage.note(j.jobId, { backendJobId: j.backendJobId, status: u.status }, now);
    return u;
  }

  /** Usage-only updates for the follow-ups whose figures sacct now has. */
  private usageFrom(acct: RowIndex, wanted: [string, UsageWanted][], now: number): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const [jobId, w] of wanted) {
      const row = acct.find(w.backendJobId);
      const usage = row && isFinal(row) ? usageOf(row.usage) : null;
      if (usage) {
        this.usage.done(jobId);
        out.push({ jobId, status: w.status, backendJobId: w.backendJobId, usage });
      } else if (this.usage.expired(jobId, now) || (row && isFinal(row) && !row.startTime)) {
        // Past the wait, or ended without ever starting (cancelled while queued): nothing comes.
        this.usage.done(jobId);
      }
    }
    return out;
  }

  /** A job's own report (Backend.reported): its exit is final here; sacct adds usage later. */
  reported(j: TrackedJob, event: JobReport): StatusUpdate | null {
    if (!this.reportsFromJobs) return null;
    const u = reportedUpdate(j, event);
    if (!u || !isTerminal(u.status)) return u;
    this.forget(j.jobId);
    const out = this.withUsage(j, u, null, Date.now());
    this.usage.schedule();
    return out;
  }

  /** The update for one job Slurm (or its exit record) knows about; null when unchanged. */
  private judge(j: TrackedJob, row: SlurmRow | null, now: number): StatusUpdate | null {
    const mapped = row ? mapSlurmState(row) : null;
    if (row && mapped) this.lastSeen.set(j.jobId, { what: mapped.reason, at: new Date(now) });
    if (mapped?.status === 'queued') {
      // Waiting in the queue: nothing to read on disk (keeps a 10,000-row poll cheap).
      this.missingSince.delete(j.jobId);
      return null; // running → queued (a requeue) is not a move our states make
    }
    // The scheduler's reason wins where it has one (a time-limit kill after the record);
    // its generic `job_crashed` says less than the exit code does.
    const special = mapped?.error && mapped.error.code !== 'job_crashed' ? mapped.error : null;
    const done = readExitUpdate(j.jobId, j.workDir, {
      error: special,
      startedAt: row?.startTime,
    });
    if (done) {
      this.forget(j.jobId);
      return { ...done, reason: mapped?.reason };
    }
    if (!row || !mapped) return null;
    if (mapped.status === 'running') {
      this.missingSince.delete(j.jobId);
      if (j.status === 'running') return null;
      const started = readStarted(j.workDir);
      return {
        jobId: j.jobId,
        status: 'running',
        startedAt: (started?.at ?? row.startTime)?.toISOString(),
        reason: mapped.reason,
      };
    }
    if (mapped.awaitExitRecord) {
      // COMPLETED/FAILED: the wrapper's record decides; give a shared file system time to show it.
      const since = this.missingSince.get(j.jobId) ?? now;
      this.missingSince.set(j.jobId, since);
      if (now - since < this.lostGraceMs) return null;
    }
    this.forget(j.jobId);
    const started = readStarted(j.workDir);
    const noRecord = mapped.awaitExitRecord ? ' and the job left no exit record' : '';
    return {
      jobId: j.jobId,
      status: mapped.status === 'completed' ? 'error' : mapped.status,
      exitCode: row.exitCode,
      error:
        mapped.status === 'terminated'
          ? null
          : {
              code: mapped.error?.code ?? 'job_crashed',
              message: (mapped.error?.message ?? `Slurm reports ${row.state}`) + noRecord,
            },
      startedAt: (started?.at ?? row.startTime)?.toISOString(),
      finishedAt: row.endTime?.toISOString(),
      reason:
        mapped.status === 'terminated' ? `Cancelled in Slurm (${mapped.reason})` : mapped.reason,
    };
  }

  /** Neither Slurm nor an exit record knows the job: `lost` after a grace period. */
  private judgeMissing(j: TrackedJob, now: number): StatusUpdate | null {
    const since = this.missingSince.get(j.jobId) ?? now;
    this.missingSince.set(j.jobId, since);
    if (now - since < this.lostGraceMs) return null;
    if (readExit(j.workDir)) return this.judge(j, null, now);
    const seen = this.lastSeen.get(j.jobId);
    const started = readStarted(j.workDir);
    this.forget(j.jobId);
    const last = seen
      ? `last seen as ${seen.what} at ${seen.at.toISOString()}`
      : 'not seen in squeue since this server started';
    const run = started ? `; it started at ${started.at.toISOString()}` : '; it never started';
    return {
      jobId: j.jobId,
      status: 'error',
      error: {
        code: 'lost',
        message: `Slurm no longer knows job ${j.backendJobId ?? '?'} and it left no exit record (${last}${run})`,
      },
      reason: seen?.what,
    };
  }

  private forget(jobId: string): void {
    this.lastSeen.delete(jobId);
    this.missingSince.delete(jobId);
  }

  async cancel(jobs: TrackedJob[]): Promise<void> {
    for (const j of jobs) if (j.backendJobId) this.pendingCancels.add(j.backendJobId);
    await this.flushCancels();
  }

  /**
   * `scontrol update JobId=<ids> Nice=<n>` for queued jobs. Slurm lets ordinary users only
   * raise a pending job's nice (lower its priority); a refusal is logged, not an error.
   */
  async reprioritize(jobs: PriorityChange[]): Promise<void> {
    const byNice = idsByPriorityValue(jobs, j =>
      niceFor(j.role, j.priority, this.cfg.niceForTasks)
    );
    for (const [nice, ids] of byNice) {
      for (const chunk of chunks(ids, IDS_PER_UPDATE)) {
        const list = chunk.join(',');
        await this.run('scontrol', ['update', `JobId=${list}`, `Nice=${nice}`]).catch(e =>
          this.ctx.log.warn({ err: (e as Error).message, nice }, 'scontrol update Nice failed')
        );
      }
    }
  }

  /** scancel of every pending id in as few calls as possible; retried while Slurm is down. */
  private async flushCancels(): Promise<void> {
    if (this.pendingCancels.size === 0) return;
    const ids = [...this.pendingCancels];
    const specs = cancelSpecs(ids);
    const failed: string[] = [];
    for (const batch of chunks(specs, SPECS_PER_SCANCEL)) {
      try {
        await this.run(
          'scancel',
          batch.map(s => s.spec)
        );
      } catch (e) {
        const err = e as CommandError;
        const lines = (err.stderr ?? '').split('\n').filter(l => l.trim());
        if (lines.length && lines.every(isGoneJobError)) continue;
        if (this.outage(e)) {
          for (const s of batch) failed.push(...s.ids);
        } else {
          this.ctx.log.warn({ err: err.message }, 'scancel reported errors');
        }
      }
    }
    this.pendingCancels = new Set(failed);
    if (failed.length && !this.cancelRetry) {
      this.ctx.log.warn({ jobs: failed.length }, 'Slurm unreachable: cancel will be retried');
      this.cancelRetry = setTimeout(
        () => {
          this.cancelRetry = null;
          void this.flushCancels();
        },
        Math.max(this.pollIntervalMs, 2000) * 2
      );
      this.cancelRetry.unref?.();
    }
  }

  async findSubmitted(jobs: TrackedJob[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const byDir = new Map(jobs.map(j => [j.workDir, j.jobId]));
    const groups = new Set(jobs.map(j => j.groupId).filter((g): g is string => !!g));
    // The map files written before sbatch: part → task index → work dir.
    const parts = new Map<string, string[]>(); // `${groupId}:${part}` → work dirs
    const files = fs.existsSync(this.submitDir) ? fs.readdirSync(this.submitDir) : [];
    for (const g of groups) {
      const prefix = `${safeName(g)}.`;
      for (const f of files) {
        const m = f.startsWith(prefix) ? /^(\d+)\.map$/.exec(f.slice(prefix.length)) : null;
        if (!m) continue;
        const dirs = fs
          .readFileSync(path.join(this.submitDir, f), 'utf8')
          .split('\n')
          .map(l => l.split('\t')[0]);
        if (dirs[dirs.length - 1] === '') dirs.pop();
        parts.set(`${g}:${m[1]}`, dirs);
      }
    }
    if (parts.size === 0) return found;
    const arrays = new Map<string, string>(); // part key → array job id
    const note = (rows: SlurmRow[]) => {
      for (const r of rows) {
        const n = parseJobName(r.name);
        if (!n || !groups.has(n.groupId)) continue;
        // Accounting keeps every array ever named so: the newest is this submission's.
        const key = `${n.groupId}:${n.part}`;
        const id = r.arrayJobId ?? r.id.split('_')[0];
        const had = arrays.get(key);
        if (!had || Number(id) > Number(had)) arrays.set(key, id);
      }
    };
    note(await this.query());
    const unknown = [...parts.keys()].filter(k => !arrays.has(k));
    if (unknown.length && this.sacctEnabled !== false) note(await this.byNameInAccounting(unknown));
    for (const [key, dirs] of parts) {
      const arrayId = arrays.get(key);
      dirs.forEach((dir, idx) => {
        const jobId = byDir.get(dir);
        if (!jobId) return;
        // A task that started left its own id in its work dir: the truth for this dir, even
        // when Slurm forgot the array or accounting knows older arrays of the same name.
        const rec = readSlurmJobRecord(dir);
        if (rec) found.set(jobId, rec);
        else if (arrayId) found.set(jobId, `${arrayId}_${idx}`);
      });
    }
    return found;
  }

  private async byNameInAccounting(keys: string[]): Promise<SlurmRow[]> {
    const names = keys.map(k => {
      const i = k.lastIndexOf(':');
      return jobName(k.slice(0, i), Number(k.slice(i + 1)));
    });
    return this.sacct([`--name=${names.join(',')}`]);
  }

  async close(): Promise<void> {
    if (this.cancelRetry) clearTimeout(this.cancelRetry);
    this.cancelRetry = null;
    this.usage.stop();
  }
}

/** Finds a job's row: its own (split) record, or its array's pending remainder. */
class RowIndex {
  private byId = new Map<string, SlurmRow>();
  private remainders = new Map<string, SlurmRow[]>();
  constructor(rows: SlurmRow[]) {
    for (const r of rows) {
      if (r.arrayJobId !== null && r.taskId === null) {
        const list = this.remainders.get(r.arrayJobId) ?? [];
        list.push(r);
        this.remainders.set(r.arrayJobId, list);
      }
      this.byId.set(r.id, r);
    }
  }
  find(backendJobId: string): SlurmRow | null {
    const own = this.byId.get(backendJobId);
    if (own) return own;
    const [arrayId, task] = backendJobId.split('_');
    if (task === undefined) return null;
    const idx = Number(task);
    for (const r of this.remainders.get(arrayId) ?? []) {
      if (r.remainder === null || r.remainder.has(idx)) return r;
    }
    return null;
  }
}

/** An accounting row whose job ended: its figures are final. */
function isFinal(row: SlurmRow): boolean {
  const s = mapSlurmState(row).status;
  return s !== 'queued' && s !== 'running';
}

/**
 * sacct's figures as the protocol's usage (source 'slurm'); null until the job's steps are
 * in accounting and ended (the allocation row alone reads 0 CPU, a running step no MaxRSS).
 */
export function usageOf(u: SlurmUsage | undefined): Partial<JobUsage> | null {
  if (!u || u.steps === 0 || u.stepsRunning > 0) return null;
  const out: Partial<JobUsage> = {};
  if (u.wallSeconds !== null) out.wallSeconds = u.wallSeconds;
  if (u.cpuSeconds !== null) out.cpuSeconds = u.cpuSeconds;
  if (u.maxRssBytes !== null) out.maxRssBytes = u.maxRssBytes;
  if (u.maxDiskBytes !== null) out.maxDiskBytes = u.maxDiskBytes;
  return { ...out, source: 'slurm' };
}

/** `A_i` ids grouped per array as `A_[ranges]`; other ids as they are. */
export function cancelSpecs(ids: string[]): { spec: string; ids: string[] }[] {
  const arrays = new Map<string, number[]>();
  const out: { spec: string; ids: string[] }[] = [];
  for (const id of ids) {
    const m = /^(\d+)_(\d+)$/.exec(id);
    if (!m) {
      out.push({ spec: id, ids: [id] });
      continue;
    }
    const list = arrays.get(m[1]) ?? [];
    list.push(Number(m[2]));
    arrays.set(m[1], list);
  }
  for (const [a, idx] of arrays) {
    // Keep each argument short: ranges of at most 500 parts.
    const sorted = [...new Set(idx)].sort((x, y) => x - y);
    for (const part of chunks(sorted, 500)) {
      out.push({ spec: `${a}_[${formatArrayRange(part)}]`, ids: part.map(n => `${a}_${n}`) });
    }
  }
  return out;
}

function readSlurmJobRecord(dir: string): string | null {
  try {
    const t = fs.readFileSync(path.join(dir, 'slurm-job'), 'utf8').trim();
    return /^\d+_\d+$/.test(t) ? t : null;
  } catch {
    return null;
  }
}

/** Group ids are ours (no separators), but never let one escape the submit dir. */
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function createSlurmBackend(cfg: Record<string, unknown> = {}): SlurmBackend {
  return new SlurmBackend(cfg as SlurmConfig);
}

/**
 * The files an array's tasks read: MAP (line N: work dir of task N, then the offset and
 * length of its job file in MAP.jobs) and MAP.jobs (every task's job file, concatenated).
 * The task creates its work dir from them on the node. Items whose work dir already
 * exists (no `job` text) get a line with the work dir alone.
 */
export function writeArrayFiles(map: string, items: SubmitItem[]): void {
  const lines: string[] = [];
  const jobs: Buffer[] = [];
  let offset = 0;
  for (const it of items) {
    if (/[\t\n]/.test(it.workDir))
      throw new Error(`work dir contains a tab or newline: ${it.workDir}`);
    if (it.job === undefined) {
      lines.push(it.workDir + '\n');
      continue;
    }
    const b = Buffer.from(it.job, 'utf8');
    lines.push(`${it.workDir}\t${offset}\t${b.length}\n`);
    jobs.push(b);
    offset += b.length;
  }
  if (jobs.length) fs.writeFileSync(`${map}.jobs`, Buffer.concat(jobs));
  // The map last, renamed into place: once it exists, everything it points to does too.
  fs.writeFileSync(`${map}.tmp`, lines.join(''));
  fs.renameSync(`${map}.tmp`, map);
}
