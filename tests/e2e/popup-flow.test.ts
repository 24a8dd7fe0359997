// The popup in Chromium against the impersonated Hub: the exact flow that made GPUStack 0.6.0 hit
// 429s (search "Qwen2.5-VL" with the GGUF filter, then evaluate), done the 0.6.1 way. Each test
// counts the Hugging Face requests the user's actions caused. The tests run in order and share one
// browser: the worker's caches carry over, as they would for a user.

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionSession, launchExtension } from './support/browser';
import { ggufHeaderFor } from './support/fixture-pages';
import { type FakeRepo, fakeSha, type HfServer, startHfServer } from './support/hf-server';

const TOP = 'Qwen/Qwen2.5-VL-7B-Instruct-GGUF';
const Q4 = 'Qwen2.5-VL-7B-Instruct-Q4_K_M.gguf';
const Q5 = 'Qwen2.5-VL-7B-Instruct-Q5_K_M.gguf';
const Q6 = 'Qwen2.5-VL-7B-Instruct-Q6_K.gguf';
const Q8 = 'Q8_0/Qwen2.5-VL-7B-Instruct-Q8_0-00001-of-00002.gguf';
const MMPROJ = 'mmproj-F16.gguf';
const MODEL_HEADER = ggufHeaderFor(Q4, 'qwen2.5-vl-7b-instruct-q4_k_m');
const OWNERS = ['unsloth', 'bartowski', 'lmstudio-community', 'ggml-org', 'mradermacher'];

/** The repo the user opens: real headers, split shards, a vision projector. */
const TOP_REPO: FakeRepo = {
  id: TOP,
  sha: fakeSha('popup top'),
  downloads: 900_000,
  likes: 40,
  lastModified: '2025-10-01T08:00:00.000Z',
  files: [
    { path: Q4, size: 4_683_073_952, header: MODEL_HEADER },
    { path: Q5, size: 5_444_831_584, header: MODEL_HEADER },
    { path: Q6, size: 6_254_199_136, header: MODEL_HEADER },
    { path: Q8, size: 4_000_000_000 },
    { path: 'Q8_0/Qwen2.5-VL-7B-Instruct-Q8_0-00002-of-00002.gguf', size: 4_100_000_000 },
    { path: MMPROJ, size: 1_354_163_040, header: ggufHeaderFor(MMPROJ) },
    { path: 'README.md', content: '# Qwen2.5-VL GGUF\n' },
  ],
};

/** 34 more GGUF repos: 35 results, so pages of 10, 10, 10 and 5. */
const OTHERS: FakeRepo[] = Array.from({ length: 34 }, (_, i) => ({
  id: `${OWNERS[i % OWNERS.length]}/Qwen2.5-VL-${i + 1}B-Instruct-GGUF`,
  sha: fakeSha(`popup ${i}`),
  downloads: 500_000 - i * 1000,
  // Likes order differs from downloads order, so the sort select visibly matters.
  likes: (i * 37) % 101,
  lastModified: `2025-0${(i % 9) + 1}-15T10:00:00.000Z`,
  files: [{ path: `Qwen2.5-VL-${i + 1}B-Instruct-Q4_K_M.gguf`, size: 2_000_000_000 + i }],
}));

let hf: HfServer;
let ext: ExtensionSession;
const open: Page[] = [];

beforeAll(async () => {
  hf = await startHfServer({ repos: [TOP_REPO, ...OTHERS] });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
  // Every request an extension page posts on its ports, so tests can count the popup's messages.
  await ext.context.addInitScript(() => {
    const sent: unknown[] = [];
    (globalThis as { __sent?: unknown[] }).__sent = sent;
    const runtime = (globalThis as { chrome?: typeof chrome }).chrome?.runtime;
    if (!runtime?.connect) return;
    const connect = runtime.connect.bind(runtime);
    runtime.connect = ((...args: Parameters<typeof connect>) => {
      const port = connect(...args);
      const post = port.postMessage.bind(port);
      port.postMessage = (message: { request?: unknown }) => {
        sent.push(message?.request);
        post(message);
      };
      return port;
    }) as typeof runtime.connect;
  });
});
afterAll(async () => {
  await ext?.close();
  await hf?.close();
});
afterEach(async () => {
  hf.injectFailure(undefined);
  hf.setLatency(0);
  for (const page of open.splice(0)) if (!page.isClosed()) await page.close();
});

