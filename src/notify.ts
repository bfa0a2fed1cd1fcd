/**
 * Tells the user when a batch ends, in JupyterLab's notification center (with an action
 * that opens its notebook, or the Jobs panel), and as a browser notification when the
 * page is in the background and the user has allowed them.
 */
import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IBulkrun } from './tokens';
import { FinishWatcher, finishMessage } from './model/finish';

export function notifyBatchEnds(
  bulkrun: IBulkrun,
  trans: TranslationBundle,
  open: (origin: string | null) => void
): void {
  const watcher = new FinishWatcher();
  bulkrun.events.batchEvent.connect((_, e) => {
    const { id, status, counts } = e.batch;
    if (!watcher.ended(id, status)) {
      return;
    }
    void bulkrun.client
      .getBatch(id)
      .then(b => {
        const name = b.label || b.app;
        const text = finishMessage(name, status, b.counts ?? counts, trans);
        const origin = b.origin ?? null;
        const notify =
          status === 'completed'
            ? Notification.success
            : status === 'terminated'
              ? Notification.info
              : Notification.warning;
        notify(text, {
          autoClose: 10000,
          actions: [{ label: trans.__('Open'), callback: () => open(origin) }],
        });
        if (
          typeof window !== 'undefined' &&
          'Notification' in window &&
          window.Notification.permission === 'granted' &&
          document.hidden
        ) {
          new window.Notification(text);
        }
      })
      .catch(() => {
        // The batch is gone or the server is away: nothing to say.
      });
  });
}
