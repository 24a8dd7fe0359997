// llama.cpp memory estimate, reproducing gguf-parser-go v0.25.0 (EstimateLLaMACppRun) figure for
// figure, quirks included, so the extension answers as a GPUStack server would. Sizes are bytes.
//
// Shape of the computation, per device (device 0 = host, then one per GPU):
//   footprint  : bootstrap + metadata + tokenizer (host); logits/embeddings output buffer
//   weight     : input (token embeddings), compute (blocks), output (head)
//   kvCache    : key / value cache of the attention layers it holds (or recurrent states)
//   computation: graph metadata (host), inputs, graph scratch of one block, output scratch

import { type ModelArchitecture, type ProjectorArchitecture, readArchitecture } from './architecture';
import { EstimateError } from './errors';
import { graphOverhead, padTo, TENSOR_OVERHEAD } from './ggml-graph';
import {
  type CacheTypeName,
  cacheTypeFromName,
  GgmlType,
  isQuantizedGgmlType,
  rowSize,
  tensorBytes,
} from './ggml-types';
import { findTensor, groupsBytes, groupTensors, lastDim, partitionGroups } from './layers';
import { allTensors, type GgufSummary, type SummaryTensor } from './model-summary';

const MiB = 1024 * 1024;

/** Options, named after llama.cpp's flags. Defaults are what GPUStack passes to gguf-parser. */
export interface EstimateOptions {
  /** Context size; default 8192. `null` (or <= 0) means the model's training context (gguf-parser's own default). */
  ctxSize?: number | null;
  /** Parallel sequences; default 4. */
  parallelSize?: number;
  /** Logical batch size; default 2048 (at least 32). */
  batchSize?: number;
  /** Physical batch size; default 512; must not exceed the logical batch. */
  ubatchSize?: number;
  /** Default false. Ignored for grok (unsupported there). */
  flashAttention?: boolean;
  /** KV cache types; default f16. Names outside llama.cpp's list fall back to f16, like gguf-parser's CLI. */
  cacheTypeK?: CacheTypeName | (string & {});
  /** A quantized V cache needs flash attention, else it falls back to f16. */
  cacheTypeV?: CacheTypeName | (string & {});
  /** Memory-mapped weights; default false (GPUStack passes --no-mmap). Used by `summarize`. */
  mmap?: boolean;
  /** Layers to offload: -1 (default) = all blocks plus the output layer; 0 = CPU only. */
  gpuLayers?: number;
  /** Proportions of the offloaded layers per GPU (llama.cpp's --tensor-split); default one GPU. */
  tensorSplit?: readonly number[] | null;
  /** Checked against the tensor split; it does not change gguf-parser's figures. */
  mainGpu?: number;
  /** Keep the KV cache on the host. */
  noKvOffload?: boolean;
  /** Full-size KV cache for sliding-window layers. */
  swaFull?: boolean;
  /** The multimodal projector (mmproj) to estimate along with the model. */
  projector?: GgufSummary | null;
  /** Projected image embeddings kept in the host cache; default 10 (GPUStack); null or 0 = none. */
  maxProjectedCache?: number | null;
  /** Largest image side for dynamic-resolution projectors; default 1024. */
  visualMaxImageSize?: number;
}

export interface DeviceEstimate {
  /** Blocks this device holds. */
  handleLayers: number;
  /** How many of them are sliding-window layers. */
  handleSwaLayers: number;
  /** Index of the last block it holds, -1 for none. */
  handleLastLayer: number;
  handleOutputLayer: boolean;
  /** Index among GPUs (0 for the host and the first GPU). */
  position: number;
  footprint: number;
  weight: { input: number; compute: number; output: number };
  kvCache: { key: number; value: number };
  computation: { footprint: number; input: number; graph: number; output: number };
}

export interface LlamaCppEstimate {
  type: 'model' | 'projector';
  architecture: string;
  clipProjectorType?: string;
  flashAttention: boolean;
  contextSize: number;
  /** Offloaded blocks, without the output layer (see `fullOffloaded`). */
  offloadLayers: number;
  /** Every block and the output layer are on GPUs. */
  fullOffloaded: boolean;
  /** The mmap choice of the options, the default for `summarize`. */
  mmap: boolean;
  embeddingOnly: boolean;
  reranking: boolean;
  logicalBatchSize: number;
  physicalBatchSize: number;
  /** Host first, then one per GPU. */
  devices: DeviceEstimate[];
  projector: LlamaCppEstimate | null;
}

/** Options with defaults applied and checked. */
interface Settings {
  ctxSize: number | null;
  parallel: number;
  batch: number;
  ubatch: number;
  flashAttention: boolean;
  cacheK: number;
  cacheV: number;
  mmap: boolean;
  /** null = all blocks plus the output layer. */
  gpuLayers: number | null;
  /** Cumulative fractions, the last one 1. */
  splits: number[];
  offloadKv: boolean;
  swaFull: boolean;
  maxProjectedCache: number | null;
  visualMaxImageSize: number | null;
}

