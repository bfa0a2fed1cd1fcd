/** The resources of a task (cpus, memory, walltime, gpus, partition), typed on submit. */
import * as React from 'react';
import type { Resources } from '../../api/types';
import { useView } from '../../components/context';
import { resourcePlaceholder } from '../../model/configure';
import { RESOURCE_FIELDS, typedResources } from '../../model/draft';
import { ValueInput } from '../ParamGrid';

export function ResourcesForm(props: {
  value: Resources;
  /** The app's own values, shown while a field is empty. */
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
              placeholder={resourcePlaceholder(props.defaults, f.name, trans)}
              onChange={v => props.onChange({ ...props.value, [f.name]: v })}
            />
            {errs[f.name] ? <span className="jp-Bulkrun-fielderror">{errs[f.name]}</span> : null}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
