// The cluster's workers as a hardware profile: every page of the list, GPU memory total and
// allocated, RAM, what each worker keeps back, unified memory, and a label naming GPUs and server.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../utils/common/settings';
import { GpustackClient } from '../../utils/worker/engines/gpustack/client';
import { dialectFor } from '../../utils/worker/engines/gpustack/dialect';
import { createGpustackEngine } from '../../utils/worker/engines/gpustack/index';
import { workerOf } from '../../utils/worker/engines/gpustack/inventory';
import { DEFAULT_PROFILE } from '../../utils/worker/hardware/resolve';
import { Scheduler } from '../../utils/worker/scheduler/scheduler';
import {
  type FakeWorker,
  fetchFor,
  GPUSTACK_KEYS,
  GpustackApi,
  type GpustackApiConfig,
} from '../e2e/support/gpustack-api';
import { GPUSTACK_BASE as BASE, engineInput, memoryStore } from '../support/gpustack';

const GIB = 1024 ** 3;

function setup(config: GpustackApiConfig) {
  const api = new GpustackApi(config);
  const scheduler = new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE), random: () => 0.5 });
  const client = new GpustackClient({
    scheduler,
    serverUrl: BASE,
    apiKey: GPUSTACK_KEYS.admin,
    generations: memoryStore(),
  });
  return { api, scheduler, client };
}

