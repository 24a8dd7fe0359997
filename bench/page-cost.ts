// What the content script costs a page: main-thread time to read and annotate a 500-file tree page
// in the real extension (Debian's Chromium, impersonated huggingface.co), and the size of the
// content script bundle. The content script times its own work with user-timing measures
// ('gpustack-check:annotate': reading the page's islands and URL, finding the files, making the
// controls, and the rows annotated as they near the viewport; 'gpustack-check:message': posting to
// the worker), which the page can read: each figure is their sum after load, the median of a few
// loads.

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { treePage } from '../tests/dom/tree-page-builder';
import { DEFAULT_EXTENSION_DIR, type ExtensionSession, launchExtension } from '../tests/e2e/support/browser';
import { ggufHeaderFor } from '../tests/e2e/support/fixture-pages';
import { fakeSha, startHfServer } from '../tests/e2e/support/hf-server';
import { ANNOTATE_MEASURE, MESSAGE_MEASURE } from '../utils/timing';
import { atMost, exactly, type Report } from './report';

const REPO = 'bench/Big-Tree-GGUF';
const SMALL_REPO = 'bench/Small-Tree-GGUF';
const FILES = 500;
const LOADS = 11;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** The annotation's main-thread time on `path` (summed user-timing entries), and its controls. */
async function annotateCost(
  ext: ExtensionSession,
  url: string,
): Promise<{ ms: number; messagesMs: number; controls: number }> {
  const page = await ext.context.newPage();
  try {
    await page.goto(url);
    await page.locator('gpustack-check').first().waitFor();
    // The rows near the viewport are annotated in an observer callback right after load.
    await page.waitForTimeout(500);
    const [ms, messagesMs] = await page.evaluate(
      (names) =>
        names.map((name) =>
          performance.getEntriesByName(name).reduce((sum, entry) => sum + entry.duration, 0),
        ),
      [ANNOTATE_MEASURE, MESSAGE_MEASURE],
    );
    return {
      ms: ms ?? 0,
      messagesMs: messagesMs ?? 0,
      controls: await page.locator('gpustack-check').count(),
    };
  } finally {
    await page.close();
  }
}

export async function benchPageCost(report: Report): Promise<void> {
  // The goal is 40 kB as the build prints sizes: 40,000 bytes.
  const bundle = join(DEFAULT_EXTENSION_DIR, 'huggingface.js');
  report.figure('content_script_bytes', statSync(bundle).size, 'B', atMost(40000));

  const sha = fakeSha('page-cost');
  const header = ggufHeaderFor('model-Q4_K_M.gguf', 'tinyllama-1.1b-chat-q8_0');
  const pages = { big: treePage(REPO, FILES, sha), small: treePage(SMALL_REPO, 20, sha) };
  const repoOf = (id: string, files: string[]) => ({
    id,
    sha,
    files: files.map((path) => ({ path, size: 1_200_000_000, header })),
  });
  const hf = await startHfServer({
    repos: [repoOf(REPO, pages.big.files), repoOf(SMALL_REPO, pages.small.files)],
    pages: { [`/${REPO}/tree/main`]: pages.big.html, [`/${SMALL_REPO}/tree/main`]: pages.small.html },
  });
  const ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
  try {
    const big: number[] = [];
    const messages: number[] = [];
    const small: number[] = [];
    let shown = 0;
    for (let i = 0; i < LOADS; i++) {
      const load = await annotateCost(ext, `https://huggingface.co/${REPO}/tree/main`);
      big.push(load.ms);
      messages.push(load.messagesMs);
      shown = load.controls;
      small.push((await annotateCost(ext, `https://huggingface.co/${SMALL_REPO}/tree/main`)).ms);
    }
    // Scrolled through, every file of the big list has its control.
    const page = await ext.context.newPage();
    await page.goto(`https://huggingface.co/${REPO}/tree/main`);
    await page.locator('gpustack-check').first().waitFor();
    // Steps shorter than the viewport: every row passes through it, as when someone reads the list.
    for (let y = 0; y < 200 && (await page.locator('gpustack-check').count()) < FILES; y++) {
      await page.mouse.wheel(0, 600);
      await page.waitForTimeout(50);
    }
    const all = await page.locator('gpustack-check').count();
    await page.close();

    report.figure('page_annotate_500_files_ms', median(big), 'ms', atMost(10));
    report.figure('page_annotate_500_files_ms_min', Math.min(...big), 'ms');
    // Apart from annotating: handing the worker its messages (strings, cached verdicts).
    report.figure('page_messages_500_files_ms', median(messages), 'ms');
    // The same page with 20 files: what a page costs whatever its length (reading it, the i18n
    // catalogue, the port to the worker, the controls in view).
    report.figure('page_annotate_20_files_ms', median(small), 'ms');
    report.figure('page_annotate_500_files_controls_at_load', shown);
    report.figure('page_annotate_500_files_controls_after_scroll', all, '', exactly(FILES));
  } finally {
    await ext.close();
    await hf.close();
  }
}
