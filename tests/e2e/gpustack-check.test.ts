// A check on a Hugging Face tree page answered by a GPUStack server: the built extension in Chromium,
// the impersonated huggingface.co and a fake GPUStack 0.6 server at http://gpustack-v1.test (build
// with EXTRA_HOST_PERMISSIONS=http://gpustack-v1.test,http://gpustack-v2.test, as test:e2e does).

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, repoFromPage } from './support/fixture-pages';
import {
  claimFromFilename,
  defaultEvaluator,
  GPUSTACK_KEYS,
  type GpustackServer,
  startGpustackServer,
} from './support/gpustack-server';
import { type HfServer, startHfServer } from './support/hf-server';
import { hostResolverRules } from './support/resolver-rules';

const REPO = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const TREE = `https://huggingface.co/${REPO}/tree/main`;
const Q4 = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';
const Q6 = 'Qwen2.5-7B-Instruct-Q6_K.gguf';
const IQ2 = 'Qwen2.5-7B-Instruct-IQ2_XXS.gguf';
const SPLIT = 'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf';

let hf: HfServer;
let gpustack: GpustackServer;
let ext: ExtensionSession;
let options: Page;

beforeAll(async () => {
  const html = fixturePage('tree-gguf-2025.html');
  hf = await startHfServer({ repos: [repoFromPage(html)], pages: { [`/${REPO}/tree/main`]: html } });
  gpustack = await startGpustackServer({ host: 'gpustack-v1.test', version: 'v0.6.1' });
  ext = await launchExtension({
    hostResolverRules: hostResolverRules({ ...hf.hostMap, ...gpustack.hostMap }),
  });
  await ext.context.addCookies([
    { name: 'gpustack_session', value: 'stale-session', domain: 'gpustack-v1.test', path: '/' },
  ]);
  const worker = await ext.worker();
  await worker.evaluate(
    async ({ serverUrl, apiKey }) => {
      const stored = (await chrome.storage.local.get('settings.v1'))['settings.v1'] ?? {};
      await chrome.storage.local.set({ 'settings.v1': { ...stored, serverUrl, apiKey, engine: 'gpustack' } });
    },
    { serverUrl: gpustack.origin, apiKey: GPUSTACK_KEYS.admin },
  );
  options = await ext.openExtensionPage('options.html');
});

afterAll(async () => {
  await ext?.close();
  await gpustack?.close();
  await hf?.close();
});

beforeEach(() => {
  gpustack.setEvaluator(defaultEvaluator);
});

async function openTree(): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(TREE);
  await page.locator('gpustack-check').first().waitFor();
  return page;
}

const control = (page: Page, file: string) => page.locator(`gpustack-check[data-file="${file}"]`);
const evaluations = () => gpustack.requests.filter((r) => r.pathname === '/v1/model-evaluations');
const specsSent = () =>
  evaluations().flatMap((r) => (r.json as { model_specs: Array<Record<string, unknown>> }).model_specs);

