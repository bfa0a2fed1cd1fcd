/**
 * One row of the parameter grid: its checkbox and row number (both select rows,
 * src/cell/grid/useGridSelection.ts), a cell per parameter and the duplicate and delete
 * buttons; a read-only grid shows only the number and the cells.
 */
import { closeIcon, copyIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { JSONSchema } from '../../api/types';
import { useView } from '../../components/context';
import { errorKey, rowHasError } from '../../model/gridcells';
import type { Row } from '../../model/rows';
import { GridCell, type CellHandlers } from './GridCell';

export interface RowHandlers extends CellHandlers {
  onSelectClick: (r: number, checkbox: boolean) => (e: React.MouseEvent) => void;
  onDuplicate: (r: number) => void;
  onDelete: (r: number) => void;
}

export function GridRow(props: {
  index: number;
  row: Row;
  style: React.CSSProperties;
  /** The grid's track layout, the same as the header's (src/model/columns.ts). */
  template: string;
  minWidth: number;
  schema: JSONSchema;
  columns: string[];
  errors: Map<string, string>;
  shared: Record<string, string>;
  readOnly: boolean;
  selected: boolean;
  /** The columns whose cells have a file picker. */
  pickers: ReadonlySet<string>;
  handlers: RowHandlers;
}): JSX.Element {
  const { trans } = useView();
  const { index: r, row, readOnly, selected, handlers: h } = props;
  const invalid = rowHasError(props.errors, r, props.columns);
  return (
    <div
      role="row"
      aria-rowindex={r + 1}
      aria-selected={readOnly ? undefined : selected}
      className={`jp-Bulkrun-grid-row${invalid ? ' jp-mod-invalid' : ''}${selected ? ' jp-mod-selected' : ''}`}
      style={{
        ...props.style,
        display: 'grid',
        gridTemplateColumns: props.template,
        minWidth: props.minWidth,
      }}
    >
      {readOnly ? null : (
        <div role="gridcell" className="jp-Bulkrun-rowselect">
          <input
            type="checkbox"
            checked={selected}
            aria-label={trans.__('Select row %1', r + 1)}
            onClick={h.onSelectClick(r, true)}
            onChange={() => undefined}
          />
        </div>
      )}
      <div
        role="rowheader"
        className={`jp-Bulkrun-rownum${readOnly ? '' : ' jp-mod-selectable'}`}
        title={readOnly ? undefined : trans.__('Click to select; Shift or Ctrl-click for more')}
        onClick={readOnly ? undefined : h.onSelectClick(r, false)}
      >
        {r + 1}
      </div>
      {props.columns.map((c, ci) => (
        <GridCell
          key={c}
          row={r}
          column={ci}
          name={c}
          schema={props.schema.properties![c]}
          value={row[c] ?? ''}
          error={props.errors.get(errorKey(r, c))}
          shared={props.shared[c]}
          readOnly={readOnly}
          picker={props.pickers.has(c)}
          handlers={h}
        />
      ))}
      {readOnly ? null : (
        <div role="gridcell" className="jp-Bulkrun-rowactions">
          <button
            className="jp-Bulkrun-iconbutton"
            aria-label={trans.__('Duplicate row %1', r + 1)}
            title={trans.__('Duplicate row')}
            onClick={() => h.onDuplicate(r)}
          >
            <copyIcon.react tag="span" elementSize="small" />
          </button>
          <button
            className="jp-Bulkrun-iconbutton"
            aria-label={trans.__('Delete row %1', r + 1)}
            title={trans.__('Delete row')}
            onClick={() => h.onDelete(r)}
          >
            <closeIcon.react tag="span" elementSize="small" />
          </button>
        </div>
      )}
    </div>
  );
}