const hub = () => hf.requests.filter((r) => r.host === 'hub');
const searches = () => hub().filter((r) => r.path.startsWith('/api/models?'));
const modelInfos = () => hub().filter((r) => r.path.startsWith('/api/models/'));
const resolves = (file?: string) =>
  hub().filter((r) => r.bucket === 'resolvers' && (!file || decodeURIComponent(r.path).endsWith(`/${file}`)));

/** popup.html in a tab; `fresh` forgets what earlier openings left in storage.session. */
async function openPopup(fresh = false): Promise<Page> {
  if (fresh) {
    const worker = await ext.worker();
    await worker.evaluate(() => chrome.storage.session.remove('popup.v1'));
  }
  const page = await ext.openExtensionPage('popup.html');
  open.push(page);
  await page.locator('main.popup:not([aria-busy])').waitFor();
  return page;
}

/** The messages of `type` this popup page sent to the worker. */
const sent = (page: Page, type: string) =>
  page.evaluate(
    (type) =>
      ((globalThis as { __sent?: Array<{ type?: string }> }).__sent ?? []).filter((r) => r?.type === type),
    type,
  );

/** No range of `file` was read twice: the check ran once (a second run would read again or join). */
function readOnce(file: string) {
  const ranges = resolves(file).map((r) => r.headers.range);
  expect(ranges.length).toBeGreaterThan(0);
  expect(new Set(ranges).size).toBe(ranges.length);
}

const rows = (page: Page) => page.locator('[data-model-id]');
const entry = (page: Page, file: string) => page.locator(`[data-file="${file}"]`);
const stateOf = (page: Page, file: string) => entry(page, file).getAttribute('data-state');
const scrollToEnd = (page: Page) => page.locator('[data-sentinel]').scrollIntoViewIfNeeded();
const settle = (page: Page, ms = 1000) => page.waitForTimeout(ms);

async function search(page: Page, text: string): Promise<void> {
  await page.getByLabel('Search GGUF models').pressSequentially(text, { delay: 40 });
}

