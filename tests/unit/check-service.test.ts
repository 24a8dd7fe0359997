// The check service end to end in Node, on the oracle's own bytes: the real scheduler and Hub client
// against the impersonated Hub, the built-in engine, the cache. Every setting a user can change must
// reach the estimator and change the figures exactly as gguf-parser-go says (a setting left out
// of the engine's inputs, or of the cache key, shows here as a wrong number).

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckRequest } from '../../utils/common/protocol';
import { DEFAULT_SETTINGS, type Settings } from '../../utils/common/settings';
import type { EstimateOptions } from '../../utils/lib/estimate';
import { createCache } from '../../utils/worker/cache';
import { CheckService } from '../../utils/worker/check/check-service';
import { BuiltinEngine, estimateKey, estimateOptionsFrom } from '../../utils/worker/engines/builtin';
import { resolveProfile } from '../../utils/worker/hardware/resolve';
import { HubClient } from '../../utils/worker/huggingface/client';
import { HF_BUCKETS } from '../../utils/worker/scheduler/buckets';
import { Scheduler } from '../../utils/worker/scheduler/scheduler';
import { type HfServer, startHfServer } from '../e2e/support/hf-server';
import { fetchVia } from '../support/node-fetch';
import { expectedFigures, oracleCase, oracleRepo } from '../support/oracle-hub';

const GIB = 1024 ** 3;
const QWEN = oracleRepo('oracle/Qwen2.5-7B-Instruct-GGUF', 'qwen2.5-7b-instruct-q4_k_m');
const LLAMA = oracleRepo('oracle/Meta-Llama-3.1-8B-Instruct-GGUF', 'llama-3.1-8b-instruct-q4_k_m');
const VL = oracleRepo(
  'oracle/Qwen2.5-VL-7B-Instruct-GGUF',
  'qwen2.5-vl-7b-instruct-q4_k_m',
  'mmproj-qwen2.5-vl-7b-instruct-f16',
);
const modelFile = (repo: typeof QWEN) => repo.files.find((f) => !f.path.startsWith('mmproj'))?.path as string;

let hf: HfServer;
let settings: Settings;
let service: CheckService;

beforeAll(async () => {
  hf = await startHfServer({ repos: [QWEN, LLAMA, VL] });
});
afterAll(async () => {
  await hf?.close();
});

beforeEach(() => {
  const scheduler = new Scheduler({ buckets: HF_BUCKETS, fetch: fetchVia(hf.hostMap) });
  const cache = createCache({ dbName: `check-service-${Math.random()}` });
  settings = {
    ...DEFAULT_SETTINGS,
    engine: 'builtin',
    hardwareMode: 'manual',
    manualHardware: { gpuMemoryGiB: 24, gpuCount: 1, systemRamGiB: 64, unifiedMemory: false },
  };
  const hub = new HubClient({ scheduler, cache });
  service = new CheckService({
    hub,
    cache,
    builtin: new BuiltinEngine({ hub, cache }),
    // Read at every check, as the worker does: a changed setting applies to the next one.
    context: async () => ({ settings, profile: resolveProfile(settings, {}) }),
  });
});

const ask = (repo: typeof QWEN): CheckRequest => ({
  type: 'check',
  repo: repo.id,
  revision: 'main',
  file: modelFile(repo),
});

/** GPU memory so that exactly `vram` bytes are free on it (the manual profile keeps 1 GiB back). */
const gpuFor = (vram: number) => (vram + GIB + 4096) / GIB;

