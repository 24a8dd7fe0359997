// A Hugging Face GGUF file as the ModelSpec GPUStack's own UI sends for it, version by version
// (gpustack-ui hooks/index.ts and forms/*), with the estimate settings GPUStack's parser reads from
// backend_parameters (gguf-parser defaults otherwise: ctx 8192, parallel 4, no flash attention).

import type { CacheType, Settings } from '../../../common/settings';
import { matchShard } from '../../../lib/gguf-names';
import type { Dialect } from './dialect';

/** The settings that change GPUStack's answer for one file. */
export interface SpecParams {
  ctxSize: number;
  flashAttention: boolean;
  cacheType: CacheType;
  parallel: number;
  /** 2.x: the user-added (non-built-in) backend that serves GGUF; null: "Custom". */
  backend: string | null;
}

export interface SpecInput {
  repo: string;
  /** The file, or the first shard of a split model. */
  file: string;
  params: SpecParams;
  /** 2.x: evaluate against this cluster only; null: every cluster. */
  clusterId?: number | null;
  /**
   * Set after the server answered this spec with a failure it keeps for an hour: a different `meta`
   * makes a different key in its cache (scheduler/evaluator.py make_hashable_key), so the next
   * attempt really asks Hugging Face again. Changes nothing else.
   */
  attempt?: number;
}

/** The fields we send; the server fills every other with its defaults. */
export interface ModelSpec {
  name: string;
  source: 'huggingface';
  huggingface_repo_id: string;
  huggingface_filename: string;
  backend: string;
  backend_version?: null;
  backend_parameters: string[];
  replicas: 1;
  categories: [];
  placement_strategy: 'spread';
  gpu_selector: null;
  restart_on_error: true;
  cpu_offloading?: true;
  distributed_inference_across_workers?: true;
  description?: '';
  worker_selector?: Record<string, never>;
  env?: Record<string, never> | null;
  extended_kv_cache?: { enabled: false };
  speculative_config?: { enabled: false };
  generic_proxy?: false;
  enable_model_route?: true;
  cluster_id?: number;
  meta?: { 'gpustack-check-attempt': number };
}

/** 0.6 – 0.7 run every GGUF model on llama-box. */
export const V1_GGUF_BACKEND = 'llama-box';
/**
 * 2.x: the backend to name when the user chose none. From 2.1.0 a spec without one matches no
 * worker; "Custom" is the one name the backend filter lets through (v2.1.0 – v2.2.3).
 */
export const CUSTOM_BACKEND = 'Custom';

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

/** Python's fnmatch reads `*`, `?` and `[` as patterns: each as a one-character set matches itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[]/g, (c) => `[${c}]`);
}

/**
 * What `huggingface_filename` says: the path with its pattern characters escaped; for a split model
 * a glob of its shards (the server takes the first sorted match and finds the others itself).
 */
export function huggingfaceFilename(file: string): string {
  const shard = matchShard(file);
  if (!shard) return escapeGlob(file);
  return `${escapeGlob(shard.prefix)}-*-of-${shard.countText}${shard.ext}`;
}

/** The name GPUStack's UI proposes: the repo's last part, lower case, without "-gguf". */
export function defaultModelName(repo: string): string {
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  return last.toLowerCase().replace(/-gguf$/, '');
}

export function buildModelSpec(dialect: Dialect, input: SpecInput): ModelSpec {
  const v2 = dialect.generation === 'v2';
  const spec: ModelSpec = {
    name: defaultModelName(input.repo),
    source: 'huggingface',
    huggingface_repo_id: input.repo,
    huggingface_filename: huggingfaceFilename(input.file),
    backend: v2 ? (input.params.backend ?? CUSTOM_BACKEND) : V1_GGUF_BACKEND,
    ...(v2 ? { backend_version: null } : {}),
    backend_parameters: backendParameters(input.params),
    replicas: 1,
    categories: [],
    placement_strategy: 'spread',
    gpu_selector: null,
    restart_on_error: true,
  };
  if (dialect.ui.cpuOffloading) spec.cpu_offloading = true;
  // Every backend we name on 2.x is user-added (or "Custom"): 2.2's UI leaves the field out for them.
  if (dialect.ui.distributedForCustomBackend) spec.distributed_inference_across_workers = true;
  if (dialect.ui.describes) {
    spec.description = '';
    spec.worker_selector = {};
    spec.env = dialect.group === '2.0.0' || dialect.group === '2.0.2' ? null : {};
  }
  if (dialect.ui.v2Fields) {
    spec.extended_kv_cache = { enabled: false };
    spec.speculative_config = { enabled: false };
    spec.generic_proxy = false;
  }
  if (dialect.ui.modelRoute) spec.enable_model_route = true;
  // The UI repeats the envelope's cluster in the spec; the server reads only the envelope's.
  if (v2 && input.clusterId != null) spec.cluster_id = input.clusterId;
  if (input.attempt !== undefined) spec.meta = { 'gpustack-check-attempt': input.attempt };
  return spec;
}

/** Identical specs share one entry of a request (and one answer). */
export function specKey(spec: ModelSpec): string {
  return JSON.stringify(spec);
}
