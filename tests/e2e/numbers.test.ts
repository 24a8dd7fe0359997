// The figures a user sees, in Chromium, against gguf-parser-go's own: the impersonated Hub serves the
// exact header bytes the oracle computed its figures on (tests/support/oracle-gguf.ts, proven by
// SHA-256 in tests/unit/oracle-bytes.test.ts), the settings are changed in the Options page as a
// user would, and each built-in verdict's data-vram-bytes and data-ram-bytes must equal the oracle's.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { treePageOf } from '../dom/tree-page-builder';
import { expectedFigures, oracleCase, oracleRepo } from '../support/oracle-hub';
import { type ExtensionSession, launchExtension } from './support/browser';
import type { FakeRepo } from './support/hf-server';
import { type HfServer, startHfServer } from './support/hf-server';

const GIB = 1024 ** 3;
const QWEN = oracleRepo('oracle/Qwen2.5-7B-Instruct-GGUF', 'qwen2.5-7b-instruct-q4_k_m');
const LLAMA = oracleRepo('oracle/Meta-Llama-3.1-8B-Instruct-GGUF', 'llama-3.1-8b-instruct-q4_k_m');
const VL = oracleRepo(
  'oracle/Qwen2.5-VL-7B-Instruct-GGUF',
  'qwen2.5-vl-7b-instruct-q4_k_m',
  'mmproj-qwen2.5-vl-7b-instruct-f16',
);
const modelFile = (repo: FakeRepo) => repo.files.find((f) => !f.path.startsWith('mmproj'))?.path as string;
/** GPU memory so that exactly `vram` bytes are free on it (Manual hardware keeps 1 GiB back). */
const gpuFor = (vram: number) => String((vram + GIB + 4096) / GIB);

let hf: HfServer;
let ext: ExtensionSession;

beforeAll(async () => {
  const repos = [QWEN, LLAMA, VL];
  hf = await startHfServer({
    repos,
    pages: Object.fromEntries(
      repos.map((r) => [
        `/${r.id}/tree/main`,
        treePageOf(
          r.id,
          r.files.map((f) => ({ path: f.path, size: f.size ?? 0 })),
          r.sha,
        ),
      ]),
    ),
  });
  ext = await launchExtension({ hostResolverRules: hf.hostResolverRules });
});

afterAll(async () => {
  await ext?.close();
  await hf?.close();
});

interface Choices {
  engine?: string;
  hardware?: string;
  gpuMemory?: string;
  gpuCount?: string;
  ram?: string;
  context?: string;
  flashAttention?: boolean;
  kvCache?: string;
}

/** Changes the options with the page's own fields, as a user would, and saves. */
async function setOptions(choices: Choices): Promise<void> {
  const page = await ext.openExtensionPage('options.html');
  const field = (label: string) => page.getByLabel(label, { exact: true });
  await field('Engine').waitFor();
  if (choices.engine) await field('Engine').selectOption({ label: choices.engine });
  if (choices.hardware) await field('Hardware').selectOption({ label: choices.hardware });
  if (choices.gpuMemory) await field('GPU memory (GiB)').fill(choices.gpuMemory);
  if (choices.gpuCount) await field('GPU count').fill(choices.gpuCount);
  if (choices.ram) await field('System RAM (GiB)').fill(choices.ram);
  if (choices.context) await field('Context size').fill(choices.context);
  if (choices.flashAttention !== undefined) await field('Flash attention').setChecked(choices.flashAttention);
  if (choices.kvCache) await field('KV cache type').selectOption({ label: choices.kvCache });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => page.getByTestId('options-status').textContent()).toBe('Saved.');
  await page.close();
}

/** A built-in verdict for the repo's model file, clicked on its tree page: its contract attributes. */
async function verdict(repo: FakeRepo): Promise<{ vram: number; ram: number; placement: string | null }> {
  const page: Page = await ext.context.newPage();
  await page.goto(`https://huggingface.co/${repo.id}/tree/main`);
  const control = page.locator(`gpustack-check[data-file="${modelFile(repo)}"]`);
  await control.waitFor();
  await control.click();
  await expect.poll(() => control.getAttribute('data-state')).toBe('done');
  expect(await control.getAttribute('data-engine')).toBe('builtin');
  const figures = {
    vram: Number(await control.getAttribute('data-vram-bytes')),
    ram: Number(await control.getAttribute('data-ram-bytes')),
    placement: await control.getAttribute('data-placement'),
  };
  await page.close();
  return figures;
}

describe('built-in figures against gguf-parser-go, set up in Options', () => {
  it('GPUStack’s defaults on one 24 GiB GPU', async () => {
    await setOptions({ engine: 'Built-in', hardware: 'Manual', gpuMemory: '24', gpuCount: '1', ram: '64' });
    const want = expectedFigures('qwen2.5-7b-instruct-q4_k_m/a');
    expect(await verdict(QWEN)).toEqual({ vram: want.vram, ram: want.ram, placement: 'single-gpu' });
  });

  it('a vision model with its projector joined', async () => {
    const want = expectedFigures('qwen2.5-vl-7b-instruct-q4_k_m/e');
    expect(await verdict(VL)).toEqual({ vram: want.vram, ram: want.ram, placement: 'single-gpu' });
  });

  it('the context size changed in Options', async () => {
    await setOptions({ context: String(oracleCase('qwen2.5-7b-instruct-q4_k_m/c').inputs.ctx) });
    const want = expectedFigures('qwen2.5-7b-instruct-q4_k_m/c');
    expect(await verdict(QWEN)).toEqual({ vram: want.vram, ram: want.ram, placement: 'single-gpu' });
  });

  it('flash attention and a q8_0 KV cache changed in Options', async () => {
    await setOptions({ context: '8192', flashAttention: true, kvCache: 'q8_0' });
    const want = expectedFigures('qwen2.5-7b-instruct-q4_k_m/g');
    expect(await verdict(QWEN)).toEqual({ vram: want.vram, ram: want.ram, placement: 'single-gpu' });
  });

  it('partial offload: a GPU that holds half the layers', async () => {
    const want = expectedFigures('qwen2.5-7b-instruct-q4_k_m/f');
    await setOptions({ flashAttention: false, kvCache: 'f16', gpuMemory: gpuFor(want.vram) });
    expect(await verdict(QWEN)).toEqual({ vram: want.vram, ram: want.ram, placement: 'partial' });
  });

  it('two GPUs of one machine, split evenly', async () => {
    const want = expectedFigures('llama-3.1-8b-instruct-q4_k_m/d');
    await setOptions({ gpuMemory: gpuFor(Math.max(...want.perGpu)), gpuCount: '2' });
    expect(await verdict(LLAMA)).toEqual({ vram: want.vram, ram: want.ram, placement: 'multi-gpu' });
  });
});
