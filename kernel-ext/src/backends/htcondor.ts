/**
 * HTCondor backend: one `condor_submit -terse` per cluster (a whole batch chunk is one
 * cluster of many procs), one `condor_q -json` and at most one `condor_history -json` per
 * poll for every active job, `condor_rm` with many ids per call. The job wrapper's records
 * in the shared work dir are the job's own truth; HTCondor's ads say where the job is,
 * and a final ad what the job used. Command paths, schedd and pool are configurable;
 * parameters never pass through a shell.
 */
import * as fs from 'fs';
import * as path from 'path';
import type {
  Backend,
  BackendContext,
  BackendHealth,
  JobReport,
  StatusUpdate,
  SubmitItem,
  SubmitOutcome,
  SubmitRequest,
  TrackedJob,
} from './base';
import {
  BackendUnavailable,
  chunks,
  idsByPriorityValue,
  type NodesConfig,
  type PriorityChange,
  wantsReports,
} from './base';
import { isTerminal } from '../protocol/records';
import {
  actionFailureIsHarmless,
  adId,
  adUsage,
  type Ad,
  interpretAd,
  isFinalAd,
  JOB_STATUS,
  num,
  parseAdsJson,
  parseTerse,
  POLL_ATTRIBUTES,
  rangeIds,
  str,
} from './htcondor-parse';
import {
  buildSubmitFiles,
  checkSubmitPath,
  classAdString,
  type FileTransferConfig,
  jobPriority,
  memoryToMiB,
  planClusters,
  stripContainerPrefix,
  type SubmitSettings,
} from './htcondor-submit';
import { exitRecordUpdate, reportedUpdate } from './exit-record';
import { installScript, installWrapper } from './install';
import { UsageFollowUps } from './usage-follow-up';
import { CommandError, isCommandNotFound, runCommand } from './run';
import { readExit, readStarted, rewriteArgv, WRAPPER_PATH } from './workdir';

export interface HTCondorCommands {
  condor_submit?: string;
  condor_q?: string;
  condor_history?: string;
  condor_rm?: string;
  condor_release?: string;
  condor_prio?: string;
}

export interface HTCondorConfig extends NodesConfig {
  pollIntervalMs?: number;
  commands?: HTCondorCommands;
  /** `-name` of the schedd to use (default: the local one). */
  schedd?: string | null;
  /** `-pool` (central manager) when the schedd is looked up by name. */
  pool?: string | null;
  concurrencyLimits?: string | string[];
  accountingGroup?: string;
  fileTransfer?: FileTransferConfig;
  /** Run apps with a container in the container universe (default: apptainer prefix in argv). */
  containerUniverse?: boolean;
  /** condor_release a job held with one of `transientHoldCodes`, once, instead of failing it. */
  releaseTransientHolds?: boolean;
  transientHoldCodes?: number[];
  /** condor_rm a held job once it is reported as an error, so it can never run later (default true). */
  removeHeldJobs?: boolean;
  /** The schedd's MAX_JOBS_PER_SUBMISSION (default 20,000). */
  maxJobsPerSubmission?: number;
  /** Use late materialization (max_materialize) for maxParallel and for very large clusters (default true). */
  lateMaterialize?: boolean;
  maxIdle?: number | null;
  /** Per-user slot limit on this backend (default none: HTCondor's own policies apply). */
  slots?: number | null;
  /** Write a job event log per submission in the state dir (default true). */
  eventLog?: boolean;
  singleJobPriorityBoost?: number;
  defaultMemory?: string | null;
  extraSubmitCommands?: string[];
  /** Polls a job may be missing from both condor_q and condor_history before it is `lost`. */
  lostAfterPolls?: number;
  /** How long to wait for the wrapper's exit record (shared filesystem lag) after HTCondor says completed. */
  exitRecordGraceMs?: number;
  /** How long a late-materialized cluster may be absent from condor_q between procs. */
  materializeGraceMs?: number;
  commandTimeoutMs?: number;
}

const DEFAULT_TRANSIENT_HOLD_CODES = [12, 13, 14, 21, 22];
/**
 * How long after a job's end its final ad is looked for: the exit record is often read
 * while condor_q still says running (the shadow has not updated the schedd yet).
 */
