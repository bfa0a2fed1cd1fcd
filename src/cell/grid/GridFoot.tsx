/**
 * The parameter grid's footer: add a row, delete or clear the selected rows, the row
 * count and what the last paste did.
 */
import * as React from 'react';
import { useView } from '../../components/context';

export function GridFoot(props: {
  rowCount: number;
  readOnly: boolean;
  selectedCount: number;
  /** What the last paste did ('' for nothing to say). */
  notice: string;
  onAdd: () => void;
  onDeleteSelected: () => void;
  onClearSelection: () => void;
}): JSX.Element {
  const { trans } = useView();
  const { readOnly, selectedCount } = props;
  return (
    <div className="jp-Bulkrun-grid-foot">
      {readOnly ? null : (
        <button className="jp-Bulkrun-button" onClick={props.onAdd}>
          {trans.__('+ Add row')}
        </button>
      )}
      {!readOnly && selectedCount ? (
        <>
          <button className="jp-Bulkrun-button jp-mod-warn" onClick={props.onDeleteSelected}>
            {trans._n('Delete %1 selected row', 'Delete %1 selected rows', selectedCount)}
          </button>
          <button className="jp-Bulkrun-linkbutton" onClick={props.onClearSelection}>
            {trans.__('Clear selection')}
          </button>
        </>
      ) : null}
      <span className="jp-Bulkrun-muted">
        {trans._n('%1 row', '%1 rows', props.rowCount)}
        {readOnly ? '' : ' · ' + trans.__('paste a block from a spreadsheet into any cell')}
      </span>
      {props.notice ? (
        <span className="jp-Bulkrun-muted" role="status">
          {props.notice}
        </span>
      ) : null}
    </div>
  );
}
