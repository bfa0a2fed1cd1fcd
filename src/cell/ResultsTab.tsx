/**
 * Results tab: the fan-in's output first, then a table of the rows' results (one line
 * per row: key parameters, status, the app's declared output properties, work dir),
 * sortable by any column, to copy as TSV or download as CSV (src/model/results.ts).
 */
import * as React from 'react';
import type { JobStatus, JSONSchema } from '../api/types';
import { copyText, downloadText } from '../components/clipboard';
import { useSignal, useView } from '../components/context';
import { SortHeader } from '../components/SortHeader';
import { reasonOf, StatusBadge, statusLabel } from '../components/status';
import { useApps } from '../components/useServer';
import { VirtualList } from '../components/virtual';
import { WorkDirLink } from '../components/WorkDirLink';
import {
  cellValue,
  resultColumns,
  resultMatrix,
  resultRows,
  showValue,
  sortResultRows,
  toCSVText,
  toTSV,
  type ResultColumn,
  type ResultRow,
} from '../model/results';
import { nextSort, type SortState } from '../model/sort';
import type { BatchModel } from './model';

const ROW_H = 28;

/** Grid track of a column and the width it needs at least (for horizontal scrolling). */
function track(c: ResultColumn): [string, number] {
  switch (c.kind) {
    case 'row':
      return ['56px', 56];
    case 'status':
      return ['96px', 96];
    case 'param':
      return ['minmax(96px, 1.5fr)', 96];
    case 'out':
      return c.numeric ? ['minmax(64px, 1fr)', 64] : ['minmax(96px, 1.5fr)', 96];
    case 'output':
      return ['minmax(160px, 3fr)', 160];
    case 'workdir':
      return ['minmax(140px, 2fr)', 140];
  }
}

