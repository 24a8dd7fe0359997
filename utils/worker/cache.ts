// A lasting cache in IndexedDB (idb-keyval) with a time to live per entry and a bounded size.
// Keys carry a schema version, so an answer made under other rules is never served. If IndexedDB is
// unavailable or broken, the cache keeps working in memory.

import { clear, createStore, del, entries, get, set, type UseStore } from 'idb-keyval';

/** Bump when the shape or meaning of any cached value changes. */
export const CACHE_SCHEMA = 'v1';

export const TTL = {
  /** Anything fixed by a commit: parsed headers, built-in estimates, file lists of a commit. */
  commit: 30 * 24 * 3600_000,
  /** GPUStack verdicts follow the cluster's live state (the server itself caches 1 h). */
  gpustack: 3600_000,
  /** Branch -> commit, search pages. */
  short: 5 * 60_000,
} as const;

interface Entry<T> {
  value: T;
  expiresAt: number;
}

export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  clear(): Promise<void>;
}

export interface CacheOptions {
  dbName?: string;
  maxEntries?: number;
  now?: () => number;
}

export function createCache(options: CacheOptions = {}): Cache {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 5000;
  const memory = new Map<string, Entry<unknown>>();
  let store: UseStore | null = null;
  try {
    store =
      typeof indexedDB === 'undefined' ? null : createStore(options.dbName ?? 'gpustack-check', 'cache');
  } catch {
    store = null;
  }
  let writes = 0;

  // Any IndexedDB failure sends this cache to memory for good: a broken database stays broken.
  async function durable<T>(op: (s: UseStore) => Promise<T>): Promise<T | undefined> {
    if (!store) return undefined;
    try {
      return await op(store);
    } catch {
      store = null;
      return undefined;
    }
  }

  async function evict(): Promise<void> {
    const all = await durable((s) => entries<string, Entry<unknown>>(s));
    if (!all || all.length <= maxEntries) return;
    const t = now();
    // Expired first, then those closest to expiring.
    const order = all.sort(
      ([, a], [, b]) => (a.expiresAt < t ? -1 : a.expiresAt) - (b.expiresAt < t ? -1 : b.expiresAt),
    );
    for (const [key] of order.slice(0, all.length - maxEntries)) await durable((s) => del(key, s));
  }

  return {
    async get<T>(key: string) {
      const k = `${CACHE_SCHEMA}:${key}`;
      const entry = (memory.get(k) ?? (await durable((s) => get<Entry<T>>(k, s)))) as Entry<T> | undefined;
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        memory.delete(k);
        await durable((s) => del(k, s));
        return undefined;
      }
      return entry.value;
    },
    async set<T>(key: string, value: T, ttlMs: number) {
      const k = `${CACHE_SCHEMA}:${key}`;
      const entry: Entry<T> = { value, expiresAt: now() + ttlMs };
      memory.set(k, entry);
      if (memory.size > maxEntries) memory.delete(memory.keys().next().value as string);
      await durable((s) => set(k, entry, s));
      if (++writes % 100 === 0) await evict();
    },
    async delete(key: string) {
      const k = `${CACHE_SCHEMA}:${key}`;
      memory.delete(k);
      await durable((s) => del(k, s));
    },
    async clear() {
      memory.clear();
      await durable((s) => clear(s));
    },
  };
}
