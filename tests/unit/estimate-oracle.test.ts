// The built-in estimate against gguf-parser-go v0.25.0's own figures for 29 cases (10 models,
// GPUStack defaults and variations). Fixtures come from scripts/make-oracle-fixtures.ts.

import { describe, expect, it } from 'vitest';
import {
  type DeviceEstimate,
  type EstimateOptions,
  estimateLlamaCpp,
  type GgufSummary,
  summarize,
} from '../../utils/lib/estimate';
import { oracleSummary } from '../support/gguf-from-summary';
import { type ReferenceCase, referenceCases } from '../support/reference-cases';

const cases = referenceCases;
const summaries = new Map<string, GgufSummary>();
const summaryOf = (id: string) => {
  let s = summaries.get(id);
  if (!s) {
    s = oracleSummary(id);
    summaries.set(id, s);
  }
  return s;
};

function optionsOf(c: ReferenceCase): EstimateOptions {
  const i = c.inputs;
  return {
    ctxSize: i.ctx,
    parallelSize: i.parallel,
    mmap: i.mmap,
    gpuLayers: i.gpuLayers,
    flashAttention: i.flashAttention,
    cacheTypeK: i.cacheTypeK,
    cacheTypeV: i.cacheTypeV,
    tensorSplit: i.tensorSplit ? i.tensorSplit.split(',').map(Number) : null,
    projector: c.projector ? summaryOf(c.projector) : null,
    maxProjectedCache: i.maxProjectedCache,
  };
}

const relativeError = (mine: number, theirs: number) =>
  Math.abs(mine - theirs) / Math.max(1, Math.abs(theirs));

function comparable(d: Omit<DeviceEstimate, 'handleSwaLayers' | 'position'>) {
  return {
    handleLayers: d.handleLayers,
    handleLastLayer: d.handleLastLayer,
    handleOutputLayer: d.handleOutputLayer,
    footprint: d.footprint,
    weight: d.weight,
    kvCache: d.kvCache,
    computation: d.computation,
  };
}

describe('llama.cpp estimate vs gguf-parser-go v0.25.0', () => {
  it('covers the 29 reference cases', () => {
    expect(cases).toHaveLength(29);
  });

  describe.each(cases)('$id', (c) => {
    const estimate = estimateLlamaCpp(summaryOf(c.model), optionsOf(c));

    it.each(Object.keys(c.summary))('summary with platform footprint %s MiB is within 1%', (footprint) => {
      const expected = c.summary[footprint];
      if (!expected) throw new Error(`no summary for ${footprint}`);
      const [ram, vram] = footprint.split(',').map(Number);
      const mine = summarize(estimate, { mmap: c.inputs.mmap, footprintRamMiB: ram, footprintVramMiB: vram });

      const pairs: Array<[string, number, number]> = [
        ['ram.uma', mine.ram.uma, expected.ram.uma],
        ['ram.nonuma', mine.ram.nonuma, expected.ram.nonuma],
      ];
      expect(mine.vrams).toHaveLength(expected.vrams.length);
      expected.vrams.forEach((v, i) => {
        pairs.push([`vrams[${i}].uma`, mine.vrams[i]?.uma ?? Number.NaN, v.uma]);
        pairs.push([`vrams[${i}].nonuma`, mine.vrams[i]?.nonuma ?? Number.NaN, v.nonuma]);
      });
      for (const [name, got, want] of pairs) {
        expect(relativeError(got, want), `${name}: ${got} vs ${want}`).toBeLessThanOrEqual(0.01);
      }
      expect(mine.offloadLayers).toBe(expected.offloadLayers);
      expect(mine.fullOffloaded).toBe(expected.fullOffloaded);
      expect(mine.contextSize).toBe(expected.contextSize);
    });

    it('reproduces the per-device breakdown exactly', () => {
      expect(estimate.contextSize).toBe(c.estimate.contextSize);
      expect(estimate.offloadLayers).toBe(c.estimate.offloadLayers);
      expect(estimate.fullOffloaded).toBe(c.estimate.fullOffloaded);
      expect(estimate.devices.map(comparable)).toEqual(c.estimate.devices.map(comparable));
      if (c.estimate.projector) {
        expect(estimate.projector?.devices.map(comparable)).toEqual(
          c.estimate.projector.devices.map(comparable),
        );
      } else {
        expect(estimate.projector).toBeNull();
      }
    });
  });
});
