import { BatchModel, mergeJob } from '../cell/model';
import type { BulkrunClient } from '../api/client';
import type { BatchRecord, JobRecord } from '../api/types';

function rec(over: Partial<JobRecord>): JobRecord {
  return {
    id: 'j',
    batchId: 'b1',
    role: 'task',
    index: 0,
    owner: 'u',
    app: 'demo',
    appVersion: '1',
    params: {},
    resources: {},
    backend: 'local',
    backendJobId: null,
    status: 'queued',
    priority: 0,
    createdAt: '2024-01-01T00:00:00Z',
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    exitCode: null,
    error: null,
    terminatedCode: null,
    retryParent: null,
    retryIds: [],
    retryCount: 0,
    attempt: 1,
    output: null,
    workDir: '',
    ...over,
  };
}

const batch = {
  ...rec({ id: 'b1', batchId: null, role: 'single', index: null, status: 'running' }),
  batchJob: true,
  childJobIds: ['t0', 't1'],
  label: '',
  total: 2,
  counts: { created: 0, queued: 2, running: 0, completed: 0, error: 0, terminated: 0 },
  fanIn: null,
  fanInJobId: null,
  maxParallel: null,
  maxRetries: 5,
} as BatchRecord;

function fakeClient(jobs: JobRecord[]): BulkrunClient {
  return {
    batchRecordSnapshot: async () => ({ batch, seq: 4 }),
    batchSnapshot: async () => ({ jobs, seq: 4 }),
  } as unknown as BulkrunClient;
}

async function loaded(): Promise<{ m: BatchModel; ticks: (() => void)[] }> {
  const ticks: (() => void)[] = [];
  const m = new BatchModel(
    'b1',
    fakeClient([
      rec({ id: 't0', index: 0, params: { s: 'a' } }),
      rec({ id: 't1', index: 1, params: { s: 'b' } }),
    ]),
    fn => ticks.push(fn)
  );
  await m.fetch();
  return { m, ticks };
}

