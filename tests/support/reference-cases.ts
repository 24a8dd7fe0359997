// gguf-parser-go's reference figures (tests/fixtures/oracle/reference-cases.json): 29 cases, each a
// model (and maybe its projector) under one set of options, summarised for two platform footprints.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceEstimate } from '../../utils/lib/estimate';

export interface Figure {
  uma: number;
  nonuma: number;
}

type OracleDevice = Omit<DeviceEstimate, 'handleSwaLayers' | 'position'>;

export interface ReferenceCase {
  id: string;
  model: string;
  scenario: string;
  projector: string | null;
  inputs: {
    ctx: number;
    parallel: number;
    mmap: boolean;
    gpuLayers: number;
    flashAttention: boolean;
    cacheTypeK: string;
    cacheTypeV: string;
    /** Proportions, "1,1". */
    tensorSplit: string | null;
    maxProjectedCache: number | null;
  };
  /** Keyed by platform footprint, "RAM_MiB,VRAM_MiB": "150,250" (gguf-parser) and "150,500" (GPUStack). */
  summary: Record<
    string,
    { offloadLayers: number; fullOffloaded: boolean; contextSize: number; ram: Figure; vrams: Figure[] }
  >;
  estimate: {
    contextSize: number;
    offloadLayers: number;
    fullOffloaded: boolean;
    devices: OracleDevice[];
    projector: { devices: OracleDevice[] } | null;
  };
}

export const referenceCases: ReferenceCase[] = (
  JSON.parse(readFileSync(join(process.cwd(), 'tests/fixtures/oracle/reference-cases.json'), 'utf8')) as {
    cases: ReferenceCase[];
  }
).cases;