const rtx = (allocated = 0) => ({
  name: 'NVIDIA GeForce RTX 4090',
  memoryTotal: 24 * GIB,
  memoryAllocated: allocated,
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function settle<T>(promise: Promise<T>): Promise<T> {
  await vi.runAllTimersAsync();
  return promise;
}

describe('inventory', () => {
  it('follows pagination: 250 workers are 3 pages of 100', async () => {
    const workers: FakeWorker[] = Array.from({ length: 250 }, (_, i) => ({
      name: `w${i}`,
      gpus: [rtx()],
      ramTotal: 32 * GIB,
    }));
    const { client, api } = setup({ workers });
    const profile = await settle(client.inventory());
    const pages = api.requests.filter((r) => r.pathname === '/v1/workers');
    expect(pages.map((r) => [r.query.get('page'), r.query.get('perPage')])).toEqual([
      ['1', '100'],
      ['2', '100'],
      ['3', '100'],
    ]);
    expect(profile.workers).toHaveLength(250);
    expect(profile.workers.map((w) => w.name).slice(-2)).toEqual(['w248', 'w249']);
  });

  it('maps memory, reserved and unified memory, and names GPUs and server in the label', async () => {
    const { client } = setup({
      workers: [
        { name: 'box', gpus: [rtx(2 * GIB), rtx()], ramTotal: 64 * GIB, ramAllocated: 3 * GIB },
        {
          name: 'mac',
          gpus: [{ name: 'Apple M2 Max', memoryTotal: 72 * GIB, type: 'mps' }],
          ramTotal: 96 * GIB,
          unifiedMemory: true,
          systemReserved: { ram: 4 * GIB, vram: 0 },
        },
      ],
    });
    const profile = await settle(client.inventory());
    expect(profile.source).toBe('gpustack');
    expect(profile.workers[0]).toEqual({
      name: 'box',
      gpus: [
        { name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24 * GIB, allocatedBytes: 2 * GIB },
        { name: 'NVIDIA GeForce RTX 4090', memoryBytes: 24 * GIB, allocatedBytes: 0 },
      ],
      ramBytes: 64 * GIB,
      ramAllocatedBytes: 3 * GIB,
      reserved: { ramBytes: 2 * GIB, vramBytes: GIB },
      unifiedMemory: false,
    });
    expect(profile.workers[1]).toMatchObject({
      unifiedMemory: true,
      reserved: { ramBytes: 4 * GIB, vramBytes: 0 },
    });
    expect(profile.label).toBe(
      '2 × NVIDIA GeForce RTX 4090 24.00 GiB, 1 × Apple M2 Max 72.00 GiB, 160.00 GiB RAM (GPUStack at gpustack.lan:8080)',
    );
  });

  it('2.x: only the chosen cluster, each worker with its cluster', async () => {
    const { client, api } = setup({
      version: 'v2.0.0',
      clusters: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
      workers: [
        { name: 'one', gpus: [rtx()], ramTotal: GIB, clusterId: 1 },
        { name: 'two', gpus: [rtx()], ramTotal: GIB, clusterId: 2 },
        { name: 'broken', gpus: [rtx()], ramTotal: GIB, clusterId: 2, state: 'error' },
      ],
    });
    const profile = await settle(client.inventory({ clusterId: 2 }));
    expect(profile.workers.map((w) => [w.name, w.cluster])).toEqual([['two', 2]]);
    expect(api.requests.find((r) => r.pathname === '/v2/workers')?.query.get('cluster_id')).toBe('2');
    const every = await settle(client.inventory());
    expect(every.workers.map((w) => [w.name, w.cluster])).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
  });

  // StatusFilter keeps only `ready` workers (policies/worker_filters/status_filter.py, v0.6.0 – v2.2.3).
  for (const version of ['v0.6.1', 'v2.0.0', 'v2.2.3']) {
    it(`${version}: a worker that is not ready is not capacity`, async () => {
      const states = version.startsWith('v0')
        ? ['not_ready', 'unreachable']
        : ['not_ready', 'unreachable', 'pending', 'initializing', 'maintenance', 'provisioning'];
      const { client } = setup({
        version,
        workers: [
          { name: 'up', gpus: [rtx()], ramTotal: 8 * GIB },
          ...states.map((state) => ({ name: state, gpus: [rtx(), rtx()], ramTotal: 64 * GIB, state })),
        ],
      });
      const profile = await settle(client.inventory());
      expect(profile.workers.map((w) => w.name)).toEqual(['up']);
      expect(profile.label).toBe(
        '1 × NVIDIA GeForce RTX 4090 24.00 GiB, 8.00 GiB RAM (GPUStack at gpustack.lan:8080)',
      );
    });
  }

  it('reads what each worker reserves; a worker that does not say gets its version’s default', async () => {
    for (const [version, ram, vram] of [
      ['v0.7.1', 2 * GIB, GIB],
      ['v2.0.1', 2 * GIB, GIB],
      ['v2.0.2', 0, 0],
      ['v2.2.3', 0, 0],
    ] as const) {
      const { client } = setup({ version, workers: [{ name: 'w', gpus: [rtx()], ramTotal: 8 * GIB }] });
      const profile = await settle(client.inventory());
      expect(profile.workers[0]?.reserved, version).toEqual({ ramBytes: ram, vramBytes: vram });
    }
    const silent = { name: 'w', state: 'ready', status: { memory: { total: GIB }, gpu_devices: [] } };
    expect(workerOf(silent, dialectFor('2.0.0'))?.reserved).toEqual({ ramBytes: 2 * GIB, vramBytes: GIB });
    expect(workerOf(silent, dialectFor('2.1.0'))?.reserved).toEqual({ ramBytes: 0, vramBytes: 0 });
  });

  it('a worker without GPUs says so', async () => {
    const { client } = setup({ workers: [{ name: 'cpu', gpus: [], ramTotal: 16 * GIB }] });
    expect((await settle(client.inventory())).label).toBe(
      'no GPU, 16.00 GiB RAM (GPUStack at gpustack.lan:8080)',
    );
  });
});

describe('engine', () => {
  it('reads settings at call time, shares one client (and batch) per server and key', async () => {
    const api = new GpustackApi({ version: 'v2.0.0' });
    const scheduler = new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE), random: () => 0.5 });
    let settings = {
      ...DEFAULT_SETTINGS,
      serverUrl: BASE,
      apiKey: GPUSTACK_KEYS.admin,
      apiKeyOrigin: BASE,
      clusterId: 1,
      backend: 'llama-cpp-custom',
      flashAttention: true,
    };
    const engine = createGpustackEngine({ scheduler, generations: memoryStore() });
    expect(await engine.available(settings)).toBe(true);
    const verdicts = await settle(
      Promise.all([
        engine.evaluate(engineInput(settings, 'a-7B-Q4_K_M.gguf'), { priority: 'bulk' }),
        engine.evaluate(engineInput(settings, 'b-7B-Q4_K_M-00001-of-00002.gguf'), { priority: 'bulk' }),
      ]),
    );
    expect(verdicts.every((v) => v.compatible)).toBe(true);
    const posts = api.requests.filter((r) => r.pathname === '/v2/model-evaluations');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.json).toEqual({
      cluster_id: 1,
      model_specs: [
        expect.objectContaining({
          huggingface_filename: 'a-7B-Q4_K_M.gguf',
          backend: 'llama-cpp-custom',
          backend_parameters: ['--ctx-size=8192', '--flash-attn', '--parallel=4'],
        }),
        expect.objectContaining({ huggingface_filename: 'b-7B-Q4_K_M-*-of-00002.gguf', cluster_id: 1 }),
      ],
    });
    // A check's own settings (a per-check context size) are what it asks with.
    const own = await settle(
      engine.evaluate(engineInput({ ...settings, ctxSize: 32768 }, 'a-7B-Q4_K_M.gguf'), {}),
    );
    expect(own.contextSize).toBe(32768);
    expect(JSON.stringify(api.requests.at(-1)?.json)).toContain('"--ctx-size=32768"');
    // What the answer depends on changes with the settings, and never names the key.
    const before = engine.dependsOn({ settings, profile: DEFAULT_PROFILE });
    settings = { ...settings, ctxSize: 4096 };
    expect(engine.dependsOn({ settings, profile: DEFAULT_PROFILE })).not.toBe(before);
    expect(engine.dependsOn({ settings, profile: DEFAULT_PROFILE })).not.toContain(GPUSTACK_KEYS.admin);
  });

  it('says what to do when no server is set', async () => {
    const scheduler = new Scheduler({ buckets: {} });
    const engine = createGpustackEngine({ scheduler, generations: memoryStore() });
    expect(await engine.available(DEFAULT_SETTINGS)).toBe(false);
    await expect(engine.evaluate(engineInput(DEFAULT_SETTINGS, 'm.gguf'), {})).rejects.toMatchObject({
      message: 'No GPUStack server is set: add its address and an API key in the options.',
    });
  });
});
