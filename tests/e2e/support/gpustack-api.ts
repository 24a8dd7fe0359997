// The API of a GPUStack server, impersonated version by version from the server's own source, as
// one synchronous function from request to response: the same fake serves the e2e HTTP server
// (gpustack-server.ts) and unit tests' fetch (fetchFor).
//
// Every behaviour below names the tag and file it comes from (github.com/gpustack/gpustack; "UI" is
// gpustack/gpustack-ui). Versions behave alike within these groups:
//   0.6.x | 0.7.0 | 0.7.1 | 2.0.0–2.0.1 | 2.0.2–2.0.3 | 2.1.0 | 2.1.1–2.1.2 | 2.2.x
// Where the fake knowingly differs from the server:
// - the evaluation limit (50 per 10 s, aiolimiter in scheduler/evaluator.py) makes a real server
//   WAIT; here it answers 429, so a test sees at once when a client goes over it;
// - placement is a sketch of GGUFResourceFitSelector with a claim made from the file name and the
//   --ctx-size it is sent (claimFromFilename), not gguf-parser's figures: tests of the built-in
//   engine's numbers use the oracle, tests here use the claim this file states;
// - Hugging Face is a description (`hub`): which repos are gated, which files exist, whether it is
//   slow; the server's own texts for each case are reproduced.

export type KeyRole = 'admin' | 'owner' | 'user' | 'inference-scope';

/** Keys every fake server knows unless told otherwise. */
export const GPUSTACK_KEYS = {
  admin: 'gpustack_adm1n0000000001_s3cretAdminKeyDoNotLog',
  /** 2.2: an organization owner who is not an administrator. */
  owner: 'gpustack_0wn3r000000001_s3cretOwnerKeyDoNotLog',
  /** A user who is not an administrator (2.2: a key of their personal space). */
  user: 'gpustack_us3r0000000001_s3cretUserKeyDoNotLog',
  inference: 'gpustack_1nf3r000000001_s3cretInferenceKey',
} as const;

export const DEFAULT_KEY_ROLES: Readonly<Record<string, KeyRole>> = {
  [GPUSTACK_KEYS.admin]: 'admin',
  [GPUSTACK_KEYS.owner]: 'owner',
  [GPUSTACK_KEYS.user]: 'user',
  [GPUSTACK_KEYS.inference]: 'inference-scope',
};

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** The behaviours that change between releases, by the first tag that has them. */
export interface ServerRules {
  api: 'v1' | 'v2';
  /** v2.1.1 api/auth.py:43,67,84-87 (absent in v2.1.0). */
  xApiKey: boolean;
  /** v0.6.0 – v2.1.2 api/auth.py: no or bad credentials from 127.0.0.1 act as the first admin. */
  localhostAdmin: boolean;
  /** v2.2.0 routes/routes.py:74,87: key scopes and organization roles. */
  tenancy: boolean;
  /** v2.0.2 scheduler/evaluator.py:361-366: `except Exception` → compatible:false, cached. Before: error:true. */
  failuresAsIncompatible: boolean;
  /** v0.6.x calculator.py:624 names the glob; v0.7.0+ :741 prints the empty match list. */
  notFoundNamesGlob: boolean;
  /**
   * How scheduling messages look: 0.6 plain sentences (gguf_resource_fit_selector.py:2230-2235);
   * 0.7.0 "- " bullets with "" first (scheduler.py:345-398); 0.7.1+ bullets, filters as one
   * element ending "\n" (v0.7.1 scheduler.py:366-369).
   */
  messages: 'plain' | 'bullets-0.7.0' | 'bullets';
  /** 2.x backend filter: none (0.x), 'frameworks' (v2.0.0 backend_framework_filter.py:20-149), 'strict' (v2.1.0 :20-238). */
  backendFilter: 'none' | 'frameworks' | 'strict';
  /** v2.1.0 – v2.2.1 add ", The supported runtimes are …" to the filter's reason (v2.2.2 drops it). */
  runtimeSuffix: boolean;
  /** v2.2.0 routes/model_evaluations.py:31-35: an unknown or invisible cluster_id is a 404. */
  clusterNotFound404: boolean;
  /** --system-reserved default: 2 GiB / 1 GiB up to v2.0.1, 0 / 0 from v2.0.2 (config/config.py:237-238). */
  reserved: { ram: number; vram: number };
  /** 0.x VendorEnum "NVIDIA"; 2.x gpustack_runtime's lower-case manufacturer ids. */
  vendor: string;
  /** v2.1.0 assets/community-inference-backends.yaml: llama.cpp, seeded disabled. */
  communityLlamaCpp: boolean;
  /** v2.1.0 routes/inference_backend.py:677-683 and 2.x: the `enabled` field. */
  backendEnabledField: boolean;
}

function semver(version: string): [number, number, number] {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0), Number(m?.[3] ?? 0)];
}

/** The rules of a version; dev builds ("0.0.0") serve what `generation` says, newest rules. */
export function rulesOf(version: string, generation?: 'v1' | 'v2'): ServerRules {
  let [major, minor, patch] = semver(version);
  if (major === 0 && minor === 0 && patch === 0)
    [major, minor, patch] = generation === 'v1' ? [0, 7, 1] : [2, 2, 3];
  const at = (a: number, b: number, c: number) =>
    major > a || (major === a && (minor > b || (minor === b && patch >= c)));
  const v2 = major >= 2;
  return {
    api: generation ?? (v2 ? 'v2' : 'v1'),
    xApiKey: at(2, 1, 1),
    localhostAdmin: !at(2, 2, 0),
    tenancy: at(2, 2, 0),
    failuresAsIncompatible: at(2, 0, 2),
    notFoundNamesGlob: !at(0, 7, 0),
    messages: !at(0, 7, 0) ? 'plain' : !at(0, 7, 1) ? 'bullets-0.7.0' : 'bullets',
    backendFilter: !v2 ? 'none' : at(2, 1, 0) ? 'strict' : 'frameworks',
    runtimeSuffix: at(2, 1, 0) && !at(2, 2, 2),
    clusterNotFound404: at(2, 2, 0),
    reserved: at(2, 0, 2) ? { ram: 0, vram: 0 } : { ram: 2 * GIB, vram: GIB },
    vendor: v2 ? 'nvidia' : 'NVIDIA',
    communityLlamaCpp: at(2, 1, 0),
    backendEnabledField: at(2, 1, 0),
  };
}

