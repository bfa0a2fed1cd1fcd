/** Results tab: the fan-in's output first, then each row's output. */
import * as React from 'react';
import { useSignal, useView } from '../components/context';
import { reasonOf, StatusBadge } from '../components/status';
import { VirtualList } from '../components/virtual';
import type { BatchModel } from './model';

function show(v: unknown): string {
  if (v === null || v === undefined) {
    return '';
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function ResultsTab(props: { model: BatchModel }): JSX.Element {
  const { trans } = useView();
  const { model } = props;
  useSignal(model.changed);
  const fanIn = model.fanIn;
  const rows = model.rows;
  const withOutput = rows.filter(r => r && r.output !== null && r.output !== undefined).length;
  return (
    <div className="jp-Bulkrun-results">
      <section aria-label={trans.__('Fan-in result')}>
        <h3>{trans.__('Fan-in result')}</h3>
        {fanIn ? (
          <>
            <div>
              <StatusBadge status={fanIn.status} trans={trans} />{' '}
              <span className="jp-Bulkrun-muted">{reasonOf(fanIn, trans)}</span>
            </div>
            {fanIn.output !== null && fanIn.output !== undefined ? (
              <pre className="jp-Bulkrun-output jp-Bulkrun-faninoutput">
                {JSON.stringify(fanIn.output, null, 2)}
              </pre>
            ) : (
              <p className="jp-Bulkrun-muted">{trans.__('No output yet.')}</p>
            )}
          </>
        ) : (
          <p className="jp-Bulkrun-muted">
            {model.batch?.fanIn
              ? trans.__('The fan-in has not started yet.')
              : trans.__('This batch has no fan-in.')}
          </p>
        )}
      </section>
      <section aria-label={trans.__('Row outputs')}>
        <h3>
          {trans.__('Row outputs')}{' '}
          <span className="jp-Bulkrun-muted">
            {trans.__('(%1 of %2 rows have output)', withOutput, rows.length)}
          </span>
        </h3>
        <VirtualList
          count={rows.length}
          rowHeight={28}
          maxHeight={28 * 12}
          outer={{ role: 'list', 'aria-label': trans.__('Row outputs'), tabIndex: 0 }}
          renderRow={(i, style) => {
            const r = rows[i];
            return (
              <div key={i} role="listitem" className="jp-Bulkrun-resultrow" style={style}>
                <span className="jp-Bulkrun-rownum">{i + 1}</span>
                {r ? <StatusBadge status={r.status} trans={trans} /> : null}
                <code className="jp-Bulkrun-ellipsis" title={show(r?.output)}>
                  {r ? show(r.output) || reasonOf(r, trans) : ''}
                </code>
              </div>
            );
          }}
        />
      </section>
    </div>
  );
}
