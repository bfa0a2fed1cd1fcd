/**
 * Memory sizes and durations, parsed and formatted in one place: the app file schema, the
 * batch preflight, the Slurm and HTCondor backends, the OOM retry and the frontend's
 * resource fields all accept the same forms (docs/SEMANTICS.md "Units").
 *
 * No imports at all: the frontend bundles this file (through kernel-ext/dist).
 */

/** Bytes in one KiB, MiB, GiB. */
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

const MEMORY_HINT = 'use a number with a unit, e.g. 512M, 2G, 1.5GiB';
const DURATION_HINT =
  'use e.g. 90s, 10m, 1h30m, 1d, HH:MM:SS, MM:SS or D-HH:MM:SS; a bare number is minutes';

export type UnitKind = 'memory' | 'duration';

/** A value that is not a memory size or a duration; `reason` says what to write instead. */
export class UnitError extends Error {
  constructor(
    readonly kind: UnitKind,
    readonly value: unknown,
    readonly reason: string,
    /** Names the resource in the message ("Invalid disk '…': …"), as the backends report it. */
    what?: string
  ) {
    const noun = kind === 'memory' ? 'memory size' : 'duration';
    super(
      what
        ? `Invalid ${what} '${String(value)}': ${reason}`
        : `'${String(value)}' is not a ${noun}: ${reason}`
    );
    this.name = 'UnitError';
  }
}

// Binary prefixes, as Slurm (--mem) and HTCondor (request_memory) read K/M/G/T.
const PREFIX: Record<string, number> = {
  k: KiB,
  m: MiB,
  g: GiB,
  t: 1024 * GiB,
  p: 1024 ** 2 * GiB,
};
const MEMORY_RE = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(ib|i|b)?$/i;
const NUMBER_RE = /^\d+(?:\.\d+)?$/;
// 8 PiB: beyond it byte counts stop being exact integers.
const MAX_BYTES = 2 ** 53;

/** "-2G": a valid value with a minus sign, said as such rather than as garbage. */
function negative(v: string, parse: (v: string) => number | string): boolean {
  const t = v.trim();
  return t.startsWith('-') && typeof parse(t.slice(1)) === 'number';
}

/** The reason `v` is not a memory size, or the size in bytes. */
function memoryBytes(v: unknown): number | string {
  let n: number;
  let factor = MiB; // a bare number is megabytes, as in Slurm
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return MEMORY_HINT;
    n = v;
  } else if (typeof v === 'string') {
    const m = MEMORY_RE.exec(v.trim());
    if (!m) return negative(v, memoryBytes) ? 'it must be more than zero' : MEMORY_HINT;
    const prefix = m[2].toLowerCase();
    const suffix = (m[3] ?? '').toLowerCase();
    if (prefix) factor = PREFIX[prefix];
    else if (suffix === 'b') factor = 1;
    else if (suffix) return MEMORY_HINT; // "2i", "2iB": a binary marker without a prefix
    n = Number(m[1]);
  } else {
    return MEMORY_HINT;
  }
  const bytes = n * factor;
  if (!(bytes > 0)) return 'it must be more than zero';
  if (bytes > MAX_BYTES) return 'it is too large';
  return Math.ceil(bytes);
}

/**
 * A memory size in bytes. Accepts `512M`, `2G`, `2GiB`, `2Gi`, `1.5GB`, `1024K`, `1T`, `1P`,
 * `4096B`, in any case and with an optional space before the unit. K, M, G, T and P are all
 * binary (1024-based), with or without `i`/`B`: Slurm and HTCondor read them that way, so
 * `2GB` = `2GiB` = `2G` = 2048 MiB. `B` alone means bytes. A bare number (or numeric string)
 * means megabytes, as Slurm's --mem does. Throws UnitError for anything else, zero or less.
 */
export function parseMemory(v: string | number, what?: string): number {
  const r = memoryBytes(v);
  if (typeof r === 'string') throw new UnitError('memory', v, r, what);
  return r;
}

const DAY = 86400;
const DURATION_UNITS_RE =
  /^(?:(\d+(?:\.\d+)?)\s*d)?\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?$/i;