/** Estimate llama.cpp's memory for a model (and its projector, if given in the options). */
export function estimateLlamaCpp(summary: GgufSummary, options: EstimateOptions = {}): LlamaCppEstimate {
  const settings = resolveSettings(options);
  const arch = readArchitecture(summary);
  if (arch.kind === 'projector') return estimateProjector(summary, arch, settings);

  const estimate = estimateModel(summary, arch, settings);
  if (options.projector) {
    const projectorArch = readArchitecture(options.projector);
    if (projectorArch.kind !== 'projector') {
      throw new EstimateError('invalid-input', 'the projector summary is not a clip (mmproj) file');
    }
    estimate.projector = estimateProjector(options.projector, projectorArch, settings);
  }
  return estimate;
}

function resolveSettings(options: EstimateOptions): Settings {
  const batch = Math.max(32, positiveOr(options.batchSize, 2048));
  const ubatch = positiveOr(options.ubatchSize, 512);
  if (ubatch > batch) {
    throw new EstimateError('invalid-option', `ubatch size ${ubatch} exceeds batch size ${batch}`);
  }

  let splits = [1];
  if (options.tensorSplit && options.tensorSplit.length > 0) {
    const parts = options.tensorSplit;
    const total = parts.reduce((a, b) => a + b, 0);
    if (parts.some((p) => !Number.isFinite(p) || p < 0) || !(total > 0)) {
      throw new EstimateError('invalid-option', `invalid tensor split ${parts.join(',')}`);
    }
    // Cumulative fractions, computed like gguf-parser's CLI so float rounding matches.
    let sum = 0;
    splits = parts.map((p) => {
      sum += p;
      return sum / total;
    });
  }
  const mainGpu = options.mainGpu ?? 0;
  if (!Number.isInteger(mainGpu) || mainGpu < 0 || mainGpu >= splits.length) {
    throw new EstimateError('invalid-option', `main GPU ${mainGpu} is outside the ${splits.length} GPU(s)`);
  }

  const ctx = options.ctxSize === undefined ? 8192 : options.ctxSize;
  const gpuLayers = options.gpuLayers ?? -1;
  const maxProjectedCache = options.maxProjectedCache === undefined ? 10 : options.maxProjectedCache;
  return {
    ctxSize: ctx !== null && ctx > 0 ? Math.floor(ctx) : null,
    parallel: positiveOr(options.parallelSize, 4, 1),
    batch,
    ubatch,
    flashAttention: options.flashAttention ?? false,
    cacheK: cacheTypeFromName(options.cacheTypeK),
    cacheV: cacheTypeFromName(options.cacheTypeV),
    mmap: options.mmap ?? false,
    gpuLayers: gpuLayers < 0 ? null : Math.floor(gpuLayers),
    splits,
    offloadKv: !(options.noKvOffload ?? false),
    swaFull: options.swaFull ?? false,
    maxProjectedCache: maxProjectedCache && maxProjectedCache > 0 ? Math.floor(maxProjectedCache) : null,
    visualMaxImageSize:
      options.visualMaxImageSize && options.visualMaxImageSize > 0
        ? Math.floor(options.visualMaxImageSize)
        : null,
  };
}

/** `value` when it is a positive number, `fallback` when absent, `nonPositive` when <= 0. */
function positiveOr(value: number | undefined, fallback: number, nonPositive = fallback): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return value > 0 ? Math.floor(value) : nonPositive;
}

function newDevice(position: number): DeviceEstimate {
  return {
    handleLayers: 0,
    handleSwaLayers: 0,
    handleLastLayer: -1,
    handleOutputLayer: false,
    position,
    footprint: 0,
    weight: { input: 0, compute: 0, output: 0 },
    kvCache: { key: 0, value: 0 },
    computation: { footprint: 0, input: 0, graph: 0, output: 0 },
  };
}

function newEstimate(
  type: LlamaCppEstimate['type'],
  architecture: string,
  settings: Settings,
): LlamaCppEstimate {
  return {
    type,
    architecture,
    flashAttention: settings.flashAttention,
    contextSize: 0,
    offloadLayers: 0,
    fullOffloaded: false,
    mmap: settings.mmap,
    embeddingOnly: false,
    reranking: false,
    logicalBatchSize: 0,
    physicalBatchSize: 0,
    devices: [newDevice(0), ...settings.splits.map((_, i) => newDevice(i))],
    projector: null,
  };
}

/** Index of the first fraction greater than x. */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How blocks are spread: the last `offloaded` ones go to the GPUs by the split fractions. */
interface LayerSplit {
  offloaded: number;
  loaded: number;
  full: boolean;
  zero: boolean;
  outputDevice: number;
  /** Device index for the i-th of `count` items, the last `offloaded` of which go to GPUs. */
  deviceOf(i: number, count: number): number;
}