describe('a check answered by GPUStack', () => {
  it('shows GPUStack’s verdict and claim, asked with the key as Bearer and no cookie', async () => {
    const page = await openTree();
    const q4 = control(page, Q4);
    await q4.click();
    await expect.poll(() => q4.getAttribute('data-state')).toBe('done');
    expect(await q4.getAttribute('data-engine')).toBe('gpustack');
    expect(await q4.getAttribute('data-compatible')).toBe('true');
    expect(await q4.getAttribute('data-vram-bytes')).toBe(String(claimFromFilename(Q4).vram));
    expect(specsSent()).toContainEqual(
      expect.objectContaining({
        source: 'huggingface',
        huggingface_repo_id: REPO,
        huggingface_filename: Q4,
        backend: 'llama-box',
        backend_parameters: ['--ctx-size=8192', '--parallel=4'],
      }),
    );
    for (const request of evaluations()) {
      expect(request.headers.authorization).toBe(`Bearer ${GPUSTACK_KEYS.admin}`);
      expect(request.headers.cookie).toBeUndefined();
    }
    expect(await page.content()).not.toContain(GPUSTACK_KEYS.admin);
    await page.close();
  });

  it('asks for a split model with a glob of its shards, and shows an incompatible verdict', async () => {
    gpustack.setEvaluator((spec, ctx) =>
      String(spec.huggingface_filename).includes('f16')
        ? {
            ...defaultEvaluator(spec, ctx),
            compatible: false,
            resource_claim: null,
            compatibility_messages: ['Unable to find a schedulable worker for the model.'],
          }
        : defaultEvaluator(spec, ctx),
    );
    const page = await openTree();
    const split = control(page, SPLIT);
    await split.click();
    await expect.poll(() => split.getAttribute('data-state')).toBe('done');
    expect(await split.getAttribute('data-compatible')).toBe('false');
    expect(await split.getAttribute('data-vram-bytes')).toBeNull();
    expect(specsSent().map((s) => s.huggingface_filename)).toContain(
      'Qwen2.5-7B-Instruct-f16-*-of-00002.gguf',
    );
    await page.close();
  });

  it('batches checks that wait together into one request', async () => {
    // A new worker that must ask the server's version first, slowly: both clicks wait for it, and
    // then for one evaluation together.
    const worker = await ext.worker();
    await worker.evaluate(() => chrome.storage.session.remove('gpustack.generations.v1'));
    await ext.stopWorker();
    gpustack.clearLog();
    gpustack.setLatency(600);
    const page = await openTree();
    const files = [Q6, IQ2];
    try {
      for (const file of files) await control(page, file).click();
      for (const file of files) {
        await expect.poll(() => control(page, file).getAttribute('data-state')).toBe('done');
      }
    } finally {
      gpustack.setLatency(0);
    }
    expect(gpustack.requests.filter((r) => r.pathname === '/version')).toHaveLength(1);
    expect(evaluations()).toHaveLength(1);
    expect(
      specsSent()
        .map((s) => s.huggingface_filename)
        .sort(),
    ).toEqual(files.sort());
    await page.close();
  });

  it('sends three checks that wait together as one POST with three model_specs', async () => {
    const page = await openTree(); // the repo's model info is cached after this page's first checks
    await control(page, Q4).click();
    await expect.poll(() => control(page, Q4).getAttribute('data-state')).toBe('done');
    gpustack.clearLog();
    gpustack.setLatency(800);
    try {
      // One evaluation travels slowly; three more arrive meanwhile and wait for it together.
      const ask = (file: string) =>
        options.evaluate(
          (file) =>
            chrome.runtime.sendMessage({
              type: 'check',
              repo: 'bartowski/Qwen2.5-7B-Instruct-GGUF',
              revision: 'main',
              file,
              priority: 'popup',
              force: true,
            }),
          file,
        );
      const first = ask(Q4);
      await expect.poll(() => evaluations().length).toBe(1);
      const replies = await Promise.all([first, ask(Q6), ask(IQ2), ask(SPLIT)]);
      expect(replies.every((r) => (r as { ok: boolean }).ok)).toBe(true);
      const posts = evaluations().map((r) => (r.json as { model_specs: unknown[] }).model_specs.length);
      expect(posts).toEqual([1, 3]);
    } finally {
      gpustack.setLatency(0);
      await page.close();
    }
  });

  it('"Clear cached results" in Options forgets verdicts: the next look asks GPUStack again', async () => {
    let page = await openTree();
    await control(page, Q4).click();
    await expect.poll(() => control(page, Q4).getAttribute('data-state')).toBe('done');
    await page.close();
    // Cached: a new page shows it without asking.
    gpustack.clearLog();
    page = await openTree();
    await expect.poll(() => control(page, Q4).getAttribute('data-state')).toBe('done');
    expect(evaluations()).toHaveLength(0);
    await page.close();
    const settings = await ext.openExtensionPage('options.html');
    await settings.getByRole('button', { name: 'Clear cached results' }).click();
    await expect
      .poll(() => settings.getByTestId('options-status').textContent())
      .toBe('Cached results cleared.');
    await settings.close();
    page = await openTree();
    await page.waitForTimeout(500);
    expect(await control(page, Q4).getAttribute('data-state')).toBe('idle');
    await control(page, Q4).click();
    await expect.poll(() => control(page, Q4).getAttribute('data-state')).toBe('done');
    expect(specsSent().map((s) => s.huggingface_filename)).toEqual([Q4]);
    await page.close();
  });

  it('says what GPUStack said when an evaluation fails (0.6: error: true)', async () => {
    // GPUStack 0.6 could not reach the file (calculator.py:610-613): error: true, never kept.
    gpustack.setHub({ slow: [REPO] });
    gpustack.clearEvaluationCache();
    // The Q4 verdict is cached from the first test: forget it (only extension pages may).
    const options = await ext.openExtensionPage('options.html');
    await options.evaluate(() => chrome.runtime.sendMessage({ type: 'clear-cache' }));
    await options.close();
    const page = await openTree();
    const q4 = control(page, Q4);
    await q4.click();
    await expect.poll(() => q4.getAttribute('data-state')).toBe('error');
    expect(await q4.getAttribute('data-retryable')).toBe('true');
    expect(await page.locator('body').textContent()).not.toContain(GPUSTACK_KEYS.admin);
    gpustack.setHub({});
    await page.close();
  });
});
