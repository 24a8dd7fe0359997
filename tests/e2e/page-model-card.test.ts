// Model cards in Chromium: controls beside Hugging Face's quantization list and the README's links;
// a card without such a list gets ours in the sidebar; "Check all quantizations" with its best fit;
// screenshots of the popover in light and dark.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickInShadow, dressed, setDark, shadowText } from './page-support';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, repoFromPage } from './support/fixture-pages';
import { type HfServer, startHfServer } from './support/hf-server';

const REPO = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const CARD = `https://huggingface.co/${REPO}`;
const Q6 = 'Qwen2.5-7B-Instruct-Q6_K.gguf';
const QUANT_LIST = [
  'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
  'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
  Q6,
  'Q8_0/Qwen2.5-7B-Instruct-Q8_0-00001-of-00002.gguf',
  'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
];
// Sizes as the card says (the page carries no tree; the rest keep repoFromPage's 1 GB): Q6_K is the
// largest file of the card.
const SIZES: Record<string, number> = {
  'Qwen2.5-7B-Instruct-IQ2_XXS.gguf': 2.27e9,
  'Qwen2.5-7B-Instruct-Q4_K_M.gguf': 4.68e9,
  [Q6]: 6.25e9,
  'Qwen2.5 7B #1 ünï?-Q5_K_S.gguf': 5.32e9,
};

let hf: HfServer;
let ext: ExtensionSession;

beforeAll(async () => {
  const html = fixturePage('model-card-gguf-2025.html');
  const repo = repoFromPage(html);
  for (const file of repo.files) file.size = SIZES[file.path] ?? file.size;
  hf = await startHfServer({ repos: [repo], pages: { [`/${REPO}`]: dressed(html) } });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
});

afterAll(async () => {
  await ext?.close();
  await hf?.close();
});

async function open(): Promise<Page> {
  const page = await ext.context.newPage();
  await page.setViewportSize({ width: 1366, height: 800 });
  await page.goto(CARD);
  await page.locator('gpustack-check').first().waitFor();
  return page;
}

describe('model card in Chromium', () => {
  it("a control beside each quantization of the page's list, none beside mmproj or imatrix", async () => {
    const page = await open();
    const listed = await page
      .locator('a[href*="show_file_info"] + gpustack-check')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-file')));
    expect(listed).toEqual(QUANT_LIST);
    expect(await page.locator('a[href*="mmproj"] + gpustack-check').count()).toBe(0);
    expect(await page.locator('a[href*="imatrix"] + gpustack-check').count()).toBe(0);
    expect(await page.locator('gpustack-quants').count()).toBe(0);
    await page.close();
  });

  it('"Check all quantizations" marks the largest quantization that fits entirely on GPU', async () => {
    const page = await open();
    const bar = page.locator('gpustack-bulk');
    await clickInShadow(page, 'gpustack-bulk', 'button');
    await expect.poll(() => bar.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await bar.getAttribute('data-done')).toBe(await bar.getAttribute('data-total'));
    const best = await page
      .locator('gpustack-check[data-best="true"]')
      .evaluateAll((els) => [...new Set(els.map((el) => el.getAttribute('data-file')))]);
    expect(best).toEqual([Q6]);
    expect(await shadowText(page, 'gpustack-bulk')).toContain('Best fit: Q6_K');
    expect(await page.locator('a[href*="show_file_info"] + gpustack-check[data-state="done"]').count()).toBe(
      5,
    );

    // The popover of the best fit, in light and dark.
    const q6 = page.locator(`a[href*="show_file_info"] + gpustack-check[data-file="${Q6}"]`);
    await q6.click();
    expect(await q6.getAttribute('aria-expanded')).toBe('true');
    await page.screenshot({ path: 'docs/screenshots/page-model-card-light.png' });
    await setDark(page, true);
    await page.screenshot({ path: 'docs/screenshots/page-model-card-dark.png' });
    // A click elsewhere closes it.
    await page.mouse.click(5, 795);
    expect(await q6.getAttribute('aria-expanded')).toBe('false');
    await page.close();
  });

  it('a card without a quantization list gets ours in the sidebar, with working controls', async () => {
    hf.setPage(`/${REPO}`, dressed(fixturePage('model-card-gguf-2025-no-quant-list.html')));
    const page = await open();
    const panel = page.locator('gpustack-quants');
    await panel.waitFor();
    const inPanel = panel.locator(':scope > gpustack-check');
    expect(await inPanel.count()).toBe(7);
    expect(
      await page.evaluate(() => document.querySelector('gpustack-quants')?.shadowRoot ?? null),
    ).toBeNull();
    expect(await shadowText(page, 'gpustack-quants')).toContain('GPUStack compatibility');
    const q6 = panel.locator(`gpustack-check[data-file="${Q6}"]`);
    // Checked in the previous test: cached, shown at once.
    await expect.poll(() => q6.getAttribute('data-state')).toBe('done');
    const iq2 = panel.locator('gpustack-check[data-file="Qwen2.5-7B-Instruct-IQ2_XXS.gguf"]');
    expect(await iq2.isVisible()).toBe(true);
    hf.setPage(`/${REPO}`, dressed(fixturePage('model-card-gguf-2025.html')));
    await page.close();
  });
});