const DAYS_RE = /^(\d+)-(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?$/;
const CLOCK_RE = /^(\d+):(\d{1,2})(?::(\d{1,2}))?$/;

/** The reason `v` is not a duration, or the duration in seconds (not yet rounded). */
function durationSeconds(v: unknown): number | string {
  let sec: number;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return DURATION_HINT;
    sec = v * 60;
  } else if (typeof v === 'string') {
    const s = v.trim();
    let m: RegExpExecArray | null;
    if (NUMBER_RE.test(s)) {
      sec = Number(s) * 60; // a bare number is minutes, as in Slurm
    } else if ((m = DAYS_RE.exec(s))) {
      const [h, mi, se] = [m[2], m[3], m[4]].map(x => Number(x ?? 0));
      if (h >= 24) return 'the hours after a day count must be below 24';
      if (mi >= 60 || se >= 60) return 'minutes and seconds must be below 60';
      sec = Number(m[1]) * DAY + h * 3600 + mi * 60 + se;
    } else if ((m = CLOCK_RE.exec(s))) {
      // Two fields are MM:SS, three HH:MM:SS (Slurm's reading); the first is not capped.
      const parts = [m[1], m[2], m[3]].filter(x => x !== undefined).map(Number);
      if (parts.slice(1).some(x => x >= 60)) return 'minutes and seconds must be below 60';
      sec =
        parts.length === 2 ? parts[0] * 60 + parts[1] : parts[0] * 3600 + parts[1] * 60 + parts[2];
    } else if (s !== '' && (m = DURATION_UNITS_RE.exec(s))) {
      const [d, h, mi, se] = [m[1], m[2], m[3], m[4]].map(x => Number(x ?? 0));
      sec = d * DAY + h * 3600 + mi * 60 + se;
    } else {
      return negative(s, durationSeconds) ? 'it must be more than zero' : DURATION_HINT;
    }
  } else {
    return DURATION_HINT;
  }
  if (!(sec > 0)) return 'it must be more than zero';
  if (sec > Number.MAX_SAFE_INTEGER) return 'it is too large';
  return sec;
}

/**
 * A duration in whole seconds (rounded up). Accepts `90s`, `10m`, `2h`, `1.5h`, `1d`,
 * `1h30m`, `1d2h`, `1h 30m` (units d, h, m, s in that order, any case), Slurm's `MM:SS`,
 * `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`, and a bare number (or numeric string) as
 * minutes, as Slurm's --time does. Minutes and seconds after the first field must be below
 * 60, hours after `D-` below 24. Throws UnitError for anything else, zero or less.
 */
export function parseDuration(v: string | number, what?: string): number {
  const r = durationSeconds(v);
  if (typeof r === 'string') throw new UnitError('duration', v, r, what);
  return Math.ceil(r);
}

/** Why `v` is not a memory size (or a duration), in words; null when it is one. */
export function unitProblem(kind: UnitKind, v: unknown): string | null {
  const r = kind === 'memory' ? memoryBytes(v) : durationSeconds(v);
  return typeof r === 'string' ? r : null;
}

/**
 * The JSON Schema formats of resources (apps/schema.ts, engine/validate.ts): what each
 * parses as, and what a message calls it.
 */
export const UNIT_FORMATS: Readonly<Record<string, { kind: UnitKind; noun: string }>> = {
  memory: { kind: 'memory', noun: 'memory size' },
  disk: { kind: 'memory', noun: 'disk size' },
  walltime: { kind: 'duration', noun: 'duration' },
};

/** True when parseMemory accepts `v`. */
export function isMemory(v: unknown): boolean {
  return typeof memoryBytes(v) === 'number';
}

/** True when parseDuration accepts `v`. */
export function isDuration(v: unknown): boolean {
  return typeof durationSeconds(v) === 'number';
}

/** Whole MiB, rounded up, at least 1: HTCondor's request_memory. */
export function memoryToMiB(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / MiB));
}

/** sbatch's `--mem=<MB>M` (whole MiB, rounded up, at least 1). */
export function memoryToSlurm(bytes: number): string {
  return `${memoryToMiB(bytes)}M`;
}

/** The shortest of `<n>P`, `<n>T`, `<n>G`, `<n>M` that parses back to the same whole MiB. */
export function canonicalMemory(bytes: number): string {
  const mib = memoryToMiB(bytes);
  for (const [unit, per] of [
    ['P', 1024 ** 3],
    ['T', 1024 ** 2],
    ['G', 1024],
  ] as const) {
    if (mib % per === 0) return `${mib / per}${unit}`;
  }
  return `${mib}M`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** sbatch's `--time=[D-]HH:MM:SS` (whole seconds, rounded up). */
export function durationToSlurm(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const d = Math.floor(s / DAY);
  const hms = `${pad2(Math.floor((s % DAY) / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  return d ? `${d}-${hms}` : hms;
}

/**
 * For people: "512 B", "200 MB", "1.6 GB", "12 GB". Units are binary (1 GB = 1024 MB), with
 * the short labels Slurm and HTCondor print; one decimal below 10, none above.
 */
export function formatBytes(bytes: number): string {
  const labels = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = Math.max(0, bytes);
  let i = 0;
  while (i < labels.length - 1 && v >= 1024) {
    v /= 1024;
    i++;
  }
  let shown = i > 0 && v < 10 ? Math.round(v * 10) / 10 : Math.round(v);
  // 1023.7 MB rounds to 1024 MB: say 1 GB instead.
  if (shown >= 1024 && i < labels.length - 1) {
    shown = 1;
    i++;
  }
  return `${shown} ${labels[i]}`;
}

/** For people: "45s", "1h 30m", "2d 3h 5s" (every non-zero part, so it parses back). */
export function formatDuration(seconds: number): string {
  let s = Math.max(0, Math.ceil(seconds));
  const parts: string[] = [];
  for (const [label, per] of [
    ['d', DAY],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(s / per);
    s -= n * per;
    if (n) parts.push(`${n}${label}`);
  }
  return parts.length ? parts.join(' ') : '0s';
}
