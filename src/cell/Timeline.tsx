/**
 * Gantt-style timeline: every attempt of each row on the row's line, each with its
 * waiting span (createdAt→startedAt) and running span (src/model/timeline.ts). Earlier
 * attempts come from the batch's full listing, fetched when a row has been retried. A
 * row that fanned out opens (its ▸) into its sub-batch's span and sub-tasks, listed and
 * followed live only while open (src/cell/status/useSubBatches.ts).
 */
import * as React from 'react';
import type { JobRecord } from '../api/types';
import { useNow, useSignal, useView } from '../components/context';
import { statusLabel } from '../components/status';
import { childrenOf, childTitle, toggleOpen, wantedSubBatches } from '../model/subbatch';
import { formatDuration } from '../model/summary';
import { groupAttempts, retrySignature, timeBounds, timelineLanes } from '../model/timeline';
import type { BatchModel } from './model';
import { useSubBatches } from './status/useSubBatches';

const MAX_ROWS = 1000;
/** An open sub-batch is listed up to this many sub-tasks (its span counts only those). */
const MAX_SUB_ROWS = 2000;
const BAR_H = 10;
const GAP = 4;
const LEFT = 72;
const INDENT = 8;
const WIDTH = 800;

type History = ReturnType<typeof groupAttempts>;

/**
 * The batch's earlier attempts, listed again (after a pause, so a burst of retries costs
 * one listing) whenever the live rows show new retries.
 */
