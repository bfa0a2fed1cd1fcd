/**
 * The parameter grid: one row per task, one typed column per app parameter, inline
 * validation, spreadsheet paste, keyboard navigation (arrows, Enter), row
 * add/duplicate/delete, row selection and deleting the selected rows, undo/redo keys,
 * resizable columns and a file picker on path cells. Virtualized so thousands of rows
 * stay fast. Its parts are in src/cell/grid/.
 */
import * as React from 'react';
import type { JSONSchema } from '../api/types';
import { useView } from '../components/context';
import { VirtualList, type VirtualListHandle } from '../components/virtual';
import { gridMinWidth, gridTemplate, gridTracks } from '../model/columns';
import { appendRow, cellEditKey, deleteRow, duplicateRow, withCell } from '../model/gridrows';
import { pathColumns } from '../model/paths';
import { deleteSelected, NO_SELECTION, selectionState, toggleAll } from '../model/selection';
import { GridFoot } from './grid/GridFoot';
import { GridHeader } from './grid/GridHeader';
import { GridRow, type RowHandlers } from './grid/GridRow';
import { useColumnResize } from './grid/useColumnResize';
import { useGridClipboard } from './grid/useGridClipboard';
import { useGridKeys } from './grid/useGridKeys';
import { useGridSelection } from './grid/useGridSelection';
import { usePathPicker } from './grid/usePathPicker';

// The Configure tab and its forms (src/cell/configure/) import these from here.
export { errorKey, errorMap } from '../model/gridcells';
export { ValueInput } from './grid/ValueInput';

const ROW_H = 30;

export interface GridProps {
  schema: JSONSchema;
  rows: Record<string, string>[];
  shared: Record<string, string>;
  errors: Map<string, string>;
  readOnly: boolean;
  /**
   * New rows. Changes with the same `mergeKey` in a row (keystrokes in one cell while it
   * keeps the focus) are one undo step.
   */
  onChange: (rows: Record<string, string>[], mergeKey?: string) => void;
  /** Ctrl/Cmd+Z in the grid. */
  onUndo?: () => void;
  /** Ctrl/Cmd+Shift+Z or Ctrl/Cmd+Y in the grid. */
  onRedo?: () => void;
}

export function ParamGrid(props: GridProps): JSX.Element {
  const { trans, contents } = useView();
  const { schema, rows, readOnly, onChange, onUndo, onRedo } = props;
  const columns = Object.keys(schema.properties ?? {});
  const list = React.useRef<VirtualListHandle>(null);
  const root = React.useRef<HTMLDivElement>(null);
  const headWrap = React.useRef<HTMLDivElement>(null);
  const { selection, setSelection, onSelectClick } = useGridSelection(rows.length);
  const keys = useGridKeys({ root, list, rows, readOnly, onChange, onUndo, onRedo });
  const clipboard = useGridClipboard({ schema, columns, rows, readOnly, onChange });
  const resize = useColumnResize();
  // Keystrokes merge into one undo step while a cell keeps the focus.
  const editSession = React.useRef(0);
  // The rows now, for changes made after a dialog closes.
  const latestRows = React.useRef(rows);
  latestRows.current = rows;
  const setCell = (r: number, name: string, v: string, merge = true) =>
    onChange(
      withCell(latestRows.current, r, name, v),
      merge ? cellEditKey(r, name, editSession.current) : undefined
    );
  const pickPath = usePathPicker({ columns, rows, setCell, focusCell: keys.focusCell });

  const pickers = new Set(readOnly || !contents ? [] : pathColumns(schema));
  const handlers: RowHandlers = {
    setCell,
    onCellKeyDown: keys.onCellKeyDown,
    onPaste: clipboard.onPaste,
    onCellFocus: () => {
      editSession.current++;
    },
    pickPath: (r, c) => void pickPath(r, c),
    onSelectClick,
    onDuplicate: r => onChange(duplicateRow(rows, r)),
    onDelete: r => onChange(deleteRow(rows, r)),
  };
  const tracks = gridTracks(readOnly);
  const template = gridTemplate(columns, resize.widths, tracks);
  const minWidth = gridMinWidth(columns, resize.widths, tracks);

  return (
    <div
      ref={root}
      className="jp-Bulkrun-grid"
      data-lm-suppress-shortcuts="true"
      onKeyDown={keys.onGridKeyDown}
    >
      <GridHeader
        headWrap={headWrap}
        schema={schema}
        columns={columns}
        readOnly={readOnly}
        template={template}
        minWidth={minWidth}
        allSelected={selectionState(selection, rows.length)}
        onToggleAll={() => setSelection(toggleAll(selection, rows.length))}
        resize={resize}
      />
      <VirtualList
        ref={list}
        count={rows.length}
        rowHeight={ROW_H}
        maxHeight={ROW_H * 12}
        outer={{
          role: 'grid',
          'aria-label': trans.__('Parameters, one row per task'),
          'aria-rowcount': rows.length,
          'aria-multiselectable': readOnly ? undefined : true,
          // The header follows the rows when wide columns scroll sideways.
          onScroll: (e: React.UIEvent<HTMLDivElement>) => {
            if (headWrap.current) {
              headWrap.current.scrollLeft = e.currentTarget.scrollLeft;
            }
          },
        }}
        renderRow={(r, style) => (
          <GridRow
            key={r}
            index={r}
            row={rows[r] ?? {}}
            style={style}
            template={template}
            minWidth={minWidth}
            schema={schema}
            columns={columns}
            errors={props.errors}
            shared={props.shared}
            readOnly={readOnly}
            selected={selection.selected.has(r)}
            pickers={pickers}
            handlers={handlers}
          />
        )}
      />
      <GridFoot
        rowCount={rows.length}
        readOnly={readOnly}
        selectedCount={selection.selected.size}
        notice={clipboard.notice}
        onAdd={() => {
          onChange(appendRow(rows));
          keys.focusLater(rows.length, 0);
          list.current?.scrollToIndex(rows.length);
        }}
        onDeleteSelected={() => {
          onChange(deleteSelected(rows, selection));
          setSelection(NO_SELECTION);
        }}
        onClearSelection={() => setSelection(NO_SELECTION)}
      />
    </div>
  );
}
