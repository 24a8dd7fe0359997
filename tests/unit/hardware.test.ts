import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../utils/common/settings';
import { profileFromHardwareItems } from '../../utils/worker/hardware/huggingface';
import { DEFAULT_PROFILE, manualProfile, resolveProfile } from '../../utils/worker/hardware/resolve';

const GiB = 1024 ** 3;

describe('hardware profiles', () => {
  it("reads a Hugging Face account's saved GPUs and CPU", () => {
    const profile = profileFromHardwareItems([
      { sku: ['GPU', 'NVIDIA', 'RTX 4090'], mem: 24, num: 2, isPrimary: true },
      { sku: ['CPU', 'AMD', 'Ryzen 9 7950X'], mem: 64, num: 1 },
    ]);
    expect(profile?.source).toBe('huggingface');
    expect(profile?.workers[0]?.gpus.map((g) => g.memoryBytes)).toEqual([24 * GiB, 24 * GiB]);
    expect(profile?.workers[0]?.ramBytes).toBe(64 * GiB);
    expect(profile?.label).toContain('2 × NVIDIA RTX 4090');
  });

  it('treats Apple Silicon as unified memory', () => {
    const profile = profileFromHardwareItems([
      { sku: ['Apple Silicon', '-', 'Apple M2 Max'], mem: 64, num: 1 },
    ]);
    expect(profile?.workers[0]).toMatchObject({ unifiedMemory: true, ramBytes: 64 * GiB });
  });

  it('ignores junk and returns null when nothing is usable', () => {
    expect(
      profileFromHardwareItems([
        null,
        5,
        { sku: 'GPU' },
        { sku: ['GPU'], mem: -1 },
        { sku: ['GPU'], mem: 1e12 },
      ]),
    ).toBeNull();
    expect(profileFromHardwareItems([])).toBeNull();
  });

  it('prefers Manual, then GPUStack, then Hugging Face, then the default', () => {
    const hf = profileFromHardwareItems([{ sku: ['GPU', 'NVIDIA', 'RTX 3090'], mem: 24, num: 1 }]);
    const gpustack = { ...DEFAULT_PROFILE, source: 'gpustack' as const, label: 'cluster' };
    expect(resolveProfile(DEFAULT_SETTINGS, {})).toBe(DEFAULT_PROFILE);
    expect(resolveProfile(DEFAULT_SETTINGS, { huggingface: hf })).toBe(hf);
    expect(resolveProfile(DEFAULT_SETTINGS, { huggingface: hf, gpustack })).toBe(gpustack);
    const manual = { ...DEFAULT_SETTINGS, hardwareMode: 'manual' as const };
    expect(resolveProfile(manual, { huggingface: hf, gpustack }).source).toBe('manual');
    expect(manualProfile(manual.manualHardware).workers[0]?.gpus).toHaveLength(1);
  });
});
