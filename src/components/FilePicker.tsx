/**
 * A file picker over the Jupyter file tree, in a JupyterLab dialog. It lists folders
 * through the contents manager of the view context (src/components/context.ts); folders
 * open on double-click or Enter, Backspace goes up, a file is picked with Open, Enter or
 * a double-click. What it lists and the paths it returns: src/model/filetree.ts; its
 * parts: src/components/filepicker/.
 */
import { Dialog } from '@jupyterlab/apputils';
import type { Contents } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { FileList, type PickerState } from './filepicker/FileList';

export interface PickFileOptions {
  contents: Contents.IManager;
  trans: TranslationBundle;
  title: string;
  /** The folder shown first (root-relative, '' for the root). */
  dir: string;
  /** A file to select when it is in that folder. */
  select?: string | null;
  /** Which files to list (folders are always listed). */
  accept?: (name: string) => boolean;
  /** Says which files are listed, under the listing. */
  acceptNote?: string;
  /** The label of the button that picks (default "Open"). */
  pickLabel?: string;
}

class FilePickerBody extends ReactWidget implements Dialog.IBodyWidget<PickerState> {
  constructor(
    private readonly options: PickFileOptions,
    private readonly onPick: () => void
  ) {
    super();
    this.state = { dir: options.dir, selected: null };
  }

  getValue(): PickerState {
    return this.state;
  }

  render(): JSX.Element {
    const o = this.options;
    return (
      <FileList
        contents={o.contents}
        trans={o.trans}
        dir={o.dir}
        select={o.select ?? null}
        accept={o.accept}
        acceptNote={o.acceptNote}
        onState={s => (this.state = s)}
        onPick={this.onPick}
      />
    );
  }

  state: PickerState;
}

/**
 * Asks for a file of the Jupyter tree; resolves with its root-relative path, or null
 * when the dialog is cancelled. Open with a folder selected opens that folder.
 */
export async function pickFile(options: PickFileOptions): Promise<string | null> {
  const { trans } = options;
  let start = { dir: options.dir, select: options.select ?? null };
  for (;;) {
    let dialog: Dialog<PickerState> | null = null;
    const body = new FilePickerBody({ ...options, dir: start.dir, select: start.select }, () =>
      dialog?.resolve()
    );
    dialog = new Dialog<PickerState>({
      title: options.title,
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: options.pickLabel ?? trans.__('Open') }),
      ],
      focusNodeSelector: '.jp-Bulkrun-filelist',
    });
    dialog.addClass('jp-Bulkrun-filedialog');
    const result = await dialog.launch();
    if (!result.button.accept || !result.value) {
      return null;
    }
    const { dir, selected } = result.value;
    if (selected && !selected.directory) {
      return selected.path;
    }
    // Nothing picked yet: show the folder selected (or the same one) again.
    start = { dir: selected ? selected.path : dir, select: null };
  }
}
