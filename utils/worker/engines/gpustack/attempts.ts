// The evaluations a server answered with a failure it keeps: GPUStack caches every result for an
// hour (scheduler/evaluator.py evaluate_cache, TTL 3600 s by default), failures included from 2.0.2.
// Until that hour is over, the same spec is sent with the time of its last failure, which is a new
// key in the server's cache: "Check again" after a gate is lifted asks Hugging Face for real.

import { browser } from 'wxt/browser';

/** GPUSTACK_MODEL_EVALUATION_CACHE_TTL's default. */
export const SERVER_CACHE_MS = 60 * 60 * 1000;

export interface AttemptStore {
  /** The time of the spec's last failure still in the server's cache, if any. */
  last(key: string): Promise<number | undefined>;
  failed(key: string, at: number): Promise<void>;
}

const KEY = 'gpustack.failed-evaluations.v1';
/** More than anyone checks in an hour; the oldest go first. */
const MAX_ENTRIES = 500;

/** storage.session, so a restarted worker still knows (never written to disk). */
export function sessionAttemptStore(now: () => number = Date.now): AttemptStore {
  const area = browser.storage.session ?? browser.storage.local;
  const read = async () => ((await area.get(KEY))[KEY] as Record<string, number> | undefined) ?? {};
  const fresh = (all: Record<string, number>) =>
    Object.entries(all).filter(([, at]) => now() - at < SERVER_CACHE_MS);
  return {
    async last(key) {
      const at = (await read())[key];
      return at !== undefined && now() - at < SERVER_CACHE_MS ? at : undefined;
    },
    async failed(key, at) {
      const kept = fresh(await read())
        .filter(([k]) => k !== key)
        .sort((a, b) => a[1] - b[1])
        .slice(-(MAX_ENTRIES - 1));
      await area.set({ [KEY]: Object.fromEntries([...kept, [key, at]]) });
    },
  };
}

/** In memory, for tests and short-lived clients. */
export function memoryAttemptStore(now: () => number = Date.now): AttemptStore {
  const all = new Map<string, number>();
  return {
    async last(key) {
      const at = all.get(key);
      return at !== undefined && now() - at < SERVER_CACHE_MS ? at : undefined;
    },
    async failed(key, at) {
      all.set(key, at);
    },
  };
}
