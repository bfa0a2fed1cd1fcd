/**
 * The widget views: each renders the bulk-run cell's view (cell/BulkRunView.tsx) into
 * the widget's element, over the page's one Bulkrun connection (the plugin hands it over
 * with setWidgetContext), not over the kernel.
 */
import { DOMWidgetView } from '@jupyter-widgets/base';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { BulkRunView } from '../cell/BulkRunView';
import { ViewContext, type IViewContext } from '../components/context';
import type { CellMetadata } from '../model/draft';
import { metadataFromBatch } from '../model/fromBatch';
import { gridMetadata } from './grid';

let context: IViewContext | null = null;

/** Called once by the plugin: the services every widget view uses. */
export function setWidgetContext(ctx: IViewContext): void {
  context = ctx;
}

/** The notebook a view is in (relative paths in the grid resolve against its directory). */
function notebookPath(view: DOMWidgetView): string {
  return String((view.model.widget_manager as any)?.context?.path ?? '');
}

function BatchBody(props: { batchId: string; origin: string }): JSX.Element {
  const { bulkrun, trans } = React.useContext(ViewContext)!;
  const [meta, setMeta] = React.useState<CellMetadata | null>(null);
  const [origin, setOrigin] = React.useState(props.origin);
  const [failure, setFailure] = React.useState('');
  React.useEffect(() => {
    let gone = false;
    setMeta(null);
    setFailure('');
    if (!props.batchId) {
      return;
    }
    Promise.all([
      bulkrun.client.getBatch(props.batchId),
      bulkrun.client.allBatchJobs(props.batchId),
    ]).then(
      ([batch, jobs]) => {
        if (!gone) {
          setOrigin(batch.origin || props.origin);
          setMeta(metadataFromBatch(batch, jobs));
        }
      },
      (e: Error) => !gone && setFailure(e.message)
    );
    return () => {
      gone = true;
    };
  }, [props.batchId]);
  if (failure) {
    return (
      <div className="jp-Bulkrun-widget-message jp-mod-error">
        {trans.__('Batch %1 could not be shown: %2', props.batchId, failure)}
      </div>
    );
  }
  if (!meta) {
    return (
      <div className="jp-Bulkrun-widget-message">
        {trans.__('Loading batch %1…', props.batchId)}
      </div>
    );
  }
  // Edits for a new run stay in this view; the Python object keeps its batch.
  return <BulkRunView metadata={meta} save={m => setMeta(m)} origin={origin} />;
}

abstract class ReactView extends DOMWidgetView {
  render(): void {
    this.el.classList.add('jp-Bulkrun-widget');
    if (!context) {
      this.el.textContent = 'Bulkrun is not loaded on this page.';
      return;
    }
    const ctx = context;
    const body = () => this.body();
    this.react = ReactWidget.create(
      <ViewContext.Provider value={ctx}>
        <Body render={body} signal={this.redraw} />
      </ViewContext.Provider>
    );
    this.el.appendChild(this.react.node);
    // Renders even before the output is on the page (a ReactWidget draws on update).
    this.react.update();
  }

  protected abstract body(): JSX.Element;

  /** Re-renders the body (a synced attribute changed). */
  protected rerender(): void {
    this.redraw.bump();
  }

  remove(): any {
    this.react?.dispose();
    this.react = null;
    return super.remove();
  }

  private react: ReactWidget | null = null;
  private redraw = new Bump();
}

/** A tiny change counter a React body subscribes to. */
class Bump {
  bump(): void {
    this.n++;
    this.listeners.forEach(l => l(this.n));
  }
  listen(l: (n: number) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  private n = 0;
  private listeners = new Set<(n: number) => void>();
}

function Body(props: { render: () => JSX.Element; signal: Bump }): JSX.Element {
  const [, setN] = React.useState(0);
  React.useEffect(() => props.signal.listen(setN), [props.signal]);
  return props.render();
}

export class BatchWidgetView extends ReactView {
  render(): void {
    super.render();
    this.listenTo(this.model, 'change:batch_id', () => this.rerender());
  }
  protected body(): JSX.Element {
    const id = String(this.model.get('batch_id') ?? '');
    return <BatchBody key={id} batchId={id} origin={notebookPath(this)} />;
  }
}

export class GridWidgetView extends ReactView {
  render(): void {
    super.render();
    // The kernel replaced the grid's arguments (grid.app = …, grid.rows = …).
    this.listenTo(this.model, 'change:app change:rows change:options', () => {
      this.model.set('draft', null);
      this.model.save_changes();
      this.generation++;
      this.rerender();
    });
  }
  protected body(): JSX.Element {
    const m = this.model;
    const meta = gridMetadata(
      String(m.get('app') ?? ''),
      (m.get('rows') as Record<string, unknown>[]) ?? [],
      (m.get('options') as Record<string, unknown>) ?? {},
      m.get('draft'),
      String(m.get('batch_id') ?? '')
    );
    return (
      <BulkRunView
        key={this.generation}
        metadata={meta}
        save={next => {
          m.set({ draft: next.draft, batch_id: next.batchId ?? '' });
          m.save_changes();
        }}
        origin={notebookPath(this)}
      />
    );
  }
  private generation = 0;
}