export interface FakeGpu {
  name: string;
  memoryTotal: number;
  memoryAllocated?: number;
  /** Default 'cuda'. */
  type?: string;
}

export interface FakeWorker {
  name: string;
  gpus: FakeGpu[];
  ramTotal: number;
  ramAllocated?: number;
  unifiedMemory?: boolean;
  /** Bytes; default: the version's --system-reserved. */
  systemReserved?: { ram: number; vram: number };
  /** Default 'ready'. 0.x: not_ready, ready, unreachable; 2.x adds pending, provisioning, initializing, deleting, error, maintenance. */
  state?: string;
  /** 2.x */
  clusterId?: number;
}

export interface FakeCluster {
  id: number;
  name: string;
  /** 2.2: the organization that owns it; none: the platform's, visible to everyone. */
  org?: string;
}

/** An inference backend as /v2/inference-backends lists it (the fields clients read). */
export interface FakeBackend {
  backend_name: string;
  is_built_in: boolean;
  description?: string | null;
  default_run_command?: string | null;
  version_configs?: Record<
    string,
    {
      image_name?: string;
      run_command?: string;
      custom_framework?: string | null;
      built_in_frameworks?: string[];
    }
  >;
  built_in_version_configs?: Record<string, { image_name?: string; built_in_frameworks?: string[] }>;
  /** 2.1+: community backends start disabled (server/controllers.py _upsert_community_backend). */
  enabled?: boolean;
  backend_source?: 'built_in' | 'custom' | 'community';
}

/** v2.0.0 server/controllers.py:811-823: the built-ins, with runner versions for GPUs only. */
export const BUILT_IN_BACKENDS: readonly FakeBackend[] = [
  ['vLLM', 'vLLM', ['cuda', 'rocm']],
  ['SGLang', 'SGLang', ['cuda']],
  ['MindIE', 'Ascend MindIE', ['cann']],
  ['VoxBox', 'Audio models', ['cuda']],
].map(([name, description, frameworks]) => ({
  backend_name: name as string,
  is_built_in: true,
  description: description as string,
  version_configs: {},
  built_in_version_configs: { latest: { built_in_frameworks: frameworks as string[] } },
  backend_source: 'built_in' as const,
}));

/**
 * A backend a user added to serve GGUF: user backend names must end in "-custom"
 * (v2.0.0 routes/inference_backend.py:897-913), with the framework they run on.
 */
export const LLAMA_CPP_BACKEND: FakeBackend = {
  backend_name: 'llama-cpp-custom',
  is_built_in: false,
  description: 'GGUF models with llama.cpp',
  default_run_command: 'llama-server -m {{model_path}} --host 0.0.0.0 --port {{port}}',
  version_configs: {
    'b6000-custom': {
      image_name: 'ghcr.io/ggml-org/llama.cpp:server-cuda-b6000',
      custom_framework: 'cuda',
    },
  },
  backend_source: 'custom',
  enabled: true,
};

/**
 * The community llama.cpp of 2.1+ (assets/community-inference-backends.yaml:74-116), as the list
 * shows it once enabled: its frameworks moved into built_in_version_configs
 * (routes/inference_backend.py:486-508).
 */
export function communityLlamaCpp(enabled: boolean): FakeBackend {
  return {
    backend_name: 'llama.cpp',
    is_built_in: false,
    description: 'LLM inference in C/C++. Only models in the GGUF format are supported.',
    default_run_command: '-m {{model_path}} --host 0.0.0.0 --port {{port}} --alias {{model_name}}',
    version_configs: {},
    built_in_version_configs: {
      cuda: { image_name: 'ghcr.io/ggml-org/llama.cpp:server-cuda', built_in_frameworks: ['cuda'] },
      cpu: { image_name: 'ghcr.io/ggml-org/llama.cpp:server', built_in_frameworks: ['cpu'] },
      rocm: { image_name: 'ghcr.io/ggml-org/llama.cpp:server-rocm', built_in_frameworks: ['rocm'] },
    },
    backend_source: 'community',
    enabled,
  };
}

/** A user-added backend with nothing to do with GGUF. */
export const TGI_BACKEND: FakeBackend = {
  backend_name: 'tgi-custom',
  is_built_in: false,
  description: 'Text Generation Inference',
  version_configs: {
    '3.0-custom': {
      image_name: 'ghcr.io/huggingface/text-generation-inference:3.0',
      custom_framework: 'cuda',
    },
  },
  backend_source: 'custom',
  enabled: true,
};

export const DEFAULT_WORKERS: readonly FakeWorker[] = [
  {
    name: 'gpu-box-1',
    gpus: [
      { name: 'NVIDIA GeForce RTX 4090', memoryTotal: 24 * GIB, memoryAllocated: 0 },
      { name: 'NVIDIA GeForce RTX 4090', memoryTotal: 24 * GIB, memoryAllocated: 2 * GIB },
    ],
    ramTotal: 64 * GIB,
    ramAllocated: 1 * GIB,
    clusterId: 1,
  },
];

export const DEFAULT_CLUSTERS: readonly FakeCluster[] = [{ id: 1, name: 'default' }];

/** What the server finds on Hugging Face. Repos not described have every file asked for. */
export interface FakeHub {
  /** auth_check answers 401/403 (utils/hub.py): "Access to the model is restricted …". */
  gated?: string[];
  /** The files of a repo, for the server's fnmatch of huggingface_filename. */
  files?: Record<string, string[]>;
  /** Listing the repo takes more than 15 s: "Timeout when getting the file for model …". */
  slow?: string[];
  /** gguf-parser exits non-zero with this stderr, per repo. */
  parserErrors?: Record<string, string>;
}

