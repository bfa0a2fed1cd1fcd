/**
 * JSON Schema of an app file, and the ajv instances that check app files and job parameters.
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { UNIT_FORMATS, unitProblem } from '../units';

export const APP_ID_PATTERN = '^[a-z0-9][a-z0-9._-]*$';

const resourcesSchema = {
  type: 'object',
  properties: {
    cpus: { type: 'integer', minimum: 1 },
    // The forms of units.ts, which the backends parse; registry.ts words the errors.
    memory: { type: 'string', format: 'memory' },
    walltime: { type: 'string', format: 'walltime' },
    gpus: { type: 'integer', minimum: 0 },
    nodes: { type: 'integer', minimum: 1 },
    tasksPerNode: { type: 'integer', minimum: 1 },
    partition: { type: 'string', minLength: 1 },
    account: { type: 'string', minLength: 1 },
    qos: { type: 'string', minLength: 1 },
    gres: { type: 'string', minLength: 1 },
    disk: { type: 'string', format: 'disk' },
  },
} as const;

export const APP_FILE_SCHEMA = {
  type: 'object',
  // No description: the registry uses the title (apps/registry.ts).
  required: ['id', 'version', 'title', 'command', 'parameters'],
  properties: {
    id: { type: 'string', pattern: APP_ID_PATTERN, maxLength: 100 },
    version: {
      type: 'string',
      minLength: 1,
      maxLength: 50,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]*$',
    },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    command: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
    },
    parameters: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { const: 'object' },
        properties: { type: 'object', additionalProperties: { type: ['object', 'boolean'] } },
        required: { type: 'array', items: { type: 'string' } },
      },
    },
    resources: resourcesSchema,
    container: {
      type: 'object',
      required: ['image', 'runtime'],
      additionalProperties: false,
      properties: {
        image: { type: 'string', minLength: 1 },
        runtime: { enum: ['apptainer', 'singularity', 'shifter', 'docker', 'podman'] },
      },
    },
    outputs: { type: 'object' },
    retryOnOomWithMoreMemory: { type: 'boolean' },
    retryOnTimeoutWithMoreTime: { type: 'boolean' },
  },
  // Unknown top-level keys are typos more often than extensions; extensions use an `x-` prefix.
  patternProperties: { '^x-': true },
  additionalProperties: false,
} as const;

/** True when a path parameter is acceptable: no `..` segment, no NUL byte, not empty. */
export function isSafePath(s: string): boolean {
  if (s.length === 0 || s.includes('\0')) return false;
  return !s.split(/[\\/]/).includes('..');
}

function newAjv(useDefaults: boolean): Ajv {
  // Not strict: app authors may add UI hints (x-widget, ui:order) to their parameter schemas.
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults, coerceTypes: false });
  addFormats(ajv);
  ajv.addFormat('path', { type: 'string', validate: isSafePath });
  return ajv;
}

/** The resources' unit formats; app files only, so parameter schemas keep their meaning. */
export function withUnitFormats(ajv: Ajv): Ajv {
  for (const [name, f] of Object.entries(UNIT_FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate: v => unitProblem(f.kind, v) === null });
  }
  return ajv;
}

/** Checks app files (no defaults applied to the file itself). */
export const fileAjv = withUnitFormats(newAjv(false));
/** Compiles each app's `parameters` schema; fills in schema defaults while validating. */
export const paramsAjv = newAjv(true);

export type { ErrorObject };