const USAGE_WAIT_MS = 60_000;
/** Least time between two condor_history calls for usage alone (the schedd scans a file). */
const USAGE_EVERY_MS = 5000;
const USAGE_MAX_PENDING = 50_000;
const HISTORY_CONSTRAINT_MAX = 100_000;
const IDS_PER_RM = 2000;

const UNREACHABLE =
  /Can't find address|Failed to connect|Could not connect|Unable to connect|connection refused|Failed to fetch ads|Can't connect|timed out|SECMAN:|Failed to end classad message/i;

interface ParsedId {
  cluster: number;
  proc: number;
}

/** A finished job whose final ad was not seen yet. */
interface UsageWanted {
  id: ParsedId;
  key: string;
  status: StatusUpdate['status'];
}

function parseJobId(id: string | null): ParsedId | null {
  const m = id ? /^(\d+)\.(\d+)$/.exec(id) : null;
  return m ? { cluster: Number(m[1]), proc: Number(m[2]) } : null;
}

function toList(v: string | string[] | undefined): string[] {
  if (!v) return [];
  return (Array.isArray(v) ? v : v.split(',')).map(s => s.trim()).filter(Boolean);
}

/** A ClassAd constraint selecting exactly these procs. */
export function procsConstraint(ids: ParsedId[]): string {
  const byCluster = new Map<number, number[]>();
  for (const id of ids) byCluster.set(id.cluster, [...(byCluster.get(id.cluster) ?? []), id.proc]);
  const clauses: string[] = [];
  for (const [c, procs] of [...byCluster].sort((a, b) => a[0] - b[0])) {
    const ps = [...new Set(procs)].sort((a, b) => a - b);
    const contiguous = ps[ps.length - 1] - ps[0] === ps.length - 1;
    if (ps.length === 1) clauses.push(`(ClusterId == ${c} && ProcId == ${ps[0]})`);
    else if (contiguous)
      clauses.push(`(ClusterId == ${c} && ProcId >= ${ps[0]} && ProcId <= ${ps[ps.length - 1]})`);
    else clauses.push(`(ClusterId == ${c} && member(ProcId, {${ps.join(',')}}))`);
  }
  return clauses.join(' || ');
}

/** Marker written into a work dir by cancel(); the prelude refuses to start such a job. */
export const CANCELLED_MARKER = 'htcondor-cancelled';

export function preludeScript(wrapperPath: string): string {
  return [
    '#!/bin/bash',
    '# Bulkrun HTCondor job entry: bash htcondor-job.sh WORKDIR',
    `[ -e "$1/${CANCELLED_MARKER}" ] && exit 0`,
    `exec /bin/bash '${wrapperPath}' "$1"`,
    '',
  ].join('\n');
}

export class HTCondorBackend implements Backend {
  readonly name = 'htcondor';
  get sharedFilesystem(): boolean {
    return this.cfg.sharedFilesystem !== false;
  }
  get reportsFromJobs(): boolean {
    return wantsReports(this.cfg);
  }
  readonly pollIntervalMs: number;
  readonly defaultSlots: number | null;
  readonly nativeMaxParallel: boolean;
  private ctx!: BackendContext;
  private cfg: HTCondorConfig;
  private cmd: Required<HTCondorCommands>;
  private wrapper = WRAPPER_PATH;
  private submitDir = '';
  private logDir = '';
  private misses = new Map<string, number>();
  private completedSeen = new Map<string, number>();
  private released = new Set<string>();
  private clusterSeen = new Map<number, number>();
  private clusterMaxProc = new Map<number, number>();
  private releasedFile = '';
  /** Finished jobs whose final ad (their usage) is still to be read. */
  private readonly usage: UsageFollowUps<UsageWanted>;

