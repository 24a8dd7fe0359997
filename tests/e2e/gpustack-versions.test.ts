// GPUStack as it really is, in Chromium: the impersonation of each version (support/gpustack-api.ts,
// built from the server's source) against the built extension, Engine = GPUStack server, with the
// settings a new user has (no backend, no cluster chosen, Test connection never clicked).
//   - 2.1 / 2.2: a file that fits is shown as fitting; without "Custom" the server would drop every
//     worker (and the impersonation does: proven below, so it cannot drift back);
//   - 2.0.2+: a gated repo is an error to retry, never "won't fit", and after the gate is lifted
//     "Check again" fits, though the server keeps its failure for an hour;
//   - clusters: which of the key's clusters fit; a deleted cluster says so and the API stays /v2.

import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shadowText } from './page-support';
import { type ExtensionSession, launchExtension } from './support/browser';
import { fixturePage, repoFromPage } from './support/fixture-pages';
import {
  BUILT_IN_BACKENDS,
  communityLlamaCpp,
  GPUSTACK_KEYS,
  type GpustackServer,
  LLAMA_CPP_BACKEND,
  startGpustackServer,
} from './support/gpustack-server';
import { type HfServer, startHfServer } from './support/hf-server';
import { hostResolverRules } from './support/resolver-rules';

const REPO = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const TREE = `https://huggingface.co/${REPO}/tree/main`;
const Q4 = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';
const Q6 = 'Qwen2.5-7B-Instruct-Q6_K.gguf';
const GIB = 1024 ** 3;
const HOST = 'gpustack-v2.test';

let hf: HfServer;
let gpustack: GpustackServer;
let ext: ExtensionSession | undefined;

beforeAll(async () => {
  const html = fixturePage('tree-gguf-2025.html');
  hf = await startHfServer({ repos: [repoFromPage(html)], pages: { [`/${REPO}/tree/main`]: html } });
  gpustack = await startGpustackServer({ host: HOST, version: 'v2.1.0' });
});

afterAll(async () => {
  await gpustack?.close();
  await hf?.close();
});

afterEach(async () => {
  await ext?.close();
  ext = undefined;
});

/** A fresh browser, as a user who saved only the server, a key and Engine = GPUStack server. */
async function start(
  key: string = GPUSTACK_KEYS.admin,
  more: Record<string, unknown> = {},
): Promise<ExtensionSession> {
  ext = await launchExtension({
    hostResolverRules: hostResolverRules({ ...hf.hostMap, ...gpustack.hostMap }),
  });
  const worker = await ext.worker();
  await worker.evaluate(
    async (settings) => {
      await chrome.storage.local.set({ 'settings.v1': settings });
    },
    { serverUrl: gpustack.origin, apiKey: key, engine: 'gpustack', ...more },
  );
  return ext;
}

async function openTree(session: ExtensionSession): Promise<Page> {
  const page = await session.context.newPage();
  await page.goto(TREE);
  await page.locator('gpustack-check').first().waitFor();
  // Every state a control ever shows, as a page script could record it.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seenStates: string[] }).seenStates = seen;
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        seen.push(
          `${el.dataset.file}|${el.dataset.state}|${el.dataset.engine ?? ''}|${el.dataset.compatible ?? ''}`,
        );
      }
    }).observe(document.body, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-state', 'data-compatible'],
    });
  });
  return page;
}

const control = (page: Page, file: string) => page.locator(`gpustack-check[data-file="${file}"]`);
const evaluations = () => gpustack.requests.filter((r) => r.pathname.endsWith('/model-evaluations'));
const lastSpecs = () =>
  (evaluations().at(-1)?.json as { model_specs: Array<Record<string, unknown>> } | undefined)?.model_specs ??
  [];
/** Never a failure shown as the server's "won't fit". */
async function noFailureAsVerdict(page: Page): Promise<string[]> {
  const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
  return seen.filter((s) => s.endsWith('|gpustack|false'));
}

async function checkAndWait(page: Page, file: string, state: 'done' | 'error' = 'done') {
  const host = control(page, file);
  await host.click();
  await expect.poll(() => host.getAttribute('data-state')).toBe(state);
  return host;
}

function reset(version: string) {
  gpustack.setVersion(version);
  gpustack.setHub({});
  gpustack.clearEvaluationCache();
  gpustack.setClusters([{ id: 1, name: 'default' }]);
  gpustack.setBackends([...BUILT_IN_BACKENDS, LLAMA_CPP_BACKEND, communityLlamaCpp(false)]);
  gpustack.api.workers = [
    {
      name: 'gpu-box-1',
      gpus: [{ name: 'NVIDIA GeForce RTX 4090', memoryTotal: 24 * GIB }],
      ramTotal: 64 * GIB,
      clusterId: 1,
    },
  ];
  gpustack.clearLog();
}

