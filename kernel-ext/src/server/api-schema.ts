/**
 * The REST API described as data: one entry per route of routes.ts (method, URL, what it
 * takes and answers), from which openapi.ts builds the OpenAPI document. Request bodies
 * reuse the schemas the engine checks them with (engine/validate.ts, apps/schema.ts); the
 * records are written against protocol/records.ts, whose keys the types below enforce.
 * Nothing here validates a request: the routes keep their own checks and error messages.
 */
import type { BackendHealth } from '../backends/base';
import { APP_FILE_SCHEMA } from '../apps/schema';
import { ID_PATTERN } from '../engine/ids';
import { batchSchema, jobSchema } from '../engine/validate';
import { ERROR_CODES, type ApiErrorCode } from '../protocol/errors';
import {
  JOB_STATUSES,
  type AppFileProblem,
  type AppList,
  type AppUsage,
  type BatchCounts,
  type BatchRecord,
  type FanInPolicy,
  type FanInSpec,
  type HealthReport,
  type LoopLag,
  type JobError,
  type JobRecord,
  type JobRole,
  type JobUsage,
  type LogChunk,
  type PathCheckResult,
  type RowError,
  type StorageReport,
  type TerminatedCode,
  type UsageModel,
  type UsageSpread,
} from '../protocol/records';

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type Properties<T> = { [K in keyof T]-?: Schema };

/** A closed object of type T: every key of T described, the non-optional ones required. */
function record<T>(properties: Properties<T>, optional: readonly OptionalKeys<T>[] = []): Schema {
  const keys = Object.keys(properties) as (keyof T)[];
  return {
    type: 'object',
    properties,
    required: keys.filter(k => !(optional as readonly (keyof T)[]).includes(k)),
    additionalProperties: false,
  };
}

const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const strOrNull: Schema = { type: ['string', 'null'] };
const intOrNull: Schema = { type: ['integer', 'null'] };
const numOrNull: Schema = { type: ['number', 'null'] };
const time: Schema = { type: 'string', format: 'date-time' };
const timeOrNull: Schema = { type: ['string', 'null'], format: 'date-time' };
const list = (items: Schema): Schema => ({ type: 'array', items });

const jobProperties: Properties<JobRecord> = {
  id: str,
  batchId: strOrNull,
  role: { enum: ['single', 'task', 'fan_in'] satisfies JobRole[] },
  index: intOrNull,
  owner: str,
  app: str,
  appVersion: str,
  params: { type: 'object' },
  resources: ref('Resources'),
  backend: str,
  backendJobId: strOrNull,
  status: ref('JobStatus'),
  priority: int,
  createdAt: time,
  queuedAt: timeOrNull,
  startedAt: timeOrNull,
  finishedAt: timeOrNull,
  exitCode: intOrNull,
  error: nullable(record<JobError>({ code: str, message: str })),
  terminatedCode: {
    enum: [
      'user',
      'admin',
      'automation',
      'batch_abort',
      'server_failure',
      null,
    ] satisfies (TerminatedCode | null)[],
  },
  retryParent: strOrNull,
  retryIds: list(str),
  retryCount: int,
  paramsEdited: bool,
  attempt: { type: 'integer', minimum: 1 },
  output: {},
  workDir: str,
  parentJobId: strOrNull,
  origin: strOrNull,
  usage: nullable(ref('JobUsage')),
  children: nullable(
    record<NonNullable<JobRecord['children']>>({
      total: int,
      counts: ref('BatchCounts'),
      fanInJobId: strOrNull,
    })
  ),
};
const jobOptional = ['paramsEdited', 'parentJobId', 'origin', 'usage', 'children'] as const;

const spread = record<UsageSpread>({ p50: num, p95: num, max: num });

