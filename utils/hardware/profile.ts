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
  /** Kept back for the system (GPUStack: --system-reserved, 2 GiB RAM and 1 GiB VRAM by default). */
  reserved: { ramBytes: number; vramBytes: number };
  /** Apple Silicon and the like: GPUs and CPU share the RAM. */
  unifiedMemory: boolean;
}

export interface HardwareProfile {
  source: ProfileSource;
  /** For people: "2 × NVIDIA RTX 4090 24 GiB, 64 GiB RAM (your Hugging Face hardware)". */
  label: string;
  workers: WorkerProfile[];
}

const GIB = 1024 ** 3;

/** GPUStack's default --system-reserved, applied to every profile unless the user changes it. */
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
    ]),
  );
}
