/** The fan-in job: its app, when it starts, its parameters and its resources. */
import * as React from 'react';
import type { AppDefinition, FanInPolicy } from '../../api/types';
import { useView } from '../../components/context';
import {
  withFanInApp,
  withFanInParam,
  withFanInResources,
  withFanInWhen,
} from '../../model/configure';
import type { Draft } from '../../model/draft';
import { paramNames } from '../../model/validate';
import { ValueInput } from '../ParamGrid';
import { AppPicker } from './AppPicker';
import { ResourcesForm } from './ResourcesForm';

export function FanInForm(props: {
  fanIn: NonNullable<Draft['fanIn']>;
  apps: AppDefinition[] | null;
  locked: boolean;
  update: (fn: (d: Draft) => Draft) => void;
}): JSX.Element {
  const { trans } = useView();
  const { fanIn, apps, locked, update } = props;
  const fanInApp = apps?.find(a => a.id === fanIn.app) ?? null;
  const params = fanInApp ? paramNames(fanInApp.parameters) : [];
  return (
    <div className="jp-Bulkrun-fanin">
      <div className="jp-Bulkrun-fieldrow">
        <label className="jp-Bulkrun-field jp-mod-wide">
          <span>{trans.__('Fan-in app')}</span>
          <AppPicker
            apps={apps}
            value={fanIn.app}
            disabled={locked}
            label={trans.__('Fan-in app')}
            onChange={id => update(d => withFanInApp(d, id))}
          />
        </label>
        <label className="jp-Bulkrun-field">
          <span>{trans.__('Start when')}</span>
          <select
            className="jp-Bulkrun-input"
            value={fanIn.when}
            disabled={locked}
            aria-label={trans.__('Fan-in policy')}
            onChange={e => {
              const when = e.target.value as FanInPolicy;
              update(d => withFanInWhen(d, when));
            }}
          >
            <option value="all_completed">{trans.__('all rows completed')}</option>
            <option value="all_finished">{trans.__('all rows finished (even failed)')}</option>
          </select>
        </label>
      </div>
      {fanInApp && params.length ? (
        <div className="jp-Bulkrun-fieldrow">
          {params.map(c => (
            <label key={c} className="jp-Bulkrun-field">
              <span>{c}</span>
              <ValueInput
                schema={fanInApp.parameters.properties![c]}
                label={trans.__('Fan-in %1', c)}
                value={fanIn.params[c] ?? ''}
                readOnly={locked}
                onChange={v => update(d => withFanInParam(d, c, v))}
              />
            </label>
          ))}
        </div>
      ) : null}
      <ResourcesForm
        label={trans.__('Fan-in resources')}
        value={fanIn.resources}
        defaults={fanInApp?.resources}
        disabled={locked}
        onChange={r => update(d => withFanInResources(d, r))}
      />
    </div>
  );
}
