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
      ask(v22, 'POST', '/v2/model-evaluations', bearer(GPUSTACK_KEYS.user), { model_specs: [] }).status,
    ).toBe(403);
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

  it('2.x: an unknown cluster is 404, a known one is passed to the evaluator', () => {
    const api = new GpustackApi({ version: 'v2.0.0', clusters: [{ id: 3, name: 'c' }] });
    const post = (cluster: number) =>
      ask(api, 'POST', '/v2/model-evaluations', bearer(GPUSTACK_KEYS.admin), {
        cluster_id: cluster,
        model_specs: [
          { source: 'huggingface', huggingface_repo_id: 'o/r', huggingface_filename: 'm-7B-Q4_K_M.gguf' },
        ],
      });
    expect(post(9)).toMatchObject({ status: 404, json: { message: 'Cluster not found' } });
    expect(post(3).status).toBe(200);
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
