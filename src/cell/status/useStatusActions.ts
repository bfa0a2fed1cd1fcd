/**
 * The Status tab's actions on the server: the bulk actions (src/model/bulkactions.ts)
 * after their confirmation, and cancel, retry and edit-and-rerun of one row. One action
 * runs at a time; its outcome, when there is something to say, is the tab's message.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import * as React from 'react';
import type { JobRecord } from '../../api/types';
import { choose } from '../../components/confirm';
import { useView } from '../../components/context';
import { bulkTargets, bulkTitle, isCancel, runBulk, type BulkKind } from '../../model/bulkactions';
import { confirmChoice } from '../../model/confirm';
import { baseDirFor } from '../../model/paths';
import { askEditedParams } from '../EditRerun';
import type { BatchModel } from '../model';
import { OriginContext } from '../origin';

export interface StatusActions {
  /** The action under way ('' when none): the toolbar is disabled meanwhile. */
  busy: string;
  /** The last action's error or partial failure, for the toolbar. */
  message: string;
  setMessage: (m: string) => void;
  bulk: (kind: BulkKind) => Promise<void>;
  rowAction: (job: JobRecord, action: 'cancel' | 'retry') => Promise<void>;
  /** Edit and rerun: the row's next attempt with the params the user fixed. */
  editRow: (job: JobRecord) => Promise<void>;
}

export function useStatusActions(model: BatchModel): StatusActions {
  const { bulkrun, trans, confirm } = useView();
  const origin = React.useContext(OriginContext);
  const [busy, setBusy] = React.useState('');
  const [message, setMessage] = React.useState('');
  const batch = model.batch;
  const rows = model.rows;

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

  const bulk = async (kind: BulkKind) => {
    if (!batch) {
      return;
    }
    const title = bulkTitle(kind, bulkTargets(rows, kind).length, trans);
    // Cancelling is confirmed as a danger; retrying is not destructive and is not styled so.
    const ok = isCancel(kind)
      ? await confirm(
          title,
          trans.__('Cancelled tasks stop now; you can retry them later.'),
          trans.__('Cancel tasks')
        )
      : !bulkrun.settings.confirmBulkActions ||
        (await choose(
          title,
          trans.__('Each task runs again with the same parameters and resources.'),
          confirmChoice('retry', trans.__('Back'), trans.__('Retry'))
        )) !== null;
    if (!ok) {
      return;
    }
    await run(kind, () => runBulk(bulkrun.client, batch.id, rows, kind, trans));
  };

  const rowAction = (job: JobRecord, action: 'cancel' | 'retry') =>
    run(action, async () => {
      if (action === 'cancel') {
        await bulkrun.client.cancelJob(job.id);
      } else {
        await bulkrun.client.retryJob(job.id);
      }
    });

  const editRow = async (job: JobRecord) => {
    const params = await askEditedParams((job.index ?? 0) + 1, job.params ?? {}, trans);
    if (params) {
      const baseDir = baseDirFor(PageConfig.getOption('serverRoot'), origin);
      await run('retry', async () => {
        await bulkrun.client.rerunJob(job.id, params, baseDir);
      });
    }
  };

  return { busy, message, setMessage, bulk, rowAction, editRow };
}
