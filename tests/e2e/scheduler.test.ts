// The scheduler in the real extension: a tight Hub budget, several tabs, a stopped worker, a 429
// storm, a closed tab and a reload, all against the impersonated Hub's real rate limits.

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { treePage } from '../dom/tree-page-builder';
import { clickInShadow } from './page-support';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, ggufHeaderFor, repoFromPage } from './support/fixture-pages';
import { type FakeRepo, fakeSha, type HfServer, startHfServer } from './support/hf-server';
import { type ClientRequest, checkFromPage } from './support/page-client';

const FILE = 'model-Q4_K_M.gguf';
// TinyLlama's header (32k vocabulary): real, and small enough for bursts of checks.
const SMALL_HEADER = ggufHeaderFor(FILE, 'tinyllama-1.1b-chat-q8_0');

function repos(prefix: string, count: number): FakeRepo[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}/model-${i}-GGUF`,
    sha: fakeSha(`${prefix}-${i}`),
    files: [{ path: FILE, size: 1_200_000_000 + i, header: SMALL_HEADER }],
  }));
}

const asks = (list: FakeRepo[]): ClientRequest[] =>
  list.map((r) => ({ repo: r.id, revision: 'main', file: FILE }));
const tooMany = (hf: HfServer) => hf.requests.filter((r) => r.status === 429).length;
const apiFor = (hf: HfServer, prefix: string) =>
  hf.requests.filter((r) => r.path.startsWith(`/api/models/${prefix}/`));

let hf: HfServer;
let ext: ExtensionSession;

beforeAll(async () => {
  hf = await startHfServer({ rateLimits: { api: { quota: 20, windowSeconds: 4 } } });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
});
afterAll(async () => {
  await ext?.close();
  await hf?.close();
});
afterEach(() => {
  hf.injectFailure(undefined);
});

const tab = () => ext.openExtensionPage('popup.html');
const tabs = (count: number) => Promise.all(Array.from({ length: count }, tab));

function split<T>(items: T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, p) => items.filter((_, i) => i % parts === p));
}

describe('scheduler in Chromium', () => {
  it('spends a tight budget from several tabs without a single 429', async () => {
    const list = repos('burst', 50);
    for (const repo of list) hf.addRepo(repo);
    const pages = await tabs(3);
    const outcomes = (
      await Promise.all(pages.map((page, i) => checkFromPage(page, split(asks(list), 3)[i] ?? [])))
    ).flat();
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(tooMany(hf)).toBe(0);
    expect(apiFor(hf, 'burst')).toHaveLength(50);
    // The budget made some requests wait, and their tabs were told so.
    expect(outcomes.some((o) => o.states.includes('waiting'))).toBe(true);
    for (const page of pages) await page.close();
  });

  it('asks upstream once when many tabs want the same file', async () => {
    const [repo] = repos('same', 1) as [FakeRepo];
    hf.addRepo(repo);
    const pages = await tabs(6);
    const outcomes = (await Promise.all(pages.map((page) => checkFromPage(page, asks([repo]))))).flat();
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(apiFor(hf, 'same')).toHaveLength(1);
    for (const page of pages) await page.close();
  });

  it('keeps the budget through a worker stopped mid-burst, and every check ends', async () => {
    const list = repos('stop', 50);
    for (const repo of list) hf.addRepo(repo);
    const worker = await ext.worker();
    await worker.evaluate(() => {
      (globalThis as { __beforeStop?: boolean }).__beforeStop = true;
    });
    const page = await tab();
    const burst = checkFromPage(page, asks(list));
    await expect.poll(() => apiFor(hf, 'stop').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    // Resolves once DevTools reports the worker stopped; the client's reconnect then wakes a new one.
    await ext.stopWorker();
    const outcomes = await burst;
    // A new worker: the marker set in the old one is gone.
    const fresh = await ext.worker();
    expect(await fresh.evaluate(() => (globalThis as { __beforeStop?: boolean }).__beforeStop ?? false)).toBe(
      false,
    );
    expect(tooMany(hf)).toBe(0);
    // Restart means finished: the new worker answers every check, none is left "retryable".
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    await page.close();
  });

  it('a worker stopped mid-burst: every check of three pages ends done, through their own channel', async () => {
    // Three pages running "Check all" at once: the content script's own channel (utils/messaging/
    // channel.ts) sees the port drop and asks again; no test code stands in for it.
    const sha = fakeSha('channel');
    const pages: Page[] = [];
    for (let p = 0; p < 3; p++) {
      const id = `channel/model-${p}-GGUF`;
      const { html, files } = treePage(id, 16, sha);
      hf.addRepo({
        id,
        sha,
        files: files.map((path, i) => ({ path, size: 1_200_000_000 + i, header: SMALL_HEADER })),
      });
      hf.setPage(`/${id}/tree/main`, html);
      const page = await ext.context.newPage();
      await page.goto(`https://huggingface.co/${id}/tree/main`);
      await page.locator('gpustack-bulk').waitFor();
      pages.push(page);
    }
    const worker = await ext.worker();
    await worker.evaluate(() => {
      (globalThis as { __beforeStop?: boolean }).__beforeStop = true;
    });
    for (const page of pages) await clickInShadow(page, 'gpustack-bulk', 'button');
    const done = async () => {
      let count = 0;
      for (const page of pages) count += await page.locator('gpustack-check[data-state="done"]').count();
      return count;
    };
    // Slow answers, so the stop lands mid-burst: some checks done, the rest waiting or travelling.
    hf.setLatency(150);
    try {
      await expect.poll(done, { timeout: 20_000 }).toBeGreaterThanOrEqual(6);
      await ext.stopWorker();
      expect(await done()).toBeLessThan(48);
      await expect.poll(done, { timeout: 60_000 }).toBe(48);
    } finally {
      hf.setLatency(0);
    }
    const fresh = await ext.worker();
    expect(await fresh.evaluate(() => (globalThis as { __beforeStop?: boolean }).__beforeStop ?? false)).toBe(
      false,
    );
    for (const page of pages) {
      expect(await page.locator('gpustack-check:not([data-state="done"])').count()).toBe(0);
      expect(await page.locator('gpustack-bulk').getAttribute('data-state')).toBe('done');
    }
    expect(tooMany(hf)).toBe(0);
    for (const page of pages) await page.close();
  });

  for (const retryAfter of [true, false]) {
    it(`recovers from a 429 storm within 5 attempts (Retry-After ${retryAfter ? 'sent' : 'absent'})`, async () => {
      const prefix = `storm${retryAfter ? 'a' : 'b'}`;
      const list = repos(prefix, 4);
      for (const repo of list) hf.addRepo(repo);
      let refused = 0;
      hf.injectFailure((req) => {
        if (!req.path.startsWith(`/api/models/${prefix}/`) || refused >= 6) return undefined;
        refused += 1;
        return {
          status: 429,
          headers: retryAfter ? { 'Retry-After': '1' } : {},
          body: JSON.stringify({ error: 'Too many requests' }),
        };
      });
      const page = await tab();
      const outcomes = await checkFromPage(page, asks(list));
      expect(outcomes.every((o) => o.ok)).toBe(true);
      for (const repo of list) {
        expect(apiFor(hf, prefix).filter((r) => r.path.includes(repo.id)).length).toBeLessThanOrEqual(5);
      }
      await page.close();
    });
  }

  it('cancels the queued requests of a closed tab', async () => {
    const [warmup, ...list] = repos('closed', 9) as [FakeRepo, ...FakeRepo[]];
    for (const repo of [warmup, ...list]) hf.addRepo(repo);
    hf.setRateLimit('api', { quota: 2, windowSeconds: 8 });
    try {
      const page = await tab();
      // One request teaches the worker the new policy: one request left in this window.
      await checkFromPage(page, asks([warmup]));
      void checkFromPage(page, asks(list)).catch(() => {});
      await expect.poll(() => apiFor(hf, 'closed').length).toBeGreaterThanOrEqual(1);
      await page.close();
      await new Promise((r) => setTimeout(r, 10_000));
      // Only what went out before the tab closed (the window's last request) reached the Hub.
      expect(apiFor(hf, 'closed').length).toBeLessThanOrEqual(2);
    } finally {
      hf.setRateLimit('api', { quota: 20, windowSeconds: 4 });
    }
  });

  it('shows a cached result on reload without any request', async () => {
    const html = fixturePage('tree-gguf-2025.html');
    const repo = repoFromPage(html);
    hf.addRepo(repo);
    hf.setPage(`/${repo.id}/tree/main`, html);
    const page = await ext.context.newPage();
    await page.goto(`https://huggingface.co/${repo.id}/tree/main`);
    const control = page.locator('gpustack-check[data-file="Qwen2.5-7B-Instruct-Q4_K_M.gguf"]');
    await control.click();
    await expect.poll(() => control.getAttribute('data-state')).toBe('done');
    const before = hf.requests.filter((r) => r.path.startsWith('/api/') || r.host === 'cdn').length;
    await page.reload();
    await expect.poll(() => control.getAttribute('data-state')).toBe('done');
    const after = hf.requests.filter((r) => r.path.startsWith('/api/') || r.host === 'cdn').length;
    expect(after).toBe(before);
    await page.close();
  });
});
