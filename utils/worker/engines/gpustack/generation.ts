// Which API a GPUStack server speaks: 0.x serves /v1, 2.x serves /v2. The answer is kept per
// origin in memory (and, when the caller gives a store, beyond a stopped service worker).

import { browser } from 'wxt/browser';
import { dialectFor, type Generation, type GenerationInfo, groupOf } from './dialect';

export type { Generation, GenerationInfo } from './dialect';

export interface GenerationStore {
  load(origin: string): Promise<GenerationInfo | undefined>;
  save(origin: string, info: GenerationInfo): Promise<void>;
  forget(origin: string): Promise<void>;
}

/**
 * "v0.6.1" -> v1, "2.0.0" -> v2; null when the version does not say: dev builds report 0.0.0, 1.x was
 * never released, and a newer major may serve another API. Those are probed (client.ts).
 */
export function generationOf(version: string): Generation | null {
  const group = groupOf(version);
  return group === null ? null : dialectFor(group).generation;
}

const memory = new Map<string, GenerationInfo>();

/** Process-wide memory: every client of one worker shares what it learnt. */
export const memoryGenerations: GenerationStore = {
  async load(origin) {
    return memory.get(origin);
  },
  async save(origin, info) {
    memory.set(origin, info);
  },
  async forget(origin) {
    memory.delete(origin);
  },
};

const KEY = 'gpustack.generations.v1';

/**
 * storage.session behind memory: outlives a stopped worker, not the browser session (a server may
 * be upgraded in between).
 */
export function sessionGenerationStore(): GenerationStore {
  const area = browser.storage.session ?? browser.storage.local;
  const readAll = async () =>
    ((await area.get(KEY))[KEY] as Record<string, GenerationInfo> | undefined) ?? {};
  return {
    async load(origin) {
      const known = await memoryGenerations.load(origin);
      if (known) return known;
      const stored = (await readAll())[origin];
      if (stored) await memoryGenerations.save(origin, stored);
      return stored;
    },
    async save(origin, info) {
      await memoryGenerations.save(origin, info);
      await area.set({ [KEY]: { ...(await readAll()), [origin]: info } });
    },
    async forget(origin) {
      await memoryGenerations.forget(origin);
      const all = await readAll();
      delete all[origin];
      await area.set({ [KEY]: all });
    },
  };
}
