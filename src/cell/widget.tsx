/**
 * Attaches the bulk-run UI to code cells whose metadata has `bulkrun`: the editor and
 * outputs are hidden, a React widget renders in their place, and edits are written
 * back to the metadata so saving the notebook saves the draft and the batch id.
 */
import type { Cell, ICellModel } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import { ReactWidget } from '@jupyterlab/ui-components';
import type { PanelLayout } from '@lumino/widgets';
import * as React from 'react';
import { ViewContext, type IViewContext } from '../components/context';
import { METADATA_KEY, readMetadata, type CellMetadata } from '../model/draft';
import { BulkRunView } from './BulkRunView';

export const BULKRUN_CELL_CLASS = 'jp-BulkrunCell';

/** The source a bulk-run cell holds, for readers without the extension. */
export const CELL_SOURCE =
  '# Bulkrun cell: open this notebook in JupyterLab with jupyterlab-bulkrun to see and run it.';

export class BulkRunCellWidget extends ReactWidget {
  constructor(
    private readonly cellModel: ICellModel,
    private readonly ctx: IViewContext,
    private readonly originPath: () => string
  ) {
    super();
    this.addClass('jp-Bulkrun-cellwidget');
    this._meta = readMetadata(cellModel.getMetadata(METADATA_KEY))!;
    cellModel.metadataChanged.connect(this._onMetadata, this);
  }

  private _onMetadata(): void {
    const m = readMetadata(this.cellModel.getMetadata(METADATA_KEY));
    if (!m) {
      return;
    }
    const s = JSON.stringify(m);
    if (s !== this._written) {
      this._meta = m;
      this.update();
    }
  }

  private _save = (m: CellMetadata): void => {
    if (this.isDisposed) {
      return;
    }
    this._written = JSON.stringify(m);
    this.cellModel.setMetadata(METADATA_KEY, m as any);
  };

  dispose(): void {
    this.cellModel.metadataChanged.disconnect(this._onMetadata, this);
    super.dispose();
  }

  render(): JSX.Element {
    return (
      <ViewContext.Provider value={this.ctx}>
        <BulkRunView metadata={this._meta} save={this._save} origin={this.originPath()} />
      </ViewContext.Provider>
    );
  }

  private _meta: CellMetadata;
  private _written = '';
}

export function isBulkrunCell(model: ICellModel): boolean {
  return model.type === 'code' && !!model.getMetadata(METADATA_KEY);
}

/**
 * Keeps one notebook's bulk-run cells decorated as cells are added, moved, changed or
 * re-created (windowed notebooks create cell widgets lazily).
 */
export class NotebookAttacher {
  constructor(
    private readonly panel: NotebookPanel,
    private readonly ctx: IViewContext
  ) {
    const nb = panel.content;
    nb.modelContentChanged.connect(this._schedule, this);
    nb.modelChanged.connect(this._schedule, this);
    panel.context.ready.then(() => this._schedule()).catch(() => undefined);
    this._schedule();
  }

  private _schedule(): void {
    if (this._timer !== null) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      this.scan();
    }, 0);
  }

  scan(): void {
    if (this.panel.isDisposed) {
      return;
    }
    const batchIds = new Set<string>();
    const seen = new Map<string, unknown>();
    for (const cell of this.panel.content.widgets) {
      if (!this._watched.has(cell.model)) {
        this._watched.add(cell.model);
        cell.model.metadataChanged.connect(this._schedule, this);
      }
      // Undo of a deleted bulk-run cell brings back its source but, after the cell's
      // metadata changed (a run), not that metadata: put back the last one it had.
      const raw = cell.model.getMetadata(METADATA_KEY);
      if (raw) {
        seen.set(cell.model.id, raw);
      } else if (cell.model.type === 'code' && this._removed.has(cell.model.id)) {
        if (cell.model.sharedModel.getSource() === CELL_SOURCE) {
          cell.model.setMetadata(METADATA_KEY, this._removed.get(cell.model.id) as any);
        }
        this._removed.delete(cell.model.id);
        continue; // the metadata change schedules the next scan, which attaches it
      }
      const id = readMetadata(cell.model.getMetadata(METADATA_KEY))?.batchId;
      if (id) {
        batchIds.add(id);
      }
      const wanted = isBulkrunCell(cell.model);
      const has = this._attached.get(cell);
      if (wanted && !has) {
        this._attach(cell);
      } else if (!wanted && has) {
        has.dispose();
        this._attached.delete(cell);
        cell.removeClass(BULKRUN_CELL_CLASS);
      }
    }
    // Cells that left keep their last metadata for a while, for undo.
    for (const [id, meta] of this._cellMeta) {
      if (!seen.has(id)) {
        this._removed.set(id, meta);
        if (this._removed.size > 50) {
          this._removed.delete(this._removed.keys().next().value as string);
        }
      }
    }
    this._cellMeta = seen;
    // A batch whose cell disappeared (deleted or cut, not moved) may need cancelling.
    const gone = [...this._batchIds].filter(id => !batchIds.has(id));
    this._batchIds = batchIds;
    if (gone.length && this.onBatchCellsRemoved) {
      this.onBatchCellsRemoved(gone);
    }
  }

  /** Called with the batch ids whose cells left the notebook. */
  onBatchCellsRemoved: ((ids: string[]) => void) | null = null;

  private _attach(cell: Cell): void {
    const widget = new BulkRunCellWidget(cell.model, this.ctx, () => this.panel.context.path);
    this._attached.set(cell, widget);
    cell.addClass(BULKRUN_CELL_CLASS);
    cell.disposed.connect(() => this._attached.delete(cell));
    widget.disposed.connect(() => {
      if (this._attached.get(cell) === widget) {
        this._attached.delete(cell);
      }
    });
    void cell.ready.then(() => {
      if (widget.isDisposed || cell.isDisposed) {
        return;
      }
      const layout = cell.layout as PanelLayout;
      const inputWrapper = cell.inputArea?.parent;
      const idx = inputWrapper ? layout.widgets.indexOf(inputWrapper) : -1;
      layout.insertWidget(idx >= 0 ? idx + 1 : layout.widgets.length, widget);
    });
  }

  private _attached = new Map<Cell, BulkRunCellWidget>();
  private _watched = new WeakSet<ICellModel>();
  private _batchIds = new Set<string>();
  /** Last metadata of each bulk-run cell by cell id; of removed ones, for undo. */
  private _cellMeta = new Map<string, unknown>();
  private _removed = new Map<string, unknown>();
  private _timer: ReturnType<typeof setTimeout> | null = null;
}
