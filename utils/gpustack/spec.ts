// A Hugging Face GGUF file as a GPUStack ModelSpec, with the estimate settings GPUStack's parser reads
// from backend_parameters (gguf-parser defaults otherwise: ctx 8192, parallel 4, no flash attention).

import { shardGlob } from '../page/gguf-names';
import type { CacheType, Settings } from '../settings';
import type { Generation } from './generation';

/** The settings that change GPUStack's answer for one file. */
export interface SpecParams {
  ctxSize: number;
  flashAttention: boolean;
  cacheType: CacheType;
  parallel: number;
  /** 2.x: the user-added (non-built-in) backend that serves GGUF; null: the server's default. */
  backend: string | null;
}

export interface SpecInput {
  repo: string;
  /** The file, or the first shard of a split model. */
  file: string;
  params: SpecParams;
  /** 2.x: evaluate against this cluster only; null: every cluster. */
  clusterId?: number | null;
}

export interface ModelSpec {
  source: 'huggingface';
  huggingface_repo_id: string;
  huggingface_filename: string;
  backend?: string;
  backend_parameters: string[];
  replicas: number;
  cpu_offloading: boolean;
  distributed_inference_across_workers: boolean;
}

/** 0.6 - 0.7 ran every GGUF model on llama-box. */
export const V1_GGUF_BACKEND = 'llama-box';

export function specParamsFrom(settings: Settings): SpecParams {
  return {
    ctxSize: settings.ctxSize,
    flashAttention: settings.flashAttention,
    cacheType: settings.cacheType,
    parallel: settings.parallel,
    backend: settings.backend,
  };
}

/** `--flag=value` is what GPUStack's UI sends and what its argparse-based parser reads. */
export function backendParameters(params: SpecParams): string[] {
  const flags = [`--ctx-size=${params.ctxSize}`];
  // A bare switch: GPUStack declares it with BooleanOptionalAction, which refuses "=on".
  if (params.flashAttention) flags.push('--flash-attn');
  if (params.cacheType !== 'f16') {
    flags.push(`--cache-type-k=${params.cacheType}`, `--cache-type-v=${params.cacheType}`);
  }
  flags.push(`--parallel=${params.parallel}`);
  return flags;
}

export function buildModelSpec(generation: Generation, input: SpecInput): ModelSpec {
  const backend = generation === 'v1' ? V1_GGUF_BACKEND : (input.params.backend ?? undefined);
  return {
    source: 'huggingface',
    huggingface_repo_id: input.repo,
    // The server takes the first match of a glob, and finds the other shards itself.
    huggingface_filename: shardGlob(input.file),
    // 2.x without a chosen backend: left out, as GPUStack's own UI does for GGUF files.
    ...(backend ? { backend } : {}),
    backend_parameters: backendParameters(input.params),
    replicas: 1,
    cpu_offloading: true,
    distributed_inference_across_workers: true,
  };
}

/** Identical specs share one entry of a request (and one answer). */
export function specKey(spec: ModelSpec): string {
  return JSON.stringify(spec);
}
