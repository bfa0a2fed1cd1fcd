/**
 * The parameter grid: one row per task, one typed column per app parameter, inline
 * validation, spreadsheet paste, keyboard navigation (arrows, Enter), row
 * add/duplicate/delete, row selection and deleting the selected rows, undo/redo keys,
 * resizable columns and a file picker on path cells. Virtualized so thousands of rows
 * stay fast.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { Notification } from '@jupyterlab/apputils';
import { closeIcon, copyIcon, folderIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { JSONSchema, RowError } from '../api/types';
import { useView } from '../components/context';
import { pickFile } from '../components/FilePicker';
import { VirtualList, type VirtualListHandle } from '../components/virtual';
import { gridMinWidth, gridTemplate, MIN_COLUMN_WIDTH, resizedWidth } from '../model/columns';
import { detectDelimiter, paramTitles, parseDelimited, tableToRows } from '../model/delimited';
import { pathForCell, pickerStart } from '../model/filetree';
import { historyAction } from '../model/history';
import { pathColumns } from '../model/paths';
import {
  clickRow,
  deleteSelected,
  NO_SELECTION,
  pruneSelection,
  selectAll,
  selectionState,
  type RowSelection,
} from '../model/selection';
import { mainType } from '../model/validate';
import { useNotebookDir } from './origin';

const ROW_H = 30;
const SELECT_W = 28;
const ROWNUM_W = 48;
const ACTIONS_W = 64;
/** How far a resize key press (arrow left or right) moves a column edge. */
const RESIZE_STEP = 10;

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

export function errorKey(row: number | null, field: string): string {
  return `${row ?? 'shared'}:${field}`;
}

export function errorMap(errors: RowError[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of errors) {
    const k = errorKey(e.row, e.field);
    if (!m.has(k)) {
      m.set(k, e.message);
    }
  }
  return m;
}

