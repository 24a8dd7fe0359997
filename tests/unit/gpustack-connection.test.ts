// "Test connection" against the fake GPUStack API through a real Scheduler: the report for both API
// generations, one plain sentence for each way it fails, and where the key may go.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionReport } from '../../utils/common/protocol';
import { DEFAULT_SETTINGS, serverOrigin } from '../../utils/common/settings';
import { GpustackClient } from '../../utils/worker/engines/gpustack/client';
import { runConnectionTest } from '../../utils/worker/engines/gpustack/connection';
import { testConnection } from '../../utils/worker/engines/gpustack/index';
import { Scheduler } from '../../utils/worker/scheduler/scheduler';
import {
  BUILT_IN_BACKENDS,
  failures,
  fetchFor,
  GPUSTACK_KEYS,
  GpustackApi,
  type GpustackApiConfig,
  TGI_BACKEND,
} from '../e2e/support/gpustack-api';
import { GPUSTACK_BASE as BASE, memoryStore, SPEC_PARAMS as PARAMS } from '../support/gpustack';

function setup(config: GpustackApiConfig = {}, apiKey: string = GPUSTACK_KEYS.admin, base = BASE) {
  const api = new GpustackApi(config);
  const seen: Array<{ url: string; init: RequestInit }> = [];
  const scheduler = new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE, seen), random: () => 0.5 });
  const generations = memoryStore();
  const client = new GpustackClient({ scheduler, serverUrl: base, apiKey, generations });
  const test = async (): Promise<ConnectionReport> => {
    const report = runConnectionTest(client);
    await vi.runAllTimersAsync();
    return report;
  };
  return { api, seen, scheduler, client, generations, test };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connection report', () => {
  it('0.6: version, generation v1, both rights, no clusters or backends (0.x has neither)', async () => {
    const { test, api, generations } = setup({ version: 'v0.6.1' });
    expect(await test()).toEqual({
      version: 'v0.6.1',
      generation: 'v1',
      canEvaluate: true,
      canListWorkers: true,
      clusters: [],
      backends: [],
      message: 'Connected to GPUStack v0.6.1: this key may evaluate models and list workers.',
    });
    const probe = api.requests.find((r) => r.pathname === '/v1/model-evaluations');
    expect(probe?.json).toEqual({ model_specs: [] });
    expect(api.evaluations).toBe(0);
    expect(api.requests.find((r) => r.pathname === '/v1/workers')?.query.get('perPage')).toBe('1');
    // Remembered for the engine, which then never asks /version again.
    expect(generations.known.get('http://gpustack.lan:8080')).toEqual({
      generation: 'v1',
      version: 'v0.6.1',
    });
  });

  it('2.x: clusters and the GGUF-capable backends', async () => {
    const { test } = setup({
      version: 'v2.0.0',
      clusters: [
        { id: 1, name: 'default' },
        { id: 7, name: 'lab' },
      ],
    });
    expect(await test()).toEqual({
      version: 'v2.0.0',
      generation: 'v2',
      canEvaluate: true,
      canListWorkers: true,
      clusters: [
        { id: 1, name: 'default' },
        { id: 7, name: 'lab' },
      ],
      backends: ['llama-cpp-custom'],
      message: 'Connected to GPUStack v2.0.0: this key may evaluate models and list workers.',
    });
  });

  it('a dev build (0.0.0) is told apart by whether /v2 exists, asked without the key', async () => {
    const v1 = setup({ version: '0.0.0', generation: 'v1' });
    expect((await v1.test()).generation).toBe('v1');
    const v2 = setup({ version: '0.0.0', generation: 'v2' });
    expect(await v2.test()).toMatchObject({ version: '0.0.0', generation: 'v2', canEvaluate: true });
    const probe = v2.api.requests.find((r) => r.path === '/v2/workers?perPage=1' && !r.headers.authorization);
    expect(probe?.status).toBe(401);
  });
});

