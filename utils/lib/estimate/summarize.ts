// RAM / VRAM totals from a raw estimate, as gguf-parser-go's Summarize(mmap, ram, vram) computes them.
// "uma" is for unified memory (host and GPU share RAM), "nonuma" adds the platform's own footprint
// and is what GPUStack compares with each GPU's free memory.

import {
  computationSum,
  type DeviceEstimate,
  kvCacheSum,
  type LlamaCppEstimate,
  weightSum,
} from './llamacpp';

const MiB = 1024 * 1024;

export interface SummarizeOptions {
  /** Memory-mapped weights; defaults to the estimate's own `mmap` option (false by default). */
  mmap?: boolean;
  /** Platform RAM footprint in MiB; default 150 (GPUStack). */
  footprintRamMiB?: number;
  /** Platform VRAM footprint per GPU in MiB; default 500 (GPUStack; gguf-parser's CLI uses 250). */
  footprintVramMiB?: number;
}

export interface MemoryFigure {
  uma: number;
  nonuma: number;
}

export interface DeviceBreakdown {
  footprint: number;
  weights: number;
  kvCache: number;
  /** Compute buffers: footprint + inputs + max(graph, output). */
  compute: number;
}

export interface EstimateSummary {
  ram: MemoryFigure;
  /** One per GPU. */
  vrams: MemoryFigure[];
  /** Offloaded layers, counting the output layer when fully offloaded (like llama.cpp's -ngl). */
  offloadLayers: number;
  fullOffloaded: boolean;
  contextSize: number;
  breakdown: {
    /** Host first, then GPUs. */
    devices: DeviceBreakdown[];
    projector: { devices: DeviceBreakdown[] } | null;
  };
}

export function summarize(estimate: LlamaCppEstimate, options: SummarizeOptions = {}): EstimateSummary {
  const mmap = options.mmap ?? estimate.mmap;
  const ramFootprint = (options.footprintRamMiB ?? 150) * MiB;
  const vramFootprint = (options.footprintVramMiB ?? 500) * MiB;

  const main = summarizeItem(estimate, mmap, ramFootprint, vramFootprint);
  if (estimate.projector) {
    // The projector adds its own totals, without a second platform footprint.
    const projector = summarizeItem(estimate.projector, mmap, 0, 0);
    main.ram.uma += projector.ram.uma;
    main.ram.nonuma += projector.ram.nonuma;
    projector.vrams.forEach((v, i) => {
      const target = main.vrams[i];
      if (!target) return;
      target.uma += v.uma;
      target.nonuma += v.nonuma;
    });
  }

  return {
    ...main,
    offloadLayers: estimate.offloadLayers + (estimate.fullOffloaded ? 1 : 0),
    fullOffloaded: estimate.fullOffloaded,
    contextSize: estimate.contextSize,
    breakdown: {
      devices: estimate.devices.map(breakdownOf),
      projector: estimate.projector ? { devices: estimate.projector.devices.map(breakdownOf) } : null,
    },
  };
}

function summarizeItem(
  e: LlamaCppEstimate,
  mmap: boolean,
  ramFootprint: number,
  vramFootprint: number,
): { ram: MemoryFigure; vrams: MemoryFigure[] } {
  const host = e.devices[0] as DeviceEstimate;
  const hostWeights = weightSum(host);
  let ram = host.footprint + hostWeights + kvCacheSum(host) + computationSum(host);
  if (mmap || e.fullOffloaded) {
    // Mapped weights are not counted; with full offload the host drops its copy after upload,
    // except the output weight, which gguf-parser keeps on the host when not mmapped.
    ram -= hostWeights;
    if (!mmap) ram += host.weight.output;
  }

  const vrams = e.devices.slice(1).map((d) => {
    const weights = weightSum(d);
    const compute = computationSum(d);
    let uma = d.footprint + weights + kvCacheSum(d);
    // With mmap the first GPU's weights are shared with the mapping; later GPUs and projectors keep them.
    if (mmap && !((d.position > 0 && d.handleLastLayer >= 0) || e.type === 'projector')) uma -= weights;
    let nonuma = vramFootprint + d.footprint + weights + kvCacheSum(d) + compute;
    // A secondary GPU holding no layer is not used for weights or compute.
    if (d.position > 0 && d.handleLastLayer < 0) nonuma -= weights + compute;
    return { uma, nonuma };
  });

  return { ram: { uma: ram, nonuma: ramFootprint + ram }, vrams };
}

function breakdownOf(d: DeviceEstimate): DeviceBreakdown {
  return {
    footprint: d.footprint,
    weights: weightSum(d),
    kvCache: kvCacheSum(d),
    compute: computationSum(d),
  };
}
