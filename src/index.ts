/**
 * Bulkrun plugins: the services (REST + events + batch models), the bulk-run cell
 * (toolbar button, palette command, launcher item) and the jobs sidebar.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  showDialog,
  ToolbarButton,
} from '@jupyterlab/apputils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ILauncher } from '@jupyterlab/launcher';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel,
  type INotebookModel,
} from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator, type TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import type { IDisposable } from '@lumino/disposable';
import { BulkrunClient } from './api/client';
import { EventClient } from './api/events';
import { BatchModelRegistry } from './cell/model';
import { CELL_SOURCE, NotebookAttacher } from './cell/widget';
import { choose } from './components/confirm';
import { bulkrunIcon } from './components/icon';
import { confirmChoice } from './model/confirm';
import { METADATA_KEY, newDraft, type CellMetadata } from './model/draft';
import { metadataFromBatch } from './model/fromBatch';
import { BatchWindow } from './cell/BatchWindow';
import { notifyBatchEnds } from './notify';
import { addHelp } from './help';
import { JobsPanel } from './panel/JobsPanel';
import { DEFAULT_SETTINGS, IBulkrun, type IBulkrunSettings } from './tokens';
import { CommandIDs } from './commands';
import { viewContext } from './viewContext';
import { widgetsPlugin } from './widgets/plugin';

const PLUGIN_ID = 'jupyterlab-bulkrun:plugin';

class Bulkrun implements IBulkrun {
  constructor(app: JupyterFrontEnd) {
    this.client = new BulkrunClient(app.serviceManager.serverSettings);
    this.events = new EventClient(app.serviceManager.serverSettings);
    this.models = new BatchModelRegistry(
      this.client,
      this.events,
      () => this.settings.tablePageSize
    );
  }
  readonly client: BulkrunClient;
  readonly events: EventClient;
  readonly models: BatchModelRegistry;
  settings: IBulkrunSettings = { ...DEFAULT_SETTINGS };
  readonly settingsChanged: Signal<IBulkrun, IBulkrunSettings> = new Signal<
    IBulkrun,
    IBulkrunSettings
  >(this);
}

/** The services: one REST client, one event socket, one model per batch. */
const core: JupyterFrontEndPlugin<IBulkrun> = {
  id: PLUGIN_ID,
  description: 'Bulkrun REST and event clients, batch models and settings.',
  autoStart: true,
  provides: IBulkrun,
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, registry: ISettingRegistry | null): IBulkrun => {
    const bulkrun = new Bulkrun(app);
    bulkrun.events.start();
    if (registry) {
      void registry
        .load(PLUGIN_ID)
        .then(s => {
          const apply = () => {
            bulkrun.settings = {
              ...DEFAULT_SETTINGS,
              ...(s.composite as Partial<IBulkrunSettings>),
            };
            bulkrun.settingsChanged.emit(bulkrun.settings);
          };
          s.changed.connect(apply);
          apply();
        })
        .catch(e => console.warn('Bulkrun settings could not be loaded', e));
    }
    return bulkrun;
  },
};

/** Adds a bulk-run cell below the active cell of a notebook. */
function insertCell(
  panel: NotebookPanel,
  bulkrun: IBulkrun,
  attachers: WeakMap<NotebookPanel, NotebookAttacher>,
  meta?: CellMetadata
): void {
  const nb = panel.content;
  const active = nb.activeCell;
  const reuse =
    active &&
    active.model.type === 'code' &&
    active.model.sharedModel.getSource().trim() === '' &&
    !active.model.getMetadata(METADATA_KEY);
  if (!reuse) {
    NotebookActions.insertBelow(nb);
    NotebookActions.changeCellType(nb, 'code');
  }
  const cell = nb.activeCell;
  if (!cell) {
    return;
  }
  cell.model.sharedModel.setSource(CELL_SOURCE);
  cell.model.setMetadata(
    METADATA_KEY,
    (meta ?? {
      version: 1,
      draft: newDraft({
        backend: bulkrun.settings.defaultBackend,
        resources: bulkrun.settings.defaultResources,
      }),
      batchId: null,
    }) as any
  );
  nb.mode = 'command';
  attachers.get(panel)?.scan();
}

