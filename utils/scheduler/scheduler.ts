// The one place the extension touches the network. Every request of every tab and the popup comes
// here, is put in its bucket's queue by priority, waits for that bucket's budget, and shares one
// upstream request with every identical request (single flight).
//
// Each bucket has a p-queue of concurrency 1 that only *dispatches*: a task waits for budget and a
// free connection, starts the fetch and returns. So a click that arrives while bulk checks wait for
// the rate limit still goes out first.

import PQueue from 'p-queue';
import { CheckError } from '../errors';
import type { Priority } from '../result';
import { SingleFlight } from '../single-flight';
import { Budget, type BudgetConfig, type BudgetState } from './budget';
import { parseRateLimit, parseRetryAfter } from './rate-limit-headers';

export interface BucketConfig extends BudgetConfig {
  /** Requests travelling at once. */
  concurrency: number;
}

export interface ScheduledRequest {
  bucket: string;
  url: string;
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  priority?: Priority;
  signal?: AbortSignal;
  /** Cookies stay home unless a caller has a reason. */
  credentials?: RequestCredentials;
  /** A response body larger than this is an error, so a lying server cannot fill memory. */
  maxBytes?: number;
}

/** A response read whole, so any number of callers can share it. */
export interface FetchedResponse {
  status: number;
  ok: boolean;
  /** The final URL after redirects. */
  url: string;
  headers: Headers;
  body: Uint8Array;
}

export interface BucketStatus {
  queued: number;
  inFlight: number;
  remaining: number;
  quota: number;
  /** When the bucket waits for its budget or a 429 pause: the time it may send again. */
  waitingUntil: number | null;
}

export interface SchedulerStatus {
  buckets: Record<string, BucketStatus>;
}

export interface BudgetStore {
  load(): Promise<Record<string, BudgetState>>;
  save(states: Record<string, BudgetState>): Promise<void>;
}

export interface SchedulerOptions {
  buckets: Record<string, BucketConfig>;
  store?: BudgetStore;
  fetch?: typeof fetch;
  now?: () => number;
  /** Attempts per request when the server answers 429 (then a retryable error). */
  maxAttempts?: number;
  random?: () => number;
}

const PRIORITY_RANK: Record<Priority, number> = { click: 3, popup: 2, bulk: 1 };
const DEFAULT_MAX_BYTES = 80 * 1024 * 1024;
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

interface Bucket {
  name: string;
  budget: Budget;
  concurrency: number;
  dispatch: PQueue;
  inFlight: number;
  /** Sends so far, numbered: a response learns which others the server may not have counted. */
  sendSeq: number;
  travelling: Set<number>;
  /** Keys waiting for dispatch, for queue positions. */
  queued: Map<string, { rank: number; seq: number; id: string }>;
  waitingUntil: number | null;
  slotWaiters: Array<() => void>;
}

type Listener = (status: SchedulerStatus) => void;

export class Scheduler {
  private readonly buckets = new Map<string, Bucket>();
  private readonly flights = new SingleFlight<FetchedResponse>();
  private readonly listeners = new Set<Listener>();
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxAttempts: number;
  private readonly store?: BudgetStore;
  private readonly ready: Promise<void>;
  private seq = 0;
  private saving: Promise<void> = Promise.resolve();
  /** Budgets as the store had them at start. */
  private saved: Record<string, BudgetState> = {};

  constructor(private readonly options: SchedulerOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.store = options.store;
    this.ready = this.restore();
  }

  /** Adds a bucket (e.g. one per GPUStack server) unless it exists. */
  defineBucket(name: string, config: BucketConfig): void {
    if (this.buckets.has(name)) return;
    this.buckets.set(name, {
      name,
      // A bucket made after a restart (a GPUStack server's) takes up its saved budget.
      budget: new Budget(config, this.saved[name], this.now()),
      concurrency: config.concurrency,
      dispatch: new PQueue({ concurrency: 1 }),
      inFlight: 0,
      sendSeq: 0,
      travelling: new Set(),
      queued: new Map(),
      waitingUntil: null,
      slotWaiters: [],
    });
  }

  /** Sends a request when its bucket allows; identical concurrent requests share one upstream call. */
  async request(request: ScheduledRequest): Promise<FetchedResponse> {
    await this.ready;
    const key = flightKey(request);
    // A waiting duplicate with a higher priority lifts the shared request.
    if (this.flights.has(key)) this.raise(request.bucket, key, request.priority);
    return this.flights.run(key, (signal) => this.run(key, request, signal), request.signal);
  }

