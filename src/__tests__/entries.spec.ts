import { applyPanelEvent, type Entry } from '../panel/entries';

const counts = (running: number, completed: number) => ({
  created: 0,
  queued: 0,
  running,
  completed,
  error: 0,
  terminated: 0,
});

const items = [
  { id: 'b1', status: 'running', batchJob: true, total: 2, counts: counts(1, 1) },
  { id: 'j1', status: 'queued', batchId: null },
] as unknown as Entry[];

describe('applyPanelEvent', () => {
  it('updates a batch from its batch event', () => {
    const out = applyPanelEvent(items, {
      type: 'batch',
      seq: 3,
      batch: { id: 'b1', status: 'completed', counts: counts(0, 2) },
    });
    expect(out?.[0]).toMatchObject({ status: 'completed', counts: counts(0, 2), total: 2 });
    expect(out?.[1]).toBe(items[1]);
  });

  it('updates a single job; rows and fan-ins leave the list as it is', () => {
    const single = applyPanelEvent(items, {
      type: 'job',
      seq: 4,
      job: { id: 'j1', status: 'running' },
    });
    expect(single?.[1]).toMatchObject({ status: 'running' });
    const row = applyPanelEvent(items, {
      type: 'job',
      seq: 5,
      job: { id: 't1', batchId: 'b1', status: 'completed' },
    });
    expect(row).toBe(items);
  });

  it('asks for a re-fetch (null) for an entry it does not know', () => {
    expect(
      applyPanelEvent(items, { type: 'job', seq: 6, job: { id: 'new', status: 'created' } })
    ).toBeNull();
    expect(
      applyPanelEvent(items, {
        type: 'batch',
        seq: 7,
        batch: { id: 'b2', status: 'queued', counts: counts(0, 0) },
      })
    ).toBeNull();
  });
});
