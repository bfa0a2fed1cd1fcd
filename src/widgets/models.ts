/**
 * The widget models of the Python API (bulkrun/widget.py): a batch, and the editable grid.
 * Their synced state is small (the batch id; the grid's draft): the views fetch and follow
 * everything else from the Bulkrun server, so they stay live with the kernel busy, idle,
 * restarted or gone. Live models are listed here so a notebook save can store their state
 * (state.ts) for the next time the notebook opens.
 */
import { DOMWidgetModel } from '@jupyter-widgets/base';

/** The labextension's npm name and version: what bulkrun/widget.py declares. */
export const MODULE = 'jupyterlab-bulkrun';
export const MODULE_VERSION = '0.1.0';

const live = new Map<string, DOMWidgetModel>();

/** The live Bulkrun widget models of this page, by model id. */
export function liveModels(): ReadonlyMap<string, DOMWidgetModel> {
  return live;
}

abstract class BulkrunModel extends DOMWidgetModel {
  initialize(attributes: any, options: any): void {
    super.initialize(attributes, options);
    live.set(this.model_id, this);
    this.once('destroy', () => live.delete(this.model_id));
  }
}

export class BatchWidgetModel extends BulkrunModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: 'BulkrunBatchModel',
      _model_module: MODULE,
      _model_module_version: MODULE_VERSION,
      _view_name: 'BulkrunBatchView',
      _view_module: MODULE,
      _view_module_version: MODULE_VERSION,
      batch_id: '',
    };
  }
}

export class GridWidgetModel extends BulkrunModel {
  defaults(): any {
    return {
      ...super.defaults(),
      _model_name: 'BulkrunGridModel',
      _model_module: MODULE,
      _model_module_version: MODULE_VERSION,
      _view_name: 'BulkrunGridView',
      _view_module: MODULE,
      _view_module_version: MODULE_VERSION,
      app: '',
      rows: [],
      options: {},
      draft: null,
      batch_id: '',
    };
  }
}