class ToolbarExtension implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel> {
  constructor(
    private readonly app: JupyterFrontEnd,
    private readonly trans: TranslationBundle
  ) {}
  createNew(panel: NotebookPanel): IDisposable {
    const button = new ToolbarButton({
      icon: bulkrunIcon,
      label: this.trans.__('Bulk run'),
      tooltip: this.trans.__('Insert a bulk-run cell'),
      onClick: () => {
        panel.activate();
        void this.app.commands.execute(CommandIDs.insert);
      },
    });
    button.addClass('jp-Bulkrun-toolbarbutton');
    panel.toolbar.insertAfter('cellType', 'bulkrun', button);
    return button;
  }
}

/** The bulk-run cell: attaching views, inserting cells, and asking on delete. */
const cellPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-bulkrun:cell',
  description: 'The bulk-run cell in notebooks.',
  autoStart: true,
  requires: [IBulkrun, INotebookTracker],
  optional: [ITranslator, ICommandPalette, ILauncher, IDocumentManager],
  activate: (
    app: JupyterFrontEnd,
    bulkrun: IBulkrun,
    tracker: INotebookTracker,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    docManager: IDocumentManager | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_bulkrun');
    const ctx = viewContext(app, bulkrun, trans, docManager);
    const windows = new Map<string, MainAreaWidget>();
    const attachers = new WeakMap<NotebookPanel, NotebookAttacher>();

    const askCancel = async (ids: string[]) => {
      if (!bulkrun.settings.confirmCellDelete) {
        return;
      }
      for (const id of ids) {
        let batch;
        try {
          batch = await bulkrun.client.getBatch(id);
        } catch {
          continue;
        }
        if (
          batch.status === 'completed' ||
          batch.status === 'error' ||
          batch.status === 'terminated'
        ) {
          continue;
        }
        // "Keep running" is the default: Enter or a stray click must not cancel jobs.
        const choice = await choose(
          trans.__('Cancel the deleted cell’s jobs?'),
          trans.__(
            'The bulk-run cell you removed has a batch that is still running (%1 of %2 rows finished). Its jobs keep running unless you cancel them; the jobs panel still lists the batch.',
            batch.counts.completed + batch.counts.error + batch.counts.terminated,
            batch.total
          ),
          confirmChoice('cancel', trans.__('Keep running'), trans.__('Cancel jobs'))
        );
        if (choice === 'cancel') {
          try {
            await bulkrun.client.cancelBatch(id);
          } catch (e) {
            void showDialog({
              title: trans.__('Cancel failed'),
              body: (e as Error).message,
              buttons: [Dialog.okButton()],
            });
          }
        }
      }
    };

    tracker.widgetAdded.connect((_, panel) => {
      const a = new NotebookAttacher(panel, ctx);
      a.onBatchCellsRemoved = ids => void askCancel(ids);
      attachers.set(panel, a);
    });
    tracker.forEach(panel => {
      if (!attachers.has(panel)) {
        const a = new NotebookAttacher(panel, ctx);
        a.onBatchCellsRemoved = ids => void askCancel(ids);
        attachers.set(panel, a);
      }
    });

    app.commands.addCommand(CommandIDs.insert, {
      label: trans.__('Insert bulk-run cell'),
      caption: trans.__('Insert a cell that runs one app over many inputs'),
      icon: args => (args.isPalette ? undefined : bulkrunIcon),
      isEnabled: () => !!tracker.currentWidget,
      execute: () => {
        const panel = tracker.currentWidget;
        if (panel) {
          insertCell(panel, bulkrun, attachers);
        }
      },
    });
    // A new notebook on the default kernel: a bulk-run cell needs no kernel choice, and
    // JupyterLab's kernel dialog would otherwise pop up over the new cell.
    const newNotebook = async (): Promise<NotebookPanel> => {
      await app.serviceManager.kernelspecs.ready;
      const kernelName = app.serviceManager.kernelspecs.specs?.default || undefined;
      const panel = (await app.commands.execute('notebook:create-new', {
        kernelName,
      })) as NotebookPanel;
      await panel.context.ready;
      await panel.revealed;
      return panel;
    };
    app.commands.addCommand(CommandIDs.newNotebook, {
      label: args =>
        args.isLauncher ? trans.__('Bulk run') : trans.__('New notebook with a bulk-run cell'),
      caption: trans.__('Create a notebook with a bulk-run cell'),
      icon: bulkrunIcon,
      execute: async () => {
        const panel = await newNotebook();
        insertCell(panel, bulkrun, attachers);
      },
    });
    // A batch in a cell of the current notebook, or of a new one.
    const attach = async (meta: CellMetadata) => {
      let panel = tracker.currentWidget;
      if (!panel) {
        panel = await newNotebook();
      }
      app.shell.activateById(panel.id);
      insertCell(panel, bulkrun, attachers, meta);
    };
    app.commands.addCommand(CommandIDs.attachCell, {
      label: trans.__('Attach batch to a new cell'),
      execute: async args => {
        const id = String(args.batchId ?? '');
        const [batch, jobs] = await Promise.all([
          bulkrun.client.getBatch(id),
          bulkrun.client.allBatchJobs(id),
        ]);
        await attach(metadataFromBatch(batch, jobs));
      },
    });
    app.commands.addCommand(CommandIDs.openBatch, {
      label: trans.__('Open batch'),
      execute: async args => {
        const id = String(args.batchId ?? '');
        const existing = windows.get(id);
        if (existing && !existing.isDisposed) {
          app.shell.activateById(existing.id);
          return;
        }
        const [batch, jobs] = await Promise.all([
          bulkrun.client.getBatch(id),
          bulkrun.client.allBatchJobs(id),
        ]);
        const content = new BatchWindow(
          ctx,
          metadataFromBatch(batch, jobs),
          batch.origin ?? '',
          meta => void attach(meta)
        );
        const widget = new MainAreaWidget({ content });
        widget.id = `bulkrun-batch-${id}`;
        widget.title.label = trans.__('Bulk run: %1', batch.label || batch.app);
        widget.title.icon = bulkrunIcon;
        widget.title.closable = true;
        windows.set(id, widget);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
      },
    });
    palette?.addItem({ command: CommandIDs.insert, category: trans.__('Bulkrun') });
    palette?.addItem({ command: CommandIDs.newNotebook, category: trans.__('Bulkrun') });
    launcher?.add({
      command: CommandIDs.newNotebook,
      category: trans.__('Other'),
      rank: 0,
      args: { isLauncher: true },
    });
    app.docRegistry.addWidgetExtension('Notebook', new ToolbarExtension(app, trans));
  },
};