/** A model spec as the client sent it. */
export type SentSpec = Record<string, unknown>;

export interface EvaluationResult {
  compatible: boolean;
  compatibility_messages: string[];
  scheduling_messages: string[];
  default_spec: null;
  resource_claim: { ram: number; vram: number } | null;
  resource_claim_by_cluster_id?: Record<string, { ram: number; vram: number }> | null;
  error: boolean | null;
  error_message: string | null;
}

export interface EvaluationContext {
  /** 2.x: the request's cluster_id, else null. */
  clusterId: number | null;
  /** The workers evaluate_models reads: of the cluster asked for, not provisioning/deleting/error (2.x). */
  workers: readonly FakeWorker[];
  generation: 'v1' | 'v2';
  rules: ServerRules;
  hub: FakeHub;
  backends: readonly FakeBackend[];
}

export type Evaluator = (spec: SentSpec, ctx: EvaluationContext) => EvaluationResult;

export interface ApiRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  /** Lowercased names. */
  headers: Record<string, string>;
  body: string;
  /** The peer's address; default 127.0.0.1 (every test request comes from this machine). */
  remoteAddress?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface LoggedGpustackRequest extends ApiRequest {
  pathname: string;
  query: URLSearchParams;
  /** The body parsed as JSON, when it is. */
  json?: unknown;
  status: number;
  time: number;
}

