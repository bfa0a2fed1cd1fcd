/**
 * Gantt-style timeline: every attempt of each row on the row's line, each with its
 * waiting span (createdAt→startedAt) and running span (src/model/timeline.ts). Earlier
 * attempts come from the batch's full listing, fetched when a row has been retried.
 */
import * as React from 'react';
import type { JobRecord } from '../api/types';
import { useNow, useSignal, useView } from '../components/context';
import { statusLabel } from '../components/status';
import { formatDuration } from '../model/summary';
import {
  attemptBars,
  groupAttempts,
  retrySignature,
  timeBounds,
  type AttemptBar,
} from '../model/timeline';
import type { BatchModel } from './model';

const MAX_ROWS = 1000;
const BAR_H = 10;
const GAP = 4;
const LEFT = 48;
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
  const lanes: { label: string; bars: AttemptBar[] }[] = [];
  rows.forEach(
    (r, i) =>
      r && lanes.push({ label: String(i + 1), bars: attemptBars(r, history?.rows.get(i), now) })
  );
  if (fanIn) {
    lanes.push({ label: trans.__('fan-in'), bars: attemptBars(fanIn, history?.fanIn, now) });
  }
  const bounds = timeBounds(lanes.map(l => l.bars));
  if (!lanes.length || !bounds) {
    return <p className="jp-Bulkrun-muted">{trans.__('Nothing has been queued yet.')}</p>;
  }
  const { t0, t1 } = bounds;
  const span = Math.max(1000, t1 - t0);
  const x = (t: number) => LEFT + ((t - t0) / span) * (WIDTH - LEFT - 8);
  const height = lanes.length * (BAR_H + GAP) + 24;
  const ticks = 5;
  const retried = lanes.some(l => l.bars.length > 1);
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
                  {formatDuration((k / ticks) * span, trans)}
                </text>
              </g>
            );
          })}
          {lanes.map(({ label, bars }, i) => {
            const y = i * (BAR_H + GAP) + 2;
            return (
              <g key={bars[bars.length - 1]?.job.id || i}>
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
                    <title>{describe(label, bar.job)}</title>
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
