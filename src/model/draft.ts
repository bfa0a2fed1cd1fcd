/**
 * The bulk-run cell's saved state (cell metadata `bulkrun`): the spec draft being
 * edited and, once submitted, the batch id the cell is attached to.
 */
import { UUID } from '@lumino/coreutils';
import { UNIT_FORMATS, unitProblem } from 'bulkrun-server/dist/units';
import type { BatchSpec, FanInPolicy, JSONSchema, Resources } from '../api/types';
import { validateCell, validateRows, type RowsValidation } from './validate';

export const METADATA_KEY = 'bulkrun';

export interface Draft {
  app: string;
  /** One object per row; values are the grid's text (typed on submit). */
  rows: Record<string, string>[];
  /** Values applied to every row (a row's own value wins). */
  shared: Record<string, string>;
  resources: Resources;
  backend: string;
  label: string;
  maxParallel: string;
  fanIn: {
    app: string;
    when: FanInPolicy;
    params: Record<string, string>;
    resources: Resources;
  } | null;
  /** Makes a double submission return the existing batch. Renewed after each submission. */
  idempotencyKey: string;
}

export interface CellMetadata {
  version: 1;
  draft: Draft;
  batchId: string | null;
}

export function newDraft(defaults: { backend?: string; resources?: Resources } = {}): Draft {
  return {
    app: '',
    rows: [{}],
    shared: {},
    resources: { ...(defaults.resources ?? {}) },
    backend: defaults.backend ?? '',
    label: '',
    maxParallel: '',
    fanIn: null,
    idempotencyKey: UUID.uuid4(),
  };
}

/** Reads cell metadata defensively (hand-edited notebooks, older versions). */
export function readMetadata(value: unknown): CellMetadata | null {
  if (!value || typeof value !== 'object') {
    return null;
  }
  const v = value as Partial<CellMetadata>;
  const base = newDraft();
  const d = (v.draft ?? {}) as Partial<Draft>;
  const draft: Draft = {
    ...base,
    ...d,
    rows: Array.isArray(d.rows) ? d.rows : base.rows,
    shared: d.shared && typeof d.shared === 'object' ? d.shared : {},
    resources: d.resources && typeof d.resources === 'object' ? d.resources : {},
  };
  return { version: 1, draft, batchId: typeof v.batchId === 'string' ? v.batchId : null };
}

export const RESOURCE_FIELDS: {
  name: keyof Resources & string;
  schema: JSONSchema;
  /** A unit format of the server's schema, checked by the server's own parser. */
  unit?: 'memory' | 'walltime';
}[] = [
  { name: 'cpus', schema: { type: 'integer', minimum: 1 } },
  { name: 'memory', schema: { type: 'string' }, unit: 'memory' },
  { name: 'walltime', schema: { type: 'string' }, unit: 'walltime' },
  { name: 'gpus', schema: { type: 'integer', minimum: 0 } },
  { name: 'partition', schema: { type: 'string' } },
];

/** Why a resource value is refused by the server's unit parser (kernel-ext/src/units.ts). */
function unitError(format: string, value: unknown): string | null {
  const f = UNIT_FORMATS[format];
  const why = unitProblem(f.kind, value);
  return why === null ? null : `is not a ${f.noun} (${why})`;
}

/** Typed resources (empty fields dropped) plus errors keyed by field. */
export function typedResources(r: Resources): { value: Resources; errors: Record<string, string> } {
  const value: Resources = {};
  const errors: Record<string, string> = {};
  for (const f of RESOURCE_FIELDS) {
    const c = validateCell(r[f.name] as unknown, f.schema);
    const error = c.error ?? (f.unit && c.value !== undefined ? unitError(f.unit, c.value) : null);
    if (error) {
      errors[f.name] = error;
    } else if (c.value !== undefined) {
      value[f.name] = c.value;
    }
  }
  return { value, errors };
}

