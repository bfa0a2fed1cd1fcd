/** Values for every row of the grid; a row's own value wins. */
import * as React from 'react';
import type { JSONSchema } from '../../api/types';
import { useView } from '../../components/context';
import { hasSharedValues } from '../../model/configure';
import type { Draft } from '../../model/draft';
import { errorKey, ValueInput } from '../ParamGrid';

export function SharedParams(props: {
  schema: JSONSchema;
  columns: string[];
  shared: Record<string, string>;
  /** By `errorKey` (src/cell/ParamGrid.tsx); shared values have row null. */
  errors: Map<string, string>;
  locked: boolean;
  update: (fn: (d: Draft) => Draft) => void;
}): JSX.Element {
  const { trans } = useView();
  const { schema, shared, errors, locked, update } = props;
  return (
    <details className="jp-Bulkrun-section" open={hasSharedValues(shared) || undefined}>
      <summary>{trans.__('Shared parameters (applied to every row; a row value wins)')}</summary>
      <div className="jp-Bulkrun-fieldrow">
        {props.columns.map(c => {
          const err = errors.get(errorKey(null, c));
          return (
            <label key={c} className="jp-Bulkrun-field">
              <span>{c}</span>
              <ValueInput
                schema={schema.properties![c]}
                label={trans.__('Shared %1', c)}
                value={shared[c] ?? ''}
                error={err}
                readOnly={locked}
                onChange={v => update(d => ({ ...d, shared: { ...d.shared, [c]: v } }))}
              />
              {err ? <span className="jp-Bulkrun-fielderror">{err}</span> : null}
            </label>
          );
        })}
      </div>
    </details>
  );
}
