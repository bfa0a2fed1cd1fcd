/**
 * The resource hint of the Configure tab (src/cell/configure/UsageHint.tsx): what memory
 * and walltime to suggest for the draft's rows from the app's past runs (the server's
 * AppUsage, docs/SEMANTICS.md "Usage and suggestions"), and the line that says why.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { AppUsage, UsageModel } from 'bulkrun-server/dist/protocol';
import {
  durationToSlurm,
  formatBytes,
  memoryToSlurm,
  parseDuration,
  parseMemory,
} from 'bulkrun-server/dist/units';
import type { JSONSchema, Resources } from '../api/types';
import { formatDuration } from './summary';
import { validateCell } from './validate';

/** Headroom over the largest row's prediction (its residual spread is added first). */
export const MODEL_MARGIN = 1.1;

export interface Suggestion {
  /** Canonical strings, as the resource fields take them ("1700M", "00:12:00"). */
  memory?: string;
  walltime?: string;
  /** What the values come from, in words (the hint's tooltip, before the server's method). */
  basis: string;
}

/** A measure of AppUsage's models and the resource it sizes. */
const MEASURES = [
  { measure: 'maxRssBytes', field: 'memory' },
  { measure: 'wallSeconds', field: 'walltime' },
] as const;

/**
 * The largest prediction of `m` over the rows, with headroom; null when a row has no
 * finite number for its parameter (or the model reads a file's size, which the page does
 * not know) or the fit predicts nothing positive.
 */
export function predictMax(m: UsageModel, rows: readonly Record<string, unknown>[]): number | null {
  if (m.of !== 'value' || rows.length === 0) {
    return null;
  }
  let max = -Infinity;
  for (const r of rows) {
    const x = r[m.param];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      return null;
    }
    max = Math.max(max, m.intercept + m.slope * x + m.residualP95);
  }
  const v = max * MODEL_MARGIN;
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** "00:13:00": rounded up to the minute, at least one (as the server writes walltimes). */
export function walltimeString(seconds: number): string {
  return durationToSlurm(Math.max(1, Math.ceil(seconds / 60)) * 60);
}

/**
 * The suggestion for these rows (typed, shared values and defaults merged: `modelRows`):
 * a measure with a model and a number in every row is predicted per row, the largest row
 * counts; otherwise the server's suggestion for a batch like the past ones. Null when
 * there is neither (too few runs).
 */
export function suggest(
  usage: AppUsage,
  rows: readonly Record<string, unknown>[],
  trans: TranslationBundle
): Suggestion | null {
  const out: { memory?: string; walltime?: string } = {};
  const predicted: string[] = [];
  for (const { measure, field } of MEASURES) {
    const m = usage.models.find(x => x.measure === measure);
    const v = m ? predictMax(m, rows) : null;
    if (m && v !== null) {
      out[field] = field === 'memory' ? memoryToSlurm(v) : walltimeString(v);
      predicted.push(
        field === 'memory'
          ? trans.__('memory from each row’s %1', m.param)
          : trans.__('walltime from each row’s %1', m.param)
      );
    } else if (usage.suggestion?.[field]) {
      out[field] = usage.suggestion[field];
    }
  }
  if (!out.memory && !out.walltime) {
    return null;
  }
  const basis = predicted.length
    ? trans.__('Predicted for the largest row: %1.', predicted.join(', '))
    : trans._n('From %1 past run.', 'From %1 past runs.', usage.runs);
  return { ...out, basis };
}

/** The parameters the models read (the only ones `modelRows` needs to type). */
export function modelParams(usage: AppUsage): string[] {
  return [...new Set(usage.models.filter(m => m.of === 'value').map(m => m.param))];
}

/**
 * The rows as the server will run them, for `params` only: a row's own value, else the
 * shared value, else the schema's default (the server fills those in), typed by the
 * schema; a value that does not validate is left out.
 */
export function modelRows(
  rows: readonly Record<string, string>[],
  shared: Readonly<Record<string, string>>,
  schema: JSONSchema,
  params: readonly string[]
): Record<string, unknown>[] {
  const props = schema.properties ?? {};
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  return rows.map(r => {
    const out: Record<string, unknown> = {};
    for (const p of params) {
      const s = props[p];
      if (!s) {
        continue;
      }
      const raw = given(r[p]) ? r[p] : given(shared[p]) ? shared[p] : s.default;
      const c = validateCell(raw, s);
      if (c.value !== undefined) {
        out[p] = c.value;
      }
    }
    return out;
  });
}