export function ResultsTab(props: { model: BatchModel }): JSX.Element {
  const { bulkrun, trans } = useView();
  const { model } = props;
  useSignal(model.changed);
  const apps = useApps(bulkrun.client);
  const [sort, setSort] = React.useState<SortState | null>(null);
  const [message, setMessage] = React.useState('');
  const fanIn = model.fanIn;
  const rows = model.rows;
  const appId = model.batch?.app;
  const app = apps.data?.find(a => a.id === appId) ?? null;
  const withOutput = rows.filter(r => r && r.output !== null && r.output !== undefined).length;

  const columns = React.useMemo(
    () =>
      resultColumns(
        app?.parameters ?? null,
        (app?.outputs as JSONSchema | undefined) ?? null,
        rows
      ),
    // model.version changes on every applied event.
    [app, model.version]
  );
  const sorted: ResultRow[] = React.useMemo(
    () => sortResultRows(resultRows(rows), columns, sort),
    [columns, sort]
  );

  const header = (c: ResultColumn): string => {
    switch (c.kind) {
      case 'row':
        return trans.__('Row');
      case 'status':
        return trans.__('Status');
      case 'output':
        return trans.__('Output');
      case 'workdir':
        return trans.__('Work dir');
      default:
        return c.name ?? '';
    }
  };
  const matrix = () =>
    resultMatrix(columns, sorted, header, (s: JobStatus) => statusLabel(s, trans));
  const say = (m: string) => {
    setMessage(m);
    setTimeout(() => setMessage(cur => (cur === m ? '' : cur)), 3000);
  };
  const copy = async () => {
    try {
      await copyText(toTSV(matrix()));
      say(trans._n('Copied %1 row', 'Copied %1 rows', sorted.length));
    } catch (e) {
      say(trans.__('Could not copy: %1', (e as Error).message));
    }
  };
  const download = () => {
    downloadText(toCSVText(matrix()), `${appId || 'bulkrun'}-results.csv`, 'text/csv');
  };

  const tracks = columns.map(track);
  const gridTemplate = tracks.map(t => t[0]).join(' ');
  const minWidth = tracks.reduce((a, t) => a + t[1], 0);

  const renderCell = (c: ResultColumn, r: ResultRow): React.ReactNode => {
    const j = r.job;
    const numeric = c.numeric ? ' jp-mod-numeric' : '';
    switch (c.kind) {
      case 'row':
        return (
          <div key={c.id} role="cell" className="jp-Bulkrun-rownum">
            {r.index + 1}
          </div>
        );
      case 'status': {
        const reason = j ? reasonOf(j, trans) : '';
        return (
          <div key={c.id} role="cell" title={reason || undefined}>
            {j ? <StatusBadge status={j.status} trans={trans} /> : null}
          </div>
        );
      }
      case 'workdir':
        return (
          <div key={c.id} role="cell" className="jp-Bulkrun-workdircell">
            {j?.workDir ? (
              <WorkDirLink workDir={j.workDir} label={trans.__('row %1', r.index + 1)} />
            ) : null}
          </div>
        );
      case 'output': {
        const text = showValue(cellValue(c, r));
        const reason = !text && j && !c.rawOnly ? reasonOf(j, trans) : '';
        return (
          <div key={c.id} role="cell" className="jp-Bulkrun-ellipsis" title={text || reason}>
            {text ? (
              <code>{text}</code>
            ) : reason ? (
              <span className="jp-Bulkrun-muted">{reason}</span>
            ) : null}
          </div>
        );
      }
      default: {
        const text = showValue(cellValue(c, r));
        return (
          <div key={c.id} role="cell" className={`jp-Bulkrun-ellipsis${numeric}`} title={text}>
            {c.kind === 'out' ? <code>{text}</code> : text}
          </div>
        );
      }
    }
  };

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
        <div className="jp-Bulkrun-resultshead">
          <h3>
            {trans.__('Row outputs')}{' '}
            <span className="jp-Bulkrun-muted">
              {trans.__('(%1 of %2 rows have output)', withOutput, rows.length)}
            </span>
          </h3>
          <div className="jp-Bulkrun-toolbar" role="toolbar" aria-label={trans.__('Results')}>
            <button
              className="jp-Bulkrun-button"
              disabled={!rows.length}
              title={trans.__('Copy the table, tab-separated, for a spreadsheet')}
              onClick={() => void copy()}
            >
              {trans.__('Copy')}
            </button>
            <button className="jp-Bulkrun-button" disabled={!rows.length} onClick={download}>
              {trans.__('Download CSV')}
            </button>
            <span className="jp-Bulkrun-muted" aria-live="polite">
              {message}
            </span>
          </div>
        </div>
        <div className="jp-Bulkrun-resulttable-scroll">
          <div
            className="jp-Bulkrun-table jp-Bulkrun-resulttable"
            role="table"
            aria-label={trans.__('Row outputs')}
            aria-rowcount={sorted.length + 1}
            style={{ minWidth }}
          >
            <div
              className="jp-Bulkrun-table-head"
              role="row"
              aria-rowindex={1}
              style={{ gridTemplateColumns: gridTemplate }}
            >
              {columns.map(c => (
                <SortHeader
                  key={c.id}
                  id={c.id}
                  label={header(c)}
                  sort={sort}
                  onSort={id => setSort(s => nextSort(s, id))}
                  title={c.title ? `${c.title} (${c.name})` : undefined}
                  className={c.numeric ? 'jp-mod-numeric' : undefined}
                />
              ))}
            </div>
            <VirtualList
              count={sorted.length}
              rowHeight={ROW_H}
              maxHeight={ROW_H * 12}
              outer={{ role: 'rowgroup', tabIndex: 0, 'aria-label': trans.__('Rows') }}
              renderRow={(i, style) => {
                const r = sorted[i];
                return (
                  <div
                    key={r.index}
                    role="row"
                    aria-rowindex={i + 2}
                    className="jp-Bulkrun-resultrow"
                    style={{ ...style, display: 'grid', gridTemplateColumns: gridTemplate }}
                  >
                    {columns.map(c => renderCell(c, r))}
                  </div>
                );
              }}
            />
          </div>
        </div>
      </section>
    </div>
  );
}
