/**
 * Preflight of request bodies: the whole spec is checked before any record exists and
 * every problem is reported at once as {row, field, message}.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { ApiError } from '../protocol/errors';
import type { RowError } from '../protocol/records';
import { withUnitFormats } from '../apps/schema';
import { isMemory, memoryToMiB, parseMemory, UNIT_FORMATS, unitProblem } from '../units';

// Exactly what the backends parse (units.ts), so a bad size is a 400, not a failed job.
// verbose: a unit error quotes the value it refuses (toRowError).
const ajv = withUnitFormats(new Ajv({ allErrors: true, strict: false, verbose: true }));

const resources = {
  type: 'object',
  properties: {
    cpus: { type: 'integer', minimum: 1, maximum: 4096 },
    memory: { type: 'string', format: 'memory' },
    walltime: { type: 'string', format: 'walltime' },
    gpus: { type: 'integer', minimum: 0, maximum: 1024 },
    nodes: { type: 'integer', minimum: 1, maximum: 100000 },
    tasksPerNode: { type: 'integer', minimum: 1, maximum: 4096 },
    partition: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    account: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    qos: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    gres: { type: 'string', pattern: '^[A-Za-z0-9_.:,-]{1,128}$' },
    disk: { type: 'string', format: 'disk' },
  },
  additionalProperties: false,
};

const params = { type: 'object' };
// Where relative path parameters are resolved (apps/paths.ts): an absolute path.
const baseDir = { type: 'string', minLength: 1, maxLength: 4096, pattern: '^/' };

export const batchSchema = {
  type: 'object',
  required: ['app', 'params'],
  properties: {
    app: { type: 'string', minLength: 1, maxLength: 200 },
    params: { type: 'array', minItems: 1, items: params },
    shared: params,
    resources,
    backend: { type: 'string', minLength: 1, maxLength: 64 },
    label: { type: 'string', maxLength: 500 },
    fanIn: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['app'],
          properties: {
            app: { type: 'string', minLength: 1, maxLength: 200 },
            params,
            resources,
            when: { enum: ['all_completed', 'all_finished'] },
          },
          additionalProperties: false,
        },
      ],
    },
    maxParallel: { type: 'integer', minimum: 1, maximum: 1000000 },
    maxRetries: { type: 'integer', minimum: 0, maximum: 20 },
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 200 },
    origin: { type: 'string', maxLength: 4096 },
    baseDir,
  },
  additionalProperties: false,
};

export const jobSchema = {
  type: 'object',
  required: ['app', 'params'],
  properties: {
    app: { type: 'string', minLength: 1, maxLength: 200 },
    params,
    resources,
    backend: { type: 'string', minLength: 1, maxLength: 64 },
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    origin: { type: 'string', maxLength: 4096 },
    idempotencyKey: { type: 'string', minLength: 1, maxLength: 200 },
    baseDir,
  },
  additionalProperties: false,
};

const validateBatchBody = ajv.compile(batchSchema);
const validateJobBody = ajv.compile(jobSchema);
const validateResourcesBody = ajv.compile(resources);

/** Maps an ajv error to a field path like `params[3].name` → {row: 3, field: 'name'}. */
function toRowError(e: ErrorObject, prefix = ''): RowError {
  let path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean);
  if (e.keyword === 'additionalProperties') path = [...path, String(e.params.additionalProperty)];
  if (e.keyword === 'required') path = [...path, String(e.params.missingProperty)];
  let row: number | null = null;
  if (path[0] === 'params' && path.length > 1 && /^\d+$/.test(path[1])) {
    row = Number(path[1]);
    path = path.slice(2);
  }
  const field = prefix + (path.join('.') || '(body)');
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') message = 'is not a known field';
  if (e.keyword === 'required') message = 'is required';
  if (e.keyword === 'enum') message = `must be one of ${JSON.stringify(e.params.allowedValues)}`;
  if (e.keyword === 'pattern' && field === 'baseDir') message = 'must be an absolute path';
  if (e.keyword === 'format' && Object.hasOwn(UNIT_FORMATS, e.params.format))
    message = unitMessage(e);
  return { row, field, message };
}

/** "is not a memory size: '8 gigs' (use a number with a unit, e.g. 512M, 2G, 1.5GiB)". */
function unitMessage(e: ErrorObject): string {
  const f = UNIT_FORMATS[e.params.format];
  const reason = unitProblem(f.kind, e.data) ?? 'is invalid';
  return `is not a ${f.noun}: '${String(e.data)}' (${reason})`;
}

function dedupe(errors: RowError[]): RowError[] {
  const seen = new Set<string>();
  return errors.filter(e => {
    const k = `${e.row}|${e.field}|${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function checkBatchBody(body: unknown): RowError[] {
  if (validateBatchBody(body)) return [];
  return dedupe(
    (validateBatchBody.errors ?? []).filter(e => e.keyword !== 'anyOf').map(e => toRowError(e))
  );
}

export function checkJobBody(body: unknown): RowError[] {
  if (validateJobBody(body)) return [];
  return dedupe((validateJobBody.errors ?? []).map(e => toRowError(e)));
}

export function checkResources(r: unknown, field = 'resources'): RowError[] {
  if (validateResourcesBody(r)) return [];
  return (validateResourcesBody.errors ?? []).map(e => toRowError(e, field + '.'));
}

/** "2G" → whole megabytes (MiB, rounded up), NaN when units.ts cannot parse it. */
export function memoryToMB(mem: string): number {
  return isMemory(mem) ? memoryToMiB(parseMemory(mem)) : NaN;
}

/** The 400 of a preflight: every problem, the first three in the message. */
export function validationError(errors: RowError[]): ApiError {
  const first = errors
    .slice(0, 3)
    .map(e => (e.row !== null ? `row ${e.row}: ` : '') + `${e.field} ${e.message}`)
    .join('; ');
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  return new ApiError('validation_failed', `Invalid request: ${first}${more}`, errors);
}
