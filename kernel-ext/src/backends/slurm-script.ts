/**
 * Pure construction of what the Slurm backend hands to sbatch: the array task script,
 * the sbatch argv for one array, and the conversion of our resources to sbatch options.
 * Kept free of I/O so every generated command is testable as text.
 */
import type { JobRole, Resources } from '../protocol/records';
import {
  durationToSlurm,
  memoryToSlurm as bytesToSlurm,
  parseDuration,
  parseMemory,
} from '../units';

/**
 * The batch script of every array: `array-task.sh MAPFILE WRAPPER`. Line N of MAPFILE
 * (0-based, N = $SLURM_ARRAY_TASK_ID) is the task's work dir, optionally followed by the
 * byte offset and length of its job file in MAPFILE.jobs: the task then creates the work
 * dir and its job file (once; a rename makes it appear whole). It records the Slurm id in
 * the work dir (so a lost submission can be found again after Slurm forgot the job) and
 * execs the shared wrapper. A requeued job (SLURM_RESTART_COUNT > 0) may take over its
 * own earlier claim.
 */
export const ARRAY_TASK_SCRIPT = `#!/bin/bash
# Bulkrun array task: bash array-task.sh MAPFILE WRAPPER
i=\${SLURM_ARRAY_TASK_ID:?not an array task}
mapfile -t -s "$i" -n 1 line < "$1" || exit 96
IFS=$'\\t' read -r d off len <<< "\${line[0]}"
[ -n "$d" ] || { echo "bulkrun: no work dir for array task $i in $1" >&2; exit 96; }
if [ -n "$len" ] && [ ! -s "$d/job" ]; then
  mkdir -p "$d" &&
    dd if="$1.jobs" of="$d/job.$$" iflag=skip_bytes,count_bytes skip="$off" count="$len" bs=65536 status=none &&
    mv -f "$d/job.$$" "$d/job" ||
    { echo "bulkrun: cannot create the work dir $d" >&2; exit 96; }
fi
printf '%s_%s\\n' "$SLURM_ARRAY_JOB_ID" "$i" > "$d/slurm-job" 2>/dev/null
[ "\${SLURM_RESTART_COUNT:-0}" -gt 0 ] && export BULKRUN_REQUEUE_OK=1
exec bash "$2" "$d"
`;

/** A memory request ("2G", "512M", "1.5GB", "2Gi", "1024") as sbatch's `<MB>M` (units.ts). */
export function memoryToSlurm(mem: string | number, what = 'memory'): string {
  return bytesToSlurm(parseMemory(mem, what));
}

/** A walltime in any form of units.ts ("01:30:00", "90", "1h30m", "2-12") as `[D-]HH:MM:SS`. */
export function walltimeToSlurm(wt: string | number): string {
  return durationToSlurm(parseDuration(wt, 'walltime'));
}

export interface SlurmDefaults {
  partition?: string;
  account?: string;
  qos?: string;
}

/** sbatch options for one job's resources; throws a user-readable message on bad values. */
export function resourceArgs(r: Resources, defaults: SlurmDefaults = {}): string[] {
  const out: string[] = [];
  const posInt = (v: unknown, what: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`Invalid ${what} '${String(v)}': expected a positive integer`);
    return n;
  };
  if (r.cpus !== undefined && r.cpus !== null)
    out.push(`--cpus-per-task=${posInt(r.cpus, 'cpus')}`);
  if (r.memory !== undefined && r.memory !== null) out.push(`--mem=${memoryToSlurm(r.memory)}`);
  if (r.walltime !== undefined && r.walltime !== null)
    out.push(`--time=${walltimeToSlurm(r.walltime)}`);
  if (r.nodes !== undefined && r.nodes !== null) out.push(`--nodes=${posInt(r.nodes, 'nodes')}`);
  if (r.tasksPerNode !== undefined && r.tasksPerNode !== null) {
    out.push(`--ntasks-per-node=${posInt(r.tasksPerNode, 'tasksPerNode')}`);
  }
  if (r.gpus !== undefined && r.gpus !== null && Number(r.gpus) > 0)
    out.push(`--gpus=${posInt(r.gpus, 'gpus')}`);
  if (r.gres) out.push(`--gres=${String(r.gres)}`);
  if (r.disk) out.push(`--tmp=${memoryToSlurm(String(r.disk), 'disk')}`);
  const partition = r.partition ?? defaults.partition;
  const account = r.account ?? defaults.account;
  const qos = r.qos ?? defaults.qos;
  if (partition) out.push(`--partition=${String(partition)}`);
  if (account) out.push(`--account=${String(account)}`);
  if (qos) out.push(`--qos=${String(qos)}`);
  return out;
}

export interface ArrayJobSpec {
  sbatch: string;
  /** `bulkrun:<groupId>:<part>`: finds the array again after a crash. */
  jobName: string;
  comment: string;
  /** Number of array tasks; indexes 0..count-1 are lines of the map file. */
  count: number;
  maxParallel?: number | null;
  nice?: number | null;
  resourceArgs: string[];
  extraArgs: string[];
  /** Where sbatch's own output goes (slurmstepd messages such as a time-limit kill). */
  output: string;
  chdir: string;
  script: string;
  mapFile: string;
  wrapper: string;
}

export function arraySpec(count: number, maxParallel?: number | null): string {
  const throttle = maxParallel && maxParallel > 0 && maxParallel < count ? `%${maxParallel}` : '';
  return `${count === 1 ? '0' : `0-${count - 1}`}${throttle}`;
}

/** The argv of one `sbatch --parsable --array=...` call. */
export function sbatchArgv(s: ArrayJobSpec): string[] {
  return [
    s.sbatch,
    '--parsable',
    `--array=${arraySpec(s.count, s.maxParallel)}`,
    `--job-name=${s.jobName}`,
    `--comment=${s.comment}`,
    `--chdir=${s.chdir}`,
    `--output=${s.output}`,
    '--open-mode=append',
    ...(s.nice ? [`--nice=${s.nice}`] : []),
    ...s.resourceArgs,
    ...s.extraArgs,
    s.script,
    s.mapFile,
    s.wrapper,
  ];
}

export function jobName(groupId: string, part: number): string {
  return `bulkrun:${groupId}:${part}`;
}

/** `bulkrun:<groupId>:<part>` → {groupId, part}; null for names that are not ours. */
export function parseJobName(name: string): { groupId: string; part: number } | null {
  const m = /^bulkrun:(.+):(\d+)$/.exec(name.trim());
  return m ? { groupId: m[1], part: Number(m[2]) } : null;
}

/** `12345` or `12345;cluster` → `12345`. */
export function parseSbatchParsable(stdout: string): string | null {
  const line = stdout.trim().split('\n').pop() ?? '';
  const m = /^(\d+)(?:;.*)?$/.exec(line.trim());
  return m ? m[1] : null;
}

/**
 * `--nice` of a job: batch rows start `niceForTasks` below single jobs, and a higher
 * Bulkrun priority lowers the value. Never below 0: only privileged users may set a
 * negative nice, so single jobs cannot be raised above the user's other jobs.
 */
export function niceFor(role: JobRole, priority: number, niceForTasks = 100): number {
  const base = role === 'task' ? niceForTasks : 0;
  return Math.max(0, base - Math.round(Number(priority) || 0));
}
