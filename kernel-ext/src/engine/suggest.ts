/**
 * What an app really needs, from its past runs (docs/SEMANTICS.md "Usage and suggestions").
 * Pure: the history comes in as samples, the answer goes out as an AppUsage. The method:
 *
 * - Memory is the first allocation of Tovar et al., "A Job Sizing Strategy for
 *   High-Throughput Scientific Workflows" (IEEE TPDS 29(2), 2018; cctools' category.c):
 *   of the observed peaks, the allocation `a` that minimises the expected waste
 *   Σ_{p≤a} (a−p)·t + Σ_{p>a} (a·t + (max−p)·t), where a row that does not fit fails
 *   after its run time and is retried at the largest peak seen. Among those with at
 *   most FAILURE_BOUND of the history above `a`; with no automatic `oom` retry for the
 *   app the bound is 0 (a failed row would wait for the user), so `a` is the maximum.
 *   Then MEMORY_MARGIN on top, never below a request that failed with `oom`.
 * - Walltime: the longest run × WALL_MARGIN, rounded up to the minute (an unused
 *   walltime costs nothing but backfill; a timeout costs the whole run).
 * - A numeric parameter that explains a measure (least squares, r² ≥ MIN_R2, as Sizey
 *   and KS+ fit task size to input size) is given as a model; a client that knows its
 *   rows predicts each row's need (src/model/suggest.ts).
 */
import type { AppUsage, JobUsage, Resources, UsageModel, UsageSpread } from '../protocol/records';
import { parseDuration, parseMemory } from '../units';

/** Fewer successful measured runs than this: no suggestion. */
export const MIN_RUNS = 5;
export const FAILURE_BOUND = 0.05;
export const MEMORY_MARGIN = 1.1;
export const WALL_MARGIN = 1.25;
export const MIN_R2 = 0.8;
/** History older than this no longer counts (days). */
export const WINDOW_DAYS = 90;
/** The newest runs read per query. */
export const HISTORY_LIMIT = 5000;

const MIB = 1024 * 1024;

/** One past run of the app. */
export interface Sample {
  version: string;
  params: Record<string, unknown>;
  resources: Resources;
  status: string;
  errorCode: string | null;
  usage: JobUsage | null;
}

