// The hardware the built-in engine checks against: Auto (the GPUStack cluster's workers, else the
// Hugging Face account's saved hardware) or what the user types.

import { t } from '../../utils/common/i18n';
import { Checkbox, SelectField, styles, TextField } from './fields';
import type { FieldErrors, FormState } from './form';

interface Props {
  form: FormState;
  errors: FieldErrors;
  update: (patch: Partial<FormState>) => void;
}

export function HardwareSection({ form, errors, update }: Props) {
  return (
    <fieldset style={styles.fieldset}>
      <legend style={styles.legend}>{t('optionsHardwareSection')}</legend>
      <SelectField<'auto' | 'manual'>
        id="hardware"
        label={t('optionsHardware')}
        hint={t('optionsHardwareHint')}
        value={form.hardwareMode}
        options={[
          { value: 'auto', label: t('optionsHardwareAuto') },
          { value: 'manual', label: t('optionsHardwareManual') },
        ]}
        onChange={(hardwareMode) => update({ hardwareMode })}
      />
      {form.hardwareMode === 'manual' ? (
        <>
          <TextField
            id="gpu-memory"
            label={t('optionsGpuMemory')}
            type="number"
            inputMode="decimal"
            value={form.gpuMemoryGiB}
            error={errors.gpuMemoryGiB}
            onInput={(gpuMemoryGiB) => update({ gpuMemoryGiB })}
          />
          <TextField
            id="gpu-count"
            label={t('optionsGpuCount')}
            type="number"
            inputMode="numeric"
            value={form.gpuCount}
            error={errors.gpuCount}
            onInput={(gpuCount) => update({ gpuCount })}
          />
          <TextField
            id="system-ram"
            label={t('optionsSystemRam')}
            type="number"
            inputMode="decimal"
            value={form.systemRamGiB}
            error={errors.systemRamGiB}
            onInput={(systemRamGiB) => update({ systemRamGiB })}
          />
          <Checkbox
            id="unified-memory"
            label={t('optionsUnifiedMemory')}
            hint={t('optionsUnifiedMemoryHint')}
            checked={form.unifiedMemory}
            onChange={(unifiedMemory) => update({ unifiedMemory })}
          />
        </>
      ) : null}
    </fieldset>
  );
}
