/** Run, every reason it is disabled, and what the server said of the last submission. */
import * as React from 'react';
import type { RowError } from '../../api/types';
import { useView } from '../../components/context';
import { errorsOutsideGrid, rowErrorText, runLabel } from '../../model/configure';
import type { DraftCheck } from '../../model/draft';

export function RunBar(props: {
  tasks: number;
  check: DraftCheck;
  submitting: boolean;
  serverMessage: string;
  serverErrors: RowError[];
  /** The grid's columns: errors of these fields show at their cells instead. */
  columns: string[];
  onRun: () => void;
}): JSX.Element {
  const { trans } = useView();
  const { check } = props;
  const outside = errorsOutsideGrid(props.serverErrors, props.columns);
  // One per cell: a page may show several bulk-run cells.
  const problemsId = React.useId();
  return (
    <div className="jp-Bulkrun-runbar">
      <button
        className="jp-Bulkrun-button jp-mod-accept jp-Bulkrun-run"
        disabled={!check.spec || props.submitting}
        aria-describedby={check.problems.length ? problemsId : undefined}
        onClick={props.onRun}
      >
        {runLabel(props.submitting, props.tasks, trans)}
      </button>
      {check.problems.length ? (
        <ul
          id={problemsId}
          className="jp-Bulkrun-problems"
          aria-label={trans.__('Why Run is disabled')}
        >
          {check.problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      ) : null}
      {props.serverMessage ? (
        <div className="jp-Bulkrun-error" role="alert">
          {props.serverMessage}
          {outside.length ? (
            <ul>
              {outside.map((e, i) => (
                <li key={i}>{rowErrorText(e, trans)}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
