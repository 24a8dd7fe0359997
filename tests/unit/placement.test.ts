import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateLlamaCpp, type GgufSummary, summarize } from '../../utils/lib/estimate';
import { placeModel } from '../../utils/lib/estimate/placement';
import { DEFAULT_RESERVED, type HardwareProfile, type WorkerProfile } from '../../utils/lib/hardware';

const GiB = 1024 ** 3;
const model = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/oracle/${name}.json`, import.meta.url), 'utf8'),
  ) as GgufSummary;
const qwen7b = model('qwen2.5-7b-instruct-q4_k_m');
const qwen72b = model('qwen2.5-72b-instruct-q4_k_m');

function worker(gpusGiB: number[], ramGiB: number, extra: Partial<WorkerProfile> = {}): WorkerProfile {
  return {
    name: 'w',
    gpus: gpusGiB.map((g, i) => ({ name: `GPU ${i}`, memoryBytes: g * GiB, allocatedBytes: 0 })),
    ramBytes: ramGiB * GiB,
    ramAllocatedBytes: 0,
    reserved: DEFAULT_RESERVED,
    unifiedMemory: false,
    ...extra,
  };
}

const profile = (...workers: WorkerProfile[]): HardwareProfile => ({
  source: 'manual',
  label: 'test',
  workers,
});

describe('placement in GPUStack order', () => {
  it('fits a 7B Q4_K_M on one 24 GiB GPU', () => {
    const r = placeModel(qwen7b, profile(worker([24], 32)));
    expect(r).toMatchObject({
      compatible: true,
      placement: 'single-gpu',
      offloadedLayers: 29,
      totalLayers: 29,
    });
    expect(r.vramBytes).toBe(r.summary.vrams[0]?.nonuma);
    expect(r.ramBytes).toBe(r.summary.ram.nonuma);
  });

  it('splits over two GPUs of one worker when one is too small', () => {
    const r = placeModel(qwen72b, profile(worker([32, 32], 64)));
    expect(r.placement).toBe('multi-gpu');
    expect(r.vramPerGpu).toHaveLength(2);
    for (const [i, v] of r.vramPerGpu.entries()) expect(v).toBeLessThanOrEqual(r.capacity.vramPerGpu[i] ?? 0);
  });

  it('goes across workers when no single worker holds it', () => {
    const r = placeModel(
      qwen72b,
      profile(worker([24], 64), { ...worker([24], 64), name: 'w2' }, { ...worker([24], 64), name: 'w3' }),
    );
    expect(r.placement).toBe('distributed');
  });

  it('offloads part of the layers when the GPUs hold only some', () => {
    const r = placeModel(qwen72b, profile(worker([16], 96)));
    expect(r.placement).toBe('partial');
    expect(r.offloadedLayers).toBeGreaterThan(0);
    expect(r.offloadedLayers).toBeLessThan(r.totalLayers);
    // What it took fits, and one layer more would not.
    const free = r.capacity.vramPerGpu[0] ?? 0;
    expect(r.vramPerGpu[0]).toBeLessThanOrEqual(free);
    const more = summarize(
      estimateLlamaCpp(qwen72b, { gpuLayers: r.offloadedLayers + 1, tensorSplit: [free] }),
    );
    expect((more.vrams[0]?.nonuma ?? 0) > free || more.ram.nonuma > r.capacity.ramBytes).toBe(true);
  });

  it('runs on the CPU alone when there is no GPU but enough RAM', () => {
    const r = placeModel(qwen7b, profile(worker([], 32)));
    expect(r).toMatchObject({ compatible: true, placement: 'cpu', vramBytes: 0 });
  });

  it("says it won't fit, with what it would need, when nothing holds it", () => {
    const r = placeModel(qwen72b, profile(worker([8], 16)));
    expect(r.compatible).toBe(false);
    expect(r.placement).toBeUndefined();
    expect(r.vramBytes).toBeGreaterThan(40 * GiB);
  });

  it('never offloads to the CPU when CPU offloading is off', () => {
    const r = placeModel(qwen72b, profile(worker([16], 96)), { cpuOffloading: false });
    expect(r.compatible).toBe(false);
  });

  it('counts memory already allocated and reserved', () => {
    const busy = worker([24], 32);
    busy.gpus[0] = { name: 'GPU 0', memoryBytes: 24 * GiB, allocatedBytes: 20 * GiB };
    busy.ramAllocatedBytes = 10 * GiB;
    const r = placeModel(qwen7b, profile(busy));
    expect(r.placement).toBe('partial');
    // 24 GiB less 20 allocated less 1 reserved; 32 GiB of RAM less 10 allocated less 2 reserved.
    expect(r.capacity).toEqual({ vramPerGpu: [3 * GiB], ramBytes: 20 * GiB });
  });

  it('compares UMA figures on unified-memory machines', () => {
    const mac = worker([64], 64, { unifiedMemory: true });
    const r = placeModel(qwen7b, profile(mac));
    expect(r.placement).toBe('single-gpu');
    expect(r.vramBytes).toBe(r.summary.vrams[0]?.uma);
    expect(r.ramBytes).toBe(r.summary.ram.uma);
  });
});