function placeBlocks(blockCount: number, gpuLayers: number | null, splits: readonly number[]): LayerSplit {
  let offloaded = 0;
  let outputOffloaded = false;
  if (gpuLayers === null) {
    offloaded = blockCount;
    outputOffloaded = true;
  } else if (gpuLayers > 0) {
    // llama.cpp's -ngl counts the output layer as one more: only ngl > blocks offloads it.
    offloaded = Math.min(gpuLayers, blockCount);
    outputOffloaded = gpuLayers > blockCount;
  }
  const loaded = blockCount - offloaded;
  // The output layer, when offloaded, takes a share of the split too (it lands on the last GPU).
  const splitDivisor = offloaded + (outputOffloaded ? 1 : 0);
  const deviceOf = (i: number, count: number) => {
    const start = count - offloaded;
    return i < start ? 0 : upperBound(splits, (i - start) / splitDivisor) + 1;
  };
  const full = loaded === 0 && outputOffloaded;
  return {
    offloaded,
    loaded,
    full,
    zero: offloaded === 0,
    outputDevice: full && blockCount > 0 ? deviceOf(blockCount - 1, blockCount) : 0,
    deviceOf,
  };
}

// Tensors of the input and output layers; everything else counts as a (possibly extra) block.
const IO_PATTERNS = ['position_*', 'token_*', 'cls.*', 'output.*', 'output_*', 'rope_factors_*'];
const INPUT_PATTERNS = ['position_*', 'token_*'];

// Go's regexp.MatchString is unanchored, so these are too.
const ATTENTION_INPUT_RE = /.*\.\d+\.attn_(norm|q|qkv|q_b)\.weight/;
const FFN_INPUT_RE = /.*\.\d+\.(attn_norm|ffn_norm|ffn_gate|ffn_up)\.weight/;
const RWKV_NORM_RE = /.*\.\d+\.(attn_norm|attn_norm_2)\.weight/;
const RWKV_TIME_MIX_RE = /.*\.\d+\.time_mix_(lerp_x|receptance|decay_w2|key|value|gate|w2|output)\.weight/;
const MAMBA_CONV_RE = /.*\.\d+\.(attn_norm|ssm_in|ssm_conv1d)\.weight/;
const MAMBA_SSM_RE = /.*\.\d+\.ssm_(dt\.weight|a)/;

const f32 = (...dims: number[]) => rowSize(GgmlType.F32, dims);
const f16 = (...dims: number[]) => rowSize(GgmlType.F16, dims);
const i32 = (...dims: number[]) => rowSize(GgmlType.I32, dims);