/** Schemas the routes refer to by name (components.schemas of the OpenAPI document). */
export const API_SCHEMAS: Record<string, Schema> = {
  // The bodies as the engine checks them: the same objects, not copies.
  BatchSpec: batchSchema,
  JobSpec: jobSchema,
  AppDefinition: APP_FILE_SCHEMA,
  Resources: APP_FILE_SCHEMA.properties.resources,
  JobStatus: { enum: [...JOB_STATUSES] },
  JobRecord: record<JobRecord>(jobProperties, jobOptional),
  BatchRecord: record<BatchRecord>(
    {
      ...jobProperties,
      batchJob: { const: true },
      childJobIds: list(str),
      label: str,
      total: int,
      counts: ref('BatchCounts'),
      fanIn: nullable(
        record<FanInSpec>({
          app: str,
          params: { type: 'object' },
          resources: ref('Resources'),
          when: { enum: ['all_completed', 'all_finished'] satisfies FanInPolicy[] },
        })
      ),
      fanInJobId: strOrNull,
      maxParallel: intOrNull,
      maxRetries: int,
    },
    jobOptional
  ),
  JobOrBatch: { anyOf: [ref('JobRecord'), ref('BatchRecord')] },
  BatchCounts: record<BatchCounts>({
    created: int,
    queued: int,
    running: int,
    completed: int,
    error: int,
    terminated: int,
  }),
  JobUsage: record<JobUsage>(
    {
      wallSeconds: numOrNull,
      cpuSeconds: numOrNull,
      maxRssBytes: numOrNull,
      maxDiskBytes: numOrNull,
      source: str,
    },
    ['maxDiskBytes']
  ),
  RowError: record<RowError>({ row: intOrNull, field: str, message: str }),
  RetryResult: {
    oneOf: [
      record<{ jobId: string; retryId: string }>({ jobId: str, retryId: str }),
      record<{ jobId: string; error: string }>({ jobId: str, error: str }),
    ],
  },
  HealthReport: record<HealthReport>({
    ok: bool,
    version: str,
    backends: {
      type: 'object',
      additionalProperties: record<BackendHealth>({ available: bool, detail: str }),
    },
    storage: record<StorageReport>({
      dataDir: str,
      state: { enum: ['ok', 'low', 'full'] satisfies StorageReport['state'][] },
      freeBytes: numOrNull,
      waiting: int,
    }),
    degraded: strOrNull,
    eventLoop: record<LoopLag>({ p50Ms: num, p99Ms: num, maxMs: num, sinceLastMaxMs: num }),
  }),
  AppList: record<AppList>({
    apps: list(ref('AppDefinition')),
    problems: list(record<AppFileProblem>({ file: str, problems: list(str) })),
  }),
  AppUsage: record<AppUsage>({
    app: str,
    version: str,
    inheritedFrom: strOrNull,
    runs: int,
    failures: record<AppUsage['failures']>({ oom: int, timeout: int }),
    memory: nullable(spread),
    wall: nullable(spread),
    cpuEfficiency: nullable(spread),
    requested: record<AppUsage['requested']>({
      memoryBytes: numOrNull,
      walltimeSeconds: numOrNull,
    }),
    models: list(
      record<UsageModel>({
        measure: { enum: ['maxRssBytes', 'wallSeconds'] },
        param: str,
        of: { enum: ['value', 'bytes'] },
        slope: num,
        intercept: num,
        r2: num,
        residualP95: num,
      })
    ),
    suggestion: nullable(
      record<NonNullable<AppUsage['suggestion']>>({ memory: str, walltime: str }, [
        'memory',
        'walltime',
      ])
    ),
    method: str,
    failureBound: num,
    windowDays: num,
  }),
  LogChunk: record<LogChunk>({ data: str, offset: int, nextOffset: int, eof: bool, size: int }),
  PathCheckResult: record<PathCheckResult>({
    path: str,
    resolved: str,
    kind: { enum: ['file', 'directory', 'other', null] },
  }),
};

/** The codes an error response with this status can carry (protocol/errors.ts). */
export function errorCodes(status: number): ApiErrorCode[] {
  return (Object.keys(ERROR_CODES) as ApiErrorCode[]).filter(c => ERROR_CODES[c] === status);
}

