// Shared by the GPUStack unit tests: the server they pretend to talk to, the estimate options of a
// default check, and a generation store that keeps what it learns in memory.

import type { Settings } from '../../utils/common/settings';
import type { EngineInput } from '../../utils/worker/engines/engine';
import type { GenerationInfo, GenerationStore } from '../../utils/worker/engines/gpustack/generation';
import type { SpecParams } from '../../utils/worker/engines/gpustack/spec';
import { DEFAULT_PROFILE } from '../../utils/worker/hardware/resolve';

export const GPUSTACK_BASE = 'http://gpustack.lan:8080';

export const SPEC_PARAMS: SpecParams = {
  ctxSize: 8192,
  flashAttention: false,
  cacheType: 'f16',
  parallel: 4,
  backend: null,
};

/** A GenerationStore in memory; `known` shows what it holds. */
export function memoryStore(): GenerationStore & { known: Map<string, GenerationInfo> } {
  const known = new Map<string, GenerationInfo>();
  return {
    known,
    load: async (origin) => known.get(origin),
    save: async (origin, info) => void known.set(origin, info),
    forget: async (origin) => void known.delete(origin),
  };
}

/** What the check service hands an engine, for a file of a repo at an invented commit. */
export function engineInput(settings: Settings, file: string, extra: Partial<EngineInput> = {}): EngineInput {
  return {
    repo: 'o/r-GGUF',
    revision: 'main',
    commit: '0'.repeat(40),
    file,
    paths: [file],
    repoFiles: [],
    context: { settings, profile: DEFAULT_PROFILE },
    ...extra,
  };
}
