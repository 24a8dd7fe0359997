// The scheduler in the real extension (Debian's Chromium) against the impersonated Hub with a tight
// policy on the api bucket (q=60 per w=10 s, 429 beyond): 300 checks of 300 distinct files from 5
// tabs; the same burst with the worker stopped in the middle; N tabs asking for one file.

import { launchExtension } from '../tests/e2e/support/browser';
import { ggufHeaderFor } from '../tests/e2e/support/fixture-pages';
import { type FakeRepo, fakeSha, type HfServer, startHfServer } from '../tests/e2e/support/hf-server';
import { type ClientRequest, checkFromPage } from '../tests/e2e/support/page-client';
import { atMost, exactly, type Report } from './report';

const QUOTA = 60;
const WINDOW_S = 10;
const CHECKS = 300;
const TABS = 5;
const FILE = 'model-Q4_K_M.gguf';
const HEADER = ggufHeaderFor(FILE, 'tinyllama-1.1b-chat-q8_0');

function repos(prefix: string, count: number): FakeRepo[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}/model-${i}-GGUF`,
    sha: fakeSha(`${prefix}-${i}`),
    files: [{ path: FILE, size: 1_200_000_000, header: HEADER }],
  }));
}

const asks = (list: FakeRepo[]): ClientRequest[] =>
  list.map((r) => ({ repo: r.id, revision: 'main', file: FILE }));

/**
 * What the quota allows at best for `requests` api requests: (ceil(requests / q) - 1) x w. Asked for
 * the requests a correct product needs (one model info per repo), not for those it made: a product
 * that doubled its requests would double its time against this.
 */
const minimumMs = (requests: number) => (Math.ceil(requests / QUOTA) - 1) * WINDOW_S * 1000;

function hubStats(hf: HfServer, prefix: string) {
  const mine = hf.requests.filter((r) => r.host === 'hub' && r.path.includes(`/${prefix}/`));
  const api = mine.filter((r) => r.bucket === 'api');
  return {
    upstream: mine.length,
    api: api.length,
    tooMany: mine.filter((r) => r.status === 429).length,
    first: Math.min(...mine.map((r) => r.time)),
  };
}

export async function benchSchedulerBurst(report: Report): Promise<void> {
  const hf = await startHfServer({ rateLimits: { api: { quota: QUOTA, windowSeconds: WINDOW_S } } });
  const ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
  try {
    const pages = await Promise.all(Array.from({ length: TABS }, () => ext.openExtensionPage('popup.html')));
    // Every tab asks for its share at once.
    const fromTabs = (list: ClientRequest[]) =>
      Promise.all(
        pages.map((page, t) =>
          checkFromPage(
            page,
            list.filter((_, i) => i % TABS === t),
          ),
        ),
      );

    // 1. The burst.
    const burst = repos('burst', CHECKS);
    for (const repo of burst) hf.addRepo(repo);
    const outcomes = (await fromTabs(asks(burst))).flat();
    const done = Date.now();
    const stats = hubStats(hf, 'burst');
    report.figure(
      'burst_checks_done',
      outcomes.filter((o) => o.ok).length,
      '',
      exactly(CHECKS, 'checks left failed or unanswered'),
    );
    report.figure('burst_429s', stats.tooMany, '', exactly(0, 'Hugging Face refusing our requests'));
    report.figure('burst_upstream_requests_per_check', stats.upstream / CHECKS);
    report.figure(
      'burst_api_requests',
      stats.api,
      '',
      atMost(CHECKS, 'more than one model-info request per repo'),
    );
    report.figure('burst_seconds', (done - stats.first) / 1000, 's');
    report.figure(
      'burst_time_ratio_to_quota_minimum',
      (done - stats.first) / minimumMs(CHECKS),
      '',
      atMost(1.15, 'extra requests or idle waits that stretch the burst past the quota’s minimum'),
    );

    // 2. The same burst with the worker stopped in the middle.
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000)); // a fresh window
    const again = repos('stopped', CHECKS);
    for (const repo of again) hf.addRepo(repo);
    const running = fromTabs(asks(again));
    while (hubStats(hf, 'stopped').api < (CHECKS * 2) / 5) await new Promise((r) => setTimeout(r, 50));
    await ext.stopWorker();
    const stoppedOutcomes = (await running).flat();
    const stoppedDone = Date.now();
    const stopped = hubStats(hf, 'stopped');
    report.figure(
      'stopped_burst_429s',
      stopped.tooMany,
      '',
      exactly(0, 'a restarted worker bursting past the budget it had spent'),
    );
    report.figure(
      'stopped_burst_checks_done',
      stoppedOutcomes.filter((o) => o.ok).length,
      '',
      exactly(CHECKS, 'checks lost or ending in errors when the worker stops'),
    );
    report.figure(
      'stopped_burst_api_requests',
      stopped.api,
      '',
      atMost(CHECKS, 'asking again what the stopped worker had'),
    );
    report.figure('stopped_burst_upstream_requests_per_check', stopped.upstream / CHECKS);
    report.figure(
      'stopped_burst_time_ratio_to_quota_minimum',
      (stoppedDone - stopped.first) / minimumMs(CHECKS),
      '',
      atMost(1.15, 'a restart that loses time or repeats requests'),
    );

    // 3. N tabs asking for one file.
    const [one] = repos('one', 1) as [FakeRepo];
    hf.addRepo(one);
    await Promise.all(pages.map((page) => checkFromPage(page, asks([one]))));
    report.figure(
      'same_file_from_5_tabs_upstream_requests',
      hubStats(hf, 'one').upstream,
      '',
      exactly(2, 'identical checks not sharing one model info and one header read'),
    );
  } finally {
    await ext.close();
    await hf.close();
  }
}
