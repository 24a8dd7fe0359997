// The GPUStack server part of the options: address, API key, "Test connection" and, for 2.x, the
// cluster and GGUF backend pickers the test fills. The test runs in the background worker (the only
// part that touches the network); this page only asks the browser for the server's origin first.

import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { t } from '../../utils/common/i18n';
import type { ConnectionReport, Reply, TestConnectionRequest } from '../../utils/common/protocol';
import { parseServerUrl } from '../../utils/common/server-url';
import type { Settings } from '../../utils/common/settings';
import { ConnectionReportView } from './ConnectionReportView';
import { SelectField, styles, TextField } from './fields';
import { type FieldErrors, type FormState, keyLeftBehind } from './form';
import { askForOrigin } from './permission';
import { SecretField } from './SecretField';

interface Props {
  form: FormState;
  stored: Settings;
  errors: FieldErrors;
  update: (patch: Partial<FormState>) => void;
}

type TestState =
  | { kind: 'idle' }
  | { kind: 'testing' }
  | { kind: 'done'; report: ConnectionReport }
  | { kind: 'failed'; message: string };

const failedReport = (message: string): TestState => ({ kind: 'failed', message });

export function ConnectionSection({ form, stored, errors, update }: Props) {
  const [test, setTest] = useState<TestState>({ kind: 'idle' });

  async function onTest() {
    const serverUrl = form.serverUrl.trim();
    const address = parseServerUrl(serverUrl);
    if (!address) {
      setTest(failedReport(t('gpustackBadUrl', serverUrl)));
      return;
    }
    // First await of the click: the browser only prompts during a user gesture.
    if (!(await askForOrigin(address.origin))) {
      setTest(failedReport(t('optionsPermissionDenied', address.origin)));
      return;
    }
    setTest({ kind: 'testing' });
    const typedKey = form.apiKey.typed.trim();
    const request: TestConnectionRequest = {
      type: 'test-connection',
      serverUrl,
      ...(typedKey ? { apiKey: typedKey } : {}),
    };
    try {
      const reply = (await browser.runtime.sendMessage(request)) as Reply<ConnectionReport> | undefined;
      if (!reply) throw new Error('no reply');
      if (!reply.ok) {
        setTest(failedReport(reply.error.message));
        return;
      }
      const report = reply.value;
      setTest({ kind: 'done', report });
      // Keep saved choices the server still offers; otherwise the first GGUF backend, all clusters.
      if (report.generation === 'v2') {
        const backend =
          form.backend && report.backends.includes(form.backend)
            ? form.backend
            : (report.backends[0] ?? null);
        const clusterId = report.clusters.some((c) => c.id === form.clusterId) ? form.clusterId : null;
        update({ backend, clusterId });
      }
    } catch (error) {
      setTest(failedReport(t('optionsFailed', error instanceof Error ? error.message : String(error))));
    }
  }

  const report = test.kind === 'done' ? test.report : null;
  const origin = parseServerUrl(form.serverUrl)?.origin ?? '';
  return (
    <fieldset style={styles.fieldset}>
      <legend style={styles.legend}>{t('optionsServerSection')}</legend>
      <TextField
        id="server-url"
        label={t('optionsServerUrl')}
        type="url"
        inputMode="url"
        placeholder="http://gpustack.lan:8080"
        value={form.serverUrl}
        hint={t('optionsServerUrlHint')}
        error={errors.serverUrl}
        onInput={(serverUrl) => update({ serverUrl })}
      />
      {origin.startsWith('http:') ? (
        <p data-testid="http-warning" role="note" style={styles.warning}>
          {t('optionsHttpWarning')}
        </p>
      ) : null}
      <SecretField
        id="api-key"
        label={t('optionsApiKey')}
        hint={t('optionsApiKeyHint')}
        stored={stored.apiKey}
        value={form.apiKey}
        removeLabel={t('optionsRemoveApiKey')}
        onChange={(apiKey) => update({ apiKey })}
      />
      {keyLeftBehind(form, stored) ? (
        <p data-testid="key-left-behind" role="note" style={styles.warning}>
          {t('optionsKeyLeftBehind', stored.apiKeyOrigin || stored.serverUrl, origin || form.serverUrl)}
        </p>
      ) : null}
      <div style={styles.row}>
        <button
          type="button"
          style={styles.button}
          onClick={() => void onTest()}
          disabled={test.kind === 'testing'}
        >
          {t('optionsTestConnection')}
        </button>
        <span role="status" aria-live="polite">
          {test.kind === 'testing' ? t('optionsTesting') : ''}
        </span>
      </div>
      <div aria-live="polite">
        {report ? <ConnectionReportView report={report} /> : null}
        {test.kind === 'failed' ? (
          <p data-testid="connection-message" style={{ ...styles.error, fontSize: '14px', margin: '8px 0' }}>
            {test.message}
          </p>
        ) : null}
      </div>
      {report?.generation === 'v2' ? (
        <>
          <SelectField
            id="cluster"
            label={t('optionsCluster')}
            value={form.clusterId === null ? '' : String(form.clusterId)}
            options={[
              { value: '', label: t('optionsAllClusters') },
              ...report.clusters.map((c) => ({ value: String(c.id), label: c.name })),
            ]}
            onChange={(value) => update({ clusterId: value === '' ? null : Number(value) })}
          />
          <SelectField
            id="backend"
            label={t('optionsBackend')}
            hint={t('optionsBackendHint')}
            value={form.backend ?? ''}
            options={[
              { value: '', label: t('optionsServerDefault') },
              ...report.backends.map((name) => ({ value: name, label: name })),
            ]}
            onChange={(value) => update({ backend: value === '' ? null : value })}
          />
        </>
      ) : null}
    </fieldset>
  );
}
