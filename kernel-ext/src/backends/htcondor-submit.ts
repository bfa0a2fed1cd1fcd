/**
 * HTCondor submit descriptions, built as text by pure functions so the exact file handed
 * to condor_submit is testable. One description queues one cluster: every item is one proc
 * (`queue jobid,workdir from <itemdata file>`), so a 10,000-row batch is one schedd
 * transaction instead of 10,000.
 */
import type { ContainerSpec, JobRole, Resources } from '../protocol/records';
import { chunks, type SubmitItem } from './base';
import { containerArgv } from './container';
import { memoryToMiB as bytesToMiB, parseDuration, parseMemory } from '../units';

export interface FileTransferConfig {
  /** `should_transfer_files`: NO (default) relies on a filesystem shared with the execute nodes. */
  shouldTransferFiles?: 'NO' | 'YES' | 'IF_NEEDED';
  /** `when_to_transfer_output` when transfers are on (default ON_EXIT). */
  whenToTransferOutput?: 'ON_EXIT' | 'ON_EXIT_OR_EVICT';
}

/** Site settings that shape every description (a subset of HTCondorConfig). */
export interface SubmitSettings {
  /** The wrapper copy every job runs: `/bin/bash <wrapper> <workdir>`. */
  wrapperPath: string;
  /** Job event log for the cluster (one file per submission); null = none. */
  eventLog: string | null;
  concurrencyLimits?: string[];
  accountingGroup?: string;
  fileTransfer?: FileTransferConfig;
  /** Use the container universe for apps with a container (instead of an apptainer prefix). */
  containerUniverse?: boolean;
  /** Added to the priority of single jobs and fan-ins, so they start before batch rows. */
  singleJobPriorityBoost?: number;
  /** Default `request_memory` when the app gives none (MiB); null = the pool's default. */
  defaultMemoryMiB?: number | null;
  /** Extra literal submit commands from the site config (e.g. `requirements = ...`). */
  extraCommands?: string[];
}

/** The resources and placement that one cluster's procs share. */
export interface ClusterShape {
  cpus: number;
  memoryMiB: number | null;
  diskKiB: number | null;
  gpus: number | null;
  walltimeSec: number | null;
  priority: number;
  container: ContainerSpec | null;
}

export interface ClusterPlan {
  shape: ClusterShape;
  items: SubmitItem[];
  /** `max_materialize` (late materialization): the batch's maxParallel or the per-submission cap. */
  maxMaterialize: number | null;
  maxIdle: number | null;
}

export interface SubmitFiles {
  description: string;
  itemdata: string;
}

/** Memory in whole MiB for `request_memory` (units.ts): "2G" → 2048, "4096" → 4096. */
export function memoryToMiB(
  mem: string | number | undefined | null,
  what = 'memory'
): number | null {
  if (mem === undefined || mem === null) return null;
  return bytesToMiB(parseMemory(mem, what));
}

/** Disk in KiB for `request_disk`: "10G" → 10485760. A bare number is MiB, as for memory. */
export function diskToKiB(disk: string | number | undefined | null): number | null {
  // An empty disk is no request, as on Slurm (slurm-script.ts).
  const mib = disk ? memoryToMiB(disk, 'disk') : null;
  return mib === null ? null : mib * 1024;
}

/** Walltime in seconds for `allowed_job_duration` (units.ts): "01:30:00", "90" (minutes), "2h". */
export function walltimeToSeconds(w: string | number | undefined | null): number | null {
  if (w === undefined || w === null) return null;
  return parseDuration(w, 'walltime');
}

/**
 * A path must survive three submit-language contexts unchanged: a `$(macro)` value, the
 * rest of an itemdata line, and a single-quoted word of new-syntax `arguments`.
 */
export function checkSubmitPath(p: string, what: string): string | null {
  if (!p.startsWith('/')) return `${what} '${p}' is not an absolute path`;
  if (/[\r\n\0]/.test(p)) return `${what} contains a line break`;
  if (p.includes('$')) return `${what} '${p}' contains '$', which HTCondor expands as a macro`;
  if (p.includes('"') || p.includes("'")) return `${what} '${p}' contains a quote character`;
  if (p !== p.trim()) return `${what} '${p}' starts or ends with white space`;
  return null;
}

