// The one shape both engines answer in. Fields an engine cannot know are absent.

export type Engine = 'builtin' | 'gpustack';

/** Who asked decides the queue order: a click in a page, a file picked in the popup, a bulk check. */
export type Priority = 'click' | 'popup' | 'bulk';

export type Placement = 'single-gpu' | 'multi-gpu' | 'distributed' | 'partial' | 'cpu';

export interface CheckResult {
  engine: Engine;
  repo: string;
  /** The revision as asked (usually a branch). */
  revision: string;
  /** The commit the answer is for. */
  commit: string;
  file: string;
  /** Total bytes of the model file(s): every shard of a split model. */
  sizeBytes: number;
  shards: number;
  compatible?: boolean;
  placement?: Placement;
  /** Total VRAM claim over all GPUs, non-UMA: what GPUStack compares. */
  vramBytes?: number;
  /** RAM claim, non-UMA. */
  ramBytes?: number;
  /** Messages to show verbatim (GPUStack's own, or the built-in engine's sentence). */
  messages: string[];
  /** When the answer was made (ms since epoch). */
  checkedAt: number;
}
