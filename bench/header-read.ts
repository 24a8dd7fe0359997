// How many upstream requests and bytes one header read costs, through the real path: /resolve/ on
// the impersonated Hub, its 302, and Range reads on the CDN host.

import { fakeSha, startHfServer } from '../tests/e2e/support/hf-server';
import { fetchVia } from '../tests/support/node-fetch';
import { llama3Header } from '../tests/unit/support/gguf-writer';
import { readGgufHeader } from '../utils/lib/gguf';
import { createCache } from '../utils/worker/cache';
import { HubClient } from '../utils/worker/huggingface/client';
import { hubRangeReader } from '../utils/worker/huggingface/hub-reader';
import { HF_BUCKETS } from '../utils/worker/scheduler/buckets';
import { Scheduler } from '../utils/worker/scheduler/scheduler';
import { atMost, type Report } from './report';

export async function benchHeaderRead(report: Report): Promise<void> {
  const written = llama3Header();
  const repo = {
    id: 'bench/Llama-3.1-8B-GGUF',
    sha: fakeSha('header-read'),
    files: [{ path: 'model-Q4_K_M.gguf', size: written.fileSize, header: written.header }],
  };
  const hf = await startHfServer({ repos: [repo] });
  try {
    const scheduler = new Scheduler({ buckets: HF_BUCKETS, fetch: fetchVia(hf.hostMap) });
    const hub = new HubClient({ scheduler, cache: createCache({ dbName: 'bench' }) });
    hf.clearLog();
    const header = await readGgufHeader(hubRangeReader(hub, repo.id, repo.sha, 'model-Q4_K_M.gguf'));
    const hubReads = hf.requests.filter((r) => r.host === 'hub').length;
    report.figure('header_bytes', written.header.length, 'B');
    report.figure('header_read_requests', hubReads, '', atMost(2, 'a header read in many small pieces'));
    report.figure(
      'header_read_bytes',
      header.headerBytesRead,
      'B',
      atMost(64 * 1024 * 1024, 'downloading the model, not its header'),
    );
  } finally {
    await hf.close();
  }
}