describe('the built-in verdict, in gguf-parser-go’s figures', () => {
  it('GPUStack’s defaults: one GPU, full offload', async () => {
    const result = await service.check(ask(QWEN));
    const want = expectedFigures('qwen2.5-7b-instruct-q4_k_m/a');
    expect(result).toMatchObject({ placement: 'single-gpu', vramBytes: want.vram, ramBytes: want.ram });
    expect(result.contextSize).toBe(8192);
  });

  it('each setting reaches the estimator, one after the other on the same file', async () => {
    // Flash attention and a q8_0 KV cache.
    settings = { ...settings, flashAttention: true, cacheType: 'q8_0' };
    const g = expectedFigures('qwen2.5-7b-instruct-q4_k_m/g');
    expect(await service.check(ask(QWEN))).toMatchObject({ vramBytes: g.vram, ramBytes: g.ram });
    // Flash attention alone: neither the defaults' figures nor g's.
    settings = { ...settings, cacheType: 'f16' };
    const faOnly = await service.check(ask(QWEN));
    expect(faOnly.vramBytes).not.toBe(expectedFigures('qwen2.5-7b-instruct-q4_k_m/a').vram);
    expect(faOnly.vramBytes).not.toBe(g.vram);
    // The model's whole trained context.
    settings = {
      ...settings,
      flashAttention: false,
      ctxSize: oracleCase('qwen2.5-7b-instruct-q4_k_m/c').inputs.ctx,
    };
    const c = expectedFigures('qwen2.5-7b-instruct-q4_k_m/c');
    expect(await service.check(ask(QWEN))).toMatchObject({
      vramBytes: c.vram,
      ramBytes: c.ram,
      contextSize: 32768,
    });
    // And back: the first verdict again, from the cache or not, the same figures.
    settings = { ...settings, ctxSize: 8192 };
    expect((await service.check(ask(QWEN))).vramBytes).toBe(
      expectedFigures('qwen2.5-7b-instruct-q4_k_m/a').vram,
    );
  });

  it('a check’s own context size (the popover’s) wins over the saved one', async () => {
    const c = expectedFigures('qwen2.5-7b-instruct-q4_k_m/c');
    const result = await service.check({ ...ask(QWEN), ctxSize: 32768 });
    expect(result).toMatchObject({ vramBytes: c.vram, contextSize: 32768 });
  });

  it('a vision model carries its projector (GPUStack’s default image cache)', async () => {
    const e = expectedFigures('qwen2.5-vl-7b-instruct-q4_k_m/e');
    const result = await service.check(ask(VL));
    expect(result).toMatchObject({ placement: 'single-gpu', vramBytes: e.vram, ramBytes: e.ram });
    expect(result.breakdown?.devices[1]?.projector).toBeGreaterThan(0);
  });

  it('partial offload: as many layers as the GPU holds, with their figures', async () => {
    const f = oracleCase('qwen2.5-7b-instruct-q4_k_m/f');
    const want = expectedFigures(f.id);
    settings = {
      ...settings,
      manualHardware: { ...settings.manualHardware, gpuMemoryGiB: gpuFor(want.vram) },
    };
    const result = await service.check(ask(QWEN));
    expect(result).toMatchObject({
      placement: 'partial',
      offloadedLayers: f.inputs.gpuLayers,
      vramBytes: want.vram,
      ramBytes: want.ram,
    });
  });

  it('two GPUs of one machine, split evenly, when one is too small', async () => {
    const d = expectedFigures('llama-3.1-8b-instruct-q4_k_m/d');
    const each = gpuFor(Math.max(...d.perGpu));
    settings = {
      ...settings,
      manualHardware: { ...settings.manualHardware, gpuMemoryGiB: each, gpuCount: 2 },
    };
    const result = await service.check(ask(LLAMA));
    expect(result).toMatchObject({
      placement: 'multi-gpu',
      vramPerGpu: d.perGpu,
      vramBytes: d.vram,
      ramBytes: d.ram,
    });
  });
});

describe('one derivation of what a built-in verdict depends on', () => {
  const profile = resolveProfile(DEFAULT_SETTINGS, {});

  it('every option the settings give the estimate is in the cache key', () => {
    const options = estimateOptionsFrom(DEFAULT_SETTINGS);
    const key = estimateKey(options, profile);
    for (const name of Object.keys(options) as Array<keyof EstimateOptions>) {
      const changed = { ...options, [name]: typeof options[name] === 'boolean' ? !options[name] : 'other' };
      expect(estimateKey(changed, profile), name).not.toBe(key);
    }
    expect(Object.keys(options).length).toBeGreaterThanOrEqual(5);
  });

  it('a setting added to the derivation tomorrow is in the key at once', () => {
    const options = estimateOptionsFrom(DEFAULT_SETTINGS);
    const tomorrow = { ...options, kvOffload: false } as EstimateOptions;
    expect(estimateKey(tomorrow, profile)).not.toBe(estimateKey(options, profile));
  });
});
