/**
 * Status tab: stacked progress with counts and ETA, the summary line, the finished
 * rows' measured efficiency, bulk actions, filters and the virtualized task table
 * (retries grouped under their row, history on expand), with per-row logs, cancel and
 * retry. The pieces are in src/cell/status/, their logic in src/model/statusview.ts,
 * src/model/bulkactions.ts and src/model/efficiency.ts.
 */
import * as React from 'react';
import { useNow, useSignal, useView } from '../components/context';
import { LogPanel } from '../components/LogPanel';
import type { BatchModel } from './model';
import { ActionBar } from './status/ActionBar';
import { Efficiency } from './status/Efficiency';
import { JobTable } from './status/JobTable';
import type { JobRowHandlers } from './status/JobRow';
import { StatusFilters } from './status/StatusFilters';
import { StatusSummary } from './status/StatusSummary';
import { useStatusActions } from './status/useStatusActions';
import { useStatusView } from './status/useStatusView';

export function StatusTab(props: { model: BatchModel; keyParams: string[] }): JSX.Element {
  const { trans } = useView();
  const { model } = props;
  useSignal(model.changed);
  const batch = model.batch;
  const now = useNow(1000, model.isActive);
  const actions = useStatusActions(model);
  const view = useStatusView(model, now, actions.setMessage);

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

  const counts = model.counts;
  const total = batch.total ?? model.rows.length;
  const handlers: JobRowHandlers = {
    onActivate: view.setActiveRow,
    onToggle: index => void view.toggle(index),
    onLogs: view.setLogJob,
    onAction: (job, action) => void actions.rowAction(job, action),
    onEdit: job => void actions.editRow(job),
  };

  return (
    <div className="jp-Bulkrun-status">
      <StatusSummary
        model={model}
        batch={batch}
        total={total}
        now={now}
        onLogs={view.setLogJob}
        onRetry={job => void actions.rowAction(job, 'retry')}
      />
      <Efficiency model={model} batch={batch} />
      <ActionBar
        counts={counts}
        batchStatus={batch.status}
        busy={actions.busy}
        message={actions.message}
        onAction={kind => void actions.bulk(kind)}
      />
      <StatusFilters
        counts={counts}
        total={total}
        filter={view.filter}
        onFilter={view.setFilter}
        text={view.text}
        onText={view.setText}
      />
      <JobTable
        batchId={model.id}
        view={view}
        now={now}
        keyParams={props.keyParams}
        handlers={handlers}
      />
      {view.logJob ? (
        <LogPanel
          key={view.logJob.job.id}
          job={view.logJob.job}
          title={view.logJob.title}
          onClose={() => view.setLogJob(null)}
        />
      ) : null}
    </div>
  );
}
