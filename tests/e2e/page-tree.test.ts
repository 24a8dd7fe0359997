// Tree pages in Chromium with the built extension: controls on exactly the GGUF model files (two
// markup variants), "Load more files" and re-renders without duplicates, verdicts with their data-*
// attributes, cached verdicts without a request, "Check all quantizations" with its best fit,
// pushState navigation, and screenshots of the popover in light and dark.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseInShadow,
  clickInShadow,
  dressed,
  setDark,
  shadowText,
  treeClientScript,
} from './page-support';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, repoFromPage } from './support/fixture-pages';
import { type HfServer, startHfServer } from './support/hf-server';

const REPO = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const HUB = 'https://huggingface.co';
const HOSTILE = '<img src=x onerror=alert(1)>.gguf';
const ODD = 'Qwen2.5 7B #1 ünï?-Q5_K_S.gguf';
const Q4 = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';
const Q6 = 'Qwen2.5-7B-Instruct-Q6_K.gguf';
const SPLIT = 'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf';
const MODELS = [HOSTILE, ODD, 'Qwen2.5-7B-Instruct-IQ2_XXS.gguf', Q4, Q6, SPLIT].sort();

let hf: HfServer;
let ext: ExtensionSession;
let script = '';

beforeAll(async () => {
  const html2025 = fixturePage('tree-gguf-2025.html');
  script = treeClientScript(REPO, ['qwen2.5-7b-instruct-imatrix.gguf', ODD]);
  hf = await startHfServer({
    repos: [repoFromPage(html2025)],
    pages: {
      [`/${REPO}/tree/main`]: dressed(html2025, script),
      [`/${REPO}`]: dressed(fixturePage('model-card-gguf-2025.html'), script),
    },
  });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
});

afterAll(async () => {
  await ext?.close();
  await hf?.close();
});

async function open(path: string): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`${HUB}${path}`);
  await page.locator('gpustack-check').first().waitFor();
  return page;
}

const files = (page: Page) =>
  page.locator('gpustack-check').evaluateAll((els) => els.map((el) => el.getAttribute('data-file') ?? ''));
const control = (page: Page, file: string) => page.locator(`gpustack-check[data-file="${file}"]`);
const checkCalls = () => hf.requests.filter((r) => r.host === 'cdn' || r.path.includes('/resolve/'));

