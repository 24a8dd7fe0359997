// A Chromium whose UI speaks Simplified Chinese: the controls' aria-label and every string they,
// their popover and the bulk bar show come from the zh_CN locale.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dressed, shadowText } from './page-support';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, repoFromPage } from './support/fixture-pages';
import { type HfServer, startHfServer } from './support/hf-server';

const REPO = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const Q4 = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';

let hf: HfServer;
let ext: ExtensionSession;

beforeAll(async () => {
  const html = fixturePage('tree-gguf-2025.html');
  hf = await startHfServer({ repos: [repoFromPage(html)], pages: { [`/${REPO}/tree/main`]: dressed(html) } });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules, locale: 'zh-CN' });
});

afterAll(async () => {
  await ext?.close();
  await hf?.close();
});

describe('zh-CN browser', () => {
  it('labels, verdicts, the popover and the bulk bar are in Simplified Chinese', async () => {
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 1180, height: 640 });
    await page.goto(`https://huggingface.co/${REPO}/tree/main`);
    const q4 = page.locator(`gpustack-check[data-file="${Q4}"]`);
    await q4.waitFor();
    expect(await q4.getAttribute('aria-label')).toBe('检查 GPUStack 兼容性');
    const selector = `gpustack-check[data-file="${Q4}"]`;
    // Controls draw when they near the viewport, right after load.
    await expect.poll(() => shadowText(page, selector)).toBe('检查 GPUStack');
    expect(await shadowText(page, 'gpustack-bulk')).toBe('检查全部量化版本');
    await q4.click();
    await expect.poll(() => q4.getAttribute('data-state')).toBe('done');
    expect(await shadowText(page, selector)).toMatch(
      /^可在 GPU 上运行显存 \d+\.\d\d GiB · 内存 \d+\.\d\d (MiB|GiB)刚刚检查$/,
    );
    await q4.click();
    const details = await shadowText(page, selector, '.pop');
    for (const words of [
      '可在 GPU 上运行',
      '层在 GPU 上',
      '权重',
      'KV 缓存',
      '引擎：内置估算',
      '上下文长度',
      '重新检查',
    ]) {
      expect(details).toContain(words);
    }
    await page.close();
  });
});