describe('BatchModel', () => {
  it('loads rows by index', async () => {
    const { m } = await loaded();
    expect(m.state).toBe('ready');
    expect(m.rows.map(r => r?.id)).toEqual(['t0', 't1']);
  });

  it('applies job events and coalesces change notifications', async () => {
    const { m, ticks } = await loaded();
    let emitted = 0;
    m.changed.connect(() => emitted++);
    m.applyJob({
      type: 'job',
      seq: 5,
      job: { id: 't0', batchId: 'b1', index: 0, status: 'running', startedAt: 'x' },
    });
    m.applyJob({
      type: 'job',
      seq: 6,
      job: { id: 't0', batchId: 'b1', index: 0, status: 'completed', exitCode: 0 },
    });
    expect(emitted).toBe(0);
    expect(ticks).toHaveLength(1);
    ticks[0]();
    expect(emitted).toBe(1);
    expect(m.rows[0]).toMatchObject({ status: 'completed', startedAt: 'x', exitCode: 0 });
  });

  it('keeps what events said while the REST listing was in flight', async () => {
    let release: (jobs: JobRecord[]) => void = () => undefined;
    const client = {
      batchRecordSnapshot: async () => ({ batch, seq: 6 }),
      batchSnapshot: () =>
        new Promise<{ jobs: JobRecord[]; seq: number }>(
          r => (release = jobs => r({ jobs, seq: 6 }))
        ),
    } as unknown as BulkrunClient;
    const m = new BatchModel('b1', client, fn => fn());
    const loading = m.fetch();
    // The row starts (and the fan-in is created) before the listing answers...
    m.applyJob({
      type: 'job',
      seq: 7,
      job: { id: 't0', batchId: 'b1', index: 0, status: 'running', startedAt: 'S' },
    });
    // ...which still shows the row queued.
    release([rec({ id: 't0', index: 0, queuedAt: 'Q' }), rec({ id: 't1', index: 1 })]);
    await loading;
    expect(m.rows[0]).toMatchObject({ status: 'running', startedAt: 'S', queuedAt: 'Q' });
    // The completion event carries only changed fields: the running span survives.
    m.applyJob({
      type: 'job',
      seq: 8,
      job: { id: 't0', batchId: 'b1', index: 0, status: 'completed', finishedAt: 'F' },
    });
    expect(m.rows[0]).toMatchObject({ status: 'completed', startedAt: 'S', finishedAt: 'F' });
  });

  it('keeps batch events newer than the batch snapshot, drops older ones', async () => {
    let answer: (seq: number) => void = () => undefined;
    const client = {
      batchRecordSnapshot: () =>
        new Promise<{ batch: BatchRecord; seq: number }>(r => (answer = seq => r({ batch, seq }))),
      batchSnapshot: async () => ({ jobs: [rec({ id: 't0', index: 0 })], seq: 10 }),
    } as unknown as BulkrunClient;
    const counts = (completed: number) => ({
      created: 0,
      queued: 0,
      running: 2 - completed,
      completed,
      error: 0,
      terminated: 0,
    });
    const m = new BatchModel('b1', client, fn => fn());
    const loading = m.fetch();
    // Seq 11 is older than the snapshot (seq 12), seq 13 newer: the last row finished while
    // the answer was on its way, and no event will come after it.
    m.applyBatch({
      type: 'batch',
      seq: 11,
      batch: { id: 'b1', status: 'running', counts: counts(0) },
    });
    m.applyBatch({
      type: 'batch',
      seq: 13,
      batch: { id: 'b1', status: 'completed', counts: counts(2) },
    });
    m.applyJob({ type: 'job', seq: 13, job: { id: 'b1', status: 'completed', finishedAt: 'F' } });
    answer(12);
    await loading;
    expect(m.batch).toMatchObject({ status: 'completed', finishedAt: 'F' });
    expect(m.counts.completed).toBe(2);

    // A refetch whose snapshot is newer than everything that came meanwhile wins.
    const again = m.fetch();
    m.applyBatch({
      type: 'batch',
      seq: 11,
      batch: { id: 'b1', status: 'running', counts: counts(0) },
    });
    answer(14);
    await again;
    expect(m.batch?.status).toBe('running'); // the snapshot's own (fixture) status
    expect(m.counts).toEqual(batch.counts);
  });

  it('ignores stale events that would move a job backwards', async () => {
    const { m } = await loaded();
    m.applyJob({
      type: 'job',
      seq: 7,
      job: { id: 't1', batchId: 'b1', index: 1, status: 'error', exitCode: 3 },
    });
    m.applyJob({
      type: 'job',
      seq: 3,
      job: { id: 't1', batchId: 'b1', index: 1, status: 'running', startedAt: 's' },
    });
    expect(m.rows[1]).toMatchObject({ status: 'error', exitCode: 3, startedAt: 's' });
  });

  it('shows a retry as the row newest attempt, keeping the row params', async () => {
    const { m } = await loaded();
    m.applyJob({
      type: 'job',
      seq: 8,
      job: { id: 't1', batchId: 'b1', index: 1, status: 'error', exitCode: 1 },
    });
    m.applyJob({
      type: 'job',
      seq: 9,
      job: { id: 't1r', batchId: 'b1', index: 1, status: 'created', attempt: 2, retryParent: 't1' },
    });
    expect(m.rows[1]).toMatchObject({
      id: 't1r',
      status: 'created',
      attempt: 2,
      exitCode: null,
      params: { s: 'b' },
    });
    expect(m.retriedRows).toBe(1);
    // A late event of the old attempt does not replace the newest one.
    m.applyJob({
      type: 'job',
      seq: 10,
      job: { id: 't1', batchId: 'b1', index: 1, status: 'error', attempt: 1 },
    });
    expect(m.rows[1]!.id).toBe('t1r');
  });

  it('tracks the fan-in and batch counts, ignores other batches', async () => {
    const { m } = await loaded();
    expect(
      m.applyJob({
        type: 'job',
        seq: 1,
        job: { id: 'x', batchId: 'other', index: 0, status: 'running' },
      })
    ).toBe(false);
    m.applyJob({
      type: 'job',
      seq: 11,
      job: { id: 'f', batchId: 'b1', role: 'fan_in', index: null, status: 'running' },
    });
    expect(m.fanIn).toMatchObject({ id: 'f', status: 'running', role: 'fan_in' });
    m.applyBatch({
      type: 'batch',
      seq: 12,
      batch: {
        id: 'b1',
        status: 'completed',
        counts: { created: 0, queued: 0, running: 0, completed: 2, error: 0, terminated: 0 },
      },
    });
    expect(m.batch!.status).toBe('completed');
    expect(m.counts.completed).toBe(2);
    expect(m.isActive).toBe(false);
  });

  it('mergeJob fills fields from a stale event only where unknown', () => {
    const j = mergeJob(rec({ status: 'completed', exitCode: 0 }), {
      id: 'j',
      status: 'queued',
      queuedAt: 'q',
      exitCode: 9,
    });
    expect(j).toMatchObject({ status: 'completed', exitCode: 0, queuedAt: 'q' });
  });
});
