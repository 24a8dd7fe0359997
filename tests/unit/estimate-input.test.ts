// The estimator's inputs: the ggml type table and the summary extracted from parsed GGUF headers.

import { readFileSync } from 'node:fs';
import { gguf } from '@huggingface/gguf';
import { describe, expect, it } from 'vitest';
import {
  EstimateError,
  estimateLlamaCpp,
  type GgufSummary,
  ggmlTypeTrait,
  headerSizeOf,
  type ParsedGgufFile,
  rowSize,
  summarizeGguf,
  tensorBytes,
} from '../../utils/lib/estimate';
import { graphHashSize, graphOverhead } from '../../utils/lib/estimate/ggml-graph';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const fixtures = new URL('../fixtures/oracle/', import.meta.url);
const fixture = (id: string) =>
  JSON.parse(readFileSync(new URL(`${id}.json`, fixtures), 'utf8')) as GgufSummary;

describe('ggml type table', () => {
  it('sizes quantized and plain tensors like ggml_nbytes', () => {
    expect(tensorBytes(12, [3584, 3584])).toBe((3584 / 256) * 144 * 3584); // Q4_K
    expect(tensorBytes(14, [4096, 128256])).toBe((4096 / 256) * 210 * 128256); // Q6_K
    expect(tensorBytes(0, [3584])).toBe(3584 * 4); // F32
    expect(tensorBytes(1, [14, 14, 3, 1280])).toBe(14 * 14 * 3 * 1280 * 2); // F16, 4-D
    expect(tensorBytes(8, [4096, 1024])).toBe((4096 / 32) * 34 * 1024); // Q8_0
    expect(tensorBytes(0, [])).toBe(0);
  });

  it('computes row sizes with the integer division on the first dimension only', () => {
    expect(rowSize(8, [128 * 4 * 8192])).toBe(((128 * 4 * 8192) / 32) * 34);
    expect(rowSize(0, [3584, 512])).toBe(3584 * 512 * 4);
    expect(rowSize(1, [128, 8192, 8])).toBe(128 * 8192 * 8 * 2);
  });

  it('knows the newer FP4 types', () => {
    expect(ggmlTypeTrait(39)).toMatchObject({ name: 'MXFP4', blockSize: 32, typeSize: 17 });
    expect(tensorBytes(40, [4096, 2])).toBe((4096 / 64) * 36 * 2); // NVFP4
  });

  it('rejects unknown and removed types with an EstimateError', () => {
    for (const type of [4, 5, 99]) {
      expect(errorOf(() => ggmlTypeTrait(type))).toMatchObject({ code: 'unknown-tensor-type' });
      expect(errorOf(() => tensorBytes(type, [32]))).toBeInstanceOf(EstimateError);
      expect(errorOf(() => rowSize(type, [32]))).toBeInstanceOf(EstimateError);
    }
  });

  it('makes the estimate fail cleanly on a tensor of an unknown type', () => {
    const summary = fixture('tinyllama-1.1b-chat-q8_0');
    const broken: GgufSummary = structuredClone(summary);
    const tensor = broken.files[0]?.tensors.find((t) => t.name === 'blk.3.ffn_up.weight');
    if (!tensor) throw new Error('fixture changed');
    tensor.type = 77;
    expect(() => estimateLlamaCpp(broken)).toThrow(EstimateError);
    expect(() => estimateLlamaCpp(broken)).toThrow(/unknown ggml tensor type 77/);
  });
});

describe('ggml graph overhead', () => {
  it("reproduces gguf-parser's hash-size search, which mostly falls back to base | 1", () => {
    expect(graphHashSize(5424)).toBe(5425);
    expect(graphHashSize(2048)).toBe(2049);
    // Qwen2.5-7B: 339 tensors -> 2712 nodes; the oracle's host compute footprint implies 109280.
    expect(graphOverhead(2712)).toBe(109280);
  });
});

describe('headerSizeOf', () => {
  it('pads to the alignment and adds a whole block when already aligned (gguf-parser quirk)', () => {
    expect(headerSizeOf(5750083)).toBe(5750112);
    expect(headerSizeOf(30400)).toBe(30432);
    expect(headerSizeOf(100, 64)).toBe(128);
  });
});

