/**
 * Registers the Python API's widgets (bulkrun/widget.py) with the Jupyter widget manager,
 * and stores the state of the ones a notebook shows when it is saved (state.ts), so a
 * reopened notebook shows its batches live again without a kernel.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IBulkrun } from '../tokens';
import { viewContext } from '../viewContext';
import { BatchWidgetModel, GridWidgetModel, liveModels, MODULE, MODULE_VERSION } from './models';
import {
  mergeWidgetState,
  referencedModelIds,
  savesModule,
  withoutModelRefs,
  type SavedModel,
} from './state';
import { BatchWidgetView, GridWidgetView, setWidgetContext } from './views';

function saveOurState(panel: NotebookPanel): void {
  const model = panel.context.model;
  const existing = model.getMetadata('widgets');
  // Most saves (autosave included) are of notebooks with no Bulkrun widget, live or saved:
  // those skip serializing the whole notebook to find its widget outputs.
  if (!liveModels().size && !savesModule(existing, MODULE)) {
    return;
  }
  const referenced = referencedModelIds(model.toJSON() as any);
  const ours: Record<string, SavedModel> = {};
  for (const [id, m] of liveModels()) {
    if (referenced.has(id)) {
      ours[id] = {
        model_name: m.get('_model_name'),
        model_module: MODULE,
        model_module_version: MODULE_VERSION,
        state: withoutModelRefs(m.serialize(m.get_state(false)) as Record<string, unknown>),
      };
    }
  }
  if (!Object.keys(ours).length && !existing) {
    return;
  }
  model.setMetadata('widgets', mergeWidgetState(existing, ours, referenced, MODULE) as any);
}

export const widgetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-bulkrun:widgets',
  description: 'The live batch and grid widgets of the Bulkrun Python API.',
  autoStart: true,
  requires: [IBulkrun, IJupyterWidgetRegistry],
  optional: [ITranslator, IDocumentManager, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    bulkrun: IBulkrun,
    registry: IJupyterWidgetRegistry,
    translator: ITranslator | null,
    docManager: IDocumentManager | null,
    tracker: INotebookTracker | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_bulkrun');
    setWidgetContext(viewContext(app, bulkrun, trans, docManager));
    registry.registerWidget({
      name: MODULE,
      version: MODULE_VERSION,
      exports: {
        BulkrunBatchModel: BatchWidgetModel,
        BulkrunBatchView: BatchWidgetView,
        BulkrunGridModel: GridWidgetModel,
        BulkrunGridView: GridWidgetView,
      } as any,
    });
    tracker?.widgetAdded.connect((_, panel) => {
      panel.context.saveState.connect((__, s) => {
        if (s === 'started') {
          saveOurState(panel);
        }
      });
    });
  },
};
