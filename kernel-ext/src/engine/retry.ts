/**
 * Retry rules (docs/SEMANTICS.md "Retry"). A retry is a new job that copies app
 * version, params and resources from the record; its retryParent is the row's root; it
 * joins the same batch and becomes the row's newest attempt. New row, root link and batch
 * link are one transaction; `retry_complete` stays 0 until the scheduler has it, so the
 * reaper can find and finish a lifecycle a crash interrupted. Retries created in the same
 * request reach the scheduler in one dispatch pass, grouped into one submission.
 */
import { ApiError } from '../protocol/errors';
import type { JobRecord, JobStatus, Resources, RetryResult, RowError } from '../protocol/records';
import { PathChecker, pathFields, resolveRowPaths } from '../apps/paths';
import { isTerminal } from '../protocol/records';
import type { JobRow } from '../store/rows';
import { type Actor, type ActOptions, canSee, notFound } from './access';
import type { Core, Parts } from './core';
import { ChunkSizer, yieldLoop } from './chunks';
import { newId } from './ids';
import { newJobRow } from './new-job';
import { toRecord, visibleRow } from './records';
import { validationError } from './validate';
import {
  canonicalMemory,
  durationToSlurm,
  isDuration,
  isMemory,
  parseDuration,
  parseMemory,
} from '../units';
import { oomRetryMemory, timeoutRetryWalltime } from './usage';

export const MSG_BATCH_PARENT = 'Cannot retry batch job parents. Must retry individual jobs';
export const MSG_NO_IDS = 'No job_ids provided to retry';

export type { RetryResult };

/** Checks one id and writes its retry (call inside a commit). Throws ApiError on refusal. */
function retryOne(
  core: Core,
  actor: Actor,
  id: string,
  opts: ActOptions,
  why?: string,
  resources?: Resources,
  params?: string
): JobRow {
  const { store } = core;
  const job = typeof id === 'string' ? store.jobs.get(id) : undefined;
  if (!job || !canSee(actor, job, opts)) throw notFound(String(id));
  // A row (or fan-in) that fanned out is retried whole: its new attempt fans out afresh
  // (docs/SEMANTICS.md "Nested fan-out"). Other batch parents are retried by their rows.
  if (job.is_batch && !job.batch_id) throw new ApiError('wrong_state', MSG_BATCH_PARENT);
  if (job.status !== 'error' && job.status !== 'terminated') {
    throw new ApiError(
      'wrong_state',
      `Error retrying job ${job.id} with status ${job.status}: can only retry jobs with status 'error' or 'terminated'`
    );
  }
  // A retry of a retry retries the root.
  const root = job.retry_parent ? store.jobs.get(job.retry_parent)! : job;
  const attempts = store.attempts.of(root.id);
  const inFlight = attempts.find(a => a.id !== root.id && !isTerminal(a.status));
  if (inFlight) {
    throw new ApiError(
      'retry_in_flight',
      `Job ${root.id} already has a retry in flight: ${inFlight.id}`,
      {
        retryId: inFlight.id,
      }
    );
  }
  const retries = attempts.length - 1;
  if (retries >= core.config.retryLimit) {
    throw new ApiError(
      'retry_limit',
      `Job ${root.id} has been retried ${retries} times, the limit; more retries are unlikely to help. Check its logs and parameters.`
    );
  }
  return newAttempt(
    core,
    root,
    attempts[attempts.length - 1],
    why ?? `retry of ${job.id}`,
    resources,
    params
  );
}

/**
 * Writes the next attempt of `root` after `latest` (call inside a commit): the new row
 * copies app version, params and resources from the newest attempt (or takes the edited
 * params of an edit and rerun), links to the root and becomes the row's effective state;
 * the batch's counts and fan-in follow.
 */
