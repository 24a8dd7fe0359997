// Where a model fits, tried in GPUStack's order (first that fits wins):
//   one GPU, full offload -> several GPUs of one worker (tensor split) -> GPUs across workers (RPC)
//   -> partial offload (CPU offloading) -> CPU only.
// Available memory per GPU = total - allocated - reserved; RAM likewise. Unified-memory workers
// compare the UMA figures; everything else the non-UMA figures, as GPUStack does.

import type { HardwareProfile, WorkerProfile } from '../hardware';
import { readArchitecture } from './architecture';
import { type EstimateOptions, estimateLlamaCpp } from './llamacpp';
import type { GgufSummary } from './model-summary';
import { type EstimateSummary, type SummarizeOptions, summarize } from './summarize';

/** Where a model runs, in GPUStack's order of preference. */
export type Placement = 'single-gpu' | 'multi-gpu' | 'distributed' | 'partial' | 'cpu';

export interface PlacementOptions extends EstimateOptions, SummarizeOptions {
  /** GPUStack's cpu_offloading: partial offload and CPU only are allowed (default true). */
  cpuOffloading?: boolean;
  /** GPUStack's distributed_inference_across_workers (default true). */
  distributed?: boolean;
}

export interface PlacementResult {
  compatible: boolean;
  placement?: Placement;
  /** The worker that runs it (the main one when distributed). */
  worker?: string;
  /** The estimate behind the verdict: the chosen placement, or full offload on the largest GPU. */
  summary: EstimateSummary;
  /** Non-UMA (or UMA on unified-memory workers) VRAM per used GPU, and their total. */
  vramPerGpu: number[];
  vramBytes: number;
  ramBytes: number;
  /** Layers on GPUs (output layer counted when fully offloaded) of all layers. */
  offloadedLayers: number;
  totalLayers: number;
  /** Available memory the verdict was measured against. */
  capacity: { vramPerGpu: number[]; ramBytes: number };
}

interface Device {
  worker: WorkerProfile;
  available: number;
}

const available = (total: number, ...taken: number[]) =>
  Math.max(0, total - taken.reduce((a, b) => a + b, 0));

function ramAvailable(worker: WorkerProfile): number {
  return available(worker.ramBytes, worker.ramAllocatedBytes, worker.reserved.ramBytes);
}

function gpusOf(worker: WorkerProfile): Device[] {
  return worker.gpus
    .map((gpu) => ({
      worker,
      available: available(gpu.memoryBytes, gpu.allocatedBytes, worker.reserved.vramBytes),
    }))
    .sort((a, b) => b.available - a.available);
}

/** Workers grouped by their cluster, in the order each cluster first appears. */
function byCluster(workers: WorkerProfile[]): WorkerProfile[][] {
  const groups = new Map<number | undefined, WorkerProfile[]>();
  for (const worker of workers) groups.set(worker.cluster, [...(groups.get(worker.cluster) ?? []), worker]);
  return [...groups.values()];
}

