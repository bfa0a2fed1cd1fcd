/** The JupyterLab services every Bulkrun view gets (components/context.ts). */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { IDocumentManager } from '@jupyterlab/docmanager';
import type { TranslationBundle } from '@jupyterlab/translation';
import { CommandIDs } from './commands';
import type { IViewContext } from './components/context';
import type { IBulkrun } from './tokens';

export function viewContext(
  app: JupyterFrontEnd,
  bulkrun: IBulkrun,
  trans: TranslationBundle,
  docManager: IDocumentManager | null
): IViewContext {
  return {
    bulkrun,
    trans,
    contents: app.serviceManager.contents,
    open: path => {
      if (docManager) {
        docManager.openOrReveal(path);
      } else {
        void app.commands.execute('docmanager:open', { path });
      }
    },
    openBatch: id => void app.commands.execute(CommandIDs.openBatch, { batchId: id }),
    commands: app.commands,
    confirm: async (title, body, action) => {
      if (!bulkrun.settings.confirmBulkActions) {
        return true;
      }
      const r = await showDialog({
        title,
        body,
        buttons: [
          Dialog.cancelButton({ label: trans.__('Back') }),
          Dialog.warnButton({ label: action }),
        ],
      });
      return r.button.accept;
    },
  };
}
