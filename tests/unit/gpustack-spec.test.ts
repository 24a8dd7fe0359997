// Pure rules of the GPUStack client: server addresses, API generations, ModelSpecs for Hub GGUF
// files, verdicts from results, lists of clusters and GGUF-capable backends, pagination.

import { describe, expect, it } from 'vitest';
import { CheckError } from '../../utils/errors';
import { clustersOf, ggufBackendsOf } from '../../utils/gpustack/catalog';
import { toVerdict } from '../../utils/gpustack/evaluation';
import { generationOf } from '../../utils/gpustack/generation';
import { pageOf, pagePath } from '../../utils/gpustack/pages';
import { originPattern, parseServerUrl, sameOrigin } from '../../utils/gpustack/server-url';
import { backendParameters, buildModelSpec, specParamsFrom } from '../../utils/gpustack/spec';
import { DEFAULT_SETTINGS } from '../../utils/settings';
import { BUILT_IN_BACKENDS, LLAMA_CPP_BACKEND, TGI_BACKEND } from '../e2e/support/gpustack-api';
import { SPEC_PARAMS as PARAMS } from '../support/gpustack';

describe('server addresses', () => {
  it('takes what people type and keeps the origin the key belongs to', () => {
    expect(parseServerUrl('gpustack.lan:8080/')).toEqual({
      origin: 'http://gpustack.lan:8080',
      base: 'http://gpustack.lan:8080',
    });
    expect(parseServerUrl(' https://example.com/gpustack/ ')).toEqual({
      origin: 'https://example.com',
      base: 'https://example.com/gpustack',
    });
    expect(parseServerUrl('http://192.168.1.5')?.origin).toBe('http://192.168.1.5');
    expect(originPattern('http://gpustack.lan:8080')).toBe('http://gpustack.lan:8080/*');
  });

  it('refuses what is not an http(s) address, and credentials in the URL', () => {
    for (const bad of ['', '   ', 'ftp://x', 'javascript:alert(1)', 'http://user:pw@host', 'http://']) {
      expect(parseServerUrl(bad), bad).toBeNull();
    }
  });

  it('compares origins, not spellings', () => {
    expect(sameOrigin('gpustack.lan', 'http://gpustack.lan/')).toBe(true);
    expect(sameOrigin('http://gpustack.lan', 'https://gpustack.lan')).toBe(false);
    expect(sameOrigin('http://a', '')).toBe(false);
  });
});

describe('API generation from /version', () => {
  it('0.x speaks /v1, 1.x and 2.x speak /v2; dev builds say nothing', () => {
    expect(generationOf('v0.6.1')).toBe('v1');
    expect(generationOf('0.7.1rc2')).toBe('v1');
    expect(generationOf('v1.0.0')).toBe('v2');
    expect(generationOf('v2.0.0')).toBe('v2');
    expect(generationOf('2.2.3')).toBe('v2');
    expect(generationOf('0.0.0')).toBeNull();
    expect(generationOf('main')).toBeNull();
  });
});

describe('ModelSpec for a Hub GGUF file', () => {
  it('a single file on 0.x: llama-box, GPUStack defaults, one replica, offloading allowed', () => {
    expect(
      buildModelSpec('v1', {
        repo: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
        file: 'qwen2.5-7b-instruct-q4_k_m.gguf',
        params: PARAMS,
      }),
    ).toEqual({
      source: 'huggingface',
      huggingface_repo_id: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
      huggingface_filename: 'qwen2.5-7b-instruct-q4_k_m.gguf',
      backend: 'llama-box',
      backend_parameters: ['--ctx-size=8192', '--parallel=4'],
      replicas: 1,
      cpu_offloading: true,
      distributed_inference_across_workers: true,
    });
  });

  it('a split model becomes a glob of its shards, folder kept', () => {
    const spec = buildModelSpec('v1', {
      repo: 'unsloth/DeepSeek-R1-GGUF',
      file: 'Q4_K_M/DeepSeek-R1-Q4_K_M-00001-of-00009.gguf',
      params: PARAMS,
    });
    expect(spec.huggingface_filename).toBe('Q4_K_M/DeepSeek-R1-Q4_K_M-*-of-00009.gguf');
  });

  it('2.x names the chosen backend, or none (the server picks, as its UI does)', () => {
    const input = { repo: 'a/b-GGUF', file: 'b-Q8_0.gguf' };
    expect(
      buildModelSpec('v2', { ...input, params: { ...PARAMS, backend: 'llama.cpp-server' } }).backend,
    ).toBe('llama.cpp-server');
    expect('backend' in buildModelSpec('v2', { ...input, params: PARAMS })).toBe(false);
    // 0.x always runs GGUF on llama-box, whatever 2.x backend is saved.
    expect(
      buildModelSpec('v1', { ...input, params: { ...PARAMS, backend: 'llama.cpp-server' } }).backend,
    ).toBe('llama-box');
  });

  it('flags follow the settings', () => {
    expect(
      backendParameters({ ...PARAMS, ctxSize: 32768, flashAttention: true, cacheType: 'q8_0', parallel: 1 }),
    ).toEqual([
      '--ctx-size=32768',
      '--flash-attn',
      '--cache-type-k=q8_0',
      '--cache-type-v=q8_0',
      '--parallel=1',
    ]);
    expect(specParamsFrom(DEFAULT_SETTINGS)).toEqual(PARAMS);
  });
});

