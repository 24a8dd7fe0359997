// Which engine answers, and the llama.cpp settings both engines estimate with (GPUStack reads them
// from backend_parameters; the built-in engine uses the same numbers).

import { t } from '../../utils/common/i18n';
import type { CacheType } from '../../utils/common/settings';
import { Checkbox, SelectField, styles, TextField } from './fields';
import { CACHE_TYPES, ENGINES, type FieldErrors, type FormState } from './form';

interface Props {
  form: FormState;
  errors: FieldErrors;
  update: (patch: Partial<FormState>) => void;
}

export function EstimateSection({ form, errors, update }: Props) {
  return (
    <fieldset style={styles.fieldset}>
      <legend style={styles.legend}>{t('optionsEstimateSection')}</legend>
      <SelectField
        id="engine"
        label={t('optionsEngine')}
        hint={t('optionsEngineHint')}
        value={form.engine}
        options={ENGINES.map((e) => ({ value: e.value, label: t(e.label) }))}
        onChange={(engine) => update({ engine })}
      />
      <TextField
        id="ctx-size"
        label={t('optionsCtxSize')}
        type="number"
        inputMode="numeric"
        value={form.ctxSize}
        error={errors.ctxSize}
        onInput={(ctxSize) => update({ ctxSize })}
      />
      <Checkbox
        id="flash-attention"
        label={t('optionsFlashAttention')}
        checked={form.flashAttention}
        onChange={(flashAttention) => update({ flashAttention })}
      />
      <SelectField<CacheType>
        id="cache-type"
        label={t('optionsCacheType')}
        value={form.cacheType}
        options={CACHE_TYPES.map((value) => ({ value, label: value }))}
        onChange={(cacheType) => update({ cacheType })}
      />
      <TextField
        id="parallel"
        label={t('optionsParallel')}
        type="number"
        inputMode="numeric"
        value={form.parallel}
        error={errors.parallel}
        onInput={(parallel) => update({ parallel })}
      />
    </fieldset>
  );
}
