/**
 * The Status tab's bulk-action toolbar (src/model/bulkactions.ts), with the action under
 * way and the last action's message.
 */
import * as React from 'react';
import type { BatchCounts, JobStatus } from '../../api/types';
import { useView } from '../../components/context';
import { BULK_KINDS, bulkEnabled, bulkLabel, type BulkKind } from '../../model/bulkactions';

export function ActionBar(props: {
  counts: BatchCounts;
  batchStatus: JobStatus;
  busy: string;
  message: string;
  onAction: (kind: BulkKind) => void;
}): JSX.Element {
  const { trans } = useView();
  const { busy, message } = props;
  return (
    <div className="jp-Bulkrun-toolbar" role="toolbar" aria-label={trans.__('Bulk actions')}>
      {BULK_KINDS.map(kind => (
        <button
          key={kind}
          className={`jp-Bulkrun-button${kind === 'cancel-batch' ? ' jp-mod-warn' : ''}`}
          disabled={!!busy || !bulkEnabled(kind, props.counts, props.batchStatus)}
          onClick={() => props.onAction(kind)}
        >
          {bulkLabel(kind, trans)}
        </button>
      ))}
      {busy ? <span className="jp-Bulkrun-muted">{trans.__('Working…')}</span> : null}
      {message ? (
        <span className="jp-Bulkrun-error" role="alert">
          {message}
        </span>
      ) : null}
    </div>
  );
}
