// The client against the impersonation of each version: what it checks once per worker start (the
// saved backend and cluster), what it refuses to ask (".GGUF" on 2.x), how it learns a newer major,
// and why a fit may still not deploy (no GGUF backend, several workers, another revision).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../utils/common/settings';
import { memoryAttemptStore } from '../../utils/worker/engines/gpustack/attempts';
import { GpustackClient } from '../../utils/worker/engines/gpustack/client';
import { createGpustackEngine } from '../../utils/worker/engines/gpustack/engine';
import { Scheduler } from '../../utils/worker/scheduler/scheduler';
import {
  BUILT_IN_BACKENDS,
  communityLlamaCpp,
  fetchFor,
  GPUSTACK_KEYS,
  GpustackApi,
  type GpustackApiConfig,
} from '../e2e/support/gpustack-api';
import { GPUSTACK_BASE as BASE, engineInput, memoryStore, SPEC_PARAMS as PARAMS } from '../support/gpustack';

const GIB = 1024 ** 3;
const REPO = 'o/model-GGUF';
const FILE = 'model-7B-Q4_K_M.gguf';

function setup(config: GpustackApiConfig = {}) {
  const api = new GpustackApi({ clock: () => Date.now(), ...config });
  const scheduler = new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE), random: () => 0.5 });
  const generations = memoryStore();
  const client = new GpustackClient({
    scheduler,
    serverUrl: BASE,
    apiKey: GPUSTACK_KEYS.admin,
    generations,
    attempts: memoryAttemptStore(),
  });
  const paths = () => api.requests.map((r) => r.pathname);
  return { api, scheduler, client, generations, paths };
}

async function settle<T>(promise: Promise<T>): Promise<T> {
  const settled = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const outcome = await settled;
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the saved backend and cluster, checked once per worker start', () => {
  it('reads clusters and backends once for any number of checks', async () => {
    const { client, paths } = setup({ version: 'v2.2.3' });
    for (const file of ['a-7B-Q4_K_M.gguf', 'b-7B-Q4_K_M.gguf', 'c-7B-Q4_K_M.gguf']) {
      await settle(client.evaluate({ repo: REPO, file, params: PARAMS }));
    }
    expect(paths().filter((p) => p === '/v2/clusters')).toHaveLength(1);
    expect(paths().filter((p) => p === '/v2/inference-backends')).toHaveLength(1);
    expect(paths().filter((p) => p === '/v2/model-evaluations')).toHaveLength(3);
  });

  it('a saved backend the server no longer offers is said plainly, before asking', async () => {
    const { client, paths } = setup({ version: 'v2.1.2' });
    const gone = settle(
      client.evaluate({ repo: REPO, file: FILE, params: { ...PARAMS, backend: 'removed-custom' } }),
    );
    await expect(gone).rejects.toMatchObject({
      code: 'not-found',
      message:
        'The backend “removed-custom” chosen in Options is not offered by GPUStack at http://gpustack.lan:8080 any more (removed or disabled): choose another in Options.',
    });
    expect(paths()).not.toContain('/v2/model-evaluations');
  });

  it('a saved cluster that is gone (2.2: 404 "Cluster not found") keeps the server’s version', async () => {
    const { client, api, generations } = setup({ version: 'v2.2.3', clusters: [{ id: 1, name: 'a' }] });
    await settle(client.evaluate({ repo: REPO, file: FILE, params: PARAMS, clusterId: 1 }));
    api.clusters = [{ id: 2, name: 'b' }];
    const gone = settle(
      client.evaluate({ repo: REPO, file: 'x-7B-Q4_K_M.gguf', params: PARAMS, clusterId: 1 }),
    );
    await expect(gone).rejects.toMatchObject({ code: 'not-found', retryable: false });
    expect(api.requests.at(-1)?.status).toBe(404);
    expect(generations.known.get(BASE)).toEqual({ generation: 'v2', version: 'v2.2.3' });
  });
});

describe('what the client will not ask', () => {
  it('2.x: a name ending in upper-case ".GGUF" is not GGUF to the server; 0.x names llama-box and may', async () => {
    const v2 = setup({ version: 'v2.2.3' });
    await expect(
      settle(v2.client.evaluate({ repo: REPO, file: 'model-Q4_K_M.GGUF', params: PARAMS })),
    ).rejects.toMatchObject({
      code: 'unsupported',
      message:
        'GPUStack 2.x treats only names ending in lower-case “.gguf” as GGUF files, so it cannot evaluate “model-Q4_K_M.GGUF”.',
    });
    expect(v2.paths()).not.toContain('/v2/model-evaluations');
    const v1 = setup({ version: 'v0.7.1' });
    await expect(
      settle(v1.client.evaluate({ repo: REPO, file: 'model-7B-Q4_K_M.GGUF', params: PARAMS })),
    ).resolves.toMatchObject({
      compatible: true,
    });
  });
});

