// The popup in Simplified Chinese (many GPUStack users read Chinese): every label the flow shows
// comes from _locales/zh_CN through the browser's i18n.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExtensionSession, launchExtension } from './support/browser';
import { type FakeRepo, fakeSha, type HfServer, startHfServer } from './support/hf-server';

const REPOS: FakeRepo[] = Array.from({ length: 12 }, (_, i) => ({
  id: `zh/Qwen2.5-VL-${i + 1}B-GGUF`,
  sha: fakeSha(`zh ${i}`),
  downloads: 1000 - i,
  files: [{ path: `Qwen2.5-VL-${i + 1}B-Q4_K_M.gguf`, size: 2_000_000_000 }],
}));

let hf: HfServer;
let ext: ExtensionSession;

beforeAll(async () => {
  hf = await startHfServer({ repos: REPOS });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules, locale: 'zh-CN' });
});
afterAll(async () => {
  await ext?.close();
  await hf?.close();
});

describe('popup in zh-CN', () => {
  it('labels the search, sort, list and footer in Chinese', async () => {
    const page = await ext.openExtensionPage('popup.html');
    await page.locator('main.popup:not([aria-busy])').waitFor();
    expect(await page.locator('h1').textContent()).toBe('GPUStack 兼容性');
    expect(
      await page.getByText('输入模型名称以搜索 Hugging Face 上的 GGUF 模型', { exact: false }).count(),
    ).toBe(1);
    await page.getByLabel('搜索 GGUF 模型').pressSequentially('Qwen', { delay: 30 });
    await expect.poll(() => page.locator('[data-model-id]').count()).toBe(10);
    expect(await page.getByLabel('排序').locator('option:checked').textContent()).toBe('下载最多');
    expect(await page.locator('[data-load-more]').textContent()).toBe('加载更多');
    await expect.poll(() => page.locator('[data-footer="queue"]').textContent()).toBe('队列：0');
    expect(await page.locator('[data-footer="engine"]').textContent()).toBe('引擎：自动');
    await page.locator('[data-model-id]').first().click();
    await expect.poll(() => page.locator('[data-file]').count()).toBe(1);
    expect(await page.locator('.back').textContent()).toBe('← 返回');
    await page.close();
  });
});
