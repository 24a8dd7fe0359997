// One GPUStack server, through the scheduler: which version it runs and how that version speaks
// (dialect.ts), what its key may do, evaluations (batched, see batcher.ts) and its workers. The key
// goes only to this server's origin, as a Bearer header, and no request carries cookies: GPUStack
// ignores the key when any session cookie comes along.

import type { CheckResult, Priority } from '../../../common/result';
import { parseServerUrl } from '../../../common/server-url';
import type { Tracker } from '../../check/progress';
import { GPUSTACK_BUCKET, gpustackBucket } from '../../scheduler/buckets';
import type { FetchedResponse, ScheduledRequest, Scheduler } from '../../scheduler/scheduler';
import { type AttemptStore, memoryAttemptStore } from './attempts';
import { Batcher } from './batcher';
import { backendNamesOf, type Cluster, clustersOf, ggufBackendsOf } from './catalog';
import { type Dialect, dialectOf, parseVersion } from './dialect';
import {
  backendGone,
  backendRefused,
  badUrl,
  clusterGone,
  evaluationFailed,
  fromResponse,
  fromThrown,
  isClusterNotFound,
  keyFormat,
  newerVersion,
  noKey,
  notApi,
  resultCountMismatch,
  unknownAnswer,
  upperCaseGguf,
} from './errors';
import { type GpustackVerdict, readResult, resultsOf, UNSCHEDULABLE } from './evaluation';
import {
  type Generation,
  type GenerationInfo,
  type GenerationStore,
  generationOf,
  memoryGenerations,
} from './generation';
import { isWebPage, jsonOf } from './http';
import { largestWorkerVram, profileOf, workersOf } from './inventory';
import { pageOf, pagePath } from './pages';
import { buildModelSpec, type ModelSpec, type SpecInput, specKey } from './spec';

export interface GpustackClientOptions {
  scheduler: Scheduler;
  serverUrl: string;
  apiKey: string;
  /** Where the server's API generation is remembered; default: this worker's memory. */
  generations?: GenerationStore;
  /** Where failures the server keeps for an hour are remembered; default: this client's memory. */
  attempts?: AttemptStore;
  /** Batching knobs, for tests. */
  batch?: { gatherMs?: number; maxBatch?: number; maxInFlight?: number };
  now?: () => number;
}

export interface GpustackCall {
  priority?: Priority;
  signal?: AbortSignal;
  /** Told which request the caller waits for, so the UI can say "queued #3". */
  tracker?: Tracker;
}

interface SendOptions extends GpustackCall {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Send the key (every API route but /version). */
  auth?: boolean;
  notify?: (request: ScheduledRequest) => void;
}

/**
 * What a 2.x server offers, read once per client (a worker start): the clusters and backends the
 * key can see, to check the saved choices and name clusters; the workers, for the caveats.
 * A list the key may not read is null.
 */
export interface ServerCatalog {
  clusters: Cluster[] | null;
  backends: string[] | null;
  ggufBackends: string[] | null;
  workers: ReturnType<typeof workersOf> | null;
}

/** A GPUStack verdict and why it may still not deploy. */
export type EvaluatedVerdict = GpustackVerdict & Pick<CheckResult, 'caveats'>;

/** Lists of a big cluster are a few MB at most; anything past this is not GPUStack. */
const MAX_BYTES = 16 * 1024 * 1024;
/** Printable ASCII without spaces: all a Bearer token may be. */
const KEY_CHARS = /^[\x21-\x7e]+$/;

export class GpustackClient {
  readonly origin: string;
  readonly base: string;
  readonly bucket: string;
  private readonly scheduler: Scheduler;
  private readonly apiKey: string;
  private readonly generations: GenerationStore;
  private readonly attempts: AttemptStore;
  private readonly now: () => number;
  private readonly batcher: Batcher<ModelSpec, unknown>;
  private detecting: Promise<GenerationInfo> | null = null;
  private catalogRead: Promise<ServerCatalog> | null = null;