export interface SuggestContext {
  app: string;
  version: string;
  /** The app's default resources (the request when a run gave none). */
  defaults: Resources;
  /** The app retries `oom` automatically with more memory. */
  autoRetryOom: boolean;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function spread(values: number[]): UsageSpread | null {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return { p50: percentile(v, 0.5), p95: percentile(v, 0.95), max: v[v.length - 1] };
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

const memoryOf = (r: Resources, d: Resources) => {
  const m = r.memory ?? d.memory;
  return m === undefined || m === null ? null : safe(() => parseMemory(m));
};
const walltimeOf = (r: Resources, d: Resources) => {
  const w = r.walltime ?? d.walltime;
  return w === undefined || w === null ? null : safe(() => parseDuration(w));
};

/**
 * Tovar's minimum-waste first allocation over peaks with their run times; `bound` is the
 * largest share of the history allowed above the answer.
 */
export function firstAllocation(peaks: { p: number; t: number }[], bound: number): number {
  const s = [...peaks].sort((a, b) => a.p - b.p);
  const max = s[s.length - 1].p;
  if (bound <= 0) return max;
  let best = max;
  let bestWaste = Infinity;
  for (let k = 0; k < s.length; k++) {
    const a = s[k].p;
    if (k < s.length - 1 && s[k + 1].p === a) continue; // the last of equal peaks
    const above = s.length - 1 - k;
    if (above / s.length > bound) continue;
    let waste = 0;
    for (const { p, t } of s) waste += p <= a ? (a - p) * t : a * t + (max - p) * t;
    if (waste < bestWaste) {
      bestWaste = waste;
      best = a;
    }
  }
  return best;
}

/** Least squares of y on x; null when x does not vary enough or the fit is poor. */
export function fit(
  xs: number[],
  ys: number[]
): { slope: number; intercept: number; r2: number; residualP95: number } | null {
  const n = xs.length;
  if (n < MIN_RUNS || new Set(xs).size < 3) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = (sxy * sxy) / (sxx * syy);
  const res = xs.map((x, i) => ys[i] - (intercept + slope * x)).sort((a, b) => a - b);
  return { slope, intercept, r2, residualP95: Math.max(0, percentile(res, 0.95)) };
}

function modelsOf(ok: Sample[]): UsageModel[] {
  const keys = new Set(ok.flatMap(s => Object.keys(s.params)));
  const out: UsageModel[] = [];
  for (const measure of ['maxRssBytes', 'wallSeconds'] as const) {
    let best: UsageModel | null = null;
    for (const param of keys) {
      const pts = ok
        .map(s => [s.params[param], s.usage?.[measure]] as const)
        .filter(
          (p): p is readonly [number, number] =>
            typeof p[0] === 'number' && Number.isFinite(p[0]) && typeof p[1] === 'number'
        );
      if (pts.length < ok.length * 0.9) continue;
      const f = fit(
        pts.map(p => p[0]),
        pts.map(p => p[1])
      );
      if (f && f.r2 >= MIN_R2 && (!best || f.r2 > best.r2))
        best = { measure, param, of: 'value', ...f };
    }
    if (best) out.push(best);
  }
  return out;
}

/** "1700M": whole MiB, rounded up (every backend reads it alike, docs/SEMANTICS.md "Units"). */
export const memoryString = (bytes: number) => `${Math.max(1, Math.ceil(bytes / MIB))}M`;

/** "HH:MM:SS" (D-HH:MM:SS past a day), rounded up to the minute, at least a minute. */
export function walltimeString(seconds: number): string {
  const m = Math.max(1, Math.ceil(seconds / 60));
  const d = Math.floor(m / 1440);
  const hh = String(Math.floor((m % 1440) / 60)).padStart(2, '0');
  const mm = String(m % 60).padStart(2, '0');
  return `${d ? `${d}-` : ''}${hh}:${mm}:00`;
}

/** The usage answer for an app from its history (newest first, any versions). */
export function summarize(ctx: SuggestContext, history: Sample[]): AppUsage {
  const measured = (s: Sample) => s.status === 'completed' && !!s.usage;
  const own = history.filter(s => s.version === ctx.version);
  let samples = own;
  let inheritedFrom: string | null = null;
  if (own.filter(measured).length < MIN_RUNS) {
    // A new version starts from the newest other version's runs, marked as such.
    const prev = history.find(s => s.version !== ctx.version && measured(s))?.version;
    if (prev) {
      samples = history.filter(s => s.version === prev);
      inheritedFrom = prev;
    }
  }
  const ok = samples.filter(measured);
  const failed = (code: string) => samples.filter(s => s.errorCode === code);
  const peaks = ok
    .filter(s => s.usage!.maxRssBytes !== null)
    .map(s => ({ p: s.usage!.maxRssBytes!, t: s.usage!.wallSeconds ?? 1 }));
  const walls = ok.map(s => s.usage!.wallSeconds).filter((w): w is number => w !== null);
  const eff = ok
    .map(s => {
      const { cpuSeconds: c, wallSeconds: w } = s.usage!;
      const cpus = Number(s.resources.cpus ?? ctx.defaults.cpus ?? 1) || 1;
      return c !== null && w ? c / (w * cpus) : NaN;
    })
    .filter(Number.isFinite);

  const bound = ctx.autoRetryOom ? FAILURE_BOUND : 0;
  let suggestion: AppUsage['suggestion'] = null;
  if (ok.length >= MIN_RUNS) {
    suggestion = {};
    if (peaks.length >= MIN_RUNS) {
      const ooms = failed('oom')
        .map(s => memoryOf(s.resources, ctx.defaults))
        .filter((m): m is number => m !== null);
      const floor = ooms.length ? Math.max(...ooms) + MIB : 0;
      suggestion.memory = memoryString(
        Math.max(firstAllocation(peaks, bound) * MEMORY_MARGIN, floor)
      );
    }
    if (walls.length >= MIN_RUNS) {
      const touts = failed('timeout')
        .map(s => walltimeOf(s.resources, ctx.defaults))
        .filter((w): w is number => w !== null);
      const floor = touts.length ? Math.max(...touts) + 60 : 0;
      suggestion.walltime = walltimeString(Math.max(Math.max(...walls) * WALL_MARGIN, floor));
    }
  }
  const newest = samples[0]?.resources ?? {};
  return {
    app: ctx.app,
    version: ctx.version,
    inheritedFrom,
    runs: ok.length,
    failures: { oom: failed('oom').length, timeout: failed('timeout').length },
    memory: spread(peaks.map(p => p.p)),
    wall: spread(walls),
    cpuEfficiency: spread(eff),
    requested: {
      memoryBytes: memoryOf(newest, ctx.defaults),
      walltimeSeconds: walltimeOf(newest, ctx.defaults),
    },
    models: ok.length >= MIN_RUNS ? modelsOf(ok) : [],
    suggestion,
    method: ctx.autoRetryOom
      ? `Memory: the allocation with the least expected waste over the last ${ok.length} runs ` +
        `(Tovar et al. 2018), with at most ${FAILURE_BOUND * 100}% of rows above it (they are ` +
        `retried automatically with more memory), plus ${Math.round((MEMORY_MARGIN - 1) * 100)}%. ` +
        `Walltime: the longest run plus ${Math.round((WALL_MARGIN - 1) * 100)}%.`
      : `Memory: the largest peak of the last ${ok.length} runs plus ` +
        `${Math.round((MEMORY_MARGIN - 1) * 100)}% (this app is not retried automatically ` +
        `after running out of memory). Walltime: the longest run plus ` +
        `${Math.round((WALL_MARGIN - 1) * 100)}%.`,
    failureBound: bound,
    windowDays: WINDOW_DAYS,
  };
}

/**
 * The memory an `oom` retry asks for: the next size the history supports, i.e. the
 * largest peak seen above the failed request (+ margin), else twice the request; never
 * less than before, at most `cap` (bytes) when the app or backend sets one.
 */
export function nextMemory(current: number, peaks: number[], cap: number | null): number {
  const above = peaks.filter(p => p * MEMORY_MARGIN > current);
  let next = above.length ? Math.max(...above) * MEMORY_MARGIN : current * 2;
  next = Math.max(next, current + MIB);
  if (cap !== null) next = Math.min(next, Math.max(cap, current));
  return Math.ceil(next / MIB) * MIB;
}

/**
 * The walltime a `timeout` retry asks for (seconds): the longest successful run above the
 * failed request (+ WALL_MARGIN), else twice the request; rounded up to the minute and at
 * least a minute more than before.
 */
export function nextWalltime(current: number, walls: number[]): number {
  const above = walls.filter(w => w * WALL_MARGIN > current);
  const next = above.length ? Math.max(...above) * WALL_MARGIN : current * 2;
  return Math.ceil(Math.max(next, current + 60) / 60) * 60;
}