function estimateModel(summary: GgufSummary, arch: ModelArchitecture, settings: Settings): LlamaCppEstimate {
  const e = newEstimate('model', arch.architecture, settings);
  const gpus = e.devices.slice(1);
  const tensors = allTensors(summary);
  const [ioGroups, blockGroups] = partitionGroups(groupTensors(tensors), IO_PATTERNS);
  const [inputGroups, outputGroups] = partitionGroups(ioGroups, INPUT_PATTERNS);

  const blockCount = arch.blockCount || blockGroups.length;
  const usingSwa = arch.slidingWindowPattern !== 1 && !settings.swaFull;
  // gguf-parser's rule: layer i is a sliding-window layer unless i % pattern == 0.
  const isSwaLayer = (i: number) =>
    usingSwa && (arch.slidingWindowPattern === 0 || i % arch.slidingWindowPattern !== 0);

  // Layers per device.
  const place = placeBlocks(blockCount, settings.gpuLayers, settings.splits);
  let swaLoaded = 0;
  let swaOffloaded = 0;
  for (let i = 0; i < blockCount; i++) {
    const idx = place.deviceOf(i, blockCount);
    const device = e.devices[idx];
    if (!device) continue;
    device.handleLayers += 1;
    device.handleLastLayer = i;
    if (isSwaLayer(i)) {
      device.handleSwaLayers += 1;
      if (idx === 0) swaLoaded += 1;
      else swaOffloaded += 1;
    }
  }
  const outputDevice = e.devices[place.outputDevice] ?? (e.devices[0] as DeviceEstimate);
  const host = e.devices[0] as DeviceEstimate;
  outputDevice.handleOutputLayer = true;
  e.fullOffloaded = place.full;
  e.offloadLayers = place.offloaded;

  // Flash attention: grok cannot use it; a quantized V cache needs it (llama.cpp falls back to f16).
  const flashAttention = settings.flashAttention && arch.architecture !== 'grok';
  const cacheK = settings.cacheK;
  const cacheV = isQuantizedGgmlType(settings.cacheV) && !flashAttention ? GgmlType.F16 : settings.cacheV;
  e.flashAttention = flashAttention;

  // Embedding / reranking models: no KV cache, one batch of the (training-capped) context.
  let ctxSize = settings.ctxSize;
  let batch = settings.batch;
  let ubatch = settings.ubatch;
  if (!arch.causal) {
    e.embeddingOnly = true;
    ctxSize = Math.min(arch.maxContextLength, ctxSize ?? arch.maxContextLength);
    batch = ctxSize;
    ubatch = ctxSize;
    e.reranking =
      tensors.some((t) => t.name === 'cls.bias' || t.name === 'cls.weight') || arch.poolingType === 4;
  }
  e.logicalBatchSize = batch;
  e.physicalBatchSize = ubatch;

  const align = flashAttention ? 256 : 32;
  const nCtx = padTo(ctxSize ?? arch.maxContextLength, align);
  const nTokens = Math.min(nCtx, ubatch);
  const nBatch = nTokens;
  const nOutputs = nTokens;
  const nSeq = settings.parallel;
  const nKv = nCtx;
  e.contextSize = nCtx;

  // Footprint: model loading, metadata, tokenizer tables (vocab vectors and maps, BPE merges).
  host.footprint = 5 * MiB + summary.headerSize;
  host.footprint += summary.tokenizer.tokens * (4 + 4 + 32 + 24 + 32);
  if (summary.tokenizer.model === 'gpt2') host.footprint += summary.tokenizer.merges * (48 + 56);
  const outputBuffer = (arch.embeddingLength + (arch.causal ? arch.vocabularyLength : 0)) * nOutputs * 4;
  (place.full ? outputDevice : host).footprint += outputBuffer;

  // Weights. Blocks are placed by their index among the non-IO groups: a stray tensor such as
  // rope_freqs.weight counts as one more group, so with N blocks offloaded the first group (often
  // rope_freqs) stays on the host.
  blockGroups.forEach((group, i) => {
    const device = e.devices[place.deviceOf(i, blockGroups.length)];
    if (device) device.weight.compute += groupsBytes([group]);
  });
  host.weight.input = groupsBytes(inputGroups);
  // Tied embeddings: without output.weight the head reuses token_embd, counted a second time.
  const outputWeight =
    groupsBytes(outputGroups) + (findTensor(outputGroups, 'output.weight') ? 0 : host.weight.input);
  host.weight.output = outputWeight;
  if (place.full) outputDevice.weight.output = outputWeight;

  if (arch.causal) {
    const shape = { cacheK, cacheV, nKv, nSeq, batch, align, swaLoaded, swaOffloaded };
    addKvCache(e, arch, settings, place, shape);
  }

  // Computation: graph metadata, scheduler and weight-context overheads, all on the host.
  const nTensorInfos = tensors.length;
  const maxNodes = Math.max(1024, 8 * nTensorInfos);
  host.computation.footprint =
    TENSOR_OVERHEAD * maxNodes +
    graphOverhead(maxNodes) +
    4 * MiB +
    2 * TENSOR_OVERHEAD * (nTensorInfos + 1 + blockCount * 3);

  const inpTokens = i32(nBatch);
  const inpEmbd = f32(arch.embeddingLength, nBatch);
  const inpPos = i32(nBatch);
  const inpOutIds = i32(nOutputs);
  const inpKqMask = f32(nKv, nBatch);
  const inpSMask = f32(1, nSeq);
  const inpSSeq = i32(nSeq, nBatch);
  host.computation.input = arch.recurrent
    ? inpTokens + inpEmbd + 2 * inpSMask + inpSSeq + inpOutIds
    : inpTokens + inpEmbd + inpPos + inpKqMask + inpOutIds;
  let gpuInput = arch.recurrent ? inpEmbd + inpSMask + inpSSeq : inpEmbd + inpPos + inpKqMask;
  // Pipeline parallelism keeps several copies of the inputs when layers span GPUs.
  if (gpus.length > 1) gpuInput *= arch.expertCount > 0 ? 2 : 4;
  for (const gpu of gpus) gpu.computation.input += gpuInput;

  // Blocks run one after the other, so one block's scratch is reused: gguf-parser measures the last
  // group in file order.
  const lastBlock = blockGroups[blockGroups.length - 1]?.tensors ?? [];
  const scratch = { nKv, nTokens, nBatch, nSeq, cacheK, cacheV, flashAttention, place };
  if (arch.recurrent && !arch.hybrid) {
    const graph = recurrentGraph(arch, lastBlock, scratch);
    for (const gpu of gpus) gpu.computation.graph = graph;
  } else {
    const { host: hostGraph, gpu: gpuGraph, hostKv } = attentionGraph(arch, lastBlock, scratch);
    host.computation.graph = hostGraph;
    for (const gpu of gpus) gpu.computation.graph = gpuGraph;
    // gguf-parser also charges one layer's K/V views to the first GPU when more than one block stays
    // on the host (partial offload).
    const firstGpu = gpus[0];
    if (place.loaded > 1 && firstGpu) firstGpu.computation.graph += hostKv;
  }

  // Output scratch: norm and logits of one batch.
  if (arch.causal) {
    let outputScratch = arch.recurrent ? inpSMask + inpSSeq : 0;
    const norm = findTensor(outputGroups, 'output_norm.weight');
    if (norm) outputScratch += f32(lastDim(norm), nTokens);
    const head = findTensor(outputGroups, 'output.weight') ?? findTensor(inputGroups, 'token_embd.weight');
    if (head) outputScratch += f32(lastDim(head), nTokens);
    outputDevice.computation.output += outputScratch;
  }
  return e;
}