describe('tree page in Chromium', () => {
  it('tree-gguf-2025: a control beside exactly the GGUF model files; a click renders the verdict', async () => {
    const page = await open(`/${REPO}/tree/main`);
    expect((await files(page)).sort()).toEqual(MODELS);
    const q4 = control(page, Q4);
    await q4.click();
    await expect.poll(() => q4.getAttribute('data-state')).toBe('done');
    expect(await q4.getAttribute('data-compatible')).toBe('true');
    expect(await q4.getAttribute('data-placement')).toBe('single-gpu');
    expect(Number(await q4.getAttribute('data-vram-bytes'))).toBeGreaterThan(1e9);
    expect(Number(await q4.getAttribute('data-ram-bytes'))).toBeGreaterThan(1e8);
    expect(await q4.getAttribute('data-engine')).toBe('builtin');
    expect(await shadowText(page, `gpustack-check[data-file="${Q4}"]`)).toMatch(
      /^Fits on GPUVRAM \d+\.\d\d GiB · RAM \d+\.\d\d (MiB|GiB)checked just now$/,
    );
    const split = control(page, SPLIT);
    await split.press('Enter');
    await expect.poll(() => split.getAttribute('data-state')).toBe('done');
    // Qwen2.5-72B's header in two shards: no single 24 GiB GPU holds it.
    expect(await split.getAttribute('data-placement')).not.toBe('single-gpu');
    expect(await shadowText(page, `gpustack-check[data-file="${SPLIT}"]`)).toMatch(
      /^(Won't fit|Partial offload|CPU only)/,
    );
    await page.close();
  });

  it('tree-gguf-2024: "Load more files" rows get controls; a re-render loses none; no duplicates', async () => {
    // The 2024 build of the same page: other nesting, BranchSelector, a "Load more files" button.
    hf.setPage(`/${REPO}/tree/main`, dressed(fixturePage('tree-gguf-2024.html'), script));
    const page = await open(`/${REPO}/tree/main`);
    hf.setPage(`/${REPO}/tree/main`, dressed(fixturePage('tree-gguf-2025.html'), script));
    const before = (await files(page)).sort();
    expect(before).toEqual(MODELS.filter((f) => f !== ODD));
    expect(await page.locator('gpustack-check').first().getAttribute('data-revision')).toBe('main');
    await page.getByText('Load more files').click();
    await expect.poll(async () => (await files(page)).sort()).toEqual(MODELS);
    await page.evaluate(() => (window as unknown as { rerenderList(): void }).rerenderList());
    await expect.poll(async () => (await files(page)).sort()).toEqual(MODELS);
    await page.waitForTimeout(200);
    expect((await files(page)).sort()).toEqual(MODELS);
    await page.close();
  });

  it('shows cached verdicts on load without a request', async () => {
    const first = await open(`/${REPO}/tree/main`);
    const q6 = control(first, Q6);
    await q6.click();
    await expect.poll(() => q6.getAttribute('data-state')).toBe('done');
    await first.close();
    hf.clearLog();
    const page = await open(`/${REPO}/tree/main`);
    await expect.poll(() => control(page, Q6).getAttribute('data-state')).toBe('done');
    expect(await control(page, Q6).getAttribute('data-compatible')).toBe('true');
    // Only the page itself was fetched: no API call, no header read.
    expect(hf.requests.filter((r) => r.path.startsWith('/api/'))).toEqual([]);
    expect(checkCalls()).toEqual([]);
    await page.close();
  });

  it('"Check all quantizations" checks every file, counts them, and marks the largest GPU fit', async () => {
    const page = await open(`/${REPO}/tree/main`);
    const bar = page.locator('gpustack-bulk');
    expect(await bar.getAttribute('data-state')).toBe('idle');
    await clickInShadow(page, 'gpustack-bulk', 'button');
    await expect.poll(() => bar.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await bar.getAttribute('data-done')).toBe('6');
    expect(await bar.getAttribute('data-total')).toBe('6');
    expect(await page.locator('gpustack-check[data-state="done"]').count()).toBe(6);
    const best = await page
      .locator('gpustack-check[data-best="true"]')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-file')));
    expect(best).toEqual([Q6]);
    expect(await shadowText(page, 'gpustack-bulk')).toBe(
      'Check all quantizationsChecked 6 of 6 · Best fit: Q6_K',
    );
    expect(await shadowText(page, `gpustack-check[data-file="${Q6}"]`)).toContain('Best fit');
    await page.close();
  });

  // Before the model card's visit below: its signed-in user's hardware becomes the extension's.
  it('popover: re-estimate at another context size; screenshots in light and dark', async () => {
    const page = await open(`/${REPO}/tree/main`);
    await page.setViewportSize({ width: 1180, height: 640 });
    const selector = `gpustack-check[data-file="${SPLIT}"]`;
    const split = control(page, SPLIT);
    // Checked in the first test: the cached verdict shows without a click.
    await page.waitForTimeout(300);
    if ((await split.getAttribute('data-state')) === 'idle') await split.click();
    await expect.poll(() => split.getAttribute('data-state')).toBe('done');
    await split.click();
    expect(await split.getAttribute('aria-expanded')).toBe('true');
    expect(await shadowText(page, selector, '.pop')).toContain('Engine: built-in estimate');
    // The breakdown: a bar per device against its capacity.
    expect(await shadowText(page, selector, '.pop')).toMatch(/RAM[\s\S]*GPU 0/);
    await chooseInShadow(page, selector, 'select', '4096');
    await expect.poll(() => shadowText(page, selector, '.pop select')).toBeTruthy();
    await expect.poll(() => split.getAttribute('data-state')).toBe('done');
    await expect.poll(() => page.evaluate(() => document.activeElement?.localName)).toBe('gpustack-check');
    await page.screenshot({ path: 'docs/screenshots/page-tree-light.png' });
    await setDark(page, true);
    await page.screenshot({ path: 'docs/screenshots/page-tree-dark.png' });
    await page.keyboard.press('Escape');
    expect(await split.getAttribute('aria-expanded')).toBe('false');
    await page.close();
  });
  it('pushState to the model card and back (popstate): controls follow, none twice', async () => {
    const page = await open(`/${REPO}/tree/main`);
    await page.getByText('Model card').click();
    await page.waitForURL(`${HUB}/${REPO}`);
    await expect.poll(() => page.locator('a[href*="show_file_info"] + gpustack-check').count()).toBe(5);
    expect(await page.locator('gpustack-bulk').count()).toBe(1);
    await page.goBack();
    await expect.poll(async () => (await files(page)).sort()).toEqual(MODELS);
    expect(await page.locator('gpustack-bulk').count()).toBe(1);
    // The live region comes with the first request, one per page, however often the page changed.
    expect(await page.locator('gpustack-live').count()).toBe(0);
    await page.locator('gpustack-check').first().click();
    expect(await page.locator('gpustack-live').count()).toBe(1);
    await page.close();
  });

  it('screen readers: the popover is a dialog with its controls; a verdict is announced politely', async () => {
    const page = await open(`/${REPO}/tree/main`);
    const q4 = control(page, Q4);
    await page.waitForTimeout(300);
    if ((await q4.getAttribute('data-state')) !== 'done') await q4.click();
    await expect.poll(() => q4.getAttribute('data-state')).toBe('done');
    await q4.click();
    const cdp = await ext.context.newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    await cdp.detach();
    const exposed = nodes
      .filter((n) => !n.ignored && ['dialog', 'button', 'combobox'].includes(String(n.role?.value)))
      .map((n) => `${n.role?.value}: ${n.name?.value}`);
    expect(exposed).toEqual(
      expect.arrayContaining([
        'button: Check GPUStack compatibility',
        'button: Check all quantizations',
        'dialog: GPUStack compatibility details',
        'button: Close',
        'button: Check again',
        'combobox: Context size',
      ]),
    );
    // "Check again" in the popover: its answer is announced.
    await clickInShadow(page, `gpustack-check[data-file="${Q4}"]`, '.pop > .row:last-child > button');
    await expect
      .poll(() => shadowText(page, 'gpustack-live', '[aria-live="polite"]'))
      .toMatch(new RegExp(`^${Q4.replace(/\./g, '\\.')}: Fits on GPU, VRAM \\d`));
    await page.close();
  });
});
