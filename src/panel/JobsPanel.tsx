/**
 * The jobs sidebar: every batch and single job of the user, newest first, live via
 * the event stream (REST once, then events; a re-fetch only when something new appears).
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { BatchRecord } from '../api/types';
import { applyPanelEvent, type Entry, type PanelEvent } from './entries';
import { isTerminal } from '../api/types';
import { ConnectionBanner, StorageBanner } from '../components/banner';
import { ViewContext, useNow, useView, type IViewContext } from '../components/context';
import { ProgressBar, reasonOf, StatusBadge } from '../components/status';
import { formatAge, emptyCounts } from '../model/summary';

function useJobs(): { items: Entry[]; error: string; loading: boolean; reload: () => void } {
  const { bulkrun } = useView();
  const [items, setItems] = React.useState<Entry[]>([]);
  const [error, setError] = React.useState('');
  const [loading, setLoading] = React.useState(true);
  const itemsRef = React.useRef(items);
  itemsRef.current = items;
  const reloadTimer = React.useRef<ReturnType<typeof setTimeout> | null>(null);
  // Events that arrive while a listing is in flight; those newer than it are applied again
  // on top of it (it names the newest event it reflects).
  const inflight = React.useRef<PanelEvent[] | null>(null);

  const load = React.useCallback(async () => {
    const seen: PanelEvent[] = [];
    inflight.current = seen;
    try {
      let out: Entry[] = [];
      let seq: number | null = null;
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const r = await bulkrun.client.listBatches({ singles: true, limit: 200, cursor });
        seq = i === 0 ? r.seq : seq;
        out.push(...(r.batches as Entry[]));
        if (!r.nextCursor) {
          break;
        }
        cursor = r.nextCursor;
      }
      if (inflight.current !== seen) {
        return; // A newer load started meanwhile: its answer is the one to show.
      }
      for (const e of seen) {
        if (seq !== null && e.seq > seq) {
          out = applyPanelEvent(out, e) ?? out;
        }
      }
      itemsRef.current = out;
      setItems(out);
      setError('');
    } catch (e) {
      if (inflight.current === seen) {
        setError((e as Error).message);
      }
    } finally {
      if (inflight.current === seen) {
        inflight.current = null;
      }
      setLoading(false);
    }
  }, [bulkrun]);

  const reloadSoon = React.useCallback(() => {
    if (reloadTimer.current) {
      return;
    }
    reloadTimer.current = setTimeout(() => {
      reloadTimer.current = null;
      void load();
    }, 500);
  }, [load]);

  React.useEffect(() => {
    void load();
    const ev = bulkrun.events;
    const onEvent = (_: unknown, e: PanelEvent) => {
      inflight.current?.push(e);
      const next = applyPanelEvent(itemsRef.current, e);
      if (next === null) {
        reloadSoon();
      } else if (next !== itemsRef.current) {
        itemsRef.current = next;
        setItems(next);
      }
    };
    ev.jobEvent.connect(onEvent);
    ev.batchEvent.connect(onEvent);
    ev.resynced.connect(reloadSoon);
    return () => {
      ev.jobEvent.disconnect(onEvent);
      ev.batchEvent.disconnect(onEvent);
      ev.resynced.disconnect(reloadSoon);
    };
  }, [bulkrun, load, reloadSoon]);

  return { items, error, loading, reload: () => void load() };
}

function JobsList(): JSX.Element {
  const { bulkrun, trans, open, openBatch, confirm } = useView();
  const { items, error, loading, reload } = useJobs();
  const [filter, setFilter] = React.useState<'active' | 'all'>('all');
  const [message, setMessage] = React.useState('');
  const now = useNow(15000, true);
  const shown = items.filter(x => filter === 'all' || !isTerminal(x.status));

  const act = async (x: Entry, what: 'cancel' | 'retry') => {
    setMessage('');
    const batch = !!x.batchJob;
    if (
      what === 'cancel' &&
      !(await confirm(
        batch ? trans.__('Cancel this batch?') : trans.__('Cancel this job?'),
        batch
          ? trans.__('Every unfinished row and the pending fan-in stop.')
          : trans.__('The job stops now.'),
        trans.__('Cancel')
      ))
    ) {
      return;
    }
    try {
      if (batch) {
        if (what === 'cancel') {
          await bulkrun.client.cancelBatch(x.id);
        } else {
          await bulkrun.client.retryBatch(x.id, ['error', 'terminated']);
        }
      } else if (what === 'cancel') {
        await bulkrun.client.cancelJob(x.id);
      } else {
        await bulkrun.client.retryJob(x.id);
        reload();
      }
    } catch (e) {
      setMessage((e as Error).message);
    }
  };

  return (
    <div className="jp-Bulkrun-jobs">
      <header className="jp-Bulkrun-jobs-head">
        <h2>{trans.__('Bulkrun jobs')}</h2>
        <button
          className="jp-Bulkrun-iconbutton"
          aria-label={trans.__('Refresh')}
          title={trans.__('Refresh')}
          onClick={reload}
        >
          ⟳
        </button>
      </header>
      <ConnectionBanner events={bulkrun.events} />
      <StorageBanner client={bulkrun.client} />
      <div role="radiogroup" aria-label={trans.__('Show')} className="jp-Bulkrun-filters">
        {(['all', 'active'] as const).map(f => (
          <button
            key={f}
            role="radio"
            aria-checked={filter === f}
            className={`jp-Bulkrun-chip${filter === f ? ' jp-mod-active' : ''}`}
            onClick={() => setFilter(f)}
          >
            {f === 'all' ? trans.__('All') : trans.__('Active')}
          </button>
        ))}
      </div>
      {error ? <div className="jp-Bulkrun-error">{error}</div> : null}
      {message ? (
        <div className="jp-Bulkrun-error" role="alert">
          {message}
        </div>
      ) : null}
      {!loading && !shown.length ? (
        <p className="jp-Bulkrun-muted">{trans.__('No jobs yet.')}</p>
      ) : null}
      <ul className="jp-Bulkrun-joblist" aria-label={trans.__('Jobs')}>
        {shown.map(x => {
          const b = x.batchJob ? (x as BatchRecord) : null;
          const canRetry = b
            ? (b.counts?.error ?? 0) + (b.counts?.terminated ?? 0) > 0
            : x.status === 'error' || x.status === 'terminated';
          return (
            <li key={x.id} className="jp-Bulkrun-jobitem" data-id={x.id}>
              <div className="jp-Bulkrun-jobline">
                <StatusBadge status={x.status} trans={trans} />
                {b && openBatch ? (
                  // Any batch opens in a view of its own, whether or not a cell shows it.
                  <button
                    className="jp-Bulkrun-jobname jp-Bulkrun-linkbutton"
                    title={trans.__('Open batch %1 (status, logs, results)', x.id)}
                    onClick={() => openBatch(x.id)}
                  >
                    {b.label || x.app}
                  </button>
                ) : (
                  <span className="jp-Bulkrun-jobname" title={x.id}>
                    {b?.label || x.app}
                  </span>
                )}
                <span className="jp-Bulkrun-muted">
                  {b ? trans._n('%1 row', '%1 rows', b.total) : trans.__('single')}
                </span>
              </div>
              {b ? (
                <ProgressBar
                  counts={b.counts ?? emptyCounts()}
                  total={b.total}
                  trans={trans}
                  compact
                />
              ) : null}
              <div className="jp-Bulkrun-jobline jp-Bulkrun-muted">
                <span title={x.createdAt}>{formatAge(x.createdAt, now, trans)}</span>
                {x.origin ? (
                  <button
                    className="jp-Bulkrun-linkbutton"
                    title={trans.__('Open %1', x.origin)}
                    onClick={() => open?.(x.origin!)}
                  >
                    {x.origin.replace(/^.*\//, '')}
                  </button>
                ) : null}
                {!b && reasonOf(x, trans) ? (
                  <span className="jp-Bulkrun-reason">{reasonOf(x, trans)}</span>
                ) : null}
                <span className="jp-Bulkrun-spacer" />
                {!isTerminal(x.status) ? (
                  <button
                    className="jp-Bulkrun-linkbutton"
                    aria-label={trans.__('Cancel %1', b?.label || x.app)}
                    onClick={() => void act(x, 'cancel')}
                  >
                    {trans.__('cancel')}
                  </button>
                ) : null}
                {canRetry ? (
                  <button
                    className="jp-Bulkrun-linkbutton"
                    aria-label={trans.__('Retry %1', b?.label || x.app)}
                    onClick={() => void act(x, 'retry')}
                  >
                    {b ? trans.__('retry failed') : trans.__('retry')}
                  </button>
                ) : null}
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export class JobsPanel extends ReactWidget {
  constructor(private readonly ctx: IViewContext) {
    super();
    this.addClass('jp-Bulkrun-jobspanel');
  }

  render(): JSX.Element {
    return (
      <ViewContext.Provider value={this.ctx}>
        <JobsList />
      </ViewContext.Provider>
    );
  }
}