/** What a failure hook returns instead of the normal answer (a string body is sent as is). */
export interface InjectedFailure {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FailureHook = (req: LoggedGpustackRequest) => InjectedFailure | undefined;

export interface GpustackApiConfig {
  /** As /version says it; default v0.6.1. */
  version?: string;
  /** The API served whatever the version says (dev builds say "0.0.0"); default from the version. */
  generation?: 'v1' | 'v2';
  keys?: Record<string, KeyRole>;
  /** 2.2: the organization each key belongs to (its clusters are visible to it). */
  keyOrgs?: Record<string, string>;
  workers?: FakeWorker[];
  /** 2.x */
  clusters?: FakeCluster[];
  /** 2.x; default: the built-ins, the user's llama-cpp-custom, and (2.1+) the disabled community llama.cpp. */
  backends?: FakeBackend[];
  hub?: FakeHub;
  /** Replaces the evaluation of one spec (after auth, cluster and cache); default: GPUStack's steps. */
  evaluate?: Evaluator;
  /** Evaluations allowed per window; null: no limit. Default 50 per 10 s. */
  evaluationLimit?: { quota: number; windowSeconds: number } | null;
  /**
   * Up to 2.1 a request from 127.0.0.1 without good credentials acts as the first admin. Every test
   * request comes from 127.0.0.1, so this is off unless a test is about it.
   */
  localhostAdmin?: boolean;
  clock?: () => number;
}

/** Canned failures for `injectFailure`. */
export const failures = {
  /** A proxy's sign-in page, after the redirect the browser followed. */
  loginPage(): InjectedFailure {
    return {
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body: '<!doctype html><html><head><title>Sign in</title></head><body><form>Sign in</form></body></html>',
    };
  },
  serverError(message = 'Internal server error'): InjectedFailure {
    return { status: 500, body: { code: 500, reason: 'InternalServerError', message } };
  },
  badGateway(): InjectedFailure {
    return { status: 502, headers: { 'Content-Type': 'text/plain' }, body: 'Bad Gateway' };
  },
};

const QUANT_BITS: Array<[RegExp, number]> = [
  [/IQ1/i, 1.8],
  [/IQ2|Q2_K/i, 2.7],
  [/IQ3|Q3_K/i, 3.5],
  [/IQ4|Q4/i, 4.8],
  [/Q5/i, 5.6],
  [/Q6/i, 6.6],
  [/Q8/i, 8.5],
  [/BF16|F16/i, 16],
  [/F32/i, 32],
];

/**
 * The claim this fake makes: parameters ("7B") × bits of the quant, + 500 MiB, + 64 KiB of KV cache
 * per token of context; 300 MiB RAM.
 */
export function claimFromFilename(filename: string, ctxSize = 8192): { ram: number; vram: number } {
  const params = Number(/(\d+(?:\.\d+)?)B(?![a-z])/i.exec(filename)?.[1] ?? 7);
  const bits = QUANT_BITS.find(([re]) => re.test(filename))?.[1] ?? 8;
  return { ram: 300 * MIB, vram: Math.round((params * 1e9 * bits) / 8) + 500 * MIB + ctxSize * 64 * 1024 };
}

/** byte_to_gib (utils/unit.py): round(x / 2**30, 2), printed as Python prints a float. */
export function pyGib(bytes: number): string {
  const value = Math.round((bytes / GIB) * 100) / 100;
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** Python's fnmatch.fnmatch on POSIX: `*` (also across "/"), `?`, `[set]`, `[!set]`; case-sensitive. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let set = pattern.slice(i + 1, end);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(name);
}

const UNSCHEDULABLE = 'Unable to find a schedulable worker for the model.';

/** 0.7+ ListMessageBuilder (policies/utils.py:548-561): "- a\n- b". */
const bullets = (lines: string[]) => lines.map((l) => `- ${l}`).join('\n');

function result(partial: Partial<EvaluationResult>): EvaluationResult {
  return {
    compatible: true,
    compatibility_messages: [],
    scheduling_messages: [],
    default_spec: null,
    resource_claim: null,
    error: null,
    error_message: null,
    ...partial,
  };
}

/**
 * A failure while reading the model (scheduler/evaluator.py evaluate_model_metadata): error:true
 * before 2.0.2, compatible:false with the text after (cached, like any returned result).
 */
function metadataFailure(text: string, ctx: EvaluationContext): EvaluationResult {
  if (!ctx.rules.failuresAsIncompatible)
    return result({ compatible: false, error: true, error_message: text });
  return result({
    compatible: false,
    compatibility_messages: [text],
    ...(ctx.generation === 'v2' ? { resource_claim_by_cluster_id: null } : {}),
  });
}

/** What reading the model from Hugging Face gives: a failure text, or the file the glob matched. */
function readModel(spec: SentSpec, ctx: EvaluationContext): { failure: string } | { file: string } {
  const repo = String(spec.huggingface_repo_id ?? '');
  const glob = String(spec.huggingface_filename ?? '');
  // "X" in the texts: the spec's name, else repo/filename (v0.6.1 schemas/models.py:80-91).
  const model = typeof spec.name === 'string' && spec.name ? spec.name : `${repo}/${glob}`;
  if (ctx.hub.gated?.includes(repo)) {
    return {
      failure:
        'Access to the model is restricted. Please set a valid Huggingface token with proper permissions in the GPUStack server configuration.',
    };
  }
  if (ctx.hub.slow?.includes(repo)) return { failure: `Timeout when getting the file for model ${model}` };
  const files = ctx.hub.files?.[repo];
  const matches = files ? files.filter((f) => fnmatch(f, glob)).sort() : [glob];
  const first = matches[0];
  if (first === undefined) {
    const shown = ctx.rules.notFoundNamesGlob ? glob : '[]';
    return {
      failure: `Failed to get the file for model ${model}, error: File ${shown} not found in ${repo}`,
    };
  }
  const parser = ctx.hub.parserErrors?.[repo];
  if (parser !== undefined) return { failure: parser };
  return { file: first };
}

/** The frameworks a backend row offers (custom_framework or built_in_frameworks of every version). */
function frameworksOf(backend: FakeBackend): Set<string> {
  const out = new Set<string>();
  for (const config of [
    ...Object.values(backend.version_configs ?? {}),
    ...Object.values(backend.built_in_version_configs ?? {}),
  ]) {
    const c = config as { custom_framework?: string | null; built_in_frameworks?: string[] };
    if (c.custom_framework) out.add(c.custom_framework);
    for (const f of c.built_in_frameworks ?? []) out.add(f);
  }
  return out;
}

/** BackendFrameworkFilter: the workers a backend may run on, and a reason for each one dropped. */
function backendFilter(
  spec: SentSpec,
  workers: FakeWorker[],
  ctx: EvaluationContext,
): { kept: FakeWorker[]; messages: string[] } {
  if (ctx.rules.backendFilter === 'none') return { kept: workers, messages: [] };
  const sent = typeof spec.backend === 'string' ? spec.backend : null;
  // get_backend (schemas/models.py): a .gguf file without a backend is "Custom" on 2.x.
  const name = sent ?? 'Custom';
  // The `enabled` flag is never read by the filter (v2.1.0 backend_framework_filter.py).
  const row = ctx.backends.find((b) => b.backend_name === name);
  const frameworks = row ? frameworksOf(row) : new Set<string>();
  if (ctx.rules.backendFilter === 'frameworks') {
    // v2.0.0 :108-112: no frameworks found lets every worker through.
    if (frameworks.size === 0) return { kept: workers, messages: [] };
    const kept: FakeWorker[] = [];
    const messages: string[] = [];
    for (const worker of workers) {
      const own = new Set(['cpu', ...worker.gpus.map((g) => g.type ?? 'cuda')]);
      if ([...own].some((f) => frameworks.has(f))) kept.push(worker);
      else
        messages.push(
          `Worker ${worker.name} filtered out: runtime frameworks [${[...own].sort().join(', ')}] not compatible with backend ${name} supported frameworks [${[...frameworks].sort().join(', ')}]`,
        );
    }
    return { kept, messages };
  }
  // v2.1.0 :162-163: only an explicit "Custom" skips the filter.
  if (sent === 'Custom') return { kept: workers, messages: [] };
  const cpuOffloading = spec.cpu_offloading === true;
  const kept: FakeWorker[] = [];
  const messages: string[] = [];
  for (const worker of workers) {
    const devices = worker.gpus.map((g) => g.type ?? 'cuda');
    const supported = (fw: string) => frameworks.has(fw) || frameworks.has('cpu');
    const conditions = [...devices, ...(devices.length === 0 || cpuOffloading ? ['cpu'] : [])];
    if (conditions.some(supported)) {
      kept.push(worker);
      continue;
    }
    // Mode 2 reasons (:204-225), joined by "; " (:230-231).
    const reasons = conditions.map((fw) =>
      fw === 'cpu'
        ? 'No backend versions are available for CPU device'
        : `No backend versions are available for GPU device (${fw} 12.4)`,
    );
    messages.push(`Worker ${worker.name} filtered out: ${reasons.join('; ')}`);
  }
  return { kept, messages };
}

interface Fit {
  claim: { ram: number; vram: number } | null;
  /** The selector's message when nothing fits. */
  messages: string[];
}

/** A sketch of GGUFResourceFitSelector's order: one GPU → GPUs of one worker → RPC → partial → CPU. */
function place(
  claim: { ram: number; vram: number },
  workers: FakeWorker[],
  spec: SentSpec,
  ctx: EvaluationContext,
): Fit {
  const reserved = (w: FakeWorker) => w.systemReserved ?? ctx.rules.reserved;
  const gpuFree = (w: FakeWorker) =>
    w.gpus.map((g) => Math.max(0, g.memoryTotal - (g.memoryAllocated ?? 0) - reserved(w).vram));
  const ramFree = (w: FakeWorker) => Math.max(0, w.ramTotal - (w.ramAllocated ?? 0) - reserved(w).ram);
  // 0.x defaults (set_defaults): true for llama-box; 2.x: none unless sent, false for custom backends.
  const v1 = ctx.generation === 'v1';
  const cpuOffloading = spec.cpu_offloading ?? v1;
  const distributed =
    spec.distributed_inference_across_workers ??
    (v1 || ['vLLM', 'MindIE', 'SGLang'].includes(String(spec.backend)));
  for (const w of workers)
    if (Math.max(0, ...gpuFree(w)) >= claim.vram && ramFree(w) >= claim.ram) return { claim, messages: [] };
  for (const w of workers) {
    if (w.gpus.length > 1 && gpuFree(w).reduce((a, b) => a + b, 0) >= claim.vram && ramFree(w) >= claim.ram) {
      return { claim, messages: [] };
    }
  }
  const withGpus = workers.filter((w) => w.gpus.length > 0);
  if (distributed && withGpus.length > 1) {
    const total = withGpus.flatMap(gpuFree).reduce((a, b) => a + b, 0);
    if (total >= claim.vram && ramFree(withGpus[0] as FakeWorker) >= claim.ram)
      return { claim, messages: [] };
  }
  if (cpuOffloading) {
    for (const w of withGpus) {
      const gpu = gpuFree(w).reduce((a, b) => a + b, 0);
      if (gpu > 0 && ramFree(w) >= claim.ram + claim.vram - gpu) {
        return { claim: { ram: claim.ram + claim.vram - gpu, vram: gpu }, messages: [] };
      }
    }
    for (const w of workers) {
      if (ramFree(w) >= claim.ram + claim.vram)
        return { claim: { ram: claim.ram + claim.vram, vram: 0 }, messages: [] };
    }
  }
  // Single-GPU INFO message about the largest GPU (selector :2313-2325 on 2.1+, :2230-2235 on 0.6).
  let best: FakeWorker | undefined;
  for (const w of withGpus) if (!best || Math.max(...gpuFree(w)) > Math.max(...gpuFree(best))) best = w;
  if (!best) {
    return {
      claim: null,
      messages: [
        'Insufficient resources for the model. Please check the available VRAM and RAM for the workers.',
      ],
    };
  }
  const need = `The model requires approximately ${pyGib(claim.vram)} GiB VRAM and ${pyGib(claim.ram)} GiB RAM.`;
  const has = `The available GPU has ${pyGib(Math.max(...gpuFree(best)))} GiB VRAM and ${pyGib(ramFree(best))} GiB RAM.`;
  return {
    claim: null,
    messages: ctx.rules.messages === 'plain' ? [`${need} ${has}`] : [bullets([need, has])],
  };
}

/** The filters' messages as find_candidate puts them (scheduler.py, per version). */
function filterMessages(lines: string[], rules: ServerRules): string[] {
  if (rules.messages === 'plain') return lines;
  if (rules.messages === 'bullets-0.7.0') return [bullets(lines)];
  return lines.length > 0 ? [`${bullets(lines)}\n`] : [];
}

/** find_candidate for the workers of one cluster (or all, 0.x). */
function findCandidate(spec: SentSpec, file: string, workers: FakeWorker[], ctx: EvaluationContext): Fit {
  const ready = workers.filter((w) => (w.state ?? 'ready') === 'ready');
  const lines: string[] = [];
  // StatusFilter (status_filter.py): only `ready`, said when some were dropped.
  if (ready.length < workers.length)
    lines.push(`Matched ${ready.length}/${workers.length} workers by READY status.`);
  const { kept, messages } = backendFilter(spec, ready, ctx);
  lines.push(...messages);
  const filters = filterMessages(lines, ctx.rules);
  if (kept.length === 0) return { claim: null, messages: filters };
  const ctxSize = Number(
    /^--ctx-size=(\d+)$/.exec(
      ((spec.backend_parameters as string[] | undefined) ?? []).find((p) => p.startsWith('--ctx-size=')) ??
        '',
    )?.[1] ?? 8192,
  );
  const fit = place(claimFromFilename(file, ctxSize), kept, spec, ctx);
  return { claim: fit.claim, messages: fit.claim ? [] : [...filters, ...fit.messages] };
}

/** GPUStack's steps for one spec (scheduler/evaluator.py evaluate_model). */
export const defaultEvaluator: Evaluator = (spec, ctx) => {
  const read = readModel(spec, ctx);
  if ('failure' in read) return metadataFailure(read.failure, ctx);
  if (ctx.generation === 'v1') {
    const fit = findCandidate(spec, read.file, [...ctx.workers], ctx);
    return fit.claim
      ? result({ resource_claim: fit.claim })
      : result({
          compatible: false,
          compatibility_messages: [UNSCHEDULABLE],
          scheduling_messages: fit.messages,
        });
  }
  // 2.x: each cluster on its own, in the order its first worker appears (evaluator.py:186-215).
  const clusters = [...new Set(ctx.workers.map((w) => w.clusterId ?? 1))];
  const byCluster: Record<string, { ram: number; vram: number }> = {};
  const scheduling: string[] = [];
  for (const id of clusters) {
    const fit = findCandidate(
      spec,
      read.file,
      ctx.workers.filter((w) => (w.clusterId ?? 1) === id),
      ctx,
    );
    if (fit.claim) byCluster[String(id)] = fit.claim;
    else scheduling.push(...fit.messages);
  }
  const first = Object.values(byCluster)[0];
  if (!first) {
    return result({
      compatible: false,
      compatibility_messages: [UNSCHEDULABLE],
      scheduling_messages: scheduling,
      resource_claim_by_cluster_id: {},
    });
  }
  // Other clusters' failures stay in scheduling_messages, unlabelled, even when one fits.
  return result({
    resource_claim: first,
    resource_claim_by_cluster_id: byCluster,
    scheduling_messages: scheduling,
  });
};

/** An `error: true` result, as GPUStack up to 2.0.1 gives when reading the model failed. */
export function evaluationError(message: string): EvaluationResult {
  return result({ compatible: false, error: true, error_message: message });
}

const JSON_TYPE = 'application/json';
const json = (status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'Content-Type': JSON_TYPE, ...headers },
  body: JSON.stringify(value),
});
/** api/exceptions.py: {code, reason, message}. */
const error = (status: number, reason: string, message: string) =>
  json(status, { code: status, reason, message });