/** The codes whose errors carry `details`, and what it holds. */
const ERROR_DETAILS: Partial<Record<ApiErrorCode, Schema>> = {
  // engine/validate.ts validationError: every problem of a preflight.
  validation_failed: list(ref('RowError')),
  // engine/retry.ts: the attempt that is still unfinished.
  retry_in_flight: record<{ retryId: string }>({ retryId: str }),
};

/** protocol/errors.ts ApiErrorBody, for the codes of one status. */
export function errorSchema(status: number): Schema {
  const codes = errorCodes(status);
  const details = codes.flatMap(c => ERROR_DETAILS[c] ?? []);
  return {
    type: 'object',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: { enum: codes },
          message: str,
          ...(details.length
            ? { details: details.length > 1 ? { anyOf: details } : details[0] }
            : {}),
        },
      },
    },
  };
}

export interface ApiResponse {
  description: string;
  schema: Schema;
  /** Sets the Bulkrun-Seq header (routes.ts snapshotSeq). */
  seq?: boolean;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH';
  /** As registered with fastify (`:name` for a path parameter). */
  url: string;
  operationId: string;
  summary: string;
  /** Path parameters (all required). */
  params?: Record<string, Schema>;
  /** Query parameters (all optional). */
  querystring?: Record<string, Schema>;
  body?: { schema: Schema; required: boolean };
  responses: Record<number, ApiResponse>;
  /**
   * Error statuses the route itself can answer. Every route can also answer 401 (auth in
   * index.ts) and 429 (the rate limit); one that reads a body 400 and 413 (the parser) and
   * 507 (a write while the data dir is full: engine/storage.ts).
   */
  errors?: number[];
}

const ID = { id: { type: 'string', pattern: ID_PATTERN.source } };
const APP_ID = { id: APP_FILE_SCHEMA.properties.id };
const AS_ADMIN: Record<string, Schema> = {
  as_admin: {
    type: 'boolean',
    description: "An admin acts on other users' records (`true` or `1`)",
  },
};
const PAGE: Record<string, Schema> = {
  status: ref('JobStatus'),
  limit: { type: 'integer', minimum: 1, description: 'Page size (capped by the server)' },
  cursor: { type: 'string', description: 'The previous page’s `nextCursor`' },
};
const VERSION_QUERY = { version: { type: 'string', description: 'An app version' } };

