/**
 * Status tab: stacked progress with counts and ETA, the summary line, bulk actions,
 * filters and the virtualized task table (retries grouped under their row, history
 * on expand), with per-row logs, cancel and retry.
 */
import * as React from 'react';
import type { JobRecord, JobStatus } from '../api/types';
import { isTerminal, JOB_STATUSES } from '../api/types';
import { choose } from '../components/confirm';
import { useNow, useSignal, useView } from '../components/context';
import { LogPanel } from '../components/LogPanel';
import { SortHeader } from '../components/SortHeader';
import { ProgressBar, reasonOf, StatusBadge, statusLabel } from '../components/status';
import { VirtualList, type VirtualListHandle } from '../components/virtual';
import { confirmChoice } from '../model/confirm';
import { nextSort, sortStatusRows, type IndexedJob, type SortState } from '../model/sort';
import {
  estimateRemaining,
  formatDuration,
  remainingText,
  runtimeMs,
  summaryLine,
} from '../model/summary';
import type { BatchModel } from './model';
import { PageConfig } from '@jupyterlab/coreutils';
import { baseDirFor } from '../model/paths';
import { askEditedParams } from './EditRerun';
import { OriginContext } from './origin';

const ROW_H = 30;
type Filter = 'all' | JobStatus;

interface Item {
  kind: 'row' | 'attempt';
  index: number;
  job: JobRecord;
}

const itemKey = (it: Item) => `${it.kind}-${it.job.id}`;

