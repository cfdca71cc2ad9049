import { useCallback, useState } from 'react';
import type { z } from 'zod';
import { ApiRequestError } from '../api/client.ts';

type Values = Record<string, string>;

/**
 * Form state checked with the same zod schema the server applies, as the user types
 * (after a field was first touched); a refusal of the server lands on the field it names.
 */
export function useZodForm<S extends z.ZodType>(schema: S, initial: Values, toInput: (values: Values) => unknown = (v) => v) {
  const [values, setValues] = useState<Values>(initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const parsed = schema.safeParse(toInput(values));
  const clientErrors: Record<string, string> = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.');
      clientErrors[field] ??= issue.message;
    }
  }

  const field = (name: string) => ({
    value: values[name] ?? '',
    onChange: (event: { currentTarget: { value: string } }) => {
      const value = event.currentTarget.value;
      setValues((v) => ({ ...v, [name]: value }));
      setTouched((t) => ({ ...t, [name]: true }));
      setServerErrors((e) => ({ ...e, [name]: '' }));
      setFormError(null);
    },
    error: serverErrors[name] || (touched[name] ? clientErrors[name] : undefined) || undefined,
  });

  /** Shows a refusal: on its field when the server named one of this form's fields, else above the form. */
  const showError = useCallback(
    (error: unknown) => {
      if (error instanceof ApiRequestError) {
        const problems = error.problems.length ? error.problems : error.field ? [{ field: error.field, message: error.message }] : [];
        // `subnets.1` belongs to the form's `subnets` field.
        const known = problems.map((p) => ({ ...p, key: formField(p.field, values) })).filter((p) => p.key !== null);
        if (known.length) {
          setServerErrors(Object.fromEntries(known.map((p) => [p.key, stripField(p.field, p.message)])));
          return;
        }
      }
      setFormError(error instanceof Error ? error.message : String(error));
    },
    [values],
  );

  const submit = (onValid: (input: z.output<S>) => void) => (event?: { preventDefault(): void }) => {
    event?.preventDefault();
    setTouched(Object.fromEntries(Object.keys(values).map((k) => [k, true])));
    if (parsed.success) onValid(parsed.data as z.output<S>);
  };

  const reset = () => {
    setValues(initial);
    setTouched({});
    setServerErrors({});
    setFormError(null);
  };

  return { values, setValues, field, submit, showError, formError, valid: parsed.success, reset };
}

function formField(field: string, values: Values): string | null {
  if (field in values) return field;
  const head = field.split('.')[0] ?? '';
  return head in values ? head : null;
}

/** "totp: the code …" → "the code …" under the totp field. */
function stripField(field: string, message: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}
