/**
 * The Configure tab's whole-grid row actions: import from a file, fill from files, clear
 * (with an undo in its notice) and export. Each replaces the draft's rows, so the grid's
 * history (src/cell/useRowHistory.ts) can undo it too.
 */
import { Notification } from '@jupyterlab/apputils';
import * as React from 'react';
import type { JSONSchema } from '../../api/types';
import { choose } from '../../components/confirm';
import { useView } from '../../components/context';
import { pickFile } from '../../components/FilePicker';
import { readFirstSheet } from '../../components/xlsx';
import { fillChoice, fillQuestion } from '../../model/confirm';
import { rowsFileName } from '../../model/configure';
import { paramTitles, toCSV, type TableToRows } from '../../model/delimited';
import type { Draft } from '../../model/draft';
import { isImportableName, isSpreadsheetName } from '../../model/filetree';
import {
  bytesOfModel,
  importDelimited,
  importNote,
  importSheet,
  textOfModel,
} from '../../model/importtext';
import {
  fillRows,
  hasValues,
  restoreRows,
  rowHasValues,
  type FillMode,
  type Row,
} from '../../model/rows';
import { useNotebookDir } from '../origin';

export interface RowActions {
  /** Whether the "Fill from files" panel is open. */
  showFill: boolean;
  toggleFill: () => void;
  /** Closes the panel, unless the replace-or-add question is open. */
  closeFill: () => void;
  fill: (incoming: Row[]) => Promise<void>;
  /** A local file: CSV, TSV, text or Excel. */
  importFile: (file: File) => Promise<void>;
  /** A file picked in the Jupyter file tree, from the notebook's folder. */
  importFromTree: () => Promise<void>;
  clearRows: () => void;
  exportCSV: () => void;
}

export function useRowActions(
  draft: Draft,
  update: (fn: (d: Draft) => Draft) => void,
  schema: JSONSchema | null,
  columns: string[]
): RowActions {
  const { trans, contents } = useView();
  const notebookDir = useNotebookDir();
  const [showFill, setShowFill] = React.useState(false);
  // While the replace-or-add question is open the fill panel stays, so declining keeps it.
  const fillAsking = React.useRef(false);

  const readFailed = (name: string, e: unknown) =>
    Notification.error(trans.__('Could not read %1: %2', name, (e as Error).message), {
      autoClose: 10000,
    });
  /** Replaces the rows with those of a file (Ctrl+Z in the grid undoes it). */
  const importParsed = (name: string, parsed: TableToRows) => {
    update(d => ({ ...d, rows: parsed.rows.length ? parsed.rows : [{}] }));
    const note = importNote(name, parsed, trans);
    if (note) {
      Notification.warning(note, { autoClose: 10000 });
    }
  };
  const importText = (name: string, text: string) =>
    importParsed(name, importDelimited(name, text, columns, paramTitles(schema)));
  const importWorkbook = async (name: string, data: Blob | ArrayBuffer) => {
    try {
      importParsed(name, importSheet(await readFirstSheet(data), columns, paramTitles(schema)));
    } catch (e) {
      readFailed(name, e);
    }
  };
  const importFile = async (file: File) => {
    if (isSpreadsheetName(file.name)) {
      await importWorkbook(file.name, file);
    } else {
      importText(file.name, await file.text());
    }
  };
  const importFromTree = async () => {
    if (!contents) {
      return;
    }
    const path = await pickFile({
      contents,
      trans,
      title: trans.__('Import rows from a file'),
      dir: notebookDir,
      accept: isImportableName,
      acceptNote: trans.__('CSV, TSV, text and Excel files (.csv, .tsv, .txt, .xlsx)'),
      pickLabel: trans.__('Import'),
    });
    if (path === null) {
      return;
    }
    if (isSpreadsheetName(path)) {
      try {
        const model = await contents.get(path, { content: true, format: 'base64' });
        await importWorkbook(path, bytesOfModel(model));
      } catch (e) {
        readFailed(path, e);
      }
      return;
    }
    let text: string;
    try {
      text = textOfModel(await contents.get(path, { content: true, format: 'text' }));
    } catch (e) {
      readFailed(path, e);
      return;
    }
    importText(path, text);
  };
  const fill = async (incoming: Row[]) => {
    let mode: FillMode = 'add';
    if (hasValues(draft.rows)) {
      fillAsking.current = true;
      try {
        const q = fillQuestion(draft.rows, incoming, trans);
        const choice = await choose(q.title, q.body, fillChoice(trans));
        if (choice !== 'add' && choice !== 'replace') {
          return;
        }
        mode = choice;
      } finally {
        fillAsking.current = false;
      }
    }
    update(d => ({ ...d, rows: fillRows(d.rows, incoming, mode) }));
    setShowFill(false);
  };
  const clearRows = () => {
    const cleared = draft.rows;
    update(d => ({ ...d, rows: [{}] }));
    Notification.info(
      trans._n('Cleared %1 row.', 'Cleared %1 rows.', cleared.filter(rowHasValues).length),
      {
        autoClose: 10000,
        actions: [
          {
            label: trans.__('Undo'),
            caption: trans.__('Put the cleared rows back'),
            callback: () => update(d => ({ ...d, rows: restoreRows(d.rows, cleared) })),
          },
        ],
      }
    );
  };
  const exportCSV = () => {
    const blob = new Blob([toCSV(draft.rows, columns)], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = rowsFileName(draft.app);
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return {
    showFill,
    toggleFill: () => setShowFill(s => !s),
    closeFill: () => {
      if (!fillAsking.current) {
        setShowFill(false);
      }
    },
    fill,
    importFile,
    importFromTree,
    clearRows,
    exportCSV,
  };
}