export function newAttempt(
  core: Pick<Core, 'store' | 'life' | 'config'>,
  root: JobRow,
  latest: JobRow,
  why: string,
  resources?: Resources,
  params?: string
): JobRow {
  const { store, life } = core;
  const newRow = newJobRow(core.config.dataDir, {
    id: newId(),
    batch_id: root.batch_id,
    is_batch: 0,
    role: root.role,
    idx: root.idx,
    owner: root.owner,
    app: root.app,
    app_version: root.app_version,
    params: params ?? latest.params,
    resources: resources ? JSON.stringify(resources) : latest.resources,
    backend: root.backend,
    status: 'created',
    priority: latest.priority,
    created_at: Date.now(),
    retry_parent: root.id,
    attempt: latest.attempt + 1,
    retry_complete: 0,
    origin: root.origin,
    parent_job_id: root.parent_job_id,
  });
  // The previous newest attempt stops being the row's effective state.
  store.jobs.update(latest.id, { is_latest: 0 });
  store.jobs.insert(newRow);
  // An edited attempt says so; a later plain retry of it copies its params, still edited.
  if (params !== undefined || latest.params_edited)
    store.jobs.update(newRow.id, { params_edited: 1 });
  if (root.batch_id) {
    const b = store.batches.get(root.batch_id);
    // Retrying a row or the fan-in of a cancelled batch reopens the batch: rows of a
    // cancelled batch are never dispatched, so the new attempt would wait forever.
    if (b?.cancelled) store.batches.update(root.batch_id, { cancelled: null });
    if (root.role === 'task') {
      store.batches.shiftCount(root.batch_id, latest.status, 'created');
      // A fan-in that already left the queue of waiting jobs saw (or is about to read)
      // this row's old outcome: it runs again once the rows settle. One still waiting
      // reads the inputs when it is submitted, after the rows settle.
      if (b?.fan_in_job_id && !b.fan_in_stale) {
        const fanIn = store.attempts.latest(b.fan_in_job_id);
        if (fanIn && (fanIn.status !== 'created' || fanIn.submit_state !== null)) {
          store.batches.update(root.batch_id, { fan_in_stale: 1 });
        }
      }
    } else if (root.role === 'fan_in' && b?.fan_in_stale) {
      // This attempt reads the newest outputs when it is submitted.
      store.batches.update(root.batch_id, { fan_in_stale: 0 });
    }
    life.markBatchDirty(root.batch_id);
  }
  const row = store.jobs.get(newRow.id)!;
  life.emitJob(row, { created_at: row.created_at }, why);
  return row;
}

export function retryJob(
  { core, effects }: Parts,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): JobRecord {
  const row = core.life.commit(() => retryOne(core, actor, id, opts));
  effects.kick();
  return toRecord(core.store, row);
}

/**
 * Retries only the failed leaves under a job that fanned out, at any depth: a failed row
 * of its sub-batch is retried, one that fanned out itself is searched in turn, unless its
 * own process failed (then it is retried whole, to fan out afresh). Each retry follows
 * the rules of retryOne; the ones refused are listed with why.
 */
export function retryLeaves(
  { core, effects }: Parts,
  actor: Actor,
  id: string,
  opts: ActOptions = {}
): { job: JobRecord; results: RetryResult[] } {
  const { store } = core;
  const top = visibleRow(store, actor, id, opts);
  if (!top.is_batch) {
    throw new ApiError('wrong_state', `Job ${id} did not fan out; retry it without leaves`);
  }
  const results: RetryResult[] = [];
  core.life.commit(() => {
    const visit = (batchId: string) => {
      let retried = false;
      for (const rid of store.attempts.latestOfBatch(batchId, ['error', 'terminated'])) {
        const r = store.jobs.get(rid)!;
        // A failed fan-in runs again by itself once retried rows settle.
        if (r.role === 'fan_in' && retried) continue;
        if (r.is_batch && !(r.submit_state === 'exited' && r.exit_code)) {
          visit(r.id);
          retried = true;
          continue;
        }
        retried = true;
        try {
          results.push({ jobId: r.id, retryId: retryOne(core, actor, r.id, { asAdmin: true }).id });
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          results.push({ jobId: r.id, error: e.message });
        }
      }
    };
    visit(top.id);
  });
  effects.kick();
  return { job: toRecord(store, store.jobs.get(id)!), results };
}

