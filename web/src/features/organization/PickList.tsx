import { MultiSelect } from '@mantine/core';

/**
 * Several things picked from a list (plants, portfolios), kept in a form value as
 * newline-separated ids so `useZodForm` can hold it beside the text fields.
 */
export function PickList(props: {
  label: string;
  options: Array<{ id: string; name: string }>;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  description?: string;
}) {
  return (
    <MultiSelect
      label={props.label}
      description={props.description}
      data={props.options.map((o) => ({ value: o.id, label: o.name }))}
      value={props.value ? props.value.split('\n') : []}
      onChange={(ids) => props.onChange(ids.join('\n'))}
      error={props.error}
      searchable
      clearable
      nothingFoundMessage="Nothing matches"
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export function pickedIds(value: string | undefined): string[] {
  return value ? value.split('\n').filter(Boolean) : [];
}