interface KvShape {
  cacheK: number;
  cacheV: number;
  nKv: number;
  nSeq: number;
  /** Logical batch size: a sliding-window cache holds window * sequences + one batch. */
  batch: number;
  align: number;
  swaLoaded: number;
  swaOffloaded: number;
}

interface LayerKv {
  key: number;
  value: number;
}

function addKvCache(
  e: LlamaCppEstimate,
  arch: ModelArchitecture,
  settings: Settings,
  place: LayerSplit,
  kv: KvShape,
): void {
  const host = e.devices[0] as DeviceEstimate;
  const gpus = e.devices.slice(1);

  // Per-layer sizes of full-attention and sliding-window layers, charged where the layers live
  // (all on the host with --no-kv-offload, nothing on GPUs when none is used).
  const charge = (full: LayerKv, swa: LayerKv) => {
    const add = (d: DeviceEstimate, fullLayers: number, swaLayers: number) => {
      d.kvCache.key += full.key * fullLayers + swa.key * swaLayers;
      d.kvCache.value += full.value * fullLayers + swa.value * swaLayers;
    };
    add(host, place.loaded - kv.swaLoaded, kv.swaLoaded);
    if (!settings.offloadKv) {
      add(host, place.offloaded - kv.swaOffloaded, kv.swaOffloaded);
    } else if (!place.zero) {
      for (const gpu of gpus) add(gpu, gpu.handleLayers - gpu.handleSwaLayers, gpu.handleSwaLayers);
    }
  };

  if (arch.recurrent) {
    // Recurrent layers keep fixed F32 states per sequence (token shift / conv, and wkv / ssm).
    let shift: number;
    let state: number;
    if (arch.rwkvHeadSize > 0) {
      shift = arch.rwkvTokenShiftCount * arch.embeddingLength;
      state = arch.rwkvHeadSize * arch.embeddingLength;
    } else {
      shift =
        Math.max(0, arch.ssmConvKernel - 1) *
        (arch.ssmInnerSize + 2 * arch.ssmGroupCount * arch.ssmStateSize);
      state = arch.ssmStateSize * arch.ssmInnerSize;
    }
    const states = { key: f32(shift * kv.nSeq), value: f32(state * kv.nSeq) };
    charge(states, states);
    // Hybrid models also have attention layers: gguf-parser charges both for every layer.
    if (!arch.hybrid) return;
  }

  let keyLength = arch.keyLength;
  let valueLength = arch.valueLength;
  if (arch.keyLengthMla > 0 && arch.valueLengthMla > 0) {
    keyLength = arch.keyLengthMla;
    valueLength = arch.valueLengthMla;
  }
  const kGqa = keyLength * arch.headCountKv;
  const vGqa = valueLength * arch.headCountKv;
  const layerKv = (cells: number) => ({
    key: rowSize(kv.cacheK, [kGqa * cells]),
    value: rowSize(kv.cacheV, [vGqa * cells]),
  });
  // A sliding-window layer caches window * sequences + one logical batch, padded, at most n_ctx.
  const window = Math.min(kv.nKv, padTo(arch.slidingWindow * kv.nSeq + kv.batch, kv.align));
  charge(layerKv(kv.nKv), layerKv(window));
}

interface ScratchShape {
  nKv: number;
  nTokens: number;
  nBatch: number;
  nSeq: number;
  cacheK: number;
  cacheV: number;
  flashAttention: boolean;
  place: LayerSplit;
}

/** Scratch of one attention block: { host, gpu, hostKv } (hostKv = one layer's K and V views). */
function attentionGraph(
  arch: ModelArchitecture,
  block: readonly SummaryTensor[],
  s: ScratchShape,
): { host: number; gpu: number; hostKv: number } {
  // Note: the plain key/value lengths, not the MLA ones (gguf-parser's choice).
  const hostKv =
    rowSize(s.cacheK, [arch.keyLength, s.nKv, arch.headCountKv]) +
    rowSize(s.cacheV, [arch.valueLength, s.nKv, arch.headCountKv]);
  const partial = !s.place.zero && !s.place.full;
  const kq = f32(s.nKv, s.nTokens, arch.headCount);

  let attention = 0;
  const attentionTensors = block.filter((t) => ATTENTION_INPUT_RE.test(t.name));
  if (s.flashAttention) {
    attention = f16(s.nKv, s.nTokens);
    for (const t of attentionTensors) {
      attention += t.name.endsWith('.attn_norm.weight')
        ? f32(lastDim(t), s.nTokens)
        : tensorBytes(t.type, t.dims);
    }
    attention += hostKv;
  } else {
    for (const t of attentionTensors) {
      if (t.name.endsWith('.attn_q.weight')) {
        attention += 2 * f32(t.dims[0] ?? 0, s.nTokens) + kq + (partial ? hostKv : 0);
      } else if (t.name.endsWith('.attn_qkv.weight')) {
        attention += 2 * f32(t.dims[0] ?? 0, s.nTokens) + kq;
        attention += f32(arch.embeddingLength, arch.embeddingLength * 3);
        if (partial) attention += hostKv;
      } else if (t.name.endsWith('.attn_q_b.weight')) {
        attention += 2 * f32(lastDim(t), s.nTokens) + kq;
      } else {
        attention += f32(lastDim(t), s.nTokens); // attn_norm
      }
    }
  }

  let ffn = 0;
  for (const t of block) {
    if (FFN_INPUT_RE.test(t.name)) ffn += f32(lastDim(t), s.nTokens);
  }
  if (arch.expertCount > 0 || arch.expertUsedCount > 0) {
    ffn += f32(arch.expertCount, arch.embeddingLength); // router input
    ffn += f32(arch.expertCount, s.nTokens); // router logits
    ffn += f32(arch.embeddingLength, arch.expertUsedCount, s.nTokens); // experts' outputs
  }
  return {
    host: s.place.zero ? hostKv : hostKv + ffn,
    gpu: Math.max(attention, ffn),
    hostKv,
  };
}

