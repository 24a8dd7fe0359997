// What the popup remembers between openings: Chrome destroys the popup each time it closes, so the
// query, the loaded result pages (their models and the next cursor), the scroll position and the
// opened model live in storage.session. Nothing is refetched to come back: the pages are stored.

import { browser } from 'wxt/browser';
import type { ControlState } from '../../utils/common/control-state';
import type { RepoGgufFiles, SearchItem, SearchSort } from '../../utils/common/protocol';

export const SORTS: readonly SearchSort[] = ['downloads', 'likes', 'trendingScore', 'lastModified'];

/** The result pages loaded so far for one search. */
export interface LoadedResults {
  search: string;
  sort: SearchSort;
  models: SearchItem[];
  /** The next page's cursor (the Hub's Link rel="next"), or null at the end. */
  next: string | null;
}

export interface OpenedModel {
  repo: string;
  files: RepoGgufFiles | null;
  /** The file the user picked (the first shard of a split model). */
  selected: string | null;
  /** The picked file's check when the popup last saw it. */
  view: ControlState | null;
}

export interface PopupMemory {
  version: 1;
  query: string;
  sort: SearchSort;
  results: LoadedResults | null;
  scrollTop: number;
  opened: OpenedModel | null;
}

export interface MemoryStore {
  load(): Promise<PopupMemory | null>;
  save(memory: PopupMemory): Promise<void>;
}

export const EMPTY_MEMORY: PopupMemory = {
  version: 1,
  query: '',
  sort: 'downloads',
  results: null,
  scrollTop: 0,
  opened: null,
};

const KEY = 'popup.v1';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Anything stored by another version (or damaged) is dropped rather than half-trusted. */
export function parseMemory(raw: unknown): PopupMemory | null {
  if (!isRecord(raw) || raw.version !== 1) return null;
  const { query, sort, results, scrollTop, opened } = raw;
  if (typeof query !== 'string' || !SORTS.includes(sort as SearchSort)) return null;
  const memory: PopupMemory = {
    ...EMPTY_MEMORY,
    query,
    sort: sort as SearchSort,
    scrollTop: typeof scrollTop === 'number' && scrollTop >= 0 ? scrollTop : 0,
  };
  if (
    isRecord(results) &&
    typeof results.search === 'string' &&
    SORTS.includes(results.sort as SearchSort) &&
    Array.isArray(results.models) &&
    (results.next === null || typeof results.next === 'string')
  ) {
    memory.results = results as unknown as LoadedResults;
  }
  if (isRecord(opened) && typeof opened.repo === 'string') {
    memory.opened = {
      repo: opened.repo,
      files: isRecord(opened.files) && Array.isArray(opened.files.models) ? (opened.files as never) : null,
      selected: typeof opened.selected === 'string' ? opened.selected : null,
      view: isRecord(opened.view) && typeof opened.view.state === 'string' ? (opened.view as never) : null,
    };
  }
  return memory;
}

/** storage.session: kept while the browser runs, gone when it quits; never synced. */
export function sessionMemory(): MemoryStore {
  return {
    async load() {
      try {
        return parseMemory((await browser.storage.session.get(KEY))[KEY]);
      } catch {
        return null;
      }
    },
    async save(memory) {
      try {
        await browser.storage.session.set({ [KEY]: memory });
      } catch {
        // Forgetting is the worst case; the popup itself keeps working.
      }
    },
  };
}
