// Every GPUStack version group, from the server's source (tags v0.6.0 – v2.2.3): the spec its own
// UI sends for a GGUF file, and how each kind of result of that version reads — a verdict, a failure
// of the server, the backend filter, words we do not know.

import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../utils/common/settings';
import {
  dialectFor,
  dialectOf,
  groupOf,
  type VersionGroup,
} from '../../utils/worker/engines/gpustack/dialect';
import {
  messageLines,
  type ReadOptions,
  readResult,
  UNSCHEDULABLE,
} from '../../utils/worker/engines/gpustack/evaluation';
import {
  backendParameters,
  buildModelSpec,
  defaultModelName,
  escapeGlob,
  huggingfaceFilename,
  specParamsFrom,
} from '../../utils/worker/engines/gpustack/spec';
import {
  DEFAULT_WORKERS,
  defaultEvaluator,
  type EvaluationContext,
  fnmatch,
  rulesOf,
} from '../e2e/support/gpustack-api';
import { SPEC_PARAMS as PARAMS } from '../support/gpustack';

const REPO = 'bartowski/Qwen2.5-7B-Instruct-GGUF';
const FILE = 'Qwen2.5-7B-Instruct-Q4_K_M.gguf';
const GROUPS: VersionGroup[] = ['0.6', '0.7', '2.0.0', '2.0.2', '2.1.0', '2.1.1', '2.2'];
/** A release of each group, as /version says it. */
const RELEASE: Record<VersionGroup, string> = {
  '0.6': 'v0.6.1',
  '0.7': 'v0.7.1',
  '2.0.0': 'v2.0.1',
  '2.0.2': 'v2.0.3',
  '2.1.0': 'v2.1.0',
  '2.1.1': 'v2.1.2',
  '2.2': 'v2.2.3',
};

describe('version groups', () => {
  it('puts each release in its group, and probes what it does not know', () => {
    const cases: Array<[string, VersionGroup | null]> = [
      ['v0.6.0', '0.6'],
      ['v0.6.2', '0.6'],
      ['v0.7.0', '0.7'],
      ['0.7.1rc2', '0.7'],
      ['v2.0.0', '2.0.0'],
      ['v2.0.1', '2.0.0'],
      ['v2.0.2rc1', '2.0.2'],
      ['v2.0.3', '2.0.2'],
      ['v2.1.0', '2.1.0'],
      ['v2.1.1', '2.1.1'],
      ['v2.1.2', '2.1.1'],
      ['v2.2.0', '2.2'],
      ['v2.2.3', '2.2'],
      ['v2.3.0', '2.2'],
      ['0.0.0', null],
      ['v0.0.0', null],
      ['v1.0.0', null],
      ['v3.0.0', null],
      ['main', null],
    ];
    for (const [version, group] of cases) expect(groupOf(version), version).toBe(group);
  });

  it('a dev build takes the newest rules of the API it speaks; a newer major is marked', () => {
    expect(dialectOf({ version: '0.0.0', generation: 'v2' }).group).toBe('2.2');
    expect(dialectOf({ version: 'v0.0.0', generation: 'v1' }).group).toBe('0.7');
    expect(dialectOf({ version: 'v3.1.0', generation: 'v2' })).toMatchObject({
      group: '2.2',
      newerThanKnown: true,
    });
    expect(dialectOf({ version: 'v2.1.2', generation: 'v2' }).newerThanKnown).toBe(false);
  });

  it('keeps the rules the source sets, each from its first tag', () => {
    const table = GROUPS.map((g) => {
      const d = dialectFor(g);
      return [
        g,
        d.generation,
        d.failuresAsIncompatible,
        d.backendRequired,
        d.clusterNotFound404,
        d.defaultReserved.ramBytes > 0,
      ];
    });
    expect(table).toEqual([
      ['0.6', 'v1', false, false, false, true],
      ['0.7', 'v1', false, false, false, true],
      ['2.0.0', 'v2', false, false, false, true],
      ['2.0.2', 'v2', true, false, false, false],
      ['2.1.0', 'v2', true, true, false, false],
      ['2.1.1', 'v2', true, true, false, false],
      ['2.2', 'v2', true, true, true, false],
    ]);
  });
});