/** FastAPI's own answer for a route that does not exist. */
const notFound = () => json(404, { detail: 'Not Found' });

/** Key order does not matter to the server's cache key (json.dumps(sort_keys=True)). */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The server's one-hour cache of results (evaluator.py evaluate_cache: TTLCache 1000 / 3600 s). */
const CACHE_TTL_MS = 3600 * 1000;

export class GpustackApi {
  version: string;
  /** Forces the API served; undefined: from the version. */
  forcedGeneration: 'v1' | 'v2' | undefined;
  keys: Record<string, KeyRole>;
  keyOrgs: Record<string, string>;
  workers: FakeWorker[];
  clusters: FakeCluster[];
  backends: FakeBackend[];
  hub: FakeHub;
  evaluator: Evaluator;
  evaluationLimit: { quota: number; windowSeconds: number } | null;
  localhostAdmin: boolean;
  /** Every request, in arrival order. */
  readonly requests: LoggedGpustackRequest[] = [];
  /** Evaluations (specs) answered so far, cached or not. */
  evaluations = 0;
  /** Evaluations that missed the server's cache and ran. */
  evaluationsRun = 0;
  private failure: FailureHook | undefined;
  private readonly evaluationTimes: number[] = [];
  private readonly cache = new Map<string, { at: number; result: EvaluationResult }>();
  private readonly clock: () => number;

