// Rules of gguf-parser-go's llama.cpp estimate that the 29 reference numbers do not pin down on
// their own: options, offload modes, cache types, architectures and projector types.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type DeviceEstimate,
  EstimateError,
  type EstimateOptions,
  estimateLlamaCpp,
  type GgufSummary,
  type LlamaCppEstimate,
  rowSize,
  type SummaryTensor,
  type SummaryValue,
  summarize,
  tensorBytes,
} from '../../utils/lib/estimate';

const MiB = 1024 * 1024;
const F32 = 0;
const F16 = 1;
const Q8_0 = 8;

const fixtures = new URL('../fixtures/oracle/', import.meta.url);
const fixture = (id: string) =>
  JSON.parse(readFileSync(new URL(`${id}.json`, fixtures), 'utf8')) as GgufSummary;
const qwen = fixture('qwen2.5-7b-instruct-q4_k_m');
const llama31 = fixture('llama-3.1-8b-instruct-q4_k_m');
const gemma2 = fixture('gemma-2-9b-it-q4_k_m');
const nomic = fixture('nomic-embed-text-v1.5-f16');
const mixtral = fixture('mixtral-8x7b-instruct-q4_k_m');
const qwenVl = fixture('qwen2.5-vl-7b-instruct-q4_k_m');
const mmproj = fixture('mmproj-qwen2.5-vl-7b-instruct-f16');

const host = (e: LlamaCppEstimate) => e.devices[0] as DeviceEstimate;
const gpu = (e: LlamaCppEstimate, i = 0) => e.devices[i + 1] as DeviceEstimate;
const kv = (d: DeviceEstimate) => d.kvCache.key + d.kvCache.value;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function errorOf(fn: () => unknown): EstimateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof EstimateError) return error;
    throw error;
  }
  throw new Error('expected an EstimateError');
}

/** A small llama-style model in F16, with options to bend it into other architectures. */
function synthetic(
  options: {
    arch?: string;
    blocks?: number;
    embd?: number;
    heads?: number;
    kvHeads?: number;
    ff?: number;
    vocab?: number;
    ctx?: number;
    metadata?: Record<string, SummaryValue>;
    blockTensors?: (i: number) => SummaryTensor[];
    tied?: boolean;
  } = {},
): GgufSummary {
  const {
    arch = 'llama',
    blocks = 4,
    embd = 256,
    heads = 8,
    kvHeads = 2,
    ff = 512,
    vocab = 1000,
    ctx = 4096,
  } = options;
  const headDim = embd / heads;
  const t = (name: string, dims: number[], type = F16): SummaryTensor => ({ name, type, dims });
  const tensors: SummaryTensor[] = [t('token_embd.weight', [embd, vocab])];
  for (let i = 0; i < blocks; i++) {
    tensors.push(
      ...(options.blockTensors?.(i) ?? [
        t(`blk.${i}.attn_norm.weight`, [embd], F32),
        t(`blk.${i}.attn_q.weight`, [embd, embd]),
        t(`blk.${i}.attn_k.weight`, [embd, headDim * kvHeads]),
        t(`blk.${i}.attn_v.weight`, [embd, headDim * kvHeads]),
        t(`blk.${i}.attn_output.weight`, [embd, embd]),
        t(`blk.${i}.ffn_norm.weight`, [embd], F32),
        t(`blk.${i}.ffn_gate.weight`, [embd, ff]),
        t(`blk.${i}.ffn_up.weight`, [embd, ff]),
        t(`blk.${i}.ffn_down.weight`, [ff, embd]),
      ]),
    );
  }
  tensors.push(t('output_norm.weight', [embd], F32));
  if (!options.tied) tensors.push(t('output.weight', [embd, vocab]));
  const headerSize = 4096;
  const modelSize = sum(tensors.map((x) => tensorBytes(x.type, x.dims)));
  return {
    schema: 1,
    metadata: {
      'general.architecture': arch,
      [`${arch}.context_length`]: ctx,
      [`${arch}.embedding_length`]: embd,
      [`${arch}.block_count`]: blocks,
      [`${arch}.feed_forward_length`]: ff,
      [`${arch}.attention.head_count`]: heads,
      [`${arch}.attention.head_count_kv`]: kvHeads,
      ...options.metadata,
    },
    tokenizer: { model: 'llama', tokens: vocab, merges: 0 },
    files: [{ size: headerSize + modelSize, headerSize, tensors }],
    size: headerSize + modelSize,
    modelSize,
    headerSize,
    parameters: 0,
  };
}

