// The API of a GPUStack server, faked as one synchronous function from request to response, so the
// same fake serves the e2e HTTP server (gpustack-server.ts) and unit tests' fetch (fetchFor).
//
// What it keeps from GPUStack (checked in gpustack/gpustack at v0.6.1, v2.0.0 and v2.2.0):
// - GET /version {version, git_commit} and /healthz need no auth; 0.x serves /v1, 2.x serves /v2
//   (and /v1 there is the OpenAI API: our routes 404);
// - auth is Basic, then the gpustack_session cookie, then Bearer: ANY session cookie wins over the
//   key and, being unknown here, answers 401; 2.2+ also takes X-API-Key;
// - rights: before 2.2 evaluations, workers, gpu-devices, clusters and inference-backends need an
//   admin; 2.2 checks the key's scope first ("management" or "*"), evaluations need an admin (or
//   org owner), the lists are readable by any user;
// - errors are {code, reason, message}; FastAPI's own are {detail};
// - lists are {items, pagination: {page, perPage, total, totalPage}}, perPage at most 100 on 0.x;
// - evaluations answer {results: [one per spec, in order]}, an empty list for no specs.
// Not GPUStack: the 50 evaluations per 10 s limit answers 429 here (GPUStack's aiolimiter makes the
// request wait instead), so tests see at once when a client goes over it.

export type KeyRole = 'admin' | 'user' | 'inference-scope';

/** Keys every fake server knows unless told otherwise. */
export const GPUSTACK_KEYS = {
  admin: 'gpustack_adm1n0000000001_s3cretAdminKeyDoNotLog',
  user: 'gpustack_us3r0000000001_s3cretUserKeyDoNotLog',
  inference: 'gpustack_1nf3r000000001_s3cretInferenceKey',
} as const;

export const DEFAULT_KEY_ROLES: Readonly<Record<string, KeyRole>> = {
  [GPUSTACK_KEYS.admin]: 'admin',
  [GPUSTACK_KEYS.user]: 'user',
  [GPUSTACK_KEYS.inference]: 'inference-scope',
};

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

export interface FakeGpu {
  name: string;
  memoryTotal: number;
  memoryAllocated?: number;
  vendor?: string;
  type?: string;
}

export interface FakeWorker {
  name: string;
  gpus: FakeGpu[];
  ramTotal: number;
  ramAllocated?: number;
  unifiedMemory?: boolean;
  /** Bytes; GPUStack's default is 2 GiB RAM, 1 GiB VRAM. */
  systemReserved?: { ram: number; vram: number };
  state?: string;
  /** 2.x */
  clusterId?: number;
}

export interface FakeCluster {
  id: number;
  name: string;
}

/** An inference backend as /v2/inference-backends lists it (only the fields clients read). */
export interface FakeBackend {
  backend_name: string;
  is_built_in: boolean;
  description?: string | null;
  default_run_command?: string | null;
  version_configs?: Record<string, { image_name?: string; run_command?: string; custom_framework?: string }>;
}

export const BUILT_IN_BACKENDS: readonly FakeBackend[] = [
  { backend_name: 'vLLM', is_built_in: true, description: 'vLLM' },
  { backend_name: 'SGLang', is_built_in: true, description: 'SGLang' },
  { backend_name: 'MindIE', is_built_in: true, description: 'Ascend MindIE' },
  { backend_name: 'VoxBox', is_built_in: true, description: 'Audio models' },
];

/** A user-added backend that serves GGUF, as people set one up in 2.x. */
export const LLAMA_CPP_BACKEND: FakeBackend = {
  backend_name: 'llama.cpp-server',
  is_built_in: false,
  description: 'GGUF models',
  default_run_command: 'llama-server -m {{model_path}} --host 0.0.0.0 --port {{port}}',
  version_configs: {
    b6000: { image_name: 'ghcr.io/ggml-org/llama.cpp:server-cuda-b6000', custom_framework: 'cuda' },
  },
};

/** A user-added backend with nothing to do with GGUF. */
export const TGI_BACKEND: FakeBackend = {
  backend_name: 'tgi',
  is_built_in: false,
  description: 'Text Generation Inference',
  version_configs: { '3.0': { image_name: 'ghcr.io/huggingface/text-generation-inference:3.0' } },
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
  workers: readonly FakeWorker[];
  generation: 'v1' | 'v2';
}