  constructor(cfg: HTCondorConfig = {}) {
    this.cfg = cfg;
    this.pollIntervalMs = cfg.pollIntervalMs ?? 5000;
    this.defaultSlots = cfg.slots ?? null;
    this.nativeMaxParallel = cfg.lateMaterialize !== false;
    this.usage = new UsageFollowUps<UsageWanted>({
      pollIntervalMs: this.pollIntervalMs,
      everyMs: USAGE_EVERY_MS,
      waitMs: USAGE_WAIT_MS,
      max: USAGE_MAX_PENDING,
      ask: async due => {
        const byId = new Map<string, Ad>();
        for (const ad of await this.historyAds(due.map(([, w]) => w.id))) {
          const id = adId(ad);
          if (id) byId.set(id, ad);
        }
        return this.usageFrom(byId, due);
      },
    });
    const c = cfg.commands ?? {};
    this.cmd = {
      condor_submit: c.condor_submit ?? 'condor_submit',
      condor_q: c.condor_q ?? 'condor_q',
      condor_history: c.condor_history ?? 'condor_history',
      condor_rm: c.condor_rm ?? 'condor_rm',
      condor_release: c.condor_release ?? 'condor_release',
      condor_prio: c.condor_prio ?? 'condor_prio',
    };
  }

  async init(ctx: BackendContext): Promise<void> {
    this.ctx = ctx;
    this.usage.start(ctx.emit, ctx.log);
    // On the shared filesystem, where running jobs read it: replaced atomically.
    const copy = installWrapper(ctx.stateDir);
    const bad = checkSubmitPath(copy, 'State dir');
    if (bad) throw new Error(`HTCondor backend: ${bad}`);
    // The job's entry point: a row cancelled before its proc materialized (late
    // materialization) exits at once instead of running.
    const prelude = path.join(ctx.stateDir, 'htcondor-job.sh');
    installScript(prelude, preludeScript(copy));
    this.wrapper = prelude;
    this.submitDir = path.join(ctx.stateDir, 'submit');
    this.logDir = path.join(ctx.stateDir, 'logs');
    fs.mkdirSync(this.submitDir, { recursive: true });
    fs.mkdirSync(this.logDir, { recursive: true });
    this.releasedFile = path.join(ctx.stateDir, 'released-holds.json');
    try {
      this.released = new Set(JSON.parse(fs.readFileSync(this.releasedFile, 'utf8')) as string[]);
    } catch {
      this.released = new Set();
    }
  }

  private settings(groupId: string): SubmitSettings {
    return {
      wrapperPath: this.wrapper,
      eventLog: this.cfg.eventLog === false ? null : path.join(this.logDir, `${groupId}.log`),
      concurrencyLimits: toList(this.cfg.concurrencyLimits),
      accountingGroup: this.cfg.accountingGroup,
      fileTransfer: this.cfg.fileTransfer,
      containerUniverse: this.cfg.containerUniverse,
      singleJobPriorityBoost: this.cfg.singleJobPriorityBoost,
      defaultMemoryMiB: this.cfg.defaultMemory ? memoryToMiB(this.cfg.defaultMemory) : null,
      extraCommands: this.cfg.extraSubmitCommands,
    };
  }

  /** `-name`/`-pool` for commands that talk to the schedd. */
  private where(): string[] {
    const out: string[] = [];
    if (this.cfg.pool) out.push('-pool', this.cfg.pool);
    if (this.cfg.schedd) out.push('-name', this.cfg.schedd);
    return out;
  }

  private run(argv: string[]) {
    return runCommand(argv, { timeoutMs: this.cfg.commandTimeoutMs ?? 120_000 });
  }

  async health(): Promise<BackendHealth> {
    try {
      const { stdout } = await this.run([this.cmd.condor_q, ...this.where(), '-totals']);
      const totals = stdout
        .split('\n')
        .map(l => l.trim())
        .filter(l => /^Total for|^-- Schedd/i.test(l));
      return { available: true, detail: totals.join('; ') || 'condor_q answered' };
    } catch (e) {
      return { available: false, detail: this.describeFailure(this.cmd.condor_q, e) };
    }
  }

  private describeFailure(cmd: string, e: unknown): string {
    if (isCommandNotFound(e)) {
      return `${cmd} not found (is HTCondor installed and on PATH?)`;
    }
    if (e instanceof CommandError)
      return (e.stderr.trim() || e.stdout.trim() || e.message).slice(0, 2000);
    return (e as Error).message;
  }

  private isUnreachable(e: unknown): boolean {
    if (!(e instanceof CommandError)) return false;
    if (e.exitCode === null) return true; // not found, killed or timed out
    return UNREACHABLE.test(e.stderr) || UNREACHABLE.test(e.stdout);
  }