  constructor(options: GpustackClientOptions) {
    const address = parseServerUrl(options.serverUrl);
    if (!address) throw badUrl(options.serverUrl);
    this.origin = address.origin;
    this.base = address.base;
    this.scheduler = options.scheduler;
    this.apiKey = options.apiKey.trim();
    this.generations = options.generations ?? memoryGenerations;
    this.now = options.now ?? Date.now;
    this.attempts = options.attempts ?? memoryAttemptStore(this.now);
    this.bucket = gpustackBucket(this.origin);
    this.scheduler.defineBucket(this.bucket, GPUSTACK_BUCKET);
    this.batcher = new Batcher<ModelSpec, unknown>({
      send: (specs, group, priority, signal, notify) =>
        this.sendBatch(specs, group, { priority, signal, notify }),
      maxBatch: options.batch?.maxBatch ?? 10,
      maxInFlight: options.batch?.maxInFlight ?? GPUSTACK_BUCKET.concurrency,
      gatherMs: options.batch?.gatherMs,
      // GPUStack allows 50 evaluations per 10 s; a batch of 10 spends 10 of them.
      budget: { quota: GPUSTACK_BUCKET.quota, windowMs: GPUSTACK_BUCKET.windowMs },
    });
  }

  get hasKey(): boolean {
    return this.apiKey.length > 0;
  }

  /** 'v1' for 0.x, 'v2' for 2.x; asked once per server, then remembered. */
  async detectGeneration(call: GpustackCall = {}): Promise<Generation> {
    return (await this.serverInfo(call)).generation;
  }

  /** How the server's version speaks. */
  async dialect(call: GpustackCall = {}): Promise<Dialect> {
    return dialectOf(await this.serverInfo(call));
  }

  /** The server's version and generation; `fresh` asks again (the options page's test does). */
  async serverInfo(call: GpustackCall = {}, fresh = false): Promise<GenerationInfo> {
    if (!fresh) {
      const known = await this.generations.load(this.origin);
      if (known) return known;
    }
    this.detecting ??= this.readVersion(call).finally(() => {
      this.detecting = null;
    });
    const info = await this.detecting;
    await this.generations.save(this.origin, info);
    return info;
  }

  /** Forget the generation (e.g. the server was upgraded), so the next call asks again. */
  forgetGeneration(): Promise<void> {
    return this.generations.forget(this.origin);
  }

  /**
   * GPUStack's verdict for one Hub GGUF file, read as its version means it; evaluations waiting
   * together go as one request. A failure of the server is thrown, never returned as a verdict.
   */
  async evaluate(input: SpecInput, call: GpustackCall = {}): Promise<EvaluatedVerdict> {
    if (!this.hasKey) throw noKey();
    const dialect = await this.dialect(call);
    const v2 = dialect.generation === 'v2';
    if (v2 && !input.file.endsWith('.gguf')) throw upperCaseGguf(input.file);
    const clusterId = v2 ? (input.clusterId ?? null) : null;
    const catalog = v2 ? await this.catalog(call) : null;
    if (catalog) this.checkChoices(input, clusterId, catalog);

    const plain = buildModelSpec(dialect, { ...input, clusterId });
    const failureKey = `${this.origin}\n${specKey(plain)}`;
    const attempt = await this.attempts.last(failureKey);
    const spec = attempt === undefined ? plain : buildModelSpec(dialect, { ...input, clusterId, attempt });
    const raw = await this.batcher.run(`${dialect.generation}:${clusterId ?? ''}`, specKey(spec), spec, {
      priority: call.priority,
      signal: call.signal,
      onSend: call.tracker ? (request) => call.tracker?.set(request as ScheduledRequest) : undefined,
    });
    const reading = readResult(raw, { dialect, clusterId, visibleClusters: catalog?.clusters });
    switch (reading.kind) {
      case 'verdict':
        if (clusterId !== null && isBareNoFit(reading.verdict)) await this.recheckCluster(clusterId, call);
        return this.withCaveats(reading.verdict, dialect, input, clusterId, catalog);
      case 'backend':
        throw backendRefused(reading.text);
      case 'failure':
      case 'unknown':
        if (reading.kept) await this.attempts.failed(failureKey, this.now());
        throw reading.kind === 'failure' ? evaluationFailed(reading.text) : unknownAnswer(reading.text);
    }
  }

