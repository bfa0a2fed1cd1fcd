import type { JobRecord } from '../api/types';
import {
  batchEfficiency,
  binLabel,
  BINS,
  cpuText,
  histogramLabel,
  measuredText,
  memoryText,
  peakMemory,
  percent,
  percentile,
} from '../model/efficiency';
import { trans } from './trans';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function job(p: Partial<JobRecord> = {}, rss: number | null = GiB, cpu = 9, wall = 10): JobRecord {
  return {
    id: 'j',
    status: 'completed',
    resources: {},
    usage: { wallSeconds: wall, cpuSeconds: cpu, maxRssBytes: rss, source: 'wrapper' },
    ...p,
  } as JobRecord;
}

describe('batch efficiency', () => {
  it('is absent until a finished row was measured', () => {
    expect(batchEfficiency([], { memory: '8G' })).toBeNull();
    expect(
      batchEfficiency([undefined, job({ status: 'running' }), job({ usage: null })], {})
    ).toBeNull();
  });

  it('gives median and max memory against the request, and CPU efficiency', () => {
    const rows = [job({}, GiB, 5), job({}, 2 * GiB, 9), job({}, 0.5 * GiB, 10), undefined];
    const e = batchEfficiency(rows, { memory: '8G', cpus: 1 })!;
    expect(e.measured).toBe(3);
    expect(e.rows).toBe(4);
    expect(e.memory).toEqual({
      p50: GiB,
      max: 2 * GiB,
      requested: 8 * GiB,
      p50Share: 1 / 8,
      maxShare: 2 / 8,
      bins: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    });
    expect(e.cpu).toEqual({ p50: 0.9, cpus: 1 });
    expect(memoryText(e.memory!, trans)).toBe(
      'Memory used: median 1 GB of 8 GB (13%) · max 2 GB (25%)'
    );
    expect(cpuText(e.cpu!, trans)).toBe('CPU efficiency: median 90% of 1 CPU');
    expect(measuredText(e, trans)).toBe('3 of 4 rows measured');
  });

  it('measures each row against its own request (an oom retry asks more)', () => {
    const rows = [job({ resources: { memory: '4G', cpus: 2 } }, 3.8 * GiB, 10, 10), job()];
    const e = batchEfficiency(rows, { memory: '2G' })!;
    expect(e.memory!.requested).toBe(2 * GiB);
    expect(e.memory!.maxShare).toBeCloseTo(0.95);
    expect(e.memory!.bins![9]).toBe(1);
    expect(e.memory!.bins![5]).toBe(1);
    // Two CPUs asked: 10 s of CPU in 10 s is half.
    expect(e.cpu!.p50).toBe(0.5);
  });

  it('counts a row over its request in the last bin; shows no share without requests', () => {
    const over = batchEfficiency([job({}, 3 * GiB)], { memory: '2G' })!;
    expect(over.memory!.bins![BINS - 1]).toBe(1);
    const free = batchEfficiency([job({}, GiB, 1, 0)], {})!;
    expect(free.memory).toMatchObject({ requested: null, p50Share: null, bins: null });
    expect(free.cpu).toBeNull();
    expect(memoryText(free.memory!, trans)).toBe('Memory used: median 1 GB · max 1 GB');
    const noRss = batchEfficiency([job({}, null)], { memory: '1G' })!;
    expect(noRss.memory).toBeNull();
    expect(noRss.cpu).not.toBeNull();
  });

  it('handles 10,000 rows in one pass', () => {
    const rows = Array.from({ length: 10000 }, (_, i) => job({}, ((i % 100) + 1) * MiB));
    const t = Date.now();
    const e = batchEfficiency(rows, { memory: '100M' })!;
    expect(Date.now() - t).toBeLessThan(500);
    expect(e.memory!.bins!.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(e.memory!.max).toBe(100 * MiB);
  });

  it('words: percent, bins, the histogram label, a peak-memory cell', () => {
    expect(percent(0.004)).toBe('<1%');
    expect(percent(0)).toBe('0%');
    expect(percent(1.234)).toBe('123%');
    expect(binLabel(0)).toBe('0–10%');
    expect(binLabel(9)).toBe('90%+');
    expect(histogramLabel([1, 0, 0, 0, 0, 0, 0, 0, 0, 2], trans)).toBe(
      'Rows by memory used of requested: 0–10%: 1, 10–20%: 0, 20–30%: 0, 30–40%: 0, ' +
        '40–50%: 0, 50–60%: 0, 60–70%: 0, 70–80%: 0, 80–90%: 0, 90%+: 2'
    );
    expect(peakMemory(job({}, 1.3 * GiB))).toBe('1.3 GB');
    expect(peakMemory(job({ usage: null }))).toBe('');
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
  });
});
