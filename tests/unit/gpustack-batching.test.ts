// Evaluations through a real Scheduler against the fake GPUStack API: waiting evaluations travel as
// one request of up to 10 specs, each caller gets its own result, identical specs share one entry,
// and the server's 50-per-10-s limit on evaluations is never crossed.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckError } from '../../utils/common/errors';
import { GpustackClient } from '../../utils/worker/engines/gpustack/client';
import { Scheduler } from '../../utils/worker/scheduler/scheduler';
import {
  claimFromFilename,
  defaultEvaluator,
  evaluationError,
  fetchFor,
  GPUSTACK_KEYS,
  GpustackApi,
  type GpustackApiConfig,
} from '../e2e/support/gpustack-api';
import { GPUSTACK_BASE as BASE, memoryStore, SPEC_PARAMS as PARAMS } from '../support/gpustack';

function setup(config: GpustackApiConfig = {}) {
  const api = new GpustackApi({ clock: () => Date.now(), ...config });
  const seen: Array<{ url: string; init: RequestInit }> = [];
  const scheduler = new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE, seen), random: () => 0.5 });
  const client = new GpustackClient({
    scheduler,
    serverUrl: BASE,
    apiKey: GPUSTACK_KEYS.admin,
    generations: memoryStore(),
  });
  const posts = () => api.requests.filter((r) => r.pathname.endsWith('/model-evaluations'));
  const specsOf = (i: number) =>
    (posts()[i]?.json as { model_specs?: Array<Record<string, unknown>> } | undefined)?.model_specs ?? [];
  return { api, seen, scheduler, client, posts, specsOf };
}

const file = (i: number) => `model-${i}-7B-Q4_K_M.gguf`;

