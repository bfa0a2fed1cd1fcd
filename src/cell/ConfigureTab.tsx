/**
 * Configure tab: app picker, parameter grid, shared values, resources (tasks and
 * fan-in), backend, fan-in app and policy, and Run with every reason it is disabled.
 * Its parts are in src/cell/configure/.
 */
import * as React from 'react';
import type { AppDefinition, HealthReport, JSONSchema, RowError } from '../api/types';
import { useView } from '../components/context';
import { lockedNote } from '../model/configure';
import type { Draft, DraftCheck } from '../model/draft';
import { paramNames } from '../model/validate';
import { AppRow } from './configure/AppRow';
import { Options } from './configure/Options';
import { RowsToolbar } from './configure/RowsToolbar';
import { RunBar } from './configure/RunBar';
import { SharedParams } from './configure/SharedParams';
import { useRowActions } from './configure/useRowActions';
import { FillFromFiles } from './FillFromFiles';
import { errorKey, errorMap, ParamGrid } from './ParamGrid';
import { useRowHistory } from './useRowHistory';

export interface ConfigureProps {
  draft: Draft;
  update: (fn: (d: Draft) => Draft) => void;
  apps: AppDefinition[] | null;
  appsError: string;
  health: HealthReport | null;
  check: DraftCheck;
  serverErrors: RowError[];
  serverMessage: string;
  submitting: boolean;
  locked: boolean;
  /** The submitted batch has ended (the note then does not say it keeps running). */
  batchFinished?: boolean;
  onRun: () => void;
  onUnlock: () => void;
}

export function ConfigureTab(props: ConfigureProps): JSX.Element {
  const { trans } = useView();
  const { draft, update, apps, check, locked } = props;
  // Here rather than with the grid: the history and the fill panel outlive an app
  // whose schema is not loaded yet.
  const history = useRowHistory(draft.rows, rows => update(d => ({ ...d, rows })));
  const app = apps?.find(a => a.id === draft.app) ?? null;
  const schema: JSONSchema | null = app ? app.parameters : null;
  const columns = paramNames(schema ?? undefined);
  const actions = useRowActions(draft, update, schema, columns);
  const errors = React.useMemo(() => {
    const m = errorMap(check.rows.errors);
    for (const e of props.serverErrors) {
      m.set(errorKey(e.row, e.field), e.message);
    }
    return m;
  }, [check, props.serverErrors]);

  return (
    <div className="jp-Bulkrun-configure">
      {locked ? (
        <div className="jp-Bulkrun-note" role="note">
          {lockedNote(!!props.batchFinished, trans)}
          <button className="jp-Bulkrun-button" onClick={props.onUnlock}>
            {trans.__('Edit for a new run')}
          </button>
        </div>
      ) : null}
      <AppRow
        draft={draft}
        update={update}
        apps={apps}
        appsError={props.appsError}
        app={app}
        locked={locked}
      />

      {schema ? (
        <>
          <RowsToolbar rows={draft.rows} actions={actions} history={history} locked={locked} />
          {actions.showFill ? (
            <FillFromFiles
              columns={columns}
              onClose={actions.closeFill}
              onFill={rows => void actions.fill(rows)}
            />
          ) : null}
          <ParamGrid
            schema={schema}
            rows={draft.rows}
            shared={draft.shared}
            errors={errors}
            readOnly={locked}
            onChange={history.change}
            onUndo={history.undo}
            onRedo={history.redo}
          />
          <SharedParams
            schema={schema}
            columns={columns}
            shared={draft.shared}
            errors={errors}
            locked={locked}
            update={update}
          />
        </>
      ) : null}

      <Options
        draft={draft}
        update={update}
        apps={apps}
        app={app}
        health={props.health}
        locked={locked}
      />

      {locked ? null : (
        <RunBar
          tasks={draft.rows.length}
          check={check}
          submitting={props.submitting}
          serverMessage={props.serverMessage}
          serverErrors={props.serverErrors}
          columns={columns}
          onRun={props.onRun}
        />
      )}
    </div>
  );
}