/**
 * Edit and rerun (docs/SEMANTICS.md): a retry with the parameters the user changed. The
 * retry rules hold (owner or admin, only error/terminated, not a batch parent, one in
 * flight, the limit); the new params are checked like a new row's, paths included.
 */
export function rerunJob(
  { core, effects }: Parts,
  actor: Actor,
  id: string,
  body: unknown,
  opts: ActOptions = {}
): JobRecord {
  const job = core.store.jobs.get(id);
  if (!job || !canSee(actor, job, opts)) throw notFound(String(id));
  if (job.is_batch) throw new ApiError('wrong_state', MSG_BATCH_PARENT);
  const b = body as { params?: unknown; baseDir?: unknown } | undefined;
  const problems: RowError[] = [];
  if (!b || typeof b.params !== 'object' || b.params === null || Array.isArray(b.params))
    problems.push({ row: null, field: 'params', message: 'must be an object' });
  if (b?.baseDir !== undefined && (typeof b.baseDir !== 'string' || !b.baseDir.startsWith('/')))
    problems.push({ row: null, field: 'baseDir', message: 'must be an absolute path' });
  if (problems.length) throw validationError(problems);
  const params = { ...(b!.params as Record<string, unknown>) };
  const app = core.apps.get(job.app, job.app_version) ?? core.apps.get(job.app);
  if (!app)
    throw new ApiError('wrong_state', `App ${job.app} ${job.app_version} is no longer known`);
  const found = core.apps.validateParams(app, params);
  if (!found.length) {
    const shared = core.backends.get(job.backend)?.sharedFilesystem !== false;
    found.push(
      ...resolveRowPaths(
        pathFields(app),
        params,
        b!.baseDir as string | undefined,
        shared ? new PathChecker() : null
      )
    );
  }
  if (found.length)
    throw validationError(
      found.map(e => ({ row: null, field: `params.${e.field}`, message: e.message }))
    );
  const row = core.life.commit(() =>
    retryOne(core, actor, id, opts, `edited rerun of ${id}`, undefined, JSON.stringify(params))
  );
  effects.kick();
  return toRecord(core.store, row);
}

/**
 * Retries in the first transaction of a request of many (each retry is atomic and
 * answered on its own, so chunks change no outcome); the next chunks are sized to the
 * time they take (chunks.ts), so requests and events go between them, as a batch
 * cancel's do (cancel.ts). Small, since it runs in the request before the sizer knows
 * what a retry costs: 300 held the loop 120 ms or more with 50 connections watching.
 */
export const RETRY_CHUNK = 100;

export async function retryJobs(
  { core, effects }: Parts,
  actor: Actor,
  ids: unknown,
  opts: ActOptions = {}
): Promise<RetryResult[]> {
  if (!Array.isArray(ids) || ids.length === 0) throw new ApiError('invalid_request', MSG_NO_IDS);
  if (ids.length > core.config.maxRows) {
    throw new ApiError('invalid_request', `At most ${core.config.maxRows} ids per request`);
  }
  const seen = new Set<unknown>();
  const dups = new Set<unknown>();
  for (const id of ids) (seen.has(id) ? dups : seen).add(id);
  if (dups.size) {
    throw new ApiError(
      'invalid_request',
      `Retry of the same id in the same request is not supported. Offending ids: ${JSON.stringify([...dups])}`
    );
  }
  let next = 0;
  return retryInChunks({ core, effects }, actor, n => ids.slice(next, (next += n)), opts);
}

/**
 * Retries the ids `take(n)` answers, a chunk per transaction, until it answers none; one
 * result per id, in order. No kick between chunks: the retries go out together, in one
 * submission per batch.
 */