export type Evaluator = (spec: SentSpec, ctx: EvaluationContext) => EvaluationResult;

export interface ApiRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  /** Lowercased names. */
  headers: Record<string, string>;
  body: string;
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
  /** 'v0.6.1' (API /v1) or 'v2.0.0' (API /v2); default v0.6.1. */
  version?: string;
  /** The API served whatever the version says (dev builds say "0.0.0"); default from the version. */
  generation?: 'v1' | 'v2';
  keys?: Record<string, KeyRole>;
  workers?: FakeWorker[];
  /** 2.x */
  clusters?: FakeCluster[];
  /** 2.x; default: the built-in ones and llama.cpp-server. */
  backends?: FakeBackend[];
  /** spec -> result; default: compatible with a claim made from the file name, if the GPUs hold it. */
  evaluate?: Evaluator;
  /** Evaluations allowed per window; null: no limit. Default 50 per 10 s. */
  evaluationLimit?: { quota: number; windowSeconds: number } | null;
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

/** An `error: true` result, as GPUStack gives when it could not evaluate (e.g. Hugging Face failed). */
export function evaluationError(message: string): EvaluationResult {
  return {
    compatible: false,
    compatibility_messages: [],
    scheduling_messages: [],
    default_spec: null,
    resource_claim: null,
    error: true,
    error_message: message,
  };
}

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

/** The claim the default evaluator makes: parameters ("7B") × bits of the quant + 500 MiB, 300 MiB RAM. */
export function claimFromFilename(filename: string): { ram: number; vram: number } {
  const params = Number(/(\d+(?:\.\d+)?)B(?![a-z])/i.exec(filename)?.[1] ?? 7);
  const bits = QUANT_BITS.find(([re]) => re.test(filename))?.[1] ?? 8;
  return { ram: 300 * MIB, vram: Math.round((params * 1e9 * bits) / 8) + 500 * MIB };
}

const available = (worker: FakeWorker) =>
  worker.gpus.reduce(
    (sum, gpu) =>
      sum + Math.max(0, gpu.memoryTotal - (gpu.memoryAllocated ?? 0) - (worker.systemReserved?.vram ?? GIB)),
    0,
  );

const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;

/** Compatible when the claim fits the GPUs of the workers (of the cluster asked for). */
export const defaultEvaluator: Evaluator = (spec, ctx) => {
  const filename = String(spec.huggingface_filename ?? '');
  const claim = claimFromFilename(filename);
  const workers = ctx.workers.filter((w) => ctx.clusterId === null || (w.clusterId ?? 1) === ctx.clusterId);
  const free = workers.reduce((sum, w) => sum + available(w), 0);
  if (claim.vram > free) {
    return {
      compatible: false,
      compatibility_messages: ['Unable to find a schedulable worker for the model.'],
      scheduling_messages: [
        `The model requires approximately ${gib(claim.vram)} VRAM and ${gib(claim.ram)} RAM. The available GPU has ${gib(free)} VRAM.`,
      ],
      default_spec: null,
      resource_claim: null,
      ...(ctx.generation === 'v2' ? { resource_claim_by_cluster_id: {} } : {}),
      error: null,
      error_message: null,
    };
  }
  const clusters = [...new Set(workers.map((w) => w.clusterId ?? 1))];
  return {
    compatible: true,
    compatibility_messages: [],
    scheduling_messages: [],
    default_spec: null,
    resource_claim: claim,
    ...(ctx.generation === 'v2'
      ? { resource_claim_by_cluster_id: Object.fromEntries(clusters.map((id) => [String(id), claim])) }
      : {}),
    error: null,
    error_message: null,
  };
};

const JSON_TYPE = 'application/json';
const json = (status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse => ({
  status,
  headers: { 'Content-Type': JSON_TYPE, ...headers },
  body: JSON.stringify(value),
});
const error = (status: number, reason: string, message: string) =>
  json(status, { code: status, reason, message });
const notFound = () => json(404, { detail: 'Not Found' });

function versionParts(version: string): [number, number] {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0)];
}

