// The fake GPUStack server keeps GPUStack's rules, or the e2e tests built on it prove nothing: auth
// order (a session cookie beats the key), rights per version, pagination, the evaluation limit.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  evaluationError,
  GPUSTACK_KEYS,
  GpustackApi,
  type GpustackServer,
  startGpustackServer,
} from '../e2e/support/gpustack-server';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function ask(
  api: GpustackApi,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
) {
  const answer = api.handle({ method, path, headers, body: body === undefined ? '' : JSON.stringify(body) });
  return {
    status: answer.status,
    json: answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : null,
  };
}

describe('fake GPUStack API', () => {
  it('answers /version without auth, and the API of its generation only', () => {
    const v1 = new GpustackApi({ version: 'v0.6.1' });
    expect(ask(v1, 'GET', '/version').json).toMatchObject({ version: 'v0.6.1' });
    expect(ask(v1, 'GET', '/v1/workers', bearer(GPUSTACK_KEYS.admin)).status).toBe(200);
    expect(ask(v1, 'GET', '/v2/workers', bearer(GPUSTACK_KEYS.admin)).status).toBe(404);
    expect(ask(v1, 'GET', '/v1/clusters', bearer(GPUSTACK_KEYS.admin)).status).toBe(404);
    const v2 = new GpustackApi({ version: 'v2.0.0' });
    expect(ask(v2, 'GET', '/v1/workers', bearer(GPUSTACK_KEYS.admin)).status).toBe(404);
    expect(ask(v2, 'GET', '/v2/clusters', bearer(GPUSTACK_KEYS.admin)).status).toBe(200);
  });

  it('ignores the key when a session cookie comes along, as GPUStack does', () => {
    const api = new GpustackApi();
    const withCookie = { ...bearer(GPUSTACK_KEYS.admin), cookie: 'theme=dark; gpustack_session=stale' };
    expect(ask(api, 'GET', '/v1/workers', withCookie)).toMatchObject({
      status: 401,
      json: { code: 401, reason: 'Unauthorized' },
    });
    expect(
      ask(api, 'GET', '/v1/workers', { cookie: 'theme=dark', ...bearer(GPUSTACK_KEYS.admin) }).status,
    ).toBe(200);
    expect(ask(api, 'GET', '/v1/workers', { authorization: 'Basic YTpi' }).status).toBe(401);
    expect(ask(api, 'GET', '/v1/workers').status).toBe(401);
    expect(ask(api, 'GET', '/v1/workers', bearer('gpustack_unknown')).status).toBe(401);
  });

  it('gives rights per version: admin only before 2.2; scope, then role, on 2.2', () => {
    const v1 = new GpustackApi({ version: 'v0.6.1' });
    expect(
      ask(v1, 'POST', '/v1/model-evaluations', bearer(GPUSTACK_KEYS.user), { model_specs: [] }),
    ).toMatchObject({
      status: 403,
      json: { message: 'No permission to access' },
    });
    expect(ask(v1, 'GET', '/v1/workers', bearer(GPUSTACK_KEYS.user)).status).toBe(403);
    const v22 = new GpustackApi({ version: 'v2.2.0' });
    expect(ask(v22, 'GET', '/v2/workers', bearer(GPUSTACK_KEYS.user)).status).toBe(200);
    expect(
      ask(v22, 'POST', '/v2/model-evaluations', bearer(GPUSTACK_KEYS.user), { model_specs: [] }),
    ).toMatchObject({
      status: 403,
      json: { message: 'Insufficient organization role' },
    });
    expect(
      ask(v22, 'POST', '/v2/model-evaluations', bearer(GPUSTACK_KEYS.owner), { model_specs: [] }).status,
    ).toBe(200);
    expect(ask(v22, 'GET', '/v2/workers', bearer(GPUSTACK_KEYS.inference)).json).toMatchObject({
      message: 'API key does not have permission to access management features',
    });
    expect(ask(v22, 'GET', '/v2/workers', { 'x-api-key': GPUSTACK_KEYS.admin }).status).toBe(200);
    expect(
      ask(new GpustackApi({ version: 'v2.0.0' }), 'GET', '/v2/workers', { 'x-api-key': GPUSTACK_KEYS.admin })
        .status,
    ).toBe(401);
  });

  it('paginates lists; 0.x refuses more than 100 per page', () => {
    const api = new GpustackApi({
      workers: Array.from({ length: 5 }, (_, i) => ({ name: `w${i}`, gpus: [], ramTotal: 1 })),
    });
    const page = ask(api, 'GET', '/v1/workers?page=2&perPage=2', bearer(GPUSTACK_KEYS.admin)).json;
    expect(page).toMatchObject({ pagination: { page: 2, perPage: 2, total: 5, totalPage: 3 } });
    expect(((page?.items ?? []) as Array<{ name: string }>).map((w) => w.name)).toEqual(['w2', 'w3']);
    expect(ask(api, 'GET', '/v1/workers?perPage=500', bearer(GPUSTACK_KEYS.admin)).status).toBe(422);
    expect(ask(api, 'GET', '/v1/gpu-devices', bearer(GPUSTACK_KEYS.admin)).status).toBe(200);
  });

  it('evaluates per spec, checks the body, and answers 429 past 50 evaluations in 10 s', () => {
    let now = 0;
    const api = new GpustackApi({
      clock: () => now,
      evaluate: (spec, ctx) =>
        spec.huggingface_filename === 'bad.gguf'
          ? evaluationError('boom')
          : {
              compatible: true,
              compatibility_messages: [],
              scheduling_messages: [],
              default_spec: null,
              resource_claim: { ram: 1, vram: ctx.workers.length },
              error: null,
              error_message: null,
            },
    });
    const spec = (name: string) => ({
      source: 'huggingface',
      huggingface_repo_id: 'o/r',
      huggingface_filename: name,
    });
    const post = (body: unknown) =>
      ask(api, 'POST', '/v1/model-evaluations', bearer(GPUSTACK_KEYS.admin), body);
    expect(post({ model_specs: [] }).json).toEqual({ results: [] });
    expect(post({ model_specs: [spec('a.gguf'), spec('bad.gguf')] }).json).toMatchObject({
      results: [{ compatible: true }, { error: true, error_message: 'boom' }],
    });
    expect(post({ model_specs: [{ source: 'huggingface' }] }).status).toBe(422);
    expect(post({ model_specs: 'x' }).status).toBe(422);
    expect(post({ model_specs: Array.from({ length: 48 }, (_, i) => spec(`${i}.gguf`)) }).status).toBe(200);
    const over = api.handle({
      method: 'POST',
      path: '/v1/model-evaluations',
      headers: bearer(GPUSTACK_KEYS.admin),
      body: JSON.stringify({ model_specs: [spec('x.gguf')] }),
    });
    expect(over.status).toBe(429);
    expect(over.headers['Retry-After']).toBe('10');
    now += 10_001;
    expect(post({ model_specs: [spec('x.gguf')] }).status).toBe(200);
    expect(api.evaluations).toBe(51);
  });

  it('an unknown cluster: 2.2 answers 404 before any spec; 2.0 – 2.1 evaluate no workers', () => {
    const post = (version: string, cluster: number) =>
      ask(
        new GpustackApi({ version, clusters: [{ id: 3, name: 'c' }] }),
        'POST',
        '/v2/model-evaluations',
        bearer(GPUSTACK_KEYS.admin),
        {
          cluster_id: cluster,
          model_specs: [
            {
              source: 'huggingface',
              huggingface_repo_id: 'o/r',
              huggingface_filename: 'm-7B-Q4_K_M.gguf',
              backend: 'Custom',
            },
          ],
        },
      );
    // v2.2.0 routes/model_evaluations.py:31-35
    expect(post('v2.2.0', 9)).toMatchObject({
      status: 404,
      json: { code: 404, reason: 'NotFound', message: 'Cluster not found' },
    });
    expect(post('v2.2.0', 3).status).toBe(200);
    // v2.0.0 evaluator.py:67-85, 186-215: an empty worker set, evaluated.
    for (const version of ['v2.0.0', 'v2.1.2']) {
      expect(post(version, 9)).toMatchObject({
        status: 200,
        json: {
          results: [
            {
              compatible: false,
              compatibility_messages: ['Unable to find a schedulable worker for the model.'],
              scheduling_messages: [],
              resource_claim_by_cluster_id: {},
            },
          ],
        },
      });
    }
  });

  it('keeps each result an hour, failures too from 2.0.2, but never an error: true', () => {
    for (const [version, kept] of [
      ['v2.0.1', false],
      ['v2.0.2', true],
      ['v2.2.3', true],
    ] as const) {
      let now = 0;
      const api = new GpustackApi({ version, clock: () => now, hub: { gated: ['o/r'] } });
      const body = {
        model_specs: [
          {
            source: 'huggingface',
            huggingface_repo_id: 'o/r',
            huggingface_filename: 'm.gguf',
            backend: 'Custom',
          },
        ],
      };
      const post = () =>
        ask(api, 'POST', '/v2/model-evaluations', bearer(GPUSTACK_KEYS.admin), body).json as {
          results: Array<Record<string, unknown>>;
        };
      const first = post().results[0];
      api.hub = {};
      now += 30 * 60 * 1000;
      const again = post().results[0];
      expect(again, version).toEqual(kept ? first : expect.objectContaining({ compatible: true }));
      now += 31 * 60 * 1000;
      expect(post().results[0]?.compatible, version).toBe(true);
    }
  });

  it('up to 2.1, a request from 127.0.0.1 without good credentials is the first admin (when modelled)', () => {
    for (const [version, admin] of [
      ['v0.6.1', true],
      ['v2.1.2', true],
      ['v2.2.0', false],
    ] as const) {
      const api = new GpustackApi({ version, localhostAdmin: true });
      const path = version.startsWith('v0') ? '/v1/workers' : '/v2/workers';
      expect(ask(api, 'GET', path).status, version).toBe(admin ? 200 : 401);
      expect(
        api.handle({ method: 'GET', path, headers: {}, body: '', remoteAddress: '10.0.0.2' }).status,
      ).toBe(401);
    }
  });

  it('X-API-Key from 2.1.1 (api/auth.py), Bearer before', () => {
    const key = { 'x-api-key': GPUSTACK_KEYS.admin };
    expect(ask(new GpustackApi({ version: 'v2.1.0' }), 'GET', '/v2/workers', key).status).toBe(401);
    expect(ask(new GpustackApi({ version: 'v2.1.1' }), 'GET', '/v2/workers', key).status).toBe(200);
  });

  it('lists the disabled community llama.cpp only once enabled (2.1+), with `enabled` on every backend', () => {
    const names = (version: string) =>
      (ask(new GpustackApi({ version }), 'GET', '/v2/inference-backends', bearer(GPUSTACK_KEYS.admin)).json
        ?.items ?? []) as Array<{ backend_name: string; enabled?: boolean }>;
    expect(names('v2.0.3').map((b) => b.backend_name)).toEqual([
      'vLLM',
      'SGLang',
      'MindIE',
      'VoxBox',
      'llama-cpp-custom',
    ]);
    expect(names('v2.0.3').every((b) => b.enabled === undefined)).toBe(true);
    expect(names('v2.1.0').map((b) => b.backend_name)).not.toContain('llama.cpp');
    expect(names('v2.1.0').every((b) => b.enabled === true)).toBe(true);
  });
});