  constructor(config: GpustackApiConfig = {}) {
    this.version = config.version ?? 'v0.6.1';
    this.forcedGeneration = config.generation;
    this.keys = { ...(config.keys ?? DEFAULT_KEY_ROLES) };
    this.keyOrgs = { ...(config.keyOrgs ?? {}) };
    this.workers = structuredClone(config.workers ?? [...DEFAULT_WORKERS]);
    this.clusters = structuredClone(config.clusters ?? [...DEFAULT_CLUSTERS]);
    this.backends = structuredClone(
      config.backends ?? [
        ...BUILT_IN_BACKENDS,
        LLAMA_CPP_BACKEND,
        ...(rulesOf(this.version).communityLlamaCpp ? [communityLlamaCpp(false)] : []),
      ],
    );
    this.hub = structuredClone(config.hub ?? {});
    this.evaluator = config.evaluate ?? defaultEvaluator;
    this.evaluationLimit =
      config.evaluationLimit === undefined ? { quota: 50, windowSeconds: 10 } : config.evaluationLimit;
    this.localhostAdmin = config.localhostAdmin ?? false;
    this.clock = config.clock ?? Date.now;
  }

  get rules(): ServerRules {
    return rulesOf(this.version, this.forcedGeneration);
  }

  /** 'v1' for 0.x, 'v2' for 2.x. */
  get generation(): 'v1' | 'v2' {
    return this.rules.api;
  }

  /** Consulted first for every request; return undefined to let it through. */
  injectFailure(hook: FailureHook | undefined): void {
    this.failure = hook;
  }

  /** Starts the evaluation rate limit's window over. */
  resetRateLimit(): void {
    this.evaluationTimes.length = 0;
  }

  /** Forgets the server's cached evaluation results (as a restart would). */
  clearEvaluationCache(): void {
    this.cache.clear();
  }

  clearLog(): void {
    // Emptied in place: tests may hold a reference to the array.
    this.requests.length = 0;
  }

  handle(req: ApiRequest): ApiResponse {
    const url = new URL(`http://fake.invalid${req.path.startsWith('/') ? '' : '/'}${req.path}`);
    let parsed: unknown;
    try {
      parsed = req.body ? JSON.parse(req.body) : undefined;
    } catch {
      parsed = undefined;
    }
    const entry: LoggedGpustackRequest = {
      ...req,
      pathname: url.pathname,
      query: url.searchParams,
      ...(parsed !== undefined ? { json: parsed } : {}),
      status: 0,
      time: this.clock(),
    };
    this.requests.push(entry);
    const response = this.route(entry);
    entry.status = response.status;
    return response;
  }

