/**
 * The resources of a task (cpus, memory, walltime, gpus, partition), typed on submit; for
 * the rows' tasks also what past runs used, with a suggestion (UsageHint.tsx).
 */
import * as React from 'react';
import type { AppDefinition, Resources } from '../../api/types';
import { useView } from '../../components/context';
import { resourcePlaceholder } from '../../model/configure';
import { RESOURCE_FIELDS, typedResources } from '../../model/draft';
import { ValueInput } from '../ParamGrid';
import { UsageHint } from './UsageHint';

export function ResourcesForm(props: {
  value: Resources;
  /** The app's own values, shown while a field is empty. */
  defaults?: Resources;
  disabled: boolean;
  label: string;
  onChange: (r: Resources) => void;
  /** The app and rows these resources run (the rows' tasks, not the fan-in): shows its usage. */
  usage?: {
    app: AppDefinition | null;
    rows: Record<string, string>[];
    shared: Record<string, string>;
  };
}): JSX.Element {
  const { trans } = useView();
  const errs = typedResources(props.value).errors;
  const usage = props.usage;
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
              placeholder={resourcePlaceholder(props.defaults, f.name, trans)}
              onChange={v => props.onChange({ ...props.value, [f.name]: v })}
            />
            {errs[f.name] ? <span className="jp-Bulkrun-fielderror">{errs[f.name]}</span> : null}
          </label>
        ))}
      </div>
      {usage?.app ? (
        <UsageHint
          app={usage.app}
          rows={usage.rows}
          shared={usage.shared}
          resources={props.value}
          defaults={props.defaults}
          disabled={props.disabled}
          onApply={patch => props.onChange({ ...props.value, ...patch })}
        />
      ) : null}
    </fieldset>
  );
}
