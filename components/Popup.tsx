import { t } from '../utils/i18n';

/** The popup's search arrives with its own issue; until then it says where the checks are. */
export function Popup() {
  return (
    <main style={{ width: '320px', font: '14px system-ui, sans-serif', padding: '12px' }}>
      <h1 style={{ fontSize: '16px', margin: '0 0 8px' }}>{t('popupTitle')}</h1>
      <p>{t('popupComingSoon')}</p>
    </main>
  );
}