export function placeModel(
  model: GgufSummary,
  profile: HardwareProfile,
  options: PlacementOptions = {},
): PlacementResult {
  const arch = readArchitecture(model);
  const blocks = 'blockCount' in arch ? arch.blockCount : 0;
  const totalLayers = blocks + 1;
  const estimate = (gpuLayers: number, split: number[] | null) =>
    summarize(estimateLlamaCpp(model, { ...options, gpuLayers, tensorSplit: split }), options);

  const figures = (summary: EstimateSummary, worker: WorkerProfile) => {
    const pick = (m: { uma: number; nonuma: number }) => (worker.unifiedMemory ? m.uma : m.nonuma);
    return { vrams: summary.vrams.map(pick), ram: pick(summary.ram) };
  };

  const fits = (summary: EstimateSummary, devices: Device[], worker: WorkerProfile) => {
    const { vrams, ram } = figures(summary, worker);
    return ram <= ramAvailable(worker) && vrams.every((v, i) => v <= (devices[i]?.available ?? 0));
  };

  const result = (
    placement: Placement,
    summary: EstimateSummary,
    devices: Device[],
    worker: WorkerProfile,
  ): PlacementResult => {
    const { vrams, ram } = figures(summary, worker);
    const vramPerGpu = placement === 'cpu' ? [] : vrams;
    return {
      compatible: true,
      placement,
      worker: worker.name,
      summary,
      vramPerGpu,
      vramBytes: vramPerGpu.reduce((a, b) => a + b, 0),
      ramBytes: ram,
      offloadedLayers: summary.offloadLayers,
      totalLayers,
      capacity: { vramPerGpu: devices.map((d) => d.available), ramBytes: ramAvailable(worker) },
    };
  };

  const workers = profile.workers;
  // Full offload on one GPU: the estimate does not depend on which GPU, so compute it once.
  const single = estimate(-1, null);
  for (const worker of workers) {
    const [largest] = gpusOf(worker);
    if (largest && fits(single, [largest], worker)) return result('single-gpu', single, [largest], worker);
  }
  // Several GPUs of one worker, split by what each has free; fewest GPUs first.
  for (const worker of workers) {
    const gpus = gpusOf(worker);
    for (let n = 2; n <= gpus.length; n += 1) {
      const devices = gpus.slice(0, n);
      const split = estimate(
        -1,
        devices.map((d) => Math.max(1, d.available)),
      );
      if (fits(split, devices, worker)) return result('multi-gpu', split, devices, worker);
    }
  }
  // Across workers over RPC, within one cluster (GPUStack schedules each cluster on its own): the
  // main worker holds the RAM side.
  const everyGpu = workers.flatMap(gpusOf);
  if (options.distributed ?? true) {
    for (const group of byCluster(workers)) {
      if (group.filter((w) => w.gpus.length > 0).length < 2) continue;
      const gpus = group.flatMap(gpusOf);
      const main = gpus[0]?.worker;
      const split = estimate(
        -1,
        gpus.map((d) => Math.max(1, d.available)),
      );
      if (main && fits(split, gpus, main)) return result('distributed', split, gpus, main);
    }
  }
  if (options.cpuOffloading ?? true) {
    // Partial offload: the most layers one worker's GPUs hold (the fewest is 1).
    for (const worker of workers) {
      const gpus = gpusOf(worker);
      if (gpus.length === 0) continue;
      const tryLayers = (n: number) =>
        estimate(
          n,
          gpus.map((d) => Math.max(1, d.available)),
        );
      let best: EstimateSummary | null = null;
      let low = 1;
      let high = blocks;
      while (low <= high) {
        const mid = Math.floor((low + high) / 2);
        const summary = tryLayers(mid);
        if (fits(summary, gpus, worker)) {
          best = summary;
          low = mid + 1;
        } else {
          high = mid - 1;
        }
      }
      if (best) return result('partial', best, gpus, worker);
    }
    const cpu = estimate(0, null);
    for (const worker of workers) {
      if (figures(cpu, worker).ram <= ramAvailable(worker)) return result('cpu', cpu, [], worker);
    }
  }
  // Nothing fits: report what full offload on one GPU would need, against the largest GPU.
  const worker = workers[0];
  const { vrams, ram } = worker
    ? figures(single, worker)
    : { vrams: single.vrams.map((v) => v.nonuma), ram: single.ram.nonuma };
  return {
    compatible: false,
    summary: single,
    vramPerGpu: vrams,
    vramBytes: vrams.reduce((a, b) => a + b, 0),
    ramBytes: ram,
    offloadedLayers: single.offloadLayers,
    totalLayers,
    capacity: {
      vramPerGpu: everyGpu.slice(0, 1).map((d) => d.available),
      ramBytes: worker ? ramAvailable(worker) : 0,
    },
  };
}