  /** Every worker (all pages) as a hardware profile; 2.x: of one cluster when `clusterId` is set. */
  async inventory(options: GpustackCall & { clusterId?: number | null } = {}) {
    const dialect = await this.dialect(options);
    const filter =
      dialect.generation === 'v2' && options.clusterId != null ? `?cluster_id=${options.clusterId}` : '';
    const workers = await this.listAll(`/${dialect.generation}/workers${filter}`, options);
    return profileOf(workers, new URL(this.origin).host, dialect);
  }

  /** 2.x: clusters, backends and workers, read once per client; what the key may not list is null. */
  catalog(call: GpustackCall = {}): Promise<ServerCatalog> {
    this.catalogRead ??= (async () => {
      const dialect = await this.dialect(call);
      const list = (path: string) => this.listAll(path, call).catch(() => null);
      const [clusters, backends, workers] = await Promise.all([
        list('/v2/clusters'),
        list('/v2/inference-backends'),
        // Only where the spec lets a model span workers (2.0 – 2.1), to flag such verdicts.
        dialect.ui.distributedForCustomBackend ? list('/v2/workers') : Promise.resolve(null),
      ]);
      return {
        clusters: clusters && clustersOf(clusters),
        backends: backends && backendNamesOf(backends),
        ggufBackends: backends && ggufBackendsOf(backends),
        workers: workers && workersOf(workers, dialect),
      };
    })();
    return this.catalogRead;
  }

  /** Requests sent as evaluation batches, for tests. */
  get batchesSent(): number {
    return this.batcher.requests;
  }

  /** Every item of a paginated list, page after page (100 per page). */
  async listAll(path: string, call: GpustackCall = {}): Promise<unknown[]> {
    const items: unknown[] = [];
    for (let page = 1, pages = 1; page <= pages; page++) {
      const response = await this.send(pagePath(path, page), call);
      if (!response.ok) throw fromResponse(response, this.origin);
      const parsed = pageOf(jsonOf(response));
      if (!parsed) throw notApi(response, this.origin);
      items.push(...parsed.items);
      pages = parsed.totalPages;
    }
    return items;
  }