function useHistory(model: BatchModel, signature: number): History | null {
  const { bulkrun } = useView();
  const [history, setHistory] = React.useState<History | null>(null);
  React.useEffect(() => {
    if (!signature) {
      setHistory(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      bulkrun.client
        .allBatchJobs(model.id, 'all', bulkrun.settings.tablePageSize)
        .then(all => live && setHistory(groupAttempts(all)))
        .catch(() => undefined);
    }, 500);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [model.id, signature, bulkrun]);
  return history;
}

export function Timeline(props: { model: BatchModel }): JSX.Element {
  const { trans } = useView();
  const { model } = props;
  useSignal(model.changed);
  const now = useNow(1000, model.isActive);
  const all = model.rows;
  const rows = all.slice(0, MAX_ROWS);
  const fanIn = model.fanIn;
  const history = useHistory(model, retrySignature(all, fanIn));
  const [open, setOpen] = React.useState<ReadonlySet<string>>(new Set<string>());
  const sub = useSubBatches(subs =>
    wantedSubBatches(
      [...rows, fanIn ?? undefined].filter(r => r && open.has(r.id)),
      open,
      subs
    )
  );
  // An open sub-batch is listed whole (up to a bound): its span needs every sub-task.
  React.useEffect(() => {
    for (const s of sub.subs.values()) {
      if (s.state === 'ready' && s.nextCursor && s.rows.length < MAX_SUB_ROWS) {
        sub.more(s.id);
      }
    }
  }, [sub.version, sub.subs, sub.more]);
  const lanes = timelineLanes(rows, fanIn, history, {
    subs: sub.subs,
    open,
    now,
    fanInLabel: trans.__('fan-in'),
  });
  const bounds = timeBounds(
    lanes.map(l => l.bars),
    lanes.map(l => l.span)
  );
  if (!lanes.length || !bounds) {
    return <p className="jp-Bulkrun-muted">{trans.__('Nothing has been queued yet.')}</p>;
  }
  const { t0, t1 } = bounds;
  const span = Math.max(1000, t1 - t0);
  const x = (t: number) => LEFT + ((t - t0) / span) * (WIDTH - LEFT - 8);
  const height = lanes.length * (BAR_H + GAP) + 24;
  const ticks = 5;
  const retried = lanes.some(l => l.bars.length > 1);
  const nested = lanes.some(l => l.span !== undefined);
  const describe = (label: string, j: JobRecord) => {
    const d =
      j.startedAt && (j.finishedAt || j.status === 'running')
        ? ` · ${formatDuration(
            (j.finishedAt ? Date.parse(j.finishedAt) : now) - Date.parse(j.startedAt),
            trans
          )}`
        : '';
    return `${trans.__('%1, attempt %2: %3', label, j.attempt, statusLabel(j.status, trans))}${d}`;
  };
  const toggle = (id: string) => setOpen(o => toggleOpen(o, id));
  return (
    <div className="jp-Bulkrun-timeline">
      <div className="jp-Bulkrun-legend">
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-queued" /> {trans.__('queued')}
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-running" /> {trans.__('running')}
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-completed" /> {trans.__('completed')}
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-error" /> {trans.__('failed')}
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-terminated" /> {trans.__('cancelled')}
        {retried ? (
          <>
            <span className="jp-Bulkrun-swatch jp-Bulkrun-swatch-earlier" />{' '}
            {trans.__('earlier attempt')}
          </>
        ) : null}
        {nested ? (
          <>
            <span className="jp-Bulkrun-swatch jp-Bulkrun-swatch-subspan" /> {trans.__('sub-batch')}
          </>
        ) : null}
        <span className="jp-Bulkrun-muted">
          {' · '}
          {trans.__('total %1', formatDuration(span, trans))}
          {all.length > MAX_ROWS ? ' · ' + trans.__('first %1 rows shown', MAX_ROWS) : ''}
        </span>
      </div>
      <div className="jp-Bulkrun-timeline-scroll">
        <svg
          width={WIDTH}
          height={height}
          role="img"
          aria-label={trans.__('Timeline of %1 rows', lanes.length)}
        >
          {Array.from({ length: ticks + 1 }, (_, k) => {
            const tx = LEFT + (k / ticks) * (WIDTH - LEFT - 8);
            return (
              <g key={k}>
                <line x1={tx} x2={tx} y1={0} y2={height - 16} className="jp-Bulkrun-tick" />
                <text x={tx} y={height - 4} className="jp-Bulkrun-ticklabel" textAnchor="middle">
                  {span < 10_000
                    ? // Short batches: whole seconds would repeat along the axis.
                      trans.__('%1 s', (((k / ticks) * span) / 1000).toFixed(1))
                    : formatDuration((k / ticks) * span, trans)}
                </text>
              </g>
            );
          })}
          {lanes.map((lane, i) => {
            const y = i * (BAR_H + GAP) + 2;
            const { label, bars } = lane;
            if (lane.span !== undefined) {
              const sp = lane.span;
              const shown = lane.shown;
              const title = sp
                ? trans.__(
                    'Sub-batch of %1: %2 from its first sub-task’s start to its last one’s end',
                    label,
                    formatDuration(sp.end - sp.start, trans)
                  )
                : trans.__('Sub-batch of %1: nothing has started yet', label);
              const partial =
                shown && shown.loaded < shown.total
                  ? ' · ' + trans.__('first %1 of %2 sub-tasks', shown.loaded, shown.total)
                  : '';
              return (
                <g key={lane.key}>
                  <title>{title + partial}</title>
                  <text
                    x={LEFT - 6}
                    y={y + BAR_H - 1}
                    className="jp-Bulkrun-ticklabel"
                    textAnchor="end"
                  >
                    {trans.__('sub-batch')}
                  </text>
                  {sp ? (
                    <rect
                      x={x(sp.start)}
                      y={y + 2}
                      width={Math.max(1, x(sp.end) - x(sp.start))}
                      height={BAR_H - 4}
                      className="jp-Bulkrun-subspan"
                    />
                  ) : null}
                </g>
              );
            }
            const job = bars[bars.length - 1]?.job;
            const c = job ? childrenOf(job) : null;
            return (
              <g key={lane.key || i}>
                {lane.fannedOut && job ? (
                  <text
                    x={2 + lane.depth * INDENT}
                    y={y + BAR_H - 1}
                    className="jp-Bulkrun-ticklabel jp-Bulkrun-lanetoggle"
                    role="button"
                    tabIndex={0}
                    aria-expanded={lane.open}
                    aria-label={
                      lane.open
                        ? trans.__('Hide the sub-batch of %1', label)
                        : trans.__('Show the sub-batch of %1', label)
                    }
                    onClick={() => toggle(job.id)}
                    onKeyDown={e => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        toggle(job.id);
                      }
                    }}
                  >
                    {lane.open ? '▾' : '▸'}
                  </text>
                ) : null}
                <text
                  x={LEFT - 6}
                  y={y + BAR_H - 1}
                  className="jp-Bulkrun-ticklabel"
                  textAnchor="end"
                >
                  {label}
                </text>
                {bars.map(bar => (
                  <g
                    key={bar.job.id || bar.job.attempt}
                    className={`jp-Bulkrun-attempt${bar.latest ? '' : ' jp-mod-earlier'}`}
                  >
                    <title>
                      {describe(label, bar.job) +
                        (bar.latest && c ? ` · ${childTitle(c, trans)}` : '')}
                    </title>
                    {bar.spans.map(s => (
                      <rect
                        key={s.kind}
                        x={x(s.start)}
                        y={y}
                        width={Math.max(1, x(s.end) - x(s.start))}
                        height={BAR_H}
                        className={s.className}
                      />
                    ))}
                  </g>
                ))}
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}
