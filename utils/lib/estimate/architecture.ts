// Hyperparameters read from the summary's metadata with gguf-parser-go's defaults and fallbacks.

import { EstimateError } from './errors';
import type { GgufSummary, SummaryValue } from './model-summary';

export interface ModelArchitecture {
  kind: 'model';
  architecture: string;
  maxContextLength: number;
  embeddingLength: number;
  blockCount: number;
  expertCount: number;
  expertUsedCount: number;
  headCount: number;
  headCountKv: number;
  keyLength: number;
  valueLength: number;
  keyLengthMla: number;
  valueLengthMla: number;
  slidingWindow: number;
  /** Every `pattern`-th layer (i % pattern == 0) keeps full attention; 1 = no sliding window. */
  slidingWindowPattern: number;
  causal: boolean;
  recurrent: boolean;
  hybrid: boolean;
  poolingType: number;
  ssmConvKernel: number;
  ssmInnerSize: number;
  ssmStateSize: number;
  ssmGroupCount: number;
  rwkvHeadSize: number;
  rwkvTokenShiftCount: number;
  vocabularyLength: number;
}

export interface ProjectorArchitecture {
  kind: 'projector';
  projectorType: string;
  hasLlavaProjector: boolean;
  hasMiniCpmvProjector: boolean;
  hasQwen2VlMerger: boolean;
  hasVisionEncoder: boolean;
  visionEmbeddingLength: number;
  visionBlockCount: number;
  visionHeadCount: number;
  visionProjectionDim: number;
  visionProjectorScaleFactor: number;
  visionImageSize: number;
  visionPatchSize: number;
  visionPatchMergeType: string;
  visionSpatialMergeSize: number;
  visionWindowAttentionPattern: number;
  hasAudioEncoder: boolean;
  audioEmbeddingLength: number;
  audioBlockCount: number;
  audioHeadCount: number;
}

export type Architecture = ModelArchitecture | ProjectorArchitecture;

// gguf-parser-go hard-codes these families (it does not read them from the metadata).
const RECURRENT_ARCHITECTURES = new Set(['mamba', 'mamba2', 'rwkv6', 'rwkv6qwen2', 'rwkv7', 'arwkv7']);
const HYBRID_ARCHITECTURES = new Set(['jamba', 'falcon-h1', 'granitehybrid']);

// Tensor-name prefixes by which gguf-parser-go recognises stable-diffusion files.
const DIFFUSION_TENSOR_RE =
  /^(model\.diffusion_model|double_blocks|joint_blocks|decoder|encoder|text_model)\./;

/** Read the metadata the way gguf-parser-go's GGUFFile.Architecture() does. */
export function readArchitecture(summary: GgufSummary): Architecture {
  if (summary.files.some((f) => f.tensors.some((t) => DIFFUSION_TENSOR_RE.test(t.name)))) {
    throw new EstimateError('unsupported-model', 'diffusion models are not estimated as llama.cpp models');
  }
  const md = new MetadataView(summary.metadata);
  const type = md.string('general.type') ?? 'model';
  const arch = md.string('general.architecture') ?? 'llama';
  if (arch === 'clip') return readProjector(md);
  if (arch === 'controlvector' || type === 'adapter' || type === 'imatrix') {
    throw new EstimateError('unsupported-model', `GGUF files of type "${type}" (${arch}) are not models`);
  }
  return readModel(md, arch, summary.tokenizer.tokens);
}

