/**
 * Help → Bulkrun user guide (menu entry in schema/plugin.json) and the "?" of each cell:
 * docs/USER-GUIDE.md, bundled with the extension and shown in a main-area tab.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { marked } from 'marked';
import guide from '../docs/USER-GUIDE.md';
import configurePng from '../docs/images/configure.png';
import pathsPng from '../docs/images/paths.png';
import statusPng from '../docs/images/status.png';
import { bulkrunIcon } from './components/icon';
import { withImages } from './model/guide';

export const HELP_COMMAND = 'bulkrun:help';

export function addHelp(app: JupyterFrontEnd, trans: TranslationBundle): void {
  let open: MainAreaWidget | null = null;
  app.commands.addCommand(HELP_COMMAND, {
    label: trans.__('Bulkrun user guide'),
    caption: trans.__('How to run one app over many inputs with a bulk-run cell'),
    execute: () => {
      if (!open || open.isDisposed) {
        const content = new Widget();
        content.addClass('jp-RenderedHTMLCommon');
        content.addClass('jp-Bulkrun-guide');
        // The guide ships with the extension: trusted text, not user content.
        content.node.innerHTML = marked.parse(
          withImages(guide, {
            'configure.png': configurePng,
            'paths.png': pathsPng,
            'status.png': statusPng,
          }),
          { async: false }
        ) as string;
        open = new MainAreaWidget({ content });
        open.id = 'bulkrun-user-guide';
        open.title.label = trans.__('Bulkrun user guide');
        open.title.icon = bulkrunIcon;
        open.title.closable = true;
        app.shell.add(open, 'main');
      }
      app.shell.activateById(open.id);
    },
  });
}
