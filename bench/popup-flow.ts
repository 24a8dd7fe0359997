// The popup flow that made GPUStack 0.6.0 hit 429s, in the real extension (Debian's Chromium) against
// the impersonated Hub: open the popup, search "Qwen2.5-VL" (35 GGUF repos), scroll to the end twice,
// open the top model, select a file. Prints the Hugging Face requests (huggingface.co: api and
// resolvers buckets) each step caused and the total; the goal is the minimum: nothing on opening,
// 1 search, 1 page per scroll, 1 model info, and the Range reads the header reader needs for the
// model's header and its vision projector's (1 MiB first, then up to 8 MiB, then x4: a 5.8 MB header
// takes two).

import type { Page } from 'playwright-core';
import { launchExtension } from '../tests/e2e/support/browser';
import { ggufHeaderFor } from '../tests/e2e/support/fixture-pages';
import { type FakeRepo, fakeSha, type HfServer, startHfServer } from '../tests/e2e/support/hf-server';
import { exactly, type Report } from './report';

const TOP = 'Qwen/Qwen2.5-VL-7B-Instruct-GGUF';
const FILE = 'Qwen2.5-VL-7B-Instruct-Q4_K_M.gguf';
const MMPROJ = 'mmproj-F16.gguf';
const MODEL_HEADER = ggufHeaderFor(FILE, 'qwen2.5-vl-7b-instruct-q4_k_m');
const MMPROJ_HEADER = ggufHeaderFor(MMPROJ);

/**
 * What the check must read, fixed (not computed from the product's own constants): the model's
 * 5.8 MB header takes two Range reads (its first MiB, then all of it), the projector's 30 kB one.
 */
const HEADERS = 3;
const QUIET_MS = 1500;

function repos(): FakeRepo[] {
  const header = MODEL_HEADER;
  const top: FakeRepo = {
    id: TOP,
    sha: fakeSha('bench popup top'),
    downloads: 900_000,
    files: [
      { path: FILE, size: 4_683_073_952, header },
      { path: 'Qwen2.5-VL-7B-Instruct-Q8_0.gguf', size: 8_098_525_888, header },
      { path: MMPROJ, size: 1_354_163_040, header: MMPROJ_HEADER },
    ],
  };
  const others = Array.from({ length: 34 }, (_, i) => ({
    id: `bench${i % 4}/Qwen2.5-VL-${i + 1}B-Instruct-GGUF`,
    sha: fakeSha(`bench popup ${i}`),
    downloads: 500_000 - i * 1000,
    files: [{ path: `Qwen2.5-VL-${i + 1}B-Instruct-Q4_K_M.gguf`, size: 2_000_000_000 + i }],
  }));
  return [top, ...others];
}

async function until(page: Page, condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`popup-flow: timed out waiting for ${what}`);
    await page.waitForTimeout(50);
  }
}

export async function benchPopupFlow(report: Report): Promise<void> {
  const hf: HfServer = await startHfServer({ repos: repos() });
  const ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
  const hub = () => hf.requests.filter((r) => r.host === 'hub');
  let total = 0;
  let page: Page | undefined;
  /** Runs one user step, waits for its outcome and a quiet spell, and reports its requests. */
  const step = async (name: string, goal: number, act: () => Promise<void>) => {
    const before = hub().length;
    await act();
    await page?.waitForTimeout(QUIET_MS);
    const made = hub().length - before;
    total += made;
    report.figure(
      `popup_${name}_hf_requests`,
      made,
      '',
      exactly(goal, `${name}: more requests than the step needs`),
    );
    return hub().slice(before);
  };
  try {
    hf.clearLog();
    await step('open', 0, async () => {
      page = await ext.openExtensionPage('popup.html');
      await page.locator('main.popup:not([aria-busy])').waitFor();
    });
    const p = page as unknown as Page;
    const rows = p.locator('[data-model-id]');
    await step('search', 1, async () => {
      await p.getByLabel('Search GGUF models').pressSequentially('Qwen2.5-VL', { delay: 40 });
      await until(p, async () => (await rows.count()) === 10, '10 results');
    });
    await step('scroll_twice', 2, async () => {
      for (const shown of [20, 30]) {
        await p.locator('[data-sentinel]').scrollIntoViewIfNeeded();
        await until(p, async () => (await rows.count()) === shown, `${shown} results`);
      }
    });
    await step('open_model', 1, async () => {
      await p.locator(`[data-model-id="${TOP}"]`).click();
      await until(p, async () => (await p.locator('[data-file]').count()) === 2, 'the file list');
    });
    const reads = await step('select_file', HEADERS, async () => {
      const entry = p.locator(`[data-file="${FILE}"]`);
      await entry.click();
      await until(p, async () => (await entry.getAttribute('data-state')) === 'done', 'the verdict');
    });
    report.figure(
      'popup_total_hf_requests',
      total,
      '',
      exactly(7, 'GPUStack 0.6.0’s popup asked for every result at once: hundreds'),
    );
    // How the check's requests split: resolves per file read (a header larger than the reader's
    // first read costs a second resolve), and the CDN reads behind them (not rate limited).
    const resolvesOf = (file: string) => reads.filter((r) => decodeURIComponent(r.path).endsWith(`/${file}`));
    report.figure('popup_select_file_model_header_resolves', resolvesOf(FILE).length);
    report.figure('popup_select_file_projector_header_resolves', resolvesOf(MMPROJ).length);
    report.figure(
      'popup_flow_429s',
      hf.requests.filter((r) => r.status === 429).length,
      '',
      exactly(0, 'Hugging Face refusing the popup'),
    );
  } finally {
    await ext.close();
    await hf.close();
  }
}
