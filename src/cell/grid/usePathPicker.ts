/**
 * The file picker of a path cell (src/components/FilePicker.tsx): it opens where the
 * cell's path points and writes back the picked file's path as a cell holds it
 * (src/model/filetree.ts), or says why it cannot.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { Notification } from '@jupyterlab/apputils';
import { useView } from '../../components/context';
import { pickFile } from '../../components/FilePicker';
import { pathForCell, pickerStart } from '../../model/filetree';
import type { Row } from '../../model/rows';
import { useNotebookDir } from '../origin';

export function usePathPicker(o: {
  columns: string[];
  rows: Row[];
  /** Sets a cell outside the typing undo steps (`merge` false). */
  setCell: (r: number, name: string, value: string, merge: boolean) => void;
  focusCell: (r: number, c: number) => void;
}): (r: number, c: number) => Promise<void> {
  const { trans, contents } = useView();
  const notebookDir = useNotebookDir();
  return async (r: number, c: number) => {
    if (!contents) {
      return;
    }
    const name = o.columns[c];
    const serverRoot = PageConfig.getOption('serverRoot') || undefined;
    const start = pickerStart(o.rows[r]?.[name] ?? '', notebookDir, serverRoot);
    const picked = await pickFile({
      contents,
      trans,
      title: trans.__('Choose a file for row %1, %2', r + 1, name),
      dir: start.dir,
      select: start.select,
      pickLabel: trans.__('Choose'),
    });
    if (picked === null) {
      return;
    }
    const value = pathForCell(picked, notebookDir, serverRoot);
    if (value === null) {
      Notification.warning(
        trans.__(
          '%1 is outside the notebook’s folder, and the Jupyter root’s location is not known: type its absolute path instead.',
          picked
        ),
        { autoClose: 8000 }
      );
      return;
    }
    o.setCell(r, name, value, false);
    o.focusCell(r, c);
  };
}