  private route(req: LoggedGpustackRequest): ApiResponse {
    const injected = this.failure?.(req);
    if (injected) {
      const isText = typeof injected.body === 'string';
      return {
        status: injected.status,
        headers: { 'Content-Type': isText ? 'text/plain; charset=utf-8' : JSON_TYPE, ...injected.headers },
        body:
          injected.body === undefined
            ? ''
            : isText
              ? (injected.body as string)
              : JSON.stringify(injected.body),
      };
    }
    const { pathname, method } = req;
    // routes/probes.py (the same in every tag): no auth.
    if (pathname === '/version' && method === 'GET')
      return json(200, { version: this.version, git_commit: 'fake000' });
    if (pathname === '/healthz' && method === 'GET') return json(200, 'ok');
    if (pathname === '/' && method === 'GET') {
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html' },
        body: '<!doctype html><title>GPUStack</title>',
      };
    }
    const [, prefix, resource, ...rest] = pathname.split('/');
    if (prefix !== this.generation || rest.length > 0 || !resource) return notFound();
    const v2 = this.generation === 'v2';
    // routes/routes.py per version: admin only before 2.2; on 2.2 lists are for every principal,
    // evaluations for organization owners and administrators.
    const routes: Record<
      string,
      { method: string; run: (role: KeyRole, key: string) => ApiResponse; forAll?: boolean }
    > = {
      'model-evaluations': { method: 'POST', run: (_role, key) => this.evaluate(req, key) },
      workers: {
        method: 'GET',
        run: () =>
          this.list(
            req,
            this.workersFor(req).map((w, i) => this.workerJson(w, i)),
          ),
        forAll: true,
      },
      'gpu-devices': {
        method: 'GET',
        run: () => this.list(req, this.gpuDevicesJson(this.workersFor(req))),
        forAll: true,
      },
      ...(v2
        ? {
            clusters: {
              method: 'GET',
              run: (_role: KeyRole, key: string) =>
                this.list(
                  req,
                  this.visibleClusters(key).map((c) => this.clusterJson(c)),
                ),
              forAll: true,
            },
            'inference-backends': {
              method: 'GET',
              run: () => this.list(req, this.listedBackends()),
              forAll: true,
            },
          }
        : {}),
    };
    const route = routes[resource];
    if (!route) return notFound();
    if (method !== route.method) return json(405, { detail: 'Method Not Allowed' });
    const auth = this.authorize(req, route.forAll === true);
    return 'denied' in auth ? auth.denied : route.run(auth.role, auth.key);
  }

  /**
   * api/auth.py: Basic, then the gpustack_session cookie, then Bearer (2.1.1+: or X-API-Key). Only
   * the first credential present is tried: any session cookie, even a stale one, hides the key.
   */
  private authorize(
    req: LoggedGpustackRequest,
    forAll: boolean,
  ): { role: KeyRole; key: string } | { denied: ApiResponse } {
    const rules = this.rules;
    const unauthorized = { denied: error(401, 'Unauthorized', 'Invalid authentication credentials') };
    const authorization = req.headers.authorization ?? '';
    let key: string | undefined;
    let tried = false;
    if (/^basic /i.test(authorization)) tried = true;
    else if (/(?:^|;\s*)gpustack_session=/.test(req.headers.cookie ?? '')) tried = true;
    else {
      key =
        /^bearer (.+)$/i.exec(authorization)?.[1]?.trim() ??
        (rules.xApiKey ? req.headers['x-api-key'] : undefined);
    }
    const role = key && !tried ? this.keys[key] : undefined;
    if (!role) {
      // v0.6.0 – v2.1.2: a request from 127.0.0.1 that no credential identifies is the first admin.
      const local = (req.remoteAddress ?? '127.0.0.1') === '127.0.0.1';
      if (rules.localhostAdmin && this.localhostAdmin && local) return { role: 'admin', key: '' };
      return unauthorized;
    }
    const forbidden = (message: string) => ({ denied: error(403, 'Forbidden', message) });
    if (!rules.tenancy) {
      // Before 2.2 a key is its user: administrators may do everything here, others nothing.
      return role === 'admin' ? { role, key: key as string } : forbidden('No permission to access');
    }
    // 2.2: management_scope (api/auth.py:467-474), then require_org_role (api/tenant.py:739-757).
    if (role === 'inference-scope')
      return forbidden('API key does not have permission to access management features');
    if (!forAll && role === 'user') return forbidden('Insufficient organization role');
    return { role, key: key as string };
  }

  private list(req: LoggedGpustackRequest, all: unknown[]): ApiResponse {
    const page = Number(req.query.get('page') ?? 1);
    const perPage = Number(req.query.get('perPage') ?? 100);
    // 0.x ListParams: page ≥ 1, 1 ≤ perPage ≤ 100 (schemas/common.py:21-24); 2.x has no bounds.
    if (this.generation === 'v1' && (!(page >= 1) || !(perPage >= 1) || perPage > 100)) {
      return error(
        422,
        'Invalid',
        `1 validation errors:\n  {'type': 'less_than_equal', 'loc': ('query', 'perPage'), 'msg': 'Input should be less than or equal to 100'}\n`,
      );
    }
    if (!Number.isInteger(page) || !Number.isInteger(perPage) || perPage < 1) {
      return {
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: 'Internal Server Error',
      };
    }
    const items = page < 1 ? all : all.slice((page - 1) * perPage, page * perPage);
    const totalPage = Math.ceil(all.length / perPage);
    return json(200, { items, pagination: { page, perPage, total: all.length, totalPage } });
  }

  private workersFor(req: LoggedGpustackRequest): FakeWorker[] {
    const cluster = this.generation === 'v2' ? req.query.get('cluster_id') : null;
    return cluster ? this.workers.filter((w) => String(w.clusterId ?? 1) === cluster) : this.workers;
  }

  /** 2.2: the key's organization's clusters and the platform's (api/tenant.py cluster_visibility_conditions). */
  private visibleClusters(key: string): FakeCluster[] {
    if (!this.rules.tenancy || this.keys[key] === 'admin') return this.clusters;
    const org = this.keyOrgs[key];
    return this.clusters.filter((c) => c.org === undefined || c.org === org);
  }

  /** 2.1+ hides disabled community backends from the default list (routes/inference_backend.py:677-683). */
  private listedBackends(): FakeBackend[] {
    const rules = this.rules;
    return this.backends
      .filter((b) => !(b.backend_source === 'community' && b.enabled === false))
      .map((b) => {
        const { enabled, backend_source, ...rest } = b;
        return rules.backendEnabledField ? { ...rest, enabled: enabled ?? true, backend_source } : rest;
      });
  }

  private evaluate(req: LoggedGpustackRequest, key: string): ApiResponse {
    const body = req.json as { model_specs?: unknown; cluster_id?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return error(422, 'Invalid', '1 validation errors:\n  body: Input should be a valid dictionary\n');
    }
    // 0.x has no clusters: pydantic drops the unknown field.
    let clusterId: number | null = null;
    if (this.generation === 'v2' && body.cluster_id !== undefined && body.cluster_id !== null) {
      clusterId = Number(body.cluster_id);
      // 2.2: before any spec is looked at, even with no specs (routes/model_evaluations.py:31-35).
      if (this.rules.clusterNotFound404 && !this.visibleClusters(key).some((c) => c.id === clusterId)) {
        return error(404, 'NotFound', 'Cluster not found');
      }
    }
    const specs = body.model_specs ?? [];
    if (!Array.isArray(specs))
      return error(
        422,
        'Invalid',
        '1 validation errors:\n  body.model_specs: Input should be a valid list\n',
      );
    for (const spec of specs) {
      const s = spec as SentSpec;
      if (typeof s !== 'object' || s === null || typeof s.source !== 'string') {
        return error(422, 'Invalid', '1 validation errors:\n  body.model_specs.source: Field required\n');
      }
      if (s.source === 'huggingface' && !s.huggingface_repo_id) {
        return error(
          422,
          'Invalid',
          "1 validation errors:\n  huggingface_repo_id must be provided when source is 'huggingface'\n",
        );
      }
    }
    if (specs.length > 0 && this.evaluationLimit) {
      const { quota, windowSeconds } = this.evaluationLimit;
      const now = this.clock();
      while (this.evaluationTimes.length && (this.evaluationTimes[0] ?? 0) <= now - windowSeconds * 1000) {
        this.evaluationTimes.shift();
      }
      if (this.evaluationTimes.length + specs.length > quota) {
        const oldest = this.evaluationTimes[0] ?? now;
        const wait = Math.max(1, Math.ceil((oldest + windowSeconds * 1000 - now) / 1000));
        return json(
          429,
          {
            code: 429,
            reason: 'TooManyRequests',
            message: `At most ${quota} evaluations per ${windowSeconds} s`,
          },
          { 'Retry-After': String(wait) },
        );
      }
      for (const _ of specs) this.evaluationTimes.push(now);
    }
    // evaluate_models' worker set (evaluator.py:67-85): the cluster asked for (all when null, every
    // organization's on 2.2), without provisioning, deleting or error workers on 2.x.
    const workers = this.workers.filter(
      (w) =>
        (clusterId === null || (w.clusterId ?? 1) === clusterId) &&
        (this.generation === 'v1' || !['provisioning', 'deleting', 'error'].includes(w.state ?? 'ready')),
    );
    const ctx: EvaluationContext = {
      clusterId,
      workers,
      generation: this.generation,
      rules: this.rules,
      hub: this.hub,
      backends: this.backends,
    };
    const results = specs.map((spec) => this.evaluateCached(spec as SentSpec, ctx, key));
    this.evaluations += specs.length;
    return json(200, { results });
  }

  /**
   * evaluate_model_with_cache (v0.6.0 evaluator.py:101-125, v2.2.3 :158-187): the key is the spec
   * and the workers (2.2: and the owner); a returned result is kept, an error:true one is not.
   */
  private evaluateCached(spec: SentSpec, ctx: EvaluationContext, key: string): EvaluationResult {
    const cacheKey = stableJson([spec, ctx.workers, this.rules.tenancy ? (this.keyOrgs[key] ?? null) : null]);
    const now = this.clock();
    const hit = this.cache.get(cacheKey);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.result;
    this.evaluationsRun += 1;
    const fresh = this.evaluator(spec, ctx);
    if (fresh.error !== true) this.cache.set(cacheKey, { at: now, result: fresh });
    return fresh;
  }

  private workerJson(worker: FakeWorker, index: number) {
    const rules = this.rules;
    return {
      id: index + 1,
      name: worker.name,
      hostname: worker.name,
      ip: `192.168.1.${10 + index}`,
      port: 10150,
      labels: { os: 'linux', arch: 'amd64' },
      state: worker.state ?? 'ready',
      ...(this.generation === 'v2' ? { cluster_id: worker.clusterId ?? 1 } : {}),
      // Always reported, in bytes (schemas/workers.py).
      system_reserved: worker.systemReserved ?? rules.reserved,
      status: {
        memory: {
          total: worker.ramTotal,
          allocated: worker.ramAllocated ?? 0,
          used: worker.ramAllocated ?? 0,
          is_unified_memory: worker.unifiedMemory ?? false,
        },
        gpu_devices: worker.gpus.map((gpu, i) => ({
          index: i,
          name: gpu.name,
          vendor: rules.vendor,
          type: gpu.type ?? 'cuda',
          memory: {
            total: gpu.memoryTotal,
            allocated: gpu.memoryAllocated ?? 0,
            used: gpu.memoryAllocated ?? 0,
            is_unified_memory: worker.unifiedMemory ?? false,
          },
        })),
      },
    };
  }

  private gpuDevicesJson(workers: FakeWorker[]) {
    return workers.flatMap((worker, w) =>
      worker.gpus.map((gpu, i) => ({
        id: `${worker.name}:${gpu.type ?? 'cuda'}:${i}`,
        index: i,
        name: gpu.name,
        worker_id: w + 1,
        worker_name: worker.name,
        ...(this.generation === 'v2' ? { cluster_id: worker.clusterId ?? 1 } : {}),
        memory: { total: gpu.memoryTotal, allocated: gpu.memoryAllocated ?? 0 },
      })),
    );
  }

  /** ClusterPublic (schemas/clusters.py): counters over all of its workers. */
  private clusterJson(cluster: FakeCluster) {
    const mine = this.workers.filter((w) => (w.clusterId ?? 1) === cluster.id);
    return {
      id: cluster.id,
      name: cluster.name,
      state: 'ready',
      workers: mine.length,
      ready_workers: mine.filter((w) => (w.state ?? 'ready') === 'ready').length,
      gpus: mine.reduce((sum, w) => sum + w.gpus.length, 0),
    };
  }
}

/**
 * A fetch for unit tests: answers from `api` for URLs under `base`, refuses anything else as a
 * browser would a dead host (TypeError). `seen` gets every (url, init) for assertions.
 */
export function fetchFor(
  api: GpustackApi,
  base: string,
  seen: Array<{ url: string; init: RequestInit }> = [],
): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    seen.push({ url, init });
    init.signal?.throwIfAborted();
    if (!url.startsWith(`${base}/`)) throw new TypeError('Failed to fetch');
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const answer = api.handle({
      method: init.method ?? 'GET',
      path: url.slice(base.length),
      headers,
      body: typeof init.body === 'string' ? init.body : '',
    });
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  }) as typeof fetch;
}
