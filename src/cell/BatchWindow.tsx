/**
 * A batch in a main-area tab of its own, for a batch no open cell shows (opened from the
 * Jobs panel): the same views as the bulk-run cell, kept in memory, and "Attach to a new
 * cell" to give it a home in a notebook.
 */
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { ViewContext, type IViewContext } from '../components/context';
import type { CellMetadata } from '../model/draft';
import { BulkRunView } from './BulkRunView';

export class BatchWindow extends ReactWidget {
  constructor(
    private readonly ctx: IViewContext,
    private meta: CellMetadata,
    private readonly origin: string,
    private readonly attach: (meta: CellMetadata) => void
  ) {
    super();
    this.addClass('jp-Bulkrun-batchwindow');
  }

  render(): JSX.Element {
    const { trans } = this.ctx;
    return (
      <ViewContext.Provider value={this.ctx}>
        <div className="jp-Bulkrun-windowbar">
          <button
            className="jp-Bulkrun-button"
            title={trans.__(
              'Insert a bulk-run cell for this batch into the current notebook, or a new one'
            )}
            onClick={() => this.attach(this.meta)}
          >
            {trans.__('Attach to a new cell')}
          </button>
        </div>
        <BulkRunView
          metadata={this.meta}
          save={m => {
            this.meta = m;
          }}
          origin={this.origin}
        />
      </ViewContext.Provider>
    );
  }
}