  async submit(req: SubmitRequest): Promise<SubmitOutcome[]> {
    const outcomes = new Map<string, SubmitOutcome>();
    const { plans, rejected } = planClusters(req.items, this.settings(req.groupId), {
      maxParallel: req.maxParallel,
      maxJobsPerSubmission: this.cfg.maxJobsPerSubmission ?? 20_000,
      lateMaterialize: this.cfg.lateMaterialize !== false,
      maxIdle: this.cfg.maxIdle ?? null,
    });
    for (const r of rejected) outcomes.set(r.jobId, { jobId: r.jobId, error: r.error });
    let submittedAny = false;
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i];
      if (plan.shape.container) this.rewriteArgvForContainer(plan.items);
      const base = path.join(
        this.submitDir,
        plans.length > 1 ? `${req.groupId}-${i}` : req.groupId
      );
      const files = buildSubmitFiles(
        plan,
        req.groupId,
        `${base}.items`,
        this.settings(req.groupId)
      );
      fs.writeFileSync(`${base}.items`, files.itemdata);
      fs.writeFileSync(`${base}.sub`, files.description);
      try {
        const { stdout } = await this.run([
          this.cmd.condor_submit,
          '-terse',
          ...this.where(),
          `${base}.sub`,
        ]);
        const ids = rangeIds(parseTerse(stdout));
        if (ids.length !== plan.items.length) {
          const msg = `condor_submit queued ${ids.length} job(s) for ${plan.items.length} item(s): '${stdout.trim()}'`;
          this.ctx.log.error({ groupId: req.groupId }, msg);
          await this.removeQuietly([...new Set(ids.map(id => id.split('.')[0]))]);
          for (const it of plan.items) outcomes.set(it.jobId, { jobId: it.jobId, error: msg });
          continue;
        }
        submittedAny = true;
        plan.items.forEach((it, k) =>
          outcomes.set(it.jobId, { jobId: it.jobId, backendJobId: ids[k] })
        );
      } catch (e) {
        const refused =
          isCommandNotFound(e) ||
          (e instanceof CommandError && e.exitCode !== null && this.isUnreachable(e));
        if (!submittedAny && refused) {
          // Nothing reached the scheduler: the engine gives the rows back and retries later.
          throw new BackendUnavailable(
            `condor_submit: ${this.describeFailure(this.cmd.condor_submit, e)}`
          );
        }
        // Killed or timed out: the schedd may have committed the cluster anyway.
        if (e instanceof CommandError && e.exitCode === null && !isCommandNotFound(e)) {
          const found = await this.findSubmitted(
            plan.items.map(it => ({
              jobId: it.jobId,
              backendJobId: null,
              groupId: req.groupId,
              workDir: it.workDir,
              status: 'created',
            }))
          ).catch(() => new Map<string, string>());
          if (found.size === plan.items.length) {
            submittedAny = true;
            for (const it of plan.items)
              outcomes.set(it.jobId, { jobId: it.jobId, backendJobId: found.get(it.jobId)! });
            continue;
          }
          await this.removeByConstraint(`BulkrunGroup == ${classAdString(req.groupId)}`).catch(
            () => undefined
          );
        }
        const msg = `condor_submit failed: ${this.describeFailure(this.cmd.condor_submit, e)}`;
        for (const it of plan.items) outcomes.set(it.jobId, { jobId: it.jobId, error: msg });
      }
    }
    return req.items.map(
      it => outcomes.get(it.jobId) ?? { jobId: it.jobId, error: 'not submitted' }
    );
  }

  private rewriteArgvForContainer(items: SubmitItem[]): void {
    for (const it of items) {
      if (!it.container) continue;
      const argv = stripContainerPrefix(it.argv, it.container, it.workDir);
      rewriteArgv(it.workDir, argv);
    }
  }

  /** condor_q / condor_history with -json; condor_q failures mean the schedd is unreachable. */
  private async queryAds(
    which: 'q' | 'history',
    constraint: string,
    extra: string[] = [],
    attrs = POLL_ATTRIBUTES
  ): Promise<Ad[]> {
    const cmd = which === 'q' ? this.cmd.condor_q : this.cmd.condor_history;
    const argv = [
      cmd,
      ...this.where(),
      '-json',
      '-attributes',
      attrs.join(','),
      ...extra,
      '-constraint',
      constraint,
    ];
    let stdout: string;
    try {
      ({ stdout } = await this.run(argv));
    } catch (e) {
      if (which === 'q') throw new BackendUnavailable(`condor_q: ${this.describeFailure(cmd, e)}`);
      throw e;
    }
    return parseAdsJson(stdout);
  }

  async poll(active: TrackedJob[]): Promise<StatusUpdate[]> {
    const jobs = active
      .map(j => ({ job: j, id: parseJobId(j.backendJobId) }))
      .filter(x => x.id !== null) as {
      job: TrackedJob;
      id: ParsedId;
    }[];
    if (jobs.length === 0) return [];
    const clusters = [...new Set(jobs.map(x => x.id.cluster))].sort((a, b) => a - b);
    const qConstraint =
      clusters.length <= 50
        ? clusters.map(c => `ClusterId == ${c}`).join(' || ')
        : 'BulkrunGroup =!= undefined';
    const qAds = await this.queryAds('q', qConstraint);
    const byId = new Map<string, Ad>();
    const now = Date.now();
    for (const ad of qAds) {
      const id = adId(ad);
      if (!id) continue;
      byId.set(id, ad);
      this.sawProc(num(ad, 'ClusterId')!, num(ad, 'ProcId')!, now);
    }
    // Procs above any ever seen in a live cluster are not materialized yet: not in the history either.
    const missing = jobs.filter(
      x => !byId.has(x.job.backendJobId!) && !this.unmaterialized(x.id, now)
    );
    // Finished jobs still without their final ad ride along in a condor_history call made
    // anyway, else wait for their turn (USAGE_EVERY_MS).
    const wanted = this.usage.due(now, new Set(active.map(j => j.jobId)), missing.length > 0);
    const wantedIds = wanted.filter(([, w]) => !byId.has(w.key)).map(([, w]) => w.id);
    const fromHistory = [...missing.map(x => x.id), ...wantedIds];
    if (fromHistory.length) {
      for (const ad of await this.historyAds(fromHistory)) {
        const id = adId(ad);
        if (id && !byId.has(id)) byId.set(id, ad);
        const c = num(ad, 'ClusterId');
        const p = num(ad, 'ProcId');
        if (c !== null && p !== null && this.clusterMaxProc.has(c)) {
          this.clusterMaxProc.set(c, Math.max(p, this.clusterMaxProc.get(c)!));
        }
      }
    }
    const updates: StatusUpdate[] = [];
    const toRelease: string[] = [];
    const toRemove: string[] = [];
    for (const { job, id } of jobs) {
      const key = job.backendJobId!;
      const ad = byId.get(key);
      if (!ad) {
        const exit = readExit(job.workDir);
        if (exit) {
          this.forget(key);
          const u = {
            ...exitRecordUpdate(job.jobId, exit, readStarted(job.workDir)),
            backendJobId: key,
          };
          this.usage.note(job.jobId, { id, key, status: u.status }, now);
          updates.push(u);
          continue;
        }
        // Late materialization: procs of a live cluster that are not yet jobs.
        if (this.unmaterialized(id, now)) {
          this.misses.delete(key);
          continue;
        }
        const n = (this.misses.get(key) ?? 0) + 1;
        this.misses.set(key, n);
        if (n >= (this.cfg.lostAfterPolls ?? 3)) {
          this.forget(key);
          updates.push({
            jobId: job.jobId,
            status: 'error',
            error: {
              code: 'lost',
              message: `HTCondor job ${key} is in neither condor_q nor condor_history and left no exit record`,
            },
          });
        }
        continue;
      }
      this.misses.delete(key);
      const status = num(ad, 'JobStatus');
      const ran = status !== JOB_STATUS.IDLE;
      const records = {
        exit: ran ? readExit(job.workDir) : null,
        started: ran ? readStarted(job.workDir) : null,
      };
      if (status === JOB_STATUS.COMPLETED && !records.exit) {
        // The exit record may not be visible yet on this host (NFS attribute caching).
        const first = this.completedSeen.get(key) ?? now;
        this.completedSeen.set(key, first);
        if (now - first < (this.cfg.exitRecordGraceMs ?? 30_000)) continue;
      }
      const res = interpretAd(job, ad, records);
      if (res.held) {
        const codes = this.cfg.transientHoldCodes ?? DEFAULT_TRANSIENT_HOLD_CODES;
        if (
          this.cfg.releaseTransientHolds &&
          res.held.code !== null &&
          codes.includes(res.held.code) &&
          !this.released.has(key)
        ) {
          this.released.add(key);
          toRelease.push(key);
          this.ctx.log.info(
            { jobId: job.jobId, backendJobId: key, reason: str(ad, 'HoldReason') },
            'releasing a transient hold'
          );
          continue;
        }
        if (this.cfg.removeHeldJobs !== false) toRemove.push(key);
      }
      if (res.update) {
        if (isTerminal(res.update.status)) {
          this.forget(key);
          // Ended while the ad still showed the run: its final ad comes later.
          if (!isFinalAd(ad))
            this.usage.note(job.jobId, { id, key, status: res.update.status }, now);
        }
        updates.push(res.update);
      }
    }
    updates.push(...this.usageFrom(byId, wanted));
    this.usage.schedule();
    if (toRelease.length) {
      fs.writeFileSync(this.releasedFile, JSON.stringify([...this.released]));
      await this.act(this.cmd.condor_release, toRelease).catch(e =>
        this.ctx.log.warn({ err: (e as Error).message }, 'condor_release failed')
      );
    }
    if (toRemove.length) {
      await this.act(this.cmd.condor_rm, toRemove).catch(e =>
        this.ctx.log.warn({ err: (e as Error).message }, 'condor_rm of held jobs failed')
      );
    }
    return updates;
  }

  /** A job's own report (Backend.reported): its exit is final here; the final ad adds usage later. */
  reported(job: TrackedJob, event: JobReport): StatusUpdate | null {
    const id = parseJobId(job.backendJobId);
    if (!this.reportsFromJobs || !id) return null;
    const u = reportedUpdate(job, event);
    if (!u || !isTerminal(u.status)) return u;
    const key = job.backendJobId!;
    this.forget(key);
    this.usage.note(job.jobId, { id, key, status: u.status }, Date.now());
    this.usage.schedule();
    return { ...u, backendJobId: key };
  }

  /** Usage-only updates for the follow-ups whose final ad is now there. */
  private usageFrom(byId: Map<string, Ad>, wanted: [string, UsageWanted][]): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const [jobId, w] of wanted) {
      const ad = byId.get(w.key);
      if (!ad || !isFinalAd(ad)) continue;
      this.usage.done(jobId);
      const usage = adUsage(ad);
      if (usage) out.push({ jobId, status: w.status, backendJobId: w.key, usage });
    }
    return out;
  }

  private sawProc(cluster: number, proc: number, now: number): void {
    this.clusterSeen.set(cluster, now);
    this.clusterMaxProc.set(cluster, Math.max(proc, this.clusterMaxProc.get(cluster) ?? -1));
  }

  /**
   * Materialization goes in proc order: a proc above the highest one ever seen, in a cluster
   * seen in the queue recently, is still waiting to become a job.
   */
  private unmaterialized(id: ParsedId, now: number): boolean {
    const seen = this.clusterSeen.get(id.cluster);
    if (seen === undefined || now - seen > (this.cfg.materializeGraceMs ?? 600_000)) return false;
    return id.proc > (this.clusterMaxProc.get(id.cluster) ?? -1);
  }

  private forget(key: string): void {
    this.misses.delete(key);
    this.completedSeen.delete(key);
  }

  /** Finished procs, in one condor_history call that stops once it found them all. */
  private async historyAds(ids: ParsedId[]): Promise<Ad[]> {
    let constraint = procsConstraint(ids);
    let extra = ['-match', String(ids.length)];
    if (constraint.length > HISTORY_CONSTRAINT_MAX) {
      // Too long for one argument: whole clusters, read to the end.
      constraint = [...new Set(ids.map(i => i.cluster))].map(c => `ClusterId == ${c}`).join(' || ');
      extra = [];
    }
    try {
      return await this.queryAds('history', constraint, extra);
    } catch (e) {
      // Without history the wrapper's records still tell how jobs ended.
      this.ctx.log.warn(
        { err: this.describeFailure(this.cmd.condor_history, e) },
        'condor_history failed'
      );
      return [];
    }
  }

  /** condor_rm / condor_release on ids; "not found" and "already done" are success. */
  private async act(cmd: string, ids: string[]): Promise<void> {
    for (const chunk of chunks(ids, IDS_PER_RM)) {
      try {
        await this.run([cmd, ...this.where(), ...chunk]);
      } catch (e) {
        if (e instanceof CommandError && e.exitCode !== null && actionFailureIsHarmless(e.stderr))
          continue;
        if (this.isUnreachable(e))
          throw new BackendUnavailable(`${path.basename(cmd)}: ${this.describeFailure(cmd, e)}`);
        throw e;
      }
    }
  }

  private async removeByConstraint(constraint: string): Promise<void> {
    try {
      await this.run([this.cmd.condor_rm, ...this.where(), '-constraint', constraint]);
    } catch (e) {
      if (e instanceof CommandError && e.exitCode !== null && actionFailureIsHarmless(e.stderr))
        return;
      throw e;
    }
  }

  private async removeQuietly(clusters: string[]): Promise<void> {
    if (clusters.length === 0) return;
    await this.act(this.cmd.condor_rm, clusters).catch(e =>
      this.ctx.log.warn({ err: (e as Error).message }, 'condor_rm failed')
    );
  }

  /** condor_prio -p: the same JobPrio a submission with this priority would get. */
  async reprioritize(jobs: PriorityChange[]): Promise<void> {
    const byValue = idsByPriorityValue(jobs, j =>
      jobPriority(j.priority, j.role, this.cfg.singleJobPriorityBoost)
    );
    for (const [value, ids] of byValue) {
      for (const chunk of chunks(ids, IDS_PER_RM)) {
        const argv = [this.cmd.condor_prio, '-p', String(value), ...this.where()];
        await this.run([...argv, ...chunk]).catch(e =>
          // A job that already started or left the queue no longer needs it.
          this.ctx.log.warn({ err: (e as Error).message, value }, 'condor_prio failed')
        );
      }
    }
  }

  async cancel(jobs: TrackedJob[]): Promise<void> {
    for (const j of jobs) {
      try {
        fs.writeFileSync(path.join(j.workDir, CANCELLED_MARKER), '');
      } catch {
        // Work dir gone: nothing can start from it anyway.
      }
    }
    const ids = jobs.map(j => j.backendJobId).filter((id): id is string => parseJobId(id) !== null);
    // Never recorded (crash between submit and record): find them by their Bulkrun id.
    const unknown = jobs.filter(j => parseJobId(j.backendJobId) === null && j.groupId);
    await this.act(this.cmd.condor_rm, ids);
    for (const chunk of chunks(unknown, 500)) {
      await this.removeByConstraint(
        chunk.map(j => `BulkrunJobId == ${classAdString(j.jobId)}`).join(' || ')
      );
    }
  }

  async findSubmitted(jobs: TrackedJob[]): Promise<Map<string, string>> {
    const wanted = new Set(jobs.map(j => j.jobId));
    const groups = [...new Set(jobs.map(j => j.groupId).filter((g): g is string => !!g))];
    const found = new Map<string, string>();
    const attrs = ['ClusterId', 'ProcId', 'BulkrunJobId', 'BulkrunGroup'];
    for (const chunk of chunks(groups, 200)) {
      const constraint = chunk.map(g => `BulkrunGroup == ${classAdString(g)}`).join(' || ');
      const ads = [
        ...(await this.queryAds('q', constraint, [], attrs)),
        ...(await this.queryAds('history', constraint, [], attrs).catch(e => {
          this.ctx.log.warn(
            { err: this.describeFailure(this.cmd.condor_history, e) },
            'condor_history failed'
          );
          return [] as Ad[];
        })),
      ];
      for (const ad of ads) {
        const jobId = str(ad, 'BulkrunJobId');
        const id = adId(ad);
        if (jobId && id && wanted.has(jobId) && !found.has(jobId)) found.set(jobId, id);
      }
    }
    return found;
  }

  async close(): Promise<void> {
    // Jobs belong to the schedd; only the usage follow-up stops.
    this.usage.stop();
  }
}

export function createHTCondorBackend(cfg: Record<string, unknown> = {}): Backend {
  return new HTCondorBackend(cfg as HTCondorConfig);
}