async function settle<T>(promise: Promise<T>): Promise<T> {
  await vi.runAllTimersAsync();
  return promise;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batching evaluations', () => {
  it('sends 3 evaluations waiting together as one POST with 3 specs; each caller gets its own result', async () => {
    const { client, posts, specsOf } = setup({
      evaluate: (spec, ctx) =>
        String(spec.huggingface_filename).includes('model-1-')
          ? {
              ...defaultEvaluator(spec, ctx),
              compatible: false,
              resource_claim: null,
              compatibility_messages: ['Unable to find a schedulable worker for the model.'],
            }
          : defaultEvaluator(spec, ctx),
    });
    const done = Promise.all(
      [0, 1, 2].map((i) =>
        client.evaluate({ repo: 'o/r-GGUF', file: file(i), params: PARAMS }, { priority: 'bulk' }),
      ),
    );
    const verdicts = await settle(done);
    expect(posts()).toHaveLength(1);
    expect(specsOf(0).map((s) => s.huggingface_filename)).toEqual([file(0), file(1), file(2)]);
    expect(verdicts[0]).toEqual({
      engine: 'gpustack',
      compatible: true,
      messages: [],
      vramBytes: claimFromFilename(file(0)).vram,
      ramBytes: claimFromFilename(file(0)).ram,
    });
    expect(verdicts[1]).toEqual({
      engine: 'gpustack',
      compatible: false,
      messages: ['Unable to find a schedulable worker for the model.'],
    });
    expect(verdicts[2]?.compatible).toBe(true);
  });

  it('sends 12 waiting evaluations as 2 POSTs (10 + 2), answers in the right order', async () => {
    const { client, posts, specsOf, api } = setup({
      evaluate: (spec) => ({
        compatible: true,
        compatibility_messages: [String(spec.huggingface_filename)],
        scheduling_messages: [],
        default_spec: null,
        resource_claim: { ram: 1, vram: 2 },
        error: null,
        error_message: null,
      }),
    });
    const files = Array.from({ length: 12 }, (_, i) => file(i));
    const verdicts = await settle(
      Promise.all(
        files.map((f) =>
          client.evaluate({ repo: 'o/r-GGUF', file: f, params: PARAMS }, { priority: 'bulk' }),
        ),
      ),
    );
    expect(posts()).toHaveLength(2);
    expect(specsOf(0)).toHaveLength(10);
    expect(specsOf(1)).toHaveLength(2);
    expect(verdicts.map((v) => v.messages[0])).toEqual(files);
    expect(api.evaluations).toBe(12);
  });

  it('lets identical specs share one entry, and late arrivals ride the next request', async () => {
    const { client, posts, specsOf, api } = setup();
    api.evaluator = defaultEvaluator;
    const ask = (i: number) =>
      client.evaluate({ repo: 'o/r-GGUF', file: file(i), params: PARAMS }, { priority: 'bulk' });
    const first = [ask(0), ask(0), ask(1)];
    // Let the first request leave, then ask for more while it travels.
    await vi.advanceTimersByTimeAsync(20);
    const later = [ask(2), ask(3), ask(0)];
    const all = await settle(Promise.all([...first, ...later]));
    expect(specsOf(0).map((s) => s.huggingface_filename)).toEqual([file(0), file(1)]);
    // file 0 asked again after its answer left: evaluated again; 2 and 3 share one request.
    expect(posts()).toHaveLength(2);
    expect(
      specsOf(1)
        .map((s) => s.huggingface_filename)
        .sort(),
    ).toEqual([file(0), file(2), file(3)].sort());
    expect(all[0]).toEqual(all[1]);
  });

  it('keeps different clusters and settings apart (cluster_id is per request)', async () => {
    const { client, posts, specsOf } = setup({
      version: 'v2.0.0',
      clusters: [
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ],
    });
    await settle(
      Promise.all([
        client.evaluate({ repo: 'o/r-GGUF', file: file(0), params: PARAMS, clusterId: 1 }),
        client.evaluate({ repo: 'o/r-GGUF', file: file(0), params: PARAMS, clusterId: 2 }),
        client.evaluate({
          repo: 'o/r-GGUF',
          file: file(0),
          params: { ...PARAMS, ctxSize: 4096 },
          clusterId: 1,
        }),
      ]),
    );
    expect(posts()).toHaveLength(2);
    const bodies = posts().map((p) => p.json as { cluster_id: number });
    expect(bodies.map((b) => b.cluster_id).sort()).toEqual([1, 2]);
    const one = posts().findIndex((p) => (p.json as { cluster_id: number }).cluster_id === 1);
    expect(specsOf(one).map((s) => s.backend_parameters)).toEqual([
      ['--ctx-size=8192', '--parallel=4'],
      ['--ctx-size=4096', '--parallel=4'],
    ]);
  });

  it('never sends more than 45 evaluations in 10 s, so the server’s 50 is never crossed', async () => {
    const { client, api, posts } = setup();
    const files = Array.from({ length: 100 }, (_, i) => file(i));
    const start = Date.now();
    const verdicts = await settle(
      Promise.all(
        files.map((f) =>
          client.evaluate({ repo: 'o/r-GGUF', file: f, params: PARAMS }, { priority: 'bulk' }),
        ),
      ),
    );
    expect(verdicts).toHaveLength(100);
    expect(api.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(posts().every((p) => (p.json as { model_specs: unknown[] }).model_specs.length <= 10)).toBe(true);
    // 100 evaluations at 45 per 10 s: two full windows must pass.
    expect(Date.now() - start).toBeGreaterThanOrEqual(20_000);
  });

  it('answers every caller of a failed request with the error, and error: true only its own caller', async () => {
    const { client } = setup({
      evaluate: (spec, ctx) =>
        String(spec.huggingface_filename).includes('model-1-')
          ? evaluationError('Failed to fetch from Hugging Face')
          : defaultEvaluator(spec, ctx),
    });
    const outcomes = await settle(
      Promise.allSettled(
        [0, 1].map((i) => client.evaluate({ repo: 'o/r-GGUF', file: file(i), params: PARAMS })),
      ),
    );
    expect(outcomes[0]).toMatchObject({ status: 'fulfilled', value: { compatible: true } });
    expect(outcomes[1]).toMatchObject({
      status: 'rejected',
      reason: {
        code: 'upstream',
        message: 'GPUStack could not evaluate this file: Failed to fetch from Hugging Face',
      },
    });
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(CheckError);
  });

  it('drops an entry whose only caller gave up before it was sent', async () => {
    const { client, posts, specsOf } = setup();
    const controller = new AbortController();
    const kept = client.evaluate({ repo: 'o/r-GGUF', file: file(0), params: PARAMS });
    const dropped = client.evaluate(
      { repo: 'o/r-GGUF', file: file(1), params: PARAMS },
      { signal: controller.signal },
    );
    dropped.catch(() => {});
    await vi.advanceTimersByTimeAsync(0);
    controller.abort(new DOMException('tab closed', 'AbortError'));
    await settle(kept);
    await expect(dropped).rejects.toThrow('tab closed');
    expect(posts()).toHaveLength(1);
    expect(specsOf(0).map((s) => s.huggingface_filename)).toEqual([file(0)]);
  });

  it('sends the key as a Bearer header, with credentials omitted, and nothing to /version', async () => {
    const { client, seen } = setup();
    await settle(client.evaluate({ repo: 'o/r-GGUF', file: file(0), params: PARAMS }));
    const version = seen.find((s) => s.url === `${BASE}/version`);
    const post = seen.find((s) => s.url === `${BASE}/v1/model-evaluations`);
    expect(new Headers(version?.init.headers).get('authorization')).toBeNull();
    expect(new Headers(post?.init.headers).get('authorization')).toBe(`Bearer ${GPUSTACK_KEYS.admin}`);
    expect(seen.every((s) => s.init.credentials === 'omit')).toBe(true);
    expect(seen.every((s) => new Headers(s.init.headers).get('cookie') === null)).toBe(true);
  });
});
