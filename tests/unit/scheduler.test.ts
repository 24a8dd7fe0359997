import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BudgetState } from '../../utils/worker/scheduler/budget';
import { type BudgetStore, Scheduler } from '../../utils/worker/scheduler/scheduler';
import { fakeHub } from './support/fake-hub';

const WINDOW_MS = 10_000;

function memoryStore(): BudgetStore & { states: Record<string, BudgetState> } {
  const store = {
    states: {} as Record<string, BudgetState>,
    async load() {
      return structuredClone(store.states);
    },
    async save(states: Record<string, BudgetState>) {
      store.states = structuredClone(states);
    },
  };
  return store;
}

function scheduler(fetchImpl: typeof fetch, quota = 450, store?: BudgetStore) {
  return new Scheduler({
    buckets: { api: { quota, windowMs: 300_000, concurrency: 6 } },
    fetch: fetchImpl,
    store,
    random: () => 0.5,
  });
}

function get(s: Scheduler, url: string, extra: Partial<Parameters<Scheduler['request']>[0]> = {}) {
  return s.request({ bucket: 'api', url, ...extra });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('scheduler on a fake clock', () => {
  for (const latencyMs of [20, 300]) {
    it(`spends a tight budget with no 429 and finishes close to the minimum the quota allows (latency ${latencyMs} ms)`, async () => {
      // With slow answers many requests travel at once: counting them twice would waste budget.
      const hub = fakeHub({ quota: 60, windowSeconds: 10, latencyMs });
      const s = scheduler(hub.fetch);
      const start = Date.now();
      const done = Promise.all(Array.from({ length: 300 }, (_, i) => get(s, `https://hub/api/f${i}`)));
      await vi.runAllTimersAsync();
      const responses = await done;
      const elapsed = Date.now() - start;
      const minimum = (Math.ceil(hub.stats.requests / 60) - 1) * WINDOW_MS;
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(hub.stats.tooMany).toBe(0);
      expect(hub.stats.requests).toBe(300);
      expect(elapsed / minimum).toBeLessThanOrEqual(1.15);
    });
  }

  it('counts its own requests where the server shows no headers (resolvers)', async () => {
    const hub = fakeHub({ quota: 60, windowSeconds: 10, silent: true });
    const s = new Scheduler({
      buckets: { api: { quota: 60, windowMs: WINDOW_MS, concurrency: 6 } },
      fetch: hub.fetch,
    });
    const done = Promise.all(Array.from({ length: 200 }, (_, i) => get(s, `https://hub/resolve/f${i}`)));
    await vi.runAllTimersAsync();
    await done;
    expect(hub.stats.tooMany).toBe(0);
  });

  it('shares one upstream request among identical requests', async () => {
    const hub = fakeHub({ quota: 60, windowSeconds: 10 });
    const s = scheduler(hub.fetch);
    const done = Promise.all(Array.from({ length: 8 }, () => get(s, 'https://hub/api/same')));
    await vi.runAllTimersAsync();
    const responses = await done;
    expect(hub.stats.requests).toBe(1);
    expect(new Set(responses.map((r) => new TextDecoder().decode(r.body))).size).toBe(1);
  });

  it('keeps requests with different Range headers apart', async () => {
    const hub = fakeHub({ quota: 60, windowSeconds: 10 });
    const s = scheduler(hub.fetch);
    const done = Promise.all([
      get(s, 'https://hub/f', { headers: { Range: 'bytes=0-9' } }),
      get(s, 'https://hub/f', { headers: { Range: 'bytes=10-19' } }),
    ]);
    await vi.runAllTimersAsync();
    await done;
    expect(hub.stats.requests).toBe(2);
  });

  for (const retryAfter of [true, false]) {
    it(`recovers from a 429 storm within 5 attempts (Retry-After ${retryAfter ? 'present' : 'absent'})`, async () => {
      // Someone else spent the window: the server refuses until it resets, whatever we believed.
      const hub = fakeHub({ quota: 10, windowSeconds: 10, retryAfter });
      const warmup = scheduler(hub.fetch, 1000);
      const spend = Promise.all(Array.from({ length: 10 }, (_, i) => get(warmup, `https://hub/x${i}`)));
      await vi.runAllTimersAsync();
      await spend;
      const s = scheduler(hub.fetch, 1000);
      const done = Promise.all(Array.from({ length: 20 }, (_, i) => get(s, `https://hub/y${i}`)));
      await vi.runAllTimersAsync();
      const responses = await done;
      expect(responses.every((r) => r.status === 200)).toBe(true);
      // Only the requests that went out before the first 429 told us could meet one.
      expect(hub.stats.tooMany).toBeLessThanOrEqual(6);
    });
  }

  it('gives a retryable error after 5 attempts of a server that always refuses', async () => {
    const refuse = vi.fn(async () => new Response('{}', { status: 429 }));
    const s = scheduler(refuse as unknown as typeof fetch);
    const done = get(s, 'https://hub/never').catch((e) => e);
    await vi.runAllTimersAsync();
    const error = await done;
    expect(error).toMatchObject({ code: 'rate-limited', retryable: true });
    expect(refuse).toHaveBeenCalledTimes(5);
  });

  it('restores its budget after a restart instead of bursting past it', async () => {
    const hub = fakeHub({ quota: 60, windowSeconds: 10 });
    const store = memoryStore();
    const first = scheduler(hub.fetch, 450, store);
    const burst = Promise.all(Array.from({ length: 60 }, (_, i) => get(first, `https://hub/a${i}`)));
    await vi.runAllTimersAsync();
    await burst;
    await first.flush();
    // A new worker: same store, nothing in memory.
    const second = scheduler(hub.fetch, 450, store);
    const more = Promise.all(Array.from({ length: 60 }, (_, i) => get(second, `https://hub/b${i}`)));
    await vi.runAllTimersAsync();
    await more;
    expect(hub.stats.tooMany).toBe(0);
    expect(hub.stats.requests).toBe(120);
  });

  it('drops a queued request whose caller gave up, unless another caller still waits', async () => {
    const hub = fakeHub({ quota: 1, windowSeconds: 10 });
    const s = scheduler(hub.fetch, 1);
    const first = get(s, 'https://hub/first');
    const gone = new AbortController();
    const abandoned = get(s, 'https://hub/abandoned', { signal: gone.signal }).catch((e) => e);
    const keptA = new AbortController();
    const sharedA = get(s, 'https://hub/shared', { signal: keptA.signal }).catch((e) => e);
    const sharedB = get(s, 'https://hub/shared');
    await vi.advanceTimersByTimeAsync(100);
    gone.abort(new DOMException('tab closed', 'AbortError'));
    keptA.abort(new DOMException('tab closed', 'AbortError'));
    await vi.runAllTimersAsync();
    await first;
    expect((await abandoned).name).toBe('AbortError');
    expect((await sharedA).name).toBe('AbortError');
    expect((await sharedB).status).toBe(200);
    expect(hub.stats.urls).toEqual(['https://hub/first', 'https://hub/shared']);
  });

  it('sends a click before bulk requests that wait for the budget', async () => {
    const hub = fakeHub({ quota: 2, windowSeconds: 10 });
    const s = scheduler(hub.fetch, 2);
    const bulk = Array.from({ length: 4 }, (_, i) => get(s, `https://hub/bulk${i}`, { priority: 'bulk' }));
    await vi.advanceTimersByTimeAsync(100);
    const click = get(s, 'https://hub/click', { priority: 'click' });
    await vi.runAllTimersAsync();
    await Promise.all([...bulk, click]);
    expect(hub.stats.urls.indexOf('https://hub/click')).toBe(2);
  });

  it('reports queue positions and the wait for the rate limit', async () => {
    const hub = fakeHub({ quota: 1, windowSeconds: 10 });
    const s = scheduler(hub.fetch, 1);
    const all = [get(s, 'https://hub/1'), get(s, 'https://hub/2'), get(s, 'https://hub/3')];
    await vi.advanceTimersByTimeAsync(100);
    expect(s.position({ bucket: 'api', url: 'https://hub/3' })).toBe(2);
    expect(s.status().buckets.api?.waitingUntil).toBeGreaterThan(Date.now());
    await vi.runAllTimersAsync();
    await Promise.all(all);
    expect(s.position({ bucket: 'api', url: 'https://hub/3' })).toBeNull();
  });
});
