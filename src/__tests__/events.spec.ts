// msgpackr's browser build is ESM; these tests exercise the protocol logic, not the codec.
jest.mock('msgpackr', () => ({ pack: (m: unknown) => JSON.stringify(m), unpack: () => ({}) }));
import { backoffDelay, EventClient } from '../api/events';
import type { ServerConnection } from '@jupyterlab/services';

describe('EventClient', () => {
  it('backs off exponentially up to a cap', () => {
    expect([0, 1, 2, 3, 10].map(n => backoffDelay(n))).toEqual([500, 1000, 2000, 4000, 15000]);
  });

  it('tracks the last seq and asks for a re-fetch on first hello and on reset', () => {
    const c = new EventClient({ wsUrl: 'ws://x/', token: '' } as ServerConnection.ISettings);
    let resyncs = 0;
    const seen: number[] = [];
    c.resynced.connect(() => resyncs++);
    c.jobEvent.connect((_, e) => seen.push(e.seq));
    c.handle({ type: 'hello', seq: 10 });
    expect(c.lastSeq).toBe(10);
    expect(c.state).toBe('connected');
    expect(resyncs).toBe(1);
    c.handle({ type: 'job', seq: 11, job: { id: 'a', status: 'running' } });
    c.handle({ type: 'job', seq: 12, job: { id: 'a', status: 'completed' } });
    expect(c.lastSeq).toBe(12);
    // A reconnect's hello keeps `since` at what we saw and needs no re-fetch.
    c.handle({ type: 'hello', seq: 40 });
    expect(c.lastSeq).toBe(12);
    expect(resyncs).toBe(1);
    c.handle({ type: 'reset' });
    expect(resyncs).toBe(2);
    expect(c.lastSeq).toBeNull();
    expect(seen).toEqual([11, 12]);
    c.dispose();
  });
});