function safeParse(parse: (v: string | number) => number, v: unknown): number | null {
  if (typeof v !== 'string' && typeof v !== 'number') {
    return null;
  }
  if (typeof v === 'string' && v.trim() === '') {
    return null;
  }
  try {
    return parse(v);
  } catch {
    return null;
  }
}

/** What the draft asks for, in bytes and seconds: its own value, else the app's default. */
export function askedResources(
  resources: Resources,
  defaults: Resources | undefined
): { memoryBytes: number | null; walltimeSeconds: number | null } {
  const pick = (f: 'memory' | 'walltime') => {
    const own = resources[f];
    return typeof own === 'string' && own.trim() === '' ? defaults?.[f] : (own ?? defaults?.[f]);
  };
  return {
    memoryBytes: safeParse(parseMemory, pick('memory')),
    walltimeSeconds: safeParse(parseDuration, pick('walltime')),
  };
}

/** A run time for people; a run under a second says so rather than "0 s". */
function runTime(seconds: number, trans: TranslationBundle): string {
  return seconds < 1 ? trans.__('under 1 s') : formatDuration(seconds * 1000, trans);
}

/**
 * The hint's line: "142 past runs · peak memory p95 1.3 GB · you ask 8 GB · …". With too
 * few runs for a suggestion it says only that; with no runs at all, nothing.
 */
export function usageLine(
  usage: AppUsage,
  asked: { memoryBytes: number | null; walltimeSeconds: number | null },
  suggestion: Suggestion | null,
  trans: TranslationBundle
): string | null {
  if (usage.runs <= 0) {
    return null;
  }
  let runs = trans._n('%1 past run', '%1 past runs', usage.runs);
  if (usage.inheritedFrom) {
    runs += ' ' + trans.__('(from version %1)', usage.inheritedFrom);
  }
  if (!suggestion) {
    return trans.__('%1: too few to suggest', runs);
  }
  const parts = [runs];
  if (usage.memory) {
    parts.push(trans.__('peak memory p95 %1', formatBytes(usage.memory.p95)));
    if (asked.memoryBytes !== null) {
      parts.push(trans.__('you ask %1', formatBytes(asked.memoryBytes)));
    }
  }
  if (usage.wall) {
    parts.push(trans.__('run time p95 %1', runTime(usage.wall.p95, trans)));
    if (asked.walltimeSeconds !== null) {
      parts.push(trans.__('you ask %1', runTime(asked.walltimeSeconds, trans)));
    }
  }
  if (usage.failures.oom > 0) {
    parts.push(trans._n('%1 ran out of memory', '%1 ran out of memory', usage.failures.oom));
  }
  if (usage.failures.timeout > 0) {
    parts.push(trans._n('%1 timed out', '%1 timed out', usage.failures.timeout));
  }
  return parts.join(' · ');
}

/**
 * What the "Use …" button sets: the suggested values the draft does not already ask for,
 * with its label ("Use 1.7 GB", "Use 1.7 GB, 13 min"); null when there is nothing to change.
 */
export function suggestionAction(
  suggestion: Suggestion | null,
  asked: { memoryBytes: number | null; walltimeSeconds: number | null },
  trans: TranslationBundle
): { label: string; resources: Pick<Resources, 'memory' | 'walltime'> } | null {
  if (!suggestion) {
    return null;
  }
  const resources: Pick<Resources, 'memory' | 'walltime'> = {};
  const shown: string[] = [];
  const mem = safeParse(parseMemory, suggestion.memory);
  if (suggestion.memory && mem !== null && mem !== asked.memoryBytes) {
    resources.memory = suggestion.memory;
    shown.push(formatBytes(mem));
  }
  const wall = safeParse(parseDuration, suggestion.walltime);
  if (suggestion.walltime && wall !== null && wall !== asked.walltimeSeconds) {
    resources.walltime = suggestion.walltime;
    shown.push(formatDuration(wall * 1000, trans));
  }
  return shown.length ? { label: trans.__('Use %1', shown.join(', ')), resources } : null;
}
