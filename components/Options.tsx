import { t } from '../utils/i18n';

/** Server, key, hardware and estimate settings arrive with their own issue. */
export function Options() {
  return (
    <main style={{ font: '14px system-ui, sans-serif', padding: '16px', maxWidth: '640px' }}>
      <h1 style={{ fontSize: '18px' }}>{t('optionsTitle')}</h1>
    </main>
  );
}