  /** Where the request for `url` stands in its queue (1 = next), or null if it is not queued. */
  position(request: Pick<ScheduledRequest, 'bucket' | 'url' | 'method' | 'headers' | 'body'>): number | null {
    const bucket = this.buckets.get(request.bucket);
    const mine = bucket?.queued.get(flightKey(request));
    if (!bucket || !mine) return null;
    let ahead = 0;
    for (const other of bucket.queued.values()) {
      if (other.rank > mine.rank || (other.rank === mine.rank && other.seq < mine.seq)) ahead += 1;
    }
    return ahead + 1;
  }

  /** When the bucket's next request waits for budget: the time it may go; else null. */
  waitingUntil(bucket: string): number | null {
    return this.buckets.get(bucket)?.waitingUntil ?? null;
  }

  status(): SchedulerStatus {
    const now = this.now();
    const buckets: Record<string, BucketStatus> = {};
    for (const bucket of this.buckets.values()) {
      buckets[bucket.name] = {
        queued: bucket.queued.size,
        inFlight: bucket.inFlight,
        remaining: bucket.budget.remaining(now),
        quota: bucket.budget.quota,
        waitingUntil: bucket.waitingUntil,
      };
    }
    return { buckets };
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once every budget change so far is persisted. */
  flush(): Promise<void> {
    return this.saving;
  }

  private bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new CheckError('internal', `No rate-limit bucket named ${name}.`);
    return bucket;
  }

