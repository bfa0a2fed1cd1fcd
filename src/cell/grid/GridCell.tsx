/**
 * One parameter cell of the grid: its typed input, addressed by `data-cell`
 * (src/model/gridcells.ts) for the keyboard and the UI tests, the file picker button on a
 * path column, and the cell's error.
 */
import { folderIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { JSONSchema } from '../../api/types';
import { useView } from '../../components/context';
import { cellAddress, cellPlaceholder } from '../../model/gridcells';
import { ValueInput } from './ValueInput';

export interface CellHandlers {
  setCell: (r: number, name: string, value: string) => void;
  onCellKeyDown: (r: number, c: number) => (e: React.KeyboardEvent) => void;
  onPaste: (r: number, c: number) => (e: React.ClipboardEvent) => void;
  /** A cell got the focus: typing in it from now on is a new undo step. */
  onCellFocus: () => void;
  pickPath: (r: number, c: number) => void;
}

export function GridCell(props: {
  row: number;
  column: number;
  name: string;
  schema: JSONSchema;
  value: string;
  error?: string;
  shared?: string;
  readOnly: boolean;
  /** Whether the cell has a file picker button. */
  picker: boolean;
  handlers: CellHandlers;
}): JSX.Element {
  const { trans } = useView();
  const { row: r, column: ci, name: c, error: err, handlers: h } = props;
  return (
    <div role="gridcell" className={`jp-Bulkrun-grid-cell${props.picker ? ' jp-mod-path' : ''}`}>
      <ValueInput
        schema={props.schema}
        value={props.value}
        label={trans.__('Row %1, %2', r + 1, c)}
        error={err}
        readOnly={props.readOnly}
        placeholder={cellPlaceholder(props.schema, props.shared, trans)}
        onChange={v => h.setCell(r, c, v)}
        inputProps={{
          'data-cell': cellAddress(r, ci),
          onKeyDown: h.onCellKeyDown(r, ci),
          onPaste: h.onPaste(r, ci),
          onFocus: h.onCellFocus,
        }}
      />
      {props.picker ? (
        <button
          className="jp-Bulkrun-iconbutton jp-Bulkrun-pathpick"
          aria-label={trans.__('Choose a file for row %1, %2', r + 1, c)}
          title={trans.__('Choose a file')}
          onClick={() => h.pickPath(r, ci)}
        >
          <folderIcon.react tag="span" elementSize="small" />
        </button>
      ) : null}
      {err ? <span className="jp-Bulkrun-cellerror">{err}</span> : null}
    </div>
  );
}
