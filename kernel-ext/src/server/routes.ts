/**
 * REST routes under /api/v1 (docs/SEMANTICS.md for the rules they carry out). Handlers only translate HTTP to
 * engine calls; errors are ApiErrors mapped to HTTP in one place (errors.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../engine/access';
import { cancel, cancelBatch } from '../engine/cancel';
import type { Engine } from '../engine/engine';
import { reportFromJob } from '../engine/reports';
import { rerunJob, retryBatch, retryJob, retryJobs, retryLeaves } from '../engine/retry';
import { ApiError } from '../protocol/errors';
import { SEQ_HEADER } from '../protocol/events';
import type { AppUsage, AppList } from '../protocol/records';
import { readLog } from './logs';
import type { LoopLagMonitor } from './loop-lag';
import { registerOpenApi } from './openapi';
import { checkPaths } from './paths';

type Q = Record<string, string | undefined>;

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

function asAdmin(req: FastifyRequest): boolean {
  const v = (req.query as Q).as_admin;
  return v === 'true' || v === '1';
}

function intParam(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v))
    throw new ApiError('invalid_request', `${name} must be a non-negative integer`);
  return Number(v);
}

function body(req: FastifyRequest): unknown {
  if (req.body === undefined || req.body === null)
    throw new ApiError('invalid_request', 'A JSON body is required');
  return req.body;
}

/** A job-scoped token may only touch its own job (and what it fanned out). */
function requireUserToken(req: FastifyRequest): void {
  if (req.actor.jobId)
    throw new ApiError('forbidden', 'A job token cannot do this; use a user token');
}

/**
 * Sets `Bulkrun-Seq`: the event seq read just before the answer's data. Every event up to
 * it is reflected in the answer; a client that got later events over the WebSocket while
 * this request was in flight applies those on top (reads and writes are synchronous, so
 * nothing interleaves between this read and the data's).
 */
function snapshotSeq(reply: FastifyReply, engine: Engine): void {
  reply.header(SEQ_HEADER, String(engine.store.events.maxSeq()));
}