  private async run(key: string, request: ScheduledRequest, signal: AbortSignal): Promise<FetchedResponse> {
    const bucket = this.bucket(request.bucket);
    const rank = PRIORITY_RANK[request.priority ?? 'click'];
    let failures = 0;
    for (let attempt = 1; ; attempt += 1) {
      const sendNo = await this.dispatch(bucket, key, rank, signal);
      let response: FetchedResponse;
      try {
        response = await this.send(bucket, request, signal, sendNo);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof CheckError) throw error;
        failures += 1;
        if (failures >= 3) {
          throw new CheckError('network', `Could not reach ${new URL(request.url).host}.`, true);
        }
        await this.sleep(this.backoff(failures), signal);
        continue;
      }
      if (!RETRYABLE_STATUS.has(response.status)) return response;
      if (response.status === 429) {
        if (attempt >= this.maxAttempts) {
          throw new CheckError(
            'rate-limited',
            'The server is still rate limiting after several tries.',
            true,
          );
        }
        continue; // send() paused the bucket until the server's reset.
      }
      failures += 1;
      if (failures >= 3) return response; // The caller turns a lasting 5xx into its own sentence.
      await this.sleep(this.backoff(failures), signal);
    }
  }

  /**
   * Waits in the bucket's priority queue until budget and a connection are free, then takes them;
   * resolves with the send's number in its bucket.
   */
  private async dispatch(bucket: Bucket, key: string, rank: number, signal: AbortSignal): Promise<number> {
    const seq = this.seq++;
    const entry = { rank, seq, id: `${key}#${seq}` };
    bucket.queued.set(key, entry);
    this.emit();
    try {
      for (;;) {
        const sent = await bucket.dispatch.add(
          async () => {
            for (;;) {
              await this.waitForSlot(bucket, signal);
              const now = this.now();
              const at = bucket.budget.nextSendAt(now);
              if (at <= now) break;
              bucket.waitingUntil = at;
              this.emit();
              await this.sleep(at - now, signal);
              // A click that arrived meanwhile takes the budget first; this one queues again.
              if (this.higherQueued(bucket, entry)) return null;
            }
            bucket.waitingUntil = null;
            bucket.budget.recordSend(this.now());
            bucket.inFlight += 1;
            bucket.sendSeq += 1;
            bucket.travelling.add(bucket.sendSeq);
            this.persist();
            return bucket.sendSeq;
          },
          { priority: entry.rank, signal, id: entry.id },
        );
        if (sent !== null) return sent;
      }
    } finally {
      bucket.queued.delete(key);
      bucket.waitingUntil = null;
      this.emit();
    }
  }

  private async send(
    bucket: Bucket,
    request: ScheduledRequest,
    signal: AbortSignal,
    sendNo: number,
  ): Promise<FetchedResponse> {
    try {
      const raw = await this.fetchImpl(request.url, {
        method: request.method ?? 'GET',
        headers: request.headers,
        body: request.body,
        credentials: request.credentials ?? 'omit',
        redirect: 'follow',
        cache: 'no-store',
        signal,
      });
      const now = this.now();
      const info = parseRateLimit(raw.headers);
      bucket.budget.learn(info, now, uncounted(bucket, sendNo));
      if (raw.status === 429) {
        const wait =
          info.resetSeconds !== undefined
            ? info.resetSeconds * 1000 + 250
            : parseRetryAfter(raw.headers, now);
        bucket.budget.pause(now + (wait ?? this.backoff(1)));
      }
      const body = await readBody(raw, request.maxBytes ?? DEFAULT_MAX_BYTES);
      return { status: raw.status, ok: raw.ok, url: raw.url || request.url, headers: raw.headers, body };
    } finally {
      bucket.inFlight -= 1;
      bucket.travelling.delete(sendNo);
      bucket.slotWaiters.shift()?.();
      this.persist();
      this.emit();
    }
  }

  private higherQueued(bucket: Bucket, entry: { rank: number }): boolean {
    for (const other of bucket.queued.values()) if (other.rank > entry.rank) return true;
    return false;
  }

  private raise(bucketName: string, key: string, priority: Priority | undefined): void {
    const bucket = this.buckets.get(bucketName);
    const entry = bucket?.queued.get(key);
    const rank = PRIORITY_RANK[priority ?? 'click'];
    if (!bucket || !entry || entry.rank >= rank) return;
    entry.rank = rank;
    try {
      bucket.dispatch.setPriority(entry.id, rank);
    } catch {
      // Already taken out of the queue: nothing left to lift.
    }
  }

  private waitForSlot(bucket: Bucket, signal: AbortSignal): Promise<void> {
    if (bucket.inFlight < bucket.concurrency) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.waitForSlot(bucket, signal));
      };
      const onAbort = () => {
        bucket.slotWaiters = bucket.slotWaiters.filter((w) => w !== wake);
        reject(signal.reason);
      };
      bucket.slotWaiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Exponential backoff with full jitter: 1 s, 2 s, 4 s, 8 s ... at most 30 s. */
  private backoff(failures: number): number {
    const cap = Math.min(30_000, 1000 * 2 ** (failures - 1));
    return cap / 2 + this.random() * (cap / 2);
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async restore(): Promise<void> {
    this.saved = this.store ? await this.store.load().catch(() => ({})) : {};
    for (const [name, config] of Object.entries(this.options.buckets)) {
      this.defineBucket(name, config);
      const state = this.saved[name];
      if (state) this.bucket(name).budget = new Budget(config, state, this.now());
    }
  }

  /** Budget state survives the worker being stopped, so a restart never bursts past it. */
  private persist(): void {
    const store = this.store;
    if (!store) return;
    // Buckets not made since the restart keep their saved budgets.
    const states: Record<string, BudgetState> = { ...this.saved };
    for (const bucket of this.buckets.values()) {
      states[bucket.name] = bucket.budget.snapshot(bucket.travelling.size);
    }
    this.saving = this.saving.then(() => store.save(states)).catch(() => {});
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }
}

/**
 * Our requests the server may not have counted when it answered `sendNo`: the others still
 * travelling, and those sent after it that have already come back.
 */
function uncounted(bucket: Bucket, sendNo: number): number {
  let travellingAfter = 0;
  for (const no of bucket.travelling) if (no > sendNo) travellingAfter += 1;
  const sentAfter = bucket.sendSeq - sendNo;
  return bucket.travelling.size - 1 + (sentAfter - travellingAfter);
}

function flightKey(request: Pick<ScheduledRequest, 'url' | 'method' | 'headers' | 'body'>): string {
  const headers = request.headers ?? {};
  const range = headers.Range ?? headers.range ?? '';
  // Two credentials never share an answer; the key holds a hash of them, not the secret.
  const auth = headers.Authorization ?? headers.authorization ?? headers['X-API-Key'] ?? '';
  return `${request.method ?? 'GET'} ${request.url} ${range} ${auth ? fnv1a(auth) : ''} ${request.body ?? ''}`;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

async function readBody(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new CheckError(
      'upstream',
      `The server sent ${declared} bytes, more than the ${maxBytes} expected.`,
    );
  }
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new CheckError('upstream', `The server sent more than the ${maxBytes} bytes expected.`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