export class GpustackApi {
  version: string;
  /** Forces the API served; undefined: from the version. */
  forcedGeneration: 'v1' | 'v2' | undefined;
  keys: Record<string, KeyRole>;
  workers: FakeWorker[];
  clusters: FakeCluster[];
  backends: FakeBackend[];
  evaluator: Evaluator;
  evaluationLimit: { quota: number; windowSeconds: number } | null;
  /** Every request, in arrival order. */
  readonly requests: LoggedGpustackRequest[] = [];
  /** Evaluations (specs) answered so far. */
  evaluations = 0;
  private failure: FailureHook | undefined;
  private readonly evaluationTimes: number[] = [];
  private readonly clock: () => number;

  constructor(config: GpustackApiConfig = {}) {
    this.version = config.version ?? 'v0.6.1';
    this.forcedGeneration = config.generation;
    this.keys = { ...(config.keys ?? DEFAULT_KEY_ROLES) };
    this.workers = structuredClone(config.workers ?? [...DEFAULT_WORKERS]);
    this.clusters = structuredClone(config.clusters ?? [...DEFAULT_CLUSTERS]);
    this.backends = structuredClone(config.backends ?? [...BUILT_IN_BACKENDS, LLAMA_CPP_BACKEND]);
    this.evaluator = config.evaluate ?? defaultEvaluator;
    this.evaluationLimit =
      config.evaluationLimit === undefined ? { quota: 50, windowSeconds: 10 } : config.evaluationLimit;
    this.clock = config.clock ?? Date.now;
  }

  /** 'v1' for 0.x, 'v2' for 1.x and 2.x. */
  get generation(): 'v1' | 'v2' {
    return this.forcedGeneration ?? (versionParts(this.version)[0] === 0 ? 'v1' : 'v2');
  }

  /** Consulted first for every request; return undefined to let it through. */
  injectFailure(hook: FailureHook | undefined): void {
    this.failure = hook;
  }

  /** Starts the evaluation rate limit's window over. */
  resetRateLimit(): void {
    this.evaluationTimes.length = 0;
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
    if (pathname === '/version' && method === 'GET')
      return json(200, { version: this.version, git_commit: 'fake0000' });
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
    const routes: Record<string, { method: string; run: () => ApiResponse; everyone?: boolean }> = {
      'model-evaluations': { method: 'POST', run: () => this.evaluate(req) },
      workers: {
        method: 'GET',
        run: () => this.list(req, this.workersFor(req).map(workerJson)),
        everyone: true,
      },
      'gpu-devices': {
        method: 'GET',
        run: () => this.list(req, gpuDevicesJson(this.workersFor(req))),
        everyone: true,
      },
      ...(this.generation === 'v2'
        ? {
            clusters: {
              method: 'GET',
              run: () => this.list(req, this.clusters.map(clusterJson(this.workers))),
              everyone: true,
            },
            'inference-backends': { method: 'GET', run: () => this.list(req, this.backends), everyone: true },
          }
        : {}),
    };
    const route = routes[resource];
    if (!route) return notFound();
    if (method !== route.method) return json(405, { detail: 'Method Not Allowed' });
    const denied = this.authorize(req, route.everyone === true);
    return denied ?? route.run();
  }

  /** GPUStack's order: Basic, then the session cookie, then Bearer (and 2.2's X-API-Key). */
  private authorize(req: LoggedGpustackRequest, readableByUsers: boolean): ApiResponse | undefined {
    const unauthorized = () => error(401, 'Unauthorized', 'Invalid authentication credentials');
    const authorization = req.headers.authorization ?? '';
    if (/^basic /i.test(authorization)) return unauthorized();
    // Any session cookie, even a stale one, is what the server reads: the key is ignored.
    if (/(?:^|;\s*)gpustack_session=/.test(req.headers.cookie ?? '')) return unauthorized();
    const [major, minor] = versionParts(this.version);
    const v22 = major > 2 || (major === 2 && minor >= 2);
    const bearer = /^bearer (.+)$/i.exec(authorization)?.[1]?.trim();
    const key = bearer ?? (v22 ? req.headers['x-api-key'] : undefined);
    const role = key ? this.keys[key] : undefined;
    if (!role) return unauthorized();
    if (v22) {
      if (role === 'inference-scope') {
        return error(403, 'Forbidden', 'API key does not have permission to access management features');
      }
      if (role === 'user' && !readableByUsers) return error(403, 'Forbidden', 'No permission to access');
      return undefined;
    }
    // Before 2.2 a key is its user: admins may do everything here, others nothing.
    return role === 'user' ? error(403, 'Forbidden', 'No permission to access') : undefined;
  }