function readModel(md: MetadataView, arch: string, tokenCount: number): ModelArchitecture {
  const key = (suffix: string) => `${arch}.${suffix}`;
  const embeddingLength = md.integer(key('embedding_length'));
  const headCount = md.integerOrArrayHead(key('attention.head_count'));
  const causalKey = md.bool(key('attention.causal'));
  const poolingType = md.integer(key('pooling_type'));
  const recurrent = RECURRENT_ARCHITECTURES.has(arch) || HYBRID_ARCHITECTURES.has(arch);

  let slidingWindow = md.integerOrArrayHead(key('attention.sliding_window'));
  let slidingWindowPattern = 1;
  switch (arch) {
    case 'llama4':
      slidingWindow ||= 8192;
      slidingWindowPattern = 4;
      break;
    case 'phi3':
      slidingWindow = 0;
      break;
    case 'gemma2':
      slidingWindow ||= 4096;
      slidingWindowPattern = 2;
      break;
    case 'gemma3':
      slidingWindowPattern = 6;
      break;
    case 'cohere2':
      slidingWindowPattern = 4;
      break;
  }

  const perHead = headCount ? Math.floor(embeddingLength / headCount) : 0;
  return {
    kind: 'model',
    architecture: arch,
    maxContextLength: md.integer(key('context_length')),
    embeddingLength,
    blockCount: md.integer(key('block_count')),
    expertCount: md.integer(key('expert_count')),
    expertUsedCount: md.integer(key('expert_used_count')),
    headCount,
    headCountKv: md.has(key('attention.head_count_kv'))
      ? md.integerOrArrayHead(key('attention.head_count_kv'))
      : headCount,
    keyLength: md.has(key('attention.key_length')) ? md.integer(key('attention.key_length')) : perHead,
    valueLength: md.has(key('attention.value_length')) ? md.integer(key('attention.value_length')) : perHead,
    keyLengthMla: md.integer(key('attention.key_length_mla')),
    valueLengthMla: md.integer(key('attention.value_length_mla')),
    slidingWindow,
    slidingWindowPattern,
    // Pooling types above 2 (last, rank) make a causal architecture an embedding/reranking model.
    causal: (causalKey ?? true) && !(poolingType > 2),
    recurrent,
    hybrid: HYBRID_ARCHITECTURES.has(arch),
    poolingType,
    ssmConvKernel: md.integer(key('ssm.conv_kernel')),
    ssmInnerSize: md.integer(key('ssm.inner_size')),
    ssmStateSize: md.integer(key('ssm.state_size')),
    ssmGroupCount: md.integer(key('ssm.group_count')),
    rwkvHeadSize: md.integer(key('wkv.head_size')),
    rwkvTokenShiftCount: md.has(key('token_shift_count'))
      ? md.integer(key('token_shift_count'))
      : recurrent
        ? 2
        : 0,
    vocabularyLength: md.has(key('vocab_size')) ? md.integer(key('vocab_size')) : tokenCount,
  };
}

function readProjector(md: MetadataView): ProjectorArchitecture {
  const projectorType =
    md.string('clip.projector_type') ??
    md.string('clip.vision.projector_type') ??
    md.string('clip.audio.projector_type') ??
    'mlp';
  return {
    kind: 'projector',
    projectorType,
    hasLlavaProjector: md.bool('clip.has_llava_projector') ?? false,
    hasMiniCpmvProjector: md.bool('clip.has_minicpmv_projector') ?? false,
    hasQwen2VlMerger: md.bool('clip.has_qwen2vl_merger') ?? false,
    hasVisionEncoder: md.bool('clip.has_vision_encoder') ?? false,
    visionEmbeddingLength: md.integer('clip.vision.embedding_length'),
    visionBlockCount: md.integer('clip.vision.block_count'),
    visionHeadCount: md.integer('clip.vision.attention.head_count'),
    visionProjectionDim: md.integer('clip.vision.projection_dim'),
    visionProjectorScaleFactor: md.has('clip.vision.projector.scale_factor')
      ? md.integer('clip.vision.projector.scale_factor')
      : projectorType === 'gemma3'
        ? 4
        : 1,
    visionImageSize: md.integer('clip.vision.image_size'),
    visionPatchSize: md.has('clip.vision.patch_size') ? md.integer('clip.vision.patch_size') : 1,
    visionPatchMergeType: md.string('clip.vision.mm_patch_merge_type') ?? 'flat',
    visionSpatialMergeSize: md.integer('clip.vision.spatial_merge_size'),
    visionWindowAttentionPattern: md.integer('clip.vision.n_wa_pattern'),
    hasAudioEncoder: md.bool('clip.has_audio_encoder') ?? false,
    audioEmbeddingLength: md.integer('clip.audio.embedding_length'),
    audioBlockCount: md.integer('clip.audio.block_count'),
    audioHeadCount: md.integer('clip.audio.attention.head_count'),
  };
}

/** Lenient typed access to the summary's metadata. */
class MetadataView {
  constructor(private readonly metadata: Readonly<Record<string, SummaryValue>>) {}

  has(key: string): boolean {
    return Object.hasOwn(this.metadata, key);
  }

  string(key: string): string | undefined {
    const v = this.metadata[key];
    return typeof v === 'string' ? v : undefined;
  }

  bool(key: string): boolean | undefined {
    const v = this.metadata[key];
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    return undefined;
  }

  /** An unsigned integer field (Go truncates floats); 0 when absent. */
  integer(key: string): number {
    const v = this.metadata[key];
    return typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.trunc(v)) : 0;
  }

  /**
   * A field that may be per-layer. gguf-parser-go reads with SkipLargeMetadata, which keeps array
   * values only for keys ending in `.attention.head_count` (and `.feed_forward_length`): any other
   * array (head_count_kv, sliding_window ...) reads as zeros, so its first element is 0. Reproduced.
   */
  integerOrArrayHead(key: string): number {
    const v = this.metadata[key];
    if (!Array.isArray(v)) return this.integer(key);
    if (!key.endsWith('.attention.head_count')) return 0;
    const first = v[0];
    return typeof first === 'number' ? Math.max(0, Math.trunc(first)) : 0;
  }
}