/** The jobs sidebar. */
const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-bulkrun:jobs',
  description: 'The Bulkrun jobs sidebar.',
  autoStart: true,
  requires: [IBulkrun],
  optional: [ITranslator, ILayoutRestorer, IDocumentManager, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    bulkrun: IBulkrun,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    docManager: IDocumentManager | null,
    palette: ICommandPalette | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_bulkrun');
    const panel = new JobsPanel(viewContext(app, bulkrun, trans, docManager));
    panel.id = 'jp-bulkrun-jobs';
    panel.title.icon = bulkrunIcon;
    panel.title.caption = trans.__('Bulkrun jobs');
    app.shell.add(panel, 'left', { rank: 600 });
    restorer?.add(panel, 'bulkrun-jobs');
    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Show Bulkrun jobs'),
      execute: () => app.shell.activateById(panel.id),
    });
    palette?.addItem({ command: CommandIDs.openPanel, category: trans.__('Bulkrun') });
    addHelp(app, trans);
    // "Open" on a finished batch's notification: its notebook, else the Jobs panel.
    notifyBatchEnds(bulkrun, trans, origin => {
      if (origin && origin.endsWith('.ipynb')) {
        void app.commands.execute('docmanager:open', { path: origin });
      } else {
        app.shell.activateById(panel.id);
      }
    });
  },
};

export default [core, cellPlugin, panelPlugin, widgetsPlugin];
