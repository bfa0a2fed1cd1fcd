import type { JobRecord } from '../api/types';
import {
  attemptBars,
  attemptSpans,
  groupAttempts,
  mergeAttempts,
  retrySignature,
  subBatchSpan,
  timeBounds,
  timelineLanes,
} from '../model/timeline';
import { loadingSubBatch, withPage, type SubBatch } from '../model/subbatch';

const t = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
const ms = (s: number) => Date.parse(t(s));

function job(p: Partial<JobRecord>): JobRecord {
  return {
    id: 'j',
    role: 'task',
    index: 0,
    status: 'completed',
    attempt: 1,
    createdAt: null,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    ...p,
  } as unknown as JobRecord;
}

describe('attemptSpans', () => {
  it('draws waiting from creation to start and running coloured by the outcome', () => {
    const spans = attemptSpans(
      job({
        status: 'completed',
        createdAt: t(0),
        queuedAt: t(1),
        startedAt: t(2),
        finishedAt: t(5),
      }),
      ms(60)
    );
    expect(spans).toEqual([
      { kind: 'wait', start: ms(0), end: ms(2), className: 'jp-Bulkrun-fill-queued' },
      { kind: 'run', start: ms(2), end: ms(5), className: 'jp-Bulkrun-fill-completed' },
    ]);
  });

  it('ends unfinished spans now and falls back to queuedAt without createdAt', () => {
    expect(
      attemptSpans(job({ status: 'running', queuedAt: t(1), startedAt: t(3) }), ms(10))
    ).toEqual([
      { kind: 'wait', start: ms(1), end: ms(3), className: 'jp-Bulkrun-fill-queued' },
      { kind: 'run', start: ms(3), end: ms(10), className: 'jp-Bulkrun-fill-running' },
    ]);
    expect(attemptSpans(job({ status: 'queued', createdAt: t(1) }), ms(4))).toEqual([
      { kind: 'wait', start: ms(1), end: ms(4), className: 'jp-Bulkrun-fill-queued' },
    ]);
  });

  it('gives cancelled attempts their own class, also when cancelled while waiting', () => {
    const ran = attemptSpans(
      job({ status: 'terminated', createdAt: t(0), startedAt: t(1), finishedAt: t(2) }),
      ms(9)
    );
    expect(ran.map(s => s.className)).toEqual([
      'jp-Bulkrun-fill-queued',
      'jp-Bulkrun-fill-terminated',
    ]);
    const waited = attemptSpans(
      job({ status: 'terminated', createdAt: t(0), finishedAt: t(4) }),
      ms(9)
    );
    expect(waited).toEqual([
      {
        kind: 'wait',
        start: ms(0),
        end: ms(4),
        className: 'jp-Bulkrun-fill-terminated jp-mod-unstarted',
      },
    ]);
    const refused = attemptSpans(
      job({ status: 'error', createdAt: t(0), finishedAt: t(1) }),
      ms(9)
    );
    expect(refused[0].className).toBe('jp-Bulkrun-fill-error jp-mod-unstarted');
  });

  it('draws nothing for an attempt without times and ignores bad dates', () => {
    expect(attemptSpans(job({ status: 'created' }), ms(1))).toEqual([]);
    expect(attemptSpans(job({ createdAt: 'not a date' }), ms(1))).toEqual([]);
  });
});

describe('every attempt of a row', () => {
  const a1 = job({
    id: 'a1',
    attempt: 1,
    status: 'error',
    createdAt: t(0),
    startedAt: t(1),
    finishedAt: t(2),
  });
  const a2 = job({ id: 'a2', attempt: 2, status: 'terminated', createdAt: t(3), finishedAt: t(4) });
  const a3stale = job({ id: 'a3', attempt: 3, status: 'queued', createdAt: t(5) });
  const a3live = job({
    id: 'a3',
    attempt: 3,
    status: 'completed',
    createdAt: t(5),
    startedAt: t(6),
    finishedAt: t(8),
  });

  it('takes earlier attempts from the listing and the newest from the live row', () => {
    expect(mergeAttempts(a3live, [a3stale, a1, a2])).toEqual([a1, a2, a3live]);
    expect(mergeAttempts(a3live, undefined)).toEqual([a3live]);
    expect(mergeAttempts(null, [a2, a1])).toEqual([a1, a2]);
  });

  it('keeps one record per attempt, the finished one', () => {
    const a1running = { ...a1, status: 'running', finishedAt: null } as JobRecord;
    expect(mergeAttempts(a3live, [a1running, a1])).toEqual([a1, a3live]);
    expect(mergeAttempts(a3live, [a1, a1running])).toEqual([a1, a3live]);
  });

  it('draws each attempt, marking only the newest as latest', () => {
    const bars = attemptBars(a3live, [a1, a2, a3stale], ms(10));
    expect(bars.map(b => [b.job.id, b.latest])).toEqual([
      ['a1', false],
      ['a2', false],
      ['a3', true],
    ]);
    const classes = bars.flatMap(b => b.spans.map(s => s.className));
    expect(classes.filter(c => c === 'jp-Bulkrun-fill-completed')).toHaveLength(1);
    expect(classes).toContain('jp-Bulkrun-fill-error');
    expect(classes).toContain('jp-Bulkrun-fill-terminated jp-mod-unstarted');
    expect(timeBounds([bars])).toEqual({ t0: ms(0), t1: ms(8) });
  });

  it('groups a full listing by row and keeps the fan-in apart', () => {
    const fi1 = job({ id: 'f1', role: 'fan_in', index: null, attempt: 1 });
    const fi2 = job({ id: 'f2', role: 'fan_in', index: null, attempt: 2 });
    const other = job({ id: 'b1', index: 1 });
    const g = groupAttempts([a1, fi1, other, a2, fi2]);
    expect(g.rows.get(0)).toEqual([a1, a2]);
    expect(g.rows.get(1)).toEqual([other]);
    expect(g.fanIn).toEqual([fi1, fi2]);
  });

  it('counts earlier attempts so a new retry shows as a change', () => {
    expect(retrySignature([a1, undefined, job({ attempt: 1 })], null)).toBe(0);
    expect(retrySignature([a3live, undefined, a2], job({ attempt: 2 }))).toBe(4);
  });

  it('has no bounds when nothing has a time', () => {
    expect(timeBounds([[], attemptBars(job({ status: 'created' }), [], 0)])).toBeNull();
  });
});