describe('the spec each version’s UI sends for a GGUF file', () => {
  const spec = (group: VersionGroup, extra: Partial<Parameters<typeof buildModelSpec>[1]> = {}) =>
    buildModelSpec(dialectFor(group), { repo: REPO, file: FILE, params: PARAMS, ...extra });
  const common = {
    name: 'qwen2.5-7b-instruct',
    source: 'huggingface',
    huggingface_repo_id: REPO,
    huggingface_filename: FILE,
    backend_parameters: ['--ctx-size=8192', '--parallel=4'],
    replicas: 1,
    categories: [],
    placement_strategy: 'spread',
    gpu_selector: null,
    restart_on_error: true,
  };
  const v2 = {
    backend: 'Custom',
    backend_version: null,
    description: '',
    worker_selector: {},
    extended_kv_cache: { enabled: false },
    speculative_config: { enabled: false },
    generic_proxy: false,
  };

  it('0.6: llama-box, CPU offloading and distribution on (UI v0.6.1 hooks/index.ts, data-form.tsx)', () => {
    expect(spec('0.6')).toEqual({
      ...common,
      backend: 'llama-box',
      cpu_offloading: true,
      distributed_inference_across_workers: true,
    });
  });

  it('0.7: and an empty description, worker selector and env', () => {
    expect(spec('0.7')).toEqual({
      ...common,
      backend: 'llama-box',
      cpu_offloading: true,
      distributed_inference_across_workers: true,
      description: '',
      worker_selector: {},
      env: {},
    });
  });

  for (const group of ['2.0.0', '2.0.2'] as const) {
    it(`${group}: "Custom" when no backend is chosen, no cpu_offloading, env null`, () => {
      expect(spec(group)).toEqual({
        ...common,
        ...v2,
        env: null,
        distributed_inference_across_workers: true,
      });
    });
  }

  for (const group of ['2.1.0', '2.1.1'] as const) {
    it(`${group}: never without a backend (the filter would drop every worker); a model route`, () => {
      expect(spec(group)).toEqual({
        ...common,
        ...v2,
        env: {},
        distributed_inference_across_workers: true,
        enable_model_route: true,
      });
    });
  }

  it('2.2: distribution left out for a non-built-in backend (UI v2.2.0 advance-config.tsx:110)', () => {
    expect(spec('2.2')).toEqual({ ...common, ...v2, env: {}, enable_model_route: true });
  });

  it('2.x names the chosen backend and repeats the cluster; 0.x always runs llama-box', () => {
    for (const group of ['2.0.0', '2.1.0', '2.2'] as const) {
      expect(spec(group, { params: { ...PARAMS, backend: 'llama.cpp' }, clusterId: 3 })).toMatchObject({
        backend: 'llama.cpp',
        cluster_id: 3,
      });
    }
    expect(spec('0.7', { params: { ...PARAMS, backend: 'llama.cpp' }, clusterId: 3 })).toMatchObject({
      backend: 'llama-box',
    });
    expect('cluster_id' in spec('0.7', { clusterId: 3 })).toBe(false);
  });

  it('after a failure the server keeps, a `meta` that makes a new key in its cache, nothing else', () => {
    for (const group of GROUPS) {
      const { meta, ...rest } = spec(group, { attempt: 1700000000000 });
      expect(meta).toEqual({ 'gpustack-check-attempt': 1700000000000 });
      expect(rest).toEqual(spec(group));
    }
  });

  it('the default name is GPUStack UI’s: the repo, lower case, without "-gguf"', () => {
    expect(defaultModelName('Qwen/Qwen2.5-7B-Instruct-GGUF')).toBe('qwen2.5-7b-instruct');
    expect(defaultModelName('TheBloke/Llama-2-7B-gguf')).toBe('llama-2-7b');
    expect(defaultModelName('o/plain')).toBe('plain');
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

describe('huggingface_filename, as the server’s fnmatch reads it', () => {
  const listing = [
    'model-[v2]-Q4_K_M.gguf',
    'model-v-Q4_K_M.gguf',
    'what?-Q8_0.gguf',
    'whatX-Q8_0.gguf',
    'star*-Q4_0.gguf',
    'starry-Q4_0.gguf',
    'Q4_K_M/Model-[x]-Q4_K_M-00001-of-00003.gguf',
    'Q4_K_M/Model-[x]-Q4_K_M-00002-of-00003.gguf',
    'Q4_K_M/Model-[x]-Q4_K_M-00003-of-00003.gguf',
    'Q8_0/Model-[x]-Q8_0-00001-of-00002.gguf',
  ];
  const firstMatch = (pattern: string) => listing.filter((f) => fnmatch(f, pattern)).sort()[0];

  it('a name with pattern characters matches itself and nothing else', () => {
    for (const file of ['model-[v2]-Q4_K_M.gguf', 'what?-Q8_0.gguf', 'star*-Q4_0.gguf']) {
      expect(
        listing.filter((f) => fnmatch(f, huggingfaceFilename(file))),
        file,
      ).toEqual([file]);
      // Unescaped, the server would miss it (or take another file).
      expect(listing.filter((f) => fnmatch(f, file))).not.toEqual([file]);
    }
    expect(escapeGlob('a[b]*?.gguf')).toBe('a[[]b][*][?].gguf');
  });

  it('a split model is a glob of its own shards, folder kept, the first shard first', () => {
    const glob = huggingfaceFilename('Q4_K_M/Model-[x]-Q4_K_M-00001-of-00003.gguf');
    expect(glob).toBe('Q4_K_M/Model-[[]x]-Q4_K_M-*-of-00003.gguf');
    expect(listing.filter((f) => fnmatch(f, glob))).toHaveLength(3);
    expect(firstMatch(glob)).toBe('Q4_K_M/Model-[x]-Q4_K_M-00001-of-00003.gguf');
  });
});

/** What the server of a group answers, made by the impersonation (built from the same source). */
function serverResult(group: VersionGroup, setup: Partial<EvaluationContext> = {}, spec = {}) {
  const version = RELEASE[group];
  const rules = rulesOf(version);
  const ctx: EvaluationContext = {
    clusterId: null,
    workers: DEFAULT_WORKERS,
    generation: rules.api,
    rules,
    hub: {},
    backends: [],
    ...setup,
  };
  const sent = buildModelSpec(dialectFor(group), { repo: REPO, file: FILE, params: PARAMS });
  return defaultEvaluator({ ...sent, ...spec }, ctx);
}

const read = (group: VersionGroup, raw: unknown, options: Partial<ReadOptions> = {}) =>
  readResult(raw, { dialect: dialectFor(group), clusterId: null, ...options });

const HUGE = [
  {
    name: 'small',
    gpus: [{ name: 'GPU', memoryTotal: 2 * 1024 ** 3 }],
    ramTotal: 4 * 1024 ** 3,
    clusterId: 1,
  },
];

describe('reading results, version by version', () => {
  it('a no-fit is a verdict on every version, with the server’s sentences one per line', () => {
    for (const group of GROUPS) {
      const raw = serverResult(group, { workers: HUGE }, { cpu_offloading: false });
      const reading = read(group, raw, group.startsWith('2') ? { clusterId: 1 } : {});
      expect(reading.kind, group).toBe('verdict');
      if (reading.kind !== 'verdict') continue;
      expect(reading.verdict.compatible).toBe(false);
      expect(reading.verdict.messages[0]).toBe(UNSCHEDULABLE);
      expect(reading.verdict.messages.slice(1).join(' '), group).toMatch(
        /^The model requires approximately [\d.]+ GiB VRAM and [\d.]+ GiB RAM\.\s*The available GPU has [\d.]+ GiB VRAM/,
      );
    }
  });

  it('0.6 writes plain sentences, 0.7.0 "" first, 0.7.1+ "- " bullets: all read as the same lines', () => {
    expect(messageLines(['', '- a.\n- b.'])).toEqual(['a.', 'b.']);
    expect(messageLines(['- Matched 1/2 workers by READY status.\n', '- a.\n- b.'])).toEqual([
      'Matched 1/2 workers by READY status.',
      'a.',
      'b.',
    ]);
    expect(serverResult('0.6', { workers: HUGE }).scheduling_messages[0]).not.toMatch(/^- /);
    expect(serverResult('0.7', { workers: HUGE }, { cpu_offloading: false }).scheduling_messages[0]).toMatch(
      /^- /,
    );
  });

  const gated = { hub: { gated: [REPO] } };
  const missing = { hub: { files: { [REPO]: ['other.gguf'] } } };
  const slow = { hub: { slow: [REPO] } };
  const parser = { hub: { parserErrors: { [REPO]: 'failed to parse GGUF file: invalid magic\n' } } };

  it('≤ 2.0.1: a failure is error: true, which the server does not keep', () => {
    for (const group of ['0.6', '0.7', '2.0.0'] as const) {
      for (const setup of [gated, missing, slow, parser]) {
        const raw = serverResult(group, setup);
        expect(raw.error, group).toBe(true);
        expect(read(group, raw)).toMatchObject({ kind: 'failure', kept: false });
      }
    }
  });

  it('2.0.2+: the same failures come as compatible: false, kept an hour — read as failures, not verdicts', () => {
    for (const group of ['2.0.2', '2.1.0', '2.1.1', '2.2'] as const) {
      for (const setup of [gated, missing, slow, parser]) {
        const raw = serverResult(group, setup);
        expect(raw.compatible, group).toBe(false);
        expect(raw.error).toBeNull();
        const reading = read(group, raw);
        expect(reading, `${group} ${raw.compatibility_messages[0]}`).toMatchObject({
          kind: 'failure',
          kept: true,
        });
      }
    }
    // The access check timing out leaves an empty message (asyncio.TimeoutError).
    expect(read('2.1.0', { compatible: false, compatibility_messages: [''] })).toMatchObject({
      kind: 'failure',
    });
  });

  it('the file-not-found text names the glob on 0.6 and "[]" from 0.7 (calculator.py)', () => {
    expect(serverResult('0.6', missing).error_message).toBe(
      `Failed to get the file for model qwen2.5-7b-instruct, error: File ${FILE} not found in ${REPO}`,
    );
    expect(serverResult('2.2', missing).compatibility_messages).toEqual([
      `Failed to get the file for model qwen2.5-7b-instruct, error: File [] not found in ${REPO}`,
    ]);
  });

  it('a failure text on a version that reports failures as errors is not ours to read: unknown', () => {
    const raw = {
      compatible: false,
      compatibility_messages: ['Access to the model is restricted. Please …'],
    };
    expect(read('2.0.0', raw)).toMatchObject({ kind: 'unknown' });
    expect(read('2.0.2', raw)).toMatchObject({ kind: 'failure' });
  });

  it('words we do not know are shown as the server’s, never as "won’t fit"', () => {
    const raw = {
      compatible: false,
      compatibility_messages: ['Unsupported model. To proceed with deployment, …'],
    };
    for (const group of GROUPS)
      expect(read(group, raw)).toMatchObject({
        kind: 'unknown',
        text: 'Unsupported model. To proceed with deployment, …',
      });
  });

  it('2.1+: a spec without backend drops every worker — the filter, not the hardware', () => {
    for (const group of ['2.1.0', '2.1.1', '2.2'] as const) {
      const raw = serverResult(group, {}, { backend: undefined });
      expect(raw.compatible, group).toBe(false);
      expect(raw.scheduling_messages.join('')).toMatch(
        /filtered out: No backend versions are available for GPU device/,
      );
      expect(read(group, raw).kind).toBe('backend');
      // What we send instead: "Custom", which the filter lets through.
      expect(serverResult(group).compatible, group).toBe(true);
    }
    // 2.0.x lets every worker through when it finds no framework for the name.
    expect(serverResult('2.0.2', {}, { backend: undefined }).compatible).toBe(true);
  });

  it('2.0.x names frameworks when a backend cannot run on the workers', () => {
    const raw = serverResult(
      '2.0.0',
      {
        backends: [
          {
            backend_name: 'rocm-custom',
            is_built_in: false,
            version_configs: { v: { custom_framework: 'rocm' } },
          },
        ],
      },
      { backend: 'rocm-custom', cpu_offloading: undefined },
    );
    // cpu is always among a worker's frameworks on 2.0, and rocm-custom has no cpu version.
    expect(raw.scheduling_messages.join('')).toMatch(
      /runtime frameworks \[cpu, cuda\] not compatible with backend rocm-custom/,
    );
    expect(read('2.0.0', raw).kind).toBe('backend');
  });

  it('workers that are not ready make a verdict, saying so', () => {
    const raw = serverResult('2.2', {
      workers: [{ ...(DEFAULT_WORKERS[0] as (typeof DEFAULT_WORKERS)[0]), state: 'not_ready' }],
    });
    expect(raw.scheduling_messages).toEqual(['- Matched 0/1 workers by READY status.\n']);
    const reading = read('2.2', raw, { clusterId: 1 });
    expect(reading).toMatchObject({ kind: 'verdict', verdict: { compatible: false } });
  });

  describe('clusters (2.x)', () => {
    const visible = [
      { id: 1, name: 'gpu-east' },
      { id: 2, name: 'cpu-lab' },
    ];
    const claim = (vram: number) => ({ ram: 1, vram });

    it('no cluster chosen: which of the key’s clusters fit, the claim of the first that does', () => {
      const raw = {
        compatible: true,
        resource_claim: claim(99),
        resource_claim_by_cluster_id: { '7': claim(99), '1': claim(5) },
        scheduling_messages: ['- about a cluster nobody names\n'],
      };
      const reading = read('2.2', raw, { visibleClusters: visible });
      expect(reading).toEqual({
        kind: 'verdict',
        verdict: {
          engine: 'gpustack',
          compatible: true,
          messages: [],
          vramBytes: 5,
          ramBytes: 1,
          clusters: [
            { name: 'gpu-east', fits: true },
            { name: 'cpu-lab', fits: false },
          ],
        },
      });
    });

    it('fitting only on clusters the key cannot see (2.2 evaluates every organization’s) is no fit', () => {
      const raw = {
        compatible: true,
        resource_claim: claim(9),
        resource_claim_by_cluster_id: { '7': claim(9) },
      };
      expect(read('2.2', raw, { visibleClusters: visible })).toMatchObject({
        kind: 'verdict',
        verdict: { compatible: false, clusters: [{ fits: false }, { fits: false }] },
      });
    });

    it('a chosen cluster: its own claim', () => {
      const raw = {
        compatible: true,
        resource_claim: claim(1),
        resource_claim_by_cluster_id: { '2': claim(200) },
      };
      expect(read('2.1.0', raw, { clusterId: 2 })).toMatchObject({
        kind: 'verdict',
        verdict: { vramBytes: 200 },
      });
    });

    it('0.x has no clusters: the claim as given', () => {
      expect(read('0.7', { compatible: true, resource_claim: claim(3) })).toMatchObject({
        verdict: { vramBytes: 3 },
      });
    });
  });
});

describe('the impersonation keeps the server’s cluster rule', () => {
  it('2.0 – 2.1 evaluate an unknown cluster as no workers: the texts the catalog check exists for', () => {
    const raw = serverResult('2.1.1', { workers: [], clusterId: 9 });
    expect(raw).toMatchObject({
      compatible: false,
      compatibility_messages: [UNSCHEDULABLE],
      scheduling_messages: [],
      resource_claim_by_cluster_id: {},
    });
  });
});
