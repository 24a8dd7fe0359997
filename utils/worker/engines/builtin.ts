// The built-in engine: reads the GGUF header(s) with Range requests through the scheduler, keeps a
// compact summary of them in the cache (never the tokenizer arrays), estimates llama.cpp's memory as
// gguf-parser does, and places the model on the user's hardware in GPUStack's order.

import { CheckError } from '../../common/errors';
import { type MessageKey, t } from '../../common/i18n';
import type { Breakdown } from '../../common/result';
import type { Settings } from '../../common/settings';
import {
  EstimateError,
  type EstimateErrorCode,
  type EstimateOptions,
  type GgufSummary,
  summarizeGguf,
} from '../../lib/estimate';
import { type PlacementResult, placeModel } from '../../lib/estimate/placement';
import type { DeviceBreakdown } from '../../lib/estimate/summarize';
import { formatBytes } from '../../lib/format';
import { GgufError, type GgufErrorReason, readGgufModel } from '../../lib/gguf';
import { classifyGgufPath } from '../../lib/gguf-names';
import { type HardwareProfile, profileFingerprint } from '../../lib/hardware';
import { type Cache, TTL } from '../cache';
import type { CallOptions, HubClient, RepoFile } from '../huggingface/client';
import { hubRangeReader } from '../huggingface/hub-reader';
import type { CheckContext, Engine, EngineInput, EngineVerdict } from './engine';

/** Bumped when the estimate's answers change meaning, so older cached answers are not served. */
const ESTIMATE_VERSION = 'builtin-2';

/** The one place a user's settings become the estimate's options. */
export function estimateOptionsFrom(settings: Settings): EstimateOptions {
  return {
    ctxSize: settings.ctxSize,
    parallelSize: settings.parallel,
    flashAttention: settings.flashAttention,
    cacheTypeK: settings.cacheType,
    cacheTypeV: settings.cacheType,
  };
}

/** What a built-in answer depends on: the estimate's version and options, and the hardware. */
export function estimateKey(options: EstimateOptions, profile: HardwareProfile): string {
  return JSON.stringify([ESTIMATE_VERSION, options, profileFingerprint(profile)]);
}

/** Bumped when a cached summary's shape or meaning changes. */
const SUMMARY_VERSION = 'summary-1';

/** The repo's vision projector for this model: same folder first, then f16, bf16, f32, the smallest. */
export function pickProjector(modelPath: string, files: RepoFile[]): RepoFile | undefined {
  const folder = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/') + 1) : '';
  const rank = (f: RepoFile) => {
    const name = f.path.toLowerCase();
    const precision =
      /f16/.test(name) && !/bf16/.test(name) ? 0 : /bf16/.test(name) ? 1 : /f32/.test(name) ? 2 : 3;
    return [
      f.path.startsWith(folder) && !f.path.slice(folder.length).includes('/') ? 0 : 1,
      precision,
      f.size,
    ];
  };
  const candidates = files.filter((f) => classifyGgufPath(f.path).kind === 'mmproj');
  candidates.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i += 1) if (ra[i] !== rb[i]) return (ra[i] ?? 0) - (rb[i] ?? 0);
    return 0;
  });
  return candidates[0];
}

/** Slack over a remembered header size: names and metadata differ a little between quantizations. */
const HINT_MARGIN = 64 * 1024;
/** Header sizes remembered per repo and commit, at most this many. */
const MAX_HINTS = 256;

export class BuiltinEngine implements Engine {
  readonly id = 'builtin';
  readonly ttlMs = TTL.commit;
  /**
   * The quantizations of one repo share their tokenizer, so their headers are the same size: after
   * the first, a single read of that size serves each of the others.
   */
  private readonly headerHints = new Map<string, number>();

  constructor(private readonly options: { hub: HubClient; cache: Cache }) {}

  async available(): Promise<boolean> {
    return true;
  }

  dependsOn({ settings, profile }: CheckContext): string {
    return estimateKey(estimateOptionsFrom(settings), profile);
  }

  async evaluate(input: EngineInput, call: CallOptions): Promise<EngineVerdict> {
    const sizes = new Map(input.repoFiles.map((f) => [f.path, f.size]));
    const model = await this.summary(input.repo, input.commit, input.paths, sizes, call);
    const projectorFile = pickProjector(input.paths[0] ?? '', input.repoFiles);
    const projector = projectorFile
      ? await this.summary(input.repo, input.commit, [projectorFile.path], sizes, call)
      : null;
    const { settings, profile } = input.context;
    let placed: PlacementResult;
    try {
      placed = placeModel(model, profile, { ...estimateOptionsFrom(settings), projector });
    } catch (error) {
      if (error instanceof EstimateError) throw estimateFailure(error, input.file);
      throw error;
    }
    return {
      engine: 'builtin',
      compatible: placed.compatible,
      ...(placed.placement ? { placement: placed.placement } : {}),
      vramBytes: placed.vramBytes,
      ramBytes: placed.ramBytes,
      vramPerGpu: placed.vramPerGpu,
      offloadedLayers: placed.offloadedLayers,
      totalLayers: placed.totalLayers,
      breakdown: breakdownOf(placed, profile),
      hardware: { source: profile.source, label: profile.label },
      contextSize: placed.summary.contextSize,
      messages: [sentence(placed)],
    };
  }

  private remember(key: string, headerBytes: number): void {
    if (headerBytes <= 0) return;
    this.headerHints.delete(key);
    this.headerHints.set(key, headerBytes);
    if (this.headerHints.size > MAX_HINTS)
      this.headerHints.delete(this.headerHints.keys().next().value as string);
  }