  private list(req: LoggedGpustackRequest, all: unknown[]): ApiResponse {
    const page = Number(req.query.get('page') ?? 1);
    const perPage = Number(req.query.get('perPage') ?? 100);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(perPage) || perPage < 1) {
      return error(422, 'Invalid', 'page and perPage must be positive integers');
    }
    if (this.generation === 'v1' && perPage > 100) {
      return error(422, 'Invalid', 'query.perPage: Input should be less than or equal to 100');
    }
    const items = all.slice((page - 1) * perPage, page * perPage);
    const totalPage = Math.max(1, Math.ceil(all.length / perPage));
    return json(200, { items, pagination: { page, perPage, total: all.length, totalPage } });
  }

  private workersFor(req: LoggedGpustackRequest): FakeWorker[] {
    const cluster = this.generation === 'v2' ? req.query.get('cluster_id') : null;
    return cluster ? this.workers.filter((w) => String(w.clusterId ?? 1) === cluster) : this.workers;
  }

  private evaluate(req: LoggedGpustackRequest): ApiResponse {
    const body = req.json as { model_specs?: unknown; cluster_id?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return error(422, 'Invalid', 'body: Input should be a valid dictionary');
    }
    const specs = body.model_specs ?? [];
    if (!Array.isArray(specs)) return error(422, 'Invalid', 'body.model_specs: Input should be a valid list');
    for (const spec of specs) {
      const s = spec as SentSpec;
      if (typeof s !== 'object' || s === null || typeof s.source !== 'string') {
        return error(422, 'Invalid', 'body.model_specs.source: Field required');
      }
      if (s.source === 'huggingface' && !s.huggingface_repo_id) {
        return error(422, 'Invalid', "huggingface_repo_id must be provided when source is 'huggingface'");
      }
    }
    // 0.x has no clusters: pydantic drops the unknown field.
    let clusterId: number | null = null;
    if (this.generation === 'v2' && body.cluster_id !== undefined && body.cluster_id !== null) {
      clusterId = Number(body.cluster_id);
      if (!this.clusters.some((c) => c.id === clusterId)) return error(404, 'NotFound', 'Cluster not found');
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
    const ctx: EvaluationContext = { clusterId, workers: this.workers, generation: this.generation };
    const results = specs.map((spec) => this.evaluator(spec as SentSpec, ctx));
    this.evaluations += specs.length;
    return json(200, { results });
  }
}

function workerJson(worker: FakeWorker, index: number) {
  return {
    id: index + 1,
    name: worker.name,
    hostname: worker.name,
    ip: `192.168.1.${10 + index}`,
    port: 10150,
    labels: { os: 'linux', arch: 'amd64' },
    state: worker.state ?? 'ready',
    ...(worker.clusterId !== undefined ? { cluster_id: worker.clusterId } : {}),
    system_reserved: worker.systemReserved ?? { ram: 2 * GIB, vram: GIB },
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
        vendor: gpu.vendor ?? 'NVIDIA',
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

function gpuDevicesJson(workers: FakeWorker[]) {
  return workers.flatMap((worker, w) =>
    worker.gpus.map((gpu, i) => ({
      id: `${worker.name}-cuda-${i}`,
      index: i,
      name: gpu.name,
      worker_id: w + 1,
      worker_name: worker.name,
      ...(worker.clusterId !== undefined ? { cluster_id: worker.clusterId } : {}),
      memory: { total: gpu.memoryTotal, allocated: gpu.memoryAllocated ?? 0 },
    })),
  );
}

function clusterJson(workers: FakeWorker[]) {
  return (cluster: FakeCluster) => {
    const mine = workers.filter((w) => (w.clusterId ?? 1) === cluster.id);
    return {
      id: cluster.id,
      name: cluster.name,
      workers: mine.length,
      ready_workers: mine.filter((w) => (w.state ?? 'ready') === 'ready').length,
      gpus: mine.reduce((sum, w) => sum + w.gpus.length, 0),
    };
  };
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