describe('defaults', () => {
  const reference = JSON.parse(readFileSync(new URL('reference-cases.json', fixtures), 'utf8')) as {
    cases: Array<{ id: string; summary: Record<string, { ram: unknown; vrams: unknown }> }>;
  };

  it("are GPUStack's: ctx 8192, parallel 4, no mmap, full offload, 150/500 MiB footprints", () => {
    const expected = reference.cases.find((c) => c.id === 'qwen2.5-7b-instruct-q4_k_m/a')?.summary['150,500'];
    const e = estimateLlamaCpp(qwen);
    expect(e).toMatchObject({ contextSize: 8192, mmap: false, fullOffloaded: true, logicalBatchSize: 2048 });
    expect(e.physicalBatchSize).toBe(512);
    const s = summarize(e);
    expect({ ram: s.ram, vrams: s.vrams }).toEqual({ ram: expected?.ram, vrams: expected?.vrams });
  });

  it('uses the projected-image cache of 10 by default with a projector (scenario e)', () => {
    const expected = reference.cases.find((c) => c.id === 'qwen2.5-vl-7b-instruct-q4_k_m/e')?.summary[
      '150,500'
    ];
    const s = summarize(estimateLlamaCpp(qwenVl, { projector: mmproj }));
    expect({ ram: s.ram, vrams: s.vrams }).toEqual({ ram: expected?.ram, vrams: expected?.vrams });
  });

  it("takes the model's training context when ctxSize is null (gguf-parser's own default)", () => {
    expect(estimateLlamaCpp(qwen, { ctxSize: null }).contextSize).toBe(32768);
    expect(estimateLlamaCpp(qwen, { ctxSize: 0 }).contextSize).toBe(32768);
  });
});