const ok = (description: string, schema: Schema, seq = false): ApiResponse => ({
  description,
  schema,
  ...(seq ? { seq } : {}),
});
const object = (properties: Record<string, Schema>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const jobAnswer = object({ job: ref('JobOrBatch') });
const results = object({ results: list(ref('RetryResult')) });
const created = object({ batch: ref('BatchRecord'), jobIds: list(str) });
const baseDir = batchSchema.properties.baseDir;

/** Every route of routes.ts, in its order (kernel-ext/test/openapi.test.ts keeps them equal). */
export const API_ROUTES: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/v1/health',
    operationId: 'health',
    summary: 'Server version, whether each backend is usable, the data dir’s space',
    responses: { 200: ok('Health', ref('HealthReport')) },
  },
  {
    method: 'GET',
    url: '/api/v1/apps',
    operationId: 'listApps',
    summary: 'The apps, and the app files that could not be loaded',
    responses: { 200: ok('Apps', ref('AppList')) },
  },
  {
    method: 'GET',
    url: '/api/v1/apps/:id',
    operationId: 'getApp',
    summary: 'One app (its newest version unless asked)',
    params: APP_ID,
    querystring: VERSION_QUERY,
    responses: { 200: ok('The app', ref('AppDefinition')) },
    errors: [404],
  },
  {
    method: 'GET',
    url: '/api/v1/apps/:id/usage',
    operationId: 'getAppUsage',
    summary: "The user's past runs of an app and the suggested resources",
    params: APP_ID,
    querystring: VERSION_QUERY,
    responses: { 200: ok('Usage', ref('AppUsage')) },
    errors: [403, 404],
  },
  {
    method: 'POST',
    url: '/api/v1/paths/check',
    operationId: 'checkPaths',
    summary: 'Whether paths exist, resolved as a batch would resolve them',
    body: {
      required: true,
      schema: object({ paths: list({ type: 'string', maxLength: 4096 }), baseDir }, ['paths']),
    },
    responses: {
      200: ok('One result per path', object({ results: list(ref('PathCheckResult')) })),
    },
    errors: [403],
  },
  {
    method: 'POST',
    url: '/api/v1/batches',
    operationId: 'createBatch',
    summary: 'Create a batch: one job per row of params, and an optional fan-in',
    body: { required: true, schema: ref('BatchSpec') },
    responses: {
      200: ok('The batch an earlier request with the same idempotencyKey created', created),
      202: ok('Created; submission follows', created),
    },
    errors: [403],
  },
  {
    method: 'GET',
    url: '/api/v1/batches',
    operationId: 'listBatches',
    summary: 'The user’s batches, newest first',
    querystring: {
      ...PAGE,
      ...AS_ADMIN,
      singles: { type: 'boolean', description: 'Single jobs too (`true`)' },
    },
    responses: {
      200: ok('A page', object({ batches: list(ref('JobOrBatch')), nextCursor: strOrNull }), true),
    },
    errors: [400],
  },
  {
    method: 'GET',
    url: '/api/v1/batches/:id',
    operationId: 'getBatch',
    summary: 'A batch parent record',
    params: ID,
    querystring: AS_ADMIN,
    responses: { 200: ok('The batch', ref('BatchRecord'), true) },
    errors: [404],
  },
  {
    method: 'GET',
    url: '/api/v1/batches/:id/jobs',
    operationId: 'listBatchJobs',
    summary: 'The jobs of a batch, by row (fan-in last)',
    params: ID,
    querystring: {
      ...PAGE,
      ...AS_ADMIN,
      attempts: { enum: ['latest', 'all'], description: 'Each row’s newest attempt, or all' },
      parent: { type: 'string', description: 'Page the sub-batch of this row instead' },
    },
    responses: {
      200: ok('A page', object({ jobs: list(ref('JobRecord')), nextCursor: strOrNull }), true),
    },
    errors: [400, 404],
  },
  {
    method: 'POST',
    url: '/api/v1/batches/:id/cancel',
    operationId: 'cancelBatch',
    summary: 'Cancel every unfinished job of a batch',
    params: ID,
    querystring: AS_ADMIN,
    responses: { 200: ok('The batch', object({ batch: ref('BatchRecord') })) },
    errors: [403, 404, 409],
  },
  {
    method: 'POST',
    url: '/api/v1/batches/:id/retry',
    operationId: 'retryBatch',
    summary: 'Retry the rows whose newest attempt failed',
    params: ID,
    querystring: AS_ADMIN,
    body: {
      required: false,
      schema: object(
        { statuses: { type: 'array', minItems: 1, items: { enum: ['error', 'terminated'] } } },
        []
      ),
    },
    responses: { 200: ok('One result per retried row', results) },
    errors: [403, 404, 409],
  },
  {
    method: 'POST',
    url: '/api/v1/jobs',
    operationId: 'createJob',
    summary: 'Create a single job',
    body: { required: true, schema: ref('JobSpec') },
    responses: { 202: ok('Created; submission follows', object({ job: ref('JobRecord') })) },
    errors: [403],
  },
  {
    method: 'POST',
    url: '/api/v1/jobs/retry',
    operationId: 'retryJobs',
    summary: 'Retry jobs by id',
    querystring: AS_ADMIN,
    body: {
      required: true,
      schema: {
        type: 'object',
        properties: {
          jobIds: { type: 'array', minItems: 1, items: str },
          job_ids: { type: 'array', minItems: 1, items: str },
        },
        anyOf: [{ required: ['jobIds'] }, { required: ['job_ids'] }],
      },
    },
    responses: { 200: ok('One result per id', results) },
    errors: [403],
  },
  {
    method: 'GET',
    url: '/api/v1/jobs/:id',
    operationId: 'getJob',
    summary: 'A job record (batch parents too)',
    params: ID,
    querystring: AS_ADMIN,
    responses: { 200: ok('The job', ref('JobOrBatch')) },
    errors: [404],
  },
  {
    method: 'POST',
    url: '/api/v1/jobs/:id/cancel',
    operationId: 'cancelJob',
    summary: 'Cancel a job',
    params: ID,
    querystring: AS_ADMIN,
    responses: { 200: ok('The job', jobAnswer) },
    errors: [403, 404, 409],
  },
  {
    method: 'POST',
    url: '/api/v1/jobs/:id/rerun',
    operationId: 'rerunJob',
    summary: 'Retry a job with edited params',
    params: ID,
    querystring: AS_ADMIN,
    body: {
      required: true,
      schema: {
        type: 'object',
        required: ['params'],
        properties: { params: { type: 'object' }, baseDir },
      },
    },
    responses: { 202: ok('The new attempt', jobAnswer) },
    errors: [403, 404, 409],
  },
  {
    method: 'POST',
    url: '/api/v1/jobs/:id/retry',
    operationId: 'retryJob',
    summary: 'Retry a job (or, with leaves, the failed leaves under a job that fanned out)',
    params: ID,
    querystring: {
      ...AS_ADMIN,
      leaves: { type: 'boolean', description: 'Only the failed leaves (`true`)' },
    },
    responses: {
      202: ok(
        'The new attempt; with leaves, the job and one result per leaf',
        object({ job: ref('JobOrBatch'), results: list(ref('RetryResult')) }, ['job'])
      ),
    },
    errors: [403, 404, 409],
  },
  {
    method: 'PATCH',
    url: '/api/v1/jobs/:id',
    operationId: 'setPriority',
    summary: 'Change the priority of a job or a batch',
    params: ID,
    querystring: AS_ADMIN,
    body: { required: true, schema: object({ priority: jobSchema.properties.priority }) },
    responses: { 200: ok('The job', jobAnswer) },
    errors: [403, 404],
  },
  {
    method: 'GET',
    url: '/api/v1/jobs/:id/logs',
    operationId: 'getLogs',
    summary: 'A window of a job’s stdout or stderr, by byte offset',
    params: ID,
    querystring: {
      ...AS_ADMIN,
      stream: { enum: ['stdout', 'stderr'] },
      offset: { type: 'integer', minimum: 0 },
      limit: { type: 'integer', minimum: 0, description: 'Bytes (capped by the server)' },
    },
    responses: { 200: ok('The window', ref('LogChunk')) },
    errors: [400, 404],
  },
  {
    method: 'POST',
    url: '/api/v1/jobs/:id/fanout',
    operationId: 'fanOut',
    summary: 'A running job attaches tasks and a fan-in to itself (with its job token)',
    params: ID,
    body: { required: true, schema: ref('BatchSpec') },
    responses: { 202: ok('Created', created) },
    errors: [403, 404, 409],
  },
  {
    method: 'POST',
    url: '/api/v1/jobs/:id/report',
    operationId: 'reportFromJob',
    summary:
      'A job tells the server it started or wrote its exit record (with its job token); the server reads its work dir now',
    params: ID,
    body: {
      required: true,
      schema: object({ event: { enum: ['started', 'exited'] } }, ['event']),
    },
    responses: {
      200: ok(
        'Whether the report changed the job now',
        object({ applied: { type: 'boolean' } }, ['applied'])
      ),
    },
    errors: [400, 403, 404],
  },
  {
    method: 'GET',
    url: '/api/v1/openapi.json',
    operationId: 'openapi',
    summary: 'This document',
    responses: {
      200: ok('OpenAPI 3.1', { type: 'object', required: ['openapi', 'info', 'paths'] }),
    },
  },
];