  /** The estimator's inputs for a model (all its shards), read once per commit and cached. */
  private async summary(
    repo: string,
    commit: string,
    paths: string[],
    sizes: Map<string, number>,
    call: CallOptions,
  ): Promise<GgufSummary> {
    const { hub, cache } = this.options;
    const key = `gguf:${SUMMARY_VERSION}:${repo}@${commit}:${paths[0]}`;
    const cached = await cache.get<GgufSummary>(key);
    if (cached) return cached;
    const hintKey = `${repo}@${commit}:${classifyGgufPath(paths[0] ?? '').kind === 'mmproj' ? 'mmproj' : 'model'}`;
    const hint = this.headerHints.get(hintKey);
    try {
      const headers = await readGgufModel((path) => hubRangeReader(hub, repo, commit, path, call), paths, {
        ...(hint ? { firstChunk: hint + HINT_MARGIN } : {}),
        fileSizes: paths
          .map((p) => sizes.get(p) ?? undefined)
          .map((s) => (s !== undefined && s >= 0 ? s : undefined)),
        signal: call.signal,
      });
      this.remember(hintKey, Number(headers[0]?.tensorDataOffset ?? 0));
      const summary = summarizeGguf(
        headers.map((h, i) => ({ ...h, fileSize: h.fileSize ?? sizes.get(paths[i] ?? '') ?? 0 })),
      );
      await cache.set(key, summary, TTL.commit);
      return summary;
    } catch (error) {
      throw asCheckError(error, paths[0] ?? '');
    }
  }
}

/** A reader's failure keeps its real cause (rate limit, cancel, network); a bad file says what is wrong. */
function asCheckError(error: unknown, path: string): unknown {
  if (error instanceof GgufError) {
    if (
      error.cause instanceof CheckError ||
      (error.cause instanceof DOMException && error.cause.name === 'AbortError')
    ) {
      return error.cause;
    }
    if (error.reason === 'aborted') return new DOMException(t('errorCancelled'), 'AbortError');
    return new CheckError('bad-file', t(GGUF_SENTENCES[error.reason], path), error.retryable);
  }
  if (error instanceof EstimateError) return estimateFailure(error, path);
  return error;
}

/** The reader's reasons, in the user's words (its English details are for developers). */
const GGUF_SENTENCES: Record<GgufErrorReason, MessageKey> = {
  'bad-magic': 'errorGgufBadMagic',
  'unsupported-version': 'errorGgufVersion',
  truncated: 'errorGgufTruncated',
  'too-large': 'errorGgufTooLarge',
  'bad-count': 'errorGgufMalformed',
  'bad-string': 'errorGgufMalformed',
  'unknown-type': 'errorGgufMalformed',
  'bad-value': 'errorGgufMalformed',
  'bad-tensor': 'errorGgufMalformed',
  'bad-split': 'errorGgufSplit',
  'range-ignored': 'errorGgufServer',
  'size-mismatch': 'errorGgufServer',
  'read-failed': 'errorGgufRead',
  aborted: 'errorCancelled',
  internal: 'errorGgufRead',
};

const ESTIMATE_SENTENCES: Record<EstimateErrorCode, MessageKey> = {
  'unknown-tensor-type': 'errorEstimateTensorType',
  'invalid-input': 'errorEstimateInput',
  'invalid-option': 'errorEstimateOption',
  'unsupported-model': 'errorEstimateModel',
};

function estimateFailure(error: EstimateError, path: string): CheckError {
  return new CheckError('unsupported', t(ESTIMATE_SENTENCES[error.code], path));
}

function sentence(placed: PlacementResult): string {
  const need = `The model requires approximately ${formatBytes(placed.vramBytes)} VRAM and ${formatBytes(placed.ramBytes)} RAM.`;
  if (placed.compatible) {
    if (placed.placement === 'partial') {
      return `${need} ${placed.offloadedLayers} of ${placed.totalLayers} layers fit on the GPU; the rest run on the CPU.`;
    }
    return need;
  }
  const gpu = placed.capacity.vramPerGpu[0];
  const has = gpu === undefined ? 'no GPU' : `${formatBytes(gpu)} VRAM free on the largest GPU`;
  return `${need} The hardware has ${has} and ${formatBytes(placed.capacity.ramBytes)} RAM free.`;
}

function breakdownOf(placed: PlacementResult, profile: HardwareProfile): Breakdown {
  const { devices } = placed.summary.breakdown;
  const projector = placed.summary.breakdown.projector?.devices ?? [];
  const total = (d: DeviceBreakdown | undefined) => (d ? d.footprint + d.weights + d.kvCache + d.compute : 0);
  const gpuNames = profile.workers.flatMap((w) => w.gpus.map((g) => g.name));
  return {
    devices: devices.map((d, i) => ({
      name: i === 0 ? 'CPU' : (gpuNames[i - 1] ?? `GPU ${i - 1}`),
      kind: i === 0 ? 'cpu' : 'gpu',
      footprint: d.footprint,
      weights: d.weights,
      kvCache: d.kvCache,
      compute: d.compute,
      projector: total(projector[i]),
      claim: i === 0 ? placed.ramBytes : (placed.vramPerGpu[i - 1] ?? 0),
      ...(i === 0
        ? { capacity: placed.capacity.ramBytes }
        : placed.capacity.vramPerGpu[i - 1] !== undefined
          ? { capacity: placed.capacity.vramPerGpu[i - 1] }
          : {}),
    })),
  };
}