describe('one sentence per failure', () => {
  it('unreachable http server', async () => {
    const { test } = setup({}, GPUSTACK_KEYS.admin, 'http://10.0.0.9:8080');
    const report = await test();
    expect(report.version).toBeNull();
    expect(report.message).toBe(
      'Could not reach http://10.0.0.9:8080: check the address and port, and that the GPUStack server is running and reachable from this computer.',
    );
  });

  it('https server that fails: down, or a certificate to trust in a tab', async () => {
    const { test } = setup({}, GPUSTACK_KEYS.admin, 'https://gpustack.lan');
    expect((await test()).message).toBe(
      'Could not reach https://gpustack.lan: the server is down or unreachable, or this browser does not trust its certificate. If it uses a self-signed certificate, open https://gpustack.lan once in a tab, trust the certificate, then test again.',
    );
  });

  it('401: a wrong key', async () => {
    const report = await setup({}, 'gpustack_wrong_key').test();
    expect(report).toMatchObject({
      version: 'v0.6.1',
      generation: 'v1',
      canEvaluate: false,
      canListWorkers: false,
    });
    expect(report.message).toBe(
      "http://gpustack.lan:8080 rejected the API key (401): copy a valid key from GPUStack's API Keys page and paste it here.",
    );
  });

  it('403: a key of a user who is not an admin (0.6 - 2.1)', async () => {
    const report = await setup({ version: 'v0.6.1' }, GPUSTACK_KEYS.user).test();
    expect(report).toMatchObject({ canEvaluate: false, canListWorkers: false });
    expect(report.message).toBe(
      'The API key is valid but may not evaluate models or list workers (403): use a key of an administrator (GPUStack 2.2 and later: of an organization owner).',
    );
  });

  it('403 on 2.2: a key whose scope leaves out management', async () => {
    const report = await setup({ version: 'v2.2.0' }, GPUSTACK_KEYS.inference).test();
    expect(report.canEvaluate).toBe(false);
    expect(report.message).toBe(
      "The API key's scope leaves out management (403): in GPUStack's API Keys, edit the key (or add one) and tick “Platform Management” under Access Permissions.",
    );
  });

  it('2.2: a key of a personal space may list workers but not evaluate, and is told how to get one', async () => {
    const report = await setup({ version: 'v2.2.0' }, GPUSTACK_KEYS.user).test();
    expect(report).toMatchObject({
      canEvaluate: false,
      canListWorkers: true,
      backends: ['llama-cpp-custom'],
    });
    // api/tenant.py:100-107: require_org_role, for a non-admin outside an organization.
    expect(report.message).toMatch(/^GPUStack answered “Insufficient organization role” \(403\)/);
    expect(report.message).toMatch(/Platform Management/);
  });

  it('an HTML sign-in page instead of JSON', async () => {
    const { test, api } = setup();
    api.injectFailure(() => failures.loginPage());
    expect((await test()).message).toBe(
      "http://gpustack.lan:8080 answered with a web page (probably a sign-in page) instead of GPUStack's API: use the GPUStack server's own address, or let requests with an API key through the proxy in front of it.",
    );
  });

  it('a sign-in page only on the API (after /version)', async () => {
    const { test, api } = setup();
    api.injectFailure((req) => (req.pathname === '/version' ? undefined : failures.loginPage()));
    const report = await test();
    expect(report).toMatchObject({ version: 'v0.6.1', canEvaluate: false });
    expect(report.message).toMatch(/answered with a web page/);
  });

  it('5xx', async () => {
    const { test, api } = setup();
    api.injectFailure((req) =>
      req.pathname === '/v1/model-evaluations' ? failures.serverError() : undefined,
    );
    const report = await test();
    expect(report.message).toBe(
      "http://gpustack.lan:8080 had an internal error (HTTP 500): try again later, or look at the GPUStack server's logs.",
    );
    // The scheduler tried 3 times before giving up.
    expect(api.requests.filter((r) => r.pathname === '/v1/model-evaluations')).toHaveLength(3);
  });

  it('not a GPUStack server at all', async () => {
    const { test, api } = setup();
    api.injectFailure(() => ({ status: 404, body: { detail: 'Not Found' } }));
    expect((await test()).message).toBe(
      'http://gpustack.lan:8080 does not look like a GPUStack server (it tells no GPUStack version at /version): check the address.',
    );
  });

  it('2.x without a GGUF backend', async () => {
    const report = await setup({ version: 'v2.0.0', backends: [...BUILT_IN_BACKENDS, TGI_BACKEND] }).test();
    expect(report).toMatchObject({ canEvaluate: true, canListWorkers: true, backends: [] });
    expect(report.message).toBe(
      'Connected to GPUStack v2.0.0, but no enabled backend runs GGUF files: enable llama.cpp on its Inference Backends page (GPUStack 2.1 and later) or add one that runs llama.cpp, then test again. Until then, checks tell whether the resources fit.',
    );
  });

  it('no key yet: says what the server is and asks for one, sending nothing with auth', async () => {
    const { test, api } = setup({}, '');
    expect((await test()).message).toBe(
      'Reached GPUStack v0.6.1; add an API key so the extension may ask it about models.',
    );
    expect(api.requests.map((r) => r.pathname)).toEqual(['/version']);
  });

  it('a key with characters no header may carry', async () => {
    const { test, api } = setup({}, 'gpustack_abc def\u00e9');
    expect((await test()).message).toMatch(/^The API key contains characters no GPUStack key has/);
    expect(api.requests.map((r) => r.pathname)).toEqual(['/version']);
  });

  it('never puts the key in the report', async () => {
    for (const key of [GPUSTACK_KEYS.admin, GPUSTACK_KEYS.user, 'gpustack_wrong_key']) {
      const report = await setup({ version: 'v2.0.0' }, key).test();
      expect(JSON.stringify(report)).not.toContain(key);
    }
  });
});

