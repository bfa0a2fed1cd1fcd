import { canTransition } from '../src/engine/states';
import { deriveBatchStatus, fanInDue } from '../src/engine/batch-status';
import type { BatchRow, JobRow } from '../src/store/rows';

describe('state machine', () => {
  it('moves forward only, and terminal states are final', () => {
    expect(canTransition('created', 'queued')).toBe(true);
    expect(canTransition('queued', 'running')).toBe(true);
    expect(canTransition('running', 'completed')).toBe(true);
    expect(canTransition('created', 'terminated')).toBe(true);
    expect(canTransition('created', 'error')).toBe(true);
    expect(canTransition('running', 'queued')).toBe(false);
    expect(canTransition('running', 'running')).toBe(false);
    for (const t of ['completed', 'error', 'terminated'] as const) {
      for (const to of ['created', 'queued', 'running', 'completed', 'error', 'terminated'] as const) {
        expect(canTransition(t, to)).toBe(false);
      }
    }
  });
});

function batch(p: Partial<BatchRow>): BatchRow {
  return {
    id: 'b', label: '', total: 3, fan_in: null, fan_in_job_id: null, max_parallel: null, max_retries: 0,
    idempotency_key: null, cancelled: null, n_created: 0, n_queued: 0, n_running: 0, n_completed: 0,
    n_error: 0, n_terminated: 0, auto_retries: 0, fan_in_stale: 0, ...p,
  };
}
const parent = { status: 'running', submit_state: null } as unknown as JobRow;
const fan = (status: string) => ({ status }) as unknown as JobRow;
const FI = JSON.stringify({ app: 'm', params: {}, resources: {}, when: 'all_completed' });

describe('batch status derivation', () => {
  it('is running while any row is pending', () => {
    expect(deriveBatchStatus(batch({ n_running: 1, n_completed: 2 }), parent, null)).toBe('running');
  });
  it('is completed when all rows completed and there is no fan-in', () => {
    expect(deriveBatchStatus(batch({ n_completed: 3 }), parent, null)).toBe('completed');
  });
  it('waits for the fan-in and ends with it', () => {
    const b = batch({ n_completed: 3, fan_in: FI, fan_in_job_id: 'f' });
    expect(deriveBatchStatus(b, parent, fan('running'))).toBe('running');
    expect(deriveBatchStatus(b, parent, fan('completed'))).toBe('completed');
    expect(deriveBatchStatus(b, parent, fan('error'))).toBe('error');
  });
  it('is error when all rows ended and one failed (fan-in never starts under all_completed)', () => {
    const b = batch({ n_completed: 2, n_error: 1, fan_in: FI });
    expect(fanInDue(b)).toBe(false);
    expect(deriveBatchStatus(b, parent, null)).toBe('error');
  });
  it('starts the fan-in under all_finished', () => {
    const b = batch({ n_completed: 2, n_error: 1, fan_in: FI.replace('all_completed', 'all_finished') });
    expect(fanInDue(b)).toBe(true);
  });
  it('is terminated when cancelled', () => {
    expect(deriveBatchStatus(batch({ n_terminated: 3, cancelled: 'user' }), parent, null)).toBe('terminated');
  });
  it('stays running while a dynamic fan-out parent process runs', () => {
    const p = { status: 'running', submit_state: 'done' } as unknown as JobRow;
    expect(deriveBatchStatus(batch({ n_completed: 3 }), p, null)).toBe('running');
  });
});