describe('nested fan-out', () => {
  const kids = (total: number) => ({
    total,
    counts: { created: 0, queued: 0, running: 1, completed: total - 1, error: 0, terminated: 0 },
    fanInJobId: null,
  });
  const fanned = (p: Partial<JobRecord>, total = 2) =>
    job({ ...p, children: kids(total) } as Partial<JobRecord>);
  const sub = (id: string, jobs: JobRecord[], nextCursor: string | null = null): SubBatch => ({
    ...withPage(loadingSubBatch(id), { jobs, nextCursor, seq: 1 }),
    id,
  });
  const opts = (p: Partial<Parameters<typeof timelineLanes>[3]> = {}) => ({
    subs: new Map<string, SubBatch>(),
    open: new Set<string>(),
    now: ms(100),
    fanInLabel: 'fan-in',
    ...p,
  });

  it('spans a sub-batch from its first start to its last end, now while one runs', () => {
    const a = job({ startedAt: t(10), finishedAt: t(20) });
    const b = job({ startedAt: t(5), finishedAt: t(30) });
    expect(subBatchSpan([a, b], ms(100))).toEqual({ start: ms(5), end: ms(30) });
    const running = job({ status: 'running', startedAt: t(15) });
    expect(subBatchSpan([a, running], ms(100))).toEqual({ start: ms(10), end: ms(100) });
    expect(subBatchSpan([job({ status: 'queued', createdAt: t(1) })], ms(100))).toBeNull();
  });

  it('draws a closed fanned-out row as one lane that can open', () => {
    const rows = [fanned({ id: 'A', startedAt: t(0), finishedAt: t(50) }), job({ id: 'B' })];
    const lanes = timelineLanes(rows, null, null, opts());
    expect(lanes.map(l => [l.label, l.fannedOut, l.open])).toEqual([
      ['1', true, false],
      ['2', false, false],
    ]);
  });

  it('opens into the sub-batch’s span and a lane per sub-task, nested ones deeper', () => {
    const rows = [fanned({ id: 'A', startedAt: t(0), finishedAt: t(50) })];
    const subs = new Map([
      [
        'A',
        sub('A', [
          fanned({ id: 'a0', index: 0, batchId: 'A', startedAt: t(10), finishedAt: t(20) }, 1),
          job({ id: 'a1', index: 1, batchId: 'A', startedAt: t(12), finishedAt: t(40) }),
          job({
            id: 'af',
            index: null,
            role: 'fan_in',
            batchId: 'A',
            startedAt: t(41),
            finishedAt: t(45),
          }),
        ]),
      ],
      [
        'a0',
        sub('a0', [job({ id: 'x', index: 0, batchId: 'a0', startedAt: t(11), finishedAt: t(19) })]),
      ],
    ]);
    const lanes = timelineLanes(rows, null, null, opts({ subs, open: new Set(['A', 'a0']) }));
    expect(lanes.map(l => [l.key, l.label, l.depth])).toEqual([
      ['A', '1', 0],
      ['span-A', '1', 1],
      ['a0', '1.1', 1],
      ['span-a0', '1.1', 2],
      ['x', '1.1.1', 2],
      ['a1', '1.2', 1],
      ['af', '1.fan-in', 1],
    ]);
    expect(lanes[1].span).toEqual({ start: ms(10), end: ms(45) });
    expect(lanes[1].shown).toEqual({ loaded: 2, total: 2 });
    expect(lanes[0].open).toBe(true);
    // Sub-task spans count in the time axis.
    expect(
      timeBounds(
        lanes.map(l => l.bars),
        lanes.map(l => l.span)
      )
    ).toEqual({
      t0: ms(0),
      t1: ms(50),
    });
  });

  it('shows an open sub-batch that is still loading as its row alone', () => {
    const rows = [fanned({ id: 'A', startedAt: t(0) })];
    const lanes = timelineLanes(rows, null, null, opts({ open: new Set(['A']) }));
    expect(lanes.map(l => l.key)).toEqual(['A']);
  });

  it('counts sub-batch spans in the bounds even without bars', () => {
    expect(timeBounds([], [null, { start: 5, end: 9 }])).toEqual({ t0: 5, t1: 9 });
  });
});