  /** One request to `path` under the server's base; the answer whatever its status. */
  async send(path: string, options: SendOptions = {}): Promise<FetchedResponse> {
    const auth = options.auth ?? true;
    // A header value fetch refuses would read as "server unreachable" after three tries.
    if (auth && this.apiKey && !KEY_CHARS.test(this.apiKey)) throw keyFormat();
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (auth && this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const request: ScheduledRequest = {
      bucket: this.bucket,
      url: `${this.base}${path}`,
      method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      priority: options.priority,
      signal: options.signal,
      credentials: 'omit',
      maxBytes: MAX_BYTES,
    };
    options.tracker?.set(request);
    options.notify?.(request);
    try {
      return await this.scheduler.request(request);
    } catch (error) {
      throw fromThrown(error, this.origin);
    } finally {
      options.tracker?.set(null);
    }
  }

  /** The saved backend and cluster must still be on offer; the server would not say so itself. */
  private checkChoices(input: SpecInput, clusterId: number | null, catalog: ServerCatalog): void {
    const backend = input.params.backend;
    if (backend && catalog.backends && !catalog.backends.includes(backend)) {
      throw backendGone(backend, this.origin);
    }
    if (clusterId !== null && catalog.clusters && !catalog.clusters.some((c) => c.id === clusterId)) {
      throw clusterGone(clusterId, this.origin);
    }
  }

  /**
   * 2.0 – 2.1 evaluate a deleted cluster as a cluster without workers: "Unable to find a schedulable
   * worker" and nothing else (scheduler/evaluator.py:186-215). Read the clusters again to tell.
   */
  private async recheckCluster(clusterId: number, call: GpustackCall): Promise<void> {
    this.catalogRead = null;
    const clusters = (await this.catalog(call)).clusters;
    if (clusters && !clusters.some((c) => c.id === clusterId)) throw clusterGone(clusterId, this.origin);
  }

  /** Why a fitting verdict may still not deploy. */
  private withCaveats(
    verdict: GpustackVerdict,
    dialect: Dialect,
    input: SpecInput,
    clusterId: number | null,
    catalog: ServerCatalog | null,
  ): EvaluatedVerdict {
    if (!verdict.compatible || !catalog) return verdict;
    const caveats: NonNullable<CheckResult['caveats']> = [];
    // "Custom" lets the evaluation through; deploying still needs a backend that runs GGUF.
    if (!input.params.backend && catalog.ggufBackends?.length === 0) caveats.push('no-gguf-backend');
    // 2.0 – 2.1 let a model span workers over RPC, which no custom backend can run.
    if (dialect.ui.distributedForCustomBackend && catalog.workers && verdict.vramBytes !== undefined) {
      const largest = largestWorkerVram(catalog.workers, clusterId);
      if (largest !== null && verdict.vramBytes > largest) caveats.push('several-workers');
    }
    return caveats.length > 0 ? { ...verdict, caveats } : verdict;
  }

  private async sendBatch(
    specs: ModelSpec[],
    group: string,
    call: { priority: Priority; signal: AbortSignal; notify: (request: unknown) => void },
  ): Promise<unknown[]> {
    const [generation, cluster] = group.split(':') as [Generation, string];
    const body =
      generation === 'v2' && cluster
        ? { cluster_id: Number(cluster), model_specs: specs }
        : { model_specs: specs };
    const response = await this.send(`/${generation}/model-evaluations`, {
      body,
      priority: call.priority,
      signal: call.signal,
      notify: call.notify,
    });
    if (!response.ok) {
      // 2.2: the saved cluster is gone or not this key's; the server still speaks /v2.
      if (isClusterNotFound(response)) throw clusterGone(Number(cluster), this.origin);
      // A server upgraded from 0.x to 2.x (or back) has no such route: ask its version next time.
      if (response.status === 404) await this.forgetGeneration();
      throw fromResponse(response, this.origin);
    }
    const results = resultsOf(jsonOf(response));
    if (!results) throw notApi(response, this.origin);
    if (results.length !== specs.length) throw resultCountMismatch(results.length, specs.length);
    return results;
  }

  private async readVersion(call: GpustackCall): Promise<GenerationInfo> {
    const response = await this.send('/version', { ...call, auth: false });
    // /version needs no key and exists since 0.1: a 401, 403 or 404 there is not GPUStack speaking.
    if ([401, 403, 404].includes(response.status) || isWebPage(response)) throw notApi(response, this.origin);
    if (!response.ok) throw fromResponse(response, this.origin);
    const version = (jsonOf(response) as { version?: unknown } | undefined)?.version;
    if (typeof version !== 'string' || !version.trim()) throw notApi(response, this.origin);
    const generation = generationOf(version) ?? (await this.probeGeneration(call, response, version.trim()));
    return { generation, version: version.trim() };
  }

  /**
   * A version that does not say (dev builds report 0.0.0) or a major newer than any known: ask for a
   * 2.x route without the key. 2.x answers 401 (or serves it), 0.x has no /v2 and answers 404.
   * Costs no rights and touches no model.
   */
  private async probeGeneration(
    call: GpustackCall,
    versionResponse: FetchedResponse,
    version: string,
  ): Promise<Generation> {
    const response = await this.send('/v2/workers?perPage=1', { ...call, auth: false });
    const newer = (parseVersion(version)?.major ?? 0) > 2;
    if (response.status === 404) {
      if (newer) throw newerVersion(version);
      return 'v1';
    }
    if ([200, 401, 403].includes(response.status)) return 'v2';
    throw notApi(versionResponse, this.origin);
  }
}

/** A no-fit with no word on why: what 2.0 – 2.1 say of a cluster without workers (or a deleted one). */
function isBareNoFit(verdict: GpustackVerdict): boolean {
  return !verdict.compatible && verdict.messages.length === 1 && verdict.messages[0] === UNSCHEDULABLE;
}