/** Runs `fn` over items with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<number> {
  let failed = 0;
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const t = items[i++];
      try {
        await fn(t);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return failed;
}

function paramSummary(job: JobRecord, keys: string[]): string {
  return (keys.length ? keys : Object.keys(job.params ?? {}).slice(0, 3))
    .map(k => job.params?.[k])
    .filter(v => v !== undefined && v !== null && v !== '')
    .map(v => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
    .join(' · ');
}

export function StatusTab(props: { model: BatchModel; keyParams: string[] }): JSX.Element {
  const { bulkrun, trans, confirm } = useView();
  const { model } = props;
  useSignal(model.changed);
  const batch = model.batch;
  const active = model.isActive;
  const now = useNow(1000, active);
  const [filter, setFilter] = React.useState<Filter>('all');
  const [text, setText] = React.useState('');
  const [expanded, setExpanded] = React.useState<Map<number, JobRecord[] | null>>(new Map());
  const [logJob, setLogJob] = React.useState<{ job: JobRecord; title: string } | null>(null);
  const [activeRow, setActiveRow] = React.useState(0);
  const [busy, setBusy] = React.useState('');
  const [message, setMessage] = React.useState('');
  const [sort, setSort] = React.useState<SortState | null>(null);
  const list = React.useRef<VirtualListHandle>(null);
  // The item to keep active across a re-sort (its key), set when a header is clicked.
  const keepActive = React.useRef<string | null>(null);

  const rows = model.rows;
  const counts = model.counts;
  const total = batch?.total ?? rows.length;
  const eta = active ? estimateRemaining(rows, now) : null;

  // Sorting by time follows the clock while rows run; finished runtimes do not need it.
  const sortNow = sort?.key === 'time' && active ? now : 0;
  const items: Item[] = React.useMemo(() => {
    const q = text.trim().toLowerCase();
    const shown: IndexedJob[] = [];
    rows.forEach((job, index) => {
      if (!job) {
        return;
      }
      if (filter !== 'all' && job.status !== filter) {
        return;
      }
      if (q) {
        const hay =
          `${index + 1} ${job.id} ${Object.values(job.params ?? {}).join(' ')} ${job.error?.message ?? ''}`.toLowerCase();
        if (!hay.includes(q)) {
          return;
        }
      }
      shown.push({ index, job });
    });
    const out: Item[] = [];
    // Expanded attempts stay under their row, newest first, whatever the row order.
    for (const { index, job } of sortStatusRows(shown, sort, sortNow)) {
      out.push({ kind: 'row', index, job });
      const hist = expanded.get(index);
      if (hist) {
        for (const a of hist.slice().reverse()) {
          if (a.id !== job.id) {
            out.push({ kind: 'attempt', index, job: a });
          }
        }
      }
    }
    return out;
    // model.version changes on every applied event.
  }, [model.version, filter, text, expanded, sort, sortNow]);

  // After a re-sort the active row stays the same item, in its new place.
  React.useEffect(() => {
    const k = keepActive.current;
    if (k === null) {
      return;
    }
    keepActive.current = null;
    const i = items.findIndex(it => itemKey(it) === k);
    if (i >= 0) {
      setActiveRow(i);
      list.current?.scrollToIndex(i);
    }
  }, [items]);

  const sortOn = (key: string) => {
    const cur = items[activeRow];
    keepActive.current = cur ? itemKey(cur) : null;
    setSort(s => nextSort(s, key));
  };

  const toggle = async (index: number) => {
    const next = new Map(expanded);
    if (next.has(index)) {
      next.delete(index);
      setExpanded(next);
      return;
    }
    next.set(index, null);
    setExpanded(next);
    try {
      const attempts = await model.attempts(index);
      setExpanded(m => new Map(m).set(index, attempts));
    } catch (e) {
      setMessage((e as Error).message);
    }
  };

  const run = async (label: string, fn: () => Promise<string | void>) => {
    setBusy(label);
    setMessage('');
    try {
      const m = await fn();
      if (m) {
        setMessage(m);
      }
    } catch (e) {
      setMessage((e as Error).message);
    } finally {
      setBusy('');
    }
  };

  const rowsIn = (states: JobStatus[]) =>
    rows.filter((r): r is JobRecord => !!r && states.includes(r.status));

  const bulk = async (
    kind: 'cancel-queued' | 'cancel-running' | 'retry-failed' | 'retry-cancelled' | 'cancel-batch'
  ) => {
    if (!batch) {
      return;
    }
    const n = {
      'cancel-queued': rowsIn(['created', 'queued']).length,
      'cancel-running': rowsIn(['running']).length,
      'retry-failed': rowsIn(['error']).length,
      'retry-cancelled': rowsIn(['terminated']).length,
      'cancel-batch': rows.filter(r => r && !isTerminal(r.status)).length,
    }[kind];
    const titles = {
      'cancel-queued': trans._n(
        'Cancel %1 waiting or queued task?',
        'Cancel %1 waiting or queued tasks?',
        n
      ),
      'cancel-running': trans._n('Cancel %1 running task?', 'Cancel %1 running tasks?', n),
      'retry-failed': trans._n('Retry %1 failed task?', 'Retry %1 failed tasks?', n),
      'retry-cancelled': trans._n('Retry %1 cancelled task?', 'Retry %1 cancelled tasks?', n),
      'cancel-batch': trans.__('Cancel the whole batch?'),
    };
    // Cancelling is confirmed as a danger; retrying is not destructive and is not styled so.
    const ok = kind.startsWith('cancel')
      ? await confirm(
          titles[kind],
          trans.__('Cancelled tasks stop now; you can retry them later.'),
          trans.__('Cancel tasks')
        )
      : !bulkrun.settings.confirmBulkActions ||
        (await choose(
          titles[kind],
          trans.__('Each task runs again with the same parameters and resources.'),
          confirmChoice('retry', trans.__('Back'), trans.__('Retry'))
        )) !== null;
    if (!ok) {
      return;
    }
    await run(kind, async () => {
      switch (kind) {
        case 'cancel-batch':
          await bulkrun.client.cancelBatch(batch.id);
          return;
        case 'cancel-queued':
        case 'cancel-running': {
          const targets = rowsIn(kind === 'cancel-queued' ? ['created', 'queued'] : ['running']);
          const failed = await pool(targets, 8, j => bulkrun.client.cancelJob(j.id));
          return failed ? trans.__('%1 could not be cancelled', failed) : undefined;
        }
        case 'retry-failed':
        case 'retry-cancelled': {
          const r = await bulkrun.client.retryBatch(batch.id, [
            kind === 'retry-failed' ? 'error' : 'terminated',
          ]);
          const errs = r.results.filter(x => 'error' in x);
          if (errs.length) {
            const e = (errs[0] as { error: unknown }).error;
            const msg = typeof e === 'string' ? e : (e as { message: string }).message;
            return trans.__(
              '%1 of %2 retries refused; first: %3',
              errs.length,
              r.results.length,
              msg
            );
          }
          return;
        }
      }
    });
  };

  const rowAction = (job: JobRecord, action: 'cancel' | 'retry') =>
    run(action, async () => {
      if (action === 'cancel') {
        await bulkrun.client.cancelJob(job.id);
      } else {
        await bulkrun.client.retryJob(job.id);
      }
    });

  // Edit and rerun: the row's next attempt with the params the user fixed.
  const origin = React.useContext(OriginContext);
  const editRow = async (job: JobRecord) => {
    const params = await askEditedParams((job.index ?? 0) + 1, job.params ?? {}, trans);
    if (params) {
      const baseDir = baseDirFor(PageConfig.getOption('serverRoot'), origin);
      await run('retry', async () => {
        await bulkrun.client.rerunJob(job.id, params, baseDir);
      });
    }
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const last = items.length - 1;
    let next = activeRow;
    switch (e.key) {
      case 'ArrowDown':
        next = Math.min(last, activeRow + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, activeRow - 1);
        break;
      case 'PageDown':
        next = Math.min(last, activeRow + 10);
        break;
      case 'PageUp':
        next = Math.max(0, activeRow - 10);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = last;
        break;
      case 'Enter':
      case ' ': {
        const it = items[activeRow];
        if (it && it.kind === 'row') {
          e.preventDefault();
          void toggle(it.index);
        }
        return;
      }
      case 'l': {
        const it = items[activeRow];
        if (it) {
          setLogJob({
            job: it.job,
            title: trans.__('Row %1, attempt %2', it.index + 1, it.job.attempt),
          });
        }
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    setActiveRow(next);
    list.current?.scrollToIndex(next);
  };

  if (model.state === 'loading') {
    return <div className="jp-Bulkrun-muted">{trans.__('Loading batch…')}</div>;
  }
  if (model.state === 'missing') {
    return (
      <div className="jp-Bulkrun-error">
        {trans.__('Batch %1 no longer exists on the server.', model.id)}
      </div>
    );
  }
  if (model.state === 'error' || !batch) {
    return (
      <div className="jp-Bulkrun-error">
        {trans.__('Could not load the batch: %1', model.loadError)}{' '}
        <button className="jp-Bulkrun-button" onClick={() => void model.fetch()}>
          {trans.__('Retry')}
        </button>
      </div>
    );
  }

  const fanIn = model.fanIn;
  const done = counts.completed + counts.error + counts.terminated;
  const filters: Filter[] = ['all', ...JOB_STATUSES];
  const gridTemplate = '28px 48px minmax(100px, 2fr) 96px 64px 40px 64px minmax(80px, 2fr) 112px';

  return (
    <div className="jp-Bulkrun-status">
      <div className="jp-Bulkrun-statushead">
        <StatusBadge status={batch.status} trans={trans} />
        <span className="jp-Bulkrun-summary" aria-live="polite">
          {summaryLine(counts, model.retriedRows, trans)}
        </span>
        <span className="jp-Bulkrun-muted">
          {trans.__('%1 of %2 done', done, total)}
          {eta !== null ? ' · ' + remainingText(eta, trans) : ''}
        </span>
      </div>
      <ProgressBar counts={counts} total={total} trans={trans} />
      {fanIn ? (
        <div className="jp-Bulkrun-fanin-line">
          {fanIn.attempt > 1 ? trans.__('Fan-in (run %1)', fanIn.attempt) : trans.__('Fan-in')}
          : <StatusBadge status={fanIn.status} trans={trans} />{' '}
          <span className="jp-Bulkrun-muted">{reasonOf(fanIn, trans)}</span>
          <button
            className="jp-Bulkrun-linkbutton"
            onClick={() => setLogJob({ job: fanIn, title: trans.__('Fan-in') })}
          >
            {trans.__('logs')}
          </button>
          {fanIn.status === 'error' || fanIn.status === 'terminated' ? (
            <button
              className="jp-Bulkrun-linkbutton"
              onClick={() => void rowAction(fanIn, 'retry')}
            >
              {trans.__('retry')}
            </button>
          ) : null}
        </div>
      ) : batch.fanIn ? (
        <div className="jp-Bulkrun-fanin-line jp-Bulkrun-muted">
          {batch.fanIn.when === 'all_completed'
            ? trans.__('Fan-in %1 starts when every row has completed.', batch.fanIn.app)
            : trans.__('Fan-in %1 starts when every row has finished.', batch.fanIn.app)}
        </div>
      ) : null}
      <div className="jp-Bulkrun-toolbar" role="toolbar" aria-label={trans.__('Bulk actions')}>
        <button
          className="jp-Bulkrun-button"
          disabled={!!busy || !(counts.created + counts.queued)}
          onClick={() => void bulk('cancel-queued')}
        >
          {trans.__('Cancel queued')}
        </button>
        <button
          className="jp-Bulkrun-button"
          disabled={!!busy || !counts.running}
          onClick={() => void bulk('cancel-running')}
        >
          {trans.__('Cancel running')}
        </button>
        <button
          className="jp-Bulkrun-button"
          disabled={!!busy || !counts.error}
          onClick={() => void bulk('retry-failed')}
        >
          {trans.__('Retry failed')}
        </button>
        <button
          className="jp-Bulkrun-button"
          disabled={!!busy || !counts.terminated}
          onClick={() => void bulk('retry-cancelled')}
        >
          {trans.__('Retry cancelled')}
        </button>
        <button
          className="jp-Bulkrun-button jp-mod-warn"
          disabled={!!busy || isTerminal(batch.status)}
          onClick={() => void bulk('cancel-batch')}
        >
          {trans.__('Cancel batch')}
        </button>
        {busy ? <span className="jp-Bulkrun-muted">{trans.__('Working…')}</span> : null}
        {message ? (
          <span className="jp-Bulkrun-error" role="alert">
            {message}
          </span>
        ) : null}
      </div>
      <div className="jp-Bulkrun-toolbar">
        <div
          role="radiogroup"
          aria-label={trans.__('Filter by status')}
          className="jp-Bulkrun-filters"
        >
          {filters.map(f => {
            const n = f === 'all' ? total : counts[f];
            return (
              <button
                key={f}
                role="radio"
                aria-checked={filter === f}
                className={`jp-Bulkrun-chip${filter === f ? ' jp-mod-active' : ''}`}
                onClick={() => setFilter(f)}
              >
                {f === 'all' ? trans.__('all') : statusLabel(f, trans)} ({n})
              </button>
            );
          })}
        </div>
        <input
          className="jp-Bulkrun-input jp-Bulkrun-search"
          type="search"
          placeholder={trans.__('Filter rows…')}
          aria-label={trans.__('Filter rows by text')}
          value={text}
          onChange={e => setText(e.target.value)}
        />
      </div>
      <div className="jp-Bulkrun-table" data-lm-suppress-shortcuts="true">
        <div
          className="jp-Bulkrun-table-head"
          role="row"
          style={{ gridTemplateColumns: gridTemplate }}
        >
          <div role="columnheader" aria-label={trans.__('Expand')} />
          <SortHeader id="row" label={trans.__('Row')} sort={sort} onSort={sortOn} />
          <div role="columnheader">{trans.__('Parameters')}</div>
          <SortHeader id="status" label={trans.__('Status')} sort={sort} onSort={sortOn} />
          <SortHeader id="time" label={trans.__('Time')} sort={sort} onSort={sortOn} />
          <SortHeader id="exit" label={trans.__('Exit')} sort={sort} onSort={sortOn} />
          <SortHeader id="tries" label={trans.__('Tries')} sort={sort} onSort={sortOn} />
          <div role="columnheader">{trans.__('Reason')}</div>
          <div role="columnheader">{trans.__('Actions')}</div>
        </div>
        <VirtualList
          ref={list}
          count={items.length}
          rowHeight={ROW_H}
          maxHeight={ROW_H * 14}
          outer={{
            role: 'grid',
            tabIndex: 0,
            'aria-label': trans.__('Tasks'),
            'aria-rowcount': items.length,
            'aria-activedescendant': items[activeRow]
              ? `bulkrun-${model.id}-item-${activeRow}`
              : undefined,
            onKeyDown,
          }}
          renderRow={(i, style) => {
            const it = items[i];
            const j = it.job;
            const rt = runtimeMs(j, now);
            const isRow = it.kind === 'row';
            const canCancel = !isTerminal(j.status);
            const canRetry = j.status === 'error' || j.status === 'terminated';
            const open = expanded.has(it.index);
            return (
              <div
                key={itemKey(it)}
                id={`bulkrun-${model.id}-item-${i}`}
                role="row"
                aria-rowindex={i + 1}
                aria-expanded={isRow && j.attempt > 1 ? open : undefined}
                className={`jp-Bulkrun-table-row jp-Bulkrun-row-${j.status}${isRow ? '' : ' jp-mod-attempt'}${i === activeRow ? ' jp-mod-active' : ''}`}
                style={{ ...style, display: 'grid', gridTemplateColumns: gridTemplate }}
                onClick={() => setActiveRow(i)}
              >
                <div role="gridcell">
                  {isRow && j.attempt > 1 ? (
                    <button
                      className="jp-Bulkrun-iconbutton"
                      tabIndex={-1}
                      aria-label={open ? trans.__('Hide attempts') : trans.__('Show attempts')}
                      onClick={() => void toggle(it.index)}
                    >
                      {open ? '▾' : '▸'}
                    </button>
                  ) : null}
                </div>
                <div role="gridcell">{isRow ? it.index + 1 : '↳'}</div>
                <div
                  role="gridcell"
                  className="jp-Bulkrun-ellipsis"
                  title={JSON.stringify(j.params)}
                >
                  {isRow ? paramSummary(j, props.keyParams) : trans.__('attempt %1', j.attempt)}
                </div>
                <div role="gridcell">
                  <StatusBadge status={j.status} trans={trans} />
                </div>
                <div role="gridcell">{rt === null ? '' : formatDuration(rt, trans)}</div>
                <div role="gridcell">{j.exitCode ?? ''}</div>
                <div role="gridcell">{j.attempt}</div>
                <div
                  role="gridcell"
                  className="jp-Bulkrun-ellipsis jp-Bulkrun-reason"
                  title={reasonOf(j, trans)}
                >
                  {reasonOf(j, trans)}
                </div>
                <div role="gridcell" className="jp-Bulkrun-rowactions">
                  <button
                    className="jp-Bulkrun-linkbutton"
                    tabIndex={-1}
                    aria-label={trans.__('Logs of row %1', it.index + 1)}
                    onClick={() =>
                      setLogJob({
                        job: j,
                        title: trans.__('Row %1, attempt %2', it.index + 1, j.attempt),
                      })
                    }
                  >
                    {trans.__('logs')}
                  </button>
                  {isRow && canCancel ? (
                    <button
                      className="jp-Bulkrun-linkbutton"
                      tabIndex={-1}
                      aria-label={trans.__('Cancel row %1', it.index + 1)}
                      onClick={() => void rowAction(j, 'cancel')}
                    >
                      {trans.__('cancel')}
                    </button>
                  ) : null}
                  {isRow && canRetry ? (
                    <button
                      className="jp-Bulkrun-linkbutton"
                      tabIndex={-1}
                      aria-label={trans.__('Retry row %1', it.index + 1)}
                      onClick={() => void rowAction(j, 'retry')}
                    >
                      {trans.__('retry')}
                    </button>
                  ) : null}
                  {isRow && canRetry ? (
                    <button
                      className="jp-Bulkrun-linkbutton"
                      tabIndex={-1}
                      aria-label={trans.__('Edit row %1 and rerun', it.index + 1)}
                      title={trans.__('Fix this row’s parameters and run it again')}
                      onClick={() => void editRow(j)}
                    >
                      {trans.__('edit')}
                    </button>
                  ) : null}
                </div>
              </div>
            );
          }}
        />
        {items.length === 0 ? (
          <div className="jp-Bulkrun-muted jp-Bulkrun-empty">{trans.__('No rows match.')}</div>
        ) : null}
      </div>
      {logJob ? (
        <LogPanel
          key={logJob.job.id}
          job={logJob.job}
          title={logJob.title}
          onClose={() => setLogJob(null)}
        />
      ) : null}
    </div>
  );
}
