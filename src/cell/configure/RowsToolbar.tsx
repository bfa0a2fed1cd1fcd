/** The grid's toolbar: fill, import, export and clear the rows, and undo or redo a change. */
import { redoIcon, undoIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { useView } from '../../components/context';
import { canClearRows, type Row } from '../../model/rows';
import type { RowHistory } from '../useRowHistory';
import type { RowActions } from './useRowActions';

export function RowsToolbar(props: {
  rows: Row[];
  actions: RowActions;
  history: RowHistory;
  locked: boolean;
}): JSX.Element {
  const { trans, contents } = useView();
  const { actions, history, locked } = props;
  const fileInput = React.useRef<HTMLInputElement>(null);
  return (
    <div className="jp-Bulkrun-toolbar" role="toolbar" aria-label={trans.__('Rows')}>
      <button className="jp-Bulkrun-button" disabled={locked} onClick={actions.toggleFill}>
        {trans.__('Fill from files…')}
      </button>
      <button
        className="jp-Bulkrun-button"
        disabled={locked}
        onClick={() => fileInput.current?.click()}
      >
        {trans.__('Import CSV…')}
      </button>
      <button
        className="jp-Bulkrun-button"
        disabled={locked || !contents}
        title={trans.__('Import a CSV or TSV file of the Jupyter file tree')}
        onClick={() => void actions.importFromTree()}
      >
        {trans.__('Import from the notebook’s folder…')}
      </button>
      <button className="jp-Bulkrun-button" onClick={actions.exportCSV}>
        {trans.__('Export CSV')}
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".csv,.tsv,.txt,.xlsx,text/csv"
        style={{ display: 'none' }}
        aria-label={trans.__('CSV file to import')}
        onChange={e => {
          const f = e.target.files?.[0];
          if (f) {
            void actions.importFile(f);
          }
          e.target.value = '';
        }}
      />
      <button
        className="jp-Bulkrun-button"
        disabled={locked || !canClearRows(props.rows)}
        onClick={actions.clearRows}
      >
        {trans.__('Clear rows')}
      </button>
      <button
        className="jp-Bulkrun-iconbutton jp-Bulkrun-historybutton"
        disabled={locked || !history.canUndo}
        aria-label={trans.__('Undo row change')}
        title={trans.__('Undo row change (Ctrl+Z in the grid)')}
        onClick={history.undo}
      >
        <undoIcon.react tag="span" elementSize="small" />
      </button>
      <button
        className="jp-Bulkrun-iconbutton jp-Bulkrun-historybutton"
        disabled={locked || !history.canRedo}
        aria-label={trans.__('Redo row change')}
        title={trans.__('Redo row change (Ctrl+Shift+Z in the grid)')}
        onClick={history.redo}
      >
        <redoIcon.react tag="span" elementSize="small" />
      </button>
    </div>
  );
}
