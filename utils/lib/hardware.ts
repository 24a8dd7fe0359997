// What the user's machines have, whoever told us: the user (Manual), the GPUStack cluster's
// inventory, the Hugging Face account's saved hardware, or a labelled default.

export type ProfileSource = 'manual' | 'gpustack' | 'huggingface' | 'default';

export interface GpuProfile {
  name: string;
  /** Total memory, bytes. */
  memoryBytes: number;
  /** Already claimed by running model instances (GPUStack's `allocated`), bytes. */
  allocatedBytes: number;
}

export interface WorkerProfile {
  name: string;
  gpus: GpuProfile[];
  ramBytes: number;
  ramAllocatedBytes: number;
  /** Kept back for the system (GPUStack's --system-reserved; VRAM per GPU). */
  reserved: { ramBytes: number; vramBytes: number };
  /** Apple Silicon and the like: GPUs and CPU share the RAM. */
  unifiedMemory: boolean;
  /** GPUStack 2.x: the cluster it belongs to. A model is never placed across two clusters. */
  cluster?: number;
}

export interface HardwareProfile {
  source: ProfileSource;
  /** For people: "2 × NVIDIA RTX 4090 24 GiB, 64 GiB RAM (your Hugging Face hardware)". */
  label: string;
  workers: WorkerProfile[];
}

const GIB = 1024 ** 3;

/**
 * What the built-in engine keeps back on hardware that does not say (Manual, Hugging Face, default):
 * GPUStack 0.x's default --system-reserved, a margin for the system and the driver.
 */
export const DEFAULT_RESERVED = { ramBytes: 2 * GIB, vramBytes: 1 * GIB };

/** Stable text that changes whenever the answer could: part of every cached verdict's key. */
export function profileFingerprint(profile: HardwareProfile): string {
  return JSON.stringify(
    profile.workers.map((w) => [
      w.gpus.map((g) => [g.memoryBytes, g.allocatedBytes]),
      w.ramBytes,
      w.ramAllocatedBytes,
      w.reserved.ramBytes,
      w.reserved.vramBytes,
      w.unifiedMemory,
      w.cluster ?? null,
    ]),
  );
}
