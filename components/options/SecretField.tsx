// A secret field (API key, Hugging Face token): never filled with the stored secret. The masked
// value shows as placeholder, an empty field keeps what is stored, "Remove" clears it on Save.

import { t } from '../../utils/common/i18n';
import { maskSecret } from '../../utils/common/settings';
import { Field, styles } from './fields';
import type { SecretInput } from './form';

interface SecretFieldProps {
  id: string;
  label: string;
  hint: string;
  /** The stored secret: only its mask is shown. */
  stored: string;
  value: SecretInput;
  removeLabel: string;
  onChange: (value: SecretInput) => void;
}

export function SecretField({ id, label, hint, stored, value, removeLabel, onChange }: SecretFieldProps) {
  const mask = maskSecret(stored);
  const state =
    value.remove && !value.typed ? t('optionsSecretWillRemove') : mask ? t('optionsSecretKept', mask) : '';
  return (
    <Field id={id} label={label} hint={state ? `${hint} ${state}` : hint}>
      {(described) => (
        <div style={styles.row}>
          <input
            id={id}
            type="password"
            value={value.typed}
            placeholder={value.remove ? '' : mask || t('optionsSecretEmpty')}
            autocomplete="off"
            spellcheck={false}
            style={{ ...styles.input, flex: '1 1 240px', width: 'auto' }}
            onInput={(event) => onChange({ ...value, typed: event.currentTarget.value })}
            {...described}
          />
          {stored ? (
            <button
              type="button"
              style={styles.button}
              aria-label={value.remove ? t('optionsUndo') : removeLabel}
              onClick={() => onChange({ typed: '', remove: !value.remove })}
            >
              {value.remove ? t('optionsUndo') : t('optionsRemove')}
            </button>
          ) : null}
        </div>
      )}
    </Field>
  );
}