export interface DraftCheck {
  rows: RowsValidation;
  /** Reasons Run is disabled, in words, for the user. */
  problems: string[];
  spec: BatchSpec | null;
}

/** Validates a draft against the app schemas and builds the POST /batches body. */
export function checkDraft(
  draft: Draft,
  schema: JSONSchema | null,
  fanInSchema: JSONSchema | null,
  origin: string | undefined,
  availableBackends: Record<string, { available: boolean; detail: string }> | null
): DraftCheck {
  const problems: string[] = [];
  if (!draft.app) {
    problems.push('Choose an app.');
  }
  const rows = schema
    ? validateRows(draft.rows, draft.shared, schema)
    : { params: [], shared: {}, errors: [] };
  if (draft.app && !schema) {
    problems.push('The app definition is loading or unknown.');
  }
  const cellErrors = rows.errors.filter(e => e.row !== null);
  if (cellErrors.length) {
    const rowsWithErrors = new Set(cellErrors.map(e => e.row)).size;
    const first = cellErrors[0];
    problems.push(
      `${rowsWithErrors} row(s) have errors; first: row ${(first.row ?? 0) + 1}, ${first.field} ${first.message}.`
    );
  }
  for (const e of rows.errors.filter(e => e.row === null)) {
    problems.push(
      e.field
        ? `Shared ${e.field} ${e.message}.`
        : `${e.message[0].toUpperCase()}${e.message.slice(1)}.`
    );
  }
  const res = typedResources(draft.resources);
  for (const [k, m] of Object.entries(res.errors)) {
    problems.push(`Resource ${k} ${m}.`);
  }
  let fanIn: BatchSpec['fanIn'] = null;
  if (draft.fanIn && !draft.fanIn.app) {
    // Ticked without an app would silently run no fan-in.
    problems.push('Choose the fan-in app, or untick "Run a fan-in job".');
  }
  if (draft.fanIn && draft.fanIn.app) {
    const fr = typedResources(draft.fanIn.resources);
    for (const [k, m] of Object.entries(fr.errors)) {
      problems.push(`Fan-in resource ${k} ${m}.`);
    }
    const fv = fanInSchema ? validateRows([draft.fanIn.params], {}, fanInSchema) : null;
    for (const e of fv?.errors ?? []) {
      problems.push(`Fan-in ${e.field} ${e.message}.`);
    }
    fanIn = { app: draft.fanIn.app, when: draft.fanIn.when, params: fv?.params[0] ?? {} };
    if (Object.keys(fr.value).length) {
      fanIn.resources = fr.value;
    }
  }
  if (draft.backend && availableBackends && availableBackends[draft.backend]?.available === false) {
    problems.push(
      `Backend ${draft.backend} is unavailable: ${availableBackends[draft.backend].detail}.`
    );
  }
  let maxParallel: number | undefined;
  if (draft.maxParallel.trim()) {
    const c = validateCell(draft.maxParallel, { type: 'integer', minimum: 1 });
    if (c.error) {
      problems.push(`Max parallel ${c.error}.`);
    } else {
      maxParallel = c.value as number;
    }
  }
  if (problems.length) {
    return { rows, problems, spec: null };
  }
  const spec: BatchSpec = {
    app: draft.app,
    params: rows.params,
  };
  // A draft shipped in a notebook may have none (a shared key would return an old batch).
  if (draft.idempotencyKey) {
    spec.idempotencyKey = draft.idempotencyKey;
  }
  if (Object.keys(rows.shared).length) {
    spec.shared = rows.shared;
  }
  if (Object.keys(res.value).length) {
    spec.resources = res.value;
  }
  if (draft.backend) {
    spec.backend = draft.backend;
  }
  if (draft.label.trim()) {
    spec.label = draft.label.trim();
  }
  if (fanIn) {
    spec.fanIn = fanIn;
  }
  if (maxParallel) {
    spec.maxParallel = maxParallel;
  }
  if (origin) {
    spec.origin = origin;
  }
  return { rows, problems, spec };
}