/** A ClassAd string literal: backslash and double quote escaped. */
export function classAdString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

function shapeOf(item: SubmitItem, s: SubmitSettings): ClusterShape {
  const r: Resources = item.resources ?? {};
  return {
    cpus: Math.max(1, Math.ceil(Number(r.cpus ?? 1))),
    memoryMiB: memoryToMiB(r.memory) ?? s.defaultMemoryMiB ?? null,
    diskKiB: diskToKiB(r.disk),
    gpus: r.gpus ? Math.ceil(Number(r.gpus)) : null,
    walltimeSec: walltimeToSeconds(r.walltime),
    priority: jobPriority(item.priority, item.role, s.singleJobPriorityBoost),
    container: s.containerUniverse && item.container ? item.container : null,
  };
}

function shapeKey(sh: ClusterShape): string {
  return JSON.stringify(sh);
}

export interface PlanResult {
  plans: ClusterPlan[];
  /** Items refused before any scheduler call (bad resources, unusable path). */
  rejected: { jobId: string; error: string }[];
}

/**
 * Splits a submission into clusters: items of one shape share a cluster; a shape with more
 * items than `maxJobsPerSubmission` is either one late-materialized cluster or several
 * clusters of at most that many procs (when late materialization is off).
 */
export function planClusters(
  items: SubmitItem[],
  s: SubmitSettings,
  opts: {
    maxParallel?: number | null;
    maxJobsPerSubmission: number;
    lateMaterialize: boolean;
    maxIdle?: number | null;
  }
): PlanResult {
  const rejected: PlanResult['rejected'] = [];
  const byShape = new Map<string, { shape: ClusterShape; items: SubmitItem[] }>();
  for (const item of items) {
    const bad = checkJobId(item.jobId) ?? checkSubmitPath(item.workDir, 'Work dir');
    if (bad) {
      rejected.push({ jobId: item.jobId, error: bad });
      continue;
    }
    let shape: ClusterShape;
    try {
      shape = shapeOf(item, s);
    } catch (e) {
      rejected.push({ jobId: item.jobId, error: (e as Error).message });
      continue;
    }
    const k = shapeKey(shape);
    const g = byShape.get(k) ?? { shape, items: [] };
    g.items.push(item);
    byShape.set(k, g);
  }
  const plans: ClusterPlan[] = [];
  const cap = Math.max(1, opts.maxJobsPerSubmission);
  const maxParallel = opts.maxParallel && opts.maxParallel > 0 ? opts.maxParallel : null;
  for (const { shape, items: group } of byShape.values()) {
    if (opts.lateMaterialize && (maxParallel !== null || group.length > cap)) {
      plans.push({
        shape,
        items: group,
        maxMaterialize: Math.min(maxParallel ?? cap, cap),
        maxIdle: opts.maxIdle ?? null,
      });
      continue;
    }
    for (const part of chunks(group, cap)) {
      plans.push({ shape, items: part, maxMaterialize: null, maxIdle: null });
    }
  }
  return { plans, rejected };
}

