// A local GPUStack server over plain HTTP on 127.0.0.1 (http:// LAN servers are the common case;
// `https: true` for the other), answering from the fake API in gpustack-api.ts. Chromium reaches it
// under a fixed name through `hostMap` (see resolver-rules.ts), so its origin is the same whatever
// port it got; Node tests use `request()`.
//
//   const v1 = await startGpustackServer({ host: 'gpustack-v1.test', version: 'v0.6.1' });
//   const ext = await launchExtension({ hostResolverRules: hostResolverRules({ ...hf.hostMap, ...v1.hostMap }) });
//   ...
//   expect(v1.requests.every((r) => r.headers.cookie === undefined)).toBe(true);
//   await v1.close();

import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from './certs';
import {
  type ApiResponse,
  type Evaluator,
  type FailureHook,
  type FakeBackend,
  type FakeCluster,
  type FakeHub,
  type FakeWorker,
  GpustackApi,
  type GpustackApiConfig,
  type KeyRole,
  type LoggedGpustackRequest,
} from './gpustack-api';
import { hostResolverRules } from './resolver-rules';

export * from './gpustack-api';

export interface GpustackServerConfig extends GpustackApiConfig {
  /** The name Chromium uses for it (mapped to the port); default 127.0.0.1 with its port. */
  host?: string;
  /** Serve HTTPS with a self-signed certificate for `host`. */
  https?: boolean;
  /** Delay before each answer, ms. */
  latencyMs?: number;
}

export interface GpustackServer {
  readonly port: number;
  /** "http://gpustack-v1.test" (mapped name, default port) or "http://127.0.0.1:PORT". */
  readonly origin: string;
  /** `{host: port}` to merge into hostResolverRules; empty without a `host`. */
  readonly hostMap: Readonly<Record<string, number>>;
  /** For this server alone (every other name unresolvable). */
  readonly hostResolverRules: string;
  /** The fake API: its state can be changed between tests (version, keys, workers, evaluator ...). */
  readonly api: GpustackApi;
  /** Every request, in arrival order: method, path, headers (cookie and authorization included), body. */
  readonly requests: LoggedGpustackRequest[];
  clearLog(): void;
  setVersion(version: string): void;
  setKeys(keys: Record<string, KeyRole>): void;
  setWorkers(workers: FakeWorker[]): void;
  setClusters(clusters: FakeCluster[]): void;
  setBackends(backends: FakeBackend[]): void;
  setEvaluator(evaluator: Evaluator): void;
  /** What the server finds on Hugging Face (gated repos, files, slowness). */
  setHub(hub: FakeHub): void;
  /** Forgets the server's one-hour cache of evaluation results. */
  clearEvaluationCache(): void;
  setEvaluationLimit(limit: { quota: number; windowSeconds: number } | null): void;
  resetRateLimit(): void;
  injectFailure(hook: FailureHook | undefined): void;
  setLatency(ms: number): void;
  /** A request from Node, straight to the port (path on this server). */
  request(
    path: string,
    init?: { method?: string; headers?: Record<string, string>; body?: string },
  ): Promise<{ status: number; headers: Record<string, string>; text: string }>;
  close(): Promise<void>;
}

export async function startGpustackServer(config: GpustackServerConfig = {}): Promise<GpustackServer> {
  const api = new GpustackApi(config);
  let latency = config.latencyMs ?? 0;
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    let answer: ApiResponse;
    try {
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined)
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      answer = api.handle({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers,
        body,
        remoteAddress: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
      });
    } catch (error) {
      answer = {
        status: 500,
        headers: { 'Content-Type': 'text/plain' },
        body: `Fake server bug: ${String(error)}`,
      };
    }
    if (res.destroyed) return;
    const payload = Buffer.from(answer.body);
    res.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(payload.length) });
    res.end(payload);
  };
  const host = config.host;
  const server: Server = config.https
    ? createHttpsServer(selfSignedCert([host ?? '127.0.0.1']), handler)
    : createHttpServer(handler);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  const scheme = config.https ? 'https' : 'http';
  const hostMap: Record<string, number> = host ? { [host]: port } : {};
  const direct = `${scheme}://127.0.0.1:${port}`;

  return {
    port,
    origin: host ? `${scheme}://${host}` : direct,
    hostMap,
    hostResolverRules: hostResolverRules(hostMap),
    api,
    requests: api.requests,
    clearLog: () => api.clearLog(),
    setVersion: (version) => {
      api.version = version;
    },
    setKeys: (keys) => {
      api.keys = { ...keys };
    },
    setWorkers: (workers) => {
      api.workers = structuredClone(workers);
    },
    setClusters: (clusters) => {
      api.clusters = structuredClone(clusters);
    },
    setBackends: (backends) => {
      api.backends = structuredClone(backends);
    },
    setEvaluator: (evaluator) => {
      api.evaluator = evaluator;
    },
    setHub: (hub) => {
      api.hub = structuredClone(hub);
    },
    clearEvaluationCache: () => api.clearEvaluationCache(),
    setEvaluationLimit: (limit) => {
      api.evaluationLimit = limit;
    },
    resetRateLimit: () => api.resetRateLimit(),
    injectFailure: (hook) => api.injectFailure(hook),
    setLatency: (ms) => {
      latency = ms;
    },
    request: (path, init = {}) => {
      if (config.https) return Promise.reject(new Error('request() speaks plain HTTP; start an http server'));
      return nodeRequest(port, path, {
        ...init,
        headers: { ...(host ? { Host: host } : {}), ...init.headers },
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Browsers keep connections alive: drop them, or close() waits for their idle timeout.
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > limit) throw new Error('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function nodeRequest(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
