// What an engine is to the check service. Each says what its answer depends on beyond the file and
// commit (the result's cache key is made of that and nothing else, from the same values it evaluates
// with), how long an answer stays good, and answers. The built-in estimate and the user's GPUStack
// server implement it; a new engine is one more file here and one more entry in the worker's list.

import type { CheckResult, Engine as EngineId } from '../../common/result';
import type { Settings } from '../../common/settings';
import type { HardwareProfile } from '../../lib/hardware';
import type { CallOptions, RepoFile } from '../huggingface/client';

/** The settings and hardware a check runs with, read when it starts. */
export interface CheckContext {
  settings: Settings;
  profile: HardwareProfile;
}

export interface EngineInput {
  repo: string;
  /** The revision the user looks at (usually a branch). */
  revision: string;
  commit: string;
  /** The file, or the first shard of a split model. */
  file: string;
  /** Every shard of the model, first first. */
  paths: string[];
  repoFiles: RepoFile[];
  context: CheckContext;
}

/** What an engine answers: everything of a CheckResult but the file's own facts. */
export type EngineVerdict = Pick<
  CheckResult,
  | 'engine'
  | 'compatible'
  | 'placement'
  | 'vramBytes'
  | 'ramBytes'
  | 'vramPerGpu'
  | 'offloadedLayers'
  | 'totalLayers'
  | 'breakdown'
  | 'hardware'
  | 'contextSize'
  | 'caveats'
  | 'clusters'
  | 'messages'
>;

export interface Engine {
  readonly id: EngineId;
  /** Whether it can answer with these settings (GPUStack: a server, and a key saved for it). */
  available(settings: Settings): Promise<boolean>;
  /**
   * Everything its answer depends on beyond the file and commit, as text for the cache key: made
   * from the values `evaluate` uses, so a setting cannot reach one and miss the other.
   */
  dependsOn(context: CheckContext): string;
  /** How long an answer may be served from the cache. */
  ttlMs: number;
  evaluate(input: EngineInput, call: CallOptions): Promise<EngineVerdict>;
}
