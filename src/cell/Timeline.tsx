/** Gantt-style timeline: each row's waiting span (createdAt→startedAt) and running span. */
import * as React from 'react';
import type { JobRecord } from '../api/types';
import { useNow, useSignal, useView } from '../components/context';
import { formatDuration } from '../model/summary';
import type { BatchModel } from './model';

const MAX_ROWS = 1000;
const BAR_H = 10;
const GAP = 4;
const LEFT = 48;
const WIDTH = 800;

export function Timeline(props: { model: BatchModel }): JSX.Element {
  const { trans } = useView();
  const { model } = props;
  useSignal(model.changed);
  const now = useNow(1000, model.isActive);
  const all = model.rows;
  const rows = all.slice(0, MAX_ROWS);
  const fanIn = model.fanIn;
  const lanes: { label: string; job: JobRecord }[] = [];
  rows.forEach((r, i) => r && lanes.push({ label: String(i + 1), job: r }));
  if (fanIn) {
    lanes.push({ label: trans.__('fan-in'), job: fanIn });
  }
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const { job } of lanes) {
    const a = Date.parse(job.createdAt ?? job.queuedAt ?? job.startedAt);
    if (Number.isFinite(a)) {
      t0 = Math.min(t0, a);
    }
    const b = job.finishedAt
      ? Date.parse(job.finishedAt)
      : job.startedAt || job.queuedAt
        ? now
        : NaN;
    if (Number.isFinite(b)) {
      t1 = Math.max(t1, b);
    }
  }
  if (!lanes.length || !Number.isFinite(t0) || !Number.isFinite(t1)) {
    return <p className="jp-Bulkrun-muted">{trans.__('Nothing has been queued yet.')}</p>;
  }
  const span = Math.max(1000, t1 - t0);
  const x = (t: number) => LEFT + ((t - t0) / span) * (WIDTH - LEFT - 8);
  const height = lanes.length * (BAR_H + GAP) + 24;
  const ticks = 5;
  return (
    <div className="jp-Bulkrun-timeline">
      <div className="jp-Bulkrun-legend">
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-queued" /> {trans.__('queued')}
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-running" /> {trans.__('running')}
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-completed" /> {trans.__('completed')}
        <span className="jp-Bulkrun-swatch jp-Bulkrun-status-error" /> {trans.__('failed')}
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
          {lanes.map(({ label, job }, i) => {
            const y = i * (BAR_H + GAP) + 2;
            // Waiting starts at creation: time held for a slot is queue time to the user.
            const created = job.createdAt ? Date.parse(job.createdAt) : NaN;
            const q = Number.isFinite(created)
              ? created
              : job.queuedAt
                ? Date.parse(job.queuedAt)
                : null;
            const s = job.startedAt ? Date.parse(job.startedAt) : null;
            const f = job.finishedAt ? Date.parse(job.finishedAt) : null;
            const runEnd = f ?? now;
            return (
              <g key={job.id || i}>
                <title>{`${label}: ${job.status}`}</title>
                <text
                  x={LEFT - 6}
                  y={y + BAR_H - 1}
                  className="jp-Bulkrun-ticklabel"
                  textAnchor="end"
                >
                  {label}
                </text>
                {q !== null ? (
                  <rect
                    x={x(q)}
                    y={y}
                    width={Math.max(1, x(s ?? f ?? now) - x(q))}
                    height={BAR_H}
                    className="jp-Bulkrun-fill-queued"
                  />
                ) : null}
                {s !== null ? (
                  <rect
                    x={x(s)}
                    y={y}
                    width={Math.max(1, x(runEnd) - x(s))}
                    height={BAR_H}
                    className={`jp-Bulkrun-fill-${job.status}`}
                  />
                ) : null}
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}
