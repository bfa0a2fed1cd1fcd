/**
 * A small client-side validator for the parameter grid: type, required, enum,
 * minimum/maximum, length and pattern. The server validates fully; this gives inline
 * feedback while typing. Grid cells hold text; `coerce` turns text into typed values.
 */
import type { JSONSchema, RowError } from '../api/types';

export interface Coerced {
  value?: unknown;
  error?: string;
}

function typesOf(schema: JSONSchema): string[] {
  const t = schema.type;
  if (Array.isArray(t)) {
    return t;
  }
  return t ? [t] : [];
}

/** The main type of a schema ('string' when unspecified). */
export function mainType(schema: JSONSchema): string {
  const t = typesOf(schema).filter(x => x !== 'null');
  if (t.length) {
    return t[0];
  }
  if (schema.enum && schema.enum.length) {
    return typeof schema.enum[0] === 'number' ? 'number' : 'string';
  }
  return 'string';
}

/** Converts a grid cell's text into a value of the schema's type; '' means absent. */
export function coerce(raw: unknown, schema: JSONSchema): Coerced {
  if (raw === undefined || raw === null) {
    return {};
  }
  if (typeof raw !== 'string') {
    return { value: raw };
  }
  const text = raw.trim();
  if (text === '') {
    return {};
  }
  switch (mainType(schema)) {
    case 'integer': {
      if (!/^[-+]?\d+$/.test(text)) {
        return { error: 'must be an integer' };
      }
      return { value: Number(text) };
    }
    case 'number': {
      const n = Number(text);
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || !Number.isFinite(n)) {
        return { error: 'must be a number' };
      }
      return { value: n };
    }
    case 'boolean': {
      const l = text.toLowerCase();
      if (['true', 'yes', '1', 'y'].includes(l)) {
        return { value: true };
      }
      if (['false', 'no', '0', 'n'].includes(l)) {
        return { value: false };
      }
      return { error: 'must be true or false' };
    }
    case 'array': {
      if (text.startsWith('[')) {
        try {
          const v = JSON.parse(text);
          if (Array.isArray(v)) {
            return { value: v };
          }
        } catch {
          return { error: 'must be a JSON list' };
        }
      }
      const itemSchema = schema.items ?? { type: 'string' };
      const out: unknown[] = [];
      for (const part of text.split(',')) {
        const c = coerce(part, itemSchema);
        if (c.error) {
          return { error: `item ${out.length + 1} ${c.error}` };
        }
        out.push(c.value);
      }
      return { value: out };
    }
    case 'object': {
      try {
        const v = JSON.parse(text);
        if (v && typeof v === 'object' && !Array.isArray(v)) {
          return { value: v };
        }
      } catch {
        // fall through
      }
      return { error: 'must be a JSON object' };
    }
    default:
      return { value: raw };
  }
}

/** Checks a typed value against the schema's constraints; null when valid. */
export function checkValue(value: unknown, schema: JSONSchema): string | null {
  if (schema.enum && !schema.enum.some(e => e === value)) {
    return `must be one of: ${schema.enum.map(e => String(e)).join(', ')}`;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) {
      return `must be ≥ ${schema.minimum}`;
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      return `must be ≤ ${schema.maximum}`;
    }
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) {
      return `must be > ${schema.exclusiveMinimum}`;
    }
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) {
      return `must be < ${schema.exclusiveMaximum}`;
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      return schema.minLength === 1
        ? 'must not be empty'
        : `must have at least ${schema.minLength} characters`;
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      return `must have at most ${schema.maxLength} characters`;
    }
    if (schema.pattern) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = null;
      }
      if (re && !re.test(value)) {
        return `must match ${schema.pattern}`;
      }
    }
  }
  return null;
}

/** Coerces and checks one cell; returns the typed value or an error message. */
export function validateCell(raw: unknown, schema: JSONSchema): Coerced {
  const c = coerce(raw, schema);
  if (c.error || c.value === undefined) {
    return c;
  }
  const err = checkValue(c.value, schema);
  return err ? { error: err } : c;
}

export function paramNames(schema: JSONSchema | undefined): string[] {
  return Object.keys(schema?.properties ?? {});
}

export interface RowsValidation {
  /** Typed rows, ready for POST /batches (only when there is no error). */
  params: Record<string, unknown>[];
  shared: Record<string, unknown>;
  errors: RowError[];
}

/**
 * Validates the grid: every cell, and every required parameter given either in the
 * row or in the shared values. `row` is 0-based; shared-value errors have row null.
 */
export function validateRows(
  rows: Record<string, unknown>[],
  shared: Record<string, unknown>,
  schema: JSONSchema
): RowsValidation {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const errors: RowError[] = [];
  const typedShared: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(shared)) {
    const s = props[name];
    if (!s) {
      continue;
    }
    const c = validateCell(raw, s);
    if (c.error) {
      errors.push({ row: null, field: name, message: c.error });
    } else if (c.value !== undefined) {
      typedShared[name] = c.value;
    }
  }
  if (rows.length === 0) {
    errors.push({ row: null, field: '', message: 'add at least one row' });
  }
  const params = rows.map((r, i) => {
    const out: Record<string, unknown> = {};
    for (const [name, s] of Object.entries(props)) {
      if (name in typedShared && (r[name] === undefined || r[name] === '')) {
        continue;
      }
      const c = validateCell(r[name], s);
      if (c.error) {
        errors.push({ row: i, field: name, message: c.error });
      } else if (c.value !== undefined) {
        out[name] = c.value;
      } else if (required.has(name) && !(name in typedShared)) {
        errors.push({ row: i, field: name, message: 'is required' });
      }
    }
    return out;
  });
  return { params, shared: typedShared, errors };
}
