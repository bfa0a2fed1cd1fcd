import { Signal } from '@lumino/signaling';
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import type { JobEvent, JobRecord } from '../api/types';
import { useSubBatches, type SubBatchesView } from '../cell/status/useSubBatches';
import { ViewContext, type IViewContext } from '../components/context';
import { SUB_PAGE } from '../model/subbatch';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;
const act = (React as any).act as (fn: () => void | Promise<void>) => Promise<void>;

type Page = { jobs: JobRecord[]; nextCursor: string | null; seq: number | null };

const row = (id: string, index: number, batchId: string, status = 'running'): JobRecord =>
  ({ id, index, batchId, role: 'task', status, attempt: 1, params: {} }) as unknown as JobRecord;

/** A view over a fake client (its pages answered by hand) and a fake event stream. */
function mount(initial: string[]) {
  const calls: {
    id: string;
    cursor?: string;
    limit?: number;
    resolve: (p: Page) => void;
    reject: (e: Error) => void;
  }[] = [];
  const owner = {};
  const jobEvent = new Signal<object, JobEvent>(owner);
  const resynced = new Signal<object, void>(owner);
  const bulkrun = {
    client: {
      batchJobs: (id: string, page: { cursor?: string; limit?: number }) =>
        new Promise<Page>((resolve, reject) =>
          calls.push({ id, cursor: page.cursor, limit: page.limit, resolve, reject })
        ),
    },
    events: { jobEvent, resynced },
  };
  const ctx = { bulkrun, trans: {} } as unknown as IViewContext;
  const out: { view: SubBatchesView; wanted: string[]; renders: number } = {
    view: null as any,
    wanted: initial,
    renders: 0,
  };
  function Host(): null {
    out.view = useSubBatches(() => out.wanted);
    out.renders++;
    return null;
  }
  const root = createRoot(document.createElement('div'));
  const render = () =>
    act(() =>
      root.render(
        React.createElement(ViewContext.Provider, { value: ctx }, React.createElement(Host))
      )
    );
  return {
    out,
    calls,
    render,
    emit: (ev: JobEvent) => jobEvent.emit(ev),
    resync: () => resynced.emit(),
    unmount: () => act(() => root.unmount()),
  };
}

const ev = (seq: number, j: JobRecord): JobEvent => ({ type: 'job', seq, job: j }) as JobEvent;

describe('the open sub-batches of a view', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('lists nothing while no row is open', async () => {
    const m = mount([]);
    await m.render();
    expect(m.calls).toHaveLength(0);
    expect(m.out.view.subs.size).toBe(0);
    await m.unmount();
  });

  it('lists an opened sub-batch page by page and follows its rows’ events', async () => {
    const m = mount(['S']);
    await m.render();
    expect(m.calls.map(c => [c.id, c.cursor, c.limit])).toEqual([['S', undefined, SUB_PAGE]]);
    expect(m.out.view.subs.get('S')?.state).toBe('loading');
    // An event during the load, newer than the page, lands on top of it.
    await act(() => m.emit(ev(12, row('a', 0, 'S', 'completed'))));
    await act(async () =>
      m.calls[0].resolve({ jobs: [row('a', 0, 'S')], nextCursor: 'c1', seq: 11 })
    );
    expect(m.out.view.subs.get('S')?.rows.map(r => r.status)).toEqual(['completed']);
    // The next page on demand.
    await act(() => m.out.view.more('S'));
    expect(m.calls[1]).toMatchObject({ id: 'S', cursor: 'c1' });
    await act(async () =>
      m.calls[1].resolve({ jobs: [row('b', 1, 'S')], nextCursor: null, seq: 13 })
    );
    expect(m.out.view.subs.get('S')?.rows.map(r => r.id)).toEqual(['a', 'b']);
    // Live: a burst of events is one render, after a short pause.
    const before = m.out.renders;
    await act(() => {
      m.emit(ev(14, row('b', 1, 'S', 'completed')));
      m.emit(ev(15, row('x', 0, 'OTHER', 'completed')));
    });
    await act(() => jest.advanceTimersByTime(150));
    expect(m.out.renders).toBe(before + 1);
    expect(m.out.view.subs.get('S')?.rows[1].status).toBe('completed');
    await m.unmount();
  });

  it('drops a closed sub-batch: its late page and events change nothing', async () => {
    const m = mount(['S']);
    await m.render();
    m.out.wanted = [];
    await m.render();
    expect(m.out.view.subs.has('S')).toBe(false);
    await act(async () =>
      m.calls[0].resolve({ jobs: [row('a', 0, 'S')], nextCursor: null, seq: 1 })
    );
    await act(() => m.emit(ev(2, row('a', 0, 'S'))));
    expect(m.out.view.subs.has('S')).toBe(false);
    await m.unmount();
  });

  it('says why a page failed and tries it again on demand; lists again after a resync', async () => {
    const m = mount(['S']);
    await m.render();
    await act(async () => m.calls[0].reject(new Error('boom')));
    expect(m.out.view.subs.get('S')).toMatchObject({ state: 'error', error: 'boom' });
    await act(() => m.out.view.more('S'));
    expect(m.calls).toHaveLength(2);
    await act(async () =>
      m.calls[1].resolve({ jobs: [row('a', 0, 'S')], nextCursor: null, seq: 1 })
    );
    expect(m.out.view.subs.get('S')?.state).toBe('ready');
    // Nothing more to load.
    await act(() => m.out.view.more('S'));
    expect(m.calls).toHaveLength(2);
    await act(() => m.resync());
    expect(m.calls).toHaveLength(3);
    expect(m.out.view.subs.get('S')?.state).toBe('loading');
    await m.unmount();
  });
});
