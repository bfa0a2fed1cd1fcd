/**
 * The top of the Status tab: the batch's badge, summary line and progress with ETA, the
 * stacked progress bar, and the fan-in's line (its state, or when it will start).
 */
import * as React from 'react';
import type { BatchRecord, JobRecord } from '../../api/types';
import { useView } from '../../components/context';
import { ProgressBar, reasonOf, StatusBadge } from '../../components/status';
import { canRetry, fanInPendingText, fanInTitle, progressText } from '../../model/statusview';
import { estimateRemaining, summaryLine } from '../../model/summary';
import type { BatchModel } from '../model';
import type { OpenLog } from './useStatusView';

export function StatusSummary(props: {
  model: BatchModel;
  batch: BatchRecord;
  total: number;
  now: number;
  onLogs: (log: OpenLog) => void;
  onRetry: (job: JobRecord) => void;
}): JSX.Element {
  const { trans } = useView();
  const { model, batch, total } = props;
  const counts = model.counts;
  const eta = model.isActive ? estimateRemaining(model.rows, props.now) : null;
  const fanIn = model.fanIn;
  return (
    <>
      <div className="jp-Bulkrun-statushead">
        <StatusBadge status={batch.status} trans={trans} />
        <span className="jp-Bulkrun-summary" aria-live="polite">
          {summaryLine(counts, model.retriedRows, trans)}
        </span>
        <span className="jp-Bulkrun-muted">{progressText(counts, total, eta, trans)}</span>
      </div>
      <ProgressBar counts={counts} total={total} trans={trans} />
      {fanIn ? (
        <div className="jp-Bulkrun-fanin-line">
          {fanInTitle(fanIn, trans)}
          : <StatusBadge status={fanIn.status} trans={trans} />{' '}
          <span className="jp-Bulkrun-muted">{reasonOf(fanIn, trans)}</span>
          <button
            className="jp-Bulkrun-linkbutton"
            onClick={() => props.onLogs({ job: fanIn, title: trans.__('Fan-in') })}
          >
            {trans.__('logs')}
          </button>
          {canRetry(fanIn) ? (
            <button className="jp-Bulkrun-linkbutton" onClick={() => props.onRetry(fanIn)}>
              {trans.__('retry')}
            </button>
          ) : null}
        </div>
      ) : batch.fanIn ? (
        <div className="jp-Bulkrun-fanin-line jp-Bulkrun-muted">
          {fanInPendingText(batch.fanIn, trans)}
        </div>
      ) : null}
    </>
  );
}
