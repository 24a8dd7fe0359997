// A local Hugging Face: huggingface.co (API, /resolve/, pages, rate limits) and the CDN host it
// redirects downloads to, each an HTTPS server on its own loopback port with its own certificate.
// Chromium reaches them through `hostResolverRules`; Node tests through `request()`.
//
//   const hf = await startHfServer({ repos: [repo] });
//   const session = await launchExtension({ hostResolverRules: hf.hostResolverRules });
//   ...
//   expect(hf.requests.filter((r) => r.bucket === 'resolvers')).toHaveLength(1);
//   await hf.close();

import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CDN_HOST, createCdnHandler } from './cdn-server';
import { selfSignedCert } from './certs';
import type { FailureHook, LatencySetting, LoggedRequest } from './http-util';
import { type FakeRepo, type SearchModel, searchItemOf, validateRepo } from './hub-model';
import { CDN_ORIGIN, createHubHandler, HUB_HOST, HUB_ORIGIN } from './hub-server';
import { type NodeRequestInit, type NodeResponse, requestVia } from './node-client';
import { type Bucket, FixedWindowLimiter, type RateLimitPolicy, type RateLimitState } from './rate-limit';
import { hostResolverRules } from './resolver-rules';

export type { FailureHook, HfRequest, InjectedResponse, LatencySetting, LoggedRequest } from './http-util';
export type { FakeFile, FakeRepo, SearchModel } from './hub-model';
export { fakeSha } from './hub-model';
export type { NodeRequestInit, NodeResponse } from './node-client';
export type { Bucket, RateLimitPolicy, RateLimitState } from './rate-limit';
export { ANONYMOUS_LIMITS } from './rate-limit';
export { CDN_HOST, CDN_ORIGIN, HUB_HOST, HUB_ORIGIN };

export interface HfServerConfig {
  repos?: FakeRepo[];
  /** Search-only models (repos added with addRepo are listed too, after these). */
  searchResults?: SearchModel[];
  /** Path (with or without query) -> HTML served with 200. */
  pages?: Record<string, string>;
  /** Per-bucket overrides of the anonymous limits (500 / 3000 / 100 per 300 s). */
  rateLimits?: Partial<Record<Bucket, RateLimitPolicy>>;
  /** Send Retry-After with 429s. Default true (the Hub does not document it: test both). */
  retryAfter?: boolean;
  latency?: LatencySetting;
  /** Clock of the rate-limit windows (ms), so tests can move time on instead of waiting. */
  clock?: () => number;
}

export interface HfServer {
  /** huggingface.co's port on 127.0.0.1. */
  readonly port: number;
  /** cas-bridge.xethub.hf.co's port on 127.0.0.1. */
  readonly cdnPort: number;
  readonly hubOrigin: string;
  readonly cdnOrigin: string;
  /** Host -> loopback port, to combine with other fakes' hosts (see resolver-rules.ts). */
  readonly hostMap: Readonly<Record<string, number>>;
  /** For Chromium's --host-resolver-rules: both hosts mapped, every other name unresolvable. */
  readonly hostResolverRules: string;
  /** Every request to either host, in arrival order. */
  readonly requests: LoggedRequest[];
  clearLog(): void;
  close(): Promise<void>;

  addRepo(repo: FakeRepo): void;
  removeRepo(id: string): void;
  setPage(path: string, html: string): void;
  setSearchResults(models: SearchModel[]): void;
  /** New policy for one bucket; its window starts over. */
  setRateLimit(bucket: Bucket, policy: RateLimitPolicy): void;
  /** Starts every bucket's window over. */
  resetRateLimits(): void;
  /** A bucket's current state, without counting a request. */
  rateLimitState(bucket: Bucket): RateLimitState;
  setRetryAfter(enabled: boolean): void;
  /** Delay before each answer (both hosts); 0 to stop. */
  setLatency(latency: LatencySetting): void;
  /** Consulted first for every request on both hosts; return undefined to let it through. */
  injectFailure(hook: FailureHook | undefined): void;

  /** Requests from Node: absolute https URL of either host, or a path on huggingface.co. */
  request(url: string, init?: NodeRequestInit): Promise<NodeResponse>;
}

export async function startHfServer(config: HfServerConfig = {}): Promise<HfServer> {
  const repos = new Map<string, FakeRepo>();
  const pages = new Map(Object.entries(config.pages ?? {}));
  let searchResults: SearchModel[] = [...(config.searchResults ?? [])];
  let latency: LatencySetting = config.latency ?? 0;
  let failure: FailureHook | undefined;
  let retryAfter = config.retryAfter ?? true;
  const log: LoggedRequest[] = [];
  const limiter = new FixedWindowLimiter(config.rateLimits, config.clock);

  const addRepo = (repo: FakeRepo) => {
    validateRepo(repo);
    repos.set(repo.id, structuredClone(repo));
  };
  for (const repo of config.repos ?? []) addRepo(repo);

  const shared = {
    findRepo: (id: string) => repos.get(id),
    latency: () => latency,
    failure: () => failure,
    log,
  };
  const hub = createServer(
    selfSignedCert([HUB_HOST, `*.${HUB_HOST}`]),
    createHubHandler({
      ...shared,
      pages,
      limiter,
      retryAfter: () => retryAfter,
      searchModels: () => {
        const listed = new Set(searchResults.map((model) => model.id));
        return [
          ...searchResults,
          ...[...repos.values()].filter((repo) => !listed.has(repo.id)).map(searchItemOf),
        ];
      },
    }),
  );
  const cdn = createServer(selfSignedCert([CDN_HOST]), createCdnHandler(shared));
  const [port, cdnPort] = await Promise.all([listen(hub), listen(cdn)]);
  const hostMap = { [HUB_HOST]: port, [CDN_HOST]: cdnPort };

  return {
    port,
    cdnPort,
    hubOrigin: HUB_ORIGIN,
    cdnOrigin: CDN_ORIGIN,
    hostMap,
    hostResolverRules: hostResolverRules(hostMap),
    requests: log,
    clearLog: () => {
      // Emptied in place: tests may hold a reference to the array.
      log.length = 0;
    },
    close: async () => {
      await Promise.all([stop(hub), stop(cdn)]);
    },
    addRepo,
    removeRepo: (id) => {
      repos.delete(id);
    },
    setPage: (path, html) => {
      pages.set(path, html);
    },
    setSearchResults: (models) => {
      searchResults = structuredClone(models);
    },
    setRateLimit: (bucket, policy) => limiter.setPolicy(bucket, policy),
    resetRateLimits: () => limiter.reset(),
    rateLimitState: (bucket) => limiter.peek(bucket),
    setRetryAfter: (enabled) => {
      retryAfter = enabled;
    },
    setLatency: (value) => {
      latency = value;
    },
    injectFailure: (hook) => {
      failure = hook;
    },
    request: (url, init) => requestVia(hostMap, url.startsWith('/') ? `${HUB_ORIGIN}${url}` : url, init),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Browsers keep connections alive: drop them, or close() waits for their idle timeout.
    server.closeAllConnections();
  });
}
