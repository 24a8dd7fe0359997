// The foundation's promise, end to end: the built extension in Debian's Chromium on an impersonated
// huggingface.co tree page puts a control beside every GGUF model file, and a click shows a result.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, repoFromPage } from './support/fixture-pages';
import { type HfServer, startHfServer } from './support/hf-server';

const REPO = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const TREE = `https://huggingface.co/${REPO}/tree/main`;
const HOSTILE = '<img src=x onerror=alert(1)>.gguf';

let hf: HfServer;
let ext: ExtensionSession;

beforeAll(async () => {
  const html = fixturePage('tree-gguf-2025.html');
  hf = await startHfServer({ repos: [repoFromPage(html)], pages: { [`/${REPO}/tree/main`]: html } });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
});

afterAll(async () => {
  await ext?.close();
  await hf?.close();
});

async function openTree() {
  const page = await ext.context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(TREE);
  await page.locator('gpustack-check').first().waitFor();
  return { page, dialogs };
}

const apiCalls = () => hf.requests.filter((r) => r.host === 'hub' && r.path.startsWith('/api/models/'));

describe('tree page in Chromium', () => {
  it('puts a control beside every GGUF model file and nothing else', async () => {
    const { page } = await openTree();
    const files = await page
      .locator('gpustack-check')
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-file')));
    expect(files.sort()).toEqual(
      [
        HOSTILE,
        'Qwen2.5 7B #1 ünï?-Q5_K_S.gguf',
        'Qwen2.5-7B-Instruct-IQ2_XXS.gguf',
        'Qwen2.5-7B-Instruct-Q4_K_M.gguf',
        'Qwen2.5-7B-Instruct-Q6_K.gguf',
        'Qwen2.5-7B-Instruct-f16-00001-of-00002.gguf',
      ].sort(),
    );
    const host = page.locator('gpustack-check').first();
    expect(await host.getAttribute('role')).toBe('button');
    expect(await host.getAttribute('aria-label')).toBe('Check GPUStack compatibility');
    expect(await host.getAttribute('data-state')).toBe('idle');
    await page.close();
  });

  it('shows a result on click, and two files of one repo cost one API request', async () => {
    hf.clearLog();
    const { page } = await openTree();
    const q4 = page.locator('gpustack-check[data-file="Qwen2.5-7B-Instruct-Q4_K_M.gguf"]');
    const q6 = page.locator('gpustack-check[data-file="Qwen2.5-7B-Instruct-Q6_K.gguf"]');
    await q4.click();
    await expect.poll(() => q4.getAttribute('data-state')).toBe('done');
    await q6.press('Enter');
    await expect.poll(() => q6.getAttribute('data-state')).toBe('done');
    expect(await q4.getAttribute('data-engine')).toBe('builtin');
    expect(apiCalls()).toHaveLength(1);
    await q4.scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'docs/screenshots/tree-page.png' });
    await page.close();
  });

  it('renders a hostile file name as text: no script runs', async () => {
    const { page, dialogs } = await openTree();
    const hostile = page.locator(`gpustack-check[data-file="${HOSTILE}"]`);
    await hostile.click();
    await expect.poll(() => hostile.getAttribute('data-state')).toBe('done');
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => document.querySelectorAll('img[src="x"]').length)).toBe(0);
    await page.close();
  });

  it('keeps the inside of a control from page scripts (closed shadow root)', async () => {
    const { page } = await openTree();
    const seen = await page.evaluate(() => {
      const host = document.querySelector('gpustack-check') as HTMLElement;
      return { shadowRoot: host.shadowRoot, text: host.innerHTML, children: host.children.length };
    });
    expect(seen).toEqual({ shadowRoot: null, text: '', children: 0 });
    await page.close();
  });

  it('answers a malformed message with an error and still serves the next good one', async () => {
    const popup = await ext.openExtensionPage('popup.html');
    const replies = await popup.evaluate(async (repo) => {
      const send = (message: unknown) => chrome.runtime.sendMessage(message);
      return [
        await send({ type: 'check', repo: 42 }),
        await send('nonsense'),
        await send({ type: 'check', repo, revision: 'main', file: 'Qwen2.5-7B-Instruct-Q6_K.gguf' }),
      ];
    }, REPO);
    expect(replies[0]).toMatchObject({ ok: false, error: { code: 'bad-message' } });
    expect(replies[1]).toMatchObject({ ok: false, error: { code: 'bad-message' } });
    expect(replies[2]).toMatchObject({ ok: true, value: { file: 'Qwen2.5-7B-Instruct-Q6_K.gguf' } });
    await popup.close();
  });
});
