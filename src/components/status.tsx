/** Status words, badges and the stacked progress bar. */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { BatchCounts, JobRecord, JobStatus } from '../api/types';

export function statusLabel(s: JobStatus, trans: TranslationBundle): string {
  switch (s) {
    case 'created':
      return trans.__('waiting');
    case 'queued':
      return trans.__('queued');
    case 'running':
      return trans.__('running');
    case 'completed':
      return trans.__('completed');
    case 'error':
      return trans.__('failed');
    case 'terminated':
      return trans.__('cancelled');
  }
  return String(s);
}

export function StatusBadge(props: { status: JobStatus; trans: TranslationBundle }): JSX.Element {
  return (
    <span
      className={`jp-Bulkrun-badge jp-Bulkrun-status-${props.status}`}
      title={
        props.status === 'created'
          ? props.trans.__('Waiting for a free slot: Bulkrun sends it to the scheduler next')
          : undefined
      }
    >
      {statusLabel(props.status, props.trans)}
    </span>
  );
}

const ORDER: (keyof BatchCounts)[] = [
  'completed',
  'error',
  'terminated',
  'running',
  'queued',
  'created',
];

export function ProgressBar(props: {
  counts: BatchCounts;
  total: number;
  trans: TranslationBundle;
  compact?: boolean;
}): JSX.Element {
  const { counts, trans } = props;
  const total = Math.max(
    1,
    props.total,
    ORDER.reduce((a, k) => a + counts[k], 0)
  );
  const done = counts.completed + counts.error + counts.terminated;
  return (
    <div
      className={`jp-Bulkrun-progress${props.compact ? ' jp-mod-compact' : ''}`}
      role="progressbar"
      aria-label={trans.__('Batch progress')}
      aria-valuemin={0}
      aria-valuemax={props.total}
      aria-valuenow={done}
    >
      {ORDER.map(k =>
        counts[k] > 0 ? (
          <div
            key={k}
            className={`jp-Bulkrun-progress-seg jp-Bulkrun-status-${k}`}
            style={{ width: `${(100 * counts[k]) / total}%` }}
            title={`${statusLabel(k, trans)}: ${counts[k]}`}
          />
        ) : null
      )}
    </div>
  );
}

/** The short reason a row failed or was cancelled, for inline display. */
export function reasonOf(job: JobRecord, trans: TranslationBundle): string {
  if (job.status === 'error' && job.error) {
    return job.error.message ? `${job.error.code}: ${job.error.message}` : job.error.code;
  }
  if (job.status === 'terminated' && job.terminatedCode) {
    switch (job.terminatedCode) {
      case 'user':
        return trans.__('cancelled by you');
      case 'batch_abort':
        return trans.__('batch cancelled');
      case 'automation':
        return trans.__('cancelled by the reaper');
      case 'admin':
        return trans.__('cancelled by an admin');
      default:
        return job.terminatedCode;
    }
  }
  return '';
}