describe('popup in Chromium', () => {
  it('opens without a request, and a typed query makes one search request and shows 10 results', async () => {
    hf.clearLog();
    const page = await openPopup(true);
    await settle(page);
    expect(hub()).toEqual([]);
    await search(page, 'Qwen2.5-VL');
    await expect.poll(() => rows(page).count()).toBe(10);
    await settle(page);
    expect(searches()).toHaveLength(1);
    const query = new URL(`https://x${searches()[0]?.path}`).searchParams;
    expect(Object.fromEntries(query)).toMatchObject({
      search: 'Qwen2.5-VL',
      filter: 'gguf',
      sort: 'downloads',
      limit: '10',
    });
    expect(await sent(page, 'search')).toEqual([{ type: 'search', search: 'Qwen2.5-VL', sort: 'downloads' }]);
    expect(await rows(page).first().getAttribute('data-model-id')).toBe(TOP);
    // Nothing is evaluated for being listed.
    expect(modelInfos()).toEqual([]);
    expect(resolves()).toEqual([]);
  });

  it('loads exactly one more page at the end of the list, follows the cursor, and stops at the end', async () => {
    const page = await openPopup();
    await expect.poll(() => rows(page).count()).toBe(10);
    hf.clearLog();
    await scrollToEnd(page);
    await expect.poll(() => rows(page).count()).toBe(20);
    await settle(page);
    expect(searches()).toHaveLength(1);
    expect(searches()[0]?.path).toContain('cursor=');
    await page.locator('[data-load-more]').click();
    await expect.poll(() => rows(page).count()).toBe(30);
    await scrollToEnd(page);
    await expect.poll(() => rows(page).count()).toBe(35);
    await expect.poll(() => page.locator('[data-end]').textContent()).toBe('That is all: 35 models.');
    await settle(page);
    expect(searches()).toHaveLength(3);
    expect(await page.locator('[data-load-more]').count()).toBe(0);
    expect(modelInfos()).toEqual([]);
    expect(resolves()).toEqual([]);
  });

  it('lists a model’s files with one request, and evaluates nothing before a file is selected', async () => {
    hf.clearLog();
    const page = await openPopup(true);
    await search(page, 'Qwen2.5-VL');
    await expect.poll(() => rows(page).count()).toBe(10);
    await rows(page).first().click();
    await expect.poll(() => page.locator('[data-file]').count()).toBe(4);
    expect(
      await page.locator('[data-file]').evaluateAll((els) => els.map((el) => el.getAttribute('data-file'))),
    ).toEqual([Q4, Q5, Q6, Q8]);
    // Split shards are one entry; the projector is shown as part of each model, not as a model.
    await expect.poll(() => entry(page, Q8).textContent()).toContain('2 files');
    expect(await entry(page, Q4).textContent()).toContain('4.36 GiB');
    expect(await entry(page, Q4).textContent()).toContain('+ vision projector');
    expect(await page.getByText(`Vision projector, used with each model: ${MMPROJ}`).count()).toBe(1);
    expect(await stateOf(page, Q4)).toBe('idle');
    await settle(page, 1500);
    expect(await sent(page, 'model-files')).toEqual([{ type: 'model-files', repo: TOP }]);
    expect(await sent(page, 'check')).toEqual([]);
    expect(modelInfos()).toHaveLength(1);
    expect(modelInfos()[0]?.path).toContain(`/api/models/${TOP}/revision/main`);
    expect(resolves()).toEqual([]);
  });

  it('selecting a file makes exactly one check and shows its verdict', async () => {
    const page = await openPopup();
    // The reopened popup shows the model it left.
    await expect.poll(() => page.locator('[data-file]').count()).toBe(4);
    hf.clearLog();
    await entry(page, Q4).click();
    await expect.poll(() => stateOf(page, Q4)).toBe('done');
    const verdict = entry(page, Q4);
    expect(await verdict.getAttribute('data-engine')).toBe('builtin');
    expect(['true', 'false']).toContain(await verdict.getAttribute('data-compatible'));
    expect(Number(await verdict.getAttribute('data-vram-bytes'))).toBeGreaterThan(0);
    expect(await verdict.getAttribute('data-repo')).toBe(TOP);
    expect(await verdict.getAttribute('data-revision')).toBe('main');
    // The shared CheckControl draws it (in the verdict's open shadow root).
    expect((await verdict.locator('.verdict .label').textContent())?.trim()).not.toBe('');
    await settle(page);
    const checks = await sent(page, 'check');
    expect(checks).toEqual([
      {
        type: 'check',
        repo: TOP,
        revision: 'main',
        file: Q4,
        commit: TOP_REPO.sha,
        priority: 'popup',
        keepAlive: true,
      },
    ]);
    // Only the picked model's header and its projector's are read, each range once; the file list
    // already gave the commit and sizes, so no api request.
    readOnce(Q4);
    readOnce(MMPROJ);
    expect(resolves().length).toBe(resolves(Q4).length + resolves(MMPROJ).length);
    expect(modelInfos()).toEqual([]);
    expect(searches()).toEqual([]);
    // The other files stay unchecked.
    expect(await stateOf(page, Q5)).toBe('idle');
    await page.setViewportSize({ width: 400, height: 580 });
    await page.screenshot({ path: 'docs/screenshots/popup.png' });
  });

  it('pauses loading more while a check runs, and resumes after it', async () => {
    const page = await openPopup(true);
    // A sort not asked before: the worker has none of its pages cached.
    await page.getByLabel('Sort by').selectOption('lastModified');
    await search(page, 'Qwen2.5-VL');
    await expect.poll(() => rows(page).count()).toBe(10);
    await scrollToEnd(page);
    await expect.poll(() => rows(page).count()).toBe(20);
    await page.locator(`[data-model-id="${TOP}"]`).click();
    await expect.poll(() => page.locator('[data-file]').count()).toBe(4);
    hf.setLatency((req) => (req.bucket === 'resolvers' && req.path.endsWith(Q5) ? 3000 : 0));
    hf.clearLog();
    await entry(page, Q5).click();
    await expect.poll(() => stateOf(page, Q5)).toMatch(/^(queued|waiting|checking)$/);
    await page.keyboard.press('Alt+ArrowLeft');
    await expect.poll(() => rows(page).count()).toBe(20);
    expect(await page.locator('[data-load-more]').isDisabled()).toBe(true);
    expect(await page.getByText('Loading more waits until the check ends.').count()).toBe(1);
    await scrollToEnd(page);
    await page.mouse.wheel(0, 2000);
    await settle(page, 1500);
    expect(await entry(page, Q5).count()).toBe(0); // the list shows: the model view is gone
    expect(searches()).toEqual([]);
    expect(await rows(page).count()).toBe(20);
    // The check ends; the end of the list is in view, so loading resumes with exactly one page.
    await expect.poll(() => rows(page).count()).toBe(30);
    await settle(page);
    expect(searches()).toHaveLength(1);
    readOnce(Q5);
    expect(await sent(page, 'check')).toHaveLength(1);
    expect(await page.locator('[data-load-more]').isDisabled()).toBe(false);
  });

  it('brings back the query, sort, loaded pages, cursor, scroll position and opened model', async () => {
    const page = await openPopup(true);
    await page.getByLabel('Sort by').selectOption('likes');
    await search(page, 'Instruct');
    await expect.poll(() => rows(page).count()).toBe(10);
    await scrollToEnd(page);
    await expect.poll(() => rows(page).count()).toBe(20);
    await page.locator('.scroll').evaluate((el) => {
      el.scrollTop = 250;
    });
    await settle(page, 500);
    const order = await rows(page).evaluateAll((els) => els.map((el) => el.getAttribute('data-model-id')));
    await page.close();

    hf.clearLog();
    const again = await openPopup();
    await expect.poll(() => rows(again).count()).toBe(20);
    expect(await again.getByLabel('Search GGUF models').inputValue()).toBe('Instruct');
    expect(await again.getByLabel('Sort by').inputValue()).toBe('likes');
    expect(await rows(again).evaluateAll((els) => els.map((el) => el.getAttribute('data-model-id')))).toEqual(
      order,
    );
    expect(await again.locator('.scroll').evaluate((el) => el.scrollTop)).toBe(250);
    await settle(again);
    expect(hub()).toEqual([]);
    // The cursor came back too: the end of the list asks for page 3, once.
    await scrollToEnd(again);
    await expect.poll(() => rows(again).count()).toBe(30);
    expect(searches()).toHaveLength(1);
    expect(searches()[0]?.path).toContain('cursor=');
    expect(searches()[0]?.path).toContain('sort=likes');

    // The opened model comes back, and Back returns to the list where it was.
    const third = rows(again).nth(2);
    const repo = await third.getAttribute('data-model-id');
    await third.click();
    await expect.poll(() => again.locator('[data-file]').count()).toBeGreaterThan(0);
    await again.close();
    const last = await openPopup();
    await expect.poll(() => last.locator('[data-file]').count()).toBeGreaterThan(0);
    expect(await last.locator('h2').textContent()).toBe(repo);
    await last.getByRole('button', { name: /Back/ }).click();
    await expect.poll(() => rows(last).count()).toBe(30);
    expect(await last.evaluate(() => document.activeElement?.getAttribute('data-model-id'))).toBe(repo);
  });

  it('moves through results with the arrow keys; Enter opens, Alt+Left comes back', async () => {
    const page = await openPopup(true);
    await search(page, 'Qwen2.5-VL');
    await expect.poll(() => rows(page).count()).toBe(10);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-model-id'));
    const second = await rows(page).nth(1).getAttribute('data-model-id');
    expect(await focused()).toBe(second);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('h2').textContent()).toBe(second);
    await page.keyboard.press('Alt+ArrowLeft');
    await expect.poll(() => rows(page).count()).toBe(10);
    expect(await focused()).toBe(second);
    expect(page.url()).toMatch(/popup\.html$/);
  });

  it('shows the wait when Hugging Face answers 429, then recovers', async () => {
    const page = await openPopup(true);
    hf.clearLog();
    let refused = 0;
    hf.injectFailure((req) => {
      if (req.pathname !== '/api/models' || refused >= 1) return undefined;
      refused += 1;
      return {
        status: 429,
        headers: { 'Retry-After': '4', RateLimit: '"api";r=0;t=4' },
        body: JSON.stringify({ error: 'Too many requests' }),
      };
    });
    await search(page, 'GGUF');
    const wait = page.getByText(/Waiting \d+ s for the Hugging Face rate limit/);
    await expect.poll(() => wait.count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-footer="wait"]').count()).toBe(1);
    await expect.poll(() => rows(page).count()).toBe(10);
    await expect.poll(() => wait.count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(searches().map((r) => r.status)).toEqual([429, 200]);
  });

  it('shows the finished result of a check started before the popup closed', async () => {
    const page = await openPopup(true);
    await search(page, 'Qwen2.5-VL');
    await expect.poll(() => rows(page).count()).toBe(10);
    await rows(page).first().click();
    await expect.poll(() => page.locator('[data-file]').count()).toBe(4);
    hf.setLatency((req) => (req.bucket === 'resolvers' && req.path.endsWith(Q6) ? 3000 : 0));
    hf.clearLog();
    await entry(page, Q6).click();
    await expect.poll(() => resolves(Q6).length).toBe(1);
    expect(await stateOf(page, Q6)).toMatch(/^(queued|waiting|checking)$/);
    await page.close();

    const again = await openPopup();
    await expect.poll(() => stateOf(again, Q6)).toBe('done');
    expect(await entry(again, Q6).getAttribute('data-engine')).toBe('builtin');
    expect(await entry(again, Q6).getAttribute('aria-current')).toBe('true');
    // The check ran once: the reopened popup re-sent it and joined the running one.
    expect(await sent(again, 'check')).toMatchObject([{ file: Q6, keepAlive: true }]);
    readOnce(Q6);
    expect(modelInfos()).toEqual([]);
  });

  it('shows the engine, hardware, budget and queue, and the engine leads to the options', async () => {
    const page = await openPopup();
    await expect.poll(() => page.locator('[data-footer="engine"]').textContent()).toBe('Engine: automatic');
    expect(await page.locator('[data-footer="hardware"]').textContent()).toMatch(/^Hardware: .+/);
    await expect
      .poll(() => page.locator('[data-footer="budget"]').textContent())
      .toMatch(/^Hugging Face: \d+ of \d+ requests left$/);
    expect(await page.locator('[data-footer="queue"]').textContent()).toBe('Queue: 0');
    const [options] = await Promise.all([
      ext.context.waitForEvent('page'),
      page.locator('[data-footer="engine"]').click(),
    ]);
    open.push(options);
    await options.waitForLoadState();
    expect(options.url()).toBe(`${ext.extensionOrigin}/options.html`);
  });
});
