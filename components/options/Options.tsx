// The options page: GPUStack server and key, the estimate settings, hardware, the Hugging Face token.
// Settings live in storage (utils/settings.ts); secrets are never shown back, only their masks.

import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { t } from '../../utils/common/i18n';
import type { Reply } from '../../utils/common/protocol';
import { parseServerUrl } from '../../utils/common/server-url';
import { loadSettings, type Settings, saveSettings } from '../../utils/common/settings';
import { ConnectionSection } from './ConnectionSection';
import { EstimateSection } from './EstimateSection';
import { styles } from './fields';
import { changesFromForm, type FieldErrors, type FormState, formFromSettings } from './form';
import { HardwareSection } from './HardwareSection';
import { askForOrigin } from './permission';
import { SecretField } from './SecretField';

type Status = { kind: 'ok' | 'error'; text: string } | null;

export function Options() {
  const [stored, setStored] = useState<Settings | null>(null);
  const [form, setForm] = useState<FormState | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [status, setStatus] = useState<Status>(null);

  useEffect(() => {
    void loadSettings().then((settings) => {
      setStored(settings);
      setForm(formFromSettings(settings));
    });
  }, []);

  if (!stored || !form) return <main style={page} aria-busy="true" />;

  const update = (patch: Partial<FormState>) => {
    setForm((current) => (current ? { ...current, ...patch } : current));
    setStatus(null);
  };

  async function onSave(event: Event) {
    event.preventDefault();
    if (!form || !stored) return;
    // Asked first, while the click still counts as a user gesture.
    const address = parseServerUrl(form.serverUrl);
    const allowed = address ? await askForOrigin(address.origin) : true;
    const checked = changesFromForm(form, stored);
    if (checked.errors) {
      setErrors(checked.errors);
      setStatus({ kind: 'error', text: t('optionsFixErrors') });
      return;
    }
    const saved = await saveSettings(checked.changes);
    setErrors({});
    setStored(saved);
    // The typed secrets are stored now; the fields go back to empty, showing only the masks.
    setForm({ ...formFromSettings(saved) });
    setStatus(
      allowed || !address
        ? { kind: 'ok', text: t('optionsSaved') }
        : { kind: 'error', text: t('optionsSavedNoPermission', address.origin) },
    );
  }

  async function onClearCache() {
    try {
      const reply = (await browser.runtime.sendMessage({ type: 'clear-cache' })) as
        | Reply<unknown>
        | undefined;
      setStatus(
        reply?.ok
          ? { kind: 'ok', text: t('optionsCacheCleared') }
          : { kind: 'error', text: t('optionsFailed', reply?.error.message ?? '?') },
      );
    } catch (error) {
      setStatus({
        kind: 'error',
        text: t('optionsFailed', error instanceof Error ? error.message : String(error)),
      });
    }
  }

  return (
    <main style={page}>
      <h1 style={{ fontSize: '18px' }}>{t('optionsTitle')}</h1>
      <form onSubmit={(event) => void onSave(event)} noValidate>
        <ConnectionSection form={form} stored={stored} errors={errors} update={update} />
        <EstimateSection form={form} errors={errors} update={update} />
        <HardwareSection form={form} errors={errors} update={update} />
        <fieldset style={styles.fieldset}>
          <legend style={styles.legend}>{t('optionsHubSection')}</legend>
          <SecretField
            id="hf-token"
            label={t('optionsHfToken')}
            hint={t('optionsHfTokenHint')}
            stored={stored.hfToken}
            value={form.hfToken}
            removeLabel={t('optionsRemoveHfToken')}
            onChange={(hfToken) => update({ hfToken })}
          />
        </fieldset>
        <div style={styles.row}>
          <button type="submit" style={styles.button}>
            {t('optionsSave')}
          </button>
          <button type="button" style={styles.button} onClick={() => void onClearCache()}>
            {t('optionsClearCache')}
          </button>
          <span
            role="status"
            aria-live="polite"
            data-testid="options-status"
            style={{ color: status?.kind === 'error' ? '#b00020' : '#1b5e20' }}
          >
            {status?.text ?? ''}
          </span>
        </div>
      </form>
    </main>
  );
}

const page = { font: '14px system-ui, sans-serif', padding: '16px', maxWidth: '640px' };
