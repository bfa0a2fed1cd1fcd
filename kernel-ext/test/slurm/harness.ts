/**
 * Shared setup of the Slurm integration tests: the real single-node Slurm from
 * scripts/slurm-up, a real BackendContext, work dirs prepared as the engine does, and a
 * tracker-like poll loop that applies the backend's updates to the tracked jobs.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  BackendUnavailable,
  type Logger,
  type StatusUpdate,
  type SubmitItem,
  type TrackedJob,
} from '../../src/backends/base';
import { SlurmBackend, type SlurmConfig } from '../../src/backends/slurm';
import { prepareWorkDir } from '../../src/backends/workdir';
import type { JobRole, Resources } from '../../src/protocol/records';

export const REPO = path.join(__dirname, '..', '..', '..');
export const SKIP = process.env.BULKRUN_SKIP_SLURM === '1';

/** Starts Slurm (idempotent) or fails loudly; with BULKRUN_SKIP_SLURM=1 says what it skips. */
export function slurmUp(suite: string): void {
  if (SKIP) {
    console.warn(`BULKRUN_SKIP_SLURM=1: SKIPPING the Slurm integration suite "${suite}"`);
    return;
  }
  try {
    execFileSync(path.join(REPO, 'scripts', 'slurm-up'), { stdio: 'pipe', timeout: 300_000 });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(
      `scripts/slurm-up failed: Slurm could not start (set BULKRUN_SKIP_SLURM=1 to skip these tests)\n` +
        `${err.stdout?.toString() ?? ''}${err.stderr?.toString() ?? err.message}`
    );
  }
}

/** `describe`, or a loudly announced skip when BULKRUN_SKIP_SLURM=1. */
export function describeSlurm(name: string, fn: () => void): void {
  if (SKIP) {
    console.warn(
      `BULKRUN_SKIP_SLURM=1: SKIPPING the Slurm integration tests "${name}" (no real Slurm used)`
    );
    describe.skip(name, fn);
  } else {
    describe(name, fn);
  }
}

export const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function tempRoot(prefix: string): string {
  // On the node's local disk: slurmd runs the tasks on this same machine.
  fs.mkdirSync('/var/tmp/bulkrun-tests', { recursive: true });
  return fs.mkdtempSync(path.join('/var/tmp/bulkrun-tests', prefix));
}

export interface Harness {
  root: string;
  backend: SlurmBackend;
  emitted: StatusUpdate[];
  item(jobId: string, argv: string[], opts?: { role?: JobRole; resources?: Resources }): SubmitItem;
}

export async function harness(prefix: string, cfg: SlurmConfig = {}): Promise<Harness> {
  const root = tempRoot(prefix);
  const backend = new SlurmBackend({ pollIntervalMs: 500, lostGraceMs: 5000, ...cfg });
  const emitted: StatusUpdate[] = [];
  await backend.init({
    log: quietLog,
    emit: u => emitted.push(...u),
    stateDir: path.join(root, 'state'),
  });
  return {
    root,
    backend,
    emitted,
    item(jobId, argv, opts = {}) {
      const workDir = path.join(root, 'jobs', jobId);
      prepareWorkDir(workDir, argv, { BULKRUN_JOB_ID: jobId });
      return {
        jobId,
        batchId: null,
        role: opts.role ?? 'single',
        index: null,
        workDir,
        argv,
        resources: opts.resources ?? {},
        priority: 0,
      };
    },
  };
}

export function tracked(
  items: SubmitItem[],
  ids: Map<string, string>,
  groupId: string
): TrackedJob[] {
  return items.map(it => ({
    jobId: it.jobId,
    backendJobId: ids.get(it.jobId) ?? null,
    groupId,
    workDir: it.workDir,
    status: 'queued',
  }));
}

export interface PollResult {
  final: Map<string, StatusUpdate>;
  seen: Map<string, StatusUpdate[]>;
  outages: number;
}

/**
 * Polls like the engine's tracker: applies updates to the tracked statuses and stops when
 * every job is terminal (or `until` says so). Outages (another suite stopping slurmctld)
 * are waited out, as the tracker does.
 */
export async function pollUntilDone(
  backend: SlurmBackend,
  jobs: TrackedJob[],
  timeoutMs: number,
  until?: (final: Map<string, StatusUpdate>, jobs: TrackedJob[]) => boolean
): Promise<PollResult> {
  const final = new Map<string, StatusUpdate>();
  const seen = new Map<string, StatusUpdate[]>();
  let outages = 0;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const active = jobs.filter(j => !final.has(j.jobId));
    if (active.length === 0 || (until && until(final, jobs))) break;
    let updates: StatusUpdate[] = [];
    try {
      updates = await backend.poll(active);
    } catch (e) {
      if (!(e instanceof BackendUnavailable)) throw e;
      outages++;
    }
    for (const u of updates) {
      seen.set(u.jobId, [...(seen.get(u.jobId) ?? []), u]);
      const j = jobs.find(x => x.jobId === u.jobId);
      // A later update of a finished job carries only its usage (sacct's, after the record),
      // and may be of another test's job (the backend asks sacct for all it waits for).
      if (!j || final.has(u.jobId)) continue;
      if (u.status === 'completed' || u.status === 'error' || u.status === 'terminated')
        final.set(u.jobId, u);
      else j.status = u.status;
    }
    await new Promise(r => setTimeout(r, backend.pollIntervalMs));
  }
  return { final, seen, outages };
}

/** submit() that waits out a concurrent controller outage instead of failing the test. */
export async function submitRetrying(
  backend: SlurmBackend,
  req: Parameters<SlurmBackend['submit']>[0]
) {
  for (let i = 0; ; i++) {
    try {
      return await backend.submit(req);
    } catch (e) {
      if (!(e instanceof BackendUnavailable) || i > 60) throw e;
      await new Promise(r => setTimeout(r, 1000));
    }
  }
}

export function idsOf(
  outcomes: { jobId: string; backendJobId?: string; error?: string }[]
): Map<string, string> {
  const m = new Map<string, string>();
  for (const o of outcomes) {
    if (o.error) throw new Error(`submit of ${o.jobId} failed: ${o.error}`);
    m.set(o.jobId, o.backendJobId!);
  }
  return m;
}

/** squeue's view of one job id (state), for waiting on Slurm itself. */
export function slurmState(id: string): string {
  try {
    return execFileSync('squeue', ['-h', '-r', '-t', 'all', '-j', id, '-o', '%T'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return '';
  }
}
