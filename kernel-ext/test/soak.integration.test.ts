/**
 * A short soak (bench/soak.js runSoak): the compiled server in its own process holds stored
 * jobs and runs small batches (submit, cancel rows and whole batches, retry) for 2 minutes
 * while WebSocket clients follow everything. Needs `npm run build:server`.
 *
 * Smaller than the bench (`node bench/soak.js`: 100,000 stored, 50 clients, a 2-minute
 * warm-up, 60 minutes) to stay near 2.5 minutes on the 2-CPU CI machine, where `make test`
 * runs other suites beside it:
 * - 20,000 stored jobs, not 100,000: written and cancelled in ~2 s rather than ~7 s, and
 *   less of their garbage is left when the cycles start (the bench waits it out with a
 *   2-minute warm-up, which does not fit here; so none);
 * - 20 clients, not 50: the clients' own decoding (one thread) takes less of the CPU the
 *   server needs.
 * Each bar is about the server and can fail:
 * - no event lost: every client sees every seq and a terminal event of every job (a reset,
 *   which tells the client to re-fetch, is reported and not counted as a loss);
 * - RSS growth, the median of the second minute against the first: ≤ 25 %, not the
 *   bench's 10 %. In two minutes RSS follows V8's garbage more than live memory: it climbs
 *   between full GCs (~100 s apart) and falls at each; on 2026-12-03 this test gave +1.3 %
 *   (281 → 287 MB, no full GC in the run), +9.6 % (281 → 344 MB, then 121 MB after the GC)
 *   and, once batch cancels were chunked, +4 % (147 → 218 MB), while the live heap stayed
 *   ~20 MB (--trace-gc). 25 % sits above that climb (~+13 % at the fastest seen) and fails
 *   for a leak of ~5–7 kB per job (~50–75 MB over the ~10,000 jobs between the two
 *   medians) or a buffer or listener kept per cycle, unless a full GC lands in the second
 *   minute and hides it; a slower leak needs the bench's hour;
 * - event-loop p99 ≤ 100 ms: the server's own figure from /health, over the whole run
 *   (it includes the 10 ms sampling interval of monitorEventLoopDelay: idle reads ~10 ms).
 */
import * as path from 'path';

const { runSoak, table } = require(path.join(__dirname, '..', '..', 'bench', 'soak.js'));

jest.setTimeout(5 * 60_000);

/** See above: the bound for two minutes (the bench's bar is 10 % over an hour). */
const RSS_GROWTH_PCT = 25;

it('soaks for 2 minutes: no event lost, RSS flat, event loop responsive', async () => {
  const r = await runSoak({
    minutes: 2,
    warmupMinutes: 0,
    clients: 20,
    stored: 20000,
    log: () => {},
  });
  // The figures in the test output, whatever the verdict.
  process.stdout.write(`\n${table(r)}\n`);
  expect(r.cycles).toBeGreaterThan(10);
  expect(r.unexpected).toEqual([]);
  expect({
    seqGaps: r.seqGaps,
    missingTerminal: r.missingTerminal,
    clientsClosed: r.clientsClosed,
  }).toEqual({ seqGaps: 0, missingTerminal: 0, clientsClosed: 0 });
  expect(r.rssGrowthPct).toBeLessThanOrEqual(RSS_GROWTH_PCT);
  expect(r.loopP99Ms).toBeLessThanOrEqual(100);
});
