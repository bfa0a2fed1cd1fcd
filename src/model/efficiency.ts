/**
 * A batch's efficiency (src/cell/status/Efficiency.tsx), what Slurm's seff-array prints:
 * peak memory of the finished rows against what each asked for, CPU time against wall
 * time × CPUs, and a histogram of memory used / requested. One pass over the rows, so a
 * batch of 10,000 rows costs one sort per measure.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { formatBytes, parseMemory } from 'bulkrun-server/dist/units';
import type { JobRecord, Resources } from '../api/types';
import { isTerminal } from '../api/types';

/** Bins of the memory histogram: 0–10 %, …, 90 % and over. */
export const BINS = 10;

export interface MemoryEfficiency {
  /** Peak memory over the measured rows (bytes). */
  p50: number;
  max: number;
  /** The batch's request (bytes); null when it asked for none. */
  requested: number | null;
  /** Used / requested of the rows with a request (each against its own: retries may ask more). */
  p50Share: number | null;
  maxShare: number | null;
  /** Rows per bin of used / requested; null without requests. */
  bins: number[] | null;
}

export interface Efficiency {
  /** Finished rows with a usage record. */
  measured: number;
  /** Every row of the batch. */
  rows: number;
  memory: MemoryEfficiency | null;
  /** CPU time / (wall time × CPUs asked) of the median row; `cpus`: the batch's request. */
  cpu: { p50: number; cpus: number } | null;
}

/** Nearest-rank percentile of sorted values (as the server's usage answer). */
export function percentile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

const byNumber = (a: number, b: number) => a - b;

/** Bytes of a memory request; null when absent or unreadable. */
function memoryBytes(v: unknown, cache: Map<unknown, number | null>): number | null {
  if (v === undefined || v === null || v === '') {
    return null;
  }
  let b = cache.get(v);
  if (b === undefined) {
    try {
      b = parseMemory(v as string | number);
    } catch {
      b = null;
    }
    cache.set(v, b);
  }
  return b;
}

function cpusOf(r: Resources | undefined, fallback: number): number {
  const n = Number(r?.cpus);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * The efficiency of a batch's rows (their newest attempts) with the batch's own request;
 * null while no finished row has been measured.
 */
export function batchEfficiency(
  rows: readonly (JobRecord | undefined)[],
  requested: Resources | undefined
): Efficiency | null {
  const cache = new Map<unknown, number | null>();
  const batchMemory = memoryBytes(requested?.memory, cache);
  const batchCpus = cpusOf(requested, 1);
  const peaks: number[] = [];
  const shares: number[] = [];
  const cpu: number[] = [];
  const bins = new Array<number>(BINS).fill(0);
  let measured = 0;
  for (const job of rows) {
    const u = job?.usage;
    if (!job || !u || !isTerminal(job.status)) {
      continue;
    }
    measured++;
    if (typeof u.maxRssBytes === 'number') {
      peaks.push(u.maxRssBytes);
      const asked = memoryBytes(job.resources?.memory, cache) ?? batchMemory;
      if (asked) {
        const s = u.maxRssBytes / asked;
        shares.push(s);
        bins[Math.max(0, Math.min(BINS - 1, Math.floor(s * BINS)))]++;
      }
    }
    if (
      typeof u.cpuSeconds === 'number' &&
      typeof u.wallSeconds === 'number' &&
      u.wallSeconds > 0
    ) {
      cpu.push(u.cpuSeconds / (u.wallSeconds * cpusOf(job.resources, batchCpus)));
    }
  }
  if (measured === 0) {
    return null;
  }
  peaks.sort(byNumber);
  shares.sort(byNumber);
  cpu.sort(byNumber);
  return {
    measured,
    rows: rows.length,
    memory: peaks.length
      ? {
          p50: percentile(peaks, 0.5),
          max: peaks[peaks.length - 1],
          requested: batchMemory,
          p50Share: shares.length ? percentile(shares, 0.5) : null,
          maxShare: shares.length ? shares[shares.length - 1] : null,
          bins: shares.length ? bins : null,
        }
      : null,
    cpu: cpu.length ? { p50: percentile(cpu, 0.5), cpus: batchCpus } : null,
  };
}

/** "14%"; "<1%" for a share that rounds to nothing but is not zero. */
export function percent(share: number): string {
  const p = Math.round(share * 100);
  return p === 0 && share > 0 ? '<1%' : `${p}%`;
}

/** "12 of 40 rows measured". */
export function measuredText(e: Efficiency, trans: TranslationBundle): string {
  return trans.__('%1 of %2 rows measured', e.measured, e.rows);
}

/** "Memory used: median 1.1 GB of 8 GB (14%) · max 1.4 GB (18%)". */
export function memoryText(m: MemoryEfficiency, trans: TranslationBundle): string {
  const median =
    m.requested !== null
      ? trans.__('median %1 of %2', formatBytes(m.p50), formatBytes(m.requested))
      : trans.__('median %1', formatBytes(m.p50));
  const p50 = m.p50Share !== null ? ` (${percent(m.p50Share)})` : '';
  const max = m.maxShare !== null ? ` (${percent(m.maxShare)})` : '';
  return trans.__('Memory used: %1 · max %2', median + p50, formatBytes(m.max) + max);
}

/** "CPU efficiency: median 92% of 1 CPU". */
export function cpuText(c: NonNullable<Efficiency['cpu']>, trans: TranslationBundle): string {
  return trans._n(
    'CPU efficiency: median %2 of %1 CPU',
    'CPU efficiency: median %2 of %1 CPUs',
    c.cpus,
    percent(c.p50)
  );
}

/** A bin's range: "10–20%", the last one "90%+" (a row over its request counts there). */
export function binLabel(i: number): string {
  const step = 100 / BINS;
  return i === BINS - 1 ? `${i * step}%+` : `${i * step}–${(i + 1) * step}%`;
}

/** The histogram in words, for its title and screen readers. */
export function histogramLabel(bins: readonly number[], trans: TranslationBundle): string {
  return trans.__(
    'Rows by memory used of requested: %1',
    bins.map((n, i) => `${binLabel(i)}: ${n}`).join(', ')
  );
}

/** A row's peak memory for a table cell ("1.1 GB"); blank while unknown. */
export function peakMemory(job: JobRecord): string {
  const b = job.usage?.maxRssBytes;
  return typeof b === 'number' ? formatBytes(b) : '';
}
