import type { BatchCounts, JobRecord, JobStatus, RetryResult } from '../api/types';
import {
  BULK_KINDS,
  bulkEnabled,
  bulkLabel,
  bulkTargets,
  bulkTitle,
  isCancel,
  pool,
  retryRefusedText,
  runBulk,
  type BulkClient,
} from '../model/bulkactions';
import { trans } from './trans';

const job = (id: string, status: JobStatus) => ({ id, status }) as JobRecord;

const rows: (JobRecord | undefined)[] = [
  job('c', 'created'),
  job('q', 'queued'),
  undefined,
  job('r', 'running'),
  job('ok', 'completed'),
  job('e', 'error'),
  job('t', 'terminated'),
  job('r2', 'running'),
];

const zero: BatchCounts = {
  created: 0,
  queued: 0,
  running: 0,
  completed: 0,
  error: 0,
  terminated: 0,
};

const ids = (js: JobRecord[]) => js.map(j => j.id);

describe('bulk targets', () => {
  it('picks the rows each action concerns', () => {
    expect(ids(bulkTargets(rows, 'cancel-queued'))).toEqual(['c', 'q']);
    expect(ids(bulkTargets(rows, 'cancel-running'))).toEqual(['r', 'r2']);
    expect(ids(bulkTargets(rows, 'retry-failed'))).toEqual(['e']);
    expect(ids(bulkTargets(rows, 'retry-cancelled'))).toEqual(['t']);
    expect(ids(bulkTargets(rows, 'cancel-batch'))).toEqual(['c', 'q', 'r', 'r2']);
  });
});

describe('bulkEnabled', () => {
  it('enables a row action only when the counts have such rows', () => {
    for (const kind of BULK_KINDS.filter(k => k !== 'cancel-batch')) {
      expect(bulkEnabled(kind, zero, 'running')).toBe(false);
    }
    expect(bulkEnabled('cancel-queued', { ...zero, created: 1 }, 'running')).toBe(true);
    expect(bulkEnabled('cancel-queued', { ...zero, queued: 1 }, 'running')).toBe(true);
    expect(bulkEnabled('cancel-running', { ...zero, running: 2 }, 'running')).toBe(true);
    expect(bulkEnabled('retry-failed', { ...zero, error: 1 }, 'completed')).toBe(true);
    expect(bulkEnabled('retry-cancelled', { ...zero, terminated: 1 }, 'terminated')).toBe(true);
  });

  it('enables cancelling the batch until the batch is finished', () => {
    expect(bulkEnabled('cancel-batch', zero, 'queued')).toBe(true);
    expect(bulkEnabled('cancel-batch', zero, 'running')).toBe(true);
    expect(bulkEnabled('cancel-batch', zero, 'completed')).toBe(false);
    expect(bulkEnabled('cancel-batch', zero, 'terminated')).toBe(false);
  });
});

describe('bulk words', () => {
  it('labels the buttons in toolbar order', () => {
    expect(BULK_KINDS.map(k => bulkLabel(k, trans))).toEqual([
      'Cancel queued',
      'Cancel running',
      'Retry failed',
      'Retry cancelled',
      'Cancel batch',
    ]);
  });

  it('asks with the number of rows, in singular or plural', () => {
    expect(bulkTitle('cancel-queued', 1, trans)).toBe('Cancel 1 waiting or queued task?');
    expect(bulkTitle('cancel-running', 3, trans)).toBe('Cancel 3 running tasks?');
    expect(bulkTitle('retry-failed', 2, trans)).toBe('Retry 2 failed tasks?');
    expect(bulkTitle('retry-cancelled', 1, trans)).toBe('Retry 1 cancelled task?');
    expect(bulkTitle('cancel-batch', 9, trans)).toBe('Cancel the whole batch?');
  });

  it('treats only cancelling as destructive', () => {
    expect(BULK_KINDS.filter(isCancel)).toEqual([
      'cancel-queued',
      'cancel-running',
      'cancel-batch',
    ]);
  });

  it('reports refused retries with the first reason', () => {
    const ok: RetryResult = { jobId: 'a', retryId: 'a2' };
    expect(retryRefusedText([ok], trans)).toBeUndefined();
    expect(
      retryRefusedText(
        [ok, { jobId: 'b', error: 'not retryable' }, { jobId: 'c', error: 'x' }],
        trans
      )
    ).toBe('2 of 3 retries refused; first: not retryable');
    const structured = { jobId: 'b', error: { message: 'gone' } } as unknown as RetryResult;
    expect(retryRefusedText([structured], trans)).toBe('1 of 1 retries refused; first: gone');
  });
});

describe('pool', () => {
  it('runs every item with at most n at once and counts failures', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const failed = await pool([1, 2, 3, 4, 5, 6, 7], 3, async n => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise(r => setTimeout(r, 1));
      inFlight--;
      seen.push(n);
      if (n % 3 === 0) {
        throw new Error('no');
      }
    });
    expect(failed).toBe(2);
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('does nothing for no items', async () => {
    expect(await pool([], 8, () => Promise.reject(new Error('never')))).toBe(0);
  });
});

describe('runBulk', () => {
  function client(over: Partial<BulkClient> = {}) {
    const calls: string[] = [];
    const c: BulkClient = {
      cancelBatch: async id => calls.push(`cancelBatch ${id}`),
      cancelJob: async id => calls.push(`cancelJob ${id}`),
      retryBatch: async (id, statuses) => {
        calls.push(`retryBatch ${id} ${statuses?.join(',')}`);
        return { results: [] };
      },
      ...over,
    };
    return { c, calls };
  }

  it('cancels the whole batch in one request', async () => {
    const { c, calls } = client();
    expect(await runBulk(c, 'B', rows, 'cancel-batch', trans)).toBeUndefined();
    expect(calls).toEqual(['cancelBatch B']);
  });

  it('cancels queued or running rows one by one and counts the ones that failed', async () => {
    const { c, calls } = client();
    expect(await runBulk(c, 'B', rows, 'cancel-queued', trans)).toBeUndefined();
    expect(calls.sort()).toEqual(['cancelJob c', 'cancelJob q']);
    const failing = client({
      cancelJob: async id => {
        if (id === 'r2') {
          throw new Error('gone');
        }
      },
    });
    expect(await runBulk(failing.c, 'B', rows, 'cancel-running', trans)).toBe(
      '1 could not be cancelled'
    );
  });

  it('retries failed or cancelled rows by status and reports refusals', async () => {
    const { c, calls } = client();
    expect(await runBulk(c, 'B', rows, 'retry-failed', trans)).toBeUndefined();
    expect(await runBulk(c, 'B', rows, 'retry-cancelled', trans)).toBeUndefined();
    expect(calls).toEqual(['retryBatch B error', 'retryBatch B terminated']);
    const refusing = client({
      retryBatch: async () => ({ results: [{ jobId: 'e', error: 'quota' }] }),
    });
    expect(await runBulk(refusing.c, 'B', rows, 'retry-failed', trans)).toBe(
      '1 of 1 retries refused; first: quota'
    );
  });

  it('lets a failed request reject, for the view to show', async () => {
    const { c } = client({ cancelBatch: () => Promise.reject(new Error('offline')) });
    await expect(runBulk(c, 'B', rows, 'cancel-batch', trans)).rejects.toThrow('offline');
  });
});