export function registerRoutes(
  app: FastifyInstance,
  engine: Engine,
  version: string,
  loop: LoopLagMonitor
): void {
  // A request naming a batch whose rows are still being written, or a row not yet written,
  // answers once they all are (engine/batch-writer.ts): never a part of a batch.
  app.addHook('preHandler', async req => {
    const id = (req.params as { id?: string } | undefined)?.id;
    const parent = (req.query as Q | undefined)?.parent;
    if (id || parent) await engine.writer.settled(id, parent);
  });

  app.get('/api/v1/health', async () => {
    const backends = await engine.health();
    const storage = engine.storage.report();
    // Up, but writes wait: say why, with the figure a user needs to act on.
    const degraded =
      storage.state === 'full'
        ? `data dir full: ${mb(storage.freeBytes)} free in ${storage.dataDir}`
        : null;
    return { ok: true, version, backends, storage, degraded, eventLoop: loop.report() };
  });

  // With the files that could not be loaded, so clients can say why an app is missing.
  app.get(
    '/api/v1/apps',
    async (): Promise<AppList> => ({ apps: engine.apps.list(), problems: engine.apps.problems() })
  );
  app.get('/api/v1/apps/:id', async req => {
    const { id } = req.params as { id: string };
    const a = engine.apps.get(id, (req.query as Q).version);
    if (!a) throw new ApiError('not_found', `App ${id} not found`);
    return a;
  });

  // The user's past runs of an app and what to ask for (engine/suggest.ts).
  app.get('/api/v1/apps/:id/usage', async (req): Promise<AppUsage> => {
    requireUserToken(req);
    const { id } = req.params as { id: string };
    return engine.appUsage(req.actor, id, (req.query as Q).version);
  });

  // Whether paths exist, for the grid's check before Run (apps/paths.ts; the same rules
  // as the preflight of POST /batches).
  app.post('/api/v1/paths/check', async req => {
    requireUserToken(req);
    return { results: checkPaths(body(req)) };
  });

  app.post('/api/v1/batches', async (req, reply) => {
    requireUserToken(req);
    const res = await engine.createBatch(req.actor, body(req));
    reply.code(res.existing ? 200 : 202);
    return { batch: res.batch, jobIds: res.jobIds };
  });

  app.get('/api/v1/batches', async (req, reply) => {
    const q = req.query as Q;
    snapshotSeq(reply, engine);
    const page = engine.listBatches(req.actor, {
      status: q.status,
      limit: intParam(q.limit, 'limit'),
      cursor: q.cursor,
      asAdmin: asAdmin(req),
      includeSingles: q.singles === 'true',
    });
    return { batches: page.items, nextCursor: page.nextCursor };
  });

  app.get('/api/v1/batches/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    snapshotSeq(reply, engine);
    return engine.getBatch(req.actor, id, { asAdmin: asAdmin(req) });
  });

  app.get('/api/v1/batches/:id/jobs', async (req, reply) => {
    const { id } = req.params as { id: string };
    const q = req.query as Q;
    snapshotSeq(reply, engine);
    // ?parent=ROWJOBID pages the sub-batch of a row anywhere below this batch.
    const page = engine.listBatchJobs(
      req.actor,
      q.parent ? engine.subBatchOf(req.actor, id, q.parent) : id,
      {
        status: q.status,
        limit: intParam(q.limit, 'limit'),
        cursor: q.cursor,
        attempts: q.attempts,
        asAdmin: asAdmin(req),
      }
    );
    return { jobs: page.items, nextCursor: page.nextCursor };
  });

  app.post('/api/v1/batches/:id/cancel', async req => {
    requireUserToken(req);
    const { id } = req.params as { id: string };
    const parent = engine.row(req.actor, id, { asAdmin: asAdmin(req) });
    if (!parent.is_batch) throw new ApiError('not_found', `Batch ${id} not found`);
    return { batch: await cancelBatch(engine, req.actor, id, { asAdmin: asAdmin(req) }) };
  });

  app.post('/api/v1/batches/:id/retry', async req => {
    requireUserToken(req);
    const { id } = req.params as { id: string };
    const b = (req.body ?? {}) as { statuses?: unknown };
    if (typeof b !== 'object' || Array.isArray(b))
      throw new ApiError('invalid_request', 'Body must be a JSON object');
    return {
      results: await retryBatch(engine, req.actor, id, b.statuses, { asAdmin: asAdmin(req) }),
    };
  });

  app.post('/api/v1/jobs', async (req, reply) => {
    requireUserToken(req);
    reply.code(202);
    return { job: engine.createJob(req.actor, body(req)) };
  });

  // Registered before /jobs/:id so "retry" is never taken for an id.
  app.post('/api/v1/jobs/retry', async req => {
    requireUserToken(req);
    const b = body(req) as { jobIds?: unknown; job_ids?: unknown };
    if (typeof b !== 'object' || Array.isArray(b))
      throw new ApiError('invalid_request', 'Body must be a JSON object');
    const ids = b.jobIds ?? b.job_ids;
    // Each result echoes its id (RetryResult.jobId), so only strings are ids.
    if (Array.isArray(ids) && ids.some(id => typeof id !== 'string'))
      throw new ApiError('invalid_request', 'jobIds must be a list of job ids (strings)');
    return { results: await retryJobs(engine, req.actor, ids, { asAdmin: asAdmin(req) }) };
  });

  app.get('/api/v1/jobs/:id', async req => {
    const { id } = req.params as { id: string };
    return engine.getJob(req.actor, id, { asAdmin: asAdmin(req) });
  });

  app.post('/api/v1/jobs/:id/cancel', async req => {
    requireUserToken(req);
    const { id } = req.params as { id: string };
    return { job: await cancel(engine, req.actor, id, { asAdmin: asAdmin(req) }) };
  });

  // Edit and rerun: a retry with edited params (docs/SEMANTICS.md).
  app.post('/api/v1/jobs/:id/rerun', async (req, reply) => {
    requireUserToken(req);
    const { id } = req.params as { id: string };
    reply.code(202);
    return { job: rerunJob(engine, req.actor, id, body(req), { asAdmin: asAdmin(req) }) };
  });

  app.post('/api/v1/jobs/:id/retry', async (req, reply) => {
    requireUserToken(req);
    const { id } = req.params as { id: string };
    reply.code(202);
    // ?leaves=true: only the failed leaves under a job that fanned out (engine/retry.ts).
    if ((req.query as Q).leaves === 'true')
      return retryLeaves(engine, req.actor, id, { asAdmin: asAdmin(req) });
    return { job: retryJob(engine, req.actor, id, { asAdmin: asAdmin(req) }) };
  });

  app.patch('/api/v1/jobs/:id', async req => {
    requireUserToken(req);
    const { id } = req.params as { id: string };
    const b = body(req) as { priority?: unknown };
    if (typeof b !== 'object' || Array.isArray(b) || !('priority' in b)) {
      throw new ApiError('validation_failed', 'Body must be {"priority": <integer>}', [
        { row: null, field: 'priority', message: 'is required' },
      ]);
    }
    const extra = Object.keys(b).filter(k => k !== 'priority');
    if (extra.length) {
      throw new ApiError(
        'validation_failed',
        `Only priority can be changed (unknown: ${extra.join(', ')})`
      );
    }
    return { job: await engine.setPriority(req.actor, id, b.priority, { asAdmin: asAdmin(req) }) };
  });

  app.get('/api/v1/jobs/:id/logs', async req => {
    const { id } = req.params as { id: string };
    const q = req.query as Q;
    const row = engine.row(req.actor, id, { asAdmin: asAdmin(req) });
    const stream = q.stream ?? 'stdout';
    if (stream !== 'stdout' && stream !== 'stderr') {
      throw new ApiError('invalid_request', "stream must be 'stdout' or 'stderr'");
    }
    return readLog(row, stream, intParam(q.offset, 'offset') ?? 0, intParam(q.limit, 'limit'));
  });

  /** Dynamic fan-out (extension): a running job attaches tasks + a fan-in to itself. */
  app.post('/api/v1/jobs/:id/fanout', async (req, reply) => {
    const { id } = req.params as { id: string };
    const actor = req.actor;
    if (actor.jobId && actor.jobId !== id)
      throw new ApiError('forbidden', 'A job token can only fan out its own job');
    const row = engine.row(actor, id);
    // A job can start before its submission is recorded (the scheduler answered, the
    // outcome is not yet committed): it is still `created`, but holds its own token.
    const started = row.status === 'running' || row.status === 'queued';
    if (!started && !(row.status === 'created' && actor.jobId === id)) {
      throw new ApiError(
        'wrong_state',
        `Job ${id} is ${row.status}; only a running job can fan out`
      );
    }
    const res = await engine.createBatch({ user: row.owner, admin: false }, body(req), {
      parentJob: row,
    });
    reply.code(202);
    return { batch: res.batch, jobIds: res.jobIds };
  });

  // A job's own start or exit (wrapper.sh): applied at once, polling is the backstop.
  // Exempt from the user's rate limit: a batch's jobs report on their owner's behalf.
  app.post('/api/v1/jobs/:id/report', { config: { rateLimit: false } }, async req => {
    const { id } = req.params as { id: string };
    return reportFromJob(engine, req.actor, id, body(req));
  });

  registerOpenApi(app, version);
}

function mb(bytes: number | null): string {
  return bytes === null ? 'unknown space' : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