/** New-syntax `arguments`: each word single-quoted, quotes doubled. */
function newSyntaxArgs(words: string[]): string {
  return (
    '"' + words.map(w => "'" + w.replace(/'/g, "''").replace(/"/g, '""') + "'").join(' ') + '"'
  );
}

function containerImage(c: ContainerSpec): string {
  if ((c.runtime === 'docker' || c.runtime === 'podman') && !c.image.includes('://'))
    return `docker://${c.image}`;
  return c.image;
}

/**
 * The submit description of one cluster and its itemdata file. `itemdataPath` is where the
 * caller writes the itemdata (absolute; checked like the work dirs).
 */
export function buildSubmitFiles(
  plan: ClusterPlan,
  groupId: string,
  itemdataPath: string,
  s: SubmitSettings
): SubmitFiles {
  const sh = plan.shape;
  const ft = s.fileTransfer ?? {};
  const lines: string[] = [
    `# Bulkrun submission ${groupId}: ${plan.items.length} job(s), one cluster`,
    sh.container ? 'universe = container' : 'universe = vanilla',
  ];
  if (sh.container) lines.push(`container_image = ${containerImage(sh.container)}`);
  lines.push(
    'executable = /bin/bash',
    'transfer_executable = false',
    `arguments = ${newSyntaxArgs([s.wrapperPath, '$(workdir)'])}`,
    // The wrapper reads the job's environment from WORKDIR/env; nothing leaks from the server.
    'getenv = false',
    // A requeued (evicted) job must be allowed to run again in the same work dir.
    'environment = "BULKRUN_REQUEUE_OK=1"',
    'initialdir = $(workdir)',
    'output = condor.out',
    'error = condor.err'
  );
  if (s.eventLog) lines.push(`log = ${s.eventLog}`);
  lines.push(`should_transfer_files = ${ft.shouldTransferFiles ?? 'NO'}`);
  if ((ft.shouldTransferFiles ?? 'NO') !== 'NO') {
    lines.push(`when_to_transfer_output = ${ft.whenToTransferOutput ?? 'ON_EXIT'}`);
  }
  lines.push(`request_cpus = ${sh.cpus}`);
  if (sh.memoryMiB !== null) lines.push(`request_memory = ${sh.memoryMiB}`);
  if (sh.diskKiB !== null) lines.push(`request_disk = ${sh.diskKiB}`);
  if (sh.gpus !== null) lines.push(`request_gpus = ${sh.gpus}`);
  // Held with HoldReasonCode 46 when exceeded (HTCondor 9.4+; older schedds ignore it).
  if (sh.walltimeSec !== null) lines.push(`allowed_job_duration = ${sh.walltimeSec}`);
  lines.push(`priority = ${sh.priority}`);
  if (s.concurrencyLimits?.length)
    lines.push(`concurrency_limits = ${s.concurrencyLimits.join(',')}`);
  if (s.accountingGroup) lines.push(`+AccountingGroup = ${classAdString(s.accountingGroup)}`);
  for (const extra of s.extraCommands ?? []) lines.push(extra);
  lines.push(
    `+JobBatchName = ${classAdString('bulkrun:' + groupId)}`,
    `+BulkrunGroup = ${classAdString(groupId)}`,
    '+BulkrunJobId = "$(jobid)"'
  );
  if (plan.maxMaterialize !== null) lines.push(`max_materialize = ${plan.maxMaterialize}`);
  if (plan.maxIdle !== null) lines.push(`max_idle = ${plan.maxIdle}`);
  lines.push(`queue jobid,workdir from ${itemdataPath}`);
  // jobid first: the last variable takes the rest of the line, so a path may hold spaces or commas.
  const itemdata = plan.items.map(it => `${it.jobId} ${it.workDir}\n`).join('');
  return { description: lines.join('\n') + '\n', itemdata };
}

/** Job ids must be single itemdata words. */
export function checkJobId(id: string): string | null {
  return /^[A-Za-z0-9_.:-]+$/.test(id)
    ? null
    : `Job id '${id}' has characters HTCondor itemdata cannot carry`;
}

/**
 * In the container universe HTCondor starts the container; the argv the engine stored
 * (with an apptainer/docker prefix) is rewritten without that prefix.
 */
export function stripContainerPrefix(
  argv: string[],
  container: ContainerSpec,
  workDir: string
): string[] {
  const prefix = containerArgv(container, [], workDir);
  if (argv.length < prefix.length) return argv;
  for (let i = 0; i < prefix.length; i++) if (argv[i] !== prefix[i]) return argv;
  return argv.slice(prefix.length);
}

/** JobPrio of a Bulkrun priority: single jobs and fan-ins get a boost over batch rows. */
export function jobPriority(priority: number, role: JobRole, singleBoost = 10): number {
  return Math.round(Number(priority ?? 0)) + (role === 'task' ? 0 : singleBoost);
}
