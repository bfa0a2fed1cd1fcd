/** engine/suggest.ts: the suggestion's method and its properties (fast-check). */
import fc from 'fast-check';
import type { JobUsage } from '../src/protocol/records';
import {
  firstAllocation,
  fit,
  nextMemory,
  nextWalltime,
  summarize,
  walltimeString,
  type Sample,
} from '../src/engine/suggest';
import { parseMemory } from '../src/units';

const MIB = 2 ** 20;
const ctx = { app: 'a', version: '2', defaults: { memory: '8G' }, autoRetryOom: false };
const run = (rss: number, wall = 10, p: Record<string, unknown> = {}, version = '2'): Sample => ({
  version,
  params: p,
  resources: {},
  status: 'completed',
  errorCode: null,
  usage: {
    wallSeconds: wall,
    cpuSeconds: wall / 2,
    maxRssBytes: rss,
    source: 'wrapper',
  } as JobUsage,
});
const peaks = fc.array(
  fc.record({
    p: fc.integer({ min: 1, max: 64 * 1024 }).map(m => m * MIB),
    t: fc.integer({ min: 1, max: 3600 }),
  }),
  {
    minLength: 1,
    maxLength: 60,
  }
);

test('with no failures allowed the first allocation is the largest peak', () => {
  fc.assert(fc.property(peaks, ps => firstAllocation(ps, 0) === Math.max(...ps.map(p => p.p))));
});

test('with a bound, at most that share of the history is above the allocation, and it is an observed peak', () => {
  fc.assert(
    fc.property(peaks, fc.double({ min: 0.01, max: 0.5, noNaN: true }), (ps, bound) => {
      const a = firstAllocation(ps, bound);
      const above = ps.filter(p => p.p > a).length / ps.length;
      return above <= bound && ps.some(p => p.p === a);
    })
  );
});

test('one rare large peak is left to the retry when the app is retried after oom', () => {
  const ps = [
    ...Array.from({ length: 39 }, () => ({ p: 1000 * MIB, t: 100 })),
    { p: 8000 * MIB, t: 100 },
  ];
  expect(firstAllocation(ps, 0.05)).toBe(1000 * MIB);
  expect(firstAllocation(ps, 0)).toBe(8000 * MIB);
});

test('an oom retry never asks for less, grows with the request, and keeps to the cap', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100_000 }).map(m => m * MIB),
      fc.integer({ min: 1, max: 100_000 }).map(m => m * MIB),
      fc.array(
        fc.integer({ min: 1, max: 100_000 }).map(m => m * MIB),
        { maxLength: 20 }
      ),
      fc.option(
        fc.integer({ min: 1, max: 200_000 }).map(m => m * MIB),
        { nil: null }
      ),
      (a, b, hist, cap) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const n = nextMemory(lo, hist, cap);
        const capped = cap !== null && cap <= lo;
        return (
          (capped ? n >= lo : n > lo) &&
          (cap === null || n <= Math.max(cap, lo)) &&
          (cap !== null || nextMemory(hi, hist, null) >= n) // monotone in the request
        );
      }
    )
  );
  // With history: the largest peak above the request, plus 10%; without: twice the request.
  expect(nextMemory(100 * MIB, [50 * MIB, 150 * MIB, 160 * MIB], null)).toBe(176 * MIB);
  expect(nextMemory(100 * MIB, [], null)).toBe(200 * MIB);
});

test('without an automatic oom retry the suggestion is never below the largest peak', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 5, maxLength: 40 }),
      mbs => {
        const u = summarize(
          ctx,
          mbs.map(m => run(m * MIB))
        );
        return parseMemory(u.suggestion!.memory!) >= Math.max(...mbs) * MIB && u.failureBound === 0;
      }
    )
  );
});

test('fewer than five runs: figures but no suggestion; a new version inherits the previous one', () => {
  const few = summarize(ctx, [run(MIB), run(2 * MIB)]);
  expect(few).toMatchObject({ runs: 2, suggestion: null, inheritedFrom: null });
  const old = Array.from({ length: 6 }, (_, i) => run((i + 1) * 100 * MIB, 10, {}, '1'));
  const inherited = summarize(ctx, [run(MIB), ...old]);
  expect(inherited).toMatchObject({ version: '2', inheritedFrom: '1', runs: 6 });
  expect(inherited.requested.memoryBytes).toBe(8 * 1024 * MIB); // the app's default
});

test('a request that failed with oom is a floor: the suggestion is above it', () => {
  const oom: Sample = {
    ...run(0),
    status: 'error',
    errorCode: 'oom',
    usage: null,
    resources: { memory: '4G' },
  };
  const u = summarize(ctx, [oom, ...Array.from({ length: 5 }, () => run(MIB))]);
  expect(parseMemory(u.suggestion!.memory!)).toBeGreaterThan(4 * 1024 * MIB);
  expect(u.failures.oom).toBe(1);
});

test('a parameter that explains peak memory is given as a model; noise is not', () => {
  const lin = Array.from({ length: 10 }, (_, i) => run((50 + 3 * i) * MIB, 10, { n: i, s: 'x' }));
  const m = summarize(ctx, lin).models;
  expect(m).toEqual([expect.objectContaining({ measure: 'maxRssBytes', param: 'n', of: 'value' })]);
  expect(m[0].slope / MIB).toBeCloseTo(3);
  const noise = [5, 1, 9, 2, 8, 3, 7].map((v, i) => run(v * MIB, 10, { n: i }));
  expect(summarize(ctx, noise).models).toEqual([]);
  expect(fit([1, 1, 1, 1, 1], [1, 2, 3, 4, 5])).toBeNull();
});

test('walltime is the longest run plus 25%, rounded up to the minute', () => {
  const u = summarize(
    ctx,
    [100, 200, 300, 400, 500].map(w => run(MIB, w))
  );
  expect(u.suggestion!.walltime).toBe('00:11:00'); // 625 s
  expect(walltimeString(1)).toBe('00:01:00');
  expect(walltimeString(90_000)).toBe('1-01:00:00');
});

test('a timeout retry asks for more walltime, whole minutes, monotone in the request', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 86_400 }),
      fc.integer({ min: 1, max: 86_400 }),
      fc.array(fc.integer({ min: 1, max: 86_400 }), { maxLength: 20 }),
      (a, b, walls) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const n = nextWalltime(lo, walls);
        return n >= lo + 60 && n % 60 === 0 && nextWalltime(hi, walls) >= n;
      }
    )
  );
  expect(nextWalltime(60, [100, 180])).toBe(240);
  expect(nextWalltime(600, [])).toBe(1200);
});