function parsedFile(overrides: Partial<ParsedGgufFile> & { metadata: object }): ParsedGgufFile {
  return {
    tensorInfos: [{ name: 'blk.0.attn_norm.weight', shape: [8n], dtype: 0 }],
    tensorInfoByteRange: [100, 200],
    tensorDataOffset: 224n,
    fileSize: 1000n,
    ...overrides,
  };
}

describe('summarizeGguf', () => {
  it('keeps counts instead of tokenizer arrays and drops long strings', () => {
    const tokens = Array.from({ length: 5000 }, (_, i) => `tok${i}`);
    const summary = summarizeGguf([
      parsedFile({
        metadata: {
          version: 3,
          tensor_count: 1n,
          kv_count: 7n,
          'general.architecture': 'llama',
          'llama.context_length': 4096,
          'llama.block_count': 1n,
          'llama.attention.head_count': [8, 8],
          'tokenizer.ggml.model': 'gpt2',
          'tokenizer.ggml.tokens': tokens,
          'tokenizer.ggml.merges': ['a b', 'c d'],
          'tokenizer.chat_template': 'x'.repeat(5000),
        },
      }),
    ]);
    expect(summary.tokenizer).toEqual({ model: 'gpt2', tokens: 5000, merges: 2 });
    expect(summary.metadata).toEqual({
      'general.architecture': 'llama',
      'llama.context_length': 4096,
      'llama.block_count': 1,
      'llama.attention.head_count': [8, 8],
    });
    expect(summary.files).toEqual([
      { size: 1000, headerSize: 224, tensors: [{ name: 'blk.0.attn_norm.weight', type: 0, dims: [8] }] },
    ]);
    expect(summary).toMatchObject({ size: 1000, headerSize: 224, modelSize: 776, parameters: 8 });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('accepts typed metadata', () => {
    const summary = summarizeGguf([
      parsedFile({
        metadata: {
          'general.architecture': { value: 'qwen2', type: 8 },
          'qwen2.block_count': { value: 28, type: 4 },
          'tokenizer.ggml.tokens': { value: ['a', 'b', 'c'], type: 9, subType: 8 },
        },
      }),
    ]);
    expect(summary.metadata).toEqual({ 'general.architecture': 'qwen2', 'qwen2.block_count': 28 });
    expect(summary.tokenizer.tokens).toBe(3);
  });

  it('derives the header size from the tensor-info end, with the aligned-end quirk and general.alignment', () => {
    const aligned = summarizeGguf([
      parsedFile({ metadata: {}, tensorInfoByteRange: [10, 320], tensorDataOffset: 320n }),
    ]);
    expect(aligned.headerSize).toBe(352);
    const custom = summarizeGguf([
      parsedFile({ metadata: { 'general.alignment': 64 }, tensorInfoByteRange: [10, 300] }),
    ]);
    expect(custom.headerSize).toBe(320);
    const offsetOnly = summarizeGguf([
      parsedFile({ metadata: {}, tensorInfoByteRange: undefined, tensorDataOffset: 320n }),
    ]);
    expect(offsetOnly.headerSize).toBe(320);
  });

  it('orders shards by split.no and sums their sizes', () => {
    const shard = (no: number, name: string) =>
      parsedFile({
        metadata: { 'split.no': no, 'split.count': 2 },
        tensorInfos: [{ name, shape: [4n, 2n], dtype: 0 }],
        fileSize: 1000 + no,
      });
    const summary = summarizeGguf([shard(1, 'output.weight'), shard(0, 'token_embd.weight')]);
    expect(summary.files.map((f) => f.tensors[0]?.name)).toEqual(['token_embd.weight', 'output.weight']);
    expect(summary.size).toBe(2001);
    expect(summary.headerSize).toBe(448);
    expect(summary.metadata).toEqual({ 'split.count': 2 });
  });

  it('rejects an empty input and unusable sizes', () => {
    expect(() => summarizeGguf([])).toThrow(EstimateError);
    expect(() => summarizeGguf([parsedFile({ metadata: {}, fileSize: -1 })])).toThrow(EstimateError);
  });

  it('stays small for a 963-tensor split model', () => {
    expect(JSON.stringify(fixture('qwen2.5-72b-instruct-q4_k_m')).length).toBeLessThan(100_000);
  });
});

// A minimal GGUF v3 writer: enough for @huggingface/gguf to parse a header served from memory.
function ggufHeader(
  kvs: Array<[string, 'u32' | 'str' | 'strs', number | string | string[]]>,
  tensors: string[],
) {
  const bytes: number[] = [];
  const u32 = (n: number) => {
    for (let i = 0; i < 4; i++) bytes.push((n >>> (8 * i)) & 0xff);
  };
  const u64 = (n: number) => {
    u32(n % 2 ** 32);
    u32(Math.floor(n / 2 ** 32));
  };
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    u64(b.length);
    bytes.push(...b);
  };
  bytes.push(0x47, 0x47, 0x55, 0x46); // "GGUF"
  u32(3);
  u64(tensors.length);
  u64(kvs.length);
  for (const [key, kind, value] of kvs) {
    str(key);
    if (kind === 'u32') {
      u32(4);
      u32(value as number);
    } else if (kind === 'str') {
      u32(8);
      str(value as string);
    } else {
      u32(9);
      u32(8);
      u64((value as string[]).length);
      for (const s of value as string[]) str(s);
    }
  }
  tensors.forEach((name, i) => {
    str(name);
    u32(1);
    u64(64);
    u32(0); // F32
    u64(i * 256);
  });
  const tensorInfoEnd = bytes.length;
  const padded = headerSizeOf(tensorInfoEnd) - (tensorInfoEnd % 32 === 0 ? 32 : 0);
  while (bytes.length < padded) bytes.push(0);
  return { buffer: new Uint8Array(bytes), tensorInfoEnd };
}

describe('summarizeGguf on @huggingface/gguf output', () => {
  it('summarizes what gguf() returns for a header served over ranged fetches', async () => {
    // Lengthen a name until the tensor infos end on a 32-byte boundary: the quirky case.
    let header = ggufHeader([], []);
    for (let pad = 0; pad < 32; pad++) {
      header = ggufHeader(
        [
          ['general.architecture', 'str', 'llama'],
          ['general.name', 'str', 'x'.repeat(pad)],
          ['llama.block_count', 'u32', 1],
          ['tokenizer.ggml.model', 'str', 'llama'],
          ['tokenizer.ggml.tokens', 'strs', ['<s>', '</s>', 'a', 'b']],
        ],
        ['token_embd.weight', 'blk.0.attn_norm.weight'],
      );
      if (header.tensorInfoEnd % 32 === 0) break;
    }
    const { buffer, tensorInfoEnd } = header;
    expect(tensorInfoEnd % 32).toBe(0);
    const fileSize = buffer.length + 2 * 256;
    const serve: typeof fetch = async (_url, init) => {
      const range = new Headers(init?.headers).get('range') ?? 'bytes=0-';
      const [, from = '0', to] = /bytes=(\d+)-(\d*)/.exec(range) ?? [];
      const end = Math.min(buffer.length, to ? Number(to) + 1 : buffer.length);
      const body = buffer.slice(Number(from), end);
      return new Response(body, {
        status: 206,
        headers: { 'content-range': `bytes ${from}-${end - 1}/${fileSize}` },
      });
    };

    const parsed = await gguf('https://example.test/model.gguf', { fetch: serve });
    const summary = summarizeGguf([{ ...parsed, fileSize }]);
    expect(Number(parsed.tensorDataOffset)).toBe(tensorInfoEnd);
    expect(summary.headerSize).toBe(tensorInfoEnd + 32);
    expect(summary.tokenizer).toEqual({ model: 'llama', tokens: 4, merges: 0 });
    expect(summary.metadata).toMatchObject({ 'general.architecture': 'llama', 'llama.block_count': 1 });
    expect(summary.files[0]?.tensors).toEqual([
      { name: 'token_embd.weight', type: 0, dims: [64] },
      { name: 'blk.0.attn_norm.weight', type: 0, dims: [64] },
    ]);
  });
});
