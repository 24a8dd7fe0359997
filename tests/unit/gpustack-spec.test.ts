// Pure rules of the GPUStack client: server addresses, API generations, ModelSpecs for Hub GGUF
// files, verdicts from results, lists of clusters and GGUF-capable backends, pagination.

import { describe, expect, it } from 'vitest';
import { originPattern, parseServerUrl, sameOrigin } from '../../utils/common/server-url';
import { clustersOf, ggufBackendsOf } from '../../utils/worker/engines/gpustack/catalog';
import { generationOf } from '../../utils/worker/engines/gpustack/generation';
import { pageOf, pagePath } from '../../utils/worker/engines/gpustack/pages';
import {
  BUILT_IN_BACKENDS,
  communityLlamaCpp,
  LLAMA_CPP_BACKEND,
  TGI_BACKEND,
} from '../e2e/support/gpustack-api';

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
  it('0.x speaks /v1, 2.x speaks /v2; dev builds and unknown majors are probed', () => {
    expect(generationOf('v0.6.1')).toBe('v1');
    expect(generationOf('0.7.1rc2')).toBe('v1');
    expect(generationOf('v2.0.0')).toBe('v2');
    expect(generationOf('2.2.3')).toBe('v2');
    // There is no 1.x; a 3.x may move its API.
    expect(generationOf('v1.0.0')).toBeNull();
    expect(generationOf('v3.0.0')).toBeNull();
    expect(generationOf('0.0.0')).toBeNull();
    expect(generationOf('v0.0.0')).toBeNull();
    expect(generationOf('main')).toBeNull();
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
    expect(ggufBackendsOf(items)).toEqual(['llama-cpp-custom']);
    expect(ggufBackendsOf([...BUILT_IN_BACKENDS, TGI_BACKEND])).toEqual([]);
    expect(ggufBackendsOf([{ backend_name: 'my-gguf', is_built_in: false }, 'junk', null])).toEqual([
      'my-gguf',
    ]);
  });

  it('finds 2.1’s community llama.cpp once enabled, never a disabled backend', () => {
    expect(ggufBackendsOf([...BUILT_IN_BACKENDS, communityLlamaCpp(true)])).toEqual(['llama.cpp']);
    expect(ggufBackendsOf([communityLlamaCpp(false), { ...LLAMA_CPP_BACKEND, enabled: false }])).toEqual([]);
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