describe('context and cache types', () => {
  it('pads the context to 32, or to 256 with flash attention', () => {
    expect(estimateLlamaCpp(qwen, { ctxSize: 8000 }).contextSize).toBe(8000);
    expect(estimateLlamaCpp(qwen, { ctxSize: 8010 }).contextSize).toBe(8032);
    expect(estimateLlamaCpp(qwen, { ctxSize: 8000, flashAttention: true }).contextSize).toBe(8192);
  });

  it('keeps K and V caches per layer of headDim * kvHeads * ctx cells (GQA)', () => {
    const e = estimateLlamaCpp(qwen);
    expect(gpu(e).kvCache.key).toBe(28 * 128 * 4 * 8192 * 2);
    expect(gpu(e).kvCache.value).toBe(28 * 128 * 4 * 8192 * 2);
  });

  it('falls back to an f16 V cache when V is quantized without flash attention', () => {
    const q8 = (flashAttention: boolean) =>
      estimateLlamaCpp(qwen, { cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', flashAttention });
    const q8Row = 28 * rowSize(Q8_0, [128 * 4 * 8192]);
    expect(gpu(q8(false)).kvCache).toEqual({ key: q8Row, value: 28 * 128 * 4 * 8192 * 2 });
    expect(gpu(q8(true)).kvCache).toEqual({ key: q8Row, value: q8Row });
  });

  it("maps cache-type names like gguf-parser's CLI: unknown ones (bf16 included) are f16", () => {
    const f16 = gpu(estimateLlamaCpp(qwen)).kvCache;
    expect(gpu(estimateLlamaCpp(qwen, { cacheTypeK: 'bf16', cacheTypeV: 'q3_k' })).kvCache).toEqual(f16);
    expect(gpu(estimateLlamaCpp(qwen, { cacheTypeK: 'f32' })).kvCache.key).toBe(2 * f16.key);
  });

  it('turns flash attention off for grok', () => {
    const e = estimateLlamaCpp(synthetic({ arch: 'grok' }), { ctxSize: 1000, flashAttention: true });
    expect(e.flashAttention).toBe(false);
    expect(e.contextSize).toBe(1024);
  });

  it('raises the logical batch to at least 32 and rejects a physical batch above it', () => {
    expect(estimateLlamaCpp(qwen, { batchSize: 8, ubatchSize: 8 }).logicalBatchSize).toBe(32);
    expect(errorOf(() => estimateLlamaCpp(qwen, { batchSize: 256, ubatchSize: 512 })).code).toBe(
      'invalid-option',
    );
  });
});

describe('offloading', () => {
  it('puts the last n blocks on the GPU with partial offload, the output layer on the host', () => {
    const e = estimateLlamaCpp(qwen, { gpuLayers: 10 });
    expect(e.fullOffloaded).toBe(false);
    expect(host(e)).toMatchObject({ handleLayers: 18, handleLastLayer: 17, handleOutputLayer: true });
    expect(gpu(e)).toMatchObject({ handleLayers: 10, handleLastLayer: 27, handleOutputLayer: false });
    expect(kv(host(e))).toBe((18 / 10) * kv(gpu(e)));
    expect(summarize(e).offloadLayers).toBe(10);
  });

  it('offloads the output layer only when gpu layers exceed the blocks (-ngl n_layer + 1)', () => {
    expect(estimateLlamaCpp(qwen, { gpuLayers: 28 })).toMatchObject({
      offloadLayers: 28,
      fullOffloaded: false,
    });
    expect(estimateLlamaCpp(qwen, { gpuLayers: 29 })).toMatchObject({
      offloadLayers: 28,
      fullOffloaded: true,
    });
    expect(summarize(estimateLlamaCpp(qwen, { gpuLayers: 99 })).offloadLayers).toBe(29);
  });

  it('still charges GPU compute buffers when nothing is offloaded', () => {
    const e = estimateLlamaCpp(qwen, { gpuLayers: 0 });
    expect(gpu(e)).toMatchObject({ handleLayers: 0, weight: { input: 0, compute: 0, output: 0 } });
    expect(kv(gpu(e))).toBe(0);
    expect(summarize(e).vrams[0]?.nonuma).toBeGreaterThan(500 * MiB);
  });

  it('keeps the whole KV cache on the host with noKvOffload', () => {
    const offloaded = estimateLlamaCpp(qwen);
    const kept = estimateLlamaCpp(qwen, { noKvOffload: true });
    expect(kv(gpu(kept))).toBe(0);
    expect(kv(host(kept))).toBe(kv(gpu(offloaded)));
  });

  it('splits layers over two GPUs without changing the totals', () => {
    const single = estimateLlamaCpp(qwen);
    const split = estimateLlamaCpp(qwen, { tensorSplit: [1, 1] });
    const gpus = split.devices.slice(1);
    expect(gpus.map((d) => d.handleLayers)).toEqual([15, 13]);
    expect(sum(gpus.map((d) => d.weight.compute))).toBe(gpu(single).weight.compute);
    expect(sum(gpus.map(kv))).toBe(kv(gpu(single)));
    expect(gpus.map((d) => d.handleOutputLayer)).toEqual([false, true]);
    expect(gpus[1]?.weight.output).toBe(gpu(single).weight.output);
    // Proportions, not absolute values, as llama.cpp's --tensor-split.
    expect(estimateLlamaCpp(qwen, { tensorSplit: [0.5, 0.5] }).devices).toEqual(split.devices);
  });

  it('keeps a GPU that gets no layer out of the VRAM totals but for the platform footprint', () => {
    const s = summarize(estimateLlamaCpp(qwen, { tensorSplit: [1, 0] }));
    expect(s.vrams[1]).toEqual({ uma: 0, nonuma: 500 * MiB });
  });

  it('validates the tensor split and the main GPU', () => {
    expect(errorOf(() => estimateLlamaCpp(qwen, { tensorSplit: [0, 0] })).code).toBe('invalid-option');
    expect(errorOf(() => estimateLlamaCpp(qwen, { tensorSplit: [-1, 2] })).code).toBe('invalid-option');
    expect(errorOf(() => estimateLlamaCpp(qwen, { mainGpu: 1 })).code).toBe('invalid-option');
    expect(estimateLlamaCpp(qwen, { tensorSplit: [1, 1], mainGpu: 1 }).devices).toHaveLength(3);
  });
});

describe('weights', () => {
  it('keeps rope_freqs.weight on the host as an extra layer, even with full offload', () => {
    expect(host(estimateLlamaCpp(llama31)).weight.compute).toBe(256);
    expect(host(estimateLlamaCpp(llama31, { gpuLayers: 32 })).weight.compute).toBe(256);
  });

  it('counts token_embd again as the output weight when embeddings are tied', () => {
    const e = estimateLlamaCpp(gemma2);
    const outputNorm = 3584 * 4;
    expect(host(e).weight.output).toBe(host(e).weight.input + outputNorm);
    expect(gpu(e).weight.output).toBe(host(e).weight.output);
    const tied = estimateLlamaCpp(synthetic({ tied: true }));
    expect(host(tied).weight.output).toBe(host(tied).weight.input + 256 * 4);
  });

  it('always keeps the token embeddings on the host', () => {
    const e = estimateLlamaCpp(qwen);
    expect(host(e).weight.input).toBe(tensorBytes(12, [3584, 152064]));
    expect(gpu(e).weight.input).toBe(0);
  });
});

describe('architectures', () => {
  it('gives sliding-window layers a window-sized cache (gemma2: every other layer)', () => {
    const e = estimateLlamaCpp(gemma2, { ctxSize: 32768 });
    const perCell = 256 * 8 * 2;
    const window = 4096 * 4 + 2048; // window * sequences + logical batch
    expect(gpu(e).handleSwaLayers).toBe(21);
    expect(gpu(e).kvCache.key).toBe(21 * perCell * 32768 + 21 * perCell * window);
    expect(gpu(estimateLlamaCpp(gemma2, { ctxSize: 32768, swaFull: true })).kvCache.key).toBe(
      42 * perCell * 32768,
    );
  });

  it('uses the MLA key/value lengths for the cache when both are present', () => {
    const model = synthetic({
      arch: 'deepseek2',
      metadata: {
        'deepseek2.attention.key_length': 192,
        'deepseek2.attention.value_length': 128,
        'deepseek2.attention.key_length_mla': 576,
        'deepseek2.attention.value_length_mla': 512,
        'deepseek2.attention.head_count_kv': 1,
      },
    });
    expect(gpu(estimateLlamaCpp(model)).kvCache).toEqual({
      key: 4 * 576 * 8192 * 2,
      value: 4 * 512 * 8192 * 2,
    });
    const plain = synthetic({
      arch: 'deepseek2',
      metadata: { 'deepseek2.attention.key_length': 192, 'deepseek2.attention.value_length': 128 },
    });
    expect(gpu(estimateLlamaCpp(plain)).kvCache).toEqual({
      key: 4 * 192 * 2 * 8192 * 2,
      value: 4 * 128 * 2 * 8192 * 2,
    });
  });

  it('reads per-layer head_count_kv arrays as 0 (gguf-parser SkipLargeMetadata quirk), head_count as its first item', () => {
    const model = synthetic({
      metadata: { 'llama.attention.head_count': [8, 8, 8, 8], 'llama.attention.head_count_kv': [2, 2, 2, 2] },
    });
    const e = estimateLlamaCpp(model);
    expect(kv(gpu(e))).toBe(0);
    expect(gpu(e).computation.graph).toBeGreaterThanOrEqual(rowSize(F32, [8192, 512, 8]));
  });

  it('keeps fixed recurrent states instead of a KV cache (mamba)', () => {
    const model = synthetic({
      arch: 'mamba',
      metadata: {
        'mamba.ssm.conv_kernel': 4,
        'mamba.ssm.inner_size': 512,
        'mamba.ssm.state_size': 16,
        'mamba.ssm.time_step_rank': 16,
      },
      blockTensors: (i) => [
        { name: `blk.${i}.attn_norm.weight`, type: F32, dims: [256] },
        { name: `blk.${i}.ssm_in.weight`, type: F16, dims: [256, 1024] },
        { name: `blk.${i}.ssm_conv1d.weight`, type: F32, dims: [4, 512] },
        { name: `blk.${i}.ssm_a`, type: F32, dims: [16, 512] },
        { name: `blk.${i}.ssm_dt.weight`, type: F32, dims: [16, 512] },
        { name: `blk.${i}.ssm_out.weight`, type: F16, dims: [512, 256] },
      ],
    });
    const e = estimateLlamaCpp(model, { ctxSize: 100_000 });
    // Per layer and sequence: conv state (kernel - 1) * inner, ssm state state * inner, in F32.
    expect(gpu(e).kvCache).toEqual({ key: 4 * 3 * 512 * 4 * 4, value: 4 * 16 * 512 * 4 * 4 });
    expect(host(e).computation.graph).toBe(0);
    expect(gpu(e).computation.graph).toBeGreaterThan(0);
  });

  it('adds expert-routing scratch for MoE models', () => {
    const dense = structuredClone(mixtral);
    delete dense.metadata['llama.expert_count'];
    delete dense.metadata['llama.expert_used_count'];
    const routing = rowSize(F32, [8, 4096]) + rowSize(F32, [8, 512]) + rowSize(F32, [4096, 2, 512]);
    expect(
      host(estimateLlamaCpp(mixtral)).computation.graph - host(estimateLlamaCpp(dense)).computation.graph,
    ).toBe(routing);
    // Two MoE GPUs keep 2 copies of the inputs (dense models: 4).
    const one = gpu(estimateLlamaCpp(mixtral)).computation.input;
    expect(gpu(estimateLlamaCpp(mixtral, { tensorSplit: [1, 1] })).computation.input).toBe(2 * one);
    const denseOne = gpu(estimateLlamaCpp(qwen)).computation.input;
    expect(gpu(estimateLlamaCpp(qwen, { tensorSplit: [1, 1] })).computation.input).toBe(4 * denseOne);
  });

  it('treats non-causal embedding models as one batch of the training context without KV or logits', () => {
    const e = estimateLlamaCpp(nomic, { ctxSize: 8192 });
    expect(e).toMatchObject({ embeddingOnly: true, reranking: false, contextSize: 2048 });
    expect(e).toMatchObject({ logicalBatchSize: 2048, physicalBatchSize: 2048 });
    expect(e.devices.map(kv)).toEqual([0, 0]);
    expect(e.devices.map((d) => d.computation.output)).toEqual([0, 0]);
    expect(gpu(e).footprint).toBe(768 * 2048 * 4); // embeddings only, no vocabulary logits
    expect(estimateLlamaCpp(nomic, { ctxSize: 512 }).contextSize).toBe(512);
  });

  it('treats rank pooling as a non-causal reranker', () => {
    const e = estimateLlamaCpp(synthetic({ metadata: { 'llama.pooling_type': 4 } }));
    expect(e).toMatchObject({ embeddingOnly: true, reranking: true, contextSize: 4096 });
    expect(kv(gpu(e))).toBe(0);
  });

  it('refuses files that are not llama.cpp models', () => {
    const diffusion = synthetic();
    diffusion.files[0]?.tensors.push({ name: 'model.diffusion_model.out.0.weight', type: F16, dims: [4] });
    expect(errorOf(() => estimateLlamaCpp(diffusion)).code).toBe('unsupported-model');
    const adapter = synthetic({ metadata: { 'general.type': 'adapter' } });
    expect(errorOf(() => estimateLlamaCpp(adapter)).code).toBe('unsupported-model');
    expect(errorOf(() => estimateLlamaCpp(qwen, { projector: qwen })).code).toBe('invalid-input');
  });
});

describe('multimodal projector', () => {
  const patches = 37 * 37; // ceil(1024 / 28)^2 for qwen2.5vl_merger at the default 1024 px
  const embedding = patches * 3584 * 4;

  it('caches max-projected-cache image embeddings on the host (plus the image itself)', () => {
    const withCache = estimateLlamaCpp(qwenVl, { projector: mmproj, maxProjectedCache: 10 }).projector;
    const without = estimateLlamaCpp(qwenVl, { projector: mmproj, maxProjectedCache: null }).projector;
    expect(without && host(without).footprint).toBe(5 * MiB + 30432 + embedding);
    expect(withCache && host(withCache).footprint - host(without as LlamaCppEstimate).footprint).toBe(
      10 * embedding,
    );
  });

  it('sizes dynamic-resolution images at visualMaxImageSize', () => {
    const p = estimateLlamaCpp(qwenVl, {
      projector: mmproj,
      maxProjectedCache: null,
      visualMaxImageSize: 512,
    }).projector as LlamaCppEstimate;
    expect(host(p).footprint).toBe(5 * MiB + 30432 + 19 * 19 * 3584 * 4);
  });

  it('goes to the first GPU whenever any layer is offloaded, to the host with gpu layers 0', () => {
    const partial = estimateLlamaCpp(qwenVl, { projector: mmproj, gpuLayers: 5 })
      .projector as LlamaCppEstimate;
    expect(partial).toMatchObject({ fullOffloaded: true, offloadLayers: 32 });
    expect(gpu(partial).weight.compute).toBeGreaterThan(0);
    const cpu = estimateLlamaCpp(qwenVl, { projector: mmproj, gpuLayers: 0 }).projector as LlamaCppEstimate;
    expect(cpu).toMatchObject({ fullOffloaded: false, offloadLayers: 0 });
    expect(host(cpu)).toMatchObject({ handleLayers: 0, handleLastLayer: -1, weight: gpu(partial).weight });
    expect(gpu(cpu).weight).toEqual({ input: 0, compute: 0, output: 0 });
  });

  it('replaces the attention score matrix by its f16 mask with flash attention', () => {
    const graph = (flashAttention: boolean) =>
      gpu(estimateLlamaCpp(qwenVl, { projector: mmproj, flashAttention }).projector as LlamaCppEstimate)
        .computation.graph;
    const positions = patches * 4;
    expect(graph(false) - graph(true)).toBe(positions * positions * 16 * 4 - positions * positions * 2);
  });

  it('can be estimated on its own', () => {
    const p = estimateLlamaCpp(mmproj);
    expect(p).toMatchObject({
      type: 'projector',
      architecture: 'clip',
      clipProjectorType: 'qwen2.5vl_merger',
    });
  });

  function projector(
    type: string,
    metadata: Record<string, SummaryValue>,
    tensors: SummaryTensor[] = [],
  ): GgufSummary {
    const all: SummaryTensor[] = [
      { name: 'v.patch_embd.weight', type: F16, dims: [14, 14, 3, 64] },
      { name: 'v.blk.0.attn_q.weight', type: F16, dims: [64, 64] },
      { name: 'v.blk.1.attn_q.weight', type: F16, dims: [64, 64] },
      ...tensors,
    ];
    return {
      schema: 1,
      metadata: {
        'general.architecture': 'clip',
        'clip.projector_type': type,
        'clip.has_vision_encoder': true,
        'clip.vision.embedding_length': 64,
        'clip.vision.attention.head_count': 4,
        'clip.vision.patch_size': 14,
        ...metadata,
      },
      tokenizer: { model: '', tokens: 0, merges: 0 },
      files: [{ size: 1_000_000, headerSize: 1024, tensors: all }],
      size: 1_000_000,
      modelSize: 1_000_000 - 1024,
      headerSize: 1024,
      parameters: 0,
    };
  }
  const imageCache = (p: GgufSummary) =>
    host(estimateLlamaCpp(p, { maxProjectedCache: null })).footprint - 5 * MiB - p.headerSize;

  it('counts the vision blocks from the tensors when the metadata lacks them', () => {
    const p = estimateLlamaCpp(projector('mlp', {}, [{ name: 'mm.2.bias', type: F32, dims: [32] }]));
    expect(p.offloadLayers).toBe(2);
  });

  it('knows the image token counts of other projector types', () => {
    // gemma3: (896 / 14 / 4)^2 = 256 tokens of mm.input_projection's width.
    const gemma3 = projector('gemma3', { 'clip.vision.image_size': 896 }, [
      { name: 'mm.input_projection.weight', type: F16, dims: [2560, 64] },
    ]);
    expect(imageCache(gemma3)).toBe(256 * 2560 * 4);
    // pixtral: (1024 / 16 / 2)^2 + one [IMG_BREAK] per row but the last.
    const pixtral = projector(
      'pixtral',
      { 'clip.vision.patch_size': 16, 'clip.vision.spatial_merge_size': 2 },
      [{ name: 'mm.2.bias', type: F32, dims: [5120] }],
    );
    expect(imageCache(pixtral)).toBe((32 * 32 + 31) * 5120 * 4);
    // LLaVA 1.6 (mlp, any-res): 6 slices of (336 / 14)^2 patches.
    const llava = projector(
      'mlp',
      { 'clip.vision.image_size': 336, 'clip.vision.mm_patch_merge_type': 'spatial_unpad' },
      [{ name: 'mm.2.bias', type: F32, dims: [4096] }],
    );
    expect(imageCache(llava)).toBe(6 * 576 * 4096 * 4);
    // An unknown type: the native image size (under the 1024 cap), the declared merge rounded up.
    const unknown = projector('brand-new', {
      'clip.vision.image_size': 448,
      'clip.vision.spatial_merge_size': 2,
      'clip.vision.projection_dim': 1024,
    });
    expect(imageCache(unknown)).toBe(16 * 16 * 1024 * 4);
  });
});

describe('summarize', () => {
  it('drops host weights with mmap and keeps the output weight without it when fully offloaded', () => {
    const e = estimateLlamaCpp(qwen);
    const d = host(e);
    const compute =
      d.computation.footprint + d.computation.input + Math.max(d.computation.graph, d.computation.output);
    expect(summarize(e).ram.uma).toBe(d.footprint + d.weight.output + compute);
    expect(summarize(e, { mmap: true }).ram.uma).toBe(d.footprint + compute);
    const partial = estimateLlamaCpp(qwen, { gpuLayers: 10 });
    const p = host(partial);
    const weights = p.weight.input + p.weight.compute + p.weight.output;
    expect(summarize(partial).ram.uma - summarize(partial, { mmap: true }).ram.uma).toBe(weights);
  });

  it('adds the platform footprints to the non-UMA figures', () => {
    const e = estimateLlamaCpp(qwen);
    const a = summarize(e, { footprintRamMiB: 150, footprintVramMiB: 250 });
    const b = summarize(e);
    expect(b.ram.nonuma - b.ram.uma).toBe(150 * MiB);
    expect((b.vrams[0]?.nonuma ?? 0) - (a.vrams[0]?.nonuma ?? 0)).toBe(250 * MiB);
    expect(a.vrams[0]?.uma).toBe(b.vrams[0]?.uma);
  });

  it('breaks the totals down per device, with the projector apart', () => {
    const s = summarize(estimateLlamaCpp(qwenVl, { projector: mmproj }));
    expect(s.breakdown.devices).toHaveLength(2);
    expect(s.breakdown.projector?.devices).toHaveLength(2);
    const g = s.breakdown.devices[1];
    const p = s.breakdown.projector?.devices[1];
    expect(s.vrams[0]?.nonuma).toBe(
      500 * MiB + sum([g, p].map((x) => (x ? x.footprint + x.weights + x.kvCache + x.compute : Number.NaN))),
    );
    expect(summarize(estimateLlamaCpp(qwen)).breakdown.projector).toBeNull();
  });
});

// Keep the type import of EstimateOptions used (documents the public option names).
const _options: EstimateOptions = { ctxSize: 8192, parallelSize: 4, gpuLayers: -1, mmap: false };
void _options;
