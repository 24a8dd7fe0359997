// "Test connection": what the server is, what the key may do, and one sentence about it. The rights
// are probed without touching Hugging Face: an evaluation of no models, a one-item worker list.

import { CheckError, toReplyError } from '../../../common/errors';
import { t } from '../../../common/i18n';
import type { ConnectionReport } from '../../../common/protocol';
import { clustersOf, ggufBackendsOf } from './catalog';
import type { GpustackClient } from './client';
import { fromResponse, notApi } from './errors';
import { resultsOf } from './evaluation';
import { jsonOf } from './http';
import { pageOf } from './pages';

const CALL = { priority: 'click' as const };

export function emptyReport(message: string): ConnectionReport {
  return {
    version: null,
    generation: null,
    canEvaluate: false,
    canListWorkers: false,
    clusters: [],
    backends: [],
    message,
  };
}

const sentence = (error: unknown) =>
  error instanceof CheckError ? error.message : toReplyError(error).message;

export async function runConnectionTest(client: GpustackClient): Promise<ConnectionReport> {
  const report = emptyReport('');
  try {
    const info = await client.serverInfo(CALL, true);
    report.version = info.version;
    report.generation = info.generation;
  } catch (error) {
    report.message = sentence(error);
    return report;
  }
  const { version, generation } = report as { version: string; generation: 'v1' | 'v2' };
  if (!client.hasKey) {
    report.message = t('gpustackConnectedNoKey', version);
    return report;
  }

  let refusal: string | null = null;
  try {
    const probe = await client.send(`/${generation}/model-evaluations`, {
      ...CALL,
      body: { model_specs: [] },
    });
    if (probe.ok) {
      if (!resultsOf(jsonOf(probe))) throw notApi(probe, client.origin);
      report.canEvaluate = true;
    } else if (probe.status === 403) {
      refusal = fromResponse(probe, client.origin).message;
    } else {
      // A bad key, a login page, a server error: nothing else will work either.
      throw fromResponse(probe, client.origin);
    }
    const workers = await client.send(`/${generation}/workers?perPage=1`, CALL);
    report.canListWorkers = workers.ok && pageOf(jsonOf(workers)) !== null;
    if (!workers.ok && workers.status !== 403) throw fromResponse(workers, client.origin);
    if (!report.canListWorkers && refusal === null && workers.status === 403) {
      refusal = fromResponse(workers, client.origin).message;
    }
  } catch (error) {
    report.message = sentence(error);
    return report;
  }

  if (generation === 'v2') {
    // Readable by anyone who may use the cluster; a refusal here only leaves the pickers empty.
    const [clusters, backends] = await Promise.all([
      client.listAll('/v2/clusters', CALL).catch(() => []),
      client.listAll('/v2/inference-backends', CALL).catch(() => []),
    ]);
    report.clusters = clustersOf(clusters);
    report.backends = ggufBackendsOf(backends);
  }

  if (!report.canEvaluate) report.message = refusal ?? t('gpustackNotAdmin');
  else if (generation === 'v2' && report.backends.length === 0)
    report.message = t('gpustackNoGgufBackend', version);
  else if (!report.canListWorkers) report.message = t('gpustackConnectedNoWorkers', version);
  else report.message = t('gpustackConnected', version);
  return report;
}