/** Scratch of one recurrent (RWKV or Mamba) block, charged to every GPU. */
function recurrentGraph(arch: ModelArchitecture, block: readonly SummaryTensor[], s: ScratchShape): number {
  let bytes = 0;
  if (arch.rwkvHeadSize > 0) {
    for (const t of block) {
      if (RWKV_NORM_RE.test(t.name)) bytes += f32(lastDim(t), s.nBatch);
    }
    for (const t of block) {
      if (!RWKV_TIME_MIX_RE.test(t.name)) continue;
      if (t.name.endsWith('.time_mix_w2.weight')) {
        bytes += f32(arch.embeddingLength, 1, s.nTokens, lastDim(t));
      } else if (t.name.endsWith('.time_mix_output.weight')) {
        bytes += f32(arch.embeddingLength, s.nBatch + arch.rwkvHeadSize * s.nSeq);
      } else {
        bytes += f32(lastDim(t), s.nBatch);
      }
    }
    return bytes;
  }
  const convRows =
    Math.max(0, arch.ssmConvKernel - 1) * (arch.ssmInnerSize + 2 * arch.ssmGroupCount * arch.ssmStateSize);
  bytes += f32(convRows, s.nSeq);
  for (const t of block) {
    if (!MAMBA_CONV_RE.test(t.name)) continue;
    bytes += t.name.endsWith('.ssm_conv1d.weight')
      ? f32(arch.ssmInnerSize * s.nTokens + arch.ssmConvKernel * arch.ssmInnerSize * s.nSeq)
      : f32(lastDim(t), s.nTokens);
  }
  for (const t of block) {
    if (!MAMBA_SSM_RE.test(t.name)) continue;
    bytes += t.name.endsWith('.ssm_a')
      ? f32(arch.ssmInnerSize * s.nTokens + arch.ssmStateSize * arch.ssmInnerSize * s.nSeq)
      : f32(lastDim(t), s.nTokens);
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Multimodal projector (clip / mmproj files)

const PROJECTOR_IO_PATTERNS = [
  'mm.*',
  'v.patch_embd.*',
  'v.class_embd',
  'v.position_embd.*',
  'v.pre_ln.*',
  'v.post_ln.*',
  'model.*',
  'resampler.*',
  'a.position_embd.*',
  'a.conv1d.*',
  'a.post_ln.*',
];
const PROJECTOR_INPUT_PATTERNS = [
  'v.patch_embd.*',
  'v.class_embd',
  'v.position_embd.*',
  'v.pre_ln.*',
  'model.*',
  'a.position_embd.*',
  'a.conv1d.*',
];

// Projectors whose image size is dynamic: gguf-parser sizes them at the visual max image size.
const DYNAMIC_RESOLUTION = new Set(['qwen2vl_merger', 'qwen2.5vl_merger', 'qwen2.5o', 'pixtral']);
const QWEN_MERGERS = new Set(['qwen2vl_merger', 'qwen2.5vl_merger', 'qwen2.5o']);
const CLIP_MAX_NODES = 8192;

const div = (a: number, b: number) => (b > 0 ? Math.floor(a / b) : 0);
const ceilDiv = (a: number, b: number) => (b > 0 ? Math.ceil(a / b) : 0);

function estimateProjector(
  summary: GgufSummary,
  arch: ProjectorArchitecture,
  settings: Settings,
): LlamaCppEstimate {
  const e = newEstimate('projector', 'clip', settings);
  e.clipProjectorType = arch.projectorType;
  const tensors = allTensors(summary);
  const [ioGroups, blockGroups] = partitionGroups(groupTensors(tensors), PROJECTOR_IO_PATTERNS);
  const [inputGroups, outputGroups] = partitionGroups(ioGroups, PROJECTOR_INPUT_PATTERNS);

  // Block counts missing from the metadata: the children of a lone `v` (or `a`) group, else the
  // number of non-IO groups.
  const countBlocks = (prefix: string) => {
    const only = blockGroups.length === 1 ? blockGroups[0] : undefined;
    if (only && only.name === prefix && only.childCount > 0) return only.childCount;
    return blockGroups.length;
  };
  const visionBlocks =
    arch.hasVisionEncoder && arch.visionBlockCount === 0 ? countBlocks('v') : arch.visionBlockCount;
  const audioBlocks =
    arch.hasAudioEncoder && arch.audioBlockCount === 0 ? countBlocks('a') : arch.audioBlockCount;

  // clip offloads everything or nothing: any GPU layer count but 0 means the whole projector.
  const full = settings.gpuLayers !== 0;
  e.fullOffloaded = full;
  e.offloadLayers = full ? visionBlocks + audioBlocks : 0;

  const host = e.devices[0] as DeviceEstimate;
  const target = (full ? e.devices[1] : undefined) ?? host;
  host.footprint = 5 * MiB + summary.headerSize;
  target.handleLayers = e.offloadLayers;
  target.handleLastLayer = e.offloadLayers - 1;
  target.weight.compute = groupsBytes(blockGroups);
  target.weight.input = groupsBytes(inputGroups);
  target.weight.output = groupsBytes(outputGroups);

  const graphMetadata = (blocks: number) =>
    TENSOR_OVERHEAD * CLIP_MAX_NODES +
    graphOverhead(CLIP_MAX_NODES) +
    4 * MiB +
    2 * TENSOR_OVERHEAD * (tensors.length + 1 + blocks * 3);
  const attentionScratch = (nEmbd: number, nPositions: number, nHead: number, norms: number) => {
    // The score matrix is not materialized with flash attention: only its f16 mask remains.
    const scores =
      settings.flashAttention && nHead > 0 ? f16(nPositions, nPositions) : f32(nPositions, nPositions, nHead);
    return norms * f32(nEmbd, nPositions) + 2 * f32(nEmbd, nPositions) + scores;
  };

  if (arch.hasVisionEncoder) {
    const vision = visionShape(arch, tensors, settings);
    host.footprint += vision.cachedImages * vision.nPatches * vision.projectionDim * 4;
    host.computation.footprint += graphMetadata(visionBlocks);

    const nEmbd = arch.visionEmbeddingLength;
    const hasClassEmbd = findTensor(inputGroups, 'v.class_embd') !== undefined;
    let nPositions = vision.nPatches + (hasClassEmbd ? 1 : 0);
    if (arch.hasQwen2VlMerger || QWEN_MERGERS.has(arch.projectorType)) {
      nPositions *= 4;
    } else if (vision.mergedPatches > 1) {
      // The encoder attends over the patches before the merge; the class embedding is not merged.
      nPositions = vision.nPatches * vision.mergedPatches + (hasClassEmbd ? 1 : 0);
    }

    let input =
      f32(vision.width, vision.height, 3, 1) +
      f32(vision.nPatches, nEmbd, 1) +
      i32(nPositions) +
      i32(vision.nPatches);
    if (arch.hasMiniCpmvProjector || arch.projectorType === 'resampler') {
      input += f32(vision.projectionDim, vision.nPatches, 1);
    }
    if (hasClassEmbd) input += f32(nEmbd, nPositions, 1);
    if (arch.visionWindowAttentionPattern > 0) {
      // Qwen2.5-VL window attention: window index and mask.
      input += i32(vision.nPatches) + i32(nPositions, nPositions);
    }
    target.computation.input += input;
    target.computation.graph += attentionScratch(nEmbd, nPositions, arch.visionHeadCount, 2);
  }

  if (arch.hasAudioEncoder) {
    host.computation.footprint += graphMetadata(audioBlocks);
    const positionEmbd = tensors.find((t) => t.name === 'a.position_embd.weight');
    // One audio chunk: 30 s of whisper-style frames (100 per second), 1 s for lfm2a.
    const chunkPositions = (arch.projectorType === 'lfm2a' ? 1 : 30) * 100;
    const nPositions = Math.min(positionEmbd?.dims[1] ?? 0, chunkPositions);
    const nEmbd = arch.audioEmbeddingLength;
    target.computation.input += f32(nEmbd, nPositions, 1);
    target.computation.graph += attentionScratch(nEmbd, nPositions, arch.audioHeadCount, 1);
  }
  return e;
}

interface VisionShape {
  width: number;
  height: number;
  /** Image tokens the projector emits. */
  nPatches: number;
  /** Patches merged into one token (the encoder attends over nPatches * mergedPatches). */
  mergedPatches: number;
  projectionDim: number;
  /** Image embeddings the host keeps (slices of one image plus the projected cache). */
  cachedImages: number;
}

function visionShape(
  arch: ProjectorArchitecture,
  tensors: readonly SummaryTensor[],
  settings: Settings,
): VisionShape {
  const type = arch.projectorType;
  const tensor = (name: string) => tensors.find((t) => t.name === name);
  const patch = arch.visionPatchSize;
  const scale = arch.visionProjectorScaleFactor;

  let side = arch.visionImageSize;
  if (arch.hasQwen2VlMerger || DYNAMIC_RESOLUTION.has(type)) side = settings.visualMaxImageSize ?? 1024;
  let nPatches = div(side, patch) * div(side, patch);
  let mergedPatches = 1;
  let projectionDim = 0;

  let cachedImages = 1;
  if (arch.hasLlavaProjector || ['mlp', 'mlp_norm', 'ldp', 'ldpv2'].includes(type)) {
    if (arch.visionPatchMergeType !== 'flat') cachedImages = 6; // LLaVA 1.6 any-res slices
  } else if (arch.hasMiniCpmvProjector || type === 'resampler') {
    cachedImages = 10;
  } else if (type === 'adapter') {
    cachedImages = 11; // Granite vision: 10 slices + the base image
  }
  if (settings.maxProjectedCache !== null) cachedImages += settings.maxProjectedCache;

  switch (type) {
    case 'ldp':
      nPatches = div(nPatches, 4);
      projectionDim = tensor('mm.model.mb_block.1.block.2.1.bias')?.dims[0] ?? 0;
      break;
    case 'ldpv2':
      nPatches = div(nPatches, 4);
      projectionDim = tensor('mm.model.peg.0.bias')?.dims[0] ?? 0;
      break;
    case 'mlp':
      projectionDim = tensor('mm.2.bias')?.dims[0] ?? 0;
      break;
    case 'mlp_norm':
      projectionDim = tensor('mm.3.bias')?.dims[0] ?? 0;
      break;
    case 'resampler': {
      const query = tensor('resampler.query');
      if (query) {
        nPatches = query.dims[1] ?? 0;
        projectionDim = query.dims[0] ?? 0;
      }
      break;
    }
    case 'adapter':
      nPatches = div(nPatches, 4) + 2;
      projectionDim = tensor('adapter.linear.dense_4h_to_h.weight')?.dims[1] ?? 0;
      break;
    case 'qwen2vl_merger':
    case 'qwen2.5vl_merger':
    case 'qwen2.5o': {
      // 2x2 patches merge into one token; partial merges round up.
      const perSide = ceilDiv(side, patch * 2);
      nPatches = perSide * perSide;
      projectionDim = tensor('mm.2.bias')?.dims[0] ?? 0;
      break;
    }
    case 'gemma3': {
      const perSide = div(div(arch.visionImageSize, patch), scale);
      nPatches = perSide * perSide;
      projectionDim = tensor('mm.input_projection.weight')?.dims[0] ?? 0;
      break;
    }
    case 'idefics3':
    case 'llama4':
      nPatches = div(nPatches, scale * scale);
      projectionDim = tensor('mm.model.fc.weight')?.dims[1] ?? 0;
      break;
    case 'pixtral': {
      const merge = arch.visionSpatialMergeSize;
      const perSide = merge > 0 ? div(div(side, patch), merge) : div(side, patch);
      nPatches = perSide * perSide + perSide - 1; // one [IMG_BREAK] per row
      projectionDim = tensor('mm.2.bias')?.dims[0] ?? 0;
      break;
    }
    case 'internvl':
      nPatches = div(nPatches, scale * scale);
      projectionDim = tensor('mm.model.mlp.3.weight')?.dims[1] ?? 0;
      break;
    case 'gemma3nv':
      // MobileNetV5 emits a fixed grid; image_size / patch_size is llama.cpp's own token count.
      nPatches = div(arch.visionImageSize, patch);
      projectionDim = arch.visionProjectionDim;
      break;
    default: {
      if (arch.hasQwen2VlMerger || arch.hasLlavaProjector || arch.hasMiniCpmvProjector) break;
      // Unknown projector types: capped image, declared patch merge, rounded up.
      let cap = settings.visualMaxImageSize ?? 1024;
      if (settings.visualMaxImageSize === null && side > 0 && side < cap) cap = side;
      side = cap;
      let perSide = ceilDiv(side, patch);
      const merge = arch.visionSpatialMergeSize > 1 ? arch.visionSpatialMergeSize : Math.max(1, scale);
      if (merge > 1) {
        perSide = ceilDiv(perSide, merge);
        mergedPatches = merge * merge;
      }
      nPatches = perSide * perSide;
      if (tensor('v.token_embd.img_break') && perSide > 0) nPatches += perSide - 1;
      projectionDim = arch.visionProjectionDim;
    }
  }
  return { width: side, height: side, nPatches, mergedPatches, projectionDim, cachedImages };
}

/** Every device's estimate sums, used by `summarize` and handy for display. */
export function weightSum(d: DeviceEstimate): number {
  return d.weight.input + d.weight.compute + d.weight.output;
}

export function kvCacheSum(d: DeviceEstimate): number {
  return d.kvCache.key + d.kvCache.value;
}

/** Compute buffers: footprint + inputs + the larger of the block scratch and the output scratch. */
export function computationSum(d: DeviceEstimate): number {
  return d.computation.footprint + d.computation.input + Math.max(d.computation.graph, d.computation.output);
}
