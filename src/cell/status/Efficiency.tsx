/**
 * The Status tab's efficiency line, once finished rows have been measured: memory used of
 * requested (median, max, a histogram of the rows) and CPU efficiency. Logic and words in
 * src/model/efficiency.ts; computed once per batch change, never per row.
 */
import * as React from 'react';
import type { BatchRecord } from '../../api/types';
import { useView } from '../../components/context';
import {
  batchEfficiency,
  binLabel,
  cpuText,
  histogramLabel,
  measuredText,
  memoryText,
} from '../../model/efficiency';
import type { BatchModel } from '../model';

function Histogram(props: { bins: readonly number[]; label: string }): JSX.Element {
  const top = Math.max(1, ...props.bins);
  return (
    <div className="jp-Bulkrun-histogram" role="img" aria-label={props.label} title={props.label}>
      {props.bins.map((n, i) => (
        <div
          key={i}
          className={`jp-Bulkrun-histogram-bar${i === props.bins.length - 1 ? ' jp-mod-full' : ''}`}
          style={{ height: `${(100 * n) / top}%` }}
          data-bin={binLabel(i)}
        />
      ))}
    </div>
  );
}

export function Efficiency(props: { model: BatchModel; batch: BatchRecord }): JSX.Element | null {
  const { trans } = useView();
  const { model, batch } = props;
  const e = React.useMemo(
    () => batchEfficiency(model.rows, batch.resources),
    // model.version changes on every applied event.
    [model.version, batch.resources]
  );
  if (!e || (!e.memory && !e.cpu)) {
    return null;
  }
  return (
    <div className="jp-Bulkrun-efficiency" role="group" aria-label={trans.__('Efficiency')}>
      <span className="jp-Bulkrun-muted">{measuredText(e, trans)}</span>
      {e.memory ? (
        <span className="jp-Bulkrun-efficiency-part">
          {memoryText(e.memory, trans)}
          {e.memory.bins ? (
            <Histogram bins={e.memory.bins} label={histogramLabel(e.memory.bins, trans)} />
          ) : null}
        </span>
      ) : null}
      {e.cpu ? <span>{cpuText(e.cpu, trans)}</span> : null}
    </div>
  );
}
