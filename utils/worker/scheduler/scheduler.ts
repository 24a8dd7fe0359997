// The one place the extension touches the network. Every request of every tab and the popup comes
// here, is put in its bucket's queue by priority, waits for that bucket's budget, and shares one
// upstream request with every identical request (single flight).
//
// Each bucket has a p-queue of concurrency 1 that only *dispatches*: a task waits for budget and a
// free connection, starts the fetch and returns. So a click that arrives while bulk checks wait for
// the rate limit still goes out first.

import PQueue from 'p-queue';
import { CheckError } from '../../common/errors';
import { t } from '../../common/i18n';
import type { BucketStatus, SchedulerStatus } from '../../common/protocol';
import type { Priority } from '../../common/result';
import { formatBytes } from '../../lib/format';
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
  /** Sends so far, numbered. */
  sendSeq: number;
  /** Send times of the requests travelling, by number. */
  travelling: Map<number, number>;
  /** Dispatchers waiting for any answer: the server's word may have left room. */
  answerWaiters: Array<() => void>;
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
  /** The budget write under way (or done), and the one queued behind it. */
  private saving: Promise<void> = Promise.resolve();
  private nextSave: Promise<void> | null = null;
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
      sendSeq: 0,
      travelling: new Map(),
      answerWaiters: [],
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
        inFlight: bucket.travelling.size,
        remaining: bucket.budget.remaining(now, bucket.travelling.size),
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
    if (!bucket) throw new CheckError('internal', t('errorInternal'));
    return bucket;
  }

  private async run(key: string, request: ScheduledRequest, signal: AbortSignal): Promise<FetchedResponse> {
    const bucket = this.bucket(request.bucket);
    const rank = PRIORITY_RANK[request.priority ?? 'click'];
    let failures = 0;
    for (let attempt = 1; ; attempt += 1) {
      const { sendNo, saved } = await this.dispatch(bucket, key, rank, signal);
      // Saved before it leaves: a worker stopped right after the send still knows of it. Sends
      // dispatched together wait for one write.
      await saved;
      let response: FetchedResponse;
      try {
        response = await this.send(bucket, request, signal, sendNo);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof CheckError) throw error;
        failures += 1;
        if (failures >= 3) {
          throw new CheckError('network', t('errorNetwork', new URL(request.url).host), true);
        }
        await this.sleep(this.backoff(failures), signal);
        continue;
      }
      if (!RETRYABLE_STATUS.has(response.status)) return response;
      if (response.status === 429) {
        if (attempt >= this.maxAttempts) {
          throw new CheckError('rate-limited', t('errorStillRateLimited'), true);
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
   * resolves with the send's number in its bucket and the write that saves it.
   */
  private async dispatch(
    bucket: Bucket,
    key: string,
    rank: number,
    signal: AbortSignal,
  ): Promise<{ sendNo: number; saved: Promise<void> }> {
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
              const at = bucket.budget.nextSendAt(now, bucket.travelling.size);
              if (at <= now) break;
              bucket.waitingUntil = at;
              this.emit();
              // Held back by the server's word while our requests travel: their answers tell
              // exactly what is left, so the next one may free the bucket long before the reset.
              if (bucket.budget.waitsOnAnswers(now, bucket.travelling.size)) {
                await this.sleepOrAnswer(bucket, at - now, signal);
              } else {
                await this.sleep(at - now, signal);
              }
              // A click that arrived meanwhile takes the budget first; this one queues again.
              if (this.higherQueued(bucket, entry)) return null;
            }
            bucket.waitingUntil = null;
            const sentAt = this.now();
            bucket.budget.recordSend(sentAt);
            bucket.sendSeq += 1;
            bucket.travelling.set(bucket.sendSeq, sentAt);
            return { sendNo: bucket.sendSeq, saved: this.persist() };
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
    const sentAt = bucket.travelling.get(sendNo) ?? this.now();
    let answered = false;
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
      bucket.budget.learn(info, now, sentAt);
      answered = true;
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
      if (!answered) bucket.budget.answeredBlind(this.now());
      bucket.travelling.delete(sendNo);
      bucket.slotWaiters.shift()?.();
      for (const wake of bucket.answerWaiters.splice(0)) wake();
      void this.persist();
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
    if (bucket.travelling.size < bucket.concurrency) return Promise.resolve();
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

  /** Sleeps `ms`, or less when one of the bucket's requests is answered first. */
  private sleepOrAnswer(bucket: Bucket, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        bucket.answerWaiters = bucket.answerWaiters.filter((w) => w !== done);
      };
      const done = () => {
        stop();
        resolve();
      };
      const timer = setTimeout(done, ms);
      const onAbort = () => {
        stop();
        reject(signal.reason);
      };
      bucket.answerWaiters.push(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
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

  /**
   * Budget state survives the worker being stopped, so a restart never bursts past it. Writes go one
   * at a time; the one queued behind the write under way takes every change made meanwhile, so a
   * burst costs a few writes, not one per request. Resolves once this change is written.
   */
  private persist(): Promise<void> {
    const store = this.store;
    if (!store) return Promise.resolve();
    this.nextSave ??= this.saving.then(() => {
      this.nextSave = null;
      // Buckets not made since the restart keep their saved budgets.
      const states: Record<string, BudgetState> = { ...this.saved };
      for (const bucket of this.buckets.values()) {
        states[bucket.name] = bucket.budget.snapshot(bucket.travelling.size);
      }
      return store.save(states).catch(() => {});
    });
    this.saving = this.nextSave;
    return this.nextSave;
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }
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
    throw new CheckError('upstream', t('errorTooMuchData', formatBytes(maxBytes)));
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
      throw new CheckError('upstream', t('errorTooMuchData', formatBytes(maxBytes)));
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