describe('fake GPUStack over HTTP', () => {
  let server: GpustackServer;
  beforeAll(async () => {
    server = await startGpustackServer({ host: 'gpustack-v1.test' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves the API on 127.0.0.1 under its name, and logs every request with its headers and body', async () => {
    expect(server.origin).toBe('http://gpustack-v1.test');
    expect(server.hostMap).toEqual({ 'gpustack-v1.test': server.port });
    expect(server.hostResolverRules).toBe(
      `MAP gpustack-v1.test 127.0.0.1:${server.port},MAP * ~NOTFOUND,EXCLUDE localhost`,
    );
    const answer = await server.request('/v1/model-evaluations', {
      method: 'POST',
      headers: { ...bearer(GPUSTACK_KEYS.admin), 'Content-Type': 'application/json', Cookie: 'a=b' },
      body: JSON.stringify({ model_specs: [] }),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ results: [] });
    const logged = server.requests.at(-1);
    expect(logged).toMatchObject({
      method: 'POST',
      path: '/v1/model-evaluations',
      status: 200,
      json: { model_specs: [] },
    });
    expect(logged?.headers).toMatchObject({
      host: 'gpustack-v1.test',
      cookie: 'a=b',
      authorization: `Bearer ${GPUSTACK_KEYS.admin}`,
    });
    server.injectFailure(() => ({ status: 503, body: 'down' }));
    expect((await server.request('/version')).status).toBe(503);
    server.injectFailure(undefined);
  });
});
