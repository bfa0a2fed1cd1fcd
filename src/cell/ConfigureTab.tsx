/**
 * Configure tab: app picker, parameter grid, shared values, resources (tasks and
 * fan-in), backend, fan-in app and policy, and Run with every reason it is disabled.
 */
import { Notification } from '@jupyterlab/apputils';
import { redoIcon, undoIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { AppDefinition, HealthReport, JSONSchema, Resources, RowError } from '../api/types';
import { choose } from '../components/confirm';
import { useView } from '../components/context';
import { pickFile } from '../components/FilePicker';
import { appLabel, searchFromInput, shownText, typedCharacter } from '../model/apppicker';
import { paramTitles, toCSV } from '../model/delimited';
import { fillChoice } from '../model/confirm';
import { isImportableName, isSpreadsheetName } from '../model/filetree';
import { bytesOfModel, importDelimited, importSheet, textOfModel } from '../model/importtext';
import { readFirstSheet } from '../components/xlsx';
import { RESOURCE_FIELDS, typedResources, type Draft, type DraftCheck } from '../model/draft';
import {
  fillRows,
  hasValues,
  restoreRows,
  rowHasValues,
  type FillMode,
  type Row,
} from '../model/rows';
import { paramNames } from '../model/validate';
import { FillFromFiles } from './FillFromFiles';
import { useNotebookDir } from './origin';
import { errorKey, errorMap, ParamGrid, ValueInput } from './ParamGrid';
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

function AppPicker(props: {
  apps: AppDefinition[] | null;
  value: string;
  disabled: boolean;
  label: string;
  onChange: (id: string) => void;
}): JSX.Element {
  const { trans } = useView();
  const [query, setQuery] = React.useState('');
  const [open, setOpen] = React.useState(false);
  const [active, setActive] = React.useState(0);
  // Whether the box holds the user's search; until then it shows the chosen app.
  const [typing, setTyping] = React.useState(false);
  const justFocused = React.useRef(false);
  const focused = React.useRef(false);
  const apps = props.apps ?? [];
  const current = apps.find(a => a.id === props.value);
  const chosen = current ? appLabel(current) : null;
  const q = (typing || chosen === null ? query : '').trim().toLowerCase();
  // Id and title matches rank before description matches.
  const score = (a: AppDefinition): number => {
    if (!q) {
      return 1;
    }
    const id = a.id.toLowerCase();
    const title = a.title.toLowerCase();
    if (id === q || id.startsWith(q) || title.startsWith(q)) {
      return 4;
    }
    if (id.includes(q) || title.includes(q)) {
      return 3;
    }
    return a.description.toLowerCase().includes(q) ? 1 : 0;
  };
  const matches = apps
    .map(a => ({ a, s: score(a) }))
    .filter(x => x.s > 0)
    .sort((x, y) => y.s - x.s)
    .map(x => x.a);
  const choose = (a: AppDefinition) => {
    props.onChange(a.id);
    setOpen(false);
    setQuery('');
    setTyping(false);
  };
  const search = (text: string) => {
    setQuery(text);
    setTyping(true);
    setOpen(true);
    setActive(0);
  };
  const listId = React.useId();
  return (
    <div className="jp-Bulkrun-apppicker">
      <input
        className="jp-Bulkrun-input"
        role="combobox"
        aria-label={props.label}
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        disabled={props.disabled}
        placeholder={chosen ?? trans.__('Search apps…')}
        value={shownText({ typing, query, chosen })}
        onFocus={e => {
          // The chosen app's label is selected, so what is typed replaces it.
          focused.current = true;
          setOpen(true);
          setTyping(false);
          if (chosen !== null) {
            setQuery('');
            // Unfiltered, the list is in app order: Enter keeps the chosen app.
            setActive(Math.max(0, apps.indexOf(current!)));
          }
          e.currentTarget.select();
          justFocused.current = true;
        }}
        onMouseUp={e => {
          // Keep the selection made on focus instead of placing the caret.
          if (justFocused.current) {
            justFocused.current = false;
            e.preventDefault();
          }
        }}
        onBlur={() => {
          justFocused.current = false;
          focused.current = false;
          // Later, so a click on the list still chooses; not when the box has the focus again.
          setTimeout(() => {
            if (!focused.current) {
              setOpen(false);
              setTyping(false);
            }
          }, 150);
        }}
        onChange={e => search(searchFromInput(e.target.value, { typing, chosen }))}
        onKeyDown={e => {
          justFocused.current = false;
          if (!typing && chosen !== null) {
            // The first key typed over the chosen app starts a new search.
            const c = typedCharacter(e);
            if (c !== null) {
              e.preventDefault();
              search(c);
              return;
            }
            if (e.key === 'Backspace' || e.key === 'Delete') {
              e.preventDefault();
              search('');
              return;
            }
          }
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
            setActive(i => Math.min(matches.length - 1, i + 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive(i => Math.max(0, i - 1));
          } else if (e.key === 'Enter' && open && matches[active]) {
            e.preventDefault();
            choose(matches[active]);
          } else if (e.key === 'Escape') {
            setOpen(false);
            setTyping(false);
          }
        }}
      />
      {open && !props.disabled ? (
        <ul className="jp-Bulkrun-applist" role="listbox" id={listId}>
          {matches.length === 0 ? (
            <li className="jp-Bulkrun-muted">
              {props.apps === null ? trans.__('Loading apps…') : trans.__('No app matches')}
            </li>
          ) : null}
          {matches.map((a, i) => (
            <li
              key={a.id}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'jp-mod-active' : ''}
              onMouseDown={e => {
                e.preventDefault();
                choose(a);
              }}
            >
              <strong>{a.title}</strong>{' '}
              <span className="jp-Bulkrun-muted">
                {a.id} {a.version}
              </span>
              <div className="jp-Bulkrun-muted">{a.description}</div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function ResourcesEditor(props: {
  value: Resources;
  defaults?: Resources;
  disabled: boolean;
  label: string;
  onChange: (r: Resources) => void;
}): JSX.Element {
  const { trans } = useView();
  const errs = typedResources(props.value).errors;
  return (
    <fieldset className="jp-Bulkrun-fieldset" aria-label={props.label}>
      <legend>{props.label}</legend>
      <div className="jp-Bulkrun-fieldrow">
        {RESOURCE_FIELDS.map(f => (
          <label key={f.name} className="jp-Bulkrun-field jp-mod-narrow">
            <span>{f.name}</span>
            <ValueInput
              schema={{ type: 'string' }}
              label={`${props.label}: ${f.name}`}
              value={String(props.value[f.name] ?? '')}
              error={errs[f.name]}
              readOnly={props.disabled}
              placeholder={
                props.defaults?.[f.name] !== undefined
                  ? String(props.defaults[f.name])
                  : trans.__('default')
              }
              onChange={v => props.onChange({ ...props.value, [f.name]: v })}
            />
            {errs[f.name] ? <span className="jp-Bulkrun-fielderror">{errs[f.name]}</span> : null}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function ConfigureTab(props: ConfigureProps): JSX.Element {
  const { trans, contents } = useView();
  const { draft, update, apps, health, check, locked } = props;
  const notebookDir = useNotebookDir();
  const history = useRowHistory(draft.rows, rows => update(d => ({ ...d, rows })));
  const app = apps?.find(a => a.id === draft.app) ?? null;
  const schema: JSONSchema | null = app ? app.parameters : null;
  const columns = paramNames(schema ?? undefined);
  const fanInApp = apps?.find(a => a.id === draft.fanIn?.app) ?? null;
  const [showFill, setShowFill] = React.useState(false);
  const fileInput = React.useRef<HTMLInputElement>(null);
  const errors = React.useMemo(() => {
    const m = errorMap(check.rows.errors);
    for (const e of props.serverErrors) {
      m.set(errorKey(e.row, e.field), e.message);
    }
    return m;
  }, [check, props.serverErrors]);

  /** Replaces the rows with those of a file (Ctrl+Z in the grid undoes it). */
  const importParsed = (name: string, parsed: ReturnType<typeof importDelimited>) => {
    update(d => ({ ...d, rows: parsed.rows.length ? parsed.rows : [{}] }));
    if (parsed.unknownColumns.length) {
      Notification.warning(
        trans.__(
          'Imported %1 rows from %2; ignored columns: %3',
          parsed.rows.length,
          name,
          parsed.unknownColumns.join(', ')
        ),
        { autoClose: 10000 }
      );
    }
  };
  const importText = (name: string, text: string) =>
    importParsed(name, importDelimited(name, text, columns, paramTitles(schema)));
  const importWorkbook = async (name: string, data: Blob | ArrayBuffer) => {
    try {
      importParsed(name, importSheet(await readFirstSheet(data), columns, paramTitles(schema)));
    } catch (e) {
      Notification.error(trans.__('Could not read %1: %2', name, (e as Error).message), {
        autoClose: 10000,
      });
    }
  };
  const importCSV = async (file: File) => {
    if (isSpreadsheetName(file.name)) {
      await importWorkbook(file.name, file);
    } else {
      importText(file.name, await file.text());
    }
  };
  const importFromTree = async () => {
    if (!contents) {
      return;
    }
    const path = await pickFile({
      contents,
      trans,
      title: trans.__('Import rows from a file'),
      dir: notebookDir,
      accept: isImportableName,
      acceptNote: trans.__('CSV, TSV, text and Excel files (.csv, .tsv, .txt, .xlsx)'),
      pickLabel: trans.__('Import'),
    });
    if (path === null) {
      return;
    }
    if (isSpreadsheetName(path)) {
      try {
        const model = await contents.get(path, { content: true, format: 'base64' });
        await importWorkbook(path, bytesOfModel(model));
      } catch (e) {
        Notification.error(trans.__('Could not read %1: %2', path, (e as Error).message), {
          autoClose: 10000,
        });
      }
      return;
    }
    let text: string;
    try {
      text = textOfModel(await contents.get(path, { content: true, format: 'text' }));
    } catch (e) {
      Notification.error(trans.__('Could not read %1: %2', path, (e as Error).message), {
        autoClose: 10000,
      });
      return;
    }
    importText(path, text);
  };
  // While the replace-or-add question is open the fill panel stays, so declining keeps it.
  const fillAsking = React.useRef(false);
  const fill = async (incoming: Row[]) => {
    let mode: FillMode = 'add';
    if (hasValues(draft.rows)) {
      fillAsking.current = true;
      try {
        const choice = await choose(
          trans.__('Replace the rows or add to them?'),
          trans.__(
            'The grid already has rows with values (%1). Replace them with the rows from the files (%2), or add those after them?',
            draft.rows.filter(rowHasValues).length,
            incoming.length
          ),
          fillChoice(trans)
        );
        if (choice !== 'add' && choice !== 'replace') {
          return;
        }
        mode = choice;
      } finally {
        fillAsking.current = false;
      }
    }
    update(d => ({ ...d, rows: fillRows(d.rows, incoming, mode) }));
    setShowFill(false);
  };
  const clearRows = () => {
    const cleared = draft.rows;
    update(d => ({ ...d, rows: [{}] }));
    Notification.info(
      trans._n('Cleared %1 row.', 'Cleared %1 rows.', cleared.filter(rowHasValues).length),
      {
        autoClose: 10000,
        actions: [
          {
            label: trans.__('Undo'),
            caption: trans.__('Put the cleared rows back'),
            callback: () => update(d => ({ ...d, rows: restoreRows(d.rows, cleared) })),
          },
        ],
      }
    );
  };
  const exportCSV = () => {
    const blob = new Blob([toCSV(draft.rows, columns)], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${draft.app || 'bulkrun'}-rows.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const backends = health ? Object.entries(health.backends) : [];
  const serverErrorsOutsideGrid = props.serverErrors.filter(
    e => e.row === null || !columns.includes(e.field)
  );

  return (
    <div className="jp-Bulkrun-configure">
      {locked ? (
        <div className="jp-Bulkrun-note" role="note">
          {props.batchFinished
            ? trans.__('This configuration was submitted. Editing starts a new batch.')
            : trans.__(
                'This configuration was submitted. Editing starts a new batch; the current one keeps running.'
              )}
          <button className="jp-Bulkrun-button" onClick={props.onUnlock}>
            {trans.__('Edit for a new run')}
          </button>
        </div>
      ) : null}
      <div className="jp-Bulkrun-fieldrow">
        <label className="jp-Bulkrun-field jp-mod-wide">
          <span>{trans.__('App')}</span>
          <AppPicker
            apps={apps}
            value={draft.app}
            disabled={locked}
            label={trans.__('App')}
            onChange={id => update(d => ({ ...d, app: id }))}
          />
        </label>
        <label className="jp-Bulkrun-field">
          <span>{trans.__('Label')}</span>
          <input
            className="jp-Bulkrun-input"
            value={draft.label}
            disabled={locked}
            aria-label={trans.__('Batch label')}
            placeholder={trans.__('optional')}
            onChange={e => {
              const v = e.target.value;
              update(d => ({ ...d, label: v }));
            }}
          />
        </label>
      </div>
      {props.appsError ? (
        <div className="jp-Bulkrun-error">
          {trans.__('Could not load apps: %1', props.appsError)}
        </div>
      ) : null}
      {app ? <p className="jp-Bulkrun-muted jp-Bulkrun-appdesc">{app.description}</p> : null}

      {schema ? (
        <>
          <div className="jp-Bulkrun-toolbar" role="toolbar" aria-label={trans.__('Rows')}>
            <button
              className="jp-Bulkrun-button"
              disabled={locked}
              onClick={() => setShowFill(s => !s)}
            >
              {trans.__('Fill from files…')}
            </button>
            <button
              className="jp-Bulkrun-button"
              disabled={locked}
              onClick={() => fileInput.current?.click()}
            >
              {trans.__('Import CSV…')}
            </button>
            <button
              className="jp-Bulkrun-button"
              disabled={locked || !contents}
              title={trans.__('Import a CSV or TSV file of the Jupyter file tree')}
              onClick={() => void importFromTree()}
            >
              {trans.__('Import from the notebook’s folder…')}
            </button>
            <button className="jp-Bulkrun-button" onClick={exportCSV}>
              {trans.__('Export CSV')}
            </button>
            <input
              ref={fileInput}
              type="file"
              accept=".csv,.tsv,.txt,.xlsx,text/csv"
              style={{ display: 'none' }}
              aria-label={trans.__('CSV file to import')}
              onChange={e => {
                const f = e.target.files?.[0];
                if (f) {
                  void importCSV(f);
                }
                e.target.value = '';
              }}
            />
            <button
              className="jp-Bulkrun-button"
              disabled={locked || (draft.rows.length <= 1 && !hasValues(draft.rows))}
              onClick={clearRows}
            >
              {trans.__('Clear rows')}
            </button>
            <button
              className="jp-Bulkrun-iconbutton jp-Bulkrun-historybutton"
              disabled={locked || !history.canUndo}
              aria-label={trans.__('Undo row change')}
              title={trans.__('Undo row change (Ctrl+Z in the grid)')}
              onClick={history.undo}
            >
              <undoIcon.react tag="span" elementSize="small" />
            </button>
            <button
              className="jp-Bulkrun-iconbutton jp-Bulkrun-historybutton"
              disabled={locked || !history.canRedo}
              aria-label={trans.__('Redo row change')}
              title={trans.__('Redo row change (Ctrl+Shift+Z in the grid)')}
              onClick={history.redo}
            >
              <redoIcon.react tag="span" elementSize="small" />
            </button>
          </div>
          {showFill ? (
            <FillFromFiles
              columns={columns}
              onClose={() => {
                if (!fillAsking.current) {
                  setShowFill(false);
                }
              }}
              onFill={rows => void fill(rows)}
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
          <details
            className="jp-Bulkrun-section"
            open={Object.values(draft.shared).some(Boolean) || undefined}
          >
            <summary>
              {trans.__('Shared parameters (applied to every row; a row value wins)')}
            </summary>
            <div className="jp-Bulkrun-fieldrow">
              {columns.map(c => {
                const err = errors.get(errorKey(null, c));
                return (
                  <label key={c} className="jp-Bulkrun-field">
                    <span>{c}</span>
                    <ValueInput
                      schema={schema.properties![c]}
                      label={trans.__('Shared %1', c)}
                      value={draft.shared[c] ?? ''}
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
        </>
      ) : null}

      <details className="jp-Bulkrun-section">
        <summary>{trans.__('Resources, backend and fan-in')}</summary>
        <div className="jp-Bulkrun-fieldrow">
          <label className="jp-Bulkrun-field">
            <span>{trans.__('Backend')}</span>
            <select
              className="jp-Bulkrun-input"
              value={draft.backend}
              disabled={locked}
              aria-label={trans.__('Backend')}
              onChange={e => {
                const v = e.target.value;
                update(d => ({ ...d, backend: v }));
              }}
            >
              <option value="">{trans.__('Server default')}</option>
              {backends.map(([name, b]) => (
                <option key={name} value={name} disabled={!b.available}>
                  {b.available ? name : trans.__('%1 (unavailable: %2)', name, b.detail)}
                </option>
              ))}
            </select>
          </label>
          <label className="jp-Bulkrun-field jp-mod-narrow">
            <span>{trans.__('Max parallel')}</span>
            <input
              className="jp-Bulkrun-input"
              value={draft.maxParallel}
              disabled={locked}
              placeholder={trans.__('no limit')}
              aria-label={trans.__('Max parallel rows')}
              onChange={e => {
                const v = e.target.value;
                update(d => ({ ...d, maxParallel: v }));
              }}
            />
          </label>
        </div>
        {backends.some(([, b]) => !b.available) ? (
          <ul className="jp-Bulkrun-muted jp-Bulkrun-backendnotes">
            {backends
              .filter(([, b]) => !b.available)
              .map(([name, b]) => (
                <li key={name}>{trans.__('%1 is unavailable: %2', name, b.detail)}</li>
              ))}
          </ul>
        ) : null}
        <ResourcesEditor
          label={trans.__('Resources per task')}
          value={draft.resources}
          defaults={app?.resources}
          disabled={locked}
          onChange={r => update(d => ({ ...d, resources: r }))}
        />
        <label className="jp-Bulkrun-check">
          <input
            type="checkbox"
            checked={!!draft.fanIn}
            disabled={locked}
            onChange={e => {
              const on = e.target.checked;
              update(d => ({
                ...d,
                fanIn: on ? { app: '', when: 'all_completed', params: {}, resources: {} } : null,
              }));
            }}
          />
          {trans.__('Run a fan-in job over all row outputs when the rows finish')}
        </label>
        {draft.fanIn ? (
          <div className="jp-Bulkrun-fanin">
            <div className="jp-Bulkrun-fieldrow">
              <label className="jp-Bulkrun-field jp-mod-wide">
                <span>{trans.__('Fan-in app')}</span>
                <AppPicker
                  apps={apps}
                  value={draft.fanIn.app}
                  disabled={locked}
                  label={trans.__('Fan-in app')}
                  onChange={id =>
                    update(d => ({ ...d, fanIn: { ...d.fanIn!, app: id, params: {} } }))
                  }
                />
              </label>
              <label className="jp-Bulkrun-field">
                <span>{trans.__('Start when')}</span>
                <select
                  className="jp-Bulkrun-input"
                  value={draft.fanIn.when}
                  disabled={locked}
                  aria-label={trans.__('Fan-in policy')}
                  onChange={e => {
                    const when = e.target.value as 'all_completed' | 'all_finished';
                    update(d => ({ ...d, fanIn: { ...d.fanIn!, when } }));
                  }}
                >
                  <option value="all_completed">{trans.__('all rows completed')}</option>
                  <option value="all_finished">
                    {trans.__('all rows finished (even failed)')}
                  </option>
                </select>
              </label>
            </div>
            {fanInApp && paramNames(fanInApp.parameters).length ? (
              <div className="jp-Bulkrun-fieldrow">
                {paramNames(fanInApp.parameters).map(c => (
                  <label key={c} className="jp-Bulkrun-field">
                    <span>{c}</span>
                    <ValueInput
                      schema={fanInApp.parameters.properties![c]}
                      label={trans.__('Fan-in %1', c)}
                      value={draft.fanIn!.params[c] ?? ''}
                      readOnly={locked}
                      onChange={v =>
                        update(d => ({
                          ...d,
                          fanIn: { ...d.fanIn!, params: { ...d.fanIn!.params, [c]: v } },
                        }))
                      }
                    />
                  </label>
                ))}
              </div>
            ) : null}
            <ResourcesEditor
              label={trans.__('Fan-in resources')}
              value={draft.fanIn.resources}
              defaults={fanInApp?.resources}
              disabled={locked}
              onChange={r => update(d => ({ ...d, fanIn: { ...d.fanIn!, resources: r } }))}
            />
          </div>
        ) : null}
      </details>

      {locked ? null : (
        <div className="jp-Bulkrun-runbar">
          <button
            className="jp-Bulkrun-button jp-mod-accept jp-Bulkrun-run"
            disabled={!check.spec || props.submitting}
            aria-describedby="bulkrun-run-problems"
            onClick={props.onRun}
          >
            {props.submitting
              ? trans.__('Submitting…')
              : trans._n('Run %1 task', 'Run %1 tasks', draft.rows.length)}
          </button>
          {check.problems.length ? (
            <ul className="jp-Bulkrun-problems" aria-label={trans.__('Why Run is disabled')}>
              {check.problems.map((p, i) => (
                <li key={i}>{p}</li>
              ))}
            </ul>
          ) : null}
          {props.serverMessage ? (
            <div className="jp-Bulkrun-error" role="alert">
              {props.serverMessage}
              {serverErrorsOutsideGrid.length ? (
                <ul>
                  {serverErrorsOutsideGrid.map((e, i) => (
                    <li key={i}>
                      {e.row !== null ? trans.__('Row %1: ', e.row + 1) : ''}
                      {e.field} {e.message}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
        </div>
      )}
    </div>
  );
}
