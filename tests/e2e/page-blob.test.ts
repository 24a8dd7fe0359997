// The single-file page of a .gguf (a captured huggingface.co page) in Chromium: one control, at the
// download link; a verdict; the popover by keyboard; screenshots in light and dark.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dressed, setDark, shadowText } from './page-support';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, ggufHeaderFor } from './support/fixture-pages';
import { type HfServer, startHfServer } from './support/hf-server';

const REPO = 'microsoft/Phi-3-mini-4k-instruct-gguf';
const FILE = 'Phi-3-mini-4k-instruct-q4.gguf';
const PAGE = `/${REPO}/blob/main/${FILE}`;
// The commit the captured page's ViewerHeader gives for main.
const COMMIT = '999f761fe19e26cf1a339a5ec5f9f201301cbb83';

let hf: HfServer;
let ext: ExtensionSession;

beforeAll(async () => {
  const header = ggufHeaderFor(FILE, 'phi-3-mini-4k-instruct-q4_k_m');
  hf = await startHfServer({
    repos: [
      {
        id: REPO,
        sha: COMMIT,
        files: [
          { path: FILE, size: 2_393_231_072, header },
          { path: 'Phi-3-mini-4k-instruct-fp16.gguf', size: 7_643_295_904, header },
        ],
      },
    ],
    pages: { [PAGE]: dressed(fixturePage('blob-gguf-file-2025-11.html')) },
  });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
});

afterAll(async () => {
  await ext?.close();
  await hf?.close();
});

describe('blob page of a .gguf file in Chromium', () => {
  it('one control, right after the download link; Enter checks it; the popover opens by keyboard', async () => {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 1180, height: 720 });
    await page.goto(`https://huggingface.co${PAGE}`);
    const control = page.locator('gpustack-check');
    await control.first().waitFor();
    expect(await control.count()).toBe(1);
    expect(await control.getAttribute('data-file')).toBe(FILE);
    expect(await control.evaluate((el) => el.previousElementSibling?.getAttribute('href'))).toContain(
      `/resolve/main/${FILE}`,
    );
    expect(await page.locator('gpustack-bulk, gpustack-quants').count()).toBe(0);
    await control.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => control.getAttribute('data-state')).toBe('done');
    expect(await control.getAttribute('data-compatible')).toBe('true');
    expect(await control.getAttribute('data-placement')).toBe('single-gpu');
    expect(await shadowText(page, 'gpustack-check')).toMatch(/^Fits on GPUVRAM \d+\.\d\d GiB/);
    // The check asked at the page's commit: the model-info request names it.
    expect(hf.requests.some((r) => r.path.startsWith(`/api/models/${REPO}/revision/${COMMIT}`))).toBe(true);
    await page.keyboard.press('Enter');
    expect(await control.getAttribute('aria-expanded')).toBe('true');
    const details = await shadowText(page, 'gpustack-check', '.pop');
    expect(details).toContain(FILE);
    expect(details).toContain('Hardware: default: one 24 GiB GPU, 32 GiB RAM');
    await control.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'docs/screenshots/page-blob-light.png' });
    await setDark(page, true);
    await page.screenshot({ path: 'docs/screenshots/page-blob-dark.png' });
    // Escape closes it and gives the focus back to the control.
    await page.keyboard.press('Escape');
    expect(await control.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.activeElement?.localName)).toBe('gpustack-check');
    await page.close();
  });
});