describe('verdicts from evaluation results', () => {
  it('compatible: the claim, and no placement (GPUStack names none)', () => {
    const verdict = toVerdict({
      compatible: true,
      compatibility_messages: [],
      scheduling_messages: [],
      resource_claim: { ram: 314572800, vram: 5476083302 },
      error: null,
    });
    expect(verdict).toEqual({
      engine: 'gpustack',
      compatible: true,
      messages: [],
      vramBytes: 5476083302,
      ramBytes: 314572800,
    });
    expect('placement' in verdict).toBe(false);
  });

  it('incompatible: no claim, GPUStack’s own messages verbatim and in order', () => {
    const verdict = toVerdict({
      compatible: false,
      compatibility_messages: ['Unable to find a schedulable worker for the model.'],
      scheduling_messages: ['The model requires approximately 40.2 GiB VRAM and 0.3 GiB RAM.', 42],
      resource_claim: { ram: 1, vram: 2 },
    });
    expect(verdict).toEqual({
      engine: 'gpustack',
      compatible: false,
      messages: [
        'Unable to find a schedulable worker for the model.',
        'The model requires approximately 40.2 GiB VRAM and 0.3 GiB RAM.',
      ],
    });
  });

  it('2.x: the chosen cluster’s claim wins', () => {
    const raw = {
      compatible: true,
      resource_claim: { ram: 1, vram: 1 },
      resource_claim_by_cluster_id: { '2': { ram: 20, vram: 200 } },
    };
    expect(toVerdict(raw, 2)).toMatchObject({ vramBytes: 200, ramBytes: 20 });
    expect(toVerdict(raw, null)).toMatchObject({ vramBytes: 1, ramBytes: 1 });
  });

  it('error: true is a CheckError with the server’s sentence', () => {
    let thrown: unknown;
    try {
      toVerdict({ compatible: false, error: true, error_message: '429 Client Error: Too Many Requests' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CheckError);
    expect((thrown as CheckError).message).toBe(
      'GPUStack could not evaluate this file: 429 Client Error: Too Many Requests',
    );
    expect((thrown as CheckError).retryable).toBe(true);
  });
});

describe('2.x catalog', () => {
  it('lists user-added backends that serve GGUF, never built-in ones or the "Custom" placeholder', () => {
    const items = [
      ...BUILT_IN_BACKENDS,
      { backend_name: 'Custom', is_built_in: false },
      TGI_BACKEND,
      LLAMA_CPP_BACKEND,
    ];
    expect(ggufBackendsOf(items)).toEqual(['llama.cpp-server']);
    expect(ggufBackendsOf([...BUILT_IN_BACKENDS, TGI_BACKEND])).toEqual([]);
    expect(ggufBackendsOf([{ backend_name: 'my-gguf', is_built_in: false }, 'junk', null])).toEqual([
      'my-gguf',
    ]);
  });

  it('reads clusters, skipping malformed items', () => {
    expect(clustersOf([{ id: 1, name: 'default' }, { id: 'x' }, { id: 3 }])).toEqual([
      { id: 1, name: 'default' },
      { id: 3, name: '#3' },
    ]);
  });
});

describe('pagination', () => {
  it('rounds a fractional totalPage up and falls back to total / perPage', () => {
    expect(pageOf({ items: [], pagination: { totalPage: 2.5 } })?.totalPages).toBe(3);
    expect(pageOf({ items: [], pagination: { total: 250 } })?.totalPages).toBe(3);
    expect(pageOf({ items: [] })?.totalPages).toBe(1);
    expect(pageOf({ items: [], pagination: { totalPage: 1e9 } })?.totalPages).toBe(100);
    expect(pageOf({ results: [] })).toBeNull();
    expect(pagePath('/v2/workers?cluster_id=2', 3)).toBe('/v2/workers?cluster_id=2&page=3&perPage=100');
  });
});
