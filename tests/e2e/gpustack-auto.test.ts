// Auto mode and the hardware the built-in engine measures against, in Chromium: a GPUStack key
// without rights falls back to the built-in estimate (saying why); a signed-in Hugging Face page's
// saved hardware is used without any setup, and a Manual profile overrides it; the API key never
// reaches huggingface.co, a page, a check's result or a log line.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../utils/common/result';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, repoFromPage } from './support/fixture-pages';
import { GPUSTACK_KEYS, type GpustackServer, startGpustackServer } from './support/gpustack-server';
import { type HfServer, startHfServer } from './support/hf-server';
import { hostResolverRules } from './support/resolver-rules';

const TREE_HTML = fixturePage('tree-gguf-2025.html');
const CARD_HTML = fixturePage('model-card-gguf-2025.html');
const TREE_REPO = repoFromPage(TREE_HTML);
const CARD_REPO = repoFromPage(CARD_HTML);
const Q4 = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';
const KEY = GPUSTACK_KEYS.user;

let hf: HfServer;
let gpustack: GpustackServer;
let ext: ExtensionSession;
let options: Page;

beforeAll(async () => {
  hf = await startHfServer({
    repos: [TREE_REPO, CARD_REPO],
    pages: { [`/${TREE_REPO.id}/tree/main`]: TREE_HTML, [`/${CARD_REPO.id}`]: CARD_HTML },
  });
  gpustack = await startGpustackServer({ host: 'gpustack-v1.test', version: 'v0.6.1' });
  ext = await launchExtension({
    hostResolverRules: hostResolverRules({ ...hf.hostMap, ...gpustack.hostMap }),
  });
  options = await ext.openExtensionPage('options.html');
});

afterAll(async () => {
  await ext?.close();
  await gpustack?.close();
  await hf?.close();
});

/** Changes saved settings the way the options page does (storage.local). */
function saveSettings(changes: Record<string, unknown>) {
  return options.evaluate(async (changes) => {
    const stored = (await chrome.storage.local.get('settings.v1'))['settings.v1'] ?? {};
    await chrome.storage.local.set({ 'settings.v1': { ...stored, ...changes } });
  }, changes);
}

/** A check as the extension's pages send it, for the whole result (a page sees only data-*). */
async function check(repo: string, file: string): Promise<CheckResult> {
  const reply = (await options.evaluate(
    ([repo, file]) =>
      chrome.runtime.sendMessage({ type: 'check', repo, revision: 'main', file, force: true }),
    [repo, file] as const,
  )) as { ok: boolean; value: CheckResult; error?: { message: string } };
  expect(reply.ok, reply.error?.message).toBe(true);
  return reply.value;
}

describe('Auto engine with a key that may not evaluate', () => {
  it('shows the built-in estimate, done, and says why', async () => {
    await saveSettings({ engine: 'auto', serverUrl: gpustack.origin, apiKey: KEY, hardwareMode: 'auto' });
    const page = await ext.context.newPage();
    await page.goto(`https://huggingface.co/${TREE_REPO.id}/tree/main`);
    const control = page.locator(`gpustack-check[data-file="${Q4}"]`);
    await control.click();
    await expect.poll(() => control.getAttribute('data-state')).toBe('done');
    expect(await control.getAttribute('data-engine')).toBe('builtin');
    expect(await control.getAttribute('data-compatible')).toBe('true');
    // The server was asked (and refused: 403) before the fallback.
    const asked = gpustack.requests.filter((r) => r.pathname === '/v1/model-evaluations');
    expect(asked.map((r) => r.status)).toContain(403);
    const result = await check(TREE_REPO.id, Q4);
    expect(result.engine).toBe('builtin');
    expect(result.messages[0]).toMatch(/admin/i);
    expect(result.messages[0]).toMatch(/built-in estimate/);
    // What goes back to pages (content scripts get the same result) never holds the key.
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(await page.content()).not.toContain(KEY);
    await page.close();
  });

  it('with Engine = GPUStack server, the same key ends in an error instead', async () => {
    await saveSettings({ engine: 'gpustack' });
    const reply = (await options.evaluate(
      ([repo, file]) =>
        chrome.runtime.sendMessage({ type: 'check', repo, revision: 'main', file, force: true }),
      [TREE_REPO.id, Q4] as const,
    )) as { ok: boolean; error?: { code: string; message: string } };
    expect(reply).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    await saveSettings({ engine: 'builtin', serverUrl: '', apiKey: '' });
  });
});

describe('hardware known without asking', () => {
  it("uses a signed-in page's saved hardware, and a Manual profile overrides it", async () => {
    const page = await ext.context.newPage();
    await page.goto(`https://huggingface.co/${CARD_REPO.id}`);
    await page.locator('gpustack-check').first().waitFor();
    // The content script handed the page's hardwareItems (an Apple M2 Max, 64 GB) to the worker.
    await expect
      .poll(
        async () =>
          (await options.evaluate(() => chrome.runtime.sendMessage({ type: 'status' }))).value.hardware,
      )
      .toMatchObject({ source: 'huggingface', label: expect.stringContaining('M2 Max') });
    const file = CARD_REPO.files.find((f) => f.path.endsWith('Q4_K_M.gguf'))?.path ?? '';
    const fromPage = await check(CARD_REPO.id, file);
    expect(fromPage.hardware).toMatchObject({ source: 'huggingface' });
    // Unified memory: the claim is the UMA figure, a single pool.
    expect(fromPage.breakdown?.devices.length).toBeGreaterThan(0);

    await saveSettings({
      hardwareMode: 'manual',
      manualHardware: { gpuMemoryGiB: 8, gpuCount: 1, systemRamGiB: 16, unifiedMemory: false },
    });
    const manual = await check(CARD_REPO.id, file);
    expect(manual.hardware).toMatchObject({ source: 'manual', label: expect.stringContaining('8 GiB') });
    // Measured against 8 GiB less GPUStack's 1 GiB reserve, not the Mac's 64 GB.
    const gpu = (r: CheckResult) => r.breakdown?.devices.find((d) => d.kind === 'gpu')?.capacity;
    expect(gpu(manual)).toBe(7 * 1024 ** 3);
    expect(gpu(fromPage)).toBe(63 * 1024 ** 3);
    await saveSettings({ hardwareMode: 'auto' });
    await page.close();
  });
});

describe('the API key stays where it belongs', () => {
  it('never reached huggingface.co, a log line or a check result', () => {
    const toHub = hf.requests.filter((r) => JSON.stringify(r.headers).includes(KEY));
    expect(toHub).toEqual([]);
    expect(ext.consoleMessages.filter((line) => line.includes(KEY))).toEqual([]);
    // Requests to the server carried it only as Bearer, never with a cookie.
    for (const request of gpustack.requests) {
      expect(request.headers.cookie).toBeUndefined();
      if (request.headers.authorization) expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    }
  });
});
