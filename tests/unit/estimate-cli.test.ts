// The estimate command on GGUF files written from the oracle's models (sparse: header, then a hole
// up to the real file size): it prints gguf-parser-go's 29 reference figures.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEstimate } from '../../cli/estimate';
import { fakeSha, type HfServer, startHfServer } from '../e2e/support/hf-server';
import { headerFromSummary, oracleSummary } from '../support/gguf-from-summary';
import { fetchVia } from '../support/node-fetch';
import { type Figure, type ReferenceCase, referenceCases } from '../support/reference-cases';
import { llama3Header } from './support/gguf-writer';

const cases = referenceCases;

let dir: string;
const files = new Map<string, string>();

/** Writes the model's file(s) as a real file would be named; returns the first one's path. */
function writeModel(model: string): string {
  const summary = oracleSummary(model);
  const count = summary.files.length;
  const names = summary.files.map((_, i) =>
    count > 1
      ? `${model}-${String(i + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.gguf`
      : `${model}.gguf`,
  );
  summary.files.forEach((file, i) => {
    const path = join(dir, names[i] as string);
    writeFileSync(path, headerFromSummary(summary, i).header);
    truncateSync(path, file.size);
  });
  return join(dir, names[0] as string);
}

function argsOf(c: ReferenceCase, footprint: string): string[] {
  const { inputs } = c;
  const args = [
    files.get(c.model) as string,
    '--ctx-size',
    String(inputs.ctx),
    `--parallel-size=${inputs.parallel}`,
    `--mmap=${inputs.mmap}`,
    '--gpu-layers',
    String(inputs.gpuLayers),
    '--cache-type-k',
    inputs.cacheTypeK,
    `--cache-type-v=${inputs.cacheTypeV}`,
    '--max-projected-cache',
    String(inputs.maxProjectedCache ?? 0),
    '--platform-footprint',
    footprint,
    '--json',
  ];
  if (inputs.flashAttention) args.push('--flash-attention');
  if (inputs.tensorSplit) args.push('--tensor-split', inputs.tensorSplit);
  if (c.projector) args.push('--mmproj', files.get(c.projector) as string);
  return args;
}

async function estimate(args: string[]) {
  let out = '';
  const code = await runEstimate(args, { out: (text) => (out += text) });
  expect(code, out).toBe(0);
  return JSON.parse(out) as { ram: Figure; vrams: Figure[]; offloadLayers: number; fullOffloaded: boolean };
}

const within1 = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * 0.01);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'estimate-cli-'));
  for (const c of cases) {
    for (const model of [c.model, c.projector])
      if (model && !files.has(model)) files.set(model, writeModel(model));
  }
  // Twelve multi-MB headers written on a busy 2-core machine.
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run estimate on generated files', () => {
  for (const c of cases) {
    for (const footprint of ['150,250', '150,500']) {
      it(`${c.id} (${footprint}) matches gguf-parser-go`, async () => {
        const expected = c.summary[footprint];
        const got = await estimate(argsOf(c, footprint));
        if (!expected) throw new Error('missing reference');
        within1(got.ram.uma, expected.ram.uma);
        within1(got.ram.nonuma, expected.ram.nonuma);
        expect(got.vrams).toHaveLength(expected.vrams.length);
        got.vrams.forEach((v, i) => {
          within1(v.uma, expected.vrams[i]?.uma ?? Number.NaN);
          within1(v.nonuma, expected.vrams[i]?.nonuma ?? Number.NaN);
        });
        expect(got.offloadLayers).toBe(expected.offloadLayers);
        expect(got.fullOffloaded).toBe(expected.fullOffloaded);
      });
    }
  }

  it('runs as `npm run --silent estimate -- FILE --json`, GPUStack defaults', { timeout: 60_000 }, () => {
    const file = files.get('tinyllama-1.1b-chat-q8_0') as string;
    const out = execFileSync('npm', ['run', '--silent', 'estimate', '--', file, '--json'], {
      encoding: 'utf8',
    });
    const reference = cases.find((c) => c.id === 'tinyllama-1.1b-chat-q8_0/a')?.summary['150,500'];
    const got = JSON.parse(out);
    expect(got.ram).toEqual(reference?.ram);
    expect(got.vrams).toEqual(reference?.vrams);
    expect(got.breakdown.devices[0]).toEqual(
      expect.objectContaining({ footprint: expect.any(Number), weights: expect.any(Number) }),
    );
  });

  it('says what is wrong with a bad option or file', async () => {
    let out = '';
    expect(await runEstimate(['x.gguf', '--ctx-size', 'lots'], { out: (t) => (out += t) })).toBe(2);
    expect(out).toMatch(/--ctx-size takes a whole number/);
    out = '';
    expect(await runEstimate([join(dir, 'missing.gguf')], { out: (t) => (out += t) })).toBe(1);
    expect(out).toMatch(/^error: /);
  });
});

describe('npm run estimate on a Hugging Face URL', () => {
  let hf: HfServer;
  beforeAll(async () => {
    const summary = oracleSummary('qwen2.5-72b-instruct-q4_k_m');
    hf = await startHfServer({
      repos: [
        {
          id: 'Qwen/Qwen2.5-72B-Instruct-GGUF',
          sha: fakeSha('cli'),
          files: summary.files.map((f, i) => ({
            path: `Q4_K_M/qwen2.5-72b-instruct-q4_k_m-0000${i + 1}-of-00002.gguf`,
            size: f.size,
            header: headerFromSummary(summary, i).header,
          })),
        },
      ],
    });
  });
  afterAll(() => hf?.close());

  it("reads a 7.6 MB header in two requests through /resolve/'s 302 and the CDN", async () => {
    const llama = llama3Header();
    hf.addRepo({
      id: 'meta/Llama-3.1-8B-GGUF',
      sha: fakeSha('llama'),
      files: [{ path: 'llama-Q4_K_M.gguf', size: llama.fileSize, header: llama.header }],
    });
    hf.clearLog();
    let out = '';
    const url = 'https://huggingface.co/meta/Llama-3.1-8B-GGUF/resolve/main/llama-Q4_K_M.gguf';
    expect(
      await runEstimate([url, '--json'], { fetch: fetchVia(hf.hostMap), out: (t) => (out += t) }),
      out,
    ).toBe(0);
    expect(llama.header.length).toBeGreaterThan(7.5e6);
    const resolves = hf.requests.filter((r) => r.bucket === 'resolvers');
    const cdn = hf.requests.filter((r) => r.host === 'cdn');
    expect(resolves).toHaveLength(2);
    expect(cdn).toHaveLength(2);
  });

  it('reads every shard through the scheduler and the impersonated Hub', async () => {
    hf.clearLog();
    let out = '';
    const url =
      'https://huggingface.co/Qwen/Qwen2.5-72B-Instruct-GGUF/blob/main/Q4_K_M/qwen2.5-72b-instruct-q4_k_m-00001-of-00002.gguf';
    const code = await runEstimate([url, '--json'], { fetch: fetchVia(hf.hostMap), out: (t) => (out += t) });
    expect(code, out).toBe(0);
    const reference = cases.find((c) => c.id === 'qwen2.5-72b-instruct-q4_k_m/a')?.summary['150,500'];
    expect(JSON.parse(out).vrams).toEqual(reference?.vrams);
    // One model-info request; two Range reads for the first shard's 5.5 MB header (1 MiB, then up to
    // 8 MiB), one for the second shard's small one.
    expect(hf.requests.filter((r) => r.host === 'hub').map((r) => r.bucket)).toEqual([
      'api',
      'resolvers',
      'resolvers',
      'resolvers',
    ]);
  });
});
