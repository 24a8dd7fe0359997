// The content script is a loader: the page session and the page UI are modules it imports
// (entrypoints/huggingface.ts says why). What that must not cost: a page probing for the extension
// by its fixed id, a page script reaching our code, or a permission; and each module asks to be
// compiled at once, off the main thread (wxt.config.ts).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dressed, shadowText } from './page-support';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, ggufHeaderFor } from './support/fixture-pages';
import { type HfServer, startHfServer } from './support/hf-server';

const REPO = 'microsoft/Phi-3-mini-4k-instruct-gguf';
const FILE = 'Phi-3-mini-4k-instruct-q4.gguf';
const PAGE = `/${REPO}/blob/main/${FILE}`;
const COMMIT = '999f761fe19e26cf1a339a5ec5f9f201301cbb83';
const MODULES = ['page-session.js', 'page-ui.js'];

let hf: HfServer;
let ext: ExtensionSession;

beforeAll(async () => {
  const header = ggufHeaderFor(FILE, 'phi-3-mini-4k-instruct-q4_k_m');
  hf = await startHfServer({
    repos: [{ id: REPO, sha: COMMIT, files: [{ path: FILE, size: 2_393_231_072, header }] }],
    pages: {
      [PAGE]: dressed(fixturePage('blob-gguf-file-2025-11.html')),
      // The same page under a Content-Security-Policy that allows no script from elsewhere.
      [`${PAGE}?strict`]: fixturePage('blob-gguf-file-2025-11.html').replace(
        '<head>',
        `<head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'">`,
      ),
    },
  });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
});

afterAll(async () => {
  await ext?.close();
  await hf?.close();
});

/** Evaluates `expression` in the content scripts' own world of `page` (DevTools: their isolated context). */
async function inContentWorld(page: import('playwright-core').Page, expression: string): Promise<unknown> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const contexts: Array<{ id: number; origin: string; auxData?: { type?: string } }> = [];
    cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
    await cdp.send('Runtime.enable');
    const ours = contexts.find((c) => c.auxData?.type === 'isolated' && c.origin === ext.extensionOrigin);
    if (!ours) throw new Error('No content-script world on the page');
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      expression,
      contextId: ours.id,
      returnByValue: true,
      awaitPromise: true,
    });
    if (exceptionDetails) throw new Error(exceptionDetails.text);
    return result.value;
  } finally {
    await cdp.detach();
  }
}

describe('the content script and its modules in Chromium', () => {
  it('the page UI draws with the strings the page session hands it: no browser.i18n call at all', async () => {
    const page = await ext.context.newPage();
    await page.goto(`https://huggingface.co${PAGE}?strings`);
    const selector = `gpustack-check[data-file="${FILE}"]`;
    const control = page.locator(selector);
    await control.waitFor();
    // Count every lookup the content scripts' world makes from here on (the page UI is not loaded yet).
    await inContentWorld(
      page,
      `globalThis.__lookups = 0;
       const own = chrome.i18n.getMessage.bind(chrome.i18n);
       chrome.i18n.getMessage = (...args) => { globalThis.__lookups += 1; return own(...args); };`,
    );
    await control.click();
    await expect.poll(() => control.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    await control.click(); // the popover: more of the page UI's words
    await expect.poll(() => shadowText(page, selector, '.pop')).toContain('Check again');
    expect(await shadowText(page, selector)).toMatch(/checked/);
    expect(await inContentWorld(page, 'globalThis.__lookups')).toBe(0);
    await page.close();
  });

  it('annotates and draws a verdict through its modules, which the page can neither fetch by id nor reach', async () => {
    const page = await ext.context.newPage();
    await page.goto(`https://huggingface.co${PAGE}`);
    const selector = `gpustack-check[data-file="${FILE}"]`;
    const control = page.locator(selector);
    await control.click();
    await expect.poll(() => control.getAttribute('data-state'), { timeout: 15_000 }).toBe('done');
    // The page UI module drew the verdict (with when it was checked): it was imported.
    await expect.poll(() => shadowText(page, selector)).toContain('checked');
    const fetched = await page.evaluate(
      (urls) =>
        Promise.all(
          urls.map((url) =>
            fetch(url).then(
              () => 'fetched',
              () => 'refused',
            ),
          ),
        ),
      MODULES.map((file) => `${ext.extensionOrigin}/${file}`),
    );
    expect(fetched).toEqual(['refused', 'refused']);
    // Nor does the page's resource timeline name them (or the extension's per-session URL).
    const named = await page.evaluate(
      () =>
        performance.getEntriesByType('resource').filter((entry) => !entry.name.startsWith('https:')).length,
    );
    expect(named).toBe(0);
    // The modules ran in the content scripts' world, not the page's.
    expect(await page.evaluate(() => Object.keys(window).filter((key) => key.includes('gpustack')))).toEqual(
      [],
    );
    await page.close();
  });

  it('loads them on a page whose Content-Security-Policy allows no script from elsewhere', async () => {
    const page = await ext.context.newPage();
    await page.goto(`https://huggingface.co${PAGE}?strict`);
    // The policy holds: an inline script of the page's does not run.
    const inlineRan = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'document.body.dataset.inline = "ran"';
      document.head.append(script);
      return document.body.dataset.inline === 'ran';
    });
    expect(inlineRan).toBe(false);
    const selector = `gpustack-check[data-file="${FILE}"]`;
    await page.locator(selector).click();
    await expect
      .poll(() => page.locator(selector).getAttribute('data-state'), { timeout: 15_000 })
      .toBe('done');
    await expect.poll(() => shadowText(page, selector)).toContain('checked');
    await page.close();
  });

  it('needs no permission for them, lets only huggingface.co load them, and asks V8 to compile each at once', () => {
    const manifest = JSON.parse(readFileSync(join(ext.extensionDir, 'manifest.json'), 'utf8')) as {
      permissions: string[];
      web_accessible_resources: unknown[];
    };
    expect(manifest.permissions).toEqual(['storage']);
    expect(manifest.web_accessible_resources).toEqual([
      { resources: MODULES, matches: ['https://huggingface.co/*'], use_dynamic_url: true },
    ]);
    for (const file of MODULES) {
      expect(
        readFileSync(join(ext.extensionDir, file), 'utf8').startsWith('//# allFunctionsCalledOnLoad\n'),
      ).toBe(true);
    }
  });
});
