// The one shape both engines answer in. Fields an engine cannot know are absent.

import type { Placement } from '../lib/estimate/placement';
import type { ProfileSource } from '../lib/hardware';

export type Engine = 'builtin' | 'gpustack';

/** Who asked decides the queue order: a click in a page, a file picked in the popup, a bulk check. */
export type Priority = 'click' | 'popup' | 'bulk';

export type { Placement };

/**
 * Why a fitting verdict may still not deploy: the server has no backend that runs GGUF, or the fit
 * spans several workers, which no custom backend of GPUStack 2.x can run.
 */
export type Caveat = 'no-gguf-backend' | 'several-workers';

export interface DeviceUse {
  /** 'CPU' or the GPU's name. */
  name: string;
  kind: 'cpu' | 'gpu';
  footprint: number;
  weights: number;
  kvCache: number;
  compute: number;
  /** The vision projector's part on this device. */
  projector: number;
  /** The claim compared with `capacity` (non-UMA; UMA on unified memory). */
  claim: number;
  /** Free memory of the device (RAM for the CPU); absent when unknown. */
  capacity?: number;
}

export interface Breakdown {
  devices: DeviceUse[];
}

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
  /** VRAM claim per used GPU. */
  vramPerGpu?: number[];
  /** Layers on GPUs (the output layer counted when fully offloaded) of all layers. */
  offloadedLayers?: number;
  totalLayers?: number;
  /** Built-in engine: where the memory goes, per device, against what each device has free. */
  breakdown?: Breakdown;
  /** The hardware the verdict was measured against. */
  hardware?: { source: ProfileSource; label: string };
  contextSize?: number;
  /** Set when a fit may still not deploy (GPUStack engine). */
  caveats?: Caveat[];
  /** GPUStack 2.x with no cluster chosen: each cluster the key can see, and whether it fits there. */
  clusters?: Array<{ name: string; fits: boolean }>;
  /** Messages to show verbatim (GPUStack's own, or the built-in engine's sentence). */
  messages: string[];
  /** When the answer was made (ms since epoch). */
  checkedAt: number;
}
