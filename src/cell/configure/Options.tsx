/** "Resources, backend and fan-in": the batch's backend, its limits, and the fan-in job. */
import * as React from 'react';
import type { AppDefinition, HealthReport } from '../../api/types';
import { useView } from '../../components/context';
import { backendEntries, backendLabel, withFanIn } from '../../model/configure';
import type { Draft } from '../../model/draft';
import { FanInForm } from './FanInForm';
import { ResourcesForm } from './ResourcesForm';

export function Options(props: {
  draft: Draft;
  update: (fn: (d: Draft) => Draft) => void;
  apps: AppDefinition[] | null;
  /** The chosen app, whose resources are the defaults. */
  app: AppDefinition | null;
  health: HealthReport | null;
  locked: boolean;
}): JSX.Element {
  const { trans } = useView();
  const { draft, update, locked } = props;
  const backends = backendEntries(props.health);
  const unavailable = backends.filter(([, b]) => !b.available);
  return (
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
                {backendLabel(name, b, trans)}
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
      {unavailable.length ? (
        <ul className="jp-Bulkrun-muted jp-Bulkrun-backendnotes">
          {unavailable.map(([name, b]) => (
            <li key={name}>{trans.__('%1 is unavailable: %2', name, b.detail)}</li>
          ))}
        </ul>
      ) : null}
      <ResourcesForm
        label={trans.__('Resources per task')}
        value={draft.resources}
        defaults={props.app?.resources}
        disabled={locked}
        onChange={r => update(d => ({ ...d, resources: r }))}
        usage={{ app: props.app, rows: draft.rows, shared: draft.shared }}
      />
      <label className="jp-Bulkrun-check">
        <input
          type="checkbox"
          checked={!!draft.fanIn}
          disabled={locked}
          onChange={e => {
            const on = e.target.checked;
            update(d => withFanIn(d, on));
          }}
        />
        {trans.__('Run a fan-in job over all row outputs when the rows finish')}
      </label>
      {draft.fanIn ? (
        <FanInForm fanIn={draft.fanIn} apps={props.apps} locked={locked} update={update} />
      ) : null}
    </details>
  );
}