describe('versions this extension does not know', () => {
  it('a 3.x that still answers on /v2 is used with the newest known rules', async () => {
    const { client, paths } = setup({ version: 'v3.0.0', generation: 'v2' });
    expect(await settle(client.dialect())).toMatchObject({
      generation: 'v2',
      group: '2.2',
      newerThanKnown: true,
    });
    expect(paths()).toContain('/v2/workers');
  });

  it('a 3.x without /v2 is said to be newer, never assumed to speak it', async () => {
    const { client, paths } = setup({ version: 'v3.0.0', generation: 'v1' });
    await expect(settle(client.dialect())).rejects.toMatchObject({
      message:
        'GPUStack v3.0.0 is newer than this extension knows, and it does not answer on the /v2 API this extension speaks.',
    });
    expect(paths()).not.toContain('/v2/model-evaluations');
  });
});

describe('why a fit may still not deploy', () => {
  it('"Custom" fits, but no backend that runs GGUF is enabled: a caveat, never a plain fit', async () => {
    const disabled = setup({ version: 'v2.1.0', backends: [...BUILT_IN_BACKENDS, communityLlamaCpp(false)] });
    expect(await settle(disabled.client.evaluate({ repo: REPO, file: FILE, params: PARAMS }))).toMatchObject({
      compatible: true,
      caveats: ['no-gguf-backend'],
    });
    const enabled = setup({ version: 'v2.1.0', backends: [...BUILT_IN_BACKENDS, communityLlamaCpp(true)] });
    const fine = await settle(enabled.client.evaluate({ repo: REPO, file: FILE, params: PARAMS }));
    expect(fine.caveats).toBeUndefined();
  });

  it('2.0 – 2.1: a fit that needs several workers (RPC) may not deploy on a custom backend', async () => {
    const workers = [0, 1].map((i) => ({
      name: `w${i}`,
      gpus: [{ name: 'RTX 3060', memoryTotal: 12 * GIB }],
      ramTotal: 64 * GIB,
      clusterId: 1,
    }));
    // model-32B at Q4: about 19 GiB with its context: more than one 12 GiB GPU, less than two.
    const big = 'model-32B-Q4_K_M.gguf';
    const v21 = setup({ version: 'v2.1.2', workers });
    expect(await settle(v21.client.evaluate({ repo: REPO, file: big, params: PARAMS }))).toMatchObject({
      compatible: true,
      caveats: ['several-workers'],
    });
    // 2.2 leaves distribution out for custom backends: the server itself says it does not fit.
    const v22 = setup({ version: 'v2.2.3', workers });
    expect(await settle(v22.client.evaluate({ repo: REPO, file: big, params: PARAMS }))).toMatchObject({
      compatible: false,
    });
  });

  it('the engine says which clusters fit and that the server evaluates main', async () => {
    const api = new GpustackApi({
      version: 'v2.0.3',
      clusters: [
        { id: 1, name: 'east' },
        { id: 2, name: 'west' },
      ],
      workers: [
        { name: 'e', gpus: [{ name: 'H100', memoryTotal: 80 * GIB }], ramTotal: 64 * GIB, clusterId: 1 },
        { name: 'w', gpus: [{ name: 'T4', memoryTotal: 2 * GIB }], ramTotal: 8 * GIB, clusterId: 2 },
      ],
    });
    const scheduler = new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE), random: () => 0.5 });
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      serverUrl: BASE,
      apiKey: GPUSTACK_KEYS.admin,
      apiKeyOrigin: BASE,
    };
    const engine = createGpustackEngine({
      scheduler,
      generations: memoryStore(),
      attempts: memoryAttemptStore(),
    });
    const verdict = await settle(engine.evaluate(engineInput(settings, FILE, { revision: 'refs/pr/3' }), {}));
    expect(verdict.messages).toEqual([
      'Fits on east.',
      'Does not fit on west.',
      "GPUStack evaluates the repository's main branch, not “refs/pr/3”.",
    ]);
    const main = await settle(engine.evaluate(engineInput(settings, FILE), {}));
    expect(main.messages).toEqual(['Fits on east.', 'Does not fit on west.']);
  });
});

describe('the key belongs to its server', () => {
  it('a saved key is used only for the origin it was saved for', async () => {
    const api = new GpustackApi({ version: 'v0.7.1' });
    const scheduler = new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE), random: () => 0.5 });
    const moved: Settings = {
      ...DEFAULT_SETTINGS,
      serverUrl: BASE,
      apiKey: GPUSTACK_KEYS.admin,
      apiKeyOrigin: 'http://old.lan:8080',
      engine: 'gpustack',
    };
    const engine = createGpustackEngine({ scheduler, generations: memoryStore() });
    expect(await engine.available(moved)).toBe(false);
    await expect(settle(engine.evaluate(engineInput(moved, FILE), {}))).rejects.toMatchObject({
      code: 'unauthorized',
    });
    expect(api.requests.filter((r) => r.headers.authorization || r.headers['x-api-key'])).toEqual([]);
  });
});
