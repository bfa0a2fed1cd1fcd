/** The app and the batch label, then why apps may be missing and what the chosen app does. */
import * as React from 'react';
import type { AppDefinition } from '../../api/types';
import { AppProblems } from '../../components/AppProblems';
import { useView } from '../../components/context';
import type { Draft } from '../../model/draft';
import { AppPicker } from './AppPicker';

export function AppRow(props: {
  draft: Draft;
  update: (fn: (d: Draft) => Draft) => void;
  apps: AppDefinition[] | null;
  appsError: string;
  /** The chosen app, once the apps have loaded. */
  app: AppDefinition | null;
  locked: boolean;
}): JSX.Element {
  const { trans } = useView();
  const { draft, update, locked, app } = props;
  return (
    <>
      <div className="jp-Bulkrun-fieldrow">
        <label className="jp-Bulkrun-field jp-mod-wide">
          <span>{trans.__('App')}</span>
          <AppPicker
            apps={props.apps}
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
      <AppProblems />
      {app ? <p className="jp-Bulkrun-muted jp-Bulkrun-appdesc">{app.description}</p> : null}
    </>
  );
}
