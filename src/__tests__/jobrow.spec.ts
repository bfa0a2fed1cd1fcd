import * as React from 'react';
import { createRoot } from 'react-dom/client';
import type { JobRecord } from '../api/types';
import { JobRow, type LineHandlers } from '../cell/status/JobRow';
import { ViewContext, type IViewContext } from '../components/context';
import type { StatusItem } from '../model/statusview';
import { trans } from './trans';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;
const act = (React as any).act as (fn: () => void) => void;

const children = {
  total: 10,
  counts: { created: 0, queued: 1, running: 2, completed: 5, error: 2, terminated: 0 },
  fanInJobId: null,
};

const job = (p: Partial<JobRecord> & { children?: typeof children }): JobRecord =>
  ({
    id: 'j',
    batchId: 'B',
    role: 'task',
    index: 0,
    status: 'running',
    attempt: 1,
    params: { n: 3 },
    startedAt: null,
    finishedAt: null,
    exitCode: null,
    error: null,
    ...p,
  }) as unknown as JobRecord;

function draw(item: StatusItem, open = false) {
  const calls: string[] = [];
  const h: LineHandlers = {
    onActivate: () => undefined,
    onToggle: i => calls.push(`toggle ${i}`),
    onToggleChild: id => calls.push(`child ${id}`),
    onMore: id => calls.push(`more ${id}`),
    onLogs: l => calls.push(`logs ${l.title}`),
    onAction: (j, a) => calls.push(`${a} ${j.id}`),
    onEdit: j => calls.push(`edit ${j.id}`),
  };
  const el = document.createElement('div');
  const root = createRoot(el);
  const ctx = { trans } as unknown as IViewContext;
  act(() =>
    root.render(
      React.createElement(
        ViewContext.Provider,
        { value: ctx },
        React.createElement(JobRow, {
          item,
          position: 0,
          batchId: 'B',
          active: false,
          open,
          now: 0,
          keyParams: [],
          style: {},
          handlers: h,
        })
      )
    )
  );
  const click = (label: string) =>
    act(() => (el.querySelector(`button[aria-label="${label}"]`) as HTMLElement).click());
  return { el, calls, click, unmount: () => act(() => root.unmount()) };
}

describe('a Status line of nested fan-out', () => {
  it('shows a fanned-out row’s sub-batch progress next to its status, and expands it', () => {
    const r = draw({ kind: 'row', index: 2, job: job({ id: 'A', children }) });
    const cell = r.el.querySelector('.jp-Bulkrun-statuscell')!;
    expect(cell.textContent).toBe('running7/10');
    expect(cell.querySelector('.jp-Bulkrun-subprogress')!.getAttribute('title')).toBe(
      'Sub-batch: 7 of 10 done · 1 queued, 2 running, 5 completed, 2 failed'
    );
    expect(cell.querySelectorAll('.jp-Bulkrun-progress-seg')).toHaveLength(4);
    expect(r.el.firstElementChild!.getAttribute('aria-expanded')).toBe('false');
    r.click('Show sub-tasks');
    expect(r.calls).toEqual(['toggle 2']);
    r.unmount();
  });

  it('indents a sub-task, with its own expander, logs and retry, but no edit', () => {
    const r = draw(
      {
        kind: 'child',
        index: 4,
        depth: 2,
        parent: 'A',
        job: job({ id: 'c', status: 'error', children }),
      },
      true
    );
    const params = r.el.querySelector('.jp-Bulkrun-subbatch-params') as HTMLElement;
    expect(params.style.paddingLeft).toBe('34px');
    expect(params.textContent).toBe('▾3');
    r.click('Hide sub-tasks');
    r.click('Logs of sub-task 5');
    r.click('Retry sub-task 5');
    expect(r.calls).toEqual(['child c', 'logs Sub-task 5, attempt 1', 'retry c']);
    expect(r.el.querySelector('button[aria-label^="Edit"]')).toBeNull();
    r.unmount();
  });

  it('ends a partly listed sub-batch with how many are shown and a way to show more', () => {
    const owner = job({ id: 'A', children });
    const r = draw({
      kind: 'more',
      index: -1,
      depth: 1,
      parent: 'A',
      job: owner,
      more: { state: 'more', loaded: 500, total: 10 },
    });
    expect(r.el.textContent).toBe('500 of 10 sub-tasks shownshow more');
    act(() => (r.el.querySelector('button') as HTMLElement).click());
    expect(r.calls).toEqual(['more A']);
    r.unmount();
  });
});
