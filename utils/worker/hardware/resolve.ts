// Which hardware a verdict is measured against: Manual when the user chose it; otherwise the first
// known of the GPUStack cluster's inventory, the Hugging Face account's saved hardware, and a
// clearly labelled default (one 24 GiB GPU, 32 GiB RAM).

import type { ManualHardware, Settings } from '../../common/settings';
import { DEFAULT_RESERVED, type HardwareProfile } from '../../lib/hardware';

const GIB = 1024 ** 3;

export function manualProfile(hardware: ManualHardware): HardwareProfile {
  const count = Math.max(0, Math.floor(hardware.gpuCount));
  return {
    source: 'manual',
    label: `${count > 0 ? `${count} × ${hardware.gpuMemoryGiB} GiB GPU, ` : ''}${hardware.systemRamGiB} GiB RAM${hardware.unifiedMemory ? ', unified memory' : ''}`,
    workers: [
      {
        name: 'manual',
        gpus: Array.from({ length: count }, (_, i) => ({
          name: `GPU ${i}`,
          memoryBytes: hardware.gpuMemoryGiB * GIB,
          allocatedBytes: 0,
        })),
        ramBytes: hardware.systemRamGiB * GIB,
        ramAllocatedBytes: 0,
        reserved: DEFAULT_RESERVED,
        unifiedMemory: hardware.unifiedMemory,
      },
    ],
  };
}

export const DEFAULT_PROFILE: HardwareProfile = {
  ...manualProfile({ gpuMemoryGiB: 24, gpuCount: 1, systemRamGiB: 32, unifiedMemory: false }),
  source: 'default',
  label: 'default: one 24 GiB GPU, 32 GiB RAM',
};

export interface KnownHardware {
  gpustack?: HardwareProfile | null;
  /** The server the GPUStack inventory was read from. */
  gpustackServer?: string;
  huggingface?: HardwareProfile | null;
}

export function resolveProfile(settings: Settings, known: KnownHardware): HardwareProfile {
  if (settings.hardwareMode === 'manual') return manualProfile(settings.manualHardware);
  return known.gpustack ?? known.huggingface ?? DEFAULT_PROFILE;
}