describe.each(['v2.1.0', 'v2.2.3'])('GPUStack %s, nothing chosen in Options', (version) => {
  it('a file that fits is shown fitting, asked for with backend "Custom"', async () => {
    reset(version);
    const page = await openTree(await start());
    const q4 = await checkAndWait(page, Q4);
    expect(await q4.getAttribute('data-engine')).toBe('gpustack');
    expect(await q4.getAttribute('data-compatible')).toBe('true');
    const [spec] = lastSpecs();
    expect(spec).toMatchObject({ backend: 'Custom', huggingface_filename: Q4 });
    // 2.x's UI leaves cpu_offloading out; 2.2's leaves distribution out for a custom backend.
    expect('cpu_offloading' in (spec ?? {})).toBe(false);
    expect('distributed_inference_across_workers' in (spec ?? {})).toBe(version < 'v2.2');
    expect(await noFailureAsVerdict(page)).toEqual([]);
  });

  it('with no GGUF backend enabled, resources fit but it says so: never a plain "fits"', async () => {
    reset(version);
    gpustack.setBackends([...BUILT_IN_BACKENDS, communityLlamaCpp(false)]);
    const page = await openTree(await start());
    const q4 = await checkAndWait(page, Q4);
    expect(await q4.getAttribute('data-compatible')).toBe('true');
    expect(await q4.getAttribute('data-caveat')).toBe('no-gguf-backend');
    expect(await shadowText(page, `gpustack-check[data-file="${Q4}"]`)).toMatch(/^Fits, no GGUF backend/);
    await q4.click();
    expect(await shadowText(page, `gpustack-check[data-file="${Q4}"]`, '.pop')).toContain(
      'Resources fit, but no GGUF backend is enabled: enable llama.cpp in GPUStack or choose a backend in Options.',
    );
  });

  it('the impersonation drops every worker when `backend` is left out (backend_framework_filter.py:162)', async () => {
    reset(version);
    const answer = await gpustack.request('/v2/model-evaluations', {
      method: 'POST',
      headers: { Authorization: `Bearer ${GPUSTACK_KEYS.admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model_specs: [{ source: 'huggingface', huggingface_repo_id: REPO, huggingface_filename: Q4 }],
      }),
    });
    const [result] = (JSON.parse(answer.text) as { results: Array<Record<string, unknown>> }).results;
    expect(result).toMatchObject({
      compatible: false,
      compatibility_messages: ['Unable to find a schedulable worker for the model.'],
    });
    expect(String(result?.scheduling_messages)).toMatch(
      /^- Worker gpu-box-1 filtered out: No backend versions are available for GPU device \(cuda 12\.4\)\n$/,
    );
  });
});

describe('a failure of the server is a failure (2.0.2+)', () => {
  for (const version of ['v2.0.3', 'v2.2.3']) {
    it(`${version}: a gated repo is an error to retry; once the gate is lifted, Check again fits`, async () => {
      reset(version);
      gpustack.setHub({ gated: [REPO] });
      const page = await openTree(await start());
      const q4 = await checkAndWait(page, Q4, 'error');
      expect(await q4.getAttribute('data-retryable')).toBe('true');
      expect(await q4.getAttribute('data-compatible')).toBeNull();
      expect(await shadowText(page, `gpustack-check[data-file="${Q4}"]`)).toMatch(
        /Access to the model is restricted/,
      );
      // The server answered compatible: false with the text, and keeps it for an hour.
      const first = evaluations().at(-1)?.json as { model_specs: Array<Record<string, unknown>> };
      expect(first.model_specs[0]?.meta).toBeUndefined();

      gpustack.setHub({});
      await checkAndWait(page, Q4);
      expect(await q4.getAttribute('data-engine')).toBe('gpustack');
      expect(await q4.getAttribute('data-compatible')).toBe('true');
      // Asked under a new key of the server's cache: its one-hour answer was not what we showed.
      expect(lastSpecs()[0]?.meta).toEqual({ 'gpustack-check-attempt': expect.any(Number) });
      expect(await noFailureAsVerdict(page)).toEqual([]);
    });
  }

  it('v2.2.3: a missing file and a slow Hugging Face are errors too, never "won’t fit"', async () => {
    reset('v2.2.3');
    gpustack.setHub({ files: { [REPO]: [Q6] }, slow: [] });
    const page = await openTree(await start());
    await checkAndWait(page, Q4, 'error');
    expect(await shadowText(page, `gpustack-check[data-file="${Q4}"]`)).toMatch(/File \[\] not found/);
    gpustack.setHub({ slow: [REPO] });
    const q6 = await checkAndWait(page, Q6, 'error');
    expect(await q6.getAttribute('data-retryable')).toBe('true');
    expect(await noFailureAsVerdict(page)).toEqual([]);
  });
});

describe('clusters (2.2)', () => {
  function twoClusters() {
    reset('v2.2.3');
    gpustack.setClusters([
      { id: 1, name: 'gpu-east', org: 'acme' },
      { id: 2, name: 'cpu-lab', org: 'acme' },
      { id: 3, name: 'rival-gpus', org: 'rival' },
    ]);
    gpustack.api.keyOrgs = { [GPUSTACK_KEYS.owner]: 'acme' };
    gpustack.api.workers = [
      {
        name: 'east-1',
        gpus: [{ name: 'NVIDIA H100', memoryTotal: 80 * GIB }],
        ramTotal: 256 * GIB,
        clusterId: 1,
      },
      { name: 'lab-1', gpus: [], ramTotal: 32 * GIB, clusterId: 2 },
      {
        name: 'rival-1',
        gpus: [{ name: 'NVIDIA H100', memoryTotal: 80 * GIB }],
        ramTotal: 256 * GIB,
        clusterId: 3,
      },
    ];
  }

  it('no cluster chosen: one POST for every cluster, naming which of the key’s clusters fit', async () => {
    twoClusters();
    const page = await openTree(await start(GPUSTACK_KEYS.owner));
    const q4 = await checkAndWait(page, Q4);
    expect(await q4.getAttribute('data-compatible')).toBe('true');
    expect(evaluations()).toHaveLength(1);
    expect((evaluations()[0]?.json as { cluster_id?: unknown } | undefined)?.cluster_id).toBeUndefined();
    await q4.click();
    const details = await shadowText(page, `gpustack-check[data-file="${Q4}"]`, '.pop');
    expect(details).toContain('Fits on gpu-east.');
    expect(details).toContain('Does not fit on cpu-lab.');
    // 2.2 evaluates every organization's clusters; another's is none of this user's business.
    expect(details).not.toContain('rival');
  });

  it('a deleted cluster gets its sentence, and the next check still speaks /v2', async () => {
    twoClusters();
    const session = await start(GPUSTACK_KEYS.owner, { clusterId: 2 });
    const page = await openTree(session);
    await checkAndWait(page, Q4);
    gpustack.setClusters([{ id: 1, name: 'gpu-east', org: 'acme' }]);
    const q6 = await checkAndWait(page, Q6, 'error');
    expect(await q6.getAttribute('data-retryable')).toBe('false');
    expect(await shadowText(page, `gpustack-check[data-file="${Q6}"]`)).toContain(
      'The cluster #2 chosen in Options does not exist on GPUStack at http://gpustack-v2.test any more',
    );
    expect(evaluations().at(-1)?.status).toBe(404);
    // The user picks another cluster: the server's version was not forgotten, nor its API.
    const worker = await session.worker();
    await worker.evaluate(async () => {
      const stored = (await chrome.storage.local.get('settings.v1'))['settings.v1'] as Record<
        string,
        unknown
      >;
      await chrome.storage.local.set({ 'settings.v1': { ...stored, clusterId: 1 } });
    });
    gpustack.clearLog();
    await checkAndWait(page, Q6);
    expect(gpustack.requests.map((r) => r.pathname)).not.toContain('/version');
    expect(evaluations().map((r) => r.pathname)).toEqual(['/v2/model-evaluations']);
    expect((evaluations()[0]?.json as { cluster_id?: number } | undefined)?.cluster_id).toBe(1);
  });

  it('2.1: a cluster deleted after the worker started is found out, not shown as "won’t fit"', async () => {
    reset('v2.1.2');
    gpustack.setClusters([
      { id: 1, name: 'default' },
      { id: 2, name: 'spare' },
    ]);
    gpustack.api.workers.push({
      name: 'spare-1',
      gpus: [{ name: 'NVIDIA L40S', memoryTotal: 48 * GIB }],
      ramTotal: 64 * GIB,
      clusterId: 2,
    });
    const page = await openTree(await start(GPUSTACK_KEYS.admin, { clusterId: 2 }));
    await checkAndWait(page, Q4);
    // A cluster goes with its workers.
    gpustack.setClusters([{ id: 1, name: 'default' }]);
    gpustack.api.workers = gpustack.api.workers.filter((w) => w.clusterId === 1);
    await checkAndWait(page, Q6, 'error');
    expect(await shadowText(page, `gpustack-check[data-file="${Q6}"]`)).toContain(
      'The cluster #2 chosen in Options',
    );
    expect(await noFailureAsVerdict(page)).toEqual([]);
  });
});
