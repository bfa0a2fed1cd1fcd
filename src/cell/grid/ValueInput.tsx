/**
 * One typed input for a parameter: a select for enums and booleans, text otherwise. The
 * grid's cells (src/cell/grid/GridCell.tsx) and the shared and resource forms use it.
 */
import * as React from 'react';
import type { JSONSchema } from '../../api/types';
import { mainType } from '../../model/validate';

export function ValueInput(props: {
  schema: JSONSchema;
  value: string;
  label: string;
  error?: string;
  placeholder?: string;
  readOnly?: boolean;
  onChange: (v: string) => void;
  inputProps?: React.InputHTMLAttributes<HTMLInputElement | HTMLSelectElement> &
    Record<string, unknown>;
}): JSX.Element {
  const { schema, value, error } = props;
  const type = mainType(schema);
  const common = {
    'aria-label': props.label,
    'aria-invalid': error ? true : undefined,
    title: error ? `${props.label}: ${error}` : (schema.description ?? props.label),
    className: `jp-Bulkrun-input${error ? ' jp-mod-invalid' : ''}`,
    disabled: props.readOnly,
    ...props.inputProps,
  };
  if (schema.enum || type === 'boolean') {
    const options = schema.enum ? schema.enum.map(e => String(e)) : ['true', 'false'];
    return (
      <select {...(common as any)} value={value} onChange={e => props.onChange(e.target.value)}>
        <option value="">{props.placeholder ?? ''}</option>
        {options.map(o => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
        {value && !options.includes(value) ? <option value={value}>{value}</option> : null}
      </select>
    );
  }
  return (
    <input
      {...(common as any)}
      type="text"
      inputMode={type === 'integer' || type === 'number' ? 'decimal' : undefined}
      value={value}
      placeholder={props.placeholder}
      spellCheck={false}
      onChange={e => props.onChange(e.target.value)}
    />
  );
}