describe('evaluation errors as CheckErrors', () => {
  it.each([
    [
      'bad key',
      'gpustack_wrong_key',
      undefined,
      { code: 'unauthorized', message: /rejected the API key \(401\)/ },
    ],
    [
      'non-admin',
      GPUSTACK_KEYS.user,
      undefined,
      { code: 'unauthorized', message: /may not evaluate models/ },
    ],
    [
      '5xx',
      GPUSTACK_KEYS.admin,
      'server-error',
      { code: 'upstream', retryable: true, message: /internal error \(HTTP 500\)/ },
    ],
    ['login page', GPUSTACK_KEYS.admin, 'login', { code: 'upstream', message: /answered with a web page/ }],
  ] as const)('%s', async (_name, key, failure, expected) => {
    const { client, api } = setup({}, key);
    if (failure) {
      api.injectFailure((req) =>
        req.pathname === '/version'
          ? undefined
          : failure === 'login'
            ? failures.loginPage()
            : failures.serverError(),
      );
    }
    const outcome = client.evaluate({ repo: 'o/r-GGUF', file: 'm-Q4_K_M.gguf', params: PARAMS });
    outcome.catch(() => {});
    await vi.runAllTimersAsync();
    const error = await outcome.then(
      () => null,
      (e: unknown) => e as { code: string; message: string; retryable: boolean },
    );
    expect(error?.code).toBe(expected.code);
    expect(error?.message).toMatch(expected.message);
    if ('retryable' in expected) expect(error?.retryable).toBe(expected.retryable);
  });

  it('no key: refuses before sending anything', async () => {
    const { client, api } = setup({}, '');
    await expect(client.evaluate({ repo: 'o/r-GGUF', file: 'm.gguf', params: PARAMS })).rejects.toMatchObject(
      {
        code: 'unauthorized',
      },
    );
    expect(api.requests).toEqual([]);
  });

  it('a 404 on evaluations (server upgraded) forgets the generation, so the next call asks again', async () => {
    const { client, api, generations } = setup({ version: 'v0.6.1' });
    await client.detectGeneration();
    api.version = 'v2.0.0';
    const outcome = client.evaluate({ repo: 'o/r-GGUF', file: 'm.gguf', params: PARAMS });
    outcome.catch(() => {});
    await vi.runAllTimersAsync();
    await expect(outcome).rejects.toMatchObject({ code: 'upstream' });
    expect(generations.known.size).toBe(0);
    const retry = client.evaluate({ repo: 'o/r-GGUF', file: 'm.gguf', params: PARAMS });
    await vi.runAllTimersAsync();
    await expect(retry).resolves.toMatchObject({ compatible: true });
    expect(api.requests.at(-1)?.pathname).toBe('/v2/model-evaluations');
  });
});

describe('testConnection for the worker', () => {
  function worker(config: GpustackApiConfig = {}) {
    const api = new GpustackApi(config);
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const scheduler = new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE, seen), random: () => 0.5 });
    const run = async (request: { serverUrl: string; apiKey?: string }, saved = {}) => {
      const report = testConnection(
        scheduler,
        { type: 'test-connection', ...request },
        {
          ...DEFAULT_SETTINGS,
          apiKeyOrigin: serverOrigin((saved as { serverUrl?: string }).serverUrl ?? ''),
          ...saved,
        },
        { generations: memoryStore(), hasPermission: async () => true },
      );
      await vi.runAllTimersAsync();
      return report;
    };
    const authorizations = () => seen.map((s) => new Headers(s.init.headers).get('authorization'));
    return { api, seen, run, authorizations };
  }

  it('uses the saved key for the saved server', async () => {
    const { run, authorizations } = worker();
    const report = await run({ serverUrl: `${BASE}/` }, { serverUrl: BASE, apiKey: GPUSTACK_KEYS.admin });
    expect(report.canEvaluate).toBe(true);
    expect(authorizations()).toContain(`Bearer ${GPUSTACK_KEYS.admin}`);
  });

  it('never sends the saved key to another server', async () => {
    const { run, authorizations } = worker();
    const report = await run(
      { serverUrl: BASE },
      { serverUrl: 'http://other.lan', apiKey: GPUSTACK_KEYS.admin },
    );
    expect(report.message).toMatch(/add an API key/);
    expect(authorizations().every((a) => a === null)).toBe(true);
  });

  it('a typed key wins over the saved one', async () => {
    const { run, authorizations } = worker();
    const report = await run(
      { serverUrl: BASE, apiKey: GPUSTACK_KEYS.user },
      { serverUrl: BASE, apiKey: GPUSTACK_KEYS.admin },
    );
    expect(report.canEvaluate).toBe(false);
    expect(authorizations()).not.toContain(`Bearer ${GPUSTACK_KEYS.admin}`);
  });

  it('says so when the URL is no address, or the browser has not allowed the origin', async () => {
    const { run, api } = worker();
    expect((await run({ serverUrl: 'ftp://x' })).message).toMatch(/is not a server address/);
    const denied = testConnection(
      new Scheduler({ buckets: {}, fetch: fetchFor(api, BASE) }),
      { type: 'test-connection', serverUrl: BASE },
      DEFAULT_SETTINGS,
      { hasPermission: async () => false },
    );
    expect((await denied).message).toBe(
      'The extension may not contact http://gpustack.lan:8080 yet: press Test connection or Save in the options and allow it.',
    );
    expect(api.requests).toEqual([]);
  });
});
