/**
 * The parameter grid: one row per task, one typed column per app parameter, inline
 * validation, spreadsheet paste, keyboard navigation (arrows, Enter) and row
 * add/duplicate/delete. Virtualized so thousands of rows stay fast.
 */
import { closeIcon, copyIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { JSONSchema, RowError } from '../api/types';
import { useView } from '../components/context';
import { VirtualList, type VirtualListHandle } from '../components/virtual';
import { detectDelimiter, paramTitles, parseDelimited, tableToRows } from '../model/delimited';
import { mainType } from '../model/validate';

const ROW_H = 30;

export interface GridProps {
  schema: JSONSchema;
  rows: Record<string, string>[];
  shared: Record<string, string>;
  errors: Map<string, string>;
  readOnly: boolean;
  onChange: (rows: Record<string, string>[]) => void;
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
  const { trans } = useView();
  const { schema, rows, readOnly } = props;
  const columns = Object.keys(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const list = React.useRef<VirtualListHandle>(null);
  const root = React.useRef<HTMLDivElement>(null);
  const pendingFocus = React.useRef<[number, number] | null>(null);
  const [notice, setNotice] = React.useState('');

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

  const setCell = (r: number, name: string, v: string) => {
    const next = rows.slice();
    next[r] = { ...next[r], [name]: v };
    props.onChange(next);
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

  const gridTemplate = `48px repeat(${Math.max(1, columns.length)}, minmax(120px, 1fr)) ${readOnly ? '' : '64px'}`;

  return (
    <div ref={root} className="jp-Bulkrun-grid" data-lm-suppress-shortcuts="true">
      <div
        className="jp-Bulkrun-grid-head"
        style={{ gridTemplateColumns: gridTemplate }}
        role="row"
      >
        <div role="columnheader">#</div>
        {columns.map(c => (
          <div
            role="columnheader"
            key={c}
            title={schema.properties?.[c].description ?? c}
            className="jp-Bulkrun-grid-colhead"
          >
            {schema.properties?.[c].title ?? c}
            {required.has(c) ? (
              <span className="jp-Bulkrun-required" aria-label={trans.__('required')}>
                *
              </span>
            ) : null}
            <span className="jp-Bulkrun-coltype">{mainType(schema.properties?.[c] ?? {})}</span>
          </div>
        ))}
        {readOnly ? null : <div role="columnheader" aria-label={trans.__('Row actions')} />}
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
        }}
        renderRow={(r, style) => {
          const row = rows[r] ?? {};
          const rowHasError = columns.some(c => props.errors.has(errorKey(r, c)));
          return (
            <div
              key={r}
              role="row"
              aria-rowindex={r + 1}
              className={`jp-Bulkrun-grid-row${rowHasError ? ' jp-mod-invalid' : ''}`}
              style={{ ...style, display: 'grid', gridTemplateColumns: gridTemplate }}
            >
              <div role="rowheader" className="jp-Bulkrun-rownum">
                {r + 1}
              </div>
              {columns.map((c, ci) => {
                const s = schema.properties![c];
                const err = props.errors.get(errorKey(r, c));
                const sharedValue = props.shared[c];
                return (
                  <div role="gridcell" key={c} className="jp-Bulkrun-grid-cell">
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
                      }}
                    />
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