async function retryInChunks(
  { core, effects }: Parts,
  actor: Actor,
  take: (n: number) => unknown[],
  opts: ActOptions
): Promise<RetryResult[]> {
  const sizer = new ChunkSizer(RETRY_CHUNK);
  const results: RetryResult[] = [];
  for (let first = true; ; first = false) {
    if (!first) await yieldLoop();
    const t0 = performance.now();
    const chunk = take(sizer.next);
    if (chunk.length === 0) break;
    const done = core.life.commit(() =>
      chunk.map((id): RetryResult => {
        try {
          return { jobId: id as string, retryId: retryOne(core, actor, id as string, opts).id };
        } catch (e) {
          if (e instanceof ApiError) return { jobId: id as string, error: e.message };
          throw e;
        }
      })
    );
    for (const r of done) results.push(r);
    sizer.took(chunk.length, performance.now() - t0);
  }
  effects.kick();
  return results;
}

export async function retryBatch(
  parts: Parts,
  actor: Actor,
  batchId: string,
  statuses: unknown,
  opts: ActOptions = {}
): Promise<RetryResult[]> {
  const { store } = parts.core;
  const parent = visibleRow(store, actor, batchId, opts);
  if (!parent.is_batch) throw new ApiError('not_found', `Batch ${batchId} not found`);
  const wanted = statuses === undefined ? ['error', 'terminated'] : statuses;
  if (
    !Array.isArray(wanted) ||
    wanted.length === 0 ||
    wanted.some(s => s !== 'error' && s !== 'terminated')
  ) {
    throw new ApiError(
      'invalid_request',
      "statuses must be a non-empty list of 'error' and/or 'terminated'"
    );
  }
  // A page at a time, read with each chunk: a row retried gets a `created` newest attempt,
  // so no row is read twice; the fan-in (and any other non-row job) after the rows.
  const page = store.attempts.latestOfBatchPages(batchId, wanted as JobStatus[]);
  return retryInChunks(parts, actor, n => page(n), { asAdmin: true });
}

/** Transient failures retry by themselves, up to the batch's maxRetries (call inside a commit). */
export function autoRetryFor(core: Core, row: JobRow): void {
  if (!row.batch_id || row.is_batch) return;
  const code = row.error_code ?? '';
  const transient =
    code === 'node_failure' ||
    code === 'preempted' ||
    code === 'submit_failed' ||
    code === 'storage_full';
  let resources: Resources | undefined;
  if (code === 'oom') {
    const app = core.apps.get(row.app, row.app_version);
    if (!app?.retryOnOomWithMoreMemory) return;
    const res = JSON.parse(row.resources) as Resources;
    // The next size the history supports, never less (engine/usage.ts); none or
    // unparsable counts as 1G, so with no history it asks for 2G, as before.
    const cur = parseMemory(isMemory(res.memory) ? res.memory! : '1G');
    const capText = core.config.maxMemory?.[row.backend];
    const cap = capText && isMemory(capText) ? parseMemory(capText) : null;
    if (cap !== null && cur >= cap) return; // already at the backend's largest: keep the error
    resources = { ...res, memory: canonicalMemory(oomRetryMemory(core, row, cur, cap)) };
  } else if (code === 'timeout') {
    const app = core.apps.get(row.app, row.app_version);
    if (!app?.retryOnTimeoutWithMoreTime) return;
    const res = JSON.parse(row.resources) as Resources;
    const wt = res.walltime ?? app.resources?.walltime;
    // Without a walltime the backend's default applied: nothing to grow from.
    if (!wt || !isDuration(wt)) return;
    const next = timeoutRetryWalltime(core, row, parseDuration(wt));
    resources = { ...res, walltime: durationToSlurm(next) };
  } else if (!transient) {
    return;
  }
  const b = core.store.batches.get(row.batch_id);
  if (!b || b.cancelled) return;
  if (core.store.attempts.retryCount(row.retry_parent ?? row.id) >= b.max_retries) return;
  try {
    retryOne(
      core,
      { user: row.owner, admin: true },
      row.id,
      { asAdmin: true },
      `automatic retry after ${code}`,
      resources
    );
    core.store.batches.update(row.batch_id, { auto_retries: b.auto_retries + 1 });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
}
