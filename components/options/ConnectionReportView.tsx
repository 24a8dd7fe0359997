// What "Test connection" found, as text: version and API, the key's rights, clusters, backends and
// the server's sentence. Every value from the server is rendered as text, never as HTML.

import { Fragment } from 'preact';
import { t } from '../../utils/common/i18n';
import type { ConnectionReport } from '../../utils/common/protocol';

const yesNo = (value: boolean) => (value ? t('optionsYes') : t('optionsNo'));

export function ConnectionReportView({ report }: { report: ConnectionReport }) {
  const rows: Array<[string, string]> = [];
  if (report.version) {
    rows.push([
      t('optionsReportVersion'),
      `${report.version}${report.generation ? ` (API /${report.generation})` : ''}`,
    ]);
    rows.push([t('optionsReportEvaluate'), yesNo(report.canEvaluate)]);
    rows.push([t('optionsReportWorkers'), yesNo(report.canListWorkers)]);
  }
  if (report.generation === 'v2') {
    rows.push([
      t('optionsReportClusters'),
      report.clusters.map((c) => c.name).join(', ') || t('optionsNone'),
    ]);
    rows.push([t('optionsReportBackends'), report.backends.join(', ') || t('optionsNone')]);
  }
  const good = report.canEvaluate && (report.generation !== 'v2' || report.backends.length > 0);
  return (
    <div data-testid="connection-report" style={{ margin: '8px 0 12px' }}>
      <p
        data-testid="connection-message"
        style={{ margin: '0 0 8px', color: good ? '#1b5e20' : '#8a4b00', fontWeight: 500 }}
      >
        {report.message}
      </p>
      {rows.length > 0 ? (
        <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '2px 12px', margin: 0 }}>
          {rows.map(([term, value]) => (
            <Fragment key={term}>
              <dt style={{ color: '#555' }}>{term}</dt>
              <dd style={{ margin: 0 }}>{value}</dd>
            </Fragment>
          ))}
        </dl>
      ) : null}
    </div>
  );
}
