// Small labelled controls for the options page: every input has a <label for>, hints and errors are
// tied to it with aria-describedby, and everything is native so it works from the keyboard.

import type { ComponentChildren } from 'preact';

export const styles = {
  field: { display: 'grid', gap: '4px', margin: '0 0 14px' },
  row: { display: 'flex', gap: '8px', alignItems: 'center', flexWrap: 'wrap' as const },
  input: {
    font: 'inherit',
    padding: '6px 8px',
    minWidth: '0',
    width: '100%',
    boxSizing: 'border-box' as const,
  },
  hint: { color: '#555', fontSize: '12px', margin: '0' },
  error: { color: '#b00020', fontSize: '12px', margin: '0' },
  warning: { color: '#8a4b00', fontSize: '13px', margin: '-8px 0 14px' },
  fieldset: { border: '1px solid #ddd', borderRadius: '6px', padding: '12px 14px', margin: '0 0 16px' },
  legend: { fontWeight: 600, padding: '0 4px' },
  button: { font: 'inherit', padding: '6px 12px', cursor: 'pointer' },
};

interface FieldProps {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: (described: { 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ComponentChildren;
}

/** A label above its control, with the hint and error the control points to. */
export function Field({ id, label, hint, error, children }: FieldProps) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div style={styles.field}>
      <label for={id}>{label}</label>
      {children({
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {hint ? (
        <p id={`${id}-hint`} style={styles.hint}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} style={styles.error} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string;
  type?: 'text' | 'url' | 'number';
  inputMode?: 'numeric' | 'decimal' | 'url';
  placeholder?: string;
}

export function TextField(props: TextFieldProps) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint} error={props.error}>
      {(described) => (
        <input
          id={props.id}
          type={props.type ?? 'text'}
          inputMode={props.inputMode}
          value={props.value}
          placeholder={props.placeholder}
          spellcheck={false}
          autocomplete="off"
          style={styles.input}
          onInput={(event) => props.onInput(event.currentTarget.value)}
          {...described}
        />
      )}
    </Field>
  );
}

interface SelectFieldProps<T extends string> {
  id: string;
  label: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T) => void;
  hint?: string;
}

export function SelectField<T extends string>(props: SelectFieldProps<T>) {
  return (
    <Field id={props.id} label={props.label} hint={props.hint}>
      {(described) => (
        <select
          id={props.id}
          value={props.value}
          style={styles.input}
          onChange={(event) => props.onChange(event.currentTarget.value as T)}
          {...described}
        >
          {props.options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

interface CheckboxProps {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}

export function Checkbox(props: CheckboxProps) {
  return (
    <div style={styles.field}>
      <div style={styles.row}>
        <input
          id={props.id}
          type="checkbox"
          checked={props.checked}
          onChange={(event) => props.onChange(event.currentTarget.checked)}
          aria-describedby={props.hint ? `${props.id}-hint` : undefined}
        />
        <label for={props.id}>{props.label}</label>
      </div>
      {props.hint ? (
        <p id={`${props.id}-hint`} style={styles.hint}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}
