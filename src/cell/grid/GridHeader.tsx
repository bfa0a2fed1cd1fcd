/**
 * The parameter grid's header row: the select-all checkbox, a heading per parameter
 * (title, required mark, type and a resize handle, src/cell/grid/useColumnResize.ts) and
 * the row actions' column. It scrolls sideways with the rows (src/cell/ParamGrid.tsx).
 */
import * as React from 'react';
import type { JSONSchema } from '../../api/types';
import { useView } from '../../components/context';
import { MIN_COLUMN_WIDTH } from '../../model/columns';
import { mainType } from '../../model/validate';
import type { ColumnResize } from './useColumnResize';

function ColumnHead(props: {
  name: string;
  schema: JSONSchema;
  required: boolean;
  width?: number;
  resize: ColumnResize;
}): JSX.Element {
  const { trans } = useView();
  const { name: c, schema: s } = props;
  const title = s.title ?? c;
  return (
    <div role="columnheader" title={s.description ?? c} className="jp-Bulkrun-grid-colhead">
      {title}
      {props.required ? (
        <span className="jp-Bulkrun-required" aria-label={trans.__('required')}>
          *
        </span>
      ) : null}
      <span className="jp-Bulkrun-coltype">{mainType(s)}</span>
      <span
        className="jp-Bulkrun-colresize"
        role="separator"
        aria-orientation="vertical"
        aria-label={trans.__('Resize column %1', title)}
        aria-valuemin={MIN_COLUMN_WIDTH}
        aria-valuenow={props.width}
        title={trans.__('Drag to resize; double-click for the automatic width')}
        tabIndex={0}
        {...props.resize.handle(c)}
      />
    </div>
  );
}

export function GridHeader(props: {
  headWrap: React.RefObject<HTMLDivElement>;
  schema: JSONSchema;
  columns: string[];
  readOnly: boolean;
  template: string;
  minWidth: number;
  allSelected: 'none' | 'some' | 'all';
  onToggleAll: () => void;
  resize: ColumnResize;
}): JSX.Element {
  const { trans } = useView();
  const { schema, allSelected } = props;
  const required = new Set(schema.required ?? []);
  const selectAllBox = React.useRef<HTMLInputElement>(null);
  // Indeterminate is a property only, not an attribute React sets.
  React.useEffect(() => {
    if (selectAllBox.current) {
      selectAllBox.current.indeterminate = allSelected === 'some';
    }
  }, [allSelected]);
  return (
    <div ref={props.headWrap} className="jp-Bulkrun-grid-headwrap">
      <div
        className="jp-Bulkrun-grid-head"
        style={{ gridTemplateColumns: props.template, minWidth: props.minWidth }}
        role="row"
      >
        {props.readOnly ? null : (
          <div role="columnheader" className="jp-Bulkrun-rowselect">
            <input
              ref={selectAllBox}
              type="checkbox"
              checked={allSelected === 'all'}
              aria-label={trans.__('Select all rows')}
              title={trans.__('Select all rows')}
              onChange={props.onToggleAll}
            />
          </div>
        )}
        <div role="columnheader">#</div>
        {props.columns.map(c => (
          <ColumnHead
            key={c}
            name={c}
            schema={schema.properties?.[c] ?? {}}
            required={required.has(c)}
            width={props.resize.widths[c]}
            resize={props.resize}
          />
        ))}
        {props.readOnly ? null : <div role="columnheader" aria-label={trans.__('Row actions')} />}
      </div>
    </div>
  );
}
