// Gathers evaluations that wait at the same time into one request of up to 10 model specs, so a page
// of files costs a few POSTs instead of one each; identical specs share one entry and one answer.
//
// A request goes out when the gathering window closes. While one travels, the next waits for it to
// come back (so late arrivals join one request) unless a full batch or a click is waiting. Every item
// counts against a sliding budget of evaluations: GPUStack limits evaluations, not requests.

import type { Priority } from '../../../common/result';

export interface BatchCall {
  priority?: Priority;
  signal?: AbortSignal;
  /** Told what the batch this call rides in sends (e.g. its scheduled request), for progress. */
  onSend?: (request: unknown) => void;
}

/** Sends one batch; must answer one result per item, in order. `notify` tells every caller. */
export type SendBatch<S, R> = (
  items: S[],
  group: string,
  priority: Priority,
  signal: AbortSignal,
  notify: (request: unknown) => void,
) => Promise<R[]>;

export interface BatcherOptions<S, R> {
  send: SendBatch<S, R>;
  /** Items per request. */
  maxBatch?: number;
  /** Requests travelling at once. */
  maxInFlight?: number;
  /** How long the first waiting item waits for company (ms). */
  gatherMs?: number;
  /** Items (not requests) per sliding window. */
  budget?: { quota: number; windowMs: number };
  now?: () => number;
}

const RANK: Record<Priority, number> = { click: 3, popup: 2, bulk: 1 };
const PRIORITY_OF_RANK: Priority[] = ['bulk', 'bulk', 'popup', 'click'];

interface Waiter<R> {
  onSend?: (request: unknown) => void;
  resolve(value: R): void;
  reject(reason: unknown): void;
  detach(): void;
}

interface Entry<S, R> {
  id: string;
  group: string;
  item: S;
  rank: number;
  seq: number;
  waiters: Set<Waiter<R>>;
  batch: Batch<S, R> | null;
}

interface Batch<S, R> {
  entries: Entry<S, R>[];
  controller: AbortController;
  /** What it sent, for callers who join it late. */
  request?: unknown;
}

export class Batcher<S, R> {
  private readonly entries = new Map<string, Entry<S, R>>();
  private pending: Entry<S, R>[] = [];
  private inFlight = 0;
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;
  private readonly sends: number[] = [];
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly gatherMs: number;
  private readonly now: () => number;
  /** Requests sent, for tests. */
  requests = 0;

  constructor(private readonly options: BatcherOptions<S, R>) {
    this.maxBatch = options.maxBatch ?? 10;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.gatherMs = options.gatherMs ?? 10;
    this.now = options.now ?? Date.now;
  }

  /** The answer for `item`; callers with the same group and key share one. */
  run(group: string, key: string, item: S, call: BatchCall = {}): Promise<R> {
    call.signal?.throwIfAborted();
    const id = `${group}\n${key}`;
    const rank = RANK[call.priority ?? 'click'];
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { id, group, item, rank, seq: this.seq++, waiters: new Set(), batch: null };
      this.entries.set(id, entry);
      this.pending.push(entry);
    } else if (!entry.batch) {
      entry.rank = Math.max(entry.rank, rank);
    }
    const joined = entry;
    const promise = new Promise<R>((resolve, reject) => {
      const signal = call.signal;
      const onAbort = () => {
        joined.waiters.delete(waiter);
        reject(signal?.reason);
        this.abandon(joined);
      };
      const waiter: Waiter<R> = {
        onSend: call.onSend,
        resolve,
        reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      joined.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (joined.batch?.request !== undefined) call.onSend?.(joined.batch.request);
    });
    this.schedule(this.now() + this.gatherMs);
    return promise;
  }

  /** A caller gave up: an entry nobody waits for leaves the queue, a batch nobody waits for stops. */
  private abandon(entry: Entry<S, R>): void {
    if (entry.waiters.size > 0) return;
    if (!entry.batch) {
      this.entries.delete(entry.id);
      this.pending = this.pending.filter((e) => e !== entry);
      return;
    }
    const batch = entry.batch;
    if (batch.entries.every((e) => e.waiters.size === 0)) {
      batch.controller.abort(new DOMException('Nobody waits for these evaluations.', 'AbortError'));
    }
  }

  private schedule(at: number): void {
    if (this.timer !== null && this.timerAt <= at) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.flush();
      },
      Math.max(0, at - this.now()),
    );
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      // With a request travelling, wait for it unless a full batch or a click waits.
      const urgent = this.pending.length >= this.maxBatch || this.pending.some((e) => e.rank === RANK.click);
      if (this.inFlight > 0 && !urgent) return;
      const room = this.budgetLeft();
      if (room <= 0) {
        this.schedule(this.budgetFreesAt());
        return;
      }
      this.pending.sort((a, b) => b.rank - a.rank || a.seq - b.seq);
      const group = this.pending[0]?.group;
      const taken = this.pending.filter((e) => e.group === group).slice(0, Math.min(this.maxBatch, room));
      this.pending = this.pending.filter((e) => !taken.includes(e));
      this.dispatch(taken);
    }
  }

  private dispatch(entries: Entry<S, R>[]): void {
    const batch: Batch<S, R> = { entries, controller: new AbortController() };
    for (const entry of entries) entry.batch = batch;
    const now = this.now();
    for (let i = 0; i < entries.length; i++) this.sends.push(now);
    this.inFlight += 1;
    this.requests += 1;
    const rank = Math.max(...entries.map((e) => e.rank));
    const group = entries[0]?.group ?? '';
    const settle = (entry: Entry<S, R>, outcome: { value: R } | { error: unknown }) => {
      this.entries.delete(entry.id);
      for (const waiter of entry.waiters) {
        waiter.detach();
        if ('value' in outcome) waiter.resolve(outcome.value);
        else waiter.reject(outcome.error);
      }
      entry.waiters.clear();
    };
    const notify = (request: unknown) => {
      batch.request = request;
      for (const entry of entries) for (const waiter of entry.waiters) waiter.onSend?.(request);
    };
    this.options
      .send(
        entries.map((e) => e.item),
        group,
        PRIORITY_OF_RANK[rank] ?? 'click',
        batch.controller.signal,
        notify,
      )
      .then(
        (results) => {
          entries.forEach((entry, i) => {
            const value = results[i];
            if (i < results.length) settle(entry, { value: value as R });
            else settle(entry, { error: new Error('The batch answered too few results.') });
          });
        },
        (error: unknown) => {
          for (const entry of entries) settle(entry, { error });
        },
      )
      .finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
  }

  private budgetLeft(): number {
    const budget = this.options.budget;
    if (!budget) return Number.POSITIVE_INFINITY;
    const since = this.now() - budget.windowMs;
    while (this.sends.length > 0 && (this.sends[0] ?? 0) <= since) this.sends.shift();
    return budget.quota - this.sends.length;
  }

  /** When the oldest send leaves the window and frees a place. */
  private budgetFreesAt(): number {
    return (this.sends[0] ?? this.now()) + (this.options.budget?.windowMs ?? 0) + 1;
  }
}