/** One typed input for a schema: select for enums and booleans, text otherwise. */
export function ValueInput(props: {
  schema: JSONSchema;
  value: string;
  label: string;
  error?: string;
  placeholder?: string;
  readOnly?: boolean;
  onChange: (v: string) => void;
  inputProps?: React.InputHTMLAttributes<HTMLInputElement | HTMLSelectElement> &
    Record<string, unknown>;
}): JSX.Element {
  const { schema, value, error } = props;
  const type = mainType(schema);
  const common = {
    'aria-label': props.label,
    'aria-invalid': error ? true : undefined,
    title: error ? `${props.label}: ${error}` : (schema.description ?? props.label),
    className: `jp-Bulkrun-input${error ? ' jp-mod-invalid' : ''}`,
    disabled: props.readOnly,
    ...props.inputProps,
  };
  if (schema.enum || type === 'boolean') {
    const options = schema.enum ? schema.enum.map(e => String(e)) : ['true', 'false'];
    return (
      <select {...(common as any)} value={value} onChange={e => props.onChange(e.target.value)}>
        <option value="">{props.placeholder ?? ''}</option>
        {options.map(o => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
        {value && !options.includes(value) ? <option value={value}>{value}</option> : null}
      </select>
    );
  }
  return (
    <input
      {...(common as any)}
      type="text"
      inputMode={type === 'integer' || type === 'number' ? 'decimal' : undefined}
      value={value}
      placeholder={props.placeholder}
      spellCheck={false}
      onChange={e => props.onChange(e.target.value)}
    />
  );
}

export function ParamGrid(props: GridProps): JSX.Element {
  const { trans, contents } = useView();
  const { schema, rows, readOnly } = props;
  const columns = Object.keys(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const paths = new Set(pathColumns(schema));
  const notebookDir = useNotebookDir();
  const list = React.useRef<VirtualListHandle>(null);
  const root = React.useRef<HTMLDivElement>(null);
  const headWrap = React.useRef<HTMLDivElement>(null);
  const pendingFocus = React.useRef<[number, number] | null>(null);
  const [notice, setNotice] = React.useState('');
  const [widths, setWidths] = React.useState<Record<string, number>>({});
  const drag = React.useRef<{ column: string; x: number; width: number } | null>(null);
  const [rawSelection, setSelection] = React.useState<RowSelection>(NO_SELECTION);
  const selection = pruneSelection(rawSelection, rows.length);
  // Rows added or removed shift the indices: a selection made before means other rows now.
  const rowCount = React.useRef(rows.length);
  React.useEffect(() => {
    if (rowCount.current !== rows.length) {
      rowCount.current = rows.length;
      setSelection(NO_SELECTION);
    }
  }, [rows.length]);
  // Keystrokes merge into one undo step while a cell keeps the focus.
  const editSession = React.useRef(0);
  // The rows now, for changes made after a dialog closes.
  const latestRows = React.useRef(rows);
  latestRows.current = rows;

  React.useEffect(() => {
    const f = pendingFocus.current;
    if (!f) {
      return;
    }
    const el = root.current?.querySelector<HTMLElement>(`[data-cell="${f[0]}:${f[1]}"]`);
    if (el) {
      pendingFocus.current = null;
      el.focus();
    }
  });

  const focusCell = (r: number, c: number) => {
    pendingFocus.current = [r, c];
    list.current?.scrollToIndex(r);
    // The row may be rendered already; if not the effect focuses it after render.
    const el = root.current?.querySelector<HTMLElement>(`[data-cell="${r}:${c}"]`);
    if (el) {
      pendingFocus.current = null;
      el.focus();
    } else {
      requestAnimationFrame(() => {
        const again = root.current?.querySelector<HTMLElement>(`[data-cell="${r}:${c}"]`);
        if (again && pendingFocus.current) {
          pendingFocus.current = null;
          again.focus();
        }
      });
    }
  };

  const setCell = (r: number, name: string, v: string, merge = true) => {
    const next = latestRows.current.slice();
    next[r] = { ...next[r], [name]: v };
    props.onChange(next, merge ? `cell:${r}:${name}:${editSession.current}` : undefined);
  };

  /** The history keys, for the whole grid; they never reach the notebook. */
  const onGridKeyDown = (e: React.KeyboardEvent) => {
    const action = historyAction(e);
    if (!action || readOnly) {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (action === 'undo') {
      props.onUndo?.();
    } else {
      props.onRedo?.();
    }
  };

  const pickPath = async (r: number, c: number) => {
    if (!contents) {
      return;
    }
    const name = columns[c];
    const serverRoot = PageConfig.getOption('serverRoot') || undefined;
    const start = pickerStart(rows[r]?.[name] ?? '', notebookDir, serverRoot);
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
    setCell(r, name, value, false);
    focusCell(r, c);
  };

  const onSelectClick = (r: number, checkbox: boolean) => (e: React.MouseEvent) => {
    setSelection(
      clickRow(selection, r, { shift: e.shiftKey, toggle: e.ctrlKey || e.metaKey, checkbox })
    );
  };
  const allSelected = selectionState(selection, rows.length);
  const selectAllBox = React.useRef<HTMLInputElement>(null);
  React.useEffect(() => {
    if (selectAllBox.current) {
      selectAllBox.current.indeterminate = allSelected === 'some';
    }
  }, [allSelected]);

  const startResize = (column: string) => (e: React.PointerEvent<HTMLElement>) => {
    if (e.button !== 0) {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    const head = e.currentTarget.parentElement;
    drag.current = {
      column,
      x: e.clientX,
      width: widths[column] ?? head?.getBoundingClientRect().width ?? MIN_COLUMN_WIDTH,
    };
    e.currentTarget.setPointerCapture?.(e.pointerId);
  };
  const moveResize = (e: React.PointerEvent<HTMLElement>) => {
    const d = drag.current;
    if (d) {
      setWidths(w => ({ ...w, [d.column]: resizedWidth(d.width, e.clientX - d.x) }));
    }
  };
  const endResize = (e: React.PointerEvent<HTMLElement>) => {
    if (drag.current) {
      drag.current = null;
      e.currentTarget.releasePointerCapture?.(e.pointerId);
    }
  };
  const resizeKey = (column: string) => (e: React.KeyboardEvent<HTMLElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') {
      return;
    }
    e.preventDefault();
    const start =
      widths[column] ?? e.currentTarget.parentElement?.getBoundingClientRect().width ?? 0;
    const step = e.key === 'ArrowLeft' ? -RESIZE_STEP : RESIZE_STEP;
    setWidths(w => ({ ...w, [column]: resizedWidth(start, step) }));
  };

  const onKeyDown = (r: number, c: number) => (e: React.KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }
    const isSelect = (e.target as HTMLElement).tagName === 'SELECT';
    if ((e.key === 'ArrowDown' && !isSelect) || (e.key === 'Enter' && !e.shiftKey)) {
      e.preventDefault();
      if (r + 1 >= rows.length) {
        if (e.key === 'Enter' && !readOnly) {
          props.onChange([...rows, {}]);
          pendingFocus.current = [r + 1, c];
        }
        return;
      }
      focusCell(r + 1, c);
    } else if ((e.key === 'ArrowUp' && !isSelect) || (e.key === 'Enter' && e.shiftKey)) {
      e.preventDefault();
      if (r > 0) {
        focusCell(r - 1, c);
      }
    }
  };

  /** A pasted block (several cells or lines) fills the grid from the focused cell. */
  const onPaste = (r: number, c: number) => (e: React.ClipboardEvent) => {
    if (readOnly) {
      return;
    }
    const text = e.clipboardData.getData('text/plain');
    if (!text || (!text.includes('\t') && !text.includes('\n'))) {
      return;
    }
    e.preventDefault();
    const table = parseDelimited(text, detectDelimiter(text));
    const parsed = tableToRows(table, columns.slice(c), paramTitles(schema));
    const next = rows.slice();
    // A block pasted into a fresh grid replaces its single empty row.
    const start = rows.length === 1 && Object.values(rows[0]).every(v => !v) ? 0 : r;
    parsed.rows.forEach((pr, i) => {
      next[start + i] = { ...(next[start + i] ?? {}), ...pr };
    });
    props.onChange(next);
    setNotice(
      trans.__('Pasted %1 rows', parsed.rows.length) +
        (parsed.header ? trans.__(' (header row matched)') : '') +
        (parsed.unknownColumns.length
          ? trans.__('; ignored columns: %1', parsed.unknownColumns.join(', '))
          : '')
    );
  };

  const tracks = {
    lead: readOnly ? [ROWNUM_W] : [SELECT_W, ROWNUM_W],
    trail: readOnly ? [] : [ACTIONS_W],
  };
  const template = gridTemplate(columns, widths, tracks);
  const minWidth = gridMinWidth(columns, widths, tracks);
  const selectedCount = selection.selected.size;

  return (
    <div
      ref={root}
      className="jp-Bulkrun-grid"
      data-lm-suppress-shortcuts="true"
      onKeyDown={onGridKeyDown}
    >
      <div ref={headWrap} className="jp-Bulkrun-grid-headwrap">
        <div
          className="jp-Bulkrun-grid-head"
          style={{ gridTemplateColumns: template, minWidth }}
          role="row"
        >
          {readOnly ? null : (
            <div role="columnheader" className="jp-Bulkrun-rowselect">
              <input
                ref={selectAllBox}
                type="checkbox"
                checked={allSelected === 'all'}
                aria-label={trans.__('Select all rows')}
                title={trans.__('Select all rows')}
                onChange={() =>
                  setSelection(allSelected === 'all' ? NO_SELECTION : selectAll(rows.length))
                }
              />
            </div>
          )}
          <div role="columnheader">#</div>
          {columns.map(c => {
            const title = schema.properties?.[c].title ?? c;
            return (
              <div
                role="columnheader"
                key={c}
                title={schema.properties?.[c].description ?? c}
                className="jp-Bulkrun-grid-colhead"
              >
                {title}
                {required.has(c) ? (
                  <span className="jp-Bulkrun-required" aria-label={trans.__('required')}>
                    *
                  </span>
                ) : null}
                <span className="jp-Bulkrun-coltype">{mainType(schema.properties?.[c] ?? {})}</span>
                <span
                  className="jp-Bulkrun-colresize"
                  role="separator"
                  aria-orientation="vertical"
                  aria-label={trans.__('Resize column %1', title)}
                  aria-valuemin={MIN_COLUMN_WIDTH}
                  aria-valuenow={widths[c]}
                  title={trans.__('Drag to resize; double-click for the automatic width')}
                  tabIndex={0}
                  onPointerDown={startResize(c)}
                  onPointerMove={moveResize}
                  onPointerUp={endResize}
                  onPointerCancel={endResize}
                  onKeyDown={resizeKey(c)}
                  onDoubleClick={() =>
                    setWidths(w => {
                      const next = { ...w };
                      delete next[c];
                      return next;
                    })
                  }
                />
              </div>
            );
          })}
          {readOnly ? null : <div role="columnheader" aria-label={trans.__('Row actions')} />}
        </div>
      </div>
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
        renderRow={(r, style) => {
          const row = rows[r] ?? {};
          const rowHasError = columns.some(c => props.errors.has(errorKey(r, c)));
          const selected = selection.selected.has(r);
          return (
            <div
              key={r}
              role="row"
              aria-rowindex={r + 1}
              aria-selected={readOnly ? undefined : selected}
              className={`jp-Bulkrun-grid-row${rowHasError ? ' jp-mod-invalid' : ''}${selected ? ' jp-mod-selected' : ''}`}
              style={{ ...style, display: 'grid', gridTemplateColumns: template, minWidth }}
            >
              {readOnly ? null : (
                <div role="gridcell" className="jp-Bulkrun-rowselect">
                  <input
                    type="checkbox"
                    checked={selected}
                    aria-label={trans.__('Select row %1', r + 1)}
                    onClick={onSelectClick(r, true)}
                    onChange={() => undefined}
                  />
                </div>
              )}
              <div
                role="rowheader"
                className={`jp-Bulkrun-rownum${readOnly ? '' : ' jp-mod-selectable'}`}
                title={
                  readOnly ? undefined : trans.__('Click to select; Shift or Ctrl-click for more')
                }
                onClick={readOnly ? undefined : onSelectClick(r, false)}
              >
                {r + 1}
              </div>
              {columns.map((c, ci) => {
                const s = schema.properties![c];
                const err = props.errors.get(errorKey(r, c));
                const sharedValue = props.shared[c];
                const picker = paths.has(c) && !readOnly && !!contents;
                return (
                  <div
                    role="gridcell"
                    key={c}
                    className={`jp-Bulkrun-grid-cell${picker ? ' jp-mod-path' : ''}`}
                  >
                    <ValueInput
                      schema={s}
                      value={row[c] ?? ''}
                      label={trans.__('Row %1, %2', r + 1, c)}
                      error={err}
                      readOnly={readOnly}
                      placeholder={
                        sharedValue
                          ? trans.__('shared: %1', sharedValue)
                          : s.default !== undefined
                            ? trans.__('default: %1', String(s.default))
                            : undefined
                      }
                      onChange={v => setCell(r, c, v)}
                      inputProps={{
                        'data-cell': `${r}:${ci}`,
                        onKeyDown: onKeyDown(r, ci),
                        onPaste: onPaste(r, ci),
                        onFocus: () => {
                          editSession.current++;
                        },
                      }}
                    />
                    {picker ? (
                      <button
                        className="jp-Bulkrun-iconbutton jp-Bulkrun-pathpick"
                        aria-label={trans.__('Choose a file for row %1, %2', r + 1, c)}
                        title={trans.__('Choose a file')}
                        onClick={() => void pickPath(r, ci)}
                      >
                        <folderIcon.react tag="span" elementSize="small" />
                      </button>
                    ) : null}
                    {err ? <span className="jp-Bulkrun-cellerror">{err}</span> : null}
                  </div>
                );
              })}
              {readOnly ? null : (
                <div role="gridcell" className="jp-Bulkrun-rowactions">
                  <button
                    className="jp-Bulkrun-iconbutton"
                    aria-label={trans.__('Duplicate row %1', r + 1)}
                    title={trans.__('Duplicate row')}
                    onClick={() => {
                      const next = rows.slice();
                      next.splice(r + 1, 0, { ...row });
                      props.onChange(next);
                    }}
                  >
                    <copyIcon.react tag="span" elementSize="small" />
                  </button>
                  <button
                    className="jp-Bulkrun-iconbutton"
                    aria-label={trans.__('Delete row %1', r + 1)}
                    title={trans.__('Delete row')}
                    onClick={() => {
                      const next = rows.slice();
                      next.splice(r, 1);
                      props.onChange(next.length ? next : [{}]);
                    }}
                  >
                    <closeIcon.react tag="span" elementSize="small" />
                  </button>
                </div>
              )}
            </div>
          );
        }}
      />
      <div className="jp-Bulkrun-grid-foot">
        {readOnly ? null : (
          <button
            className="jp-Bulkrun-button"
            onClick={() => {
              props.onChange([...rows, {}]);
              pendingFocus.current = [rows.length, 0];
              list.current?.scrollToIndex(rows.length);
            }}
          >
            {trans.__('+ Add row')}
          </button>
        )}
        {!readOnly && selectedCount ? (
          <>
            <button
              className="jp-Bulkrun-button jp-mod-warn"
              onClick={() => {
                props.onChange(deleteSelected(rows, selection));
                setSelection(NO_SELECTION);
              }}
            >
              {trans._n('Delete %1 selected row', 'Delete %1 selected rows', selectedCount)}
            </button>
            <button className="jp-Bulkrun-linkbutton" onClick={() => setSelection(NO_SELECTION)}>
              {trans.__('Clear selection')}
            </button>
          </>
        ) : null}
        <span className="jp-Bulkrun-muted">
          {trans._n('%1 row', '%1 rows', rows.length)}
          {readOnly ? '' : ' · ' + trans.__('paste a block from a spreadsheet into any cell')}
        </span>
        {notice ? (
          <span className="jp-Bulkrun-muted" role="status">
            {notice}
          </span>
        ) : null}
      </div>
    </div>
  );
}
